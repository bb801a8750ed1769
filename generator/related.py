"""Computed related stories: for each story, the best stories about *other* events.

In the spirit of Hugo's weighted related-content indices: two indices, topics and
distinctive terms, each with a weight; a candidate's score is the weighted sum of what it
shares with the story, scaled by how close in time the two were published. Near-linear:
each story looks up only its own topics and strongest terms, and in each posting list
(sorted by time) only the stories published nearest to it, so very common topics or terms
never make the work quadratic.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence

from generator.cluster_records import R_TIME, R_VECTOR, StoryRecord, related_lookups
from generator.clusters import Cluster, ClusterDoc

TOPIC_WEIGHT = 1.0
"""Weight of a shared topic, times the topic's banded idf (a topic on every story adds little)."""
TOPIC_SCALE = 64.0
"""A shared topic scores ln(1 + TOPIC_SCALE / band), band = the power of two at or below the
number of stories filed under it (banded, so one more story rarely moves it)."""
TERM_WEIGHT = 8.0
"""Weight of the shared-term overlap (sum of products of the two stories' term weights)."""
NEIGHBOURS_PER_POSTING = 12
"""How many stories nearest in time are taken from each topic or term posting list."""
HALF_LIFE_DAYS = 30.0
"""Time apart at which a candidate's score is halved."""


def compute_related(
    docs: Sequence[ClusterDoc],
    clusters: Sequence[Cluster],
    *,
    count: int,
    features: object = None,
) -> dict[str, tuple[str, ...]]:
    """Up to ``count`` related story keys for every story, best first.

    Stories in the same cluster as the story are excluded (they report the same event).
    Ties break on the key, so the result does not depend on input order. ``features`` is
    accepted for compatibility and ignored.
    """
    from generator.cluster_engine import build_records

    stories = build_records(docs)
    event_of = {key: cluster.id for cluster in clusters for key in cluster.members}
    postings = build_postings(stories)
    index = index_postings(postings, stories)
    return {
        key: rank_related(key, stories, postings, event_of, count=count, index=index)
        for key in sorted(stories)
    }


def build_postings(stories: Mapping[str, StoryRecord]) -> dict[str, list[str]]:
    """Each topic and term index entry -> the stories filed under it, sorted by time."""
    postings: dict[str, list[str]] = {}
    for key in sorted(stories, key=lambda k: (stories[k][R_TIME], k)):
        for name in related_lookups(stories[key]):
            postings.setdefault(name, []).append(key)
    return postings


PostingColumns = tuple[dict[str, int], list[float]]
"""One posting's columns: the place of each story in it, and each story's weight of the term
along it (empty for a topic)."""
PostingIndex = dict[str, PostingColumns]
"""Index entry -> its posting's columns."""


def index_postings(postings: Mapping[str, list[str]], stories: Mapping[str, StoryRecord]
                   ) -> PostingIndex:
    """What ranking reads of each posting's stories, laid out along the posting.

    Worth building when most stories are ranked (a clean computation): ranking then reads
    a few short runs of lists instead of each neighbour's record. Otherwise
    :func:`rank_related` finds a story's place by bisection and reads the records.
    """
    return {
        name: ({key: at for at, key in enumerate(members)},
               [] if name.startswith("topic:") else
               [stories[key][R_VECTOR][name] for key in members])
        for name, members in postings.items()
    }


def rank_related(
    key: str,
    stories: Mapping[str, StoryRecord],
    postings: Mapping[str, list[str]],
    event_of: Mapping[str, str],
    *,
    count: int,
    index: PostingIndex | None = None,
) -> tuple[str, ...]:
    """The ``count`` best related stories of ``key`` from other events, best first.

    ``index`` (from :func:`index_postings` over the same arguments) gives the same result,
    faster.
    """
    record = stories[key]
    vector = record[R_VECTOR]
    scores: dict[str, float] = {}
    get = scores.get
    for name in related_lookups(record):
        members = postings[name]
        near, weights = _list_nearest_columns(name, key, members, stories, index)
        if name.startswith("topic:"):
            gain = topic_gain(len(members))
            for other in near:
                scores[other] = get(other, 0.0) + gain
        else:
            weight = TERM_WEIGHT * vector[name]
            for other, theirs in zip(near, weights, strict=True):
                scores[other] = get(other, 0.0) + weight * theirs
    event = event_of.get(key, key)
    others = [other for other in scores if event_of.get(other, other) != event]
    return _best_decayed(others, scores, stories, record[R_TIME], count)


def _best_decayed(others: Sequence[str], scores: Mapping[str, float],
                  stories: Mapping[str, StoryRecord], now: float, count: int
                  ) -> tuple[str, ...]:
    """The ``count`` best ``others`` by score / (1 + days apart / HALF_LIFE_DAYS), ties by key."""
    ranked = [
        -scores[other] / (1.0 + abs(stories[other][R_TIME] - now) / 86400.0 / HALF_LIFE_DAYS)
        for other in others
    ]
    if len(ranked) > count:  # pair up only the few that can make the cut (cheaper to sort)
        cutoff = sorted(ranked)[count - 1]
        best = sorted([pair for pair in zip(ranked, others, strict=True) if pair[0] <= cutoff])
    else:
        best = sorted(zip(ranked, others, strict=True))
    return tuple(other for _, other in best[:count])


def _list_nearest_columns(
    name: str, key: str, members: list[str], stories: Mapping[str, StoryRecord],
    index: PostingIndex | None,
) -> tuple[list[str], list[float]]:
    """The stories nearest ``key`` in posting ``name`` (itself included), with their term
    weights (empty for a topic)."""
    half = NEIGHBOURS_PER_POSTING // 2
    if index is not None:
        places, weights = index[name]
        at = places[key]
        low, high = max(0, at - half), at + half + 1
        return members[low:high], weights[low:high]
    at = _find_place(members, key, stories)
    near = members[max(0, at - half) : at + half + 1]
    if name.startswith("topic:"):
        return near, []
    return near, [stories[other][R_VECTOR][name] for other in near]


def topic_gain(filed: int) -> float:
    """Score of sharing a topic that ``filed`` stories are filed under."""
    return TOPIC_WEIGHT * math.log(1.0 + TOPIC_SCALE / topic_band(filed))


def topic_band(filed: int) -> int:
    """The power of two at or below ``filed``: all a topic's gain depends on."""
    return 1 << (max(filed, 1).bit_length() - 1)


def list_nearest(members: list[str], key: str, stories: Mapping[str, StoryRecord]
                 ) -> list[str]:
    """The entries of a time-sorted posting list closest to ``key`` (itself included)."""
    half = NEIGHBOURS_PER_POSTING // 2
    at = _find_place(members, key, stories)
    return members[max(0, at - half) : at + half + 1]


def _find_place(members: list[str], key: str, stories: Mapping[str, StoryRecord]) -> int:
    """Where ``key`` is (or would be) in a posting list sorted by (time, key)."""
    return bisect_left(members, (stories[key][R_TIME], key),
                       key=lambda k: (stories[k][R_TIME], k))


def list_neighbourhood(members: list[str], keys: Iterable[str],
                       stories: Mapping[str, StoryRecord]) -> set[str]:
    """Every entry whose nearest-entries window can include one of ``keys`` (at its place
    in ``members``, present or not)."""
    reach = NEIGHBOURS_PER_POSTING // 2 + 1
    found: set[str] = set()
    for key in keys:
        at = bisect_left(members, (stories[key][R_TIME], key),
                         key=lambda k: (stories[k][R_TIME], k))
        found.update(members[max(0, at - reach) : at + reach + 1])
    return found
