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
    return {
        key: rank_related(key, stories, postings, event_of, count=count)
        for key in sorted(stories)
    }


def build_postings(stories: Mapping[str, StoryRecord]) -> dict[str, list[str]]:
    """Each topic and term index entry -> the stories filed under it, sorted by time."""
    postings: dict[str, list[str]] = {}
    for key in sorted(stories, key=lambda k: (stories[k][R_TIME], k)):
        for name in related_lookups(stories[key]):
            postings.setdefault(name, []).append(key)
    return postings


def rank_related(
    key: str,
    stories: Mapping[str, StoryRecord],
    postings: Mapping[str, list[str]],
    event_of: Mapping[str, str],
    *,
    count: int,
) -> tuple[str, ...]:
    """The ``count`` best related stories of ``key`` from other events, best first."""
    record = stories[key]
    vector = record[R_VECTOR]
    event = event_of.get(key, key)
    scores: dict[str, float] = {}
    for name in related_lookups(record):
        members = postings[name]
        topic = name.startswith("topic:")
        gain = topic_gain(len(members)) if topic else 0.0
        for other in list_nearest(members, key, stories):
            if other == key or event_of.get(other, other) == event:
                continue
            if not topic:
                gain = TERM_WEIGHT * vector[name] * stories[other][R_VECTOR][name]
            scores[other] = scores.get(other, 0.0) + gain
    now = record[R_TIME]
    ranked = sorted(
        (-score / (1.0 + abs(stories[other][R_TIME] - now) / 86400.0 / HALF_LIFE_DAYS), other)
        for other, score in scores.items()
    )
    return tuple(other for _, other in ranked[:count])


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
    at = bisect_left(members, (stories[key][R_TIME], key), key=lambda k: (stories[k][R_TIME], k))
    return members[max(0, at - half) : at + half + 1]


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
