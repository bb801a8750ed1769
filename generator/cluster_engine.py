"""The incremental clustering engine: events and related stories, reusing the last build.

:func:`update_engine` takes the previous :class:`EngineState` (or None) and every story as
``(key, digest, make_doc)``; it returns exactly the state a computation from nothing would,
recomputing only what the stories whose digest changed can reach:

1. **Vectors**: a story's vector depends on its own terms and on the idf *band* of each
   term (see ``cluster_text``); only stories holding a term whose band moved get new ones.
2. **Forward links** (``cluster_links``): those of story ``a`` look only at stories up to
   one window after it, so they are recomputed for stories up to one window before a
   changed story. Shared-address links are recomputed for the addresses changed stories use.
3. **Clusters** (``cluster_join``): joined per connected component of the link graph, so
   only components holding a changed story or link (or a member of one of their former
   clusters) are joined again, and there a link between two groups that hold no change
   takes the decision it took last time, unscored (``cluster_join.Replay``); overrides are
   applied over all clusters, which is cheap.
4. **Related stories** (``related``): a story's list looks at the nearest entries of its
   topic and term postings, so only stories near a changed story in a posting, stories whose
   event changed, and stories filed under a topic whose band moved are ranked again.

A clean computation is the same code with every story changed.

A large run uses a second core (``cluster_parallel``, by ``fork``): a child builds part of
the changed stories' records; from nothing, a child ranks every story's related candidates
(needing only the vectors) while this process finds links and joins clusters, and on a
dense site it first finds a share of the links. The result never depends on how the work
was split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields

from generator.cluster_join import EvidenceRecord, GroupRecord, apply_overrides
from generator.cluster_links import ForwardLink, list_shared_terms
from generator.cluster_parallel import run_split_then, start_forked
from generator.cluster_records import (
    R_DIGEST,
    R_RAW,
    R_TIME,
    StoryRecord,
    build_record,
    is_eligible,
    with_vectors,
)
from generator.cluster_steps import (
    child_share,
    plan_ranking,
    sort_key,
    update_event_of,
    update_groups,
    update_links,
    update_related,
    update_timeline,
    update_url_groups,
)
from generator.cluster_text import TextMemo, count_documents, idf_of_count, idf_of_terms
from generator.clusters import Cluster, ClusterDoc, Evidence, make_cluster
from generator.frozen import frozen
from generator.related import choose_related

ENGINE_VERSION = 5
"""Bumped whenever the algorithm changes, so an old state is never reused."""
StoryInput = tuple[str, str, Callable[[], ClusterDoc]]
"""(key, digest of everything ``make_doc`` would put in the doc, make_doc)."""


@frozen
class EngineState:
    """Everything an update reuses, in plain marshal-friendly containers (never mutated)."""

    params: tuple[float, float, int, int]
    """(threshold, window_days, related_count, ENGINE_VERSION) it was computed with."""
    stories: dict[str, StoryRecord]
    """Each story's record, by key."""
    timeline: list[str]
    """Keys sorted by (time, key)."""
    counts: dict[str, int]
    """How many stories contain each term."""
    url_groups: dict[str, list[str]]
    """Canonical address -> stories having it, sorted by (time, key)."""
    forward: dict[str, tuple[ForwardLink, ...]]
    """Each eligible story's links to later stories in its window."""
    backward: dict[str, tuple[str, ...]]
    """Each story's earlier stories whose forward links reach it."""
    groups: dict[str, GroupRecord]
    """Automatic clusters by id, before overrides."""
    group_of: dict[str, str]
    """Automatic cluster id of each eligible story."""
    events: dict[str, GroupRecord]
    """Final clusters (after overrides) by id."""
    event_of: dict[str, str]
    """Final cluster id of each story."""
    postings: dict[str, list[str]]
    """Related-story index: topic or term -> stories filed under it, sorted by (time, key)."""
    related: dict[str, tuple[str, ...]]
    """Computed related stories of each story."""

    def to_data(self) -> tuple[object, ...]:
        """The state as nested tuples, dicts, lists, str, float and int (for ``marshal``)."""
        return tuple(getattr(self, field.name) for field in fields(self))

    @classmethod
    def from_data(cls, data: Sequence[object]) -> EngineState:
        """Inverse of :meth:`to_data`."""
        return cls(*data)  # type: ignore[arg-type]


