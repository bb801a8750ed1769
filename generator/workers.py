"""Parallel parsing and rendering in worker processes.

YAML parsing and Jinja rendering hold the GIL, so a large build runs in forked
worker processes. Each worker parses a share of the content files and keeps
the full stories it parsed; after the main process has modeled the site, each
worker renders the article pages of its own stories (no story crosses a
process boundary) and stages the changed files. Only summaries, the site model
and digests travel between processes.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import astuple, replace
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .config import SiteConfig
from .diagnostics import DigestError
from .manifest import spare_path
from .model import Article, Site, Topic, TopicRef, make_article
from .output import make_folders, stage_file
from .pages import Page, article_page, site_feeds
from .parse import ParsedFile, ParsedRow, parse_file, parsed_from_row, parsed_to_row
from .read import Readahead
from .record_store import RecordStore
from .records import Image
from .store import StoryStore
from .summary import StorySummary
from .urls import page_path

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.connection import Connection

StagedFile = tuple[str, str, bool]
"""(output path, content digest, whether it was staged as new or changed)."""
Tick = Callable[[int], None]
"""Told how many more items are done."""
TICK_EVERY = 250
"""Workers report progress after this many items."""
RECORD_BATCH = 500
"""Workers store the schema records of this many stories at a time (holding them all
until the end of a share cost ~250 MB per worker at 100,000 stories), and send back the
results of this many files at a time (the main process unpickles them meanwhile)."""


WORKER_NICENESS = 10
"""How much a helper lowers its priority: a worker once it has parsed its files, the
events child once it has sent the events (see ``yield_to_the_build``; 10 gives it a tenth
of the main process's share of a core)."""


def worker_count() -> int:
    """How many processes to use: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def render_and_stage(site: Site, pages: Sequence[Page], store: StoryStore,
                     previous: dict[str, str], tick: Tick | None = None, *,
                     direct: bool = False) -> list[StagedFile]:
    """Render pages and stage those whose bytes changed (in this process)."""
    from .render import make_environment, render_page  # Jinja is imported only to render

    env = make_environment(site.config)
    config = site.config
    spares = None if direct else spare_path(config.source, config.output)
    staged = []
    for done, page in enumerate(pages, start=1):
        if tick is not None and done % TICK_EVERY == 0:
            tick(TICK_EVERY)
        rendered = render_page(env, site, page, store.story_for, store.body_html)
        digest, changed = stage_file(config.output, rendered.path, rendered.content,
                                     previous.get(rendered.path), direct=direct, spares=spares)
        staged.append((rendered.path, digest, changed))
    return staged


def render_forked(site: Site, pages: Sequence[Page], store: StoryStore,
                  previous: dict[str, str], count: int, tick: Tick | None = None, *,
                  direct: bool = False,
                  meanwhile: Callable[[], object] | None = None) -> list[StagedFile]:
    """``render_and_stage`` across ``count`` processes, ``count - 1`` of them forked now.

    Forked after the site was modeled, the children inherit the site and the stories
    this process holds: nothing is sent to them, and they render pages of every kind
    (parsing the stories of unchanged files on demand, each for its own share). Only
    the staged files' digests come back. Used when no worker pool read the files.
    ``meanwhile`` is called once this process has rendered its share, while the
    children may still render theirs.

    The children are plain ``os.fork`` children writing to a pipe (``_RenderChild``), not
    ``multiprocessing`` processes: importing that package and starting a process through
    it cost 12-15 ms, a quarter of rendering the 23 pages of an added story at 10,000
    stories.
    """
    shares = _balanced_shares(pages, count)
    children: list[_RenderChild] = []
    try:
        for share in shares[1:]:
            children.append(_RenderChild.start(site, share, store, previous, direct))
        staged = render_and_stage(site, shares[0], store, previous, tick, direct=direct)
        if meanwhile is not None:
            meanwhile()
        for child in children:
            staged.extend(child.collect(tick))
        return staged
    finally:
        for child in children:
            child.close()


class _RenderChild:
    """A forked child rendering a share of the pages: it writes frames to a pipe (progress,
    then one of ``_ENDS``: see ``_PROGRESS``), and exits; ``collect`` reads them."""

    def __init__(self, pid: int, reading: int) -> None:
        self.pid = pid
        """Its process id (0 once reaped)."""
        self.reading = reading
        """The pipe's end it writes to us through (-1 once read or closed)."""

    @classmethod
    def start(cls, site: Site, pages: Sequence[Page], store: StoryStore,
              previous: dict[str, str], direct: bool) -> _RenderChild:
        """Fork a child that renders and stages ``pages``."""
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (runs in the forked process)
            os.close(reading)
            _render_child(writing, site, pages, store, previous, direct)
        os.close(writing)
        return cls(pid, reading)

    def collect(self, tick: Tick | None) -> list[StagedFile]:
        """What the child staged, once it is done (its progress told to ``tick`` as it
        comes); its failure, or its death, raised as a ``DigestError``."""
        with os.fdopen(self.reading, "rb") as pipe:
            self.reading = -1
            while (kind := pipe.read(1)) == _PROGRESS:
                done = int.from_bytes(pipe.read(4), "little")
                if tick is not None:
                    tick(done)
            size = int.from_bytes(pipe.read(8), "little")
            data = pipe.read(size)
        self.close()
        if kind not in _ENDS or len(data) != size:
            raise DigestError("a worker process died during the build")
        if kind == _STAGED:
            staged: list[StagedFile] = marshal.loads(data)
            return staged
        if kind == _PROBLEM:  # (a DigestError, with what it names: see _failure)
            import pickle  # (here: only a failed build needs it)

            message, diagnostics = pickle.loads(data)  # noqa: S301 - our own child's
            raise DigestError(message, diagnostics=diagnostics)
        raise DigestError(f"a worker process failed:\n{data.decode('utf-8', 'replace')}")

    def close(self) -> None:
        """Stop reading, and reap the child (killed first if it has not answered: the
        build is failing)."""
        if self.reading >= 0:
            os.close(self.reading)
            self.reading = -1
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0


_PROGRESS, _STAGED, _PROBLEM, _ERROR = b"p", b"s", b"x", b"e"
"""Kinds of ``_RenderChild`` frames: progress (a 4-byte count), then one of the three
ends (an 8-byte length, then the staged files marshalled, a pickled ``(message,
diagnostics)`` or a traceback's text)."""
_ENDS = (_STAGED, _PROBLEM, _ERROR)


def _render_child(writing: int, site: Site, pages: Sequence[Page], store: StoryStore,
                  previous: dict[str, str], direct: bool) -> None:  # pragma: no cover
    """The forked child of ``_RenderChild.start``: render its share, write back what it
    staged (or why it failed), and exit without returning into the parent's code."""
    status = 1
    try:
        with os.fdopen(writing, "wb") as pipe:
            def progress(count: int) -> None:
                pipe.write(_PROGRESS + count.to_bytes(4, "little"))
                pipe.flush()

            try:
                if site.records is not None:  # an inherited SQLite connection must not be used
                    site = replace(site, records=site.records.reopened())
                kind, data = _STAGED, marshal.dumps(
                    render_and_stage(site, pages, store, previous, progress, direct=direct))
            except Exception:  # noqa: BLE001 - reported to the main process, which raises it
                failure, payload = _failure()
                if failure == "problem":
                    import pickle

                    kind, data = _PROBLEM, pickle.dumps(payload)
                else:
                    kind, data = _ERROR, str(payload).encode("utf-8", "replace")
            pipe.write(kind + len(data).to_bytes(8, "little"))
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)


