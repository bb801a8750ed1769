"""Moved pages: a story whose address changed since an earlier build is warned about, at
its file, on every build until an alias (or any page) is at the old address."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator.build import BuildMemory, BuildReport, build
from generator.cli import main, print_serve_event
from generator.config import load_config
from generator.manifest import cache_path, load_manifest
from generator.moved_pages import MovedPage, find_moved_pages, find_renames
from generator.serve import PreviewSession, Rebuilt, ServeOptions
from generator.serve_http import ServerAddress
from generator.slugs import short_hash
from generator.summary import StorySummary
from tests.conftest import MakeSite
from tests.test_incremental import clean_build, run, story, touch_later, tree

UNDATED = """\
---
title: "{title}"
publishedDateTime: {date}
webUrl: https://example.com/g
topics: [AI]
---
Body.
"""
OLD = "/news/2024-05-01-googel-unveils-new-model/"
NEW = "/news/2024-05-01-google-unveils-new-model/"


def undated(title: str = "Googel unveils new model",
            date: str = "2024-05-01T10:00:00Z") -> str:
    return UNDATED.format(title=title, date=date)


def moved_warning(source: str, old: str, new: str) -> str:
    return (f"{source}: warning: its page moved from {old} to {new} since an earlier "
            "build; links to the old address now fail Hint: Add `aliases: "
            f"[{old}]` to keep them working (or, if the move is meant, build once with "
            "--accept-moves).")


def moves(report: BuildReport) -> list[str]:
    return [d.format() for d in report.diagnostics if "its page moved" in d.message]


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    touch_later(path)


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({**{f"content/2021-03-{n:02d}-story-{n}.md": story(n)
                         for n in range(1, 5)},
                      "content/story.md": undated()})


def test_a_fixed_headline_is_warned_about_on_every_build_until_an_alias_keeps_the_old_address(
        site: Path, tmp_path: Path, forked: bool) -> None:
    out = site.parent / "out"
    assert moves(run(site, out)) == []
    edit(site, "content/story.md", "Googel", "Google")
    report = run(site, out)
    assert moves(report) == [moved_warning("content/story.md", OLD, NEW)]
    assert tree(out) == clean_build(site, tmp_path)
    again = run(site, out)  # (unchanged: from the cache)
    assert again.rendered == 0 and moves(again) == moves(report)
    edit(site, "content/2021-03-01-story-1.md", "Body of", "New body of")
    assert moves(run(site, out)) == moves(report)  # (another file read: still there)
    edit(site, "content/story.md", "Body.", "A new body.")
    assert moves(run(site, out)) == moves(report)  # (the story read again: still there)
    edit(site, "content/story.md", "topics:", f"aliases: [{OLD}]\ntopics:")
    fixed = run(site, out)
    assert moves(fixed) == [] and not fixed.diagnostics
    assert tree(out) == clean_build(site, tmp_path)
    assert load_manifest(cache_path(site, out)).moved == ()
    edit(site, "content/story.md", f"aliases: [{OLD}]\n", "")  # (dropped on purpose later)
    assert moves(run(site, out)) == []


def test_a_clean_build_has_no_earlier_address_to_warn_of(site: Path) -> None:
    out = site.parent / "out"
    run(site, out)
    edit(site, "content/story.md", "Googel", "Google")
    shutil.rmtree(site / ".digest-cache")
    assert moves(run(site, out)) == []
    assert moves(run(site, site.parent / "elsewhere")) == []  # (its own cache: none)


def test_a_changed_date_moves_an_undated_file_s_page(site: Path, tmp_path: Path) -> None:
    out = site.parent / "out"
    run(site, out)
    edit(site, "content/story.md", "2024-05-01T10", "2024-05-02T10")
    assert moves(run(site, out)) == [moved_warning(
        "content/story.md", OLD, "/news/2024-05-02-googel-unveils-new-model/")]
    assert tree(out) == clean_build(site, tmp_path)


def test_a_time_zone_that_moves_undated_pages_warns_of_each(site: Path, tmp_path: Path) -> None:
    """digest.yaml's timezone dates undated files' addresses: every file is read again,
    and the addresses the last build gave are those of its stored summaries."""
    edit(site, "content/story.md", "T10:00:00Z", "T20:00:00Z")
    out = site.parent / "out"
    run(site, out)
    (site / "digest.yaml").write_text("timezone: Asia/Tokyo\n")
    assert moves(run(site, out)) == [moved_warning(
        "content/story.md", OLD, "/news/2024-05-02-googel-unveils-new-model/")]
    assert tree(out) == clean_build(site, tmp_path)


def test_a_file_renamed_with_its_web_url_is_the_same_story_moved(
        site: Path, tmp_path: Path) -> None:
    out = site.parent / "out"
    run(site, out)
    (site / "content/archive").mkdir()
    (site / "content/2021-03-02-story-2.md").rename(site / "content/archive/2021-03-02-two.md")
    (site / "content/story.md").rename(site / "content/archive/story.md")  # (same address)
    report = run(site, out)
    assert moves(report) == [moved_warning("content/archive/2021-03-02-two.md",
                                           "/news/2021-03-02-story-2/",
                                           "/news/2021-03-02-two/")]
    assert tree(out) == clean_build(site, tmp_path)
    (site / "content/archive/2021-03-02-two.md").rename(site / "content/2021-03-02-deux.md")
    assert moves(run(site, out)) == [  # (a move not settled follows the file)
        moved_warning("content/2021-03-02-deux.md", "/news/2021-03-02-story-2/",
                      "/news/2021-03-02-deux/")]


def test_a_story_deleted_and_another_added_is_no_move(site: Path, tmp_path: Path) -> None:
    out = site.parent / "out"
    run(site, out)
    (site / "content/2021-03-03-story-3.md").unlink()
    (site / "content/2021-03-05-story-5.md").write_text(story(5))
    report = run(site, out)
    assert moves(report) == [] and tree(out) == clean_build(site, tmp_path)


def test_a_headline_fixed_one_save_at_a_time_is_one_move_from_the_first_address(
        site: Path, tmp_path: Path) -> None:
    out = site.parent / "out"
    run(site, out)
    edit(site, "content/story.md", "Googel", "Googl")
    run(site, out)
    edit(site, "content/story.md", "Googl", "Google")
    assert moves(run(site, out)) == [moved_warning("content/story.md", OLD, NEW)]
    edit(site, "content/story.md", "Google", "Googel")  # (back where it was: settled)
    assert moves(run(site, out)) == []
    assert tree(out) == clean_build(site, tmp_path)


def test_accepting_the_moves_forgets_those_warned_of_not_a_new_one(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = site.parent / "out"
    run(site, out)
    edit(site, "content/story.md", "Googel", "Google")
    assert moves(run(site, out)) != []
    capsys.readouterr()
    assert main(["build", "--source", str(site), "--output", str(out), "-q",
                 "--accept-moves"]) == 0  # (nothing changed: forgotten)
    assert "moved" not in capsys.readouterr().err
    assert moves(run(site, out)) == []
    config, _problems = load_config(site, output=out)
    edit(site, "content/2021-03-04-story-4.md", "2021-03-04T10", "2021-03-14T10")
    edit(site, "content/story.md", "Google", "Google's")  # (moved while accepting)
    accepting = build(config, accept_moves=True)
    assert moves(accepting) == [moved_warning("content/story.md", NEW,
                                              "/news/2024-05-01-google-s-unveils-new-model/")]
    assert len(moves(run(site, out))) == 1


def test_accepting_prints_each_move_accepted_and_the_report_lists_them(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One line per move the build forgot (not one it finds itself, nor one an alias
    settles meanwhile), "nothing to accept" when there is none, and ``acceptedMoves`` in
    the JSON report (an empty list without them)."""
    out, report_file = site.parent / "out", site.parent / "report.json"

    def accept(*more: str) -> tuple[list[str], list[dict[str, str]]]:
        capsys.readouterr()
        assert main(["build", "--source", str(site), "--output", str(out), "--report",
                     str(report_file), *more]) == 0
        lines = capsys.readouterr().out.splitlines()
        return ([line for line in lines if "accept" in line],
                json.loads(report_file.read_text())["acceptedMoves"])

    run(site, out)
    edit(site, "content/story.md", "Googel", "Google")
    assert accept() == ([], [])  # (warned of, not accepted)
    edit(site, "content/2021-03-04-story-4.md", "Story number 4", "Story number four")
    assert accept("--accept-moves") == (
        [f"accepted: content/story.md: its page moved from {OLD} to {NEW}; no redirect is made"],
        [{"file": "content/story.md", "from": OLD, "to": NEW}])
    nothing = "nothing to accept: no page is warned of as moved since an earlier build"
    assert accept("--accept-moves") == ([nothing], [])  # (an unchanged build)
    assert accept("--accept-moves", "-q") == ([], [])
    edit(site, "content/story.md", "Google", "Google's")  # (a move found while accepting)
    assert accept("--accept-moves") == ([nothing], [])
    edit(site, "content/story.md", "topics:", f"aliases: [{NEW}]\ntopics:")  # (settled)
    assert accept("--accept-moves") == ([nothing], [])


