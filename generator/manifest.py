"""The build cache: what the last build read and wrote, kept outside the output.

It remembers, for each content file, its size, mtime, diagnostics and summary;
for each output file, the fingerprint of the inputs it was rendered from and
the hash of its bytes. A rebuild re-reads only files whose size or mtime moved
and re-renders only pages whose fingerprint moved.

It is two ``marshal`` files (plain tuples and dicts, which load fast): a small
index (stamps, diagnostics, pages) that is all a build with nothing to do
reads, and the summaries, loaded only when something changed. A build that read
a few files stores their summaries as a delta: the rows of the files it read and
the files gone since the last whole stories file, which stays as it was (at
10,000 stories the whole file is 11.8 MB: a child of the build read it again
and rewrote it after every edit). The event state is kept alike: its records (each
story's terms and weights, 10.3 of its 13.4 MB) in a file written again only when many
changed, the rest of it beside them with the records that did. A missing, old or
damaged cache only makes the next build a cold one.

Each output folder has its own set of these files (named by a hash of its path). The
first build into an output folder deletes the sets of folders that are gone
(:func:`prune_cache`): at 10,000 stories a set takes 68 MB.
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
import os
import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic
from .frozen import frozen
from .kernels import maker
from .parse import FileStamp, ParsedFile
from .scan import CACHE_DIR
from .site_images import SiteFileStamp
from .summary import StorySummary

if TYPE_CHECKING:
    from .cluster_records import StoryRecord
    from .events import EventState, StateOrigin

FORMAT = 24
_DAMAGED = (OSError, EOFError, ValueError, TypeError, IndexError, KeyError)
DELTA_MIN = 100
"""A delta may hold this many changes (rows and removals) on a site of any size..."""
DELTA_SHARE = 20
"""...and on a larger one, a 1/DELTA_SHARE of its stories; past that the stories are
stored whole again."""

Row = tuple[object, ...]
"""A summary as ``StorySummary.to_tuple`` gives it."""


@frozen
class StoryDelta:
    """How a build stores its stories as changes to the last whole stories file."""

    base: str
    """The stories id of the whole stories file."""
    previous: str
    """The stories id of the last build (its delta, unless it is ``base``, is extended)."""
    changed: tuple[str, ...]
    """The files whose rows are stored anew."""
    removed: tuple[str, ...]
    """The files that had a summary and have none now."""
    count: int
    """The changes stored since the whole file, at most (this build's and the last ones')."""


@frozen
class CachedFile:
    """What the last build learned from one content file."""

    stamp: FileStamp
    """Size and mtime when read."""
    summary: StorySummary | None
    """Its summary (None when refused, or not loaded yet: see ``has_summary``)."""
    diagnostics: tuple[Diagnostic, ...]
    """Its problems, reported again on every build until fixed."""
    has_summary: bool = True
    """Whether the file gave a story (its summary is in the summaries file)."""
    row: tuple[object, ...] | None = field(default=None, compare=False, repr=False)
    """The stored form of the summary (saved again as is)."""


_make_cached = maker(CachedFile)
_make_stamp = maker(FileStamp)


@dataclass(slots=True)
class Manifest:
    """The cache of one output folder."""

    settings: str = ""
    """Hash of everything that affects every page: config, generator code."""
    templates: str = ""
    """Hash of every template (``fingerprints.templates_digest``)."""
    build_id: str = ""
    """Written into the output's marker file; a mismatch means the output was replaced."""
    files: dict[str, CachedFile] = field(default_factory=dict)
    """Content files by source path."""
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Output files by path: (input fingerprint, content digest)."""
    reader: str = ""
    """Hash of the settings that reading depends on; another value voids ``files``."""
    events: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Events of the last build (id, member sources), for reports of unchanged builds."""
    placements: tuple[tuple[str, str, str, str, str], ...] = ()
    """Plain-text body files, the article each became the body of ('' = none), for one
    that stands alone the article its title matches, whose body is another file, and
    for one whose title matched the article's with a word mistyped, the article's title
    and its own ('' and '' for the same title)."""
    counts: tuple[int, int, int] = (0, 0, 0)
    """Stories, topics and HTML pages of the last build."""
    stories_id: str = ""
    """Names the stories file (the summaries) written with this index: the two are
    written apart (the stories while the pages are made, see ``build``), and stories
    under another name are not this index's."""
    stories_base: str = ""
    """The stories id of the whole stories file the stories are a delta on ('' or
    ``stories_id``: they are stored whole)."""
    stories_changes: int = 0
    """How many changes that delta holds, at most."""
    output: str = ""
    """The output folder (resolved) whose cache this is (see :func:`prune_cache`)."""
    layout: str = ""
    """What the listing pages were laid out from (``relisting.listing_layout``)."""
    topic_layouts: dict[str, str] = field(default_factory=dict)
    """How each topic's pages were laid out, by topic name (``relisting.topic_layouts``)."""
    future: tuple[tuple[str, float], ...] = ()
    """The stories dated after the last build's time (source, timestamp), for reports of
    unchanged builds to warn of those still ahead of their own time."""
    topics: tuple[str, ...] = ()
    """The site's topic names, for reports of unchanged builds to warn of the topic
    entries of the config that no story uses (``config_topics``)."""
    held: tuple[tuple[str, float], ...] = ()
    """The stories held back because they are dated after the build's time (source,
    date), by source: a build at or after a date reads that file again, which publishes
    it (``ParsedFile.held``)."""
    newest: float | None = None
    """The date of the newest story published that a build before that date would hold
    back (None: none, or ``--future``): a build whose time is earlier (a clock set back,
    an older ``SOURCE_DATE_EPOCH``) reads every file again."""
    clashes: tuple[tuple[str, str, str, str, bool], ...] = ()
    """The stories whose wanted address another story took (``slugs.SlugClash`` as
    tuples), for reports of unchanged builds to warn of them again."""
    shared_urls: tuple[tuple[tuple[str, str, int | None], ...], ...] = ()
    """The groups of stories that share a ``webUrl`` (``shared_urls.SharedUrl`` as
    tuples), for reports of unchanged builds to warn of them again, and for the next
    build to tell whose cards name other stories now (``relisting``)."""
    alias_problems: tuple[tuple[Any, ...], ...] = ()
    """The warnings about stories' aliases that can have no page (``aliases``), as
    ``Diagnostic.to_tuple`` gives them, for reports of unchanged builds to give again."""
    site_files: dict[str, tuple[SiteFileStamp, ...]] = field(default_factory=dict)
    """The content files whose images name files of the site (``static/``, ``root/``),
    with those files as they were when each was read (``ParsedFile.site_files``): a build
    reads a story again when one changed (``site_images.stale_site_files``)."""
    topic_merges: tuple[tuple[Any, ...], ...] = ()
    """The warnings about topics whose stories spell them differing by accents
    (``topic_spellings``), as ``Diagnostic.to_tuple`` gives them, for reports of
    unchanged builds to give again."""
    moved: tuple[tuple[str, str, str], ...] = ()
    """The stories whose page left an address of an earlier build that no page has now
    (``moved_pages.MovedPage`` as tuples): warned about on every build until settled."""
    story_delta: StoryDelta | None = field(default=None, compare=False)
    """How the build that made this manifest stores its stories (None: whole); not kept
    in the index."""

    def store_as(self, delta: StoryDelta | None) -> None:
        """Have this manifest's stories stored as ``delta`` (None: whole)."""
        self.story_delta = delta
        self.stories_base = delta.base if delta is not None else self.stories_id
        self.stories_changes = delta.count if delta is not None else 0


