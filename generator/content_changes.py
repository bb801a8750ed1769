"""Stage 1, after the scan: which content files a build reads again.

The scan (``scan``) stamps every content file with its size and mtime; a file whose
stamp is not the one the cache (``manifest``) holds is new or changed and is read again,
as are a few the stamps do not tell of: the stories whose images name files of the site
that changed (``site_images``) and the held-back stories now due (``schedule``). The
preview server, which knows the paths that changed, looks only at those
(:func:`scan_touched`).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import replace
from stat import S_ISREG

from .config import SiteConfig
from .frozen import frozen
from .manifest import Manifest
from .scan import EarlyScan, Stamp, is_content_path, stamp_content
from .site_images import stale_site_files


@frozen
class ContentState:
    """Which content files exist now, and which must be read again."""

    sources: set[str]
    """Every content file, by source path."""
    changed: list[str]
    """Files that are new or whose size or mtime moved (absolute paths, as strings)."""
    removed: list[str]
    """Files the last build read that are gone."""


def content_stamps(config: SiteConfig, scan: EarlyScan | None) -> list[Stamp]:
    """Every content file with its size and mtime: from ``scan`` if it looked at this
    site's content folder, else taken now."""
    if scan is not None and scan.source == str(config.source):
        return scan.result()
    return stamp_content(config.source)


def scan_content(config: SiteConfig, manifest: Manifest, stamps: Sequence[Stamp]
                  ) -> ContentState:
    """Which of the files in ``stamps`` are new or changed since ``manifest``, and which of
    its files are gone."""
    folder = str(config.source) + os.sep  # (a path parse_file names by slicing it off)
    sources: set[str] = set()
    changed = []
    for source, size, mtime_ns in stamps:
        sources.add(source)
        cached = manifest.files.get(source)
        if cached is None or cached.stamp.size != size or cached.stamp.mtime_ns != mtime_ns:
            changed.append(folder + source)
    removed = sorted(set(manifest.files) - sources)
    return ContentState(sources, changed, removed)


def stale_images(config: SiteConfig, manifest: Manifest, state: ContentState
                  ) -> list[str]:
    """The content files whose images name files of the site that changed, came or went
    since they were read (``site_images.stale_site_files``): read again, their pages show
    the new size, or their warning, as a clean build. Costs a stat or two per such file
    named, only on sites whose stories name some."""
    if not manifest.site_files:
        return []
    return stale_site_files(config.source, manifest.site_files, state.sources)


def reading_also(config: SiteConfig, state: ContentState, sources: Sequence[str]
                  ) -> ContentState:
    """``state`` with the files of ``sources`` (source paths) among those to read again."""
    if not sources:
        return state
    folder = str(config.source) + os.sep  # (as scan_content names them)
    changed = set(state.changed)
    more = [path for source in sources if (path := folder + source) not in changed]
    return replace(state, changed=sorted([*state.changed, *more])) if more else state


def scan_touched(config: SiteConfig, manifest: Manifest,
                  touched: Collection[str]) -> ContentState | None:
    """:func:`scan_content` looking only at ``touched`` paths (None: look at everything)."""
    folder = config.content_dir.relative_to(config.source).as_posix() + "/"
    sources = set(manifest.files)
    changed, removed = [], []
    for rel in touched:
        if folder.startswith(rel.rstrip("/") + "/"):
            return None  # the content folder itself (or above it) changed
        if not rel.startswith(folder):
            continue
        path = config.source / rel
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            if rel not in manifest.files:
                return None  # a folder gone, or a file never read: look at everything
            sources.discard(rel)
            removed.append(rel)
            continue
        if not S_ISREG(stat.st_mode):
            return None  # a folder: its files are not named one by one
        if not is_content_path(rel):
            continue  # not content (as find_content_paths decides)
        sources.add(rel)
        cached = manifest.files.get(rel)
        if cached is None or (cached.stamp.size, cached.stamp.mtime_ns) != \
                (stat.st_size, stat.st_mtime_ns):
            changed.append(str(path))
    return ContentState(sources, sorted(changed), sorted(removed))