SITEMAP_LINKS_PER_PAGE = 100
"""How many lines of a sitemap take as long to make as one other page, about: on an add
at 10,000 stories the sitemap took 80 ms, the other pages 0.75 ms each with staging
(0.45-0.5 ms for a page of the JSON API, 1.5-1.8 ms for a topic page)."""
LIGHT_PAGES = {"api-news": 0.3, "redirect": 0.2, "alias": 0.2}
"""Work of the pages that take less than an HTML page to make (1.0): at 10,000 stories a
page of the JSON API took 0.2 ms, with its 20 records from the cache, and a topic page
0.7-0.85 ms."""


def render_work(pages: Sequence[Page]) -> float:
    """About how long ``pages`` take to render, in HTML pages (``page_work``)."""
    return sum(map(page_work, pages))


def page_work(page: Page) -> float:
    """About how long a page takes to render, in HTML pages: a sitemap by its lines
    (``SITEMAP_LINKS_PER_PAGE``), the lighter pages by ``LIGHT_PAGES``."""
    if page.links:
        return len(page.links) / SITEMAP_LINKS_PER_PAGE
    return LIGHT_PAGES.get(page.kind, 1.0)


def _balanced_shares(pages: Sequence[Page], count: int) -> list[list[Page]]:
    """``pages`` in ``count`` shares of about the same rendering time (``page_work``), the
    first for this process. The sitemaps go first, each to the share with the least work,
    children first; the other pages are then dealt out in order, each to the share
    furthest behind the work it should take, so that every share gets pages of every
    kind. (Dealt out in turn, a share with the sitemap of 10,000 stories finished 0.06 s
    after the other on an add.)"""
    light = [page for page in pages if not page.links]
    shares: list[list[Page]] = [[] for _ in range(count)]
    work = [0.0] * count
    for page in pages:
        if page.links:
            least = min(range(count), key=lambda share: (work[share], -share))
            shares[least].append(page)
            work[least] += page_work(page)
    weights = [page_work(page) for page in light]
    even = (sum(work) + sum(weights)) / count
    quota = [max(even - done, 0.0) for done in work]
    taken = [0.0] * count
    for page, weight in zip(light, weights, strict=True):
        behind = min(range(count), key=lambda share: (taken[share] + weight) / quota[share]
                     if quota[share] else float("inf"))
        shares[behind].append(page)
        taken[behind] += weight
    return shares