def test_the_story_next_in_line_for_an_address_is_warned_of_when_it_takes_it(
        make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/2024-05-01-foo.md": undated("Foo one"),
                      "content/foo.md": undated("Foo").replace("/g", "/foo")})
    out = site.parent / "out"
    run(site, out)
    suffixed = f"/news/2024-05-01-foo-{short_hash('content/foo.md')}/"
    assert (out / suffixed.strip("/") / "index.html").is_file()
    (site / "content/2024-05-01-foo.md").unlink()
    report = run(site, out)
    assert moves(report) == [moved_warning("content/foo.md", suffixed,
                                           "/news/2024-05-01-foo/")]
    assert tree(out) == clean_build(site, tmp_path)
    (site / "content/2024-05-01-foo.md").write_text(undated("Foo one"))  # (takes the
    # address back: the one it moves from is the new story's page, so no warning of it)
    back = run(site, out)
    assert moves(back) == [] and tree(out) == clean_build(site, tmp_path)


def test_the_preview_server_prints_a_move_once_and_says_when_it_is_fixed(site: Path) -> None:
    events: list[object] = []
    session = PreviewSession(ServeOptions(site), ServerAddress("127.0.0.1", 1), events.append)
    session.build()
    edit(site, "content/story.md", "Googel", "Google")
    session._rebuild()
    edit(site, "content/story.md", "Body.", "Body, longer.")  # (a patch: same address)
    session._rebuild()
    edit(site, "content/story.md", "topics:", f"aliases: [{OLD}]\ntopics:")
    session._rebuild()
    session.save()
    moved, patched, fixed = (e for e in events if isinstance(e, Rebuilt))
    assert [d.format() for d in moved.new_warnings] == [
        moved_warning("content/story.md", OLD, NEW)]
    assert patched.new_warnings == () and patched.fixed == ()
    assert patched.build.report is not None and len(moves(patched.build.report)) == 1
    assert fixed.new_warnings == () and fixed.fixed == moved.new_warnings
    out, err = io.StringIO(), io.StringIO()
    print_serve_event(replace(moved, changed=("content/story.md",)), out=out, err=err)
    assert f"its page moved from {OLD} to {NEW}" in out.getvalue() + err.getvalue()


