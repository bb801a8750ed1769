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
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from generator import kernels
from generator.cluster_records import (
    R_TIME,
    R_VECTOR,
    StoryRecord,
    related_lookups,
)
from generator.clusters import Cluster, ClusterDoc
from generator.frozen import frozen

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

T = TypeVar("T", str, int)
"""A story's name in scoring: its key, or its number in a :class:`PostingIndex`."""


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
    timeline = sorted(stories, key=lambda k: (stories[k][R_TIME], k))
    postings = build_postings(stories, timeline)
    index = index_postings(stories, event_of, timeline)
    return {
        key: rank_related(key, stories, postings, event_of, count=count, index=index)
        for key in sorted(stories)
    }


def build_postings(stories: Mapping[str, StoryRecord], timeline: Iterable[str]
                   ) -> dict[str, list[str]]:
    """Each topic and term index entry -> the stories filed under it, sorted by time
    (``timeline``: every story, sorted by (time, key))."""
    postings: dict[str, list[str]] = {}
    for key in timeline:
        for name in related_lookups(stories[key]):
            postings.setdefault(name, []).append(key)
    return postings


@frozen
class PostingIndex:
    """What ranking reads, in flat lists indexed by story number (the stories numbered in
    time order): on a large site, reading each neighbour's record would wait on memory."""

    number_of: dict[str, int]
    """Each story's number."""
    keys: list[str]
    """Each number's story."""
    times: list[float]
    """Publication time of each story, by number."""
    events: array[int]
    """A number for the event of each story, by number."""
    places: list[tuple[tuple[list[int], list[float], int], ...]]
    """Each story's topic and term postings, by number, in ``related_lookups`` order: the
    posting's stories (by number, ascending) and their weights of the term (empty for a
    topic), and the story's place in them. (Lists, not arrays: ranking reads slices of
    them, and a list's slice hands over the objects it holds, an array's makes new ones.)"""
    gains: dict[int, float]
    """Each topic posting's gain (:func:`topic_gain`), by the ``id`` of its list of stories
    (which ``places`` keeps alive). Looked up per topic: giving topics a weight list too,
    and one multiplication a neighbour, made ranking 5% slower."""


def index_postings(stories: Mapping[str, StoryRecord], event_of: Mapping[str, str],
                   timeline: Sequence[str]) -> PostingIndex:
    """The index of the stories' postings (those :func:`build_postings` files, over the same
    ``timeline``: every story, sorted by (time, key)) for :func:`rank_related`.

    Worth building when most stories are ranked (a clean computation). Otherwise
    :func:`rank_related` finds a story's place by bisection and reads the records. Built
    in one pass over the timeline, each record read once and in the order it lies in
    memory (looking each posting's members up by key instead takes 2.5 times as long).
    """
    number_of = {key: number for number, key in enumerate(timeline)}
    event_numbers: dict[str, int] = {}
    events = array("q", [event_numbers.setdefault(event_of.get(key, key), len(event_numbers))
                         for key in timeline])
    times: list[float] = []
    columns: dict[str, tuple[list[int], list[float]]] = {}
    places: list[tuple[tuple[list[int], list[float], int], ...]] = []
    for number, key in enumerate(timeline):
        record = stories[key]
        times.append(record[R_TIME])
        vector = record[R_VECTOR]
        mine = []
        for name in related_lookups(record):  # (what build_postings files it under)
            column = columns.get(name)
            if column is None:
                column = columns[name] = ([], [])
            numbers, weights = column
            mine.append((numbers, weights, len(numbers)))
            numbers.append(number)
            if not name.startswith("topic:"):  # a term: its weight too
                weights.append(vector[name])
        places.append(tuple(mine))
    gains = {id(numbers): topic_gain(len(numbers))
             for name, (numbers, _) in columns.items() if name.startswith("topic:")}
    return PostingIndex(number_of, list(timeline), times, events, places, gains)


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
    if index is not None:
        return _rank_indexed(key, stories[key], index, count)
    record = stories[key]
    vector = record[R_VECTOR]
    scores: dict[str, float] = {}
    for name in related_lookups(record):
        members = postings[name]
        near = list_nearest(members, key, stories)
        if name.startswith("topic:"):
            _add_scores(scores, near, None, topic_gain(len(members)))
        else:
            _add_scores(scores, near, [stories[other][R_VECTOR][name] for other in near],
                        TERM_WEIGHT * vector[name])
    event = event_of.get(key, key)
    eligible = {other: score for other, score in scores.items()
                if event_of.get(other, other) != event}
    times = {other: stories[other][R_TIME] for other in eligible}
    return _best_decayed(eligible, times, record[R_TIME], count, _same_key)


def _rank_indexed(key: str, record: StoryRecord, index: PostingIndex, count: int
                  ) -> tuple[str, ...]:
    """:func:`rank_related` through an index: the same operations on story numbers."""
    number = index.number_of[key]
    scores = _score_indexed(number, index)
    events = index.events
    event = events[number]
    eligible = {other: score for other, score in scores.items() if events[other] != event}
    return _best_decayed(eligible, index.times, record[R_TIME], count, index.keys.__getitem__)


