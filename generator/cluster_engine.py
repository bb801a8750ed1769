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
   clusters) are joined again; overrides are applied over all clusters, which is cheap.
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

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from generator.cluster_join import GroupRecord, apply_overrides, join_component
from generator.cluster_links import ForwardLink, LinkIndex, find_forward_links
from generator.cluster_parallel import Forked, run_split, run_split_then, start_forked
from generator.cluster_records import (
    R_DIGEST,
    R_RAW,
    R_TIME,
    R_URLS,
    StoryRecord,
    build_record,
    day_of,
    is_eligible,
    related_lookups,
    with_vector,
)
from generator.cluster_text import TextMemo, count_documents, idf_of_count, idf_of_terms
from generator.clusters import Cluster, ClusterDoc, Evidence
from generator.related import (
    PostingIndex,
    build_postings,
    choose_related,
    index_postings,
    list_neighbourhood,
    rank_candidates,
    rank_related,
    topic_band,
)

ENGINE_VERSION = 3
"""Bumped whenever the algorithm changes, so an old state is never reused."""
SPARE_CANDIDATES = 16
"""Related candidates ranked early beyond the count, to make up for those that turn out to
be in the story's own event (a story whose list runs short is ranked again)."""
_EPSILON_DAYS = 1e-6
"""Slack on window edges when choosing what to recompute (a superset is always safe)."""

T = TypeVar("T")
StoryInput = tuple[str, str, Callable[[], ClusterDoc]]
"""(key, digest of everything ``make_doc`` would put in the doc, make_doc)."""


