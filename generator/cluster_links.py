"""Candidate links between stories that may report the same event, and their scores.

Never compares all pairs. Links are found *per earlier story* ("forward"): for story ``a``,
only stories published after it and within the date window are looked at, through an
inverted index of each story's strongest terms (accumulating the weighted overlap, the dot
product of the story vectors) and through ``related[]`` keys. A term with too many later
stories inside ``a``'s window is too common *at that time* to say anything about an event
and is skipped; only pairs whose partial overlap passes a fraction of the threshold are
scored exactly. Because ``a``'s forward links depend only on the stories inside its window,
a change to one story only moves the forward links of stories up to one window before it.
Stories sharing a canonical address are linked separately (any dates), see ``list_url_links``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from operator import mul

from generator.cluster_records import (
    R_RELATED_TITLES,
    R_RELATED_URLS,
    R_STRONGEST,
    R_TIME,
    R_TITLE,
    R_URLS,
    R_VECTOR,
    SECONDS_PER_DAY,
    StoryRecord,
    is_eligible,
)

DATE_PENALTY = 0.3
"""Share of the score lost by a pair published a whole window apart (linear in between)."""
RELATED_BONUS = 0.08
"""Added to a pair's score when one story lists the other in ``related[]`` (a weak hint)."""
MAX_WINDOW_NEIGHBOURS = 32
"""A term with more later stories than this inside one window is skipped for candidates."""
PREFILTER_RATIO = 0.7
"""A candidate is scored exactly when its partial overlap reaches this share of the threshold."""

MAX_SCORED_CANDIDATES = 4
"""At most this many index candidates (largest partial overlap first, ties by key) are
scored exactly per story: in a dense stretch of news the weaker ones add links that the
joins below would not use, and scoring them all grows with the square of the density."""

ForwardLink = tuple[str, float, bool]
"""(later story's key, score, whether ``related[]`` links them)."""


class LinkIndex:
    """Signature-term postings and ``related[]`` keys over a time-sorted run of stories."""

    def __init__(self, stories: Mapping[str, StoryRecord], run: Iterable[str]) -> None:
        self.stories = stories
        self.postings: dict[str, tuple[list[str], list[float], list[float]]] = {}
        """Signature term -> the run's stories having it (in run order), the publication
        day of each and the term's weight in each."""
        self.signature: dict[str, list[tuple[str, int]]] = {}
        """Each eligible story's signature terms (sorted) with its place in their postings."""
        self.own: dict[str, tuple[str, ...]] = {}
        """Each eligible story's :func:`own_keys`."""
        self.listed: dict[str, tuple[str, ...]] = {}
        """Each eligible story's :func:`listed_keys`."""
        self.by_key: dict[str, list[str]] = {}
        self.by_related: dict[str, list[str]] = {}
        postings = self.postings
        for key in run:
            record = stories[key]
            if not is_eligible(record):
                continue
            day = float(record[R_TIME]) / SECONDS_PER_DAY
            vector = record[R_VECTOR]
            places = []
            for term in sorted(record[R_STRONGEST]):
                columns = postings.get(term)
                if columns is None:
                    columns = postings[term] = ([], [], [])
                members, days, weights = columns
                places.append((term, len(members)))
                members.append(key)
                days.append(day)
                weights.append(vector[term])
            self.signature[key] = places
            self.own[key] = own = own_keys(record)
            self.listed[key] = listed = listed_keys(record)
            for name in own:
                self.by_key.setdefault(name, []).append(key)
            for name in listed:
                self.by_related.setdefault(name, []).append(key)


def own_keys(record: StoryRecord) -> tuple[str, ...]:
    """The keys under which other stories' ``related[]`` can name this story."""
    title = ("title:" + record[R_TITLE],) if record[R_TITLE] else ()
    return (*record[R_URLS], *title)


def listed_keys(record: StoryRecord) -> tuple[str, ...]:
    """The keys this story's ``related[]`` names."""
    return (*record[R_RELATED_URLS], *("title:" + t for t in record[R_RELATED_TITLES]))


