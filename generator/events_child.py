"""Stage 3, in part: the events of an incremental build, made by a forked child.

A fresh build after one edit at 10,000 stories loaded the summaries (0.10 s), then the
last event state (0.09 s), then updated the events (0.045 s), on one core, before it
could make a single article. :func:`start_events_child` forks, right after the scan
(while this process is small, so the fork and its copy-on-write cost little), a child
that loads the event state while this process loads the summaries and reads the changed
files. Once this process has placed the stories (``model.place_stories``),
:meth:`EventsChild.send` gives the child every story's slug and digest and the summaries
of the files this build read; the child updates the events, sends them back
(``Events.to_data``) while this process resolves the related[] entries, then stores the
new state, which this process never holds.

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
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from .cluster_parallel import Forked, start_forked
from .clusters import Cluster, ClusterDoc
from .events import (
    Events,
    EventState,
    cluster_doc,
    events_of,
    story_digest,
    update_events,
    update_events_of,
)
from .manifest import load_event_state, load_summary_rows, save_event_state
from .model import Placement
from .summary import StorySummary


class EventsChild:
    """A forked child making the events of one build (see the module's docstring)."""

    def __init__(self, forked: list[Forked[Any]], writing: int, asked: list[Placement]) -> None:
        self._events, self.saved = forked
        """What the child makes: the events, then (``saved``) the stored state."""
        self._writing = writing
        """This process's end of the pipe the stories go to the child through (-1: closed)."""
        self._asked = asked
        """The placement sent (for this process to make the events, if the child fails)."""
        self._sender: threading.Thread | None = None

    def send(self, placement: Placement, fresh: Mapping[str, StorySummary]) -> None:
        """Give the child the placed stories and the summaries of the files just read
        (by source path). A thread writes them, so this process goes on at once even when
        the child is still loading the state and the pipe is full."""
        self._asked.append(placement)
        slugs = placement.slugs
        data = marshal.dumps((
            [(slugs[s.source], s.source, s.digest or story_digest(s)) for s in placement.ordered],
            {source: summary.to_tuple() for source, summary in fresh.items()},
        ))
        writing, self._writing = self._writing, -1
        self._sender = threading.Thread(target=_send, args=(writing, data), daemon=True)
        self._sender.start()

    def events(self) -> tuple[Events, EventState | None]:
        """The events (the state is the child's to store: None), waiting for the child."""
        return _unpack(self._events.result()), None

    def result(self) -> None:
        """Wait until the child has stored the new state (or this process has, for it)."""
        self.saved.result()

    def cancel(self) -> None:
        """Stop the child (a build that fails); never leaves it waiting for stories."""
        if self._writing >= 0:
            os.close(self._writing)  # (the child reads the end of its input: it stops)
            self._writing = -1
        if self._sender is not None:
            self._sender.join()
        self._events.cancel()
        self.saved.cancel()


def start_events_child(manifest_file: Path, *, items: int, threshold: float,
                       related_count: int) -> EventsChild | None:
    """A child that loads the event state stored beside ``manifest_file`` and makes the
    events of the stories it will be sent; None where ``cluster_parallel.start_forked``
    does not fork (``items``: the stories the last build had)."""
    reading, writing = os.pipe()
    state: list[EventState] = []  # (made by the events, stored after them)
    asked: list[Placement] = []
    forked = start_forked(
        [partial(_events_in_child, reading, writing, manifest_file, threshold, related_count,
                 state),
         partial(_save, manifest_file, state)],
        items=items, awaited=True,
        fallbacks=[partial(_events_here, manifest_file, asked, threshold, related_count, state),
                   partial(_save_here, manifest_file, asked, threshold, related_count, state)])
    os.close(reading)
    if forked is None:
        os.close(writing)
        return None
    return EventsChild(forked, writing, asked)


def _send(writing: int, data: bytes) -> None:
    """Write ``data``, its length first, and close the pipe (a child gone: nothing more)."""
    try:
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(len(data).to_bytes(8, "little"))
            pipe.write(data)
    except BrokenPipeError:
        pass


def _events_in_child(reading: int, writing: int, manifest_file: Path, threshold: float,
                     related_count: int, state: list[EventState]
                     ) -> tuple[object, ...]:  # pragma: no cover (runs in the forked child)
    os.close(writing)  # (else its own copy would keep the pipe open: see cancel)
    previous = load_event_state(manifest_file)  # while the parent loads the summaries
    with os.fdopen(reading, "rb") as pipe:
        head = pipe.read(8)
        data = pipe.read(int.from_bytes(head, "little")) if len(head) == 8 else b""
    if not data:
        raise EOFError("the build stopped before sending the stories")
    stories, fresh = marshal.loads(data)
    stored: list[dict[str, tuple[object, ...]]] = []
    inputs = [(slug, digest, partial(_document, slug, source, digest, fresh, stored,
                                     manifest_file))
              for slug, source, digest in stories]
    events, new_state = update_events_of(previous, inputs, threshold=threshold,
                                         related_count=related_count)
    state.append(new_state)
    return _pack(events)


def _document(slug: str, source: str, digest: str, fresh: Mapping[str, tuple[object, ...]],
              stored: list[dict[str, tuple[object, ...]]], manifest_file: Path) -> ClusterDoc:
    """The clustering document of one story, from the summary sent, else the one stored."""
    row = fresh.get(source)
    if row is None:
        if not stored:
            stored.append(load_summary_rows(manifest_file))
        row = stored[0].get(source)
    summary = StorySummary.from_tuple(row) if row is not None else None
    if summary is None or (summary.digest or story_digest(summary)) != digest:
        raise LookupError(f"no stored summary of {source} with the digest sent")
    return cluster_doc(slug, summary)


def _events_here(manifest_file: Path, asked: list[Placement], threshold: float,
                 related_count: int, state: list[EventState]) -> tuple[object, ...]:
    """What the child failed to make, made here."""
    events, new_state = update_events(load_event_state(manifest_file), asked[0].event_inputs(),
                                      threshold=threshold, related_count=related_count)
    state.append(new_state)
    return _pack(events)


def _pack(events: Events) -> tuple[object, ...]:
    """``events`` for ``marshal`` (their clusters have no evidence in a build). Slugs go as
    strings: numbered by their place in the order sent, the events took 0.03 s to number
    and as long again to read back, against 0.04 s in all for the strings."""
    return tuple((c.id, c.members) for c in events.clusters), events.related


def _unpack(data: tuple[Any, ...]) -> Events:
    """Inverse of :func:`_pack`."""
    clusters, related = data
    return events_of(tuple(Cluster(event, members, ()) for event, members in clusters), related)


def _save(manifest_file: Path, state: list[EventState]) -> None:
    """Store the state the events were made with."""
    save_event_state(manifest_file, state[0])


def _save_here(manifest_file: Path, asked: list[Placement], threshold: float,
               related_count: int, state: list[EventState]) -> None:
    """What the child failed to store, stored here (the state made again if the child
    made the events: the next build must find the state of this one's stories)."""
    if not state:
        _events_here(manifest_file, asked, threshold, related_count, state)
    _save(manifest_file, state)
