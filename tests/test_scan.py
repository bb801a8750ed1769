"""Stage 1, before reading: the content files' stamps, taken here or by a forked child."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import scan
from generator.build import build
from generator.cli import main
from generator.config import load_config
from generator.read import source_name
from generator.scan import find_content_paths, stamp_content, start_scan
from tests.conftest import MakeSite

STORY = "---\ntitle: {title}\npublishedDateTime: 2024-01-0{day}T03:04:05Z\n---\nBody.\n"


def _site(make_site: MakeSite) -> Path:
    return make_site({
        "content/b.md": STORY.format(title="B", day=2),
        "content/a.txt": "A plain-text body.\n",
        "content/sub/c.markdown": STORY.format(title="C", day=3),
        "content/.hidden.md": STORY.format(title="Hidden", day=4),
        "content/.drafts/d.md": STORY.format(title="D", day=5),
        "content/notes.json": "{}",
    })


def test_stamps_are_the_content_files_in_path_order_with_size_and_mtime(
        make_site: MakeSite) -> None:
    site = _site(make_site).resolve()
    stamps = stamp_content(site)
    assert [source for source, _, _ in stamps] == [
        source_name(path, site) for path in find_content_paths(site / "content")] == [
        "content/a.txt", "content/b.md", "content/sub/c.markdown"]
    for source, size, mtime_ns in stamps:
        stat = os.stat(site / source)
        assert (size, mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def test_a_file_gone_before_its_stat_is_left_out(make_site: MakeSite,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(make_site)
    listed = find_content_paths(site / "content")

    def listed_then_one_gone(folder: Path | str) -> list[str]:
        (site / "content" / "b.md").unlink()
        return listed

    monkeypatch.setattr(scan, "find_content_paths", listed_then_one_gone)
    assert [source for source, _, _ in stamp_content(site)] == [
        "content/a.txt", "content/sub/c.markdown"]


def test_the_early_scan_gives_what_a_scan_here_gives(make_site: MakeSite) -> None:
    site = _site(make_site)
    (site / ".digest-cache").mkdir()  # (stamps to compare with: files are stat-ed)
    early = start_scan(site)
    assert early is not None  # (CI machines have fork and two cores)
    assert early.source == str(site.resolve())
    assert early.result() == stamp_content(site.resolve())
    with pytest.raises(RuntimeError, match="taken already"):
        early.result()
    early.cancel()  # (after the result: nothing to do)


def test_without_a_cache_folder_the_files_are_only_listed(make_site: MakeSite,
                                                          tmp_path: Path) -> None:
    site = _site(make_site)
    early = start_scan(site)
    assert early is not None
    assert early.result() == stamp_content(site.resolve(), stat=False) == [
        ("content/a.txt", -1, -1), ("content/b.md", -1, -1),
        ("content/sub/c.markdown", -1, -1)]
    config, _ = load_config(site, output=tmp_path / "out")
    assert build(config, scan=start_scan(site)).stories == 3  # a first build: all read
    early = start_scan(site)  # (the cache folder is there now)
    assert early is not None
    assert early.result() == stamp_content(site.resolve())
    assert build(config, scan=start_scan(site)).write.written == 0


def test_a_failing_child_leaves_the_scan_to_this_process(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(make_site)
    here = os.getpid()
    real = scan.stamp_content

    def fails_in_the_child(folder: Path | str, *, stat: bool = True) -> list[scan.Stamp]:
        if os.getpid() != here:
            raise OSError("the child cannot list the folder")
        return real(folder, stat=stat)

    monkeypatch.setattr(scan, "stamp_content", fails_in_the_child)
    early = start_scan(site)
    assert early is not None
    assert early.result() == real(site.resolve(), stat=False)


def test_an_early_scan_never_taken_is_cancelled_without_waiting(make_site: MakeSite) -> None:
    site = make_site({f"content/{n:05d}-{'x' * 200}.md": "x"
                      for n in range(6_000)})  # (stamps beyond the 1 MiB a pipe holds)
    early = start_scan(site)
    assert early is not None
    early.cancel()  # the child, blocked writing, ends on a broken pipe; it is reaped
    early.cancel()


def test_a_build_takes_the_early_scan_of_its_own_site_only(
        make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.content_changes as content_changes

    site = _site(make_site)
    config, _ = load_config(site, output=tmp_path / "out")
    taken_here: list[str] = []
    real = content_changes.stamp_content

    def counted(folder: Path | str, *, stat: bool = True) -> list[scan.Stamp]:
        taken_here.append(str(folder))
        return real(folder, stat=stat)

    monkeypatch.setattr(content_changes, "stamp_content", counted)
    early = start_scan(site)
    report = build(config, scan=early)
    assert report.stories == 3 and not taken_here  # the child's stamps
    other = tmp_path / "other"
    (other / "content").mkdir(parents=True)
    (other / "content" / "x.md").write_text(STORY.format(title="X", day=1))
    wrong = start_scan(other)
    assert build(config, scan=wrong).stories == 3
    assert taken_here == [str(config.source)]  # another site's stamps: scanned here


def test_the_cli_build_lists_the_files_in_its_child(
        make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.content_changes as content_changes

    site = _site(make_site)

    def never_here(folder: Path | str, *, stat: bool = True) -> list[scan.Stamp]:
        raise AssertionError("the build listed the files itself")

    monkeypatch.setattr(content_changes, "stamp_content", never_here)
    assert main(["build", "--source", str(site), "--output", str(tmp_path / "out"),
                 "--quiet"]) == 0
    assert (tmp_path / "out" / "index.html").is_file()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "sub/", ".hid/", "sub/deep/", "_drafts/",
                                           "sub/_posts/", "_includes/", "node_modules/"]),
                          st.text("abz._-", min_size=1, max_size=8),
                          st.sampled_from([".md", ".markdown", ".txt", ".json", ""])),
                max_size=12))
def test_stamps_list_what_a_walk_of_the_folder_finds(
        tmp_path_factory: pytest.TempPathFactory,
        names: list[tuple[str, str, str]]) -> None:
    site = tmp_path_factory.mktemp("site")
    folder = site / "content"
    folder.mkdir()
    for sub, stem, suffix in names:
        path = folder / f"{sub}{stem}{suffix}"
        if path.parent.is_file() or path.is_dir() or stem in (".", ".."):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(stem)
    expected = sorted(
        os.path.join(root, name)
        for root, _dirs, files in os.walk(folder)
        if not any(part.startswith(".") or part == "node_modules"
                   or part.startswith("_") and part not in ("_drafts", "_posts")
                   for part in Path(root).relative_to(folder).parts)
        for name in files
        if name.endswith((".md", ".markdown", ".txt")) and not name.startswith((".", "_"))
    )
    assert [source for source, _, _ in stamp_content(site)] == [
        source_name(path, site) for path in expected]


@pytest.mark.parametrize(("rel", "content", "draft"), [
    ("content/a.md", True, False), ("content/_drafts/a.md", True, True),
    ("content/sub/_drafts/a.txt", True, True), ("content/_posts/a.md", True, False),
    ("content/_a.md", False, False), ("content/_includes/a.md", False, False),
    ("content/node_modules/x/a.md", False, False), ("content/.git/a.md", False, False),
    ("content/_drafts/_a.md", False, True), ("content/a.json", False, False),
])
def test_content_paths_and_draft_paths(rel: str, content: bool, draft: bool) -> None:
    """Jekyll's folders: ``_drafts/`` holds drafts, ``_posts/`` posts; other names
    starting with ``_`` (``_includes/``, Hugo's ``_index.md``) are set aside, as Jekyll
    sets them aside, and so are hidden ones and ``node_modules/``."""
    assert scan.is_content_path(rel) is content
    assert scan.is_draft_path(rel) is draft


def test_the_stamps_skip_what_jekyll_sets_aside_but_not_its_drafts_and_posts(
        make_site: MakeSite) -> None:
    """``content/_drafts/`` was published, and ``content/node_modules/`` (a publisher's
    trial): drafts are listed (the build leaves them out unless asked for drafts)."""
    site = make_site({
        "content/b.md": STORY.format(title="B", day=2),
        "content/_index.md": STORY.format(title="Hugo's section page", day=6),
        "content/_includes/e.md": STORY.format(title="E", day=7),
        "content/node_modules/pkg/README.md": "# A package\n",
        "content/_drafts/f.md": STORY.format(title="F", day=8),
        "content/_posts/2024-01-09-g.md": STORY.format(title="G", day=9),
    }).resolve()
    assert [source for source, _, _ in stamp_content(site)] == [
        "content/_drafts/f.md", "content/_posts/2024-01-09-g.md", "content/b.md"]
