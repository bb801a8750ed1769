"""The build: read -> validate -> model -> render -> write, in that order.

``build()`` is the one entry point; the CLI and the preview server both call it.
It never prints: it returns a ``BuildReport`` for the caller to show.

Every build is incremental against the cache of the last one (``manifest``):
only content files whose size or mtime changed are read again, only pages whose
inputs changed are rendered again, and only files whose bytes changed are
written. With no cache it is a cold build, parallel across cores. The result is
the same either way, byte for byte.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .aliases import plan_alias_pages
from .body_placements import (
    BodyPlacement,
    body_placements,
    placement_pairs,
    placement_warnings,
    stored_placements,
)
from .cluster_parallel import start_forked
from .config import SiteConfig, build_time
from .config_topics import unused_topic_warnings
from .content_changes import (
    content_stamps,
    reading_also,
    scan_content,
    scan_touched,
    stale_images,
)
from .diagnostics import Diagnostic, Severity
from .fingerprints import (
    ALIAS_FINGERPRINT,
    article_fingerprints,
    naming_site,
    own_templates,
    page_fingerprints,
    reader_digest,
    settings_digest,
    templates_digest,
)
from .frozen import frozen
from .manifest import (
    Manifest,
    cache_path,
    cached_file,
    load_event_state,
    load_manifest,
    load_summaries,
    prune_cache,
    records_path,
    save_event_state,
    save_manifest,
    save_stories,
    spare_path,
    story_delta,
)
from .model import (
    Article,
    Placement,
    Site,
    Unevented,
    article_path,
    build_site,
    evented_site,
    lay_out,
    place_stories,
)
from .moved_pages import MovedPage, moved_page_warnings
from .output import (
    MARKER,
    WriteResult,
    begin,
    changed_files,
    check_output_folder,
    commit,
    list_output_files,
    marker_text,
    recover,
    stage_file,
)
from .pages import FeedLink, Page, article_page, plan_listing_pages, plan_pages, site_feeds
from .parse import ParsedFile, parse_file, stamp_of
from .read import find_content_files
from .record_store import RecordStore
from .relisting import (
    EventMembers,
    Relisted,
    article_slugs,
    bodies_involved,
    kept_fingerprints,
    listing_layout,
    rearticled,
    relisting,
    site_events,
    stories_moved,
    topic_layouts,
    unevented_layout,
)
from .scan import EarlyScan, Stamp, stamp_content
from .schedule import (
    due_sources,
    first_due,
    future_stories,
    future_warnings,
    held_after,
    held_anew,
    held_stories,
    newest_held_back,
)
from .shared_urls import (
    SharedUrl,
    regrouped_by_url,
    shared_url_warnings,
)
from .site_warnings import moved_since, same_url_groups, shared_url_groups, slug_clashes
from .slugs import SlugClash, slug_clash_warnings
from .store import StoryStore
from .summary import StorySummary
from .theme import REPLACEABLE, CopiedFiles, copied_files, root_collisions, template_digests
from .topic_spellings import topic_merge_warnings
from .urls import page_path
from .workers import (
    TICK_EVERY,
    StagedFile,
    Tick,
    WorkerPool,
    render_and_stage,
    render_forked,
    render_work,
    worker_count,
)

if TYPE_CHECKING:
    from .cluster_parallel import Forked
    from .events import EventState
    from .events_child import EventsChild
    from .model_patch import PatchIndex, SitePatch

PARALLEL_FROM = 400
"""Read files in worker processes (which then render the article pages) when at least
this many files must be read."""
FORK_FROM = 150.0
"""Work to render (``render_work``: about one HTML page a unit, 0.7-0.9 ms) from which a
build that read fewer files forks a helper to render half of it. Forking the process that
holds a site of 10,000 stories costs 8-10 ms (the fork itself, then copy-on-write faults
in both processes) and more CPU: on a delete there, whose 498 pages (471 of them pages of
the JSON API) weigh 170 units, the build took 0.62 s forked against 0.66 s; on an add,
whose 23 pages and sitemap weigh 131, forked or not took the same (medians 0.483 s over 8
builds each), forked with 44 ms more CPU."""
FORK_FROM_SERVING = 500.0
"""``FORK_FROM`` for the preview server, whose process holds the last site and its pages
as well (more to copy on write): at 200 pages its median edit at 10,000 stories went from
0.34 to 0.46 s forked."""

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` during long stages."""

SAVE_ALONGSIDE_UP_TO = 30_000
"""Most stories whose event state and summaries a forked child writes while the pages are
made, after fingerprinting the article pages on an incremental build (see
``_save_meanwhile`` and ``_articles_meanwhile``; ``cluster_parallel.start_forked`` forks
from 3,000 items)."""

PendingCache = tuple[Path, Manifest, "EventState | None", bool]
"""A build's cache, to write: (manifest file, manifest, event state, whether the
manifest's stories are stored already)."""


@frozen
class BuildReport:
    """What a build did and found."""

    stories: int
    """Articles in the site."""
    topics: int
    """Topics in the site."""
    pages: int
    """Pages in the site."""
    rendered: int
    """Pages rendered by this build (the others were unchanged)."""
    files: int
    """Files in the output."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found, in file order."""
    body_matches: tuple[BodyPlacement, ...]
    """What became of each plain-text body file."""
    clusters: tuple[tuple[str, tuple[str, ...]], ...]
    """Each event: its id and the source files of its stories, lead first."""
    write: WriteResult
    """What writing changed."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage."""
    held: int = 0
    """Stories held back because they are dated after the build's time (see
    ``SiteConfig.future``)."""
    held_until: float | None = None
    """The date of the first of them to come (seconds since 1970), None when none is
    held back: the first build at or after it publishes that story."""
    accepted_moves: tuple[MovedPage, ...] = ()
    """The moves of pages that ``accept_moves`` forgot: those this build would have
    warned of without it (see ``moved_pages``), in order."""

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that dropped an item."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that kept the item."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def seconds(self) -> float:
        """Total time."""
        return sum(self.timings.values())


