"""The steps of an incremental clustering update (``cluster_engine.update_engine`` calls
them in order): the timeline, forward and backward links, shared-address groups, clusters
joined per connected component, final events, and the related-story ranking. Each takes
the previous ``EngineState`` and the stories, and recomputes only what a change reaches.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from generator import kernels
from generator.cluster_join import GroupRecord, Replay, join_component, list_sharing
from generator.cluster_links import ForwardLink, LinkIndex, find_forward_links
from generator.cluster_parallel import Forked, run_split, run_split_then
from generator.cluster_records import (
    R_TIME,
    R_URLS,
    StoryRecord,
    day_of,
    is_eligible,
    related_lookups,
)
from generator.related import (
    PostingIndex,
    build_postings,
    index_postings,
    list_neighbourhood,
    rank_candidates,
    rank_related,
    topic_band,
)

if TYPE_CHECKING:
    from generator.cluster_engine import EngineState

SPARE_CANDIDATES = 16
"""Related candidates ranked early beyond the count, to make up for those that turn out to
be in the story's own event (a story whose list runs short is ranked again)."""
_EPSILON_DAYS = 1e-6
"""Slack on window edges when choosing what to recompute (a superset is always safe)."""

T = TypeVar("T")


def sort_key(stories: Mapping[str, StoryRecord]) -> Callable[[str], tuple[float, str]]:
    """(time, key) of a story in ``stories``."""
    return lambda key: (stories[key][R_TIME], key)


def update_timeline(
    old: EngineState, stories: Mapping[str, StoryRecord], dirty: set[str]
) -> list[str]:
    """Keys sorted by (time, key)."""
    if len(dirty) * 8 > len(stories) + 8:
        return sorted(stories, key=sort_key(stories))
    timeline = list(old.timeline)
    old_key = sort_key(old.stories)
    for key in dirty:
        if key in old.stories:
            del timeline[bisect_left(timeline, old_key(key), key=old_key)]
    new_key = sort_key(stories)
    for key in dirty:
        if key in stories:
            insort(timeline, key, key=new_key)
    return timeline