def empty_state(params: tuple[float, float, int, int]) -> EngineState:
    """The state of no stories."""
    return EngineState(params, {}, [], {}, {}, {}, {}, {}, {}, {}, {}, {}, {})


def build_records(docs: Sequence[ClusterDoc]) -> dict[str, StoryRecord]:
    """Records with vectors for ``docs`` (no reuse), by key."""
    memo = TextMemo()
    raw = {doc.key: build_record(doc, "", memo) for doc in docs}
    counts = count_documents(record[R_RAW] for record in raw.values())
    idf = idf_of_terms(counts, counts)
    return dict(zip(raw, with_vectors(raw.values(), idf), strict=True))


def update_engine(
    previous: EngineState | None,
    inputs: Iterable[StoryInput],
    *,
    threshold: float,
    window_days: float,
    related_count: int,
) -> EngineState:
    """The state for ``inputs``, reusing ``previous`` wherever no change can reach."""
    params = (threshold, window_days, related_count, ENGINE_VERSION)
    old = previous if previous is not None and previous.params == params else empty_state(params)
    stories, changed, deleted = _read_inputs(old.stories, inputs)
    timeline = update_timeline(old, stories, {*changed, *deleted})  # (a story whose vector
    # the counts move keeps its place: its time is the same)
    counts, moved = _update_counts(old, stories, changed, deleted, timeline)
    dirty = {*changed, *deleted, *moved}
    rank = plan_ranking(old, stories, timeline, count=related_count)
    share, ranked = 0.5, None
    if rank is not None:
        share = child_share(stories, timeline, window_days)
        started = start_forked([rank], items=len(stories)) if share == 0.0 else None
        if started is not None:
            ranked, rank = started[0], None
    try:
        forward, backward, linked, forked = update_links(
            old,
            stories,
            timeline,
            dirty,
            threshold=threshold,
            window_days=window_days,
            then=rank,
            share=share,
        )
        ranked = ranked or forked
        url_groups, shared = update_url_groups(old, stories, [*changed, *deleted], timeline)
        groups, group_of = update_groups(
            old,
            stories,
            timeline,
            forward,
            backward,
            url_groups,
            dirty | linked | shared,
            threshold=threshold,
            window_days=window_days,
        )
    except BaseException:
        if ranked is not None:
            ranked.cancel()
        raise
    overridden = sorted(
        (k for k, r in stories.items() if not is_eligible(r)), key=lambda k: (stories[k][R_TIME], k)
    )
    events = apply_overrides(groups, overridden, stories)
    event_of, moved_events = update_event_of(old, events)
    if ranked is not None:
        candidates, postings = ranked.result()
        chosen = choose_related(
            candidates, stories, postings, event_of, timeline, count=related_count
        )
        related = dict(zip(timeline, chosen, strict=True))
    else:
        postings, related = update_related(
            old, stories, timeline, dirty, moved_events, event_of, count=related_count
        )
    return EngineState(
        params,
        stories,
        timeline,
        counts,
        url_groups,
        forward,
        backward,
        groups,
        group_of,
        events,
        event_of,
        postings,
        related,
    )


def _read_inputs(
    old: Mapping[str, StoryRecord], inputs: Iterable[StoryInput]
) -> tuple[dict[str, StoryRecord], list[str], list[str]]:
    """New records (vectors still to weigh for changed ones), changed keys, deleted keys."""
    stories: dict[str, StoryRecord] = {}
    todo: list[StoryInput] = []
    for story in inputs:
        key, digest, _ = story
        if key in stories:
            raise ValueError(f"two stories share the key {key!r}; keys must be unique")
        record = old.get(key)
        if record is None or record[R_DIGEST] != digest:
            todo.append(story)
            record = ()  # (a placeholder, filled in below: the stories stay in input order)
        stories[key] = record

    def build(start: int, stop: int) -> list[StoryRecord]:
        memo = TextMemo()
        return [build_record(make_doc(), digest, memo) for _, digest, make_doc in todo[start:stop]]

    changed = [key for key, _, _ in todo]
    parts, _ = run_split_then(build, len(todo), None, share=0.45)  # (the child also
    # marshals its records, and this process unmarshals them: it takes a little less)
    built = [record for part in parts for record in part]
    stories.update(zip(changed, built, strict=True))
    deleted = [key for key in old if key not in stories]
    return stories, changed, deleted