@dataclass(slots=True, repr=False, eq=False)
class BuildMemory:
    """What a long-lived caller (the preview server) keeps between its builds of one site
    and output, so that each build skips loading the cache from disk. ``build`` fills it."""

    manifest: Manifest | None = None
    """The last build's manifest, summaries loaded."""
    site: Site | None = None
    """The last build's site model, event state included (an edit that keeps its shape
    patches it)."""
    pages: list[Page] | None = None
    """The last build's pages."""
    fingerprints: dict[str, str] | None = None
    """The last build's page fingerprints, by output path."""
    index: PatchIndex | None = None
    """The reverse links of the last site, when a patch made them."""
    templates: dict[str, str] | None = None
    """The template digests the last build's fingerprints hold."""
    defer_saves: bool = False
    """Keep the cache files of a build for ``save`` instead of writing them at once
    (the server saves when idle, so an editor's page is not held up by them)."""
    unsaved: PendingCache | None = None
    """The cache of the last build, not yet written: (manifest file, manifest, events)."""

    def forget(self) -> None:
        """Drop what a failed build may have left half-updated (not the unsaved cache of
        the last good build: it still describes the output and the sources it read)."""
        self.manifest = self.site = self.pages = self.fingerprints = None
        self.index = self.templates = None

    def save(self) -> None:
        """Write the cache files of the last build, if they wait."""
        if self.unsaved is not None:
            cache = self.unsaved
            self.unsaved = None
            _save_cache(*cache)


def build(config: SiteConfig, *, now: float | None = None, progress: Progress | None = None,
          use_cache: bool = True, memory: BuildMemory | None = None,
          touched: Collection[str] | None = None,
          scan: EarlyScan | None = None,
          retain: list[object] | None = None, accept_moves: bool = False) -> BuildReport:
    """Build the site described by ``config`` into ``config.output``.

    ``now``: the build's time, in seconds since 1970 (default ``config.build_time``:
    ``SOURCE_DATE_EPOCH``, else the clock); the stories dated after it are held back
    unless ``config.future``, and the first build at or after a held-back story's date
    publishes it, warm or cold alike.

    ``touched``: with ``memory``, every site-relative path that may have changed since
    the last build (the preview server's watcher knows them): then only those content
    files are looked at instead of every one. A folder among them, or a path that is
    neither there nor a known content file, means a full look after all.

    The cyclic garbage collector is paused while the cache is loaded and the site is
    modeled (a storm of small, long-lived, acyclic objects: collecting them cost a
    quarter of an incremental build), then those objects are frozen out of its sight
    and it runs again while pages are rendered (Jinja makes short-lived cycles).

    ``scan``: the content files' stamps, being taken by a child the caller forked before
    it imported this module (``scan.start_scan``: the CLI); used if it scanned this site.

    ``retain``: a caller that ends its process without freeing its objects (the CLI) passes
    a list, and the build puts in it the large structures it would otherwise free as it
    returns (the manifest with every summary, the event state the child stored): freeing
    them took 0.05-0.06 s of a fresh build after one edit at 10,000 stories.

    ``accept_moves``: the pages moved since an earlier build that the last build warned
    about were meant: forget them (see ``moved_pages``; a move this build finds is still
    warned about).
    """
    collecting = gc.isenabled()
    gc.disable()
    manifest_file = cache_path(config.source, config.output)
    first = use_cache and not manifest_file.exists()  # (the first build into this output:
    # it prunes the cache of output folders that are gone, see ``prune_cache``)
    saving: list[Forked[Any] | EventsChild] = []  # (what a child makes meanwhile: see _build)
    exiting: list[WorkerPool] = []  # (workers told to stop, exiting while the cache is saved)
    try:
        report, cache = _build(config, manifest_file,
                               now=build_time(config) if now is None else now,
                               progress=progress, use_cache=use_cache,
                               memory=memory, touched=touched, scan=scan, saving=saving,
                               exiting=exiting, accept_moves=accept_moves)
        if retain is not None:
            retain += (cache, saving)
        started = time.perf_counter()
        for child in saving:  # (on disk before the manifest that follows it)
            child.result()
        if first:
            prune_cache(manifest_file)
        if cache is None:
            return report
        if memory is not None and memory.defer_saves:
            memory.unsaved = cache
            return report
        # (saved once ``_build`` has returned: the site and pages it made are freed by
        # then unless ``memory`` keeps them, and at 100,000 stories the summaries'
        # marshalled bytes, 112 MB, came on top of them: the build's peak memory)
        _save_cache(*cache)
        timings = dict(report.timings)
        timings["write"] = round(timings.get("write", 0.0) + time.perf_counter() - started, 4)
        return replace(report, timings=timings)
    except BaseException:
        for child in saving:
            child.cancel()  # (waits for it: a half-written state is never left behind)
        if memory is not None:
            memory.forget()
        with contextlib.suppress(Exception):  # (the build's own failure is the one to see)
            recover(config.output)  # a failed build leaves no staging folder beside the
            # output (and a commit it made is completed)
        raise
    finally:
        if scan is not None:
            scan.cancel()  # (if the build never needed it)
        for pool in exiting:
            pool.join()
        gc.unfreeze()
        if collecting:
            gc.enable()
        else:
            gc.disable()


