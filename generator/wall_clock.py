"""Wall-clock times that a time zone skips or repeats.

A date and time written without an offset (``2024-03-10T02:30:00``) is read in the site's
``timezone``. Where that zone changes its clocks, some such times name no moment (the
hour skipped when clocks go forward: 02:30 on 10 March 2024 in New York) and some name
two (the hour repeated when they go back: 01:30 on 3 November 2024). Python reads the
first as the offset before the change (02:30 EST, that is 03:30 EDT) and the second as
its first occurrence (01:30 EDT): ``unclear_wall_time`` says so, and how to write the
time so that it names one moment (with its offset), and gives the moment as a time the
zone shows (03:30 EDT: pages never show a time that did not happen).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from .frozen import frozen


@frozen
class UnclearTime:
    """What a validator says about a time its zone skips or repeats."""

    message: str
    """What the time is and how it was read."""
    hint: str
    """How to write it unambiguously (with an offset)."""
    moment: datetime
    """The moment it was read as, in the zone's time of that moment (a skipped 02:30 EST
    is 03:30 EDT)."""


def unclear_wall_time(moment: datetime, zone: tzinfo) -> UnclearTime | None:
    """The problem with ``moment``, a wall-clock time given ``zone`` as its zone (it was
    written without an offset), if ``zone`` skips it or repeats it; else None."""
    if zone is UTC:
        return None
    first = moment.replace(fold=0) if moment.fold else moment
    second = moment.replace(fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before == after or before is None or after is None:  # (the usual answer: 1.5-2 us)
        return None
    wall = moment.replace(tzinfo=None, fold=0)
    written = wall.isoformat()
    name = getattr(zone, "key", None) or str(zone)
    change = _duration(abs(after - before))
    as_read = first.astimezone(UTC).astimezone(zone)
    earlier = second.astimezone(UTC).astimezone(zone)
    if as_read.replace(tzinfo=None) != wall:  # (a time skipped: clocks went forward)
        return UnclearTime(
            f"{written} is a time that does not exist in {name}: the clocks went forward "
            f"{change} over it ({first.tzname()} to {second.tzname()}); it was read as "
            f"{first.isoformat()}, that is {as_read.isoformat()} ({as_read.tzname()})",
            f"Write the time with its UTC offset: {as_read.isoformat()} "
            f"({as_read.tzname()}) as it was read, or {earlier.isoformat()} "
            f"({earlier.tzname()}), {change} earlier, if the source meant that.", as_read)
    return UnclearTime(
        f"{written} happens twice in {name}: the clocks went back {change} over it "
        f"({first.tzname()} to {second.tzname()}); it was read as the first, "
        f"{first.isoformat()} ({first.tzname()})",
        f"Write the time with its UTC offset: {first.isoformat()} for the first "
        f"({first.tzname()}), {second.isoformat()} for the second ({second.tzname()}).",
        first)


def _duration(span: timedelta) -> str:
    """``an hour``, ``30 minutes``, ``2:00 hours``: how far the clocks moved."""
    minutes = int(span.total_seconds()) // 60
    if minutes == 60:
        return "an hour"
    if minutes < 60:
        return f"{minutes} minutes"
    return f"{minutes // 60}:{minutes % 60:02d} hours"
