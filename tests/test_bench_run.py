"""The benchmark's own arithmetic (bench/run.py): when a build's pages were all in place."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bench.run import (
    coarse_now_ns,
    diff_snapshots,
    landed,
    make_newer_story,
    snapshot,
    spread_picks,
)


def test_landed_is_when_the_last_page_changed(tmp_path: Path) -> None:
    (tmp_path / "news" / "old").mkdir(parents=True)
    (tmp_path / "news" / "old" / "index.html").write_text("old")
    (tmp_path / "kept.html").write_text("kept")
    before = snapshot(tmp_path)
    since = coarse_now_ns()
    (tmp_path / "index.html").write_text("first")
    time.sleep(0.2)  # (file times tick with a coarse clock: a few ms)
    (tmp_path / "news" / "new").mkdir()
    (tmp_path / "news" / "new" / "index.html").write_text("last")
    written, removed = diff_snapshots(before, snapshot(tmp_path))
    seconds = landed(tmp_path, written, removed, since)
    assert seconds is not None and 0.15 <= seconds < 60


def test_a_removed_page_lands_when_its_folder_changed(tmp_path: Path) -> None:
    (tmp_path / "news" / "gone").mkdir(parents=True)
    (tmp_path / "news" / "gone" / "index.html").write_text("gone")
    before = snapshot(tmp_path)
    since = coarse_now_ns()
    time.sleep(0.2)
    (tmp_path / "news" / "gone" / "index.html").unlink()
    (tmp_path / "news" / "gone").rmdir()  # (its folder went too: the one above counts)
    written, removed = diff_snapshots(before, snapshot(tmp_path))
    assert (written, removed) == ([], ["news/gone/index.html"])
    seconds = landed(tmp_path, written, removed, since)
    assert seconds is not None and 0.15 <= seconds < 60


def test_nothing_landed_without_a_changed_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("same")
    before = snapshot(tmp_path)
    since = coarse_now_ns()
    (tmp_path / ".digest-output").write_text("marker")  # (hidden: not a page)
    written, removed = diff_snapshots(before, snapshot(tmp_path))
    assert written == [".digest-output"]
    assert landed(tmp_path, written, removed, since) is None
    assert landed(tmp_path, [], [], since) is None


def test_the_spread_edits_the_middle_of_each_kth_of_the_stories() -> None:
    assert spread_picks(10_000, 9)[4] == 5_000  # (the edit measure's story among them)
    assert spread_picks(10, 2) == [2, 7]


@given(st.integers(1, 5_000), st.integers(1, 5_000))
def test_spread_picks_are_distinct_and_in_order(count: int, k: int) -> None:
    picks = spread_picks(count, min(k, count))
    assert len(picks) == min(k, count)
    assert picks == sorted(set(picks))
    assert picks[0] >= 0 and picks[-1] < count


def test_the_added_story_is_a_news_item_of_its_own() -> None:
    """A copy at the template's addresses is one item twice, which builds warn about (and
    relist as such): an add at the bench is a new story, at a new address, an hour later."""
    template = ('---\ntitle: "Old"\nexcerpt: "E"\npublishedDateTime: 2023-12-31T22:00:00Z\n'
                'webUrl: "https://www.x.example/science/old-story-1"\n'
                'ampWebUrl: "https://amp.x.example/science/old-story-1"\n'
                'cdnAmpWebUrl: "https://amp-x.cdn.example/c/s/amp.x.example/science/old-story-1"\n'
                'related:\n  - title: "R"\n    webUrl: "https://y.example/r"\n---\n')
    name, text = make_newer_story(template, title="New", slug="bench-added-0")
    assert name == "2023-12-31-bench-added-0.md"
    assert 'webUrl: "https://www.x.example/science/bench-added-0"' in text
    assert 'ampWebUrl: "https://amp.x.example/science/bench-added-0"' in text
    assert '/c/s/amp.x.example/science/bench-added-0"' in text
    assert '    webUrl: "https://y.example/r"' in text  # (a related story's: kept)
    assert "publishedDateTime: 2023-12-31T23:00:00Z" in text and 'title: "New"' in text