def _build(config: SiteConfig, manifest_file: Path, *, now: float, progress: Progress | None,
           use_cache: bool, memory: BuildMemory | None, touched: Collection[str] | None,
           scan: EarlyScan | None, saving: list[Forked[Any] | EventsChild],
           exiting: list[WorkerPool], accept_moves: bool = False,
           ) -> tuple[BuildReport, PendingCache | None]:
    """The build (its cache index at ``manifest_file``); returns its report and the cache
    it leaves to write (None: unchanged); what a forked child makes meanwhile (see
    :func:`_save_meanwhile`) is put in ``saving``, for the caller to wait for before it
    writes the manifest; a worker pool, once stopped, in ``exiting``, for the caller to
    wait for its exit."""
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = round(timings.get(stage, 0.0) + now - clock[0], 4)
        clock[0] = now

    check_output_folder(config.output, source=config.source)
    zone = ZoneInfo(config.timezone)
    remembered = memory is not None and memory.manifest is not None and use_cache \
        and _output_matches(config.output, memory.manifest)
    if remembered and memory is not None and memory.manifest is not None:
        manifest = memory.manifest  # summaries already loaded
    else:
        if memory is not None:
            memory.save()  # what the disk holds must be the newest before it is read
        manifest = load_manifest(manifest_file) if use_cache else Manifest()
    reader = reader_digest(config)
    reread = manifest.reader != reader or held_anew(config, manifest.newest, now)
    last_files = manifest.files  # (where the last build's stories were: see moved_pages)
    if reread:
        if manifest.files and not remembered:
            load_summaries(manifest_file, manifest)  # (for their addresses only)
        manifest.files = {}  # files were read with other settings: read them all again
    if not _output_matches(config.output, manifest):
        manifest.pages = {}  # the output is not what we last wrote: compare files on disk
    settings = settings_digest(config)
    templates = template_digests(config.source)
    templates_key = templates_digest(templates)
    copied = copied_files(config.source)
    assets = dict(copied.static)  # (and the files of root/ that collide with none, once
    # the pages are planned: see ``_publish_root``)
    hinted = scan_touched(config, manifest, touched) \
        if remembered and touched is not None and not reread else None  # (after a
    # change of the settings files are read with, the files not touched are read too: the
    # hint had only the touched ones read, and every other file was taken as gone)
    stamps: list[Stamp] | None = None  # (the files listed: none after a hinted scan)
    if hinted is not None:
        state = hinted
    else:
        stamps = content_stamps(config, scan)
        state = scan_content(config, manifest, stamps)
    state = reading_also(config, state, [  # (what the files themselves do not say)
        *stale_images(config, manifest, state),
        *due_sources(config, manifest.held, now, state.sources)])  # (held back, now due)
    lap("scan")
    unchanged = bool(manifest.pages and settings == manifest.settings and not state.changed
                     and templates_key == manifest.templates
                     and not state.removed and _copied_unchanged(copied, manifest)
                     and not (accept_moves and manifest.moved))
    gone = _gone(config.output, manifest.pages, saving, at_once=unchanged)
    if unchanged and not gone():
        return _report_unchanged(config, manifest, timings, copied, now), None

    records = RecordStore(records_path(manifest_file))
    events_child = _events_meanwhile(config, manifest_file, manifest, saving) \
        if memory is None and len(state.changed) < PARALLEL_FROM else None
    if manifest.files and not (records.usable() and (
            remembered or load_summaries(manifest_file, manifest))):
        manifest.files = {}  # summaries or records lost: read every file again
        state = scan_content(config, manifest,
                              stamps if stamps is not None else stamp_content(config.source))
        if events_child is not None:  # (before any worker is forked: see events_child)
            events_child.cancel()
            saving.remove(events_child)
            events_child = None
    records.update((), removed=state.removed, fresh=not manifest.files)
    store = StoryStore(config, zone)
    pool = WorkerPool(config, worker_count()) if len(state.changed) >= PARALLEL_FROM else None
    try:
        parsed, holders = _parse(state.changed, config, zone, store, pool, records,
                                 _ticker(progress, "reading", len(state.changed)),
                                 held_after=held_after(config, now))
        held = held_stories(manifest.held, state.sources, parsed)
        files = {src: entry for src, entry in manifest.files.items() if src in state.sources}
        files.update((p.source, cached_file(p)) for p in parsed)
        files = dict(sorted(files.items()))
        read_now = {p.source for p in parsed}
        site_files = {src: found for src, found in manifest.site_files.items()
                      if src in files and src not in read_now}  # (see _with_stale_images)
        site_files.update((p.source, p.site_files) for p in parsed if p.site_files)
        records.update(((p.source, p.summary.digest, p.summary.record_json)
                        for p in parsed if p.summary is not None and p.summary.record_json),
                       removed=())
        lap("read")
        missing = gone() | _unreplaced(copied, manifest)  # (deleted or edited since by
        # somebody else, or no longer replaced by a file of root/: every page is planned,
        # as after a template change, and these are compared with the disk)
        if missing:
            manifest.pages = {rel: entry for rel, entry in manifest.pages.items()
                              if rel not in missing}
        same_settings = settings == manifest.settings
        old = manifest.pages if same_settings else {}  # (what the pages were made from)
        relistable = templates_key == manifest.templates and not missing  # (whether the
        # listing pages can be laid out from the last build's: see ``_relisting``)
        direct: bool | None = None  # (whether files are written in place: see ``begin``)
        early = False  # (whether the workers were set to render their articles already)
        article_pages: list[Page] | None = None  # (made for that, then planned with the rest)
        stories_saved = False  # (the summaries, stored under a new id: Manifest.stories_id)
        events: EventMembers | None = None  # (the site's, once made: relisting.site_events)
        relisted: Relisted | None = None  # (the listing pages fingerprinted, if not all)
        ahead = _Ahead()  # (what is made while the events child makes the events)
        stories = Manifest(files=files, stories_id=os.urandom(8).hex())  # (what to store:
        # a delta where the stories stored are the disk's, not the preview server's)
        stories.store_as(story_delta(manifest, files, [p.source for p in parsed])
                         if memory is None else None)
        patch = _patch(memory, parsed, config, records, templates) \
            if remembered and same_settings and manifest.pages and not state.removed \
            and not missing else None
        if patch is not None:
            site, pages, fingerprints = patch.site, patch.pages, patch.fingerprints
            candidates = patch.touched
            if pool is not None:
                pool.send_site(site)
        else:
            placed = None
            if pool is not None and not old:  # every page is rendered, by the workers too
                direct = begin(config.output, manifest.build_id, known=bool(manifest.pages))
                if direct:  # (a worker makes the articles' folders while this process
                    # models the site: 10,000 system calls less in the pages' rendering)
                    placed = partial(_make_article_folders, pool, config.output)
            site = _model(config, [e.summary for e in files.values() if e.summary is not None],
                          parsed, records, events_child,
                          partial(_previous_events, manifest, memory, remembered,
                                  manifest_file),
                          stories, meanwhile=partial(ahead.make, config, templates, old),
                          placed=placed)
            stories_saved = events_child is not None  # (the child stores them)
            helping: Forked[dict[str, str]] | None = None
            unsaved: EventState | None = None  # (the event state, to store here)
            rearticles: list[Article] | None = None  # (the articles whose fingerprints
            # can differ, when known: see relisting.rearticled)
            if memory is None:  # nobody keeps the event state: store it and free it (on
                # a large site before the pages are planned: at 100,000 stories freeing it
                # and its marshalled bytes, 145 MB, gives back ~440 MB; kept, it made the
                # build's peak)
                if old and events_child is not None \
                        and events_child.related_changed is not None:
                    read = _last_summaries(manifest, parsed, state.removed)
                    if not bodies_involved(site, read):
                        events, relisted = _relisting(site, manifest, parsed, read,
                                                      relistable, ahead, templates)
                    if relisted is not None:
                        rearticles = rearticled(site, read, relisted,
                                                events_child.related_changed)
                if pool is None and old and len(site.articles) <= SAVE_ALONGSIDE_UP_TO \
                        and rearticles is None:
                    helping = _articles_meanwhile(site, templates, manifest_file,
                                                  None if stories_saved else stories, saving)
                    stories_saved = stories_saved or helping is not None
                if not stories_saved:
                    stories_saved = _save_meanwhile(manifest_file, site, saving, stories)
                unsaved = None if stories_saved else site.event_state
                site = replace(site, event_state=None)
            if pool is not None:
                pool.send_site(site)  # (the workers unpack it while the pages are planned)
                if not old:  # every page is rendered: the workers begin on their articles
                    # now, not once this process has planned every page and sent them
                    # their shares (they waited 0.3 s for it at 10,000 stories, 3.8 s at
                    # 100,000)
                    assert direct is not None  # (known before the site was modeled)
                    feeds = site_feeds(site)
                    article_pages = [article_page(article, feeds) for article in site.articles]
                    pool.start_render(_article_shares(article_pages, holders, pool.size), {},
                                      direct=direct)
                    early = True
            if unsaved is not None:  # (here, once the workers have the site: at 100,000
                # stories they unpack it meanwhile, instead of waiting 1.2 s more for it)
                if pool is not None:
                    pool.wait_until_sent()
                save_event_state(manifest_file, unsaved)
                del unsaved
            fingerprints = None
            if helping is not None or (old and memory is None):  # only the articles to
                # render are planned (at 100,000 stories planning every page took 1.6 s),
                # their fingerprints made by the child (if any) meanwhile
                if events is None:  # (not made before the child was forked)
                    events, relisted = _relisting(
                        site, manifest, parsed, _last_summaries(manifest, parsed, state.removed),
                        relistable, ahead, templates)
                if relisted is None:
                    pages = plan_listing_pages(site)
                    fingerprints = page_fingerprints(site, pages, templates)
                else:  # (laid out as the last build: see relisting)
                    pages = relisted.pages
                    fingerprints = kept_fingerprints(ahead.take_kept_fingerprints(old),
                                                     relisted)
                    fingerprints.update(page_fingerprints(site, pages, templates))
                if helping is not None:
                    fingerprints.update(helping.result())
                    saving.remove(helping)
                else:  # (those that can differ, when known, else all)
                    fingerprints.update(article_fingerprints(site, templates, rearticles))
                pages += _articles_to_render(site.articles if rearticles is None
                                             else rearticles, fingerprints, old,
                                             site_feeds(site))  # (the
                # others keep the last build's fingerprints: see above)
                candidates = pages
            else:
                pages = candidates = plan_pages(site, article_pages)
        if patch is None:  # (a patch keeps every story's aliases and address: its pages
            # hold the last build's alias pages, and their problems are the last build's)
            aliases, alias_problems = plan_alias_pages(
                site, fingerprints if fingerprints is not None
                else {page_path(p.path) for p in pages})
            if aliases:
                pages = [*pages, *aliases]
                candidates = [*candidates, *aliases]
                if fingerprints is not None:
                    fingerprints.update(page_fingerprints(site, aliases, templates))
        else:
            alias_problems = tuple(map(Diagnostic.from_tuple, manifest.alias_problems))
        later: Callable[[], dict[str, str]] | None = None
        if fingerprints is None and not old:
            # Nothing to compare with: every page is rendered, and their fingerprints (for
            # the next build) are made while the workers render, not before they can begin.
            to_render = list(candidates)
            later = cache(partial(page_fingerprints, site, pages, templates))
        else:
            if fingerprints is None:
                fingerprints = page_fingerprints(site, pages, templates)
            to_render = [p for p in candidates
                         if old.get(rel := page_path(p.path), ("",))[0] != fingerprints[rel]]
        root_problems = _publish_root(copied, assets, fingerprints if fingerprints is not None
                                      else {page_path(p.path) for p in pages}) \
            if copied.root else ()  # (no walk over every page's path without root/)
        if assets.keys() & REPLACEABLE:  # (a generated file a file of root/ replaces)
            to_render = [p for p in to_render if page_path(p.path) not in assets]
        lap("model" if patch is None else "patch")
        gc.freeze()
        gc.enable()
        if direct is None:
            direct = begin(config.output, manifest.build_id, known=bool(manifest.pages))
        previous = {rel: was[1] for rel in chain((page_path(p.path) for p in to_render), assets)
                    if (was := manifest.pages.get(rel)) is not None}  # (the digests the
        # files to write had: after an edit, 10 of 12,000 at 10,000 stories)
        tick = _ticker(progress, "rendering", len(to_render))
        if pool is None and worker_count() > 1 and render_work(to_render) >= (
                FORK_FROM if memory is None else FORK_FROM_SERVING):
            staged = render_forked(site, to_render, store, previous, worker_count(), tick,
                                   direct=direct, meanwhile=later)
        else:
            meanwhile: Callable[[], object] | None = later
            if memory is None and pool is not None and not stories_saved:  # (a large
                # site: stored here while the workers finish their pages, not after them,
                # on one core; the preview server saves when it is idle)
                meanwhile = partial(_then_save_stories, later, manifest_file, stories)
                stories_saved = True
            staged = _render(site, to_render, store, pool, holders, previous, tick, direct,
                             meanwhile, articles_started=early)
        if later is not None:
            fingerprints = later()
        assert fingerprints is not None  # (made before rendering, or by ``later``)
        lap("render")
    finally:
        if pool is not None:
            pool.close(wait=False)
            exiting.append(pool)
    spares = spare_path(config.source, config.output)
    for rel, path in assets.items():
        staged.append((rel, *stage_file(config.output, rel, path.read_bytes(), previous.get(rel),
                                        direct=direct, spares=spares)))
    new_pages = {rel: manifest.pages[rel] for rel in fingerprints if rel in manifest.pages}
    new_pages.update((rel, (_asset_key(assets, rel) if rel in assets
                            else fingerprints[rel], digest))
                     for rel, digest, _changed in staged)
    build_id = _build_id(new_pages, built_for=config.site_url)
    # (a fresh output held nothing before: ``direct`` builds skip walking what they wrote)
    old_files = manifest.pages.keys() | missing if manifest.pages or direct \
        else list_output_files(config.output)  # (``missing``: a file edited by hand that
    # is no longer made is removed, as the others the last build wrote)
    written = commit(config.output, keep=new_pages.keys(), previous=old_files,
                     marker_text=build_id,
                     staged=[rel for rel, _d, changed in staged if changed],
                     written_in_place=sum(changed for _r, _d, changed in staged) if direct else 0,
                     spares=spares, touched=bool(missing))
    if events is None:
        events = site_events(site, ahead.article_slugs(site))
    placements = body_placements(site)
    future = future_stories(site.articles, now)
    clashes = slug_clashes(site)
    moved, accepted = moved_since(
        manifest, last_files, parsed,
        sorted(last_files.keys() - state.sources) if reread else state.removed,
        ahead.article_slugs(site), clashes, new_pages, accept=accept_moves)
    shared = shared_url_groups(config, site)
    merges = topic_merge_warnings(site.topic_merges)
    html_pages = sum(rel.endswith(".html") for rel in fingerprints)
    kept = Manifest(settings, templates_key, build_id, files, new_pages, reader, events,
                    placement_pairs(placements),
                    (len(site.articles), len(site.topics), html_pages), stories.stories_id,
                    output=str(config.output.resolve()),
                    layout=ahead.listing_layout(site),
                    topic_layouts={**manifest.topic_layouts, **relisted.relaid}
                    if relisted is not None else topic_layouts(pages), future=future,
                    clashes=tuple(clash.to_tuple() for clash in clashes),
                    shared_urls=tuple(group.to_tuple() for group in shared),
                    alias_problems=tuple(map(Diagnostic.to_tuple, alias_problems)),
                    topics=tuple(topic.ref.name for topic in site.topics),
                    site_files=dict(sorted(site_files.items())),
                    topic_merges=tuple(map(Diagnostic.to_tuple, merges)),
                    moved=tuple(move.to_tuple() for move in moved), held=held,
                    newest=newest_held_back(config, site.articles))
    kept.store_as(stories.story_delta)
    if memory is not None:
        memory.manifest = kept
        memory.site, memory.pages, memory.fingerprints = site, pages, fingerprints
        memory.index = patch.index if patch is not None else None
        memory.templates = templates
    lap("write")
    report = BuildReport(
        stories=len(site.articles), topics=len(site.topics),
        pages=html_pages,
        rendered=len(to_render), files=len(new_pages),
        diagnostics=tuple(d for e in files.values() for d in e.diagnostics)
        + placement_warnings(placements) + future_warnings(future, now)
        + slug_clash_warnings(clashes, path_of=article_path) + shared_url_warnings(shared)
        + alias_problems + merges + moved_page_warnings(moved)
        + unused_topic_warnings(config, kept.topics) + copied.problems + root_problems,
        body_matches=placements, clusters=events, write=written, timings=timings,
        held=len(held), held_until=first_due(held), accepted_moves=accepted,
    )
    return report, (manifest_file, kept, site.event_state, stories_saved)


