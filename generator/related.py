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
from collections.abc import Mapping, Sequence

from generator.cluster_text import StoryFeatures, build_story_features
from generator.clusters import Cluster, ClusterDoc

TOPIC_WEIGHT = 1.0
"""Weight of a shared topic, times the topic's idf (a topic on every story adds ~nothing)."""
TERM_WEIGHT = 8.0
"""Weight of the shared-term overlap (sum of products of the two stories' term weights)."""
TERMS_PER_STORY = 5
"""How many of a story's strongest terms are looked up in the term index."""
NEIGHBOURS_PER_POSTING = 12
"""How many stories nearest in time are taken from each topic or term posting list."""
HALF_LIFE_DAYS = 30.0
"""Time apart at which a candidate's score is halved."""


def compute_related(
    docs: Sequence[ClusterDoc],
    clusters: Sequence[Cluster],
    *,
    count: int,
    features: StoryFeatures | None = None,
) -> dict[str, tuple[str, ...]]:
    """Up to ``count`` related story keys for every story, best first.

    Stories in the same cluster as the story are excluded (they report the same event).
    Ties break on the key, so the result does not depend on input order. ``features`` may
    be passed when already built over the same ``docs`` in the same order.
    """
    order = sorted(range(len(docs)), key=lambda i: (docs[i].published, docs[i].key))
    if features is None or len(features.vectors) != len(docs):
        features = build_story_features(docs)
    keys = [docs[i].key for i in order]
    days = [features.days[i] for i in order]
    vectors = [features.vectors[i] for i in order]
    event_of = {key: cluster.id for cluster in clusters for key in cluster.members}
    events = [event_of.get(key, key) for key in keys]
    lookups = [_index_keys(docs[i].topics, vectors[n]) for n, i in enumerate(order)]
    postings: dict[str, list[int]] = {}
    for position, story_keys in enumerate(lookups):
        for name in story_keys:
            postings.setdefault(name, []).append(position)
    gains = _topic_gains(postings, len(keys))
    related: dict[str, tuple[str, ...]] = {}
    for position, story_keys in enumerate(lookups):
        scores: dict[int, float] = {}
        for name in story_keys:
            for other in _nearest(postings[name], position):
                if other == position or events[other] == events[position]:
                    continue
                if name in gains:
                    gain = gains[name]
                else:
                    gain = TERM_WEIGHT * vectors[position][name] * vectors[other][name]
                scores[other] = scores.get(other, 0.0) + gain
        ranked = sorted(
            (-score / (1.0 + abs(days[other] - days[position]) / HALF_LIFE_DAYS), keys[other])
            for other, score in scores.items()
        )
        related[keys[position]] = tuple(key for _, key in ranked[:count])
    return {key: related[key] for key in sorted(related)}


def _index_keys(topics: Sequence[str], vector: Mapping[str, float]) -> tuple[str, ...]:
    """The topic and term index entries a story is filed under and looks up."""
    terms = sorted((-weight, term) for term, weight in vector.items())
    topic_keys = sorted({"topic:" + topic.strip().lower() for topic in topics if topic.strip()})
    return (*topic_keys, *(term for _, term in terms[:TERMS_PER_STORY]))


def _topic_gains(postings: Mapping[str, list[int]], total: int) -> dict[str, float]:
    """Score of sharing each topic: its weight times ln(1 + stories / stories with it)."""
    return {
        name: TOPIC_WEIGHT * math.log(1.0 + total / len(members))
        for name, members in postings.items()
        if name.startswith("topic:")
    }


def _nearest(positions: list[int], position: int) -> list[int]:
    """The entries of a time-sorted posting list closest to ``position`` (itself included)."""
    half = NEIGHBOURS_PER_POSTING // 2
    at = bisect_left(positions, position)
    return positions[max(0, at - half) : at + half + 1]
