"""Watching a site's sources for the preview server: which files changed, and when.

``SourceWatcher`` watches ``content/``, ``templates/``, ``static/``, ``root/``, the
translation files in ``i18n/`` and the config file ``digest.yaml``, and calls
``on_change(paths)`` on the server's event loop. On Linux it uses inotify (through
ctypes: no extra dependency), so an idle server costs nothing and a save is seen at
once, whatever the size of the archive. Where inotify is missing or its watch limit is
reached it falls back to livereload's polling ``Watcher``, which walks the folders every
second (about 0.25 s of CPU per walk at 10,000 stories, hence not the default).

Editor droppings (``.swp`` files, ``~`` backups, dotfiles) are ignored (in ``static/``
and ``root/``, whose dot-files are published, only what the build does not copy:
``theme.is_litter``), and so are the folders and files of ``content/`` that the build
does not read (``_includes/``, ``_x.md``, ``node_modules/``: ``scan.is_content_folder``),
and so is everything else in the site folder, notably the preview's own output in
``.digest-cache/``, so a build never triggers another build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from tornado.ioloop import IOLoop, PeriodicCallback

from .config import CONFIG_NAME
from .i18n import I18N_DIR
from .scan import CONTENT_DIR, is_content_folder, is_content_name
from .theme import ROOT_DIR, STATIC_DIR, is_litter

WATCHED_FOLDERS = (CONTENT_DIR, "templates", STATIC_DIR, ROOT_DIR, I18N_DIR)
"""Folders of the site whose files feed the build."""
COPIED_FOLDERS = (STATIC_DIR, ROOT_DIR)
"""Those whose files the build copies as they are, dot-files too (``theme.copied_files``):
what it leaves out is ``theme.is_litter``."""
POLL_SECONDS = 1.0
"""How often the polling fallback walks the folders."""

OnChange = Callable[[tuple[str, ...]], None]
"""Called with the changed paths (relative to the site folder)."""

_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x002, 0x004, 0x008
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x040, 0x080, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF, _IN_IGNORED, _IN_ISDIR = 0x400, 0x800, 0x8000, 0x40000000
_IN_Q_OVERFLOW = 0x4000
_MASK = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO
         | _IN_CREATE | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name


def is_editor_litter(name: str) -> bool:
    """Files editors write beside the real one while saving (never site input)."""
    return (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))
            or name == "4913")  # vim's probe file


class SourceWatcher:
    """Reports changes to a site's sources on an event loop; ``close()`` stops it."""

    def __init__(self, site: Path, on_change: OnChange, *, poll: bool = False) -> None:
        self.site = site
        self.on_change = on_change
        self._inotify: _Inotify | None = None
        self._poller: PeriodicCallback | None = None
        if not poll:
            self._inotify = _Inotify.open(site)
        if self._inotify is None:
            self._start_polling()
        self.kind = "inotify" if self._inotify is not None else "polling"
        """How changes are seen: "inotify" or "polling"."""

    def _start_polling(self) -> None:
        from livereload.watcher import Watcher  # untyped; mtime polling of folders

        watcher = Watcher()
        for name in WATCHED_FOLDERS:
            watcher.watch(str(self.site / name), ignore=partial(
                _ignored_below, self.site / name) if name in COPIED_FOLDERS else partial(
                _ignored_content, self.site / name) if name == CONTENT_DIR else _ignored_path)
        watcher.watch(str(self.site / CONFIG_NAME))
        watcher.examine()  # record the current mtimes

        def poll() -> None:
            path, _delay = watcher.examine()
            if path:
                self.on_change((_relative(self.site, path),))

        self._poller = PeriodicCallback(poll, POLL_SECONDS * 1000)
        self._poller.start()

    def start(self) -> None:
        """Begin delivering changes on the current event loop."""
        if self._inotify is not None:
            IOLoop.current().add_handler(self._inotify.fd, self._on_readable, IOLoop.READ)

    def _on_readable(self, _fd: int, _events: int) -> None:
        assert self._inotify is not None
        changed = self._inotify.read_changes()
        if changed:
            self.on_change(tuple(sorted(set(changed))))

    def close(self) -> None:
        """Stop watching and release the inotify descriptor."""
        if self._inotify is not None:
            IOLoop.current().remove_handler(self._inotify.fd)
            os.close(self._inotify.fd)
            self._inotify = None
        if self._poller is not None:
            self._poller.stop()
            self._poller = None


def _ignored_path(path: str) -> bool:
    return is_editor_litter(os.path.basename(path))