def _gone(output: Path, pages: dict[str, tuple[str, str]],
          saving: list[Forked[Any] | EventsChild], *, at_once: bool
          ) -> Callable[[], set[str]]:
    """Which of the files of the last build's ``pages`` are no longer in ``output`` as it
    left them (``changed_files``), when called (cached): looked for then (``at_once``), or
    else by a forked child while this process reads the files, which is in
    ``saving`` until its result is taken (a build failing before that cancels it)."""
    if not at_once:
        started = start_forked([partial(changed_files, output, pages.keys())],
                               items=len(pages))
        if started is not None:
            child = started[0]
            saving.append(child)

            def taken() -> set[str]:
                saving.remove(child)
                found: set[str] = child.result()
                return found

            return cache(taken)
    return cache(partial(changed_files, output, pages.keys()))


def _events_meanwhile(config: SiteConfig, manifest_file: Path, manifest: Manifest,
                      saving: list[Forked[Any] | EventsChild]) -> EventsChild | None:
    """On a large site built before, a child that loads the last event state while this
    process loads the summaries, then makes the events (see ``events_child``); also put in
    ``saving``, as it stores the new state. None when it does not fork."""
    if not manifest.files:
        return None
    from .events_child import start_events_child  # (imports the clustering engine)

    child = start_events_child(manifest_file, manifest, threshold=config.cluster_threshold,
                               related_count=config.related_count)
    if child is not None:
        saving.append(child)
    return child