def cache_path(source: Path, output: Path) -> Path:
    """Where the manifest index of this site and output folder lives."""
    return source / CACHE_DIR / f"manifest-{_output_key(output)}.bin"


def spare_path(source: Path, output: Path) -> Path:
    """Where the files a build of this site into this output replaced are kept, for the
    next build to write into (``output.stage_file``)."""
    return source / CACHE_DIR / f"spare-{_output_key(output)}"


def _output_key(output: Path) -> str:
    return hashlib.blake2b(str(output.resolve()).encode(), digest_size=6).hexdigest()


_SET_KINDS = ("manifest", "stories", "events", "records", "spare")
"""The kinds of file (and the spare folder) in the cache set of one output folder, each
named ``KIND-KEY`` (see :func:`_beside`), KEY naming the output folder."""
_SET_FILE = re.compile(rf"(?:{'|'.join(_SET_KINDS)})-([0-9a-f]{{12}})(?:[.-].*)?", re.DOTALL)
"""A file of a cache set; group 1 its key."""
ORPHANS_KEPT_FOR = 24 * 3600.0
"""Seconds the files of an output folder with no index are kept: a first build into it
may be writing them (its index is written last)."""


def _beside(path: Path, kind: str) -> Path:
    """The file of kind ``kind`` in the cache set of the index at ``path``."""
    assert kind in _SET_KINDS
    return path.with_name(path.name.replace("manifest-", f"{kind}-", 1))


