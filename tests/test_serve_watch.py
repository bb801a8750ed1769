"""Watching a site's sources: inputs are seen, editor litter and build output are not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from generator.serve_watch import SourceWatcher, is_editor_litter


def _changes_after(site: Path, edit: object, *, poll: bool, seconds: float) -> set[str]:
    seen: set[str] = set()

    async def run() -> str:
        watcher = SourceWatcher(site, lambda paths: seen.update(paths), poll=poll)
        watcher.start()
        try:
            await asyncio.sleep(0.05)
            edit()  # type: ignore[operator]
            await asyncio.sleep(seconds)
        finally:
            watcher.close()
        return watcher.kind

    kind = asyncio.run(run())
    assert kind == ("polling" if poll else "inotify")
    return seen


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "content" / "2024").mkdir(parents=True)
    (site / "content" / "2024" / "a.md").write_text("---\ntitle: A\n---\n")
    (site / "templates").mkdir()
    return site


def _edit(site: Path) -> None:
    (site / "content" / "2024" / "a.md").write_text("---\ntitle: A2\n---\n")
    (site / "content" / "new").mkdir()
    (site / "content" / "new" / "b.md").write_text("---\ntitle: B\n---\n")
    (site / "templates" / "home.html").write_text("x")
    (site / "digest.yaml").write_text("title: T\n")
    (site / "content" / ".a.md.swp").write_text("x")
    (site / "content" / "a.md~").write_text("x")
    (site / "README.md").write_text("not an input")
    (site / ".digest-cache" / "preview").mkdir(parents=True)
    (site / ".digest-cache" / "preview" / "index.html").write_text("output")
    (site / "build").mkdir()
    (site / "build" / "index.html").write_text("output")


def test_inotify_sees_inputs_only(tmp_path: Path) -> None:
    site = _site(tmp_path)
    seen = _changes_after(site, lambda: _edit(site), poll=False, seconds=0.3)
    assert {"content/2024/a.md", "templates/home.html", "digest.yaml"} <= seen
    # A new folder is itself a change (the rebuild scans it whole); files written into it
    # before its watch was added may not be reported one by one.
    assert "content/new" in seen or "content/new/b.md" in seen
    assert not {p for p in seen if p.startswith((".digest-cache", "build", "README"))}
    assert not {p for p in seen if p.endswith(("~", ".swp"))}


def test_a_folder_created_later_is_watched_too(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    seen: list[str] = []

    async def run() -> None:
        watcher = SourceWatcher(site, seen.extend)
        watcher.start()
        try:
            (site / "static").mkdir()
            await asyncio.sleep(0.2)  # the loop sees the folder and watches it
            (site / "static" / "logo.svg").write_text("<svg/>")
            await asyncio.sleep(0.2)
        finally:
            watcher.close()

    asyncio.run(run())
    assert "static" in seen and "static/logo.svg" in seen


@pytest.mark.parametrize("poll", [True])
def test_polling_fallback_sees_a_change(tmp_path: Path, poll: bool) -> None:
    site = _site(tmp_path)

    def edit() -> None:
        path = site / "content" / "2024" / "a.md"
        path.write_text("---\ntitle: changed\n---\n")

    assert _changes_after(site, edit, poll=poll, seconds=2.5)


def test_editor_litter() -> None:
    assert is_editor_litter(".story.md.swp") and is_editor_litter("story.md~")
    assert is_editor_litter("4913") and is_editor_litter("#story.md#")
    assert not is_editor_litter("2024-01-01-story.md")


@pytest.mark.parametrize("folder", ["root", "static"])
@pytest.mark.parametrize("poll", [False, True])
def test_copied_files_are_inputs_dot_files_too_but_not_litter(tmp_path: Path, poll: bool,
                                                              folder: str) -> None:
    """root/'s and static/'s files are published as they are, dot-files and dot-folders
    too (``.well-known/``): a change of one is seen; litter the build does not copy is not
    (static/'s dot-files were not watched, though the build copies them)."""
    site = _site(tmp_path)
    (site / folder / ".well-known").mkdir(parents=True)
    (site / folder / ".git").mkdir()

    def edit() -> None:
        (site / folder / ".well-known" / "security.txt").write_text("Contact: x")
        (site / folder / ".nojekyll").write_text("")
        (site / folder / ".DS_Store").write_text("x")
        (site / folder / ".git" / "index").write_text("x")
        (site / folder / "ads.txt~").write_text("x")

    seen = _changes_after(site, edit, poll=poll, seconds=2.5 if poll else 0.3)
    if poll:  # (the poller names one changed path per walk)
        assert seen and all(p.startswith(f"{folder}/") for p in seen)
        assert not {p for p in seen if p.endswith(("~", ".DS_Store")) or ".git" in p}
    else:
        assert {f"{folder}/.well-known/security.txt", f"{folder}/.nojekyll"} <= seen
        assert not {p for p in seen if p.endswith(("~", ".DS_Store")) or ".git" in p}, seen


@pytest.mark.parametrize("poll", [False, True])
def test_content_the_build_sets_aside_is_not_watched_but_drafts_are(tmp_path: Path,
                                                                   poll: bool) -> None:
    """The build reads ``content/_drafts/`` (with ``--drafts``) and ``_posts/`` but not
    ``_includes/``, ``_x.md``, ``node_modules/`` (``scan.is_content_folder``) nor a file
    of no content name (``scan.is_content_name``: ``sed -i`` writes one, then renames it
    over the story): the watcher agrees, so a change there rebuilds nothing."""
    site = _site(tmp_path)
    for name in ("_includes", "node_modules", "_drafts"):
        (site / "content" / name).mkdir()

    def edit() -> None:
        (site / "content" / "_includes" / "x.md").write_text("x")
        (site / "content" / "node_modules" / "x.md").write_text("x")
        (site / "content" / "_index.md").write_text("x")
        (site / "content" / "_other").mkdir()
        (site / "content" / "_drafts" / "d.md").write_text("x")
        (site / "content" / "2024" / "sedAb12Cd").write_text("x")
        (site / "content" / "notes.json").write_text("x")

    seen = _changes_after(site, edit, poll=poll, seconds=2.5 if poll else 0.3)
    assert seen == {"content/_drafts/d.md"}, seen


@pytest.mark.parametrize("poll", [False, True])
def test_a_change_of_the_sites_translations_is_seen(tmp_path: Path, poll: bool) -> None:
    """i18n/<language>.yaml changes the theme's strings: the preview builds again (it was
    not watched)."""
    site = _site(tmp_path)
    (site / "i18n").mkdir()
    (site / "i18n" / "fr.yaml").write_text("latest: À la une\n")

    def edit() -> None:
        (site / "i18n" / "fr.yaml").write_text("latest: Dernières\n")

    seen = _changes_after(site, edit, poll=poll, seconds=2.5 if poll else 0.3)
    assert "i18n/fr.yaml" in seen
