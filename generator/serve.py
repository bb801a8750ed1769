"""``digest serve``: a live-reload preview that an editor can keep open all day.

The server builds the site once (``serve_build.build_preview``: an ordinary
incremental ``build()`` into ``<site>/.digest-cache/preview/`` with the server's
address as ``base_url``), serves it (``serve_http``), and watches the sources
(``serve_watch``). A burst of changes is debounced into one rebuild: the build
starts once no change has arrived for ``quiet_seconds`` (or ``max_wait_seconds``
after the first change, so a steady stream of saves cannot starve it). After a
rebuild that changed anything, every open tab is told to reload.

Builds run on the event loop itself, so no request is ever answered from a
half-written output and the server needs no locks; an incremental build is
well under a second. A build that fails (broken template, bad config) does not
stop the server: its errors become the page every tab shows, until a clean build
brings the site back. Files with errors of their own (bad YAML, a missing date)
are left out of the site, as ``digest build`` leaves them out, and every page
shows a notice of their errors at its top until they are fixed; the build's
warnings are listed in that notice too. Each ``Rebuilt`` event names the
warnings the build found that the one before did not, and the problems it no
longer finds, so the terminal shows what an edit changed (the first build's are
all in ``Listening``), not every standing warning again on every save.

Ctrl-C (SIGINT) or SIGTERM stop the server after the current build, so the
output folder is always one complete build. A second Ctrl-C during a long
build aborts at once (the next build repairs the folder from its journal).

The library never prints: it reports ``Listening``, ``Rebuilt`` and ``Stopped``
events to a callback; the CLI turns them into terminal lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import time
import webbrowser
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application
from tornado.websocket import WebSocketClosedError

from .build import BuildMemory
from .diagnostics import Diagnostic
from .frozen import frozen
from .serve_build import PreviewBuild, build_preview, preview_folder
from .serve_http import (
    RELOAD_SCRIPT,
    RELOAD_SOCKET,
    ReloadScriptHandler,
    ReloadSocket,
    ServerAddress,
    SiteHandler,
)
from .serve_watch import SourceWatcher


@frozen
class ServeOptions:
    """How to run the preview server."""

    source: Path
    """The site folder."""
    host: str = "127.0.0.1"
    """Address to bind; anything but loopback exposes the preview to the network."""
    port: int = 8000
    """Port to bind; 0 picks a free one (reported in ``Listening.url``)."""
    drafts: bool = False
    """Include stories with ``draft: true``."""
    future: bool = False
    """Publish the stories dated after the build's time at once (else each is held back
    until then, and the server builds again when the first is due)."""
    open_browser: bool = False
    """Open the preview in the default web browser once it is served."""
    poll: bool = False
    """Poll the sources every second instead of using inotify."""
    quiet_seconds: float = 0.05
    """A rebuild starts once no change has arrived for this long."""
    max_wait_seconds: float = 1.0
    """...or this long after the first change of a burst, whichever comes first."""


@frozen
class Building:
    """The server's address is bound: the first build begins (a port in use stops the
    server before it, and the preview folder another server may show is left alone)."""

    source: Path
    """The site folder."""


@frozen
class Listening:
    """The first build is done and the server answers requests."""

    url: str
    """Where to open the preview."""
    output: Path
    """The preview's output folder."""
    exposed: bool
    """Whether the server is reachable from other machines (``--host``)."""
    watcher: str
    """How sources are watched: "inotify" or "polling"."""
    build: PreviewBuild
    """The first build."""


@frozen
class Rebuilt:
    """A rebuild after changes to the sources."""

    changed: tuple[str, ...]
    """The changed paths that caused it (relative to the site folder)."""
    build: PreviewBuild
    """What it did and found."""
    reloaded: int
    """Browser tabs told to reload."""
    new_warnings: tuple[Diagnostic, ...] = ()
    """The warnings this build found that the last one to build the site did not."""
    fixed: tuple[Diagnostic, ...] = ()
    """The problems the last build found that this one no longer finds (its warnings
    only if it built the site: a configuration error hides them, it does not fix them)."""


@frozen
class Stopped:
    """The server has shut down; the output folder holds the last complete build."""

    output: Path
    """The preview's output folder."""


ServeEvent = Building | Listening | Rebuilt | Stopped
Reporter = Callable[[ServeEvent], None]


def serve(options: ServeOptions, report: Reporter) -> None:
    """Build, serve and watch until SIGINT or SIGTERM.

    Raises ``OSError`` when the address cannot be bound (before building) and
    ``KeyboardInterrupt`` when a second Ctrl-C aborts a build.
    """
    sockets = bind_sockets(options.port, address=options.host, family=socket.AF_INET
                           if ":" not in options.host else socket.AF_UNSPEC)
    address = ServerAddress(options.host, sockets[0].getsockname()[1])
    report(Building(options.source.resolve()))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    stopping = [False]

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if stopping[0]:
            raise KeyboardInterrupt
        stopping[0] = True
        loop.call_soon_threadsafe(stop.set)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(_run(options, address, sockets, stop, report))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sock in sockets:
            sock.close()
        asyncio.set_event_loop(None)
        loop.close()