def _receive(pipe: Connection) -> tuple[str, Any]:
    """A worker's next message, (status, payload); its failure or death is raised."""
    try:
        status, payload = pipe.recv()
    except EOFError:
        raise DigestError("a worker process died during the build") from None
    if status == "error":
        raise DigestError(f"a worker process failed:\n{payload}")
    if status == "problem":  # (a DigestError, with what it names: see _failure)
        message, diagnostics = payload
        raise DigestError(message, diagnostics=diagnostics)
    return status, payload


def _failure() -> tuple[str, object]:
    """The message of the exception being handled, for ``_receive`` to raise again: a
    ``DigestError`` (a template that failed) as itself, anything else as its traceback."""
    failed = sys.exc_info()[1]
    if isinstance(failed, DigestError):
        return "problem", (str(failed), failed.diagnostics)
    import traceback  # (here: 2 ms of every build's imports, for a failure)

    return "error", traceback.format_exc()


SITE_PART = 2048
"""Articles packed into one message of the site (``pack_site``): the workers unpack each
part while this process packs the next, and no process holds the whole site packed (and
a copy of it, pickled) at once. At 100,000 stories the workers began their pages 1.9
s after the site was modeled instead of 2.2-3.4 s, and the build's peak RSS went from
1,387 to 1,316 MB (the time of a whole build did not change measurably)."""


def pack_site(site: Site, part: int = SITE_PART) -> Iterator[bytes]:
    """What article pages read of the site, as ``marshal`` data (plain tuples load ten
    times faster than pickled dataclasses), packed as it is consumed: the articles,
    ``part`` at a time, each with its summary's ``to_render_tuple``; then the topics.
    Left out: the event state and the clusters' evidence (half the site's weight), the
    config (workers have it), the records (for API pages only)."""
    articles = site.articles
    for start in range(0, len(articles), part):
        yield marshal.dumps([
            (a.slug, a.summary.to_render_tuple(), [(r.name, r.slug) for r in a.topics],
             a.related_slugs, a.body_file.to_render_tuple() if a.body_file else None,
             a.cluster, a.coverage, a.computed_related) for a in articles[start:start + part]])
    yield marshal.dumps([(t.ref.name, t.ref.slug, t.articles, t.description, t.keywords,
                          astuple(t.image) if t.image else None) for t in site.topics])


class SiteUnpacker:
    """Unpacks what ``pack_site`` packed, part by part (``add``), then ``site``."""

    def __init__(self, config: SiteConfig) -> None:
        self._config = config
        self._articles: list[Article] = []
        self._refs: dict[tuple[str, str], TopicRef] = {}

    def _ref(self, name: str, slug: str) -> TopicRef:
        found = self._refs.get((name, slug))
        if found is None:
            found = self._refs[name, slug] = TopicRef(name, slug)
        return found

    def add(self, data: bytes) -> None:
        """Unpack a part of articles."""
        ref = self._ref
        self._articles.extend(
            make_article((StorySummary.from_tuple(summary), slug,
                          tuple(ref(*t) for t in topics), tuple(related),
                          StorySummary.from_tuple(body) if body else None,
                          cluster, tuple(coverage), tuple(computed)))
            for slug, summary, topics, related, body, cluster, coverage, computed
            in marshal.loads(data))

    def site(self, data: bytes) -> Site:
        """The site, given its last part (the topics)."""
        ref = self._ref
        articles = tuple(self._articles)
        topics = tuple(Topic(ref(name, slug), tuple(members), description, tuple(keywords),
                             Image(*image) if image else None)
                       for name, slug, members, description, keywords, image
                       in marshal.loads(data))
        return Site(config=self._config, articles=articles, topics=topics,
                    by_slug={a.slug: a for a in articles})


