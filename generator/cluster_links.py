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

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from operator import mul

from generator import kernels
from generator.cluster_records import (
    R_LISTED,
    R_OVERRIDE,
    R_OWN,
    R_STRONGEST,
    R_TIME,
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
_NONE: frozenset[int] = frozenset()


class LinkIndex:
    """Signature-term postings and ``related[]`` keys over a time-sorted run of stories.

    The run's eligible stories are numbered in run order (so by (time, key)), and every
    list below holds those numbers, ascending: a window is a range of numbers.
    """

    def __init__(
        self, stories: Mapping[str, StoryRecord], run: Iterable[str], *, window_days: float
    ) -> None:
        self.keys: list[str] = []
        """The run's eligible stories, by number."""
        self.records: list[StoryRecord] = []
        """Their records, by number (read in order, not looked up by key)."""
        self.place: dict[str, int] = {}
        """Each eligible story's number."""
        self.days: list[float] = []
        """Publication day of each story, by number."""
        self.postings: dict[str, tuple[list[int], list[float]]] = {}
        """Signature term -> the stories having it, and the term's weight in each."""
        self.signature: list[list[tuple[tuple[list[int], list[float]], int, float]]] = []
        """Each story's signature terms (sorted): their postings, its place in each and its
        weight of the term."""
        self.by_key: dict[str, list[int]] = {}
        """Key in ``R_OWN`` -> the stories having it."""
        self.by_related: dict[str, list[int]] = {}
        """Key in ``R_LISTED`` that some story of the run has -> the stories listing it
        (a key no one has can link nothing: most listed addresses are elsewhere)."""
        self.stops: list[int] = []
        """Each story's window: the numbers after it and below its stop."""
        self.partners: dict[int, set[int]] = {}
        """Each story's later stories in its window that ``related[]`` links it with (by
        number; stories with none are left out)."""
        eligible = [(key, stories[key]) for key in run]
        eligible = [(key, record) for key, record in eligible if record[R_OVERRIDE] is None]
        self._add_all(eligible)
        days = self.days
        self.stops = [
            bisect_right(days, record[R_TIME] / SECONDS_PER_DAY + window_days, number + 1)
            for number, (_, record) in enumerate(eligible)
        ]
        by_key, by_related = self.by_key, self.by_related
        for number, (_key, record) in enumerate(eligible):
            for name in record[R_LISTED]:
                if name in by_key:
                    by_related.setdefault(name, []).append(number)
        self._pair_partners()

    def _pair_partners(self) -> None:
        """Fill ``partners``: for each key that one story lists and another has, the pairs
        within one window (the later story in the earlier one's window)."""
        stops, partners = self.stops, self.partners
        for name, listers in self.by_related.items():
            owners = self.by_key[name]
            for lister in listers:
                later = owners[bisect_right(owners, lister) : bisect_left(owners, stops[lister])]
                if later:
                    partners.setdefault(lister, set()).update(later)
                # earlier owners whose window reaches the lister (stops never decrease)
                for owner in owners[
                    bisect_left(owners, bisect_right(stops, lister)) : bisect_left(owners, lister)
                ]:
                    partners.setdefault(owner, set()).add(lister)

    def _add_all(self, eligible: Sequence[tuple[str, StoryRecord]]) -> None:
        """Number the eligible stories in order and file each under its terms and own keys
        (one loop over local names: this runs for every story of a clean build)."""
        self.keys = [key for key, _ in eligible]
        self.records = [record for _, record in eligible]
        self.place = {key: number for number, key in enumerate(self.keys)}
        self.days = [float(record[R_TIME]) / SECONDS_PER_DAY for record in self.records]
        postings, signature, by_key = self.postings, self.signature, self.by_key
        for number, record in enumerate(self.records):
            vector = record[R_VECTOR]
            places = []
            for term in sorted(record[R_STRONGEST]):
                columns = postings.get(term)
                if columns is None:
                    columns = postings[term] = ([], [])
                numbers, weights = columns
                weight = vector[term]
                places.append((columns, len(numbers), weight))
                numbers.append(number)
                weights.append(weight)
            signature.append(places)
            for name in record[R_OWN]:
                found = by_key.get(name)
                if found is None:
                    by_key[name] = [number]
                else:
                    found.append(number)


def find_forward_links(
    key: str, index: LinkIndex, *, threshold: float, window_days: float
) -> tuple[ForwardLink, ...]:
    """Links scoring at least ``threshold`` from story ``key`` to later stories in its window.

    ``index`` must hold every eligible story from ``key`` to one window after it, ``key``
    among them. Pairs sharing an address are left to :func:`list_url_links`.
    """
    keys, records = index.keys, index.records
    number = index.place[key]
    record = records[number]
    time = record[R_TIME]
    stop = index.stops[number]  # the window is the numbers after ``number``, below stop
    overlaps = passing_overlaps(
        index.signature[number], stop, MAX_WINDOW_NEIGHBOURS, PREFILTER_RATIO * threshold
    )
    passing = list(overlaps)
    if len(passing) > MAX_SCORED_CANDIDATES:
        passing = _choose_best(passing, overlaps, keys)
    related = index.partners.get(number, _NONE)
    candidates = related.union(passing) if related else passing
    links: list[ForwardLink] = []
    urls = record[R_URLS]
    vector = record[R_VECTOR]
    for other in sorted(candidates):
        later = records[other]
        if urls and not set(urls).isdisjoint(later[R_URLS]):
            continue
        # score_unshared_pair, written out (the same operations, so the same floats)
        distance: float = abs(time - later[R_TIME]) / SECONDS_PER_DAY
        linked = other in related
        if distance > window_days:
            score = 0.0
        else:
            score = dot_vectors(vector, later[R_VECTOR]) * (
                1.0 - DATE_PENALTY * distance / window_days
            )
            if linked:
                score += RELATED_BONUS
        if score >= threshold:
            links.append((keys[other], score, linked))
    return tuple(links)


def _choose_best(
    passing: list[int], overlaps: Mapping[int, float], keys: Sequence[str]
) -> list[int]:
    """The ``MAX_SCORED_CANDIDATES`` of ``passing`` with the largest overlap, ties by key
    (only the few at or above the cut are paired with their keys and sorted)."""
    cut = sorted([overlaps[other] for other in passing], reverse=True)[MAX_SCORED_CANDIDATES - 1]
    best = [other for other in passing if overlaps[other] >= cut]
    if len(best) > MAX_SCORED_CANDIDATES:
        best = [
            other
            for *_, other in sorted((-overlaps[other], keys[other], other) for other in best)[
                :MAX_SCORED_CANDIDATES
            ]
        ]
    return best


def passing_overlaps_python(
    signature: list[tuple[tuple[list[int], list[float]], int, float]],
    stop: int,
    most: int,
    floor: float,
) -> dict[int, float]:
    """The partial dot products reaching ``floor`` between one story (its ``signature`` in a
    :class:`LinkIndex`) and the stories numbered after it and below ``stop``, through its
    signature terms that have at most ``most`` such stories."""
    overlaps: dict[int, float] = {}
    get = overlaps.get
    for (numbers, weights), place, weight in signature:
        start = place + 1
        end = bisect_left(numbers, stop, start, min(len(numbers), start + most + 1))
        if end - start > most:
            continue  # (the search stops one past the limit: that is enough to know)
        for other, theirs in zip(numbers[start:end], weights[start:end], strict=True):
            overlaps[other] = get(other, 0.0) + weight * theirs
    return {other: overlap for other, overlap in overlaps.items() if overlap >= floor}


passing_overlaps: kernels.Overlaps = kernels.overlaps or passing_overlaps_python
""":func:`passing_overlaps_python`, compiled where it is built (``generator.kernels``)."""


def list_url_links(
    members: Sequence[str], stories: Mapping[str, StoryRecord]
) -> list[tuple[str, str]]:
    """Links within one address's stories (time-sorted): the earliest eligible to each other."""
    eligible = [key for key in members if is_eligible(stories[key])]
    return [(eligible[0], other) for other in eligible[1:]]


def score_unshared_pair(
    first: StoryRecord, second: StoryRecord, *, related: bool, window_days: float
) -> float:
    """Similarity of two stories known to share no address, given whether ``related[]``
    links them: the cosine of their term vectors, scaled down linearly with the time
    between them (zero beyond the window), plus a small bonus for a ``related[]`` link.
    (Two stories sharing an address score 1.0: see ``cluster_join._PairScorer``.)"""
    distance: float = abs(first[R_TIME] - second[R_TIME]) / SECONDS_PER_DAY
    if distance > window_days:
        return 0.0
    cosine = dot_vectors(first[R_VECTOR], second[R_VECTOR])
    score = cosine * (1.0 - DATE_PENALTY * distance / window_days)
    return score + (RELATED_BONUS if related else 0.0)


def dot_vectors_python(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """Dot product of two sparse vectors (callers pass the earlier story first, so a pair's
    floating-point sum is always taken in the same order)."""
    if len(first) > len(second):
        first, second = second, first
    total: float = sum(map(mul, first.values(), map(second.get, first, repeat(0.0))))
    return total


dot_vectors: kernels.Dot = kernels.dot or dot_vectors_python
""":func:`dot_vectors_python`, compiled where it is built (``generator.kernels``)."""


def list_shared_terms(
    first: StoryRecord, second: StoryRecord, *, limit: int = 8
) -> tuple[str, ...]:
    """The terms contributing most to two stories' overlap, strongest first."""
    left, right = first[R_VECTOR], second[R_VECTOR]
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    shared = sorted([(-(left[term] * right[term]), term) for term in small if term in large])
    return tuple([term for _, term in shared[:limit]])