def prune_cache(manifest_file: Path) -> tuple[str, ...]:
    """Delete the cache sets of the other output folders of this site (beside
    ``manifest_file``) that no build can use again, and return their keys: those whose
    index names an output folder that is gone, or is of another format (or damaged), and
    those with no index whose files were all last written ``ORPHANS_KEPT_FOR`` ago or
    more (a first build that stopped). The sets of output folders that exist are kept:
    a build into one of them again reads only what changed."""
    folder = manifest_file.parent
    own = _SET_FILE.fullmatch(manifest_file.name)
    sets: dict[str, list[Path]] = {}
    try:
        entries = list(folder.iterdir())
    except OSError:
        return ()
    for path in entries:
        match = _SET_FILE.fullmatch(path.name)
        if match is not None and (own is None or match.group(1) != own.group(1)):
            sets.setdefault(match.group(1), []).append(path)
    now = time.time()
    removed = []
    for key, paths in sorted(sets.items()):
        if _set_in_use(folder / f"manifest-{key}.bin", paths, now):
            continue
        for path in paths:
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            except OSError:
                pass  # (left for the next first build to try again)
        removed.append(key)
    return tuple(removed)


def _set_in_use(index: Path, paths: Iterable[Path], now: float) -> bool:
    """Whether the cache set of the files ``paths`` and index ``index`` may be used again
    (see :func:`prune_cache`)."""
    try:
        data = marshal.loads(index.read_bytes())
    except FileNotFoundError:
        try:
            return any(now - path.lstat().st_mtime < ORPHANS_KEPT_FOR for path in paths)
        except OSError:
            return True  # (a file that moved meanwhile: a build is at work)
    except _DAMAGED:
        return False
    if not isinstance(data, tuple) or len(data) < 2 or data[0] != FORMAT:
        return False
    output = data[-1]  # (whatever else an index of this format holds, see save_manifest)
    return isinstance(output, str) and bool(output) and Path(output).is_dir()


def _summaries_path(path: Path) -> Path:
    return _beside(path, "stories")


def _delta_path(path: Path) -> Path:
    return _summaries_path(path).with_suffix(".delta")