def _model(config: SiteConfig, summaries: list[StorySummary], parsed: Sequence[ParsedFile],
           records: RecordStore, events_child: EventsChild | None,
           previous_events: Callable[[], EventState | None], stories: Manifest, *,
           meanwhile: Callable[[Placement, Unevented], object],
           placed: Callable[[Placement], object] | None = None) -> Site:
    """The site model. Its events are made by ``events_child`` if there is one (which then
    stores their state, the site holding none, and the ``stories``: the files and stories
    id of the manifest to come), else here from ``previous_events()``.
    ``meanwhile`` is given the placement and the site laid out without its events while
    the child makes them (this process waited 0.02-0.025 s for them at 10,000 stories),
    and is not called at all without a child; ``placed`` is told where the stories go as
    soon as that is known."""
    if events_child is None:
        return build_site(config, summaries, records, previous_events(), placed=placed)
    placement = place_stories(summaries)
    if placed is not None:
        placed(placement)
    events_child.send(placement, {p.source: p.summary for p in parsed if p.summary is not None},
                      stories)
    laid = lay_out(config, placement)
    meanwhile(placement, laid)
    return evented_site(config, laid, records, *events_child.events())


@dataclass(slots=True, repr=False, eq=False)
class _Ahead:
    """What a build after an edit makes while its events child makes the events, for
    later (see ``_model``): each is made then, or when first asked for."""

    layout: str | None = None
    """The site's ``relisting.listing_layout``."""
    kept: dict[str, str] | None = None
    """The last build's fingerprint of each page, assets left out."""
    slug_of: dict[str, str] | None = None
    """Each article's slug by source path (``relisting.article_slugs``)."""

    def make(self, config: SiteConfig, templates: dict[str, str],
             old: dict[str, tuple[str, str]], placement: Placement, laid: Unevented) -> None:
        """Make them, for the stories' ``placement`` and the site ``laid`` out (and the
        last build's pages ``old``). Also imports Jinja and the renderer, which the pages
        are rendered with next: 0.022 s after one edit at 10,000 stories, that this process
        spent waiting for the child's events otherwise, and then on its way to the pages."""
        from . import render  # noqa: F401
        naming_site(config.source, templates)
        own_templates(templates)  # (the default theme's digests, found once a process)
        self.layout = unevented_layout(laid)
        self.kept = _kept_fingerprints(old)
        self.slug_of = placement.slugs

    def article_slugs(self, site: Site) -> dict[str, str]:
        """Each article of ``site`` by source path."""
        if self.slug_of is None:
            self.slug_of = article_slugs(site)
        return self.slug_of

    def listing_layout(self, site: Site) -> str:
        """The listing layout of ``site``."""
        if self.layout is None:
            self.layout = listing_layout(site)
        return self.layout

    def take_kept_fingerprints(self, old: dict[str, tuple[str, str]]) -> dict[str, str]:
        """The last build's fingerprint of each page of ``old`` but its assets, for the
        caller to keep (and change)."""
        kept, self.kept = self.kept, None
        return kept if kept is not None else _kept_fingerprints(old)


