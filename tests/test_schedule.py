"""generator.schedule: a story dated after the build's time is held back until then.

As Hugo (``buildFuture: false``) and Jekyll (``future: false``) do by default: nothing of it
is published, as if it were a draft, until a build at or after its date, warm or cold
alike; ``--future`` (or ``future: true``) publishes it at once, with a warning when its
date is more than a day ahead. Each build at a given time, after builds at other times,
equals a clean build at that time, byte for byte.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import BuildMemory, BuildReport, build
from generator.cli import main
from generator.config import build_time, load_config
from generator.schedule import FUTURE_MARGIN, future_warnings
from tests.conftest import MakeSite
from tests.htmlread import listed_titles, parse_html

DUE = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
"""The date of the first story held back."""
LATER = datetime(2030, 1, 3, 12, tzinfo=UTC).timestamp()
"""The date of the second."""
DAY = 86_400.0


def story(title: str, when: str, *, topics: str = "[AI]", url: str = "",
          extra: str = "") -> str:
    lines = ["---", f'title: "{title}"', f"publishedDateTime: {when}", f"topics: {topics}",
             f'excerpt: "What happened: {title}."']
    if url:
        lines.append(f"webUrl: {url}")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n---\nThe body.\n"


SITE: dict[str, str | bytes] = {
    "content/2021-03-01-past.md": story(
        "Past news", "2021-03-01T10:00:00Z", url="https://news.example/shared",
        extra="related:\n  - title: Future news\n    webUrl: https://news.example/future\n"),
    "content/2021-03-02-robots.md": story("Robot news", "2021-03-02T10:00:00Z",
                                          topics="[Robots]"),
}
HELD: dict[str, str | bytes] = {
    # a topic of its own, a webUrl another story has, an alias, a related[] link
    "content/future.md": story(
        "Future news", "2030-01-01T00:00:00Z", topics="[AI, Space]",
        url="https://news.example/shared",
        extra="aliases: [/old-future/]\nrelated:\n  - title: Past news\n"
              "    webUrl: https://news.example/shared\n"),
    "content/later.md": story("Later news", "2030-01-03T12:00:00Z"),
}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(site: Path, output: Path, now: float, *, memory: BuildMemory | None = None,
        touched: tuple[str, ...] | None = None) -> BuildReport:
    config, problems = load_config(site, output=output)
    assert not problems
    return build(config, now=now, memory=memory, touched=touched)


def clean_build(site: Path, tmp_path: Path, now: float) -> tuple[dict[str, bytes], list[str]]:
    """The output of a cold build of a copy of ``site`` at ``now``, and its diagnostics."""
    fresh = tmp_path / "fresh-site"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".digest-cache"))
    report = run(fresh, tmp_path / "fresh-out", now)
    result = tree(tmp_path / "fresh-out")
    shutil.rmtree(tmp_path / "fresh-out")
    return result, [d.format() for d in report.diagnostics]


def test_a_story_dated_after_the_builds_time_is_held_back_as_a_draft_is(
        make_site: MakeSite, tmp_path: Path) -> None:
    """Its page, alias, topic, listings, feeds, API, sitemap, topic counts, sidebars and
    shared webUrl: the site is byte for byte the site without the file; the report says
    how many stories wait, and until when the first does, as no warning."""
    site = make_site({**SITE, **HELD})
    without = tmp_path / "without"
    shutil.copytree(site, without)
    for rel in HELD:
        (without / rel).unlink()
    report = run(site, tmp_path / "out", DUE - 1)
    assert (report.stories, report.held, report.held_until) == (2, 2, DUE)
    assert report.diagnostics == ()  # (not even the shared webUrl's warning)
    assert run(without, tmp_path / "plain", DUE - 1).held == 0
    assert tree(tmp_path / "out") == tree(tmp_path / "plain")
    rss = (tmp_path / "out/rss.xml").read_text()
    assert "<lastBuildDate>Tue, 02 Mar 2021 10:00:00 GMT</lastBuildDate>" in rss


def test_a_story_is_published_by_the_first_build_at_its_date(
        make_site: MakeSite, tmp_path: Path) -> None:
    """At its date to the second (held back only when dated after the build's time)."""
    site = make_site({**SITE, **HELD})
    report = run(site, tmp_path / "out", DUE)
    assert (report.stories, report.held, report.held_until) == (3, 1, LATER)
    assert (tmp_path / "out/news/2030-01-01-future-news/index.html").is_file()
    rss = (tmp_path / "out/rss.xml").read_text()
    assert "Future news" in rss and "Later news" not in rss
    assert "<lastBuildDate>Tue, 01 Jan 2030 00:00:00 GMT</lastBuildDate>" in rss
    assert (tmp_path / "out/topics/space/index.html").is_file()
    assert (tmp_path / "out/old-future/index.html").is_file()
    [shared] = report.diagnostics  # (published: its webUrl is the past story's)
    assert shared.file == "content/future.md" and shared.field == "webUrl"


NOWS = [DUE - 10 * DAY, DUE - 10 * DAY, DUE - 1, DUE, DUE + 3600, LATER - 1, LATER + 1,
        DUE - 1, DUE - 30 * DAY, LATER + DAY, LATER + DAY]
"""Build times straddling the two stories' dates: on, back (a clock set back, an older
SOURCE_DATE_EPOCH), on again, and twice at one time."""


@pytest.mark.parametrize("how", ["cli", "preview", "workers"])
def test_each_build_at_a_time_equals_a_clean_build_at_that_time(
        make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        how: str) -> None:
    """A warm build publishes the stories whose date has come since the last build, and
    holds back again those whose date is after its own: as a clean build at its time.
    ``preview``: the server's builds, with their memory and its watcher's paths (none
    changed: only the held-back stories' dates came); ``workers``: files read by the
    parse workers."""
    if how == "workers":
        monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site = make_site({**SITE, **HELD})
    memory = BuildMemory() if how == "preview" else None
    out = tmp_path / "out"
    published = []
    for number, now in enumerate(NOWS):
        touched = () if memory is not None and number else None
        report = run(site, out, now, memory=memory, touched=touched)
        expected, said = clean_build(site, tmp_path, now)
        assert tree(out) == expected, now
        assert [d.format() for d in report.diagnostics] == said, now
        published.append((report.stories, report.held))
    assert published == [(2, 2), (2, 2), (2, 2), (3, 1), (3, 1), (3, 1), (4, 0), (2, 2),
                         (2, 2), (4, 0), (4, 0)]


def test_a_warm_build_before_the_first_date_reads_and_writes_nothing(
        make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({**SITE, **HELD})
    out = tmp_path / "out"
    run(site, out, DUE - DAY)
    read: list[str] = []
    parse = build_module.parse_file
    monkeypatch.setattr(build_module, "parse_file",
                        lambda *args, **kwargs: read.append(str(args[0]))
                        or parse(*args, **kwargs))
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    report = run(site, out, DUE - 1)
    assert (report.rendered, report.write.written, report.held, report.held_until) == \
        (0, 0, 2, DUE)
    assert read == [] and {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    run(site, out, DUE)  # (its date came: that one file is read again, no other)
    assert read == [str(site / "content/future.md")]


def test_held_back_stories_edited_or_deleted_while_they_wait(
        make_site: MakeSite, tmp_path: Path) -> None:
    """An edit moving a held-back story's date (earlier, later), and a deletion, are
    edits as others are; the next builds still equal clean builds."""
    site = make_site({**SITE, **HELD})
    out = tmp_path / "out"
    run(site, out, DUE - DAY)
    later = site / "content/later.md"
    for text, now in ((story("Later news", "2029-12-30T00:00:00Z"), DUE - DAY),
                      (story("Later news", "2031-01-01T00:00:00Z"), DUE - DAY),
                      (None, LATER + DAY), (story("Later news", "2030-01-05T00:00:00Z"),
                                            LATER + DAY)):
        if text is None:
            later.unlink()
        else:
            later.write_text(text, encoding="utf-8")
        report = run(site, out, now)
        expected, said = clean_build(site, tmp_path, now)
        assert tree(out) == expected and [d.format() for d in report.diagnostics] == said
    assert (report.stories, report.held) == (3, 1)


def test_future_publishes_them_at_once_with_a_warning_for_a_date_over_a_day_ahead(
        make_site: MakeSite, tmp_path: Path) -> None:
    """The warning, kept for a story published ahead of its date: more than a day
    ahead, its date is most likely wrong (a year mistyped), and it heads every listing and
    dates the feeds and the sitemap. Every build says it again, an unchanged one too."""
    site = make_site({**SITE, **HELD, "digest.yaml": "future: true\n"})
    for _build in range(2):
        report = run(site, tmp_path / "out", DUE - 1)  # (future.md: within a day)
        assert (report.stories, report.held, report.held_until) == (4, 0, None)
        warned = [d for d in report.diagnostics if d.field == "publishedDateTime"]
        assert [(d.severity.value, d.file) for d in warned] == [("warning", "content/later.md")]
        assert warned[0].message.startswith("2030-01-03 12:00 UTC is in the future")
        assert "without --future" in (warned[0].hint or "")
    assert report.rendered == 0  # (the second build: nothing changed)
    assert listed_titles(parse_html(tmp_path / "out/index.html"))[0] == "Later news"
    assert future_warnings([("b.md", DUE)], DUE - FUTURE_MARGIN - 1)
    assert not future_warnings([("b.md", DUE)], DUE - FUTURE_MARGIN)  # (within a day)


def test_a_plain_text_body_file_dated_ahead_is_not_held_back(
        make_site: MakeSite, tmp_path: Path) -> None:
    """Whether it stands alone (and is dated at all) is known once the site is modeled:
    it is published, with the warning of a date over a day ahead."""
    site = make_site({**SITE, "content/2030-06-01-notes.txt": "Notes from the future\n\nText.\n"})
    report = run(site, tmp_path / "out", DUE)
    assert (report.stories, report.held) == (3, 0)
    assert [d.file for d in report.diagnostics if d.field == "publishedDateTime"] == \
        ["content/2030-06-01-notes.txt"]
    assert run(site, tmp_path / "out", DUE).rendered == 0  # (and a build after it: no
    # file read again, since no front-matter story is dated ahead)


def test_the_config_key_future_takes_true_or_false(make_site: MakeSite) -> None:
    site = make_site({**SITE, "digest.yaml": "future: true\n"})
    assert load_config(site)[0].future is True
    (site / "digest.yaml").write_text("future: yes please\n")
    config, problems = load_config(site)
    assert config.future is False
    assert [p.format() for p in problems] == \
        ["digest.yaml:1: error: future: expected true or false, got 'yes please'"]


def test_the_builds_time_is_source_date_epoch_when_set(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(SITE)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_time(load_config(site)[0], lambda: 123.5) == 123.5
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    assert build_time(load_config(site)[0], lambda: 123.5) == 1_600_000_000.0


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_holds_back_says_so_and_future_or_source_date_epoch_publish(
        make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Holding back is no problem: an info line on stdout, not a warning (--strict
    passes), and the JSON report counts them."""
    site = make_site({**SITE, "content/later.md": HELD["content/later.md"],
                      "content/2099-01-01-typo.md": story("Typo", "2099-01-01T00:00:00Z")})
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    args = ["build", "--source", str(site), "--output", str(tmp_path / "out"),
            "--base-url", "https://example.org/", "--strict"]
    code, out, err = cli([*args, "--report", str(tmp_path / "report.json")], capsys)
    assert code == 0 and err == ""
    assert out.splitlines()[0] == (
        "held back 2 stories dated after the build's time, the first until 2030-01-03 "
        "12:00 UTC (--future, or future: true in digest.yaml, publishes them now)")
    assert "built 2 stories" in out and "0 warnings" in out
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["ok"], report["counts"]["heldBack"], report["heldUntil"]) == \
        (True, 2, "2030-01-03T12:00:00Z")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(LATER)))  # (a commit after its date)
    code, out, _err = cli(args, capsys)
    assert code == 0 and "held back 1 story" in out and "built 3 stories" in out
    assert "Later news" in (tmp_path / "out/index.html").read_text()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    code, out, err = cli([*args, "--future"], capsys)  # (the typo: a warning, --strict)
    assert code == 1 and "held back" not in out and "built 4 stories" in out
    assert "content/2099-01-01-typo.md: warning: publishedDateTime: " in err
    code, out, err = cli([*args[:-1], "--quiet"], capsys)  # (held back: quiet says nothing)
    assert code == 0 and out == "" and err == ""


def test_clusters_leaves_held_back_stories_out_unless_future(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    site = make_site({**SITE, **HELD})
    code, out, _err = cli(["clusters", "--source", str(site), "--all"], capsys)
    assert code == 0 and "Past news" in out and "Future news" not in out
    code, out, _err = cli(["clusters", "--source", str(site), "--all", "--future"], capsys)
    assert code == 0 and "Future news" in out and "Later news" in out


def test_the_preview_builds_again_when_a_held_back_story_is_due(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server plans a build at the first held-back story's date (by the clock), which
    publishes it without any save; with SOURCE_DATE_EPOCH (a fixed time) it plans none."""
    from generator.serve import PreviewSession, Rebuilt, ServeEvent, ServeOptions
    from generator.serve_http import ServerAddress

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    due = time.time() + 4  # (the first build, on a busy machine, comes before it)
    when = datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    site = make_site({**SITE, "content/soon.md": story("Soon news", when)})
    events: list[ServeEvent] = []

    async def serve_until_rebuilt() -> PreviewSession:
        session = PreviewSession(ServeOptions(source=site), ServerAddress("127.0.0.1", 8),
                                 events.append)
        first = session.build()
        assert first.report is not None and first.report.held == 1
        assert first.release_at == pytest.approx(due, abs=1e-3)
        for _tick in range(300):
            if events:
                break
            await asyncio.sleep(0.1)
        session.cancel_pending()
        return session

    session = asyncio.run(serve_until_rebuilt())
    [rebuilt] = events
    assert isinstance(rebuilt, Rebuilt) and rebuilt.changed == ()
    assert rebuilt.build.report is not None and rebuilt.build.report.held == 0
    assert rebuilt.build.release_at is None
    assert "Soon news" in (session.output / "index.html").read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(due) + 2))  # (after it: not held again)
    (site / "content/soon2.md").write_text(story("Later news", "2099-01-01T00:00:00Z"))
    again = session.build()
    assert again.report is not None and again.report.held == 1 and again.release_at is None