def find_forward_links(key: str, index: LinkIndex, *, threshold: float,
                       window_days: float) -> tuple[ForwardLink, ...]:
    """Links scoring at least ``threshold`` from story ``key`` to later stories in its window.

    ``index`` must hold every eligible story from ``key`` to one window after it. Pairs
    sharing an address are left to :func:`list_url_links`.
    """
    stories = index.stories
    record = stories[key]
    mark = (record[R_TIME], key)
    limit = record[R_TIME] / SECONDS_PER_DAY + window_days
    vector = record[R_VECTOR]
    overlaps: dict[str, float] = {}
    get = overlaps.get

    def sort_key(other: str) -> tuple[float, str]:
        return stories[other][R_TIME], other

    def day(other: str) -> float:
        return float(stories[other][R_TIME]) / SECONDS_PER_DAY

    for term, position in index.signature.get(key, ()):
        members, days, weights = index.postings[term]
        end = bisect_right(days, limit, lo=position + 1)
        if end - position - 1 > MAX_WINDOW_NEIGHBOURS:
            continue
        weight = vector[term]
        for other, theirs in zip(members[position + 1 : end], weights[position + 1 : end],
                                 strict=True):
            overlaps[other] = get(other, 0.0) + weight * theirs
    floor = PREFILTER_RATIO * threshold
    passing = sorted((-overlap, other) for other, overlap in overlaps.items() if overlap >= floor)
    candidates = {other for _, other in passing[:MAX_SCORED_CANDIDATES]}
    for name in index.listed[key]:
        candidates.update(index.by_key.get(name, ()))
    for name in index.own[key]:
        candidates.update(index.by_related.get(name, ()))
    links: list[ForwardLink] = []
    for other in sorted(candidates, key=sort_key):
        if sort_key(other) <= mark or day(other) > limit or not is_eligible(stories[other]):
            continue
        if share_address(record, stories[other]):
            continue
        score, related = score_story_pair(record, stories[other], window_days=window_days)
        if score >= threshold:
            links.append((other, score, related))
    return tuple(links)


def list_url_links(members: Sequence[str], stories: Mapping[str, StoryRecord]
                   ) -> list[tuple[str, str]]:
    """Links within one address's stories (time-sorted): the earliest eligible to each other."""
    eligible = [key for key in members if is_eligible(stories[key])]
    return [(eligible[0], other) for other in eligible[1:]]


def share_address(first: StoryRecord, second: StoryRecord) -> bool:
    """Whether two stories have a canonical address in common."""
    return not set(first[R_URLS]).isdisjoint(second[R_URLS])


def score_story_pair(first: StoryRecord, second: StoryRecord, *, window_days: float
                     ) -> tuple[float, bool]:
    """Similarity of two stories and whether ``related[]`` links them.

    Cosine of the term vectors, scaled down linearly with the time between them (zero
    beyond the window), plus a small bonus for a ``related[]`` link; 1.0 for a shared address.
    """
    if share_address(first, second):
        return 1.0, False
    distance = abs(first[R_TIME] - second[R_TIME]) / SECONDS_PER_DAY
    if distance > window_days:
        return 0.0, False
    cosine = dot_vectors(first[R_VECTOR], second[R_VECTOR])
    related = are_related(first, second)
    score = cosine * (1.0 - DATE_PENALTY * distance / window_days)
    return score + (RELATED_BONUS if related else 0.0), related


def dot_vectors(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """Dot product of two sparse vectors (callers pass the earlier story first, so a pair's
    floating-point sum is always taken in the same order)."""
    if len(first) > len(second):
        first, second = second, first
    total: float = sum(map(mul, first.values(), map(second.get, first, repeat(0.0))))
    return total


def list_shared_terms(first: StoryRecord, second: StoryRecord, *, limit: int = 8
                      ) -> tuple[str, ...]:
    """The terms contributing most to two stories' overlap, strongest first."""
    left, right = first[R_VECTOR], second[R_VECTOR]
    shared = sorted((-(left[term] * right[term]), term) for term in left.keys() & right.keys())
    return tuple(term for _, term in shared[:limit])


def are_related(first: StoryRecord, second: StoryRecord) -> bool:
    """Whether either story lists the other in ``related[]``."""
    return bool(
        not set(first[R_RELATED_URLS]).isdisjoint(second[R_URLS])
        or not set(second[R_RELATED_URLS]).isdisjoint(first[R_URLS])
        or second[R_TITLE] in first[R_RELATED_TITLES]
        or first[R_TITLE] in second[R_RELATED_TITLES]
    )