def _ignored_content(folder: Path, path: str) -> bool:
    """Whether a file below ``content/`` (``folder``; the polling watcher asks of files
    only) is editor litter, or not read by the build: one of no content name (``_x.md``,
    ``sed -i``'s temporary file), or in a folder it sets aside (``_includes/``,
    ``node_modules/``...)."""
    *folders, name = Path(_relative(folder, path)).parts
    return is_editor_litter(name) or not is_content_name(name) \
        or not all(map(is_content_folder, folders))


def _ignored_below(folder: Path, path: str) -> bool:
    """Whether a path below ``folder`` (one of ``COPIED_FOLDERS``) is litter, or in a
    litter folder (``.git/``)."""
    return any(is_litter(part) for part in Path(_relative(folder, path)).parts)


def _relative(site: Path, path: str) -> str:
    try:
        return Path(path).relative_to(site).as_posix()
    except ValueError:
        return path


class _Inotify:
    """An inotify descriptor with one watch per watched folder (recursive by hand)."""

    def __init__(self, site: Path, fd: int, add_watch: Callable[[int, bytes, int], int]) -> None:
        self.site = site
        self.fd = fd
        self._add_watch = add_watch
        self._folders: dict[int, Path] = {}

    @classmethod
    def open(cls, site: Path) -> _Inotify | None:
        """Start watching ``site``; None where inotify is unavailable or out of watches."""
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name or "libc.so.6", use_errno=True)
            init, add_watch = libc.inotify_init1, libc.inotify_add_watch
        except (OSError, AttributeError):
            return None
        fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return None
        watcher = cls(site, fd, add_watch)
        if not watcher._watch(site) or not all(watcher._watch_tree(site / n)
                                                for n in WATCHED_FOLDERS):
            os.close(fd)
            return None
        return watcher

    def _watch(self, folder: Path) -> bool:
        wd = self._add_watch(self.fd, os.fsencode(folder), _MASK)
        if wd < 0:
            return ctypes.get_errno() not in (28,)  # ENOSPC: out of watches -> poll instead
        self._folders[wd] = folder
        return True

    def _watch_tree(self, top: Path) -> bool:
        if not top.is_dir():
            return True  # created later: the site folder's watch sees it appear
        copied, content = self._in_copied(top), self._in_content(top)
        for folder, dirs, _files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not (
                is_litter(d) if copied else not is_content_folder(d) if content
                else d.startswith(".")))
            if not self._watch(Path(folder)):
                return False
        return True

    def _in_copied(self, folder: Path) -> bool:
        """Whether ``folder`` is one of the site's ``COPIED_FOLDERS`` or below one (where
        dot-files count: the build copies them)."""
        return any(folder == top or top in folder.parents
                   for top in (self.site / name for name in COPIED_FOLDERS))

    def _in_content(self, folder: Path) -> bool:
        """Whether ``folder`` is ``content/`` or below it."""
        top = self.site / CONTENT_DIR
        return folder == top or top in folder.parents

    def read_changes(self) -> list[str]:
        """Drain pending events; the site-relative paths of inputs that changed."""
        changed: list[str] = []
        while True:
            try:
                data = os.read(self.fd, 64 * 1024)
            except BlockingIOError:
                return changed
            changed.extend(self._parse(data))

    def _parse(self, data: bytes) -> Iterable[str]:
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            raw = data[offset + _EVENT.size: offset + _EVENT.size + length]
            offset += _EVENT.size + length
            if mask & _IN_Q_OVERFLOW:  # events were lost: name the folders, to look at all
                yield from WATCHED_FOLDERS
                continue
            folder = self._folders.get(wd)
            if folder is None:
                continue
            if mask & _IN_IGNORED:
                del self._folders[wd]
                continue
            name = os.fsdecode(raw.rstrip(b"\0"))
            path = self._relevant(folder, name, mask)
            if path is not None:
                yield path

    def _relevant(self, folder: Path, name: str, mask: int) -> str | None:
        if not name:  # an event on the watched folder itself (deleted, moved)
            return folder.relative_to(self.site).as_posix() if folder != self.site else None
        if is_litter(name) if self._in_copied(folder) else is_editor_litter(name):
            return None
        if self._in_content(folder) and (not is_content_folder(name) if mask & _IN_ISDIR
                                         else not is_content_name(name)):
            return None  # (not read by the build: a _x.md file, an _includes/ folder, a
            # file of no content name, such as the one sed -i writes and renames...)
        path = folder / name
        if folder == self.site and name not in (CONFIG_NAME, *WATCHED_FOLDERS):
            return None  # build output, caches, README...: not site input
        if mask & _IN_ISDIR and mask & (_IN_CREATE | _IN_MOVED_TO):
            self._watch_tree(path)
        return path.relative_to(self.site).as_posix()
