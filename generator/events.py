"""Events: group the site's stories into event clusters and find related stories.

The bridge between the site model and the clustering engine (``cluster_engine``), which
knows only the small ``ClusterDoc`` interface. :func:`update_events` takes the state the
previous build kept and recomputes only what the changed stories reach; its result always
equals a computation from nothing (``update_events(None, ...)``).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Mapping, Sequence
from dataclasses import field, fields
from functools import partial

from .cluster_engine import (
    EngineState,
    StoryInput,
    event_members,
    list_clusters,
    update_engine,
)
from .cluster_records import StoryRecord
from .clusters import DEFAULT_WINDOW_DAYS, Cluster, ClusterDoc
from .frozen import frozen
from .summary import StorySummary, title_link_of

STATE_FORMAT = "digest-events-1"
"""Tag of :meth:`EventState.to_data`; data with another tag is refused."""


@frozen
class Events:
    """Which event each story reports, and its computed related stories."""

    clusters: tuple[Cluster, ...]
    """Every event, each with its members (lead first); no evidence (``list_clusters`` of
    the state gives it)."""
    cluster_of: dict[str, Cluster]
    """The event of each story, by slug."""
    related: dict[str, tuple[str, ...]]
    """Computed related stories (slugs, best first) of each story, from other events."""


def cluster_doc(slug: str, summary: StorySummary) -> ClusterDoc:
    """What clustering needs of a story (its URL and title keys are compared as given)."""
    return ClusterDoc(
        key=slug,
        title=summary.title,
        text=f"{summary.excerpt} {summary.text}".strip(),
        provider=summary.provider_domain or summary.provider,
        published=summary.published,
        urls=summary.url_keys,
        related_urls=tuple(url for url, _title in summary.related_keys if url),
        related_titles=tuple(title for _url, title in summary.related_keys if title),
        topics=summary.topics,
        override=summary.cluster,
        quality=summary.quality,
        has_image=summary.image is not None,
        has_body=summary.has_body,
        title_key=title_link_of(summary),
    )


@frozen
class StateOrigin:
    """The stored state an event state was loaded from (``manifest.load_event_state``).
    The states updated from it carry it, so that storing one writes only the records that
    differ from those of the stored records file (``manifest.save_event_state``)."""

    base: str
    """The id of the stored records file."""
    changed: frozenset[str]
    """The keys whose records differed from those of that file, when loaded."""
    records: Mapping[str, StoryRecord]
    """The records as loaded: an update keeps the record objects it reuses, so the ones
    it changed are those that are not these (compared by identity)."""


_RECORDS = [each.name for each in fields(EngineState)].index("stories")


@frozen
class EventState:
    """What :func:`update_events` keeps between builds (store it with ``to_data``)."""

    engine: EngineState
    """Per-story records, links, clusters and related lists of the last computation."""
    origin: StateOrigin | None = field(default=None, compare=False, repr=False)
    """The stored state this one was loaded or updated from (None: made from nothing, or
    kept in memory: see ``StateOrigin``)."""

    def to_data(self) -> tuple[object, ...]:
        """Plain tuples, lists, dicts, str, float, int, bool and None, for ``marshal``."""
        return STATE_FORMAT, self.engine.to_data()

    @classmethod
    def from_data(cls, data: object) -> EventState:
        """Inverse of :meth:`to_data`; raises ValueError for anything else."""
        if not (isinstance(data, tuple) and len(data) == 2 and data[0] == STATE_FORMAT):
            raise ValueError("not an event state of this version; compute from None instead")
        return cls(EngineState.from_data(data[1]))

    def without_records(self) -> tuple[object, ...]:
        """``to_data`` with None in place of the records (stored apart: see
        ``manifest.save_event_state``)."""
        tag, fields = self.to_data()
        assert isinstance(fields, tuple)
        return tag, (*fields[:_RECORDS], None, *fields[_RECORDS + 1:])

    @classmethod
    def with_records(cls, data: object, records: dict[str, StoryRecord],
                     origin: StateOrigin | None) -> EventState:
        """Inverse of :meth:`without_records`, with ``records`` and ``origin``; raises
        ValueError (or TypeError) for anything else."""
        if not (isinstance(data, tuple) and len(data) == 2 and isinstance(data[1], tuple)):
            raise ValueError("not an event state of this version; compute from None instead")
        tag, fields = data
        state = cls.from_data((tag, (*fields[:_RECORDS], records, *fields[_RECORDS + 1:])))
        return cls(state.engine, origin)


def story_digest(summary: StorySummary) -> str:
    """Hash of every field :func:`cluster_doc` reads: equal digests, equal docs. (A summary
    read from a file has ``digest``, the hash of the file's bytes, which determines every
    field for a given generator version; this is for summaries made otherwise.)"""
    fields = (
        summary.title, summary.excerpt, summary.text, summary.provider_domain,
        summary.provider, summary.timestamp, summary.url_keys, summary.related_keys,
        summary.topics, summary.cluster, summary.quality, summary.image is not None,
        summary.has_body, summary.title_key, summary.title_link,
    )
    return hashlib.blake2b(marshal.dumps(fields), digest_size=16).hexdigest()


def update_events(previous: EventState | None, stories: Sequence[tuple[str, StorySummary]],
                  *, threshold: float, related_count: int) -> tuple[Events, EventState]:
    """Events of ``(slug, summary)`` pairs, reusing ``previous`` where no change reaches.

    The result equals ``update_events(None, stories, ...)`` exactly; keep the returned state
    for the next build (``state.to_data()`` survives ``marshal``).
    """
    return update_events_of(previous, story_inputs(stories), threshold=threshold,
                            related_count=related_count)


def story_inputs(stories: Sequence[tuple[str, StorySummary]]) -> list[StoryInput]:
    """The engine's ``(slug, digest, make_doc)`` inputs of ``(slug, summary)`` pairs."""
    return [(slug, summary.digest or story_digest(summary), partial(cluster_doc, slug, summary))
            for slug, summary in stories]


