"""Wall-clock times a zone skips or repeats (``generator.wall_clock``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from generator.wall_clock import unclear_wall_time


def at(zone: str, *fields: int) -> datetime:
    return datetime(*fields, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


@pytest.mark.parametrize("moment", [
    datetime(2024, 3, 10, 2, 30, tzinfo=UTC),
    datetime(2024, 3, 10, 2, 30, tzinfo=timezone(timedelta(hours=-5))),
    at("UTC", 2024, 3, 10, 2, 30),
    at("Asia/Tokyo", 2024, 3, 10, 2, 30),  # (no clock changes)
    at("America/New_York", 2024, 7, 1, 2, 30),
])
def test_a_time_naming_one_moment_has_no_problem(moment: datetime) -> None:
    assert moment.tzinfo is not None
    assert unclear_wall_time(moment, moment.tzinfo) is None


@pytest.mark.parametrize(("zone", "fields", "words"), [
    ("America/New_York", (2024, 3, 10, 2, 30), "does not exist in America/New_York: the "
     "clocks went forward an hour over it (EST to EDT)"),
    ("America/New_York", (2024, 11, 3, 1, 0), "happens twice in America/New_York: the clocks "
     "went back an hour over it (EDT to EST)"),
    ("Australia/Lord_Howe", (2024, 4, 7, 1, 45), "happens twice in Australia/Lord_Howe: "
     "the clocks went back 30 minutes"),
    ("Europe/London", (2024, 3, 31, 1, 0), "does not exist in Europe/London: the clocks "
     "went forward an hour over it (GMT to BST)"),
])
def test_a_skipped_or_repeated_time_says_so_and_how_it_was_read(
        zone: str, fields: tuple[int, ...], words: str) -> None:
    moment = at(zone, *fields)
    assert moment.tzinfo is not None
    unclear = unclear_wall_time(moment, moment.tzinfo)
    assert unclear is not None and words in unclear.message
    assert "it was read as" in unclear.message and "UTC offset" in unclear.hint