def _update_counts(
    old: EngineState,
    stories: dict[str, StoryRecord],
    changed: Sequence[str],
    deleted: Sequence[str],
    timeline: list[str],
) -> tuple[dict[str, int], set[str]]:
    """New term counts; weighs changed stories and re-weighs those a band change reaches
    (``timeline``: every story, sorted by (time, key)).

    Returns the counts and the unchanged stories whose vectors moved.
    """
    counts = dict(old.counts)
    gone = count_documents(
        old.stories[key][R_RAW] for key in (*changed, *deleted) if key in old.stories
    )
    came = count_documents(stories[key][R_RAW] for key in changed)
    for term, number in gone.items():
        counts[term] -= number
    for term, number in came.items():
        counts[term] = counts.get(term, 0) + number
    touched = gone.keys() | came.keys()
    moved_terms = {
        term
        for term in touched
        if idf_of_count(counts.get(term, 0)) != idf_of_count(old.counts.get(term, 0))
    }  # equal idf <=> same band
    for term in touched:
        if counts.get(term) == 0:
            del counts[term]
    fresh = set(changed)
    moved = (
        {
            key
            for key, record in stories.items()
            if key not in fresh and not moved_terms.isdisjoint(record[R_RAW][0])
        }
        if moved_terms and len(fresh) < len(stories)
        else set()
    )
    # in time order, so the new records and vectors lie in memory in the order the later
    # stages read them (all stories: the timeline's order, no sorting again)
    every = len(fresh) + len(moved) == len(stories)
    todo = timeline if every else sorted([*changed, *moved], key=sort_key(stories))
    terms = (
        counts
        if len(todo) * 8 > len(stories)
        else {term for key in todo for term in stories[key][R_RAW][0]}
    )
    idf = idf_of_terms(counts, terms)
    stories.update(zip(todo, with_vectors([stories[key] for key in todo], idf), strict=True))
    return counts, moved


def list_clusters(state: EngineState, *, explain: bool = False, evidence: bool = True
                  ) -> tuple[Cluster, ...]:
    """The state's final clusters, sorted by their earliest story, then id; with
    ``explain``, each join's evidence names the terms the two stories share most (a build
    never shows them: ``digest clusters`` and :func:`~generator.clusters.cluster_stories`
    do); without ``evidence``, none is listed (a build's site model: 5,000 objects at
    10,000 stories that only ``digest clusters`` reads, from the state)."""
    stories, events = state.stories, state.events
    return tuple(
        make_cluster((group, events[group][0],
                      tuple(_explained(e, stories) if explain else Evidence(*e)
                            for e in events[group][1]) if evidence else ()))
        for group in _by_time(state)
    )


def event_members(state: EngineState) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each of the state's final clusters as (id, members), in :func:`list_clusters`'
    order: what a build's clusters hold, without making them."""
    events = state.events
    return tuple((group, events[group][0]) for group in _by_time(state))


def _by_time(state: EngineState) -> list[str]:
    """The ids of the state's final clusters by their earliest story's (time, key): the
    order in which the timeline (every story by (time, key)) first meets each. Walking
    it took 7 ms at 10,000 stories; sorting the clusters by their first two members, 22."""
    event_of, seen, ordered = state.event_of, set(), []
    for key in state.timeline:
        group = event_of[key]
        if group not in seen:
            seen.add(group)
            ordered.append(group)
    return ordered


def _explained(record: EvidenceRecord, stories: Mapping[str, StoryRecord]) -> Evidence:
    """The evidence of one join, with the terms its two stories share most (none for an
    editor's override)."""
    left, right, score, _, same_url, related, override = record
    terms = () if override else list_shared_terms(stories[left], stories[right])
    return Evidence(left, right, score, terms, same_url, related, override)
