"""Which content files a build reads again (generator.content_changes)."""

from __future__ import annotations

import os
from pathlib import Path

from generator.config import load_config
from generator.content_changes import ContentState, reading_also, scan_content, scan_touched
from generator.manifest import CachedFile, Manifest
from generator.parse import FileStamp
from generator.scan import stamp_content


def cached(size: int, mtime_ns: int) -> CachedFile:
    return CachedFile(FileStamp(size, mtime_ns), None, ())


def site_with(tmp_path: Path, *names: str) -> Path:
    for name in names:
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"a story in {name}\n", encoding="utf-8")
    return tmp_path


def as_cached(site: Path, *names: str) -> dict[str, CachedFile]:
    """The cache entries of files unchanged since they were read."""
    found = {}
    for name in names:
        info = os.stat(site / "content" / name)
        found[f"content/{name}"] = cached(info.st_size, info.st_mtime_ns)
    return found


def test_new_changed_and_removed_files_are_told_apart(tmp_path: Path) -> None:
    site = site_with(tmp_path, "a.md", "b.md", "c.md")
    config, _ = load_config(site)
    files = as_cached(site, "a.md", "b.md")
    files["content/b.md"] = cached(files["content/b.md"].stamp.size + 1,
                                   files["content/b.md"].stamp.mtime_ns)  # (size moved)
    files["content/gone.md"] = cached(1, 1)
    state = scan_content(config, Manifest(files=files), stamp_content(config.source))
    assert state.sources == {"content/a.md", "content/b.md", "content/c.md"}
    assert state.changed == [f"{config.source}/content/b.md", f"{config.source}/content/c.md"]
    assert state.removed == ["content/gone.md"]


def test_an_mtime_alone_moving_is_a_change(tmp_path: Path) -> None:
    site = site_with(tmp_path, "a.md")
    config, _ = load_config(site)
    files = as_cached(site, "a.md")
    stamp = files["content/a.md"].stamp
    files["content/a.md"] = cached(stamp.size, stamp.mtime_ns - 1)
    state = scan_content(config, Manifest(files=files), stamp_content(config.source))
    assert state.changed == [f"{config.source}/content/a.md"]


def test_files_read_also_are_added_once_in_order(tmp_path: Path) -> None:
    site = site_with(tmp_path)
    config, _ = load_config(site)
    folder = f"{config.source}/"
    state = ContentState({"content/a.md", "content/b.md"}, [folder + "content/b.md"], [])
    assert reading_also(config, state, []) is state
    more = reading_also(config, state, ["content/b.md", "content/a.md"])
    assert more.changed == [folder + "content/a.md", folder + "content/b.md"]
    assert reading_also(config, more, ["content/a.md"]) is more


def test_a_touched_scan_looks_only_at_the_paths_given(tmp_path: Path) -> None:
    site = site_with(tmp_path, "a.md", "b.md")
    config, _ = load_config(site)
    files = as_cached(site, "a.md", "b.md")
    (site / "content/a.md").write_text("edited\n", encoding="utf-8")
    (site / "content/b.md").unlink()
    site_with(site, "new.md")
    state = scan_touched(config, Manifest(files=files),
                         ["content/a.md", "content/b.md", "content/new.md", "digest.yaml"])
    assert state is not None
    assert state.sources == {"content/a.md", "content/new.md"}
    assert state.changed == [str(site / "content/a.md"), str(site / "content/new.md")]
    assert state.removed == ["content/b.md"]


def test_a_touched_scan_gives_up_where_paths_cannot_be_followed(tmp_path: Path) -> None:
    """None (look at everything): the content folder itself, a folder below it, or a path
    gone that the cache never knew (a folder deleted with its files)."""
    site = site_with(tmp_path, "a.md", "sub/b.md")
    config, _ = load_config(site)
    manifest = Manifest(files=as_cached(site, "a.md", "sub/b.md"))
    assert scan_touched(config, manifest, ["content"]) is None
    assert scan_touched(config, manifest, ["content/sub"]) is None
    assert scan_touched(config, manifest, ["content/never-read"]) is None
    (site / "content/.notes.md").write_text("not a story\n", encoding="utf-8")
    others = scan_touched(config, manifest, ["content/.notes.md", "static/x.css"])
    assert others is not None and others.changed == [] and others.removed == []  # (no
    # content: hidden, or outside content/)