async def _run(options: ServeOptions, address: ServerAddress, sockets: list[socket.socket],
               stop: asyncio.Event, report: Reporter) -> None:
    session = PreviewSession(options, address, report)
    first = session.build()
    if stop.is_set():
        session.save()
        report(Stopped(session.output))
        return
    watcher = SourceWatcher(options.source.resolve(), session.on_change, poll=options.poll)
    session.exact_changes = watcher.kind == "inotify"
    server = HTTPServer(session.application())
    server.add_sockets(sockets)
    watcher.start()
    report(Listening(address.url, session.output, address.exposed, watcher.kind, first))
    if options.open_browser:
        webbrowser.open(address.url)
    try:
        await stop.wait()
    finally:
        watcher.close()
        session.cancel_pending()
        session.save()
        server.stop()
        for sock in list(session.sockets):
            sock.close()
        with contextlib.suppress(TimeoutError):  # a client that hangs on goes with the process
            await asyncio.wait_for(server.close_all_connections(), timeout=2)
    report(Stopped(session.output))


RELEASE_LATE_SECONDS = 0.5
"""How long after a held-back story's date the server builds again (its clock and the
loop's may differ a little: built too early, the story stays held and is planned again)."""
RELEASE_WAIT_MAX = 86_400.0
"""The longest wait planned at once (the clock may be set meanwhile): after it, the wait
is planned again, without a build, until the date."""
SAVE_AFTER_SECONDS = 5.0
"""How long the server waits after a build, with no build since, to write its cache
(an editor who pauses; writing it takes ~0.2 s at 10,000 stories and holds the loop)."""
COLLECT_AFTER_SECONDS = 1.0
"""How long the server waits after a build, with no build since, to collect the garbage
the builds left (once the reloaded tabs have their pages)."""


