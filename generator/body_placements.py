"""Stage 3, in part: what became of the site's plain-text body files.

A plain-text file without front matter is the body of the article whose title its first
line is (``bodies.match_body_titles``), or else a story of its own. The build reports
each file's outcome (``BuildReport.body_matches``), warns of the doubtful ones, and keeps
them in its cache (``Manifest.placements``) for a build with nothing to do to report
again and for the next build to tell whether they moved.
"""

from __future__ import annotations

from collections.abc import Sequence

from .bodies import match_body_titles, undated_warning
from .diagnostics import Diagnostic, warning
from .frozen import frozen
from .manifest import Manifest
from .model import Site


@frozen
class BodyPlacement:
    """What became of one plain-text body file."""

    body: str
    """Source path of the body file."""
    article: str | None
    """Source path of the article it became the body of, or None if it stands alone."""
    taken: str | None = None
    """When it stands alone: the article its title matches, whose body is another file."""
    titles: tuple[str, str] | None = None
    """When it is the body of an article whose title is not its own, one word aside (see
    ``bodies.match_body_titles``): the article's title and its own, for the warning."""


def body_placements(site: Site) -> tuple[BodyPlacement, ...]:
    """What became of each plain-text body file: the body of an article, or a story of its
    own (then also the article its title matches, if that one took another body file:
    each article takes one, the first in order)."""
    holders = [a for a in site.articles if a.body_file]
    alone = [a for a in site.articles if a.summary.is_body_file]
    placed = [BodyPlacement(a.body_file.source, a.summary.source,
                            titles=(a.summary.title, a.body_file.title)
                            if a.body_file.title_key != a.summary.title_key else None)
              for a in holders if a.body_file]
    taken = match_body_titles([a.summary.title_key for a in holders],
                              [a.summary.title_key for a in alone], one_each=False) \
        if holders and alone else [None] * len(alone)
    placed += [BodyPlacement(a.summary.source, None,
                             holders[index].summary.source if index is not None else None)
               for a, index in zip(alone, taken, strict=True)]
    return tuple(sorted(placed, key=lambda p: p.body))


def placement_pairs(placements: Sequence[BodyPlacement]
                     ) -> tuple[tuple[str, str, str, str, str], ...]:
    """Each plain-text body file, the article it is the body of, the one whose body
    another file is ('' = none) and, for a title matched with a word mistyped, the
    article's title and the file's ('' = the same), as the manifest keeps them."""
    return tuple((p.body, p.article or "", p.taken or "", *(p.titles or ("", "")))
                 for p in placements)


def stored_placements(manifest: Manifest) -> tuple[BodyPlacement, ...]:
    """The last build's ``BodyPlacement``s, from its manifest (:func:`placement_pairs`)."""
    return tuple(BodyPlacement(body, article or None, taken or None,
                               (title, own) if title else None)
                 for body, article, taken, title, own in manifest.placements)


def placement_warnings(placements: Sequence[BodyPlacement]) -> tuple[Diagnostic, ...]:
    """A warning for each body file standing alone that only its modification time dates,
    for each that stands alone because the article it matches took another, and for
    each that is an article's body by a title that is not quite the article's."""
    return tuple(found for placed in placements
                 for found in ((_fuzzy_warning(placed),) if placed.article else
                               (_taken_warning(placed), undated_warning(placed.body)))
                 if found is not None)


def _fuzzy_warning(placed: BodyPlacement) -> Diagnostic | None:
    """A body file taken for an article's body although its first line differs from the
    article's title by one word: a typo in either title, or another story (one word of
    a headline can be all its news), whose text is then published under that title."""
    if placed.titles is None:
        return None
    title, own = placed.titles
    return warning(placed.body, f"its first line {own!r} is not the title of "
                   f"{placed.article} ({title!r}) but differs from it by one word, taken "
                   "for a typo: this file's text is published as that story's body", line=1,
                   hint=f"If it is that story's body, make the two titles the same (fix the "
                        f"typo in this file or in {placed.article}); if it is another "
                        "story, give this file front matter (title, publishedDateTime).")


def _taken_warning(placed: BodyPlacement) -> Diagnostic | None:
    if placed.taken is None:
        return None
    return warning(placed.body, f"its title matches {placed.taken}, whose body is already "
                   "another file, so it is a story of its own (a second page with that "
                   "title)", line=1,
                   hint="Put the two bodies in one file, delete one, or change this file's "
                        "first line if it is another story.")