def update_events_of(previous: EventState | None, inputs: Sequence[StoryInput], *,
                     threshold: float, related_count: int) -> tuple[Events, EventState]:
    """:func:`update_events` of ``(slug, digest, make_doc)`` inputs: ``make_doc`` is called
    only for the stories whose digest the previous state does not hold under that slug."""
    state = update_state_of(previous, inputs, threshold=threshold,
                            related_count=related_count)
    clusters = list_clusters(state.engine, evidence=False)  # (digest clusters lists it
    # from the state: see cluster_report)
    return events_of(clusters, state.engine.related), state


def update_state_of(previous: EventState | None, inputs: Sequence[StoryInput], *,
                    threshold: float, related_count: int) -> EventState:
    """The state :func:`update_events_of` makes the events of."""
    engine = update_engine(previous.engine if previous is not None else None, inputs,
                           threshold=threshold, window_days=DEFAULT_WINDOW_DAYS,
                           related_count=related_count)
    return EventState(engine, previous.origin if previous is not None else None)


def packed_events(state: EventState
                  ) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], dict[str, tuple[str, ...]]]:
    """The events of ``state`` as plain data: each event's (id, members), in the order of
    ``Events.clusters``, and the computed related stories (see :func:`events_of`)."""
    return event_members(state.engine), state.engine.related


def related_changes(previous: EventState | None, state: EventState) -> frozenset[str] | None:
    """The stories whose computed related stories differ between ``previous`` and
    ``state`` (None: there is no previous state to compare with)."""
    if previous is None:
        return None
    old, new = previous.engine.related, state.engine.related
    # (an update keeps the tuple of every story it does not rank again: only the others
    # are compared, 10,000 comparisons took 4 ms)
    changed = {key for key, related in new.items()
               if (was := old.get(key)) is not related and was != related}
    changed.update(old.keys() - new.keys())
    return frozenset(changed)


def regrouped_stories(members: Mapping[str, tuple[str, ...]],
                      before: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The stories of the events (members by event id) that differ from ``before``, as
    they are now and as they were (a story that left an event may stand alone, and a lone
    story may be in no event)."""
    return {key for event in members.keys() | before.keys()
            if (now := members.get(event)) != (then := before.get(event))
            for key in (*(now or ()), *(then or ()))}


def events_of(clusters: tuple[Cluster, ...], related: dict[str, tuple[str, ...]]) -> Events:
    """The ``Events`` of these clusters and computed related stories."""
    return Events(clusters, {key: cluster for cluster in clusters for key in cluster.members},
                  related)


def find_events(stories: Sequence[tuple[str, StorySummary]], *, threshold: float,
                related_count: int) -> Events:
    """Cluster ``(slug, summary)`` pairs into events and score related stories."""
    return update_events(None, stories, threshold=threshold, related_count=related_count)[0]
