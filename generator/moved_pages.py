"""Moved pages: a story whose address changed since an earlier build, its old one now failing.

A story's address comes from its file name or, for a file whose name does not start with
a date, from its date and title: fixing a headline, a date or a time zone moves its page
(and its feeds' id), and so does renaming its file, or another story taking or leaving the
address it wanted (``slugs.assign_unique``). Every link to the old address then fails.
``aliases:`` keeps such a link working (``aliases``); the build tells which old addresses
need one (:func:`find_moved_pages`, :func:`moved_page_warnings`).

A move is warned about on every build, an unchanged one too, until it is settled: an
alias of the story, or any other page, is at the old address, the story is back there,
the story is gone, or ``digest build --accept-moves`` says the move was meant (it forgets
the moves warned about before it, not one it finds itself). Warned about once, it would
scroll by with the build that made it (the preview server rebuilds on every save) and
be missed; the links it breaks stay broken until it is settled. The address a story had
only while a move of it stood is not kept as one more: a headline fixed one save at a
time in the preview is one move, from the address before the first save.

What the last build's addresses were is known without keeping them all: each story's
is its summary's wanted slug unless another story took that (the last build's slug
clashes, kept for their warnings). Only the files read again, those gone (a file renamed:
the new one with the same ``webUrl`` is the story, ``shared_urls.web_url_key``) and those
of the clashes are looked at, and only the moves not settled are kept: the build's cost
grows with what changed, not with the site.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import chain

from .diagnostics import Diagnostic, warning
from .model import article_path
from .shared_urls import web_url_key
from .summary import StorySummary
from .urls import page_path


@dataclass(frozen=True, slots=True, order=True)
class MovedPage:
    """A story whose page left an address it had in an earlier build."""

    source: str
    """The story's file now (relative to the site folder)."""
    old: str
    """The slug of the address it had."""
    new: str
    """The slug of its address now."""

    @property
    def old_address(self) -> str:
        """The address it had, from the site's root (``/news/<old>/``)."""
        return "/" + article_path(self.old)

    @property
    def new_address(self) -> str:
        """Its address now, from the site's root (``/news/<new>/``)."""
        return "/" + article_path(self.new)

    def describe(self) -> str:
        """The move in words, after the story's file (``its page moved from /news/a/ to
        /news/b/``), for its warning and for ``--accept-moves``'s line."""
        return f"its page moved from {self.old_address} to {self.new_address}"

    def to_tuple(self) -> tuple[str, str, str]:
        """A ``marshal``-friendly tuple (for the cache)."""
        return (self.source, self.old, self.new)

    @classmethod
    def from_tuple(cls, values: Iterable[str]) -> MovedPage:
        """Inverse of ``to_tuple``."""
        source, old, new = values
        return cls(str(source), str(old), str(new))


def find_renames(gone: Mapping[str, StorySummary], came: Iterable[StorySummary]
                 ) -> dict[str, str]:
    """The new file of each story of a file ``gone`` (by source path) that a file that
    ``came`` since (a file the last build did not have) now tells with the same
    ``webUrl``: a file renamed or moved, by source path (first by path on either side)."""
    by_url: dict[str, str] = {}
    for source in sorted(gone):
        key = web_url_key(gone[source])
        if key:
            by_url.setdefault(key, source)
    renamed: dict[str, str] = {}
    for summary in sorted(came, key=lambda s: s.source):
        old = by_url.pop(web_url_key(summary), None) if summary.url else None
        if old is not None:
            renamed[old] = summary.source
    return renamed


def find_moved_pages(*, was: Callable[[str], str | None], now: Mapping[str, str],
                     looked_at: Iterable[str], renamed: Mapping[str, str],
                     pending: Iterable[MovedPage], covered: Container[str]
                     ) -> tuple[MovedPage, ...]:
    """The stories whose page is not at an address it had, where no page is now, in order.

    ``was``: a file's slug in the last build (None: it had no page); ``now``: each story's
    slug by file; ``looked_at``: the files whose address may have changed (read again, or
    in a slug clash of either build); ``renamed``: see :func:`find_renames`; ``pending``:
    the moves of the last build not settled (those not accepted); ``covered``: the output
    path of every file of this build (an alias's page, or any other page at an old address
    settles its move).

    The address a story moved to while a move of it was not settled is not one to keep:
    fixing a headline in the preview one save at a time gives one warning, from the
    address before the first save, not one per save."""
    pending = [replace(move, source=renamed.get(move.source, move.source))
               for move in pending]
    olds = {(move.source, move.old) for move in pending}
    interim = {(move.source, move.new) for move in pending}
    for source, before in chain(((source, source) for source in looked_at),
                                ((after, before) for before, after in renamed.items())):
        if (slug := was(before)) is not None and (source, slug) not in interim:
            olds.add((source, slug))
    return tuple(sorted(MovedPage(source, old, slug) for source, old in olds
                        if (slug := now.get(source)) is not None and slug != old
                        and page_path(article_path(old)) not in covered))


def moved_page_warnings(moved: Iterable[MovedPage]) -> tuple[Diagnostic, ...]:
    """A warning for each move (:func:`find_moved_pages`), at the story's file: the same
    on every build until it is settled (the preview server prints a warning once, when it
    is new, and says when it is gone)."""
    return tuple(warning(
        move.source,
        f"{move.describe()} since an earlier build; links to the old address now fail",
        hint=f"Add `aliases: [{move.old_address}]` to keep them working (or, if "
             "the move is meant, build once with --accept-moves).")
        for move in moved)
