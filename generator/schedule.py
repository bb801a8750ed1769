"""Stories dated after the build's time: held back until then, as Hugo and Jekyll do.

A story whose ``publishedDateTime`` is after the build's time (``config.build_time``:
``SOURCE_DATE_EPOCH``, else the clock) is left out as a draft is: ``parse.parse_file``
gives no summary for it, and says until when it is held (``ParsedFile.held``). Nothing of
it is published (page, listings, feeds, API, sitemap, topic counts, sidebars, events),
unless ``SiteConfig.future`` (``--future``, ``future: true``) publishes it at once.

The cache remembers the stories held back (``Manifest.held``); a build at or after the
date of one reads its file again, which publishes it, and a build before every date reads
nothing more. A build before the date of a story the last build published (a clock set
back, an older ``SOURCE_DATE_EPOCH``: ``Manifest.newest``) reads every file again. Either
way it equals a clean build at that time. Only the held-back stories are looked at, and
the newest story published: nothing here goes over every story.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from itertools import takewhile

from .config import SiteConfig
from .diagnostics import Diagnostic, warning
from .model import Article
from .parse import ParsedFile

FUTURE_MARGIN = 86_400.0
"""How far past the build's time a published story may be dated before it is reported (a
day: a time zone given wrong, or none given, puts a story up to 14 hours ahead)."""


def held_after(config: SiteConfig, now: float) -> float | None:
    """The time after which a story is held back by a build at ``now`` (None: none is,
    ``config.future``): ``parse.parse_file``'s ``held_after``."""
    return None if config.future else now


def due_sources(config: SiteConfig, held: Iterable[tuple[str, float]], now: float,
                sources: Collection[str]) -> list[str]:
    """The files of ``held`` (the last build's held-back stories: source, date) still in
    ``sources`` whose date has come by ``now``: to read again, which publishes them (every
    one, under ``config.future``: that build reads every file again anyway)."""
    return [source for source, due in held
            if (config.future or due <= now) and source in sources]


def first_due(held: Iterable[tuple[str, float]]) -> float | None:
    """The date of the first of the ``held`` stories (source, date) to come (None: none)."""
    return min((due for _source, due in held), default=None)


def held_stories(last: Iterable[tuple[str, float]], sources: Collection[str],
                 parsed: Sequence[ParsedFile]) -> tuple[tuple[str, float], ...]:
    """The stories held back after a build (source, date; by source): the ``last`` build's,
    but for the files read again (``parsed``) and those gone from ``sources``, and those
    of the files just read."""
    fresh = [(p.source, p.held) for p in parsed if p.held is not None]
    if not last:  # (most builds: no set of the files read made)
        return tuple(sorted(fresh))
    read = {p.source for p in parsed}
    return tuple(sorted([*((source, due) for source, due in last
                           if source in sources and source not in read), *fresh]))


def held_anew(config: SiteConfig, newest: float | None, now: float) -> bool:
    """Whether the newest story the last build published (dated ``newest``) is after
    ``now`` (a clock set back, an older ``SOURCE_DATE_EPOCH``), so that it is held back
    again: the build then reads every file again, as after a change of the settings
    files are read with. A clock that goes on never comes here."""
    return not config.future and newest is not None and now < newest


def newest_held_back(config: SiteConfig, articles: Sequence[Article]) -> float | None:
    """The date of the newest of ``articles`` (newest first) that a build before it would
    hold back (None: none, or ``config.future``): ``Manifest.newest``. A plain-text body
    file never is (``parse.parse_file``): the first article is looked at, and past the
    rare body files dated ahead of it."""
    if config.future:
        return None
    return next((a.summary.timestamp for a in articles if not a.summary.is_body_file), None)


def future_stories(articles: Sequence[Article], now: float) -> tuple[tuple[str, float], ...]:
    """The ``articles`` (newest first) published although dated after ``now`` (under
    ``--future``, or a plain-text body file dated by its name): (source, timestamp) of
    each, in source order."""
    return tuple(sorted((article.summary.source, article.summary.timestamp) for article
                        in takewhile(lambda a: a.summary.timestamp > now, articles)))


def future_warnings(future: Sequence[tuple[str, float]], now: float
                    ) -> tuple[Diagnostic, ...]:
    """A warning for each story of ``future`` (``future_stories``) dated more than
    ``FUTURE_MARGIN`` after ``now``: published all the same, first on every listing, it
    dates the feeds and the sitemap; a date that far ahead is most likely a typo."""
    return tuple(
        warning(source, f"{datetime.fromtimestamp(stamp, UTC):%Y-%m-%d %H:%M} UTC is in the "
                        "future: the story is published now, first on the home page, and dates "
                        "the feeds and the sitemap", field="publishedDateTime",
                hint="Fix the date (a time zone? the year?); without --future (or future: "
                     "true in digest.yaml) a story is held back until its date.")
        for source, stamp in future if stamp > now + FUTURE_MARGIN)
