"""Stage 3, in part: the events of an incremental build, made by a forked child.

A fresh build after one edit at 10,000 stories loaded the summaries (0.10 s), then the
last event state (0.09 s), then updated the events (0.045 s), on one core, before it
could make a single article. :func:`start_events_child` forks, right after the scan
(while this process is small, so the fork and its copy-on-write cost little), a child
that loads the event state while this process loads the summaries and reads the changed
files. Once this process has placed the stories (``model.place_stories``),
:meth:`EventsChild.send` gives the child every story's slug and digest, the summaries of
the files this build read and the files of the manifest to come; the child updates the
events and sends them back while this process resolves the related[] entries, then
stores the new state, which this process never holds, and the stories (the summaries)
of the manifest the build will write: as a delta (``manifest.story_delta``), the rows it
was sent for the files just read; whole, those and the stored ones for the rest.

The child makes a story's clustering document only where the state does not hold the
story's digest under its slug: for a file this build read, from the summary it was sent;
for an unchanged file whose slug moved, from the stories file on disk (the same summary:
the child checks its digest). Whatever fails in the child, this process loads the state
and makes the events itself: the result is the same.
"""

from __future__ import annotations

import marshal
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .cluster_engine import StoryInput
from .cluster_parallel import Forked, start_forked
from .clusters import ClusterDoc, make_cluster
from .events import (
    Events,
    EventState,
    cluster_doc,
    events_of,
    packed_events,
    related_changes,
    story_digest,
    story_inputs,
    update_state_of,
)
from .manifest import (
    Manifest,
    Row,
    StoryDelta,
    load_event_state,
    load_summary_rows,
    save_event_state,
    save_stories,
    save_story_delta,
    save_story_rows,
)
from .model import Placement
from .summary import StorySummary
from .workers import yield_to_the_build


@dataclass(repr=False, eq=False)
class _Shared:
    """What the works of one events child hand on to each other (in the child), or their
    fallbacks (here, when the child fails)."""

    manifest_file: Path
    """Beside which the event state and the stories are stored."""
    previous: Manifest
    """The index of the last build (whose stories are stored)."""
    threshold: float
    """The site's ``cluster_threshold``."""
    related_count: int
    """The site's ``related_count``."""
    placement: Placement | None = None
    """The stories placed (here, once sent)."""
    stories: Manifest | None = None
    """The files and stories id of the manifest to come (here, once sent)."""
    state: EventState | None = None
    """The event state the events were made with."""
    fresh: dict[str, Row] = field(default_factory=dict)
    """Rows of the files this build read, by source path (in the child, once received)."""
    stored: dict[str, Row] | None = None
    """Rows stored by the last build, by source path (in the child, once read)."""
    stories_id: str = ""
    """The stories id of the manifest to come (in the child, once received)."""
    sources: list[str] = field(default_factory=list)
    """Every file with a summary, in the manifest's order (in the child, once received,
    where the stories are stored whole: see ``delta``)."""
    delta: StoryDelta | None = None
    """How the stories are stored (in the child, once received; see ``story_delta``)."""

    def stored_rows(self) -> dict[str, Row]:
        """The rows of the stories the last build stored, read once."""
        if self.stored is None:
            self.stored = load_summary_rows(self.manifest_file, self.previous)
        return self.stored


class EventsChild:
    """A forked child making the events of one build (see the module's docstring)."""

    def __init__(self, forked: list[Forked[Any]], writing: int, shared: _Shared) -> None:
        self._events, *self._stores = forked
        """What the child makes: the events, then the stored state and stories."""
        self._writing = writing
        """This process's end of the pipe the stories go to the child through (-1: closed)."""
        self._shared = shared
        """What was sent (for this process to do what the child fails to do)."""
        self._sender: threading.Thread | None = None
        self.related_changed: frozenset[str] | None = None
        """See :meth:`events`."""

    def send(self, placement: Placement, fresh: Mapping[str, StorySummary],
             stories: Manifest) -> None:
        """Give the child the placed stories, the summaries of the files just read (by
        source path) and the files and stories id of the manifest to come. A thread writes
        them, so this process goes on at once even when the child is still loading the
        state and the pipe is full."""
        self._shared.placement, self._shared.stories = placement, stories
        sources = [s.source for s in placement.ordered]
        data = marshal.dumps((  # (the slugs, sources and digests in order, each list as one
            # NUL-joined string: 1.4 ms at 10,000 stories, against 5.8 ms for a tuple each)
            "\0".join(map(placement.slugs.__getitem__, sources)), "\0".join(sources),
            "\0".join([s.digest or story_digest(s) for s in placement.ordered]),
            {source: summary.to_tuple() for source, summary in fresh.items()},
            stories.stories_id,
            [source for source, entry in stories.files.items() if entry.summary is not None]
            if stories.story_delta is None else [],  # (only stories stored whole need them)
            astuple(stories.story_delta) if stories.story_delta is not None else None,
        ))
        writing, self._writing = self._writing, -1
        self._sender = threading.Thread(target=_send, args=(writing, data), daemon=True)
        self._sender.start()

    def events(self) -> tuple[Events, EventState | None]:
        """The events (the state is the child's to store: None), waiting for the child;
        then ``related_changed`` holds the stories whose computed related stories are not
        those of the last build (None: not known)."""
        *packed, self.related_changed = self._events.result()
        return _unpack(tuple(packed)), None

    def result(self) -> None:
        """Wait until the child has stored the new state and the stories (or this process
        has, for it)."""
        for store in self._stores:
            store.result()

    def cancel(self) -> None:
        """Stop the child (a build that fails); never leaves it waiting for stories."""
        if self._writing >= 0:
            os.close(self._writing)  # (the child reads the end of its input: it stops)
            self._writing = -1
        if self._sender is not None:
            self._sender.join()
        self._events.cancel()
        for store in self._stores:
            store.cancel()