def update_links(
    old: EngineState,
    stories: Mapping[str, StoryRecord],
    timeline: list[str],
    dirty: set[str],
    *,
    threshold: float,
    window_days: float,
    then: Callable[[], T] | None = None,
    share: float = 0.5,
) -> tuple[
    dict[str, tuple[ForwardLink, ...]], dict[str, tuple[str, ...]], set[str], Forked[T] | None
]:
    """Forward links recomputed for stories up to a window before a dirty story.

    Large runs are split across processes, a child taking ``share`` of the stories. Returns
    forward and backward links, the stories at either end of a changed link, and ``then()``
    being computed in that child, if one was started (if none, ``then`` is left to the
    caller).
    """
    merged: list[list[float]] = []  # each dirty day's span, from a window before it
    if not old.stories and timeline:  # from nothing: one span over every story (the spans
        # of their days cover the same stories; sorting 100,000 days took 0.2 s)
        merged.append([day_of(stories[timeline[0]]) - window_days - _EPSILON_DAYS,
                       day_of(stories[timeline[-1]]) + _EPSILON_DAYS])
    else:
        touched = [old.stories[key] for key in dirty if key in old.stories]
        touched.extend(stories[key] for key in dirty if key in stories)
        for day in sorted(set(map(day_of, touched))):
            low, high = day - window_days - _EPSILON_DAYS, day + _EPSILON_DAYS
            if merged and low <= merged[-1][1]:
                merged[-1][1] = high  # (the days ascend, so the spans' ends do)
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
            start = _find_day(timeline, stories, days, low)
            stop = _find_day(timeline, stories, days, high, after=True, lo=start)
            run = timeline[start:stop]
            for key in run:
                forward.pop(key, None)
            redone.update(run)

            def find(
                first: int, last: int, start: int = start
            ) -> list[tuple[str, tuple[ForwardLink, ...]]]:
                """Forward links of the run's stories ``first .. last``, through an index of
                them and the window after them, built here (in the process that reads it,
                and only as large as its share of the run)."""
                if first >= last:
                    return []
                reach = day_of(stories[timeline[start + last - 1]]) + window_days
                end = _find_day(timeline, stories, days, reach, after=True, lo=start + last)
                index = LinkIndex(stories, timeline[start + first : end], window_days=window_days)
                found = (
                    (
                        key,
                        find_forward_links(
                            key, index, threshold=threshold, window_days=window_days
                        ),
                    )
                    for key in timeline[start + first : start + last]
                    if key in index.place
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


def child_share(
    stories: Mapping[str, StoryRecord], timeline: Sequence[str], window_days: float
) -> float:
    """The share of link finding to give a child that also ranks related stories, so that
    both end about together: the child finds its links then ranks, this process finds the
    rest then joins clusters. (Timings only, never results, depend on it.)

    Costs per story, measured on the bench corpora with the compiled kernels (2026-11-22,
    10k and 100k stories): finding links about 15 us, joining about 8 us, plus 0.05 and
    0.04 us per story in its window (taken as if stories were spread evenly), and ranking
    about 10 us. A sparse site (10k stories over three years: 36 a window) gives the child
    about half the links, as does a dense one (100k: 365 a window), where the formula asks
    for more: giving the child more than half was slower there (0.6: 10.5 s, 0.7: 11.3 s,
    against 9.5 s), as this process then reads back and files more of the child's links.
    Without the kernels (Python only): 20, 10 and 35 us, plus 0.1, 0.09 and 0.02 us per
    story in its window; the sparse site gives the child no links, the dense one half.
    """
    if len(timeline) < 2:
        return 0.0
    days = day_of(stories[timeline[-1]]) - day_of(stories[timeline[0]])
    window = len(timeline) * min(1.0, window_days / days) if days > 0 else len(timeline)
    if kernels.rank is not None:  # compiled
        finding, joining, ranking = 15.0 + 0.05 * window, 8.0 + 0.04 * window, 10.0
    else:  # the Python references
        finding, joining = 20.0 + 0.1 * window, 10.0 + 0.09 * window
        ranking = 35.0 + 0.02 * window
    return min(0.5, max(0.0, (finding + joining - ranking) / (2 * finding)))


def _update_backward(
    old: EngineState, forward: Mapping[str, tuple[ForwardLink, ...]], redone: Iterable[str]
) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """Backward links after the forward links of ``redone`` were recomputed, and the stories
    at either end of a changed link (each story's earlier stories sorted once, at the end)."""
    if not old.forward:
        return _list_backward(forward)
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


def _list_backward(
    forward: Mapping[str, tuple[ForwardLink, ...]],
) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """:func:`_update_backward` when there were no links before (so every link in
    ``forward`` is new): read in the order the links lie in memory, each story probed once
    (on the 100k bench 0.17 s instead of 0.5 s)."""
    coming: dict[str, list[str]] = {}
    for key, links in forward.items():
        for link in links:
            found = coming.get(link[0])
            if found is None:
                coming[link[0]] = [key]
            else:
                found.append(key)
    backward = {other: tuple(sorted(keys)) for other, keys in coming.items()}
    return backward, {*forward, *coming}


def _find_day(
    timeline: list[str],
    stories: Mapping[str, StoryRecord],
    days: list[float] | None,
    day: float,
    *,
    after: bool = False,
    lo: int = 0,
) -> int:
    """The position in the timeline (from ``lo`` on) of its first story on ``day`` or later
    (``after``: later); ``days``, if given, holds the day of each story."""
    find = bisect_right if after else bisect_left
    if days is not None:
        return find(days, day, lo)

    def day_at(key: str) -> float:
        return day_of(stories[key])

    return find(timeline, day, lo, key=day_at)


def update_url_groups(
    old: EngineState,
    stories: Mapping[str, StoryRecord],
    changed: Sequence[str],
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
    new_key = sort_key(stories)
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


def update_groups(
    old: EngineState,
    stories: Mapping[str, StoryRecord],
    timeline: Sequence[str],
    forward: Mapping[str, tuple[ForwardLink, ...]],
    backward: Mapping[str, tuple[str, ...]],
    url_groups: Mapping[str, list[str]],
    dirty: set[str],
    *,
    threshold: float,
    window_days: float,
) -> tuple[dict[str, GroupRecord], dict[str, str]]:
    """Automatic clusters, re-joining only the components a change reaches; within them,
    only the decisions a changed group takes are made again (``cluster_join.Replay``)."""

    def former(key: str) -> tuple[str, ...]:
        group = old.group_of.get(key)
        return old.groups[group][0] if group is not None else ()

    todo = [key for key in dirty for key in (key, *former(key))]
    # (most stories: find those sharing an address at once, not by reading each one's)
    sharing = list_sharing(url_groups) if len(todo) * 4 > len(stories) else None
    seen: set[str] = set()
    components: list[list[str]] = []
    while todo:
        start = todo.pop()
        if start in seen or start not in stories or not is_eligible(stories[start]):
            continue
        component = _find_component(
            start, stories, forward, backward, url_groups, seen, sharing=sharing
        )
        components.append(component)
        todo.extend(k for key in component for k in former(key))
    groups, group_of = dict(old.groups), dict(old.group_of)
    for key in seen | dirty:
        group = group_of.pop(key, None)
        if group is not None:
            groups.pop(group, None)
    order: Callable[[str], Any] = sort_key(stories)
    if sum(map(len, components)) * 4 > len(timeline):  # most stories: sort by place instead
        order = {key: place for place, key in enumerate(timeline)}.__getitem__
    # (the joins of the former groups of the stories re-joined, not of every group: an
    # edit on a sparse site re-joins a few small components)
    former_groups = {
        old.group_of[key] for component in components for key in component if key in old.group_of
    }
    replay = (
        Replay(
            dirty,
            {(e[0], e[1]) for group in former_groups for e in old.groups[group][1]},
            old.groups,
        )
        if old.groups
        else None
    )
    for component in components:
        component.sort(key=order)
        found = join_component(
            component,
            stories,
            forward,
            url_groups,
            threshold=threshold,
            window_days=window_days,
            sharing=sharing,
            replay=replay,
        )
        for group, record in found.items():
            groups[group] = record
            group_of.update(dict.fromkeys(record[0], group))
    return groups, group_of


def _find_component(
    start: str,
    stories: Mapping[str, StoryRecord],
    forward: Mapping[str, tuple[ForwardLink, ...]],
    backward: Mapping[str, tuple[str, ...]],
    url_groups: Mapping[str, list[str]],
    seen: set[str],
    *,
    sharing: AbstractSet[str] | None = None,
) -> list[str]:
    """The eligible stories connected to ``start`` by links or shared addresses (each added
    to ``seen``; ``sharing``, if given: every story that shares an address)."""
    component, stack = [start], [start]
    seen.add(start)
    add = seen.add
    while stack:
        key = stack.pop()
        found = [link[0] for link in forward.get(key, ())]
        found.extend(backward.get(key, ()))
        for url in stories[key][R_URLS] if sharing is None or key in sharing else ():
            members = url_groups[url]
            if len(members) > 1:  # (a story alone at its address is no one's neighbour)
                found.extend(k for k in members if is_eligible(stories[k]))
        for other in found:
            if other not in seen:
                add(other)
                component.append(other)
                stack.append(other)
    return component


def update_event_of(
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


Ranking = tuple[Candidates, dict[str, list[str]]]
"""Every story's related candidates, and the related-story index (see ``plan_ranking``)."""


def plan_ranking(
    old: EngineState, stories: Mapping[str, StoryRecord], timeline: Sequence[str], *, count: int
) -> Callable[[], Ranking] | None:
    """For a computation from nothing, the ranking of every story's candidates, which
    depends on the vectors and times only, and the related-story index: both can be made
    in the child that finds a share of the links, while this process joins the clusters
    (events are filtered out once known, see ``related.choose_related``). Otherwise None."""
    if old.stories or count <= 0:
        return None
    return partial(_rank_all, stories, timeline, keep=count + SPARE_CANDIDATES)


def _rank_all(stories: Mapping[str, StoryRecord], timeline: Sequence[str], *, keep: int
              ) -> Ranking:
    """:func:`~generator.related.rank_candidates`, and the index of every story
    (:func:`~generator.related.build_postings`, 0.2 s at 100,000 stories: made in the
    child, it does not hold up the fork)."""
    return rank_candidates(stories, timeline, keep=keep), build_postings(stories, timeline)


def update_related(
    old: EngineState,
    stories: Mapping[str, StoryRecord],
    timeline: Sequence[str],
    dirty: set[str],
    moved: set[str],
    event_of: Mapping[str, str],
    *,
    count: int,
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
        index: PostingIndex | None = index_postings(stories, event_of, timeline)
        order = [key for key in timeline if key in reach]
    else:
        index, order = None, sorted(reach.intersection(stories))

    def rank(low: int, high: int) -> list[tuple[str, ...]]:
        return [
            rank_related(key, stories, postings, event_of, count=count, index=index)
            for key in order[low:high]
        ]

    ranked = [found for part in run_split(rank, len(order)) for found in part]
    related.update(zip(order, ranked, strict=True))
    return postings, related


def _update_postings(
    old: EngineState, stories: Mapping[str, StoryRecord], dirty: set[str]
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
            insort(members, key, key=sort_key(stories))
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