def test_the_preview_server_s_builds_equal_clean_ones(site: Path, tmp_path: Path) -> None:
    config, _ = load_config(site, output=site.parent / "out")
    memory = BuildMemory()
    build(config, memory=memory)
    edit(site, "content/story.md", "Googel", "Google")
    assert moves(build(config, memory=memory)) == [moved_warning("content/story.md", OLD, NEW)]
    assert tree(site.parent / "out") == clean_build(site, tmp_path)


def summary(source: str, url: str) -> StorySummary:
    return StorySummary(source, "d", "T", 0.0, "slug", url=url,
                        url_keys=(url.removeprefix("https://www."),) if url else ())


def test_renames_pair_files_gone_and_come_by_web_url() -> None:
    gone = {"a.md": summary("a.md", "https://www.x.org/1"), "b.md": summary("b.md", ""),
            "c.md": summary("c.md", "https://www.x.org/3")}
    came = [summary("z.md", "https://www.x.org/1"), summary("y.md", ""),
            summary("x.md", "https://www.x.org/1")]
    assert find_renames(gone, came) == {"a.md": "x.md"}


def test_a_move_is_kept_until_a_page_is_at_the_old_address() -> None:
    slugs = {"a.md": "new-a", "b.md": "b"}
    was = {"a.md": "old-a", "b.md": "b"}.get
    found = find_moved_pages(was=was, now=slugs, looked_at=["a.md", "b.md"], renamed={},
                             pending=(), covered={"news/new-a/index.html"})
    assert found == (MovedPage("a.md", "old-a", "new-a"),)
    assert find_moved_pages(was=was, now=slugs, looked_at=["a.md"], renamed={},
                            pending=found, covered={"news/old-a/index.html"}) == ()
    assert find_moved_pages(was=lambda _s: None, now=slugs, looked_at=(), renamed={},
                            pending=found, covered=()) == found
    assert find_moved_pages(was=lambda _s: None, now={}, looked_at=(), renamed={},
                            pending=found, covered=()) == ()  # (the story is gone)