def start_events_child(manifest_file: Path, previous: Manifest, *, threshold: float,
                       related_count: int) -> EventsChild | None:
    """A child that loads the event state stored beside ``manifest_file`` and makes the
    events of the stories it will be sent, then stores their state and the stories; None
    where ``cluster_parallel.start_forked`` does not fork (``previous``: the last build's
    index, its summaries not loaded)."""
    reading, writing = os.pipe()
    shared = _Shared(manifest_file, previous, threshold, related_count)
    forked = start_forked(
        [partial(_events_in_child, reading, writing, shared),
         partial(_store_state_in_child, shared),
         partial(_store_stories_in_child, shared)],
        items=len(previous.files), awaited=True,
        fallbacks=[partial(_events_here, shared),
                   partial(_store_state_here, shared),
                   partial(_store_stories_here, shared)])
    os.close(reading)
    if forked is None:
        os.close(writing)
        return None
    return EventsChild(forked, writing, shared)


def _send(writing: int, data: bytes) -> None:
    """Write ``data``, its length first, and close the pipe (a child gone: nothing more)."""
    try:
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(len(data).to_bytes(8, "little"))
            pipe.write(data)
    except BrokenPipeError:
        pass


def _events_in_child(reading: int, writing: int, shared: _Shared
                     ) -> tuple[object, ...]:  # pragma: no cover (runs in the forked child)
    os.close(writing)  # (else its own copy would keep the pipe open: see cancel)
    previous = load_event_state(shared.manifest_file)  # while the parent loads the summaries
    with os.fdopen(reading, "rb") as pipe:
        head = pipe.read(8)
        data = pipe.read(int.from_bytes(head, "little")) if len(head) == 8 else b""
    if not data:
        raise EOFError("the build stopped before sending the stories")
    slugs, sources, digests, shared.fresh, shared.stories_id, shared.sources, delta = \
        marshal.loads(data)
    shared.delta = StoryDelta(*delta) if delta is not None else None
    return _events_of(previous, [
        (slug, digest, partial(_document, slug, source, digest, shared))
        for slug, source, digest in zip(*_split(slugs, sources, digests), strict=True)],
        shared)


def _events_of(previous: EventState | None, inputs: Sequence[StoryInput],
               shared: _Shared) -> tuple[object, ...]:
    """The events of ``inputs`` updated from ``previous``, as the child sends them (the
    state made kept in ``shared``, for it to store)."""
    shared.state = update_state_of(previous, inputs, threshold=shared.threshold,
                                   related_count=shared.related_count)
    return (*packed_events(shared.state), related_changes(previous, shared.state))


def _split(*joined: str) -> list[list[str]]:
    """Each NUL-joined list ``EventsChild.send`` sent, split (none of a slug, a path or a
    digest holds NUL; an empty string is no story)."""
    return [text.split("\0") if text else [] for text in joined]


def _document(slug: str, source: str, digest: str, shared: _Shared) -> ClusterDoc:
    """The clustering document of one story, from the summary sent, else the one stored."""
    row = shared.fresh.get(source) or shared.stored_rows().get(source)
    summary = StorySummary.from_tuple(row) if row is not None else None
    if summary is None or (summary.digest or story_digest(summary)) != digest:
        raise LookupError(f"no stored summary of {source} with the digest sent")
    return cluster_doc(slug, summary)


def _events_here(shared: _Shared) -> tuple[object, ...]:
    """What the child failed to make, made here."""
    assert shared.placement is not None  # (sent before the events are asked for)
    return _events_of(load_event_state(shared.manifest_file),
                      story_inputs(shared.placement.event_inputs()), shared)


def _unpack(data: tuple[Any, ...]) -> Events:
    """The events of ``events.packed_events`` (made in the child, where only they are
    sent: the child makes no cluster objects). Slugs go as strings: numbered by their
    place in the order sent, the events took 0.03 s to number and as long again to read
    back, against 0.04 s in all for the strings."""
    clusters, related = data
    return events_of(tuple(make_cluster((event, members, ())) for event, members in clusters),
                     related)


def _store_state(shared: _Shared) -> None:
    """Store the state the events were made with."""
    save_event_state(shared.manifest_file, shared.state)


def _store_state_in_child(shared: _Shared) -> None:  # pragma: no cover (in the child)
    """``_store_state``, and then the stories, at a lower priority: the build, making its
    pages meanwhile with the child that fingerprints the article pages, goes first (the
    three shared two cores; the stores then fill the time the other two leave)."""
    yield_to_the_build()
    _store_state(shared)


def _store_state_here(shared: _Shared) -> None:
    """What the child failed to store, stored here (the state made again if the child
    made the events: the next build must find the state of this one's stories)."""
    if shared.state is None:
        _events_here(shared)
    _store_state(shared)


def _store_stories_in_child(shared: _Shared) -> None:  # pragma: no cover (in the child)
    """Store the stories of the manifest to come: as a delta, the rows sent; whole, those
    and the stored ones for the files this build did not read (the rows the build loaded
    them from)."""
    fresh, delta = shared.fresh, shared.delta
    if delta is not None:
        save_story_delta(shared.manifest_file, shared.stories_id, delta,
                         {source: fresh[source] for source in delta.changed})
        return
    stored = shared.stored_rows()
    save_story_rows(shared.manifest_file, shared.stories_id,
                    {source: fresh.get(source) or stored[source] for source in shared.sources})


def _store_stories_here(shared: _Shared) -> None:
    """What the child failed to store, stored here."""
    assert shared.stories is not None  # (sent before anything is stored)
    save_stories(shared.manifest_file, shared.stories)