class WorkerPool:
    """Forked workers, each holding the stories it parsed."""

    def __init__(self, config: SiteConfig, count: int) -> None:
        import multiprocessing  # (here: a build that forks no worker never imports them)
        from concurrent.futures import ThreadPoolExecutor

        context = multiprocessing.get_context("fork")
        self._pipes: list[Connection] = []
        self._processes = []
        self._sender = ThreadPoolExecutor(max_workers=1)  # (sends the site: see send_site)
        self._sent: Future[None] | None = None
        for _ in range(count):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, config), daemon=True)
            process.start()
            theirs.close()
            self._pipes.append(mine)
            self._processes.append(process)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def size(self) -> int:
        """Number of workers."""
        return len(self._pipes)

    def parse(self, paths: Sequence[str], records: RecordStore, progress: Tick | None = None,
              *, held_after: float | None = None) -> tuple[list[ParsedFile], dict[str, int]]:
        """Parse files across the workers; also say which worker holds each source.

        The workers put the stories' schema records into ``records`` themselves and send
        back summaries without them: they are most of a summary's weight. Once it has
        answered, each worker renders the bodies of its stories at a lower priority
        (``yield_to_the_build``), unasked: while this process takes in the answers and
        models the site, and while the other worker finishes its share (when it waited
        for this process to ask, a core stood idle for 0.2 s at 10,000 stories, 1 s at
        100,000). The pages ask for the bodies later (``StoryStore.body_html``).
        """
        shares = [list(paths[i :: self.size]) for i in range(self.size)]
        for pipe, share in zip(self._pipes, shares, strict=True):
            pipe.send(("parse", share, records, held_after))
        parsed: list[ParsedFile] = []
        holder: dict[str, int] = {}
        with Readahead(paths):  # (in the order the workers go through their shares)
            answers = self._gather(progress)
        for index, payload in answers:
            for row in payload:
                item = parsed_from_row(row)
                parsed.append(item)
                holder[item.source] = index
        parsed.sort(key=lambda item: item.source)
        return parsed, holder

    def make_folders(self, folders: list[str]) -> None:
        """Have one worker make these new folders of an output that held nothing (see
        ``output.begin``), unanswered, at its lower priority: while this process models
        the site, in the time the modeling leaves a core. It stops when its next order
        comes; the pages make the folders it did not get to. (One worker: two processes
        making folders in one folder at once, in a loop, took 0.6-1.0 ms a folder
        instead of 0.1-0.2 each in a folder of its own.)"""
        # (by the sending thread: the worker reads it only when its bodies are done; sent
        # from here, it held this process 0.15 s at 10,000 stories)
        self._queue(partial(self._pipes[0].send, ("folders", "\0".join(folders))))

    def send_site(self, site: Site) -> None:
        """Send the workers the site their article pages are rendered from, unanswered, in
        the parts ``pack_site`` packs: the sending thread sends each part while this
        process packs the next, and the workers unpack it meanwhile. Sent as soon as it is
        modeled, so that they unpack it while this process plans the pages;
        ``start_render`` follows."""
        from multiprocessing.reduction import ForkingPickler

        parts = pack_site(site)
        part = next(parts)
        for following in parts:
            self._send_to_all(bytes(ForkingPickler.dumps(("site-part", part))))
            part = following
        self._send_to_all(bytes(ForkingPickler.dumps(("site", part))))

    def _send_to_all(self, message: bytes) -> None:
        """Have the sending thread send every worker ``message`` (pickled)."""
        def send() -> None:
            for pipe in self._pipes:
                pipe.send_bytes(message)

        self._queue(send)

    def _queue(self, send: Callable[[], object]) -> None:
        """Have the sending thread call ``send`` once what it was given before is sent
        (whose failure, if it failed, is this one's), while this process goes on: a
        worker reads its pipe only when its bodies are done."""
        before = self._sent

        def chained() -> None:
            if before is not None:
                before.result()
            send()

        self._sent = self._sender.submit(chained)

    def wait_until_sent(self) -> None:
        """Wait until the site and the render orders are sent: before anything else goes
        down the pipes, and before this process runs long C calls that hold the
        interpreter lock (``marshal`` of a large event state kept the orders from the
        workers for 1 s at 100,000 stories)."""
        if self._sent is not None:
            sent, self._sent = self._sent, None
            sent.result()

    def start_render(self, shares: Sequence[Sequence[Page]], previous: dict[str, str], *,
                     direct: bool) -> None:
        """Send each worker its article pages (``shares[i]`` for worker i) to render and
        stage, as slugs of the site ``send_site`` sent last: queued after the site if it
        is still being sent (a worker reads it only when its bodies are done), so this
        process goes on meanwhile."""
        if any(page.kind != "article" for share in shares for page in share):
            raise ValueError("workers render article pages only")
        messages = []
        for share in shares:
            paths = [page_path(page.path) for page in share]
            known = {rel: previous[rel] for rel in paths if rel in previous}
            messages.append(("render", [page.article.slug for page in share], known, direct))

        def send() -> None:
            for pipe, message in zip(self._pipes, messages, strict=True):
                pipe.send(message)

        self._queue(send)

    def finish_render(self, progress: Tick | None = None) -> list[StagedFile]:
        """Wait for the workers' rendering to finish."""
        self.wait_until_sent()
        staged: list[StagedFile] = []
        for _index, payload in self._gather(progress):
            staged.extend(payload)
        return staged

    def _gather(self, progress: Tick | None) -> list[tuple[int, Any]]:
        """Each worker's answer, passing on their progress reports as they come (an
        answer sent in parts, a list, is put together)."""
        from multiprocessing.connection import wait

        waiting = dict(enumerate(self._pipes))
        answers: list[tuple[int, Any]] = []
        parts: dict[int, list[Any]] = {}
        while waiting:
            for ready in wait(list(waiting.values())):
                index = next(i for i, p in waiting.items() if p is ready)
                status, payload = _receive(waiting[index])
                if status == "progress":
                    if progress is not None:
                        progress(payload)
                    continue
                if status == "part":
                    parts.setdefault(index, []).extend(payload)
                    continue
                answers.append((index, [*parts.pop(index), *payload] if index in parts
                                else payload))
                del waiting[index]
        return sorted(answers, key=lambda answer: answer[0])

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers; ``wait``: until they have exited (else call ``join`` later:
        a worker that held 50,000 stories takes 0.4 s to give its memory back)."""
        with contextlib.suppress(OSError):  # (a worker died: reading its answer says so)
            self.wait_until_sent()
        self._sender.shutdown()
        for pipe in self._pipes:
            with contextlib.suppress(BrokenPipeError, OSError):
                pipe.send(("stop",))
            pipe.close()
        self._pipes.clear()
        if wait:
            self.join()

    def join(self) -> None:
        """Wait until the workers have exited (killing any still there after 5 s)."""
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        self._processes.clear()


def _serve(pipe: Connection, config: SiteConfig) -> None:
    """The worker loop: parse, then render, until told to stop."""
    gc.enable()  # forked from a build that paused it; rendering makes short-lived cycles
    zone = ZoneInfo(config.timezone)
    store = StoryStore(config, zone)

    def tick(count: int) -> None:
        pipe.send(("progress", count))

    sites: list[Site] = []  # the site to render, as the last "site" message gave it
    unpacking: list[SiteUnpacker] = []  # the site being unpacked, if its parts are coming

    def render(slugs: list[str], previous: dict[str, str], direct: bool) -> list[StagedFile]:
        site = sites[-1]
        feeds = site_feeds(site)
        pages = [article_page(site.by_slug[slug], feeds) for slug in slugs]
        return render_and_stage(site, pages, store, previous, tick, direct=direct)

    def parse(paths: Sequence[str], records: RecordStore, held_after: float | None,
              ) -> list[ParsedRow]:
        return _parse_share(paths, config, zone, store, tick, records,
                            lambda part: pipe.send(("part", part)), held_after=held_after)

    handlers: dict[str, Callable[..., Any]] = {"parse": parse, "render": render}
    while True:
        try:
            command, *args = pipe.recv()
        except EOFError:
            return
        if command == "stop":
            return
        if command == "site-part":  # no answer: more parts follow, then "site"
            if not unpacking:
                unpacking.append(_start_unpacking(config))
            unpacking[0].add(args[0])
            continue
        if command == "site":  # no answer: a "render" follows (a site of no article
            # comes as this part alone)
            unpacker = unpacking.pop() if unpacking else _start_unpacking(config)
            sites[:] = [_finish_unpacking(unpacker, args[0])]
            continue
        if command == "folders":  # no answer: see ``WorkerPool.make_folders``
            with contextlib.suppress(OSError):  # (the pages make those it could not)
                make_folders(args[0].split("\0"), stop=pipe.poll)
            continue
        try:
            pipe.send(("ok", handlers[command](*args)))
        except Exception:  # noqa: BLE001 - reported to the main process, which raises it
            pipe.send(_failure())
            continue
        if command == "parse":  # then its bodies, unasked (see ``WorkerPool.parse``)
            yield_to_the_build()
            with contextlib.suppress(Exception):  # (a failure shows when a page needs it)
                store.render_bodies()


def yield_to_the_build() -> None:
    """Lower this process's scheduling priority (``WORKER_NICENESS``), for a helper whose
    work can wait while the build goes first. A worker does it once it has parsed its
    share: the main process then models the site with a forked helper at full speed,
    while this worker renders its bodies in the time they leave (at 10,000 stories the
    four processes shared two cores for 0.4 s); in the render that follows, the main
    process's pages simply go first, and the cores stay busy either way. The events
    child does it once it has sent the events (``events_child``). (Best effort: not on
    every system.)"""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(WORKER_NICENESS)


def _start_unpacking(config: SiteConfig) -> SiteUnpacker:
    """A ``SiteUnpacker``, with the collector paused until ``_finish_unpacking``, whose
    objects are then frozen out of its sight: they make no cycles and live until the
    worker stops. Collecting while the heap grew to 100,000 articles took 2.1-2.3 s on top
    of the 0.9-1.0 s the unpacking takes, in each worker; frozen, they are not scanned
    again by every full collection while pages are rendered. (What earlier work left is
    collected first, not frozen.)"""
    gc.disable()
    gc.collect()
    return SiteUnpacker(config)


def _finish_unpacking(unpacker: SiteUnpacker, topics: bytes) -> Site:
    """The site ``unpacker`` unpacked, given its last part (see ``_start_unpacking``)."""
    try:
        return unpacker.site(topics)
    finally:
        gc.freeze()
        gc.enable()


def _parse_share(paths: Sequence[str], config: SiteConfig, zone: ZoneInfo,
                 store: StoryStore, tick: Tick, records: RecordStore,
                 send_part: Callable[[list[ParsedRow]], None], *,
                 held_after: float | None = None) -> list[ParsedRow]:
    """Parse ``paths`` (``held_after``: see ``parse.parse_file``); results
    (``parse.parsed_to_row``) go out ``RECORD_BATCH`` at a time through ``send_part`` (the
    main process loads them while the workers go on), the rest are returned."""
    results: list[ParsedRow] = []
    kept: list[tuple[str, str, str]] = []
    # The collector is paused while parsing, as ``build()`` pauses it while loading:
    # parsing makes few cycles, and collecting a heap that grows to 50,000 stories cost
    # 12 s of a 77 s read stage at 100,000 stories. The stories, which live on, are then
    # frozen out of its sight, uncollected: a collection there found nothing to free after
    # 5,000 stories of the benchmark's corpus, and took 0.11 s of a 2.6 s share (what a
    # bad file's error may leave in a cycle stays until the worker exits).
    gc.disable()
    try:
        for done, path in enumerate(paths, start=1):
            if done % TICK_EVERY == 0:
                tick(TICK_EVERY)
            parsed = parse_file(path, config, zone, held_after=held_after)
            if parsed.item is not None:
                store.add(parsed.source, parsed.item)
            summary = parsed.summary
            if summary is not None:
                kept.append((parsed.source, summary.digest, summary.record_json))
                if len(kept) == RECORD_BATCH:  # records are most of a story's weight: store them
                    records.update(kept, removed=())
                    kept.clear()
            results.append(parsed_to_row(parsed))  # (without the record: see to_tuple)
            if len(results) == RECORD_BATCH:
                send_part(results)
                results = []
        records.update(kept, removed=())
        records.close()
    finally:
        gc.freeze()
        gc.enable()  # rendering makes short-lived cycles
    return results
