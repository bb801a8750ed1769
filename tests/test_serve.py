"""The preview server as a whole: debounced rebuilds, reloads, terminal lines, exposure warning."""

from __future__ import annotations

import asyncio
import gc
import io
from pathlib import Path

import pytest

import generator.serve as serve_module
from generator.cli import print_serve_event
from generator.serve import Listening, PreviewSession, Rebuilt, ServeOptions, Stopped
from generator.serve_build import build_preview
from generator.serve_http import ServerAddress
from tests.conftest import ROOT
from tests.support.serve import raw_request, running_server


def test_a_burst_of_saves_gives_one_rebuild(sample_site: Path) -> None:
    content = sample_site / "content"
    with running_server(sample_site) as server:
        start = len(server.lines)
        for i in range(20):
            (content / f"burst-{i:02}.md").write_text(
                f"---\ntitle: Burst story {i}\npublishedDateTime: 2024-01-01T00:00:{i:02}Z\n"
                f"topics: [Burst]\n---\nBody {i}.\n", encoding="utf-8")
        line = server.wait_for_line("rebuilt after", after=start)
        server.drain(1.5)
        rebuilds = [x for x in server.lines[start:] if x.startswith("rebuilt after")]
        assert rebuilds == [line]
        assert "content/burst-00.md and 19 more" in line
        assert "files rendered" in line and "written" in line and " s;" in line


