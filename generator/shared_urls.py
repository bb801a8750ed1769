"""Stories that share one ``webUrl``: the same news item in ``content/`` twice.

A feed imported twice, or an item saved again under another name, gives two files with
one ``webUrl``: two stories, each with its page, its feed and API entries and its line
in the sitemap, and one event (the clustering joins stories of one address), whose
coverage named the item twice ("Also covered by The Verge, The Verge"). The build warns
of each such group on every build while it stands (:func:`shared_url_warnings`), and an
event's coverage, on article pages and on cards, names each address once
(:func:`distinct_coverage`).

Two ``webUrl`` values are one address when the clustering takes them for one
(``cluster_urls.canonicalize_url``: the scheme, a ``www.``/``m.``/``amp.`` host prefix,
an AMP wrapper, tracking parameters, a fragment or a trailing slash aside): it joins
such stories as one report, and a reader following either link reaches the same page.
``originalUrl`` is not compared: a story may name the wire copy it was rewritten from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter, itemgetter

from .diagnostics import Diagnostic, shorten, warning
from .frozen import frozen
from .summary import StorySummary

_URL_KEYS, _FIRST = attrgetter("url_keys"), itemgetter(0)


def web_url_key(story: StorySummary) -> str:
    """The key of the story's ``webUrl`` (``summary.link_key`` of its canonical form; ''
    without one)."""
    return story.url_keys[0] if story.url and story.url_keys else ""


def find_same_urls(stories: Sequence[StorySummary], slugs: Mapping[str, str]
                   ) -> dict[str, str]:
    """The key of the ``webUrl`` (:func:`web_url_key`) of each story whose ``webUrl`` is
    another story's too, by slug (``slugs``: each story's, by source path); empty, as on
    most sites, when every story's first address key is its own (a test made in C: 0.9
    ms at 10,000 stories, while the build waits for its events)."""
    firsts = list(map(_FIRST, filter(None, map(_URL_KEYS, stories))))  # (the ``webUrl``'s,
    # or ``originalUrl``'s without one: a repeat among them may be no shared ``webUrl``)
    if len(set(firsts)) == len(firsts):
        return {}
    holder: dict[str, str] = {}
    same: dict[str, str] = {}
    for story in stories:
        key = web_url_key(story)
        if key:
            first = holder.setdefault(key, story.source)
            if first != story.source:
                same[slugs[first]] = same[slugs[story.source]] = key
    return same


def distinct_coverage(own: str, others: Iterable[str], same_url: Mapping[str, str]
                      ) -> tuple[str, ...]:
    """``others``, the stories of an event besides ``own`` (slugs, in order), without
    those whose ``webUrl`` is ``own``'s or that of one kept before them (``same_url``: see
    :func:`find_same_urls`; a story not in it has an address of its own)."""
    seen = {same_url.get(own, "")}
    kept = []
    for slug in others:
        key = same_url.get(slug)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(slug)
    return tuple(kept)


@frozen
class UrlCopy:
    """One of the stories that share a ``webUrl``."""

    source: str
    """Its file (relative to the site folder)."""
    url: str
    """Its ``webUrl``, as the file gives it."""
    line: int | None
    """The line of that ``webUrl:`` in the file (None: not found)."""


@frozen
class SharedUrl:
    """Stories whose ``webUrl`` is one address: one news item in several files."""

    copies: tuple[UrlCopy, ...]
    """Each of them, by path."""

    @property
    def sources(self) -> tuple[str, ...]:
        """Their files, by path."""
        return tuple(copy.source for copy in self.copies)

    def to_tuple(self) -> tuple[tuple[str, str, int | None], ...]:
        """A ``marshal``-friendly tuple (for the cache)."""
        return tuple((copy.source, copy.url, copy.line) for copy in self.copies)

    @classmethod
    def from_tuple(cls, values: Iterable[tuple[str, str, int | None]]) -> SharedUrl:
        """Inverse of ``to_tuple``."""
        return cls(tuple(UrlCopy(*copy) for copy in values))


def group_same_urls(same_url: Mapping[str, str], source_of: Callable[[str], str]
                    ) -> tuple[tuple[str, ...], ...]:
    """The files of each group of stories that share a ``webUrl`` (``same_url``: see
    :func:`find_same_urls`; ``source_of`` a slug's file), each by path, the groups by
    their first."""
    groups: dict[str, list[str]] = {}
    for slug, key in same_url.items():
        groups.setdefault(key, []).append(source_of(slug))
    return tuple(sorted(tuple(sorted(group)) for group in groups.values()))


def shared_urls(groups: Iterable[Sequence[str]], url_of: Callable[[str], str],
                line_of: Callable[[str], int | None]) -> tuple[SharedUrl, ...]:
    """The groups of files (:func:`group_same_urls`) as records, with each file's
    ``webUrl`` (``url_of``) and the line where it gives it (``line_of``)."""
    return tuple(SharedUrl(tuple(UrlCopy(source, url_of(source), line_of(source))
                                 for source in group)) for group in groups)


def regrouped_by_url(now: Iterable[Sequence[str]], before: Iterable[Sequence[str]]
                     ) -> set[str]:
    """The files of the groups (:func:`group_same_urls`) that are not in both ``now`` and
    ``before``: those whose cards and coverage may name other stories than before."""
    return {source for group in set(map(tuple, now)) ^ set(map(tuple, before))
            for source in group}


def shared_url_warnings(shared: Iterable[SharedUrl]) -> tuple[Diagnostic, ...]:
    """A warning for each story of each group but the first by path, at its ``webUrl``,
    naming the other files and their lines: one news item published as several stories
    (pages, feed and API entries, sitemap lines), until all but one file go or each gets
    a ``webUrl`` of its own."""
    problems = []
    for group in shared:
        count = len(group.copies)
        for copy in group.copies[1:]:
            others = [other for other in group.copies if other is not copy]
            problems.append(warning(
                copy.source,
                f"{shorten(copy.url, 100)} is also the webUrl of "
                + " and ".join(_where(other, copy.url) for other in others)
                + ("" if all(other.url == copy.url for other in others) else
                   ", one page but for tracking parameters, scheme, www. or a trailing "
                   "slash")
                + f": one news item in {count} files, published as {count} stories (each "
                  "with a page, feed and API entries and a sitemap line; cards and \"Also "
                  "covered by\" show one)",
                line=copy.line, field="webUrl",
                hint="Delete all but one of the files (a feed imported twice?), or give "
                     "each story its own webUrl if they are different stories."))
    return tuple(problems)


def _where(copy: UrlCopy, url: str) -> str:
    """``copy``'s file, the line of its ``webUrl`` and, if not ``url``, that webUrl."""
    line = "" if copy.line is None else f"line {copy.line}"
    written = "" if copy.url == url else shorten(copy.url, 100)
    said = f"{line}: {written}" if line and written else line or written
    return f"{copy.source} ({said})" if said else copy.source