@dataclass(frozen=True, slots=True)
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
        return tuple(getattr(self, name) for name in self.__slots__)

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
    return {key: with_vector(record, idf) for key, record in raw.items()}


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
    counts, moved = _update_counts(old, stories, changed, deleted)
    dirty = {*changed, *deleted, *moved}
    timeline = _update_timeline(old, stories, dirty)
    postings, rank = _plan_ranking(old, stories, timeline, count=related_count)
    share, ranked = 0.5, None
    if rank is not None:
        share = _child_share(stories, timeline, window_days)
        started = start_forked([rank], items=len(stories)) if share == 0.0 else None
        if started is not None:
            ranked, rank = started[0], None
    try:
        forward, backward, linked, forked = _update_links(
            old, stories, timeline, dirty, threshold=threshold, window_days=window_days,
            then=rank, share=share,
        )
        ranked = ranked or forked
        url_groups, shared = _update_url_groups(old, stories, [*changed, *deleted], timeline)
        groups, group_of = _update_groups(
            old, stories, timeline, forward, backward, url_groups, dirty | linked | shared,
            threshold=threshold, window_days=window_days,
        )
    except BaseException:
        if ranked is not None:
            ranked.cancel()
        raise
    overridden = sorted((k for k, r in stories.items() if not is_eligible(r)),
                        key=lambda k: (stories[k][R_TIME], k))
    events = apply_overrides(groups, overridden, stories)
    event_of, moved_events = _update_event_of(old, events)
    if ranked is not None:
        chosen = choose_related(ranked.result(), stories, postings, event_of, timeline,
                                count=related_count)
        related = dict(zip(timeline, chosen, strict=True))
    else:
        postings, related = _update_related(
            old, stories, timeline, dirty, moved_events, event_of, count=related_count
        )
    return EngineState(params, stories, timeline, counts, url_groups, forward, backward,
                       groups, group_of, events, event_of, postings, related)


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
    old: EngineState, stories: dict[str, StoryRecord], changed: Sequence[str],
    deleted: Sequence[str],
) -> tuple[dict[str, int], set[str]]:
    """New term counts; weighs changed stories and re-weighs those a band change reaches.

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
        term for term in touched
        if idf_of_count(counts.get(term, 0)) != idf_of_count(old.counts.get(term, 0))
    }  # equal idf <=> same band
    for term in touched:
        if counts.get(term) == 0:
            del counts[term]
    fresh = set(changed)
    moved = {
        key for key, record in stories.items()
        if key not in fresh and not moved_terms.isdisjoint(record[R_RAW])
    } if moved_terms and len(fresh) < len(stories) else set()
    todo = sorted([*changed, *moved], key=_sort_key(stories))  # in time order, so the new
    # records and vectors lie in memory in the order the later stages read them
    terms = counts if len(todo) * 8 > len(stories) else {
        term for key in todo for term in stories[key][R_RAW]
    }
    idf = idf_of_terms(counts, terms)
    for key in todo:
        stories[key] = with_vector(stories[key], idf)
    return counts, moved


def _sort_key(stories: Mapping[str, StoryRecord]) -> Callable[[str], tuple[float, str]]:
    """(time, key) of a story in ``stories``."""
    return lambda key: (stories[key][R_TIME], key)


def _update_timeline(old: EngineState, stories: Mapping[str, StoryRecord],
                     dirty: set[str]) -> list[str]:
    """Keys sorted by (time, key)."""
    if len(dirty) * 8 > len(stories) + 8:
        return sorted(stories, key=_sort_key(stories))
    timeline = list(old.timeline)
    old_key = _sort_key(old.stories)
    for key in dirty:
        if key in old.stories:
            del timeline[bisect_left(timeline, old_key(key), key=old_key)]
    new_key = _sort_key(stories)
    for key in dirty:
        if key in stories:
            insort(timeline, key, key=new_key)
    return timeline


def _update_links(
    old: EngineState, stories: Mapping[str, StoryRecord], timeline: list[str], dirty: set[str],
    *, threshold: float, window_days: float, then: Callable[[], T] | None = None,
    share: float = 0.5,
) -> tuple[dict[str, tuple[ForwardLink, ...]], dict[str, tuple[str, ...]], set[str],
           Forked[T] | None]:
    """Forward links recomputed for stories up to a window before a dirty story.

    Large runs are split across processes, a child taking ``share`` of the stories. Returns
    forward and backward links, the stories at either end of a changed link, and ``then()``
    being computed in that child, if one was started (if none, ``then`` is left to the
    caller).
    """
    spans = sorted(
        (day - window_days - _EPSILON_DAYS, day + _EPSILON_DAYS)
        for key in dirty
        for day in {day_of(r) for r in (old.stories.get(key), stories.get(key)) if r}
    )
    merged: list[list[float]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    days = [day_of(stories[key]) for key in timeline] if len(merged) > 64 else None
    forward = dict(old.forward)
    for key in dirty:
        forward.pop(key, None)
    redone: set[str] = set(dirty) & set(old.forward)
    forked: Forked[T] | None = None
    try:
        for low, high in merged:
            start, stop, end = _find_range(timeline, stories, days, low, high, high + window_days)
            index = LinkIndex(stories, timeline[start:end], window_days=window_days)
            run = timeline[start:stop]
            for key in run:
                forward.pop(key, None)
            redone.update(run)

            def find(low: int, high: int, run: list[str] = run, index: LinkIndex = index
                     ) -> list[tuple[str, tuple[ForwardLink, ...]]]:
                found = (
                    (key, find_forward_links(key, index, threshold=threshold,
                                             window_days=window_days))
                    for key in run[low:high] if key in index.place
                )
                return [(key, links) for key, links in found if links]

            parts, started = run_split_then(find, len(run), then, share=share)
            if started is not None:
                forked, then = started, None
            for part in parts:
                forward.update(part)
    except BaseException:
        if forked is not None:
            forked.cancel()
        raise
    backward, linked = _update_backward(old, forward, redone)
    return forward, backward, linked, forked


def _child_share(stories: Mapping[str, StoryRecord], timeline: Sequence[str],
                 window_days: float) -> float:
    """The share of link finding to give a child that also ranks related stories, so that
    both end about together: the child finds its links then ranks, this process finds the
    rest then joins clusters. (Timings only, never results, depend on it.)

    Costs per story, measured on the bench corpora: ranking about 45 us; finding links
    about 20 us and joining about 15 us, each plus 0.11 us per story in its window (taken
    as if stories were spread evenly). A sparse site (10k stories over three years: 36 a
    window) gives the child no links, and it starts ranking at once; a dense one (100k: 365
    a window) half of them.
    """
    if len(timeline) < 2:
        return 0.0
    days = day_of(stories[timeline[-1]]) - day_of(stories[timeline[0]])
    window = len(timeline) * min(1.0, window_days / days) if days > 0 else len(timeline)
    finding, joining, ranking = 20.0 + 0.11 * window, 15.0 + 0.11 * window, 45.0
    return min(0.5, max(0.0, (finding + joining - ranking) / (2 * finding)))


def _update_backward(old: EngineState, forward: Mapping[str, tuple[ForwardLink, ...]],
                     redone: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """Backward links after the forward links of ``redone`` were recomputed, and the stories
    at either end of a changed link (each story's earlier stories sorted once, at the end)."""
    linked: set[str] = set()
    leaving: dict[str, set[str]] = {}
    coming: dict[str, list[str]] = {}
    for key in redone:
        before, after = old.forward.get(key, ()), forward.get(key, ())
        if before == after:
            continue
        linked.add(key)
        for link in before:
            leaving.setdefault(link[0], set()).add(key)
        for link in after:
            coming.setdefault(link[0], []).append(key)
    backward = dict(old.backward)
    for other in leaving.keys() | coming.keys():
        linked.add(other)
        gone = leaving.get(other, ())
        kept = [k for k in backward.get(other, ()) if k not in gone]
        kept.extend(coming.get(other, ()))
        if kept:
            backward[other] = tuple(sorted(kept))
        else:
            backward.pop(other, None)
    return backward, linked


def _find_range(timeline: list[str], stories: Mapping[str, StoryRecord],
                days: list[float] | None, low: float, high: float, end: float
                ) -> tuple[int, int, int]:
    """Positions in the timeline of the first day >= low, and after the last <= high, <= end."""
    if days is not None:
        return (bisect_left(days, low), bisect_right(days, high), bisect_right(days, end))

    def day(key: str) -> float:
        return day_of(stories[key])

    return (bisect_left(timeline, low, key=day), bisect_right(timeline, high, key=day),
            bisect_right(timeline, end, key=day))


def _update_url_groups(
    old: EngineState, stories: Mapping[str, StoryRecord], changed: Sequence[str],
    timeline: Sequence[str],
) -> tuple[dict[str, list[str]], set[str]]:
    """Address -> stories; and every story of an address a changed story had or has."""
    if not old.stories:  # from nothing: file the stories in time order, no sorting
        filed: dict[str, list[str]] = {}
        for key in timeline:
            for url in stories[key][R_URLS]:
                filed.setdefault(url, []).append(key)
        return filed, {key for members in filed.values() for key in members}
    groups = dict(old.url_groups)
    touched: set[str] = set()
    for key in changed:
        for url in old.stories[key][R_URLS] if key in old.stories else ():
            groups[url] = [k for k in groups[url] if k != key]
            touched.add(url)
    new_key = _sort_key(stories)
    for key in changed:
        for url in stories[key][R_URLS] if key in stories else ():
            groups[url] = sorted([*groups.get(url, ()), key], key=new_key)
            touched.add(url)
    shared: set[str] = set()
    for url in touched:
        shared.update(old.url_groups.get(url, ()))
        shared.update(groups[url])
        if not groups[url]:
            del groups[url]
    return groups, shared


def _update_groups(
    old: EngineState, stories: Mapping[str, StoryRecord], timeline: Sequence[str],
    forward: Mapping[str, tuple[ForwardLink, ...]], backward: Mapping[str, tuple[str, ...]],
    url_groups: Mapping[str, list[str]], dirty: set[str], *, threshold: float,
    window_days: float,
) -> tuple[dict[str, GroupRecord], dict[str, str]]:
    """Automatic clusters, re-joining only the components a change reaches."""

    def former(key: str) -> tuple[str, ...]:
        group = old.group_of.get(key)
        return old.groups[group][0] if group is not None else ()

    todo = [key for key in dirty for key in (key, *former(key))]
    seen: set[str] = set()
    components: list[list[str]] = []
    while todo:
        start = todo.pop()
        if start in seen or start not in stories or not is_eligible(stories[start]):
            continue
        component = _find_component(start, stories, forward, backward, url_groups, seen)
        components.append(component)
        todo.extend(k for key in component for k in former(key))
    groups, group_of = dict(old.groups), dict(old.group_of)
    for key in seen | dirty:
        group = group_of.pop(key, None)
        if group is not None:
            groups.pop(group, None)
    order: Callable[[str], Any] = _sort_key(stories)
    if sum(map(len, components)) * 4 > len(timeline):  # most stories: sort by place instead
        order = {key: place for place, key in enumerate(timeline)}.__getitem__
    for component in components:
        component.sort(key=order)
        found = join_component(component, stories, forward, url_groups,
                               threshold=threshold, window_days=window_days)
        for group, record in found.items():
            groups[group] = record
            group_of.update(dict.fromkeys(record[0], group))
    return groups, group_of


def _find_component(
    start: str, stories: Mapping[str, StoryRecord],
    forward: Mapping[str, tuple[ForwardLink, ...]], backward: Mapping[str, tuple[str, ...]],
    url_groups: Mapping[str, list[str]], seen: set[str],
) -> list[str]:
    """The eligible stories connected to ``start`` by links or shared addresses (each added
    to ``seen``)."""
    component, stack = [start], [start]
    seen.add(start)
    add = seen.add
    while stack:
        key = stack.pop()
        found = [link[0] for link in forward.get(key, ())]
        found.extend(backward.get(key, ()))
        for url in stories[key][R_URLS]:
            members = url_groups[url]
            if len(members) > 1:  # (a story alone at its address is no one's neighbour)
                found.extend(k for k in members if is_eligible(stories[k]))
        for other in found:
            if other not in seen:
                add(other)
                component.append(other)
                stack.append(other)
    return component


def _update_event_of(
    old: EngineState, events: Mapping[str, GroupRecord]
) -> tuple[dict[str, str], set[str]]:
    """Final cluster id of each story, and the stories whose cluster changed in any way."""
    event_of = dict(old.event_of)
    changed = [g for g in old.events.keys() | events.keys() if old.events.get(g) != events.get(g)]
    moved: set[str] = set()
    for group in changed:
        if group in old.events:
            moved.update(old.events[group][0])
            for key in old.events[group][0]:
                if event_of.get(key) == group:
                    del event_of[key]
    for group in changed:
        if group in events:
            moved.update(events[group][0])
            event_of.update(dict.fromkeys(events[group][0], group))
    return event_of, moved


Candidates = tuple[bytes, bytes, bytes]
"""Each story's best related candidates, before events are known (``rank_candidates``)."""


def _plan_ranking(old: EngineState, stories: Mapping[str, StoryRecord],
                  timeline: Sequence[str], *, count: int
                  ) -> tuple[dict[str, list[str]], Callable[[], Candidates] | None]:
    """For a computation from nothing, the related-story index and the ranking of every
    story's candidates, which depends on the vectors and times only: it can run in the child
    that finds half the links, while this process joins the clusters (events are filtered
    out once known, see ``related.choose_related``). Otherwise ({}, None)."""
    if old.stories or count <= 0:
        return {}, None
    postings = build_postings(stories, timeline)
    return postings, partial(rank_candidates, postings, stories, timeline,
                             keep=count + SPARE_CANDIDATES)


def _update_related(
    old: EngineState, stories: Mapping[str, StoryRecord], timeline: Sequence[str],
    dirty: set[str], moved: set[str], event_of: Mapping[str, str], *, count: int,
) -> tuple[dict[str, list[str]], dict[str, tuple[str, ...]]]:
    """The related-story index, and related stories re-ranked where a change can reach."""
    if count <= 0:
        return {}, {}
    if not old.stories:
        postings = build_postings(stories, timeline)
        reach = set(stories)
    else:
        postings, reach = _update_postings(old, stories, dirty)
        reach |= moved
    related = dict(old.related)
    for key in reach.difference(stories):
        related.pop(key, None)
    if len(reach) * 4 > len(stories):  # rank in time order: neighbours' data is then at hand
        index: PostingIndex | None = index_postings(postings, stories, event_of, timeline)
        order = [key for key in timeline if key in reach]
    else:
        index, order = None, sorted(reach.intersection(stories))

    def rank(low: int, high: int) -> list[tuple[str, ...]]:
        return [rank_related(key, stories, postings, event_of, count=count, index=index)
                for key in order[low:high]]

    ranked = [found for part in run_split(rank, len(order)) for found in part]
    related.update(zip(order, ranked, strict=True))
    return postings, related


def list_clusters(state: EngineState) -> tuple[Cluster, ...]:
    """The state's final clusters, sorted by their earliest story, then id."""
    stories = state.stories
    order = _sort_key(stories)
    ranked = sorted(
        (min(order(members[0]), order(members[1])) if len(members) > 1 else order(members[0]),
         group)
        for group, (members, _) in state.events.items()
    )
    return tuple(
        Cluster(group, state.events[group][0],
                tuple(Evidence(*e) for e in state.events[group][1]))
        for _, group in ranked
    )


def _update_postings(old: EngineState, stories: Mapping[str, StoryRecord], dirty: set[str]
                     ) -> tuple[dict[str, list[str]], set[str]]:
    """The related-story index after a change, and the stories whose list it can move."""
    postings = dict(old.postings)
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for key in dirty:
        for name in related_lookups(old.stories[key]) if key in old.stories else ():
            before.setdefault(name, []).append(key)
        for name in related_lookups(stories[key]) if key in stories else ():
            after.setdefault(name, []).append(key)
    reach = set(dirty)
    for name in before.keys() | after.keys():
        leaving, coming = before.get(name, []), after.get(name, [])
        members = old.postings.get(name, [])
        reach |= list_neighbourhood(members, leaving, old.stories)
        gone = set(leaving)
        members = [k for k in members if k not in gone]
        for key in coming:
            insort(members, key, key=_sort_key(stories))
        reach |= list_neighbourhood(members, coming, stories)
        if members:
            postings[name] = members
        else:
            del postings[name]
        if name.startswith("topic:") and topic_band(len(members)) != topic_band(
            len(old.postings.get(name, ()))
        ):
            reach.update(members)
    return postings, reach