def test_template_and_static_changes_rebuild(sample_site: Path) -> None:
    (sample_site / "templates").mkdir()
    with running_server(sample_site) as server:
        start = len(server.lines)
        (sample_site / "templates" / "404.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>Lost</h1>{% endblock %}')
        line = server.wait_for_line("rebuilt after templates/404.html", after=start)
        assert "0 written" not in line
        start = len(server.lines)
        (sample_site / "static").mkdir()
        (sample_site / "static" / "extra.css").write_text("body{}")
        server.wait_for_line("rebuilt after static", after=start)


def test_a_root_file_is_served_and_its_changes_rebuild(sample_site: Path) -> None:
    """A file put into root/ (a new folder) while the server runs is published at the
    preview's root, dot-folders too, and served; a change to it is served in turn."""
    with running_server(sample_site) as server:
        start = len(server.lines)
        (sample_site / "root" / ".well-known").mkdir(parents=True)
        server.wait_for_line("rebuilt after root", after=start)
        start = len(server.lines)
        security = sample_site / "root" / ".well-known" / "security.txt"
        security.write_text("Contact: mailto:a@example.org\n")
        server.wait_for_line("rebuilt after root/.well-known/security.txt", after=start)
        status, _headers, body = raw_request(server.port, "GET", "/.well-known/security.txt")
        assert (status, body) == (200, b"Contact: mailto:a@example.org\n")
        start = len(server.lines)
        security.write_text("Contact: mailto:b@example.org\n")
        server.wait_for_line("rebuilt after root/.well-known/security.txt", after=start)
        status, _headers, body = raw_request(server.port, "GET", "/.well-known/security.txt")
        assert (status, body) == (200, b"Contact: mailto:b@example.org\n")


def test_terminal_lines(sample_site: Path) -> None:
    build = build_preview(sample_site, base_url="http://127.0.0.1:1/", drafts=False)
    out, err = io.StringIO(), io.StringIO()
    print_serve_event(Listening("http://0.0.0.0:8000/", Path("/o"), True, "inotify", build),
                      out=out, err=err)
    print_serve_event(Rebuilt(("content/a.md",), build, 2), out=out, err=err)
    print_serve_event(Stopped(Path("/o")), out=out, err=err)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("first build: ") and lines[1].startswith("serving http://0.0.0.0:8000/")
    assert lines[2].startswith("rebuilt after content/a.md: ")
    assert lines[2].endswith("2 tab(s) reloaded")
    assert lines[3].startswith("stopped")
    assert "reachable from other machines" in err.getvalue()


def test_a_rebuild_names_at_most_so_many_fixed_problems(sample_site: Path) -> None:
    from generator.cli import FIXED_LINES
    from generator.diagnostics import warning

    build = build_preview(sample_site, base_url="http://127.0.0.1:1/", drafts=False)
    fixed = tuple(warning(f"content/{n}.md", "odd", line=2, field="f", hint="Do X.")
                  for n in range(FIXED_LINES + 3))
    out, err = io.StringIO(), io.StringIO()
    print_serve_event(Rebuilt(("content/0.md",), build, 0, (), fixed), out=out, err=err)
    lines = out.getvalue().splitlines()
    assert lines[1] == "  fixed: content/0.md:2: warning: f: odd"  # (no hint: nothing to do)
    assert lines[1:] == [f"  fixed: content/{n}.md:2: warning: f: odd"
                         for n in range(FIXED_LINES)] + ["  fixed: 3 more"]
    assert err.getvalue() == ""


TYPO = ("---\ntitle: Typo field story\nexcerp: Should have been the excerpt\n"
        "publishedDateTime: 2024-05-01T10:00:00Z\ntopics: [AI]\n---\nBody.\n")


def test_a_rebuild_prints_its_new_warnings_once_and_says_when_they_are_fixed(
        sample_site: Path) -> None:
    """As Hugo's server prints WARN lines: a warning an edit brings is printed with that
    rebuild (not first in CI's ``build --strict``), not again on every later save."""
    content = sample_site / "content"
    with running_server(sample_site) as server:
        start = len(server.lines)
        (content / "2024-05-01-typo.md").write_text(TYPO, encoding="utf-8")
        line = server.wait_for_line("rebuilt after content/2024-05-01-typo.md", after=start)
        assert line.endswith("1 warning(s) shown in the browser; 0 tab(s) reloaded\n")
        warned = server.wait_for_line("content/2024-05-01-typo.md:3: warning: excerp:",
                                      after=start)
        assert "Did you mean 'excerpt'?" in warned
        start = len(server.lines)
        (content / "2024-05-02-other.md").write_text(
            TYPO.replace("excerp:", "excerpt:").replace("Typo field", "Other"), encoding="utf-8")
        server.wait_for_line("rebuilt after content/2024-05-02-other.md", after=start)
        server.drain(0.5)
        assert not any("warning" in x and "excerp" in x for x in server.lines[start:])
        start = len(server.lines)
        (content / "2024-05-01-typo.md").write_text(TYPO.replace("excerp:", "excerpt:"),
                                                    encoding="utf-8")
        line = server.wait_for_line("rebuilt after content/2024-05-01-typo.md", after=start)
        assert "warning(s)" not in line
        fixed = server.wait_for_line("fixed: content/2024-05-01-typo.md:3: warning: excerp:",
                                     after=start)
        assert "Hint" not in fixed


def test_new_and_fixed_problems_ignore_moved_lines(sample_site: Path) -> None:
    """A line added above a warning moves it: it is neither new nor fixed."""
    typo = sample_site / "content" / "2024-05-01-typo.md"
    typo.write_text(TYPO, encoding="utf-8")
    events: list[object] = []
    session = PreviewSession(ServeOptions(sample_site), ServerAddress("127.0.0.1", 1),
                             events.append)
    session.build()
    typo.write_text(TYPO.replace("excerp:", "summary: x\nexcerp:"), encoding="utf-8")
    session._rebuild()
    typo.write_text(TYPO.replace("excerp:", "excerpt:").replace("topics:", "quallity: 3\ntopics:"),
                    encoding="utf-8")
    session._rebuild()
    (sample_site / "digest.yaml").write_text("page_size: many\n")  # builds nothing
    session._rebuild()
    (sample_site / "digest.yaml").unlink()
    session._rebuild()
    moved, changed, failed, back = (e for e in events if isinstance(e, Rebuilt))
    assert (moved.new_warnings, moved.fixed) == ((), ())
    assert [p.field for p in changed.new_warnings] == ["quallity"]
    assert [(p.field, p.line) for p in changed.fixed] == [("excerp", 4)]
    assert failed.new_warnings == () and [p.field for p in failed.fixed] == []
    assert back.new_warnings == () and [p.field for p in back.fixed] == ["page_size"]
    session.save()


def test_a_template_change_on_a_larger_site_renders_in_forked_helpers(sample_site: Path) -> None:
    """Past ``build.FORK_FROM_SERVING`` pages to render the server forks helpers (from a process
    running its HTTP and watcher threads): every page still gets the new template."""
    content = sample_site / "content"
    for i in range(520):
        (content / f"2024-01-{1 + i % 28:02}-filler-{i:03}.md").write_text(
            f"---\ntitle: Filler story number {i}\npublishedDateTime: "
            f"2024-01-{1 + i % 28:02}T{i % 24:02}:00:00Z\ntopics: [Filler, Topic {i % 7}]\n"
            f"---\nBody of filler {i}.\n", encoding="utf-8")
    (sample_site / "templates").mkdir()
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    with running_server(sample_site) as server:
        start = len(server.lines)
        (sample_site / "templates" / "base.html").write_text(
            base.replace("<body", "<!-- forked -->\n<body"), encoding="utf-8")
        line = server.wait_for_line("rebuilt after templates/base.html", after=start)
        rendered = int(line.split(" files rendered")[0].rsplit(" ", 1)[-1].replace(",", ""))
        assert rendered >= 500  # (build.FORK_FROM_SERVING: HTML pages, a unit of work each)
        preview = sample_site / ".digest-cache" / "preview"
        pages = [p for p in preview.rglob("*.html")  # (the redirects use redirect.html alone)
                 if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")]
        assert len(pages) >= 200
        assert all("<!-- forked -->" in p.read_text(encoding="utf-8") for p in pages)


def test_a_server_saving_every_second_does_not_keep_the_garbage_of_its_builds(
        sample_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build pauses the collector and freezes what it made, so the cycles of each
    rebuild were never collected: 320 more objects a rebuild, 275 KB, for as long as the
    server ran. They are collected once no build has come for a moment."""
    monkeypatch.setattr(serve_module, "COLLECT_AFTER_SECONDS", 0.01)
    story = next(path for path in sorted((sample_site / "content").iterdir())
                 if path.read_text(encoding="utf-8").startswith("---"))
    text = story.read_text(encoding="utf-8")

    async def edit_and_rebuild() -> list[int]:
        session = PreviewSession(ServeOptions(sample_site), ServerAddress("127.0.0.1", 1),
                                 lambda _event: None)
        session.build()
        tracked = []
        for number in range(40):
            story.write_text(f"{text}\nEdit number {number}.\n", encoding="utf-8")
            session.build()
            await asyncio.sleep(0.05)
            tracked.append(len(gc.get_objects()))
        session.save()
        return tracked

    tracked = asyncio.run(edit_and_rebuild())
    assert tracked[-1] - tracked[9] < 2000, tracked


def test_a_second_server_on_a_port_in_use_stops_before_building(sample_site: Path) -> None:
    """It says why and what to do, and leaves the preview the first one shows alone."""
    import os
    import subprocess
    import sys

    with running_server(sample_site) as server:
        preview = serve_module.preview_folder(sample_site) / "index.html"
        before = preview.stat().st_mtime_ns
        done = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--source", str(sample_site),
             "--port", str(server.port)], capture_output=True, text=True, timeout=60, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
        assert done.returncode == 2
        assert f"cannot listen on 127.0.0.1:{server.port}" in done.stderr
        assert "--port 0 picks a free one" in done.stderr
        assert "building" not in done.stdout + done.stderr
        assert preview.stat().st_mtime_ns == before