def load_event_state(path: Path) -> EventState | None:
    """The event state the last build kept (None when missing, old or damaged): the
    stored records file with the records of the delta beside it (see
    :func:`save_event_state`), in the order the state had."""
    from .events import EventState, StateOrigin

    try:
        version, base, order, changed, rest = _unmarshal(_state_path(path))
        whole_version, whole_base, whole = _unmarshal(_events_path(path))
        if version != FORMAT or (whole_version, whole_base) != (FORMAT, base):
            return None  # (a records file written after this delta: a build was stopped)
        if list(whole) == order:  # (no record came or went since the file was written:
            # updated in place, 1 ms at 10,000 stories, against 5 for a new dict)
            records = whole
            records.update(changed)
        else:
            records = {key: changed.get(key) or whole[key] for key in order}
        return EventState.with_records(rest, records,
                                       StateOrigin(base, frozenset(changed), records))
    except (*_DAMAGED, AttributeError):
        return None


def save_event_state(path: Path, state: EventState | None) -> None:
    """Keep the event state for the next build. Its records (10.3 of its 13.4 MB at 10,000
    stories, each story's terms and weights) are a file of their own, written again only
    when more than max(``DELTA_MIN``, a ``DELTA_SHARE``-th) of them differ from those
    stored, or when the state was not loaded from it (``EventState.origin``: made from
    nothing, or kept in memory). The rest of the state goes into a second file, with the
    records that differ and the order of the keys."""
    if state is None:
        return
    records = state.engine.stories
    delta = _records_delta(records, state.origin)
    if delta is None:
        delta = os.urandom(8).hex(), {}
        _write_atomically(_events_path(path), marshal.dumps((FORMAT, delta[0], records)))
    base, changed = delta
    _write_atomically(_state_path(path), marshal.dumps(
        (FORMAT, base, list(records), changed, state.without_records())))  # type: ignore[arg-type]