class PreviewSession:
    """The server's state: the last build, the open reload sockets, pending changes."""

    def __init__(self, options: ServeOptions, address: ServerAddress, report: Reporter) -> None:
        self.options = options
        self.address = address
        self.report = report
        self.output = preview_folder(options.source)
        self.sockets: set[ReloadSocket] = set()
        self.last: PreviewBuild | None = None
        self.generation = 0
        """How many rebuilds changed what tabs show: each page says which it came from."""
        # the cache, kept in memory between rebuilds and written to disk when idle
        self.memory = BuildMemory(defer_saves=True)
        self._pending: set[str] = set()
        self._first_change: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._save_timer: asyncio.TimerHandle | None = None
        self._collect_timer: asyncio.TimerHandle | None = None
        self._release_timer: asyncio.TimerHandle | None = None
        """Builds again when the first story held back is due (see ``_plan_release``)."""
        self.exact_changes = False
        """Whether the watcher names every changed path (inotify does; polling may not)."""
        self._warnings: tuple[Diagnostic, ...] = ()
        """The warnings of the last build that made the site (see ``_compare_problems``)."""

    def application(self) -> Application:
        """The Tornado application serving this session."""
        return Application(
            [
                (RELOAD_SOCKET, ReloadSocket, {"address": self.address, "sockets": self.sockets,
                                               "build": self.current_generation}),
                (RELOAD_SCRIPT, ReloadScriptHandler, {"address": self.address}),
                (r".*", SiteHandler, {"address": self.address, "root": self.output,
                                      "error_page": self.error_page,
                                      "notice": self.notice,
                                      "build": self.current_generation}),
            ],
            log_function=lambda _handler: None,  # the CLI reports builds, not requests
            websocket_max_message_size=64 * 1024,
        )

    def current_generation(self) -> int:
        """The build the pages served now come from (see ``generation``)."""
        return self.generation

    def error_page(self) -> bytes | None:
        """The page to show instead of the site while the last build made none."""
        return self.last.error_page if self.last is not None else None

    def notice(self) -> bytes | None:
        """What to show atop each page while the last build left files out."""
        return self.last.notice if self.last is not None else None

    def build(self, touched: tuple[str, ...] | None = None) -> PreviewBuild:
        """Build the preview now (``touched``: the paths changed since the last build, when
        the watcher names every one); remember the outcome. The cache files are written
        ``SAVE_AFTER_SECONDS`` later, once no other build came (or by ``save``).

        Garbage is collected ``COLLECT_AFTER_SECONDS`` later, the same way: a build pauses
        the collector and freezes what it made (see ``build.build``), so the cycles it
        left never reached a full collection, and a server saving a story every second
        grew by 275 KB a rebuild for as long as it ran. (A full collection took 0.04-0.1 s
        with 10,000 stories held: not before the tabs reload.)"""
        first = self.last is None
        self.last = build_preview(self.options.source, base_url=self.address.url,
                                  drafts=self.options.drafts, future=self.options.future,
                                  memory=self.memory, touched=touched)
        if first and self.last.report is not None:  # (``Listening`` reports its warnings)
            self._warnings = self.last.warnings
        with contextlib.suppress(RuntimeError):  # no running loop: the caller saves
            loop = asyncio.get_running_loop()
            for timer in (self._save_timer, self._collect_timer):
                if timer is not None:
                    timer.cancel()
            self._save_timer = loop.call_later(SAVE_AFTER_SECONDS, self.save)
            self._collect_timer = loop.call_later(COLLECT_AFTER_SECONDS, gc.collect)
            self._plan_release(loop)
        return self.last

    def _plan_release(self, loop: asyncio.AbstractEventLoop) -> None:
        """Build again (as after a change: ``_rebuild``, with no path changed) once the
        first story the last build held back is due by the clock, so that it shows up
        then without a save: the build looks at the held-back stories only. A build with
        no story held back, or with a fixed time (``SOURCE_DATE_EPOCH``), plans none."""
        if self._release_timer is not None:
            self._release_timer.cancel()
            self._release_timer = None
        due = self.last.release_at if self.last is not None else None
        if due is not None:
            wait = min(max(0.0, due - time.time()) + RELEASE_LATE_SECONDS, RELEASE_WAIT_MAX)
            self._release_timer = loop.call_later(wait, self._release)

    def _release(self) -> None:
        self._release_timer = None
        due = self.last.release_at if self.last is not None else None
        if due is not None and time.time() < due:  # (a day's wait, or the clock was set)
            self._plan_release(asyncio.get_running_loop())
        elif self._timer is None:  # (else the debounced rebuild of a change comes anyway)
            self._rebuild()

    def save(self) -> None:
        """Write the cache of the last build to disk now (if it waits)."""
        if self._save_timer is not None:
            self._save_timer.cancel()
            self._save_timer = None
        self.memory.save()

    def on_change(self, paths: tuple[str, ...]) -> None:
        """Note changed sources; (re)schedule the debounced rebuild."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._pending.update(paths)
        if self._first_change is None:
            self._first_change = now
        if self._timer is not None:
            self._timer.cancel()
        when = min(now + self.options.quiet_seconds,
                   self._first_change + self.options.max_wait_seconds)
        self._timer = loop.call_at(when, self._rebuild)

    def cancel_pending(self) -> None:
        """Forget changes not yet built (the server is stopping)."""
        if self._release_timer is not None:  # (a build that follows plans it again)
            self._release_timer.cancel()
            self._release_timer = None
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._first_change = None, None
        self._pending.clear()

    def _rebuild(self) -> None:
        changed = tuple(sorted(self._pending))
        self.cancel_pending()
        before = self.last
        result = self.build(changed if self.exact_changes else None)
        reloaded = 0
        if _visible_change(before, result):
            self.generation += 1
            reloaded = self._reload_tabs()
        new, fixed = self._compare_problems(before, result)
        self.report(Rebuilt(changed, result, reloaded, new, fixed))

    def _compare_problems(self, before: PreviewBuild | None, after: PreviewBuild,
                          ) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
        """The warnings ``after`` found that the last build of the site did not, and the
        problems of ``before`` it no longer finds. A build that made no site (a broken
        template, bad settings) has no content warnings: those of the last build that
        made one are kept to compare the next with."""
        errors_before = before.errors if before is not None else ()
        if after.report is None:
            return (), _missing(errors_before, after.errors)
        known = self._warnings
        self._warnings = after.warnings
        return (_missing(after.warnings, known),
                _missing(errors_before, after.errors) + _missing(known, after.warnings))

    def _reload_tabs(self) -> int:
        told = 0
        for sock in list(self.sockets):
            try:
                sock.send_reload()
                told += 1
            except WebSocketClosedError:
                self.sockets.discard(sock)
        return told


def _missing(problems: tuple[Diagnostic, ...], others: tuple[Diagnostic, ...],
             ) -> tuple[Diagnostic, ...]:
    """The problems of ``problems`` that ``others`` does not have. A problem that only moved
    (a line added above it) is the same problem: lines are not compared."""
    left = Counter(_without_line(p) for p in others)
    missing = []
    for problem in problems:
        key = _without_line(problem)
        if left[key]:
            left[key] -= 1
        else:
            missing.append(problem)
    return tuple(missing)


def _without_line(problem: Diagnostic) -> tuple[object, ...]:
    return (problem.severity, problem.file, problem.field, problem.message, problem.hint)


def _visible_change(before: PreviewBuild | None, after: PreviewBuild) -> bool:
    """Whether a tab could now show something different."""
    if before is None or after.report is None or before.error_page != after.error_page \
            or before.notice != after.notice:
        return True
    write = after.report.write
    return bool(write.written or write.removed)