def _kept_fingerprints(old: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {rel: fp for rel, (fp, _d) in old.items()
            if not fp.startswith(("asset:", ALIAS_FINGERPRINT))}  # (the alias pages are
    # planned and fingerprinted on every build: see ``aliases``)


def _make_article_folders(pool: WorkerPool, output: Path, placement: Placement) -> None:
    """Have a worker make the folders of the placed stories' pages (see
    ``WorkerPool.make_folders``), in the order the pages are written."""
    pool.make_folders([f"{output}/{article_path(slug)}"
                       for slug in map(placement.slugs.__getitem__,
                                       (story.source for story in placement.ordered))])


def _previous_events(manifest: Manifest, memory: BuildMemory | None, remembered: bool,
                     manifest_file: Path) -> EventState | None:
    """The event state of the last build: none after a cold start, the one the preview
    server keeps (``memory``, if ``remembered``), else the one stored. A state the
    server will keep has no ``origin``: it is stored whole (see ``save_event_state``),
    and the records it was loaded with are not kept alive with it."""
    if not manifest.files:
        return None
    if memory is not None and remembered:
        return memory.site.event_state if memory.site else None
    state = load_event_state(manifest_file)
    return replace(state, origin=None) if state is not None and memory is not None else state


def _save_meanwhile(manifest_file: Path, site: Site, saving: list[Forked[Any] | EventsChild],
                    stories: Manifest) -> bool:
    """Store the site's event state: up to ``SAVE_ALONGSIDE_UP_TO`` stories, in a forked
    child while this process plans, renders and writes the pages (put in ``saving``, to
    wait for), with the stories (summaries) of the manifest to come (``stories``: its
    files and stories id). Returns whether it did; if not, ``_build`` stores both itself.

    At 10,000 stories writing the state takes 0.07-0.10 s and the stories 0.06-0.07 s,
    together a fifth of a fresh build after one edit: forked before the pages are planned,
    the child writes them while this process, on one core, plans the pages. A larger
    state is written by this process: the child's copy of the pages it reads would add as
    much memory again as the state takes (440 MB at 100,000), and the copies this process
    makes of the pages it writes while the child runs slowed its next 3 s by 1.2 s."""
    if len(site.articles) <= SAVE_ALONGSIDE_UP_TO:
        started = start_forked([partial(save_event_state, manifest_file, site.event_state),
                                partial(save_stories, manifest_file, stories)],
                               items=len(site.articles))  # (both return None, which
        # marshal sends back as any result)
        if started is not None:
            saving.extend(started)  # (in order: a failing build closes the first pipe
            # first, so the child is never left writing into a pipe nobody reads)
            return True
    return False


def _then_save_stories(first: Callable[[], object] | None, manifest_file: Path,
                       stories: Manifest) -> None:
    """``first()`` (if any), then store the stories of ``stories`` (see ``save_stories``)."""
    if first is not None:
        first()
    save_stories(manifest_file, stories)


def _articles_meanwhile(site: Site, templates: dict[str, str], manifest_file: Path,
                        stories: Manifest | None, saving: list[Forked[Any] | EventsChild]
                        ) -> Forked[dict[str, str]] | None:
    """A forked child that makes the fingerprints of the site's article pages (from the
    articles: it plans them itself), then stores the site's event state (if it holds it)
    and the ``stories`` (if any: the files and stories id of the manifest to come), while
    this process plans and fingerprints the other pages. It is put in ``saving``; the
    fingerprints are returned (None: it did not fork).

    At 10,000 stories planning every page took 0.13 s and fingerprinting them 0.3 s,
    half of it in a child forked for that, the stores in a second child."""
    naming_site(site.config.source, templates)  # (found before forking, so that the child
    # has it too: usually found already, while the events child worked, see _model)
    works: list[Callable[[], object]] = [partial(article_fingerprints, site, templates),
                                         partial(save_event_state, manifest_file,
                                                 site.event_state)]
    if stories is not None:
        works.append(partial(save_stories, manifest_file, stories))
    started = start_forked(works, items=len(site.articles), awaited=True)
    if started is None:
        return None
    saving.extend(started)  # (in order: see _save_meanwhile)
    return started[0]


def _last_summaries(manifest: Manifest, parsed: Sequence[ParsedFile],
                    removed: Sequence[str]) -> dict[str, StorySummary | None]:
    """What the last build (``manifest``) had of each file read again or gone (None: no
    story)."""
    return {source: entry.summary if (entry := manifest.files.get(source)) else None
            for source in chain((p.source for p in parsed), removed)}


def _relisting(site: Site, manifest: Manifest, parsed: Sequence[ParsedFile],
               last: Mapping[str, StorySummary | None], relistable: bool, ahead: _Ahead,
               templates: dict[str, str]) -> tuple[EventMembers, Relisted | None]:
    """The site's events, and what changed in its listings when they are laid out from
    what those of the last build (``manifest``) were, or from that but for stories that
    came or went (``last``: ``_last_summaries``); None unless ``relistable`` (the last
    build's pages are all there, made with the same ``templates``)."""
    slug_of = ahead.article_slugs(site)
    events = site_events(site, slug_of)
    if not relistable or _bodies_moved(site, manifest, parsed, last):
        return events, None
    moved = None
    if ahead.listing_layout(site) != manifest.layout:
        came = [source for source, summary in last.items()
                if summary is None and source in slug_of]
        went = [summary for source, summary in last.items()
                if summary is not None and source not in slug_of]
        moved = stories_moved(site, slug_of, came, went, manifest.layout) \
            if came or went else None
        if moved is None:
            return events, None
    return events, relisting(site, [p.source for p in parsed], events, manifest.events,
                             manifest.topic_layouts, slug_of, moved,
                             reshared=regrouped_by_url(
                                 same_url_groups(site),
                                 (tuple(source for source, _url, _line in group)
                                  for group in manifest.shared_urls)),
                             own=own_templates(templates))


def _bodies_moved(site: Site, manifest: Manifest, parsed: Sequence[ParsedFile],
                  last: Mapping[str, StorySummary | None]) -> bool:
    """Whether a plain-text body file was read again (``parsed``; ``last``: see
    ``_last_summaries``) or is placed otherwise than in the last build: then cards that
    no file read again names can differ (an article without an excerpt shows its body
    file's lead: ``Article.excerpt``), which ``relisting`` does not follow."""
    if any(p.summary is not None and p.summary.is_body_file for p in parsed) \
            or any(s is not None and s.is_body_file for s in last.values()):
        return True
    return bool(manifest.placements) \
        and manifest.placements != placement_pairs(body_placements(site))  # (none last
    # time, and none read now: the site has none)


def _articles_to_render(articles: Sequence[Article], fingerprints: dict[str, str],
                        old: dict[str, tuple[str, str]], feeds: tuple[FeedLink, ...]
                        ) -> list[Page]:
    """The pages of ``articles`` whose fingerprint is not the one of the last build."""
    pages = []
    for article in articles:
        rel = page_path(article.path)
        if old.get(rel, ("",))[0] != fingerprints[rel]:
            pages.append(article_page(article, feeds))
    return pages


def site_for(config: SiteConfig, *, now: float | None = None
             ) -> tuple[Site, tuple[Diagnostic, ...]]:
    """Read and model the site without rendering or writing (for tools and tests), as
    ``build`` at ``now`` (default ``config.build_time``) would."""
    zone = ZoneInfo(config.timezone)
    after = held_after(config, build_time(config) if now is None else now)
    parsed = [parse_file(p, config, zone, held_after=after)
              for p in find_content_files(config.content_dir)]
    site = build_site(config, [p.summary for p in parsed if p.summary is not None])
    return site, tuple(d for p in parsed for d in p.diagnostics)


def _save_cache(manifest_file: Path, manifest: Manifest, events: EventState | None,
                stories_saved: bool = False) -> None:
    save_event_state(manifest_file, events)
    save_manifest(manifest_file, manifest, stories=not stories_saved)


def _patch(memory: BuildMemory | None, parsed: Sequence[ParsedFile], config: SiteConfig,
           records: RecordStore, templates: dict[str, str]) -> SitePatch | None:
    """The remembered site patched with the files just read, when they keep its shape."""
    if memory is None or memory.site is None or memory.pages is None \
            or memory.fingerprints is None or memory.templates != templates:
        return None  # (a template change: model it all, render what uses the template)
    from .model_patch import patch_site  # (here: only the preview server patches)

    changed = {p.source: p.summary for p in parsed if p.summary is not None}
    dropped = [p.source for p in parsed if p.summary is None]
    return patch_site(memory.site, memory.pages, memory.fingerprints, changed,
                      dropped=dropped, config=config, records=records, index=memory.index,
                      templates=templates)


def _ticker(progress: Progress | None, stage: str, total: int) -> Tick | None:
    """A counter that reports ``stage`` progress, or None when nobody listens."""
    if progress is None or total == 0:
        return None
    done = [0]

    def tick(count: int) -> None:
        done[0] = min(total, done[0] + count)
        progress(stage, done[0], total)

    return tick


def _parse(changed: Sequence[str], config: SiteConfig, zone: ZoneInfo, store: StoryStore,
           pool: WorkerPool | None, records: RecordStore,
           tick: Tick | None, *, held_after: float | None,
           ) -> tuple[list[ParsedFile], dict[str, int]]:
    if pool is not None:
        return pool.parse(changed, records, tick, held_after=held_after)
    parsed = []
    for done, path in enumerate(changed, start=1):
        if tick is not None and done % TICK_EVERY == 0:
            tick(TICK_EVERY)
        result = parse_file(path, config, zone, held_after=held_after)
        if result.item is not None:
            store.add(result.source, result.item)
        parsed.append(result)
    return parsed, {}


def _render(site: Site, pages: Sequence[Page], store: StoryStore, pool: WorkerPool | None,
            holders: dict[str, int], previous: dict[str, str],
            tick: Tick | None, direct: bool,
            meanwhile: Callable[[], object] | None, *,
            articles_started: bool = False) -> list[StagedFile]:
    """Render and stage ``pages``: article pages by the workers that hold their stories
    (``articles_started``: they are at it already, see ``_article_shares``), the rest
    here; then ``meanwhile`` (if any) is called here while the workers finish."""
    if pool is None:
        return render_and_stage(site, pages, store, previous, tick, direct=direct)
    listings = [page for page in pages if page.kind != "article"]
    if not articles_started:
        pool.start_render(_article_shares([page for page in pages if page.kind == "article"],
                                          holders, pool.size), previous, direct=direct)
    staged = render_and_stage(site, listings, store, previous, tick, direct=direct)
    if meanwhile is not None:
        meanwhile()
    return staged + pool.finish_render(tick)


def _article_shares(pages: Sequence[Page], holders: dict[str, int],
                    size: int) -> list[list[Page]]:
    """Article ``pages`` by the worker that holds the story (one that none holds goes by
    its position)."""
    shares: list[list[Page]] = [[] for _ in range(size)]
    for index, page in enumerate(pages):
        shares[holders.get(page.article.summary.source, index % size)].append(page)
    return shares


def _output_matches(output: Path, manifest: Manifest) -> bool:
    try:
        return bool(manifest.build_id) and (output / MARKER).read_text("utf-8") == manifest.build_id
    except OSError:
        return False


def _copied_unchanged(copied: CopiedFiles, manifest: Manifest) -> bool:
    """Whether the last build published exactly the files ``copied`` (unchanged): a file
    of root/ that it left out (see ``_publish_root``) is new each time, so that every build
    reports it again."""
    recorded = {rel for rel, (key, _d) in manifest.pages.items() if key.startswith("asset:")}
    assets = {**copied.root, **copied.static}
    return recorded == assets.keys() and len(assets) == len(copied.static) + len(copied.root) \
        and all(manifest.pages[rel][0] == _asset_key(assets, rel) for rel in assets)


def _publish_root(copied: CopiedFiles, assets: dict[str, Path], planned: Collection[str]
                  ) -> tuple[Diagnostic, ...]:
    """Add to ``assets`` the files of root/ that collide with no ``planned`` page nor
    static asset (``theme.root_collisions``); an error for each of the others."""
    kept, problems = root_collisions(copied.root, _Either(planned, assets))
    assets.update(kept)
    return problems


@frozen
class _Either(Collection[str]):
    """The paths of two collections, without copying either (the planned pages are
    100,000 and more)."""

    first: Collection[str]
    second: Collection[str]

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second

    def __iter__(self) -> Iterator[str]:
        return chain(self.first, self.second)

    def __len__(self) -> int:
        return len(self.first) + len(self.second)


def _unreplaced(copied: CopiedFiles, manifest: Manifest) -> set[str]:
    """The generated files (``theme.REPLACEABLE``) that a file of root/ replaced in the
    last build and no longer does: generated again."""
    return {rel for rel in REPLACEABLE if rel not in copied.root
            and manifest.pages.get(rel, ("",))[0].startswith("asset:")}


def _asset_key(assets: Mapping[str, Path], rel: str) -> str:
    stamp = stamp_of(assets[rel])
    return f"asset:{stamp.size}:{stamp.mtime_ns}"


def _build_id(pages: dict[str, tuple[str, str]], *, built_for: str) -> str:
    """The marker text of an output of ``pages`` built for the base URL ``built_for``."""
    h = hashlib.blake2b(digest_size=16)
    for rel in sorted(pages):
        h.update(f"{rel}\0{pages[rel][1]}\n".encode())
    return marker_text(h.hexdigest(), built_for=built_for)


def _report_unchanged(config: SiteConfig, manifest: Manifest, timings: dict[str, float],
                      copied: CopiedFiles, now: float) -> BuildReport:
    """Nothing changed since the last build: report it without touching anything."""
    stories, topics, pages = manifest.counts
    placements = stored_placements(manifest)
    return BuildReport(
        stories=stories, topics=topics, pages=pages, rendered=0, files=len(manifest.pages),
        diagnostics=tuple(d for e in manifest.files.values() for d in e.diagnostics)
        + placement_warnings(placements) + future_warnings(manifest.future, now)
        + slug_clash_warnings((SlugClash(*clash) for clash in manifest.clashes),
                              path_of=article_path)
        + shared_url_warnings(map(SharedUrl.from_tuple, manifest.shared_urls))
        + tuple(map(Diagnostic.from_tuple, manifest.alias_problems + manifest.topic_merges))
        + moved_page_warnings(map(MovedPage.from_tuple, manifest.moved))
        + unused_topic_warnings(config, manifest.topics) + copied.problems,
        body_matches=placements, clusters=manifest.events,
        write=WriteResult(0, len(manifest.pages), 0), timings=timings,
        held=len(manifest.held), held_until=first_due(manifest.held),
    )