def _records_delta(records: dict[str, StoryRecord], origin: StateOrigin | None
                   ) -> tuple[str, dict[str, StoryRecord]] | None:
    """The id of the stored records file the state comes from and the records that
    differ from its, by key (None: it comes from none, or too many differ)."""
    if origin is None:
        return None
    loaded = origin.records
    changed = {key: record for key, record in records.items() if loaded.get(key) is not record}
    for key in origin.changed:
        if key in records:
            changed[key] = records[key]
    if len(changed) > max(DELTA_MIN, len(records) // DELTA_SHARE):
        return None
    return origin.base, changed


def _state_path(path: Path) -> Path:
    return _events_path(path).with_suffix(".state")


def _events_path(path: Path) -> Path:
    return _beside(path, "events")


def records_path(path: Path) -> Path:
    """Where the stories' schema records of this manifest live (see ``record_store``)."""
    return _beside(path, "records").with_suffix(".sqlite")


def load_manifest(path: Path) -> Manifest:
    """The stored index (summaries not loaded), or an empty manifest."""
    try:
        data = _unmarshal(path)
        if data[0] != FORMAT:
            return Manifest()
        (_version, settings, templates, build_id, files, pages, reader, events, placements,
         counts, stories_id, stories_base, stories_changes, layout, topic_layouts, future,
         topics, clashes, shared_urls, alias_problems, site_files, topic_merges, moved,
         held, newest, output) = data
        return Manifest(
            settings=settings, templates=templates, build_id=build_id,
            files={src: _make_cached((_make_stamp((size, mtime)), None,
                                      tuple(map(Diagnostic.from_tuple, diags)) if diags
                                      else (),  # (most files: 0.9 -> 0.2 ms at 10,000)
                                      has_summary, None))
                   for src, (size, mtime, diags, has_summary) in files.items()},
            pages=pages, reader=reader, events=events, placements=placements, counts=counts,
            stories_id=stories_id, stories_base=stories_base,
            stories_changes=stories_changes, output=output, layout=layout,
            topic_layouts=topic_layouts, future=future, topics=topics, clashes=clashes,
            shared_urls=shared_urls, alias_problems=alias_problems, site_files=site_files,
            topic_merges=topic_merges, moved=moved, held=held,
            newest=newest)
    except _DAMAGED:
        return Manifest()


def load_summaries(path: Path, manifest: Manifest) -> bool:
    """Fill in the summaries of ``manifest`` (False, and nothing changed, if they cannot
    be read or do not belong to it: the caller then reads every file again)."""
    rows = load_summary_rows(path, manifest)
    try:
        files = manifest.files
        for src, entry in files.items():  # (made directly, not by ``dataclasses.replace``:
            # 0.072 -> 0.064 s for 10,000 entries; with kernels.maker, 0.02 s)
            if entry.has_summary:
                row = rows[src]
                files[src] = _make_cached((entry.stamp, StorySummary.from_tuple(row),
                                           entry.diagnostics, True, row))
        return True
    except _DAMAGED:
        return False


def load_summary_rows(path: Path, manifest: Manifest) -> dict[str, Row]:
    """The summaries stored for ``manifest`` (its stories id) as rows
    (``StorySummary.to_tuple``) by source path; empty when they cannot be read."""
    base = manifest.stories_base or manifest.stories_id
    try:
        version, stories_id, rows = _unmarshal(_summaries_path(path))
        if version != FORMAT or not base or stories_id != base or not isinstance(rows, dict):
            return {}
        if manifest.stories_id != base:
            version, delta_base, delta_id, changed, removed = _read_delta(path)
            if version != FORMAT or (delta_base, delta_id) != (base, manifest.stories_id):
                return {}
            rows.update(changed)
            for source in removed:
                rows.pop(source, None)
    except _DAMAGED:
        return {}
    return rows


def _read_delta(path: Path) -> tuple[object, str, str, dict[str, Row], list[str]]:
    """(format, base id, stories id, rows, removed files) of the delta stored."""
    data = _unmarshal(_delta_path(path))
    if not isinstance(data, tuple) or len(data) != 5:
        raise ValueError("not a delta")
    return data


def story_delta(previous: Manifest, files: dict[str, CachedFile],
                read: Iterable[str]) -> StoryDelta | None:
    """How to store the stories of ``files`` (the files of a build after ``previous``,
    whose summaries it loaded, and which read the files ``read``): as a delta on the
    whole stories file, or None (whole) when there is none or the delta would grow past
    ``DELTA_MIN`` and a ``DELTA_SHARE``-th of the stories."""
    if not previous.stories_id or not previous.files:
        return None
    changed = tuple(src for src in read
                    if (entry := files.get(src)) is not None and entry.summary is not None)
    removed = tuple(src for src, entry in previous.files.items() if entry.has_summary
                    and ((now := files.get(src)) is None or now.summary is None))
    count = previous.stories_changes + len(changed) + len(removed)
    if count > max(DELTA_MIN, len(files) // DELTA_SHARE):
        return None
    return StoryDelta(previous.stories_base or previous.stories_id, previous.stories_id,
                      changed, removed, count)


_INDEX_MARSHAL = 2
"""The ``marshal`` version the index is written in: one without references to objects
written before. From version 3 on, ``marshal`` notes every object another one also refers
to, to write it once, and a build's index is made of such objects (its pages' fingerprints
and digests are in the build's other tables too): at 10,000 stories writing it took 5.3-7.6
ms so, against 3.7 ms in version 2, whose file is 8% larger (3.7 MB) and loads as fast."""


def save_manifest(path: Path, manifest: Manifest, *, stories: bool = True) -> None:
    """Store the manifest: summaries first (unless ``stories`` is False: already stored,
    see :func:`save_stories`), then the index (each file atomically)."""
    if stories:
        save_stories(path, manifest)
    path.parent.mkdir(parents=True, exist_ok=True)
    files = {src: (entry.stamp.size, entry.stamp.mtime_ns,
                   tuple(map(Diagnostic.to_tuple, entry.diagnostics))
                   if entry.diagnostics else (),  # (2.2 -> 0.7 ms for 10,000 files)
                   entry.summary is not None)
             for src, entry in manifest.files.items()}
    _write_atomically(path, marshal.dumps((
        FORMAT, manifest.settings, manifest.templates, manifest.build_id, files,
        manifest.pages, manifest.reader,
        manifest.events, manifest.placements, manifest.counts, manifest.stories_id,
        manifest.stories_base, manifest.stories_changes, manifest.layout,
        manifest.topic_layouts, manifest.future, manifest.topics, manifest.clashes,
        manifest.shared_urls, manifest.alias_problems, manifest.site_files,
        manifest.topic_merges, manifest.moved,
        manifest.held, manifest.newest,
        manifest.output),  # (output last: see _set_in_use)
        _INDEX_MARSHAL))


def save_stories(path: Path, manifest: Manifest) -> None:
    """Store the summaries of ``manifest.files`` under ``manifest.stories_id``, for the
    index saved next (only the files, that id and ``story_delta`` are read)."""
    files, delta = manifest.files, manifest.story_delta
    if delta is not None:
        save_story_delta(path, manifest.stories_id, delta,
                         {src: _row(files[src]) for src in delta.changed})
    else:
        save_story_rows(path, manifest.stories_id, {src: _row(entry)
                                                    for src, entry in files.items()
                                                    if entry.summary is not None})


def _row(entry: CachedFile) -> Row:
    assert entry.summary is not None
    return entry.row or entry.summary.to_tuple()


def save_story_rows(path: Path, stories_id: str, rows: dict[str, Row]) -> None:
    """Store summaries whole, as rows (``StorySummary.to_tuple``) by source path, under
    ``stories_id`` (see :func:`save_stories`)."""
    _cache_folder(path)
    _write_atomically(_summaries_path(path), marshal.dumps((FORMAT, stories_id, rows)))
    _delta_path(path).unlink(missing_ok=True)  # (one on the file replaced: of no use)


def save_story_delta(path: Path, stories_id: str, delta: StoryDelta,
                     rows: dict[str, Row]) -> None:
    """Store the summaries of a build as ``delta`` says, ``rows`` holding those of its
    ``changed`` files, under ``stories_id``: the delta of the last build, if any, with
    these rows and removals. If that delta is not the one expected (changed by hand, or
    by another build), none is stored: the next build then reads every file again."""
    _cache_folder(path)
    kept: dict[str, Row] = {}
    gone: set[str] = set()
    if delta.previous != delta.base:
        try:
            version, base, previous, kept, removed = _read_delta(path)
            if version != FORMAT or (base, previous) != (delta.base, delta.previous):
                raise ValueError("another delta")
            gone.update(removed)
        except _DAMAGED:
            _delta_path(path).unlink(missing_ok=True)
            return
    kept.update(rows)
    gone.difference_update(rows)
    for source in delta.removed:
        kept.pop(source, None)
        gone.add(source)
    _write_atomically(_delta_path(path), marshal.dumps(
        (FORMAT, delta.base, stories_id, kept, sorted(gone))))


def _cache_folder(path: Path) -> None:
    """Make the cache folder of the manifest at ``path`` (ignored by git)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


def _unmarshal(path: Path) -> Any:
    """The value marshalled in the file at ``path``, read through a memory map: ``marshal``
    reads the page cache in place instead of a copy of the file (at 10,000 stories the
    stories file, 11 MB, loaded in 39-41 ms instead of 44-47: the copy is 2,800 pages more
    for the kernel to zero and fill). The files here are only ever replaced whole
    (``_write_atomically``), never written in place, so a mapped file does not change
    while it is read. Raises EOFError for an empty file, as ``marshal`` does."""
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            raise EOFError("an empty file")
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return marshal.loads(mapped)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def cached_file(parsed: ParsedFile) -> CachedFile:
    """The cache entry of a freshly parsed file."""
    return CachedFile(parsed.stamp, parsed.summary, parsed.diagnostics,
                      parsed.summary is not None, parsed.row)
