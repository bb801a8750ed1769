"""Stage 1, before reading: which content files there are, with their size and mtime.

An incremental build compares these stamps with the ones its cache holds to find the
files to read again. At 10,000 stories listing and stat-ing the content folder takes
0.06-0.09 s, at 100,000 0.5-0.8 s, and a fresh ``digest build`` process would do it on
one core while the other waits. So the CLI forks a child that takes the stamps
(:func:`start_scan`) before it imports the rest of digest (0.1 s) and loads the build's
cache, and the build takes the child's list when it needs it.

This module imports only what forking and listing need: it runs before everything else.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from .cluster_parallel import Forked, start_forked

CONTENT_DIR = "content"
"""The folder of a site's news items, in the site folder (``SiteConfig.content_dir``)."""
CACHE_DIR = ".digest-cache"
"""The site's cache folder, beside ``content/`` (see ``manifest``)."""
CONTENT_SUFFIXES = (".md", ".markdown", ".txt")
"""Endings of the names of content files."""
DRAFTS_DIR = "_drafts"
"""A folder of drafts, anywhere below ``content/`` (Jekyll's ``_drafts/``): its files are
left out, not even read, unless the build asks for drafts (``SiteConfig.drafts``)."""
KEPT_UNDERSCORE_DIRS = (DRAFTS_DIR, "_posts")
"""The folders whose names start with ``_`` that hold content: Jekyll's drafts and posts
(Jekyll ignores every other such name: ``_includes``, ``_data``...)."""
IGNORED_DIRS = ("node_modules",)
"""Folders of other tools, never content (a package's README.md is no story)."""

Stamp = tuple[str, int, int]
"""A content file: its source path (relative to the site folder, with ``/``: the name
the cache knows it by), size and mtime in nanoseconds (-1 and -1 when not looked at: no
cache to compare them with)."""


def is_content_name(name: str) -> bool:
    """Whether a file of this name (in a content folder: ``is_content_folder``) is a
    content file: not hidden (``.x.md``) nor set aside as Jekyll sets ``_x.md`` aside
    (and Hugo's ``_index.md``, a section's page, is no story)."""
    return name.endswith(CONTENT_SUFFIXES) and not name.startswith((".", "_"))


def is_content_folder(name: str) -> bool:
    """Whether the files of a folder of this name below ``content/`` can be content: not
    a hidden one (``.git``), one whose name starts with ``_`` (as Jekyll ignores them;
    but ``KEPT_UNDERSCORE_DIRS``) or another tool's (``IGNORED_DIRS``)."""
    if name.startswith(("_", ".")):
        return name in KEPT_UNDERSCORE_DIRS
    return name not in IGNORED_DIRS


def is_content_path(rel: str) -> bool:
    """Whether ``rel``, a file's path from the site folder (``content/a/b.md``), is one
    that ``find_content_paths`` lists."""
    *folders, name = rel.split("/")
    return is_content_name(name) and all(map(is_content_folder, folders[1:]))


def is_draft_path(rel: str) -> bool:
    """Whether the content file ``rel`` (a path from the site folder) is in a drafts
    folder (``DRAFTS_DIR``)."""
    return DRAFTS_DIR in rel.split("/")[:-1]


def find_content_paths(content_dir: Path | str) -> list[str]:
    """All content files below ``content_dir``, sorted; folders and files that are not
    content (``is_content_folder``, ``is_content_name``) skipped."""
    found: list[str] = []
    for root, dirs, files in os.walk(content_dir):
        dirs[:] = [d for d in dirs if is_content_folder(d)]
        found.extend(os.path.join(root, name) for name in files if is_content_name(name))
    found.sort()
    return found


def stamp_content(source: Path | str, *, stat: bool = True) -> list[Stamp]:
    """Every content file of the site folder ``source`` (an absolute path) with its size
    and mtime, in path order. A file that goes away between the listing and its ``stat``
    is left out, as if listed a moment later. Without ``stat`` the files are only listed
    (size and mtime -1, which no file has: each counts as changed). The source paths are
    made here, in the scan's child, not one by one in the build (0.1 s at 100,000 files)."""
    cut = len(os.fspath(source)) + len(os.sep)
    paths = find_content_paths(os.path.join(source, CONTENT_DIR))
    if os.sep == "/":
        names = [path[cut:] for path in paths]
    else:  # pragma: no cover (Windows)
        names = [path[cut:].replace(os.sep, "/") for path in paths]
    if not stat:
        return [(name, -1, -1) for name in names]
    stamps: list[Stamp] = []
    for path, name in zip(paths, names, strict=True):
        try:
            info = os.stat(path)
        except FileNotFoundError:
            continue
        stamps.append((name, info.st_size, info.st_mtime_ns))
    return stamps


class EarlyScan:
    """The stamps of a site's content files, being taken by a forked child."""

    def __init__(self, source: str, forked: Forked[list[Stamp]]) -> None:
        self.source = source
        """The site folder scanned (as ``str(config.source)`` gives it)."""
        self._forked: Forked[list[Stamp]] | None = forked

    def result(self) -> list[Stamp]:
        """The stamps (taken here if the child failed). Once only."""
        if self._forked is None:
            raise RuntimeError("the early scan's result was taken already")
        forked, self._forked = self._forked, None
        return forked.result()

    def cancel(self) -> None:
        """Stop the child if its result was not taken (nothing happens if it was)."""
        if self._forked is not None:
            self._forked.cancel()
            self._forked = None


def start_scan(source: Path) -> EarlyScan | None:
    """Fork a child that stamps the content files of the site folder ``source`` (None
    where nothing is forked: no ``fork``, one core). Whoever starts it must take its
    result or cancel it. A site without a cache folder has no stamps to compare with:
    its files are only listed (at 100,000 stories 0.3 s instead of 0.75 s with a stat
    each)."""
    source = source.resolve()
    stat = (source / CACHE_DIR).is_dir()
    forked = start_forked([partial(stamp_content, str(source), stat=stat)], items=None)
    return EarlyScan(str(source), forked[0]) if forked is not None else None