def _score_indexed(number: int, index: PostingIndex) -> dict[int, float]:
    """Each candidate's score (before the time decay) for story ``number`` (the score loops
    written out: this runs for every story of a clean build)."""
    scores: dict[int, float] = {}
    get = scores.get
    half = NEIGHBOURS_PER_POSTING // 2
    gains = index.gains
    for numbers, weights, at in index.places[number]:
        low, high = max(0, at - half), at + half + 1
        if not weights:  # a topic: the same gain for every story under it
            gain = gains[id(numbers)]
            for other in numbers[low:high]:
                scores[other] = get(other, 0.0) + gain
        else:  # a term: the story's weight of it (at its place) times each other's
            weight = TERM_WEIGHT * weights[at]
            for other, theirs in zip(numbers[low:high], weights[low:high], strict=True):
                scores[other] = get(other, 0.0) + weight * theirs
    return scores


def rank_candidates(stories: Mapping[str, StoryRecord], timeline: Sequence[str], *, keep: int
                    ) -> tuple[bytes, bytes, bytes]:
    """Each story's best ``keep`` related candidates before events are known (any other
    story may be one), for :func:`choose_related` to filter once they are.

    Returns three ``array("q")`` as bytes: the candidates' numbers (in ``timeline``), best
    first, story after story; how many each story has there; how many it had in all.
    """
    index = index_postings(stories, {}, timeline)  # every story its own event
    if rank_all is None:
        return rank_all_python(index, keep)
    return rank_all(index.places, index.gains, index.times, index.keys, keep, TERM_WEIGHT,
                    NEIGHBOURS_PER_POSTING // 2, HALF_LIFE_DAYS)


def rank_all_python(index: PostingIndex, keep: int) -> tuple[bytes, bytes, bytes]:
    """:func:`rank_candidates` for the stories of ``index`` (every story its own event)."""
    found, kept, total = array("q"), array("q"), array("q")
    times, keys = index.times, index.keys
    for number, now in enumerate(times):
        scores = _score_indexed(number, index)
        scores.pop(number, None)
        best = _best(scores, times, now, keep, keys.__getitem__)
        found.extend(best)
        kept.append(len(best))
        total.append(len(scores))
    return found.tobytes(), kept.tobytes(), total.tobytes()


rank_all: kernels.Rank | None = kernels.rank
""":func:`rank_all_python` (with the index's lists and the scoring constants as arguments),
compiled; None where it is not built (``generator.kernels``)."""


def choose_related(candidates: tuple[bytes, bytes, bytes], stories: Mapping[str, StoryRecord],
                   postings: Mapping[str, list[str]], event_of: Mapping[str, str],
                   timeline: Sequence[str], *, count: int) -> list[tuple[str, ...]]:
    """The related stories of each story in ``timeline``, from :func:`rank_candidates`' lists
    (for the same stories and postings): the first ``count`` candidates from other events.
    A story whose list ran out before ``count`` while it had more candidates is ranked again
    (:func:`rank_related`)."""
    found, kept, total = array("q"), array("q"), array("q")
    found.frombytes(candidates[0])
    kept.frombytes(candidates[1])
    total.frombytes(candidates[2])
    numbers: dict[str, int] = {}
    events = [numbers.setdefault(event_of.get(key, key), len(numbers)) for key in timeline]
    chosen: list[tuple[str, ...]] = []
    start = 0
    for number, key in enumerate(timeline):
        stop = start + kept[number]
        event = events[number]
        best = [timeline[other] for other in found[start:stop] if events[other] != event]
        if len(best) >= count:
            chosen.append(tuple(best[:count]))
        elif kept[number] == total[number]:
            chosen.append(tuple(best))
        else:
            chosen.append(rank_related(key, stories, postings, event_of, count=count))
        start = stop
    return chosen


def _add_scores(scores: dict[T, float], near: Sequence[T], weights: Sequence[float] | None,
                weight: float) -> None:
    """Add ``weight`` times each story's weight (1 when ``weights`` is None) to its score."""
    get = scores.get
    if weights is None:
        for other in near:
            scores[other] = get(other, 0.0) + weight
    else:
        for other, theirs in zip(near, weights, strict=True):
            scores[other] = get(other, 0.0) + weight * theirs


def _best_decayed(scores: Mapping[T, float], times: Mapping[T, float] | Sequence[float],
                  now: float, count: int, key_of: Callable[[T], str]) -> tuple[str, ...]:
    """The keys of the ``count`` best stories of ``scores`` (see :func:`_best`)."""
    return tuple(key_of(other) for other in _best(scores, times, now, count, key_of))


def _best(scores: Mapping[T, float], times: Mapping[T, float] | Sequence[float],
          now: float, count: int, key_of: Callable[[T], str]) -> list[T]:
    """The ``count`` best stories of ``scores`` (each published at ``times[story]``) by
    score / (1 + days apart / HALF_LIFE_DAYS), ties by key."""
    ranked = [
        -score / (1.0 + abs(times[other] - now) / 86400.0 / HALF_LIFE_DAYS)  # type: ignore[call-overload]
        for other, score in scores.items()
    ]
    # pair up only the few that can make the cut with their keys (cheaper to sort)
    cutoff = sorted(ranked)[count - 1] if len(ranked) > count else math.inf
    best = sorted([(value, key_of(other), other)
                   for value, other in zip(ranked, scores, strict=True) if value <= cutoff])
    return [other for *_, other in best[:count]]


def _same_key(key: str) -> str:
    """``key`` itself (stories named by key need no lookup)."""
    return key


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
