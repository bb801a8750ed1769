"""Candidate links between stories that may report the same event, and their scores.

Never compares all pairs: stories are sorted by time and an inverted index over terms is
walked within the date window, accumulating the weighted overlap (the dot product of the
story vectors). A term with too many neighbours inside one window is too common *at that
time* to say anything about an event and is skipped while gathering candidates; only pairs
whose partial overlap passes a fraction of the threshold are scored exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from generator.cluster_text import StoryFeatures

DATE_PENALTY = 0.3
"""Share of the score lost by a pair published a whole window apart (linear in between)."""
RELATED_BONUS = 0.08
"""Added to a pair's score when one story lists the other in ``related[]`` (a weak hint)."""
MAX_WINDOW_NEIGHBOURS = 32
"""A term with more later stories than this inside one window is skipped for candidates."""
SIGNATURE_TERMS = 6
"""How many of a story's strongest terms are indexed to find candidates."""
PREFILTER_RATIO = 0.7
"""A candidate is scored exactly when its partial overlap reaches this share of the threshold."""


@dataclass(frozen=True, slots=True)
class StoryLink:
    """A scored pair of stories (indices into the clustered sequence), ``left < right``."""

    left: int
    """Index of one story."""
    right: int
    """Index of the other story."""
    score: float
    """Similarity after the date penalty and related bonus; 1.0 for a shared URL."""
    same_url: bool
    """Both stories share a canonical address."""
    related_link: bool
    """One story lists the other (by address or title) in its ``related[]``."""


def find_story_links(
    features: StoryFeatures,
    eligible: tuple[bool, ...],
    *,
    threshold: float,
    window_days: float,
) -> list[StoryLink]:
    """All links among ``eligible`` stories scoring at least ``threshold``, best first."""
    links: dict[tuple[int, int], StoryLink] = {}
    for left, right in sorted(_find_shared_url_pairs(features, eligible)):
        links[(left, right)] = StoryLink(left, right, 1.0, True, False)
    candidates = _accumulate_overlaps(features, eligible, window_days=window_days)
    candidates.update(dict.fromkeys(_find_related_pairs(features, eligible), threshold))
    floor = PREFILTER_RATIO * threshold
    for pair, overlap in candidates.items():
        if overlap < floor or pair in links:
            continue
        score, related = score_story_pair(features, pair[0], pair[1], window_days=window_days)
        if score >= threshold:
            links[pair] = StoryLink(pair[0], pair[1], score, False, related)
    return sorted(links.values(), key=lambda link: (-link.score, link.left, link.right))


def score_story_pair(
    features: StoryFeatures, left: int, right: int, *, window_days: float
) -> tuple[float, bool]:
    """Similarity of two stories and whether ``related[]`` links them.

    Cosine of the term vectors, scaled down linearly with the time between them (zero
    beyond the window), plus a small bonus for a ``related[]`` link.
    """
    if features.urls[left] & features.urls[right]:
        return 1.0, False
    distance = abs(features.days[left] - features.days[right])
    if distance > window_days:
        return 0.0, False
    cosine = dot_vectors(features.vectors[left], features.vectors[right])
    related = _are_related(features, left, right)
    score = cosine * (1.0 - DATE_PENALTY * distance / window_days)
    return score + (RELATED_BONUS if related else 0.0), related


def dot_vectors(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """Dot product of two sparse vectors."""
    if len(first) > len(second):
        first, second = second, first
    return sum(weight * second.get(term, 0.0) for term, weight in first.items())


def list_shared_terms(
    features: StoryFeatures, left: int, right: int, *, limit: int = 8
) -> tuple[str, ...]:
    """The terms contributing most to two stories' overlap, strongest first."""
    first, second = features.vectors[left], features.vectors[right]
    shared = sorted((-(first[term] * second[term]), term) for term in first.keys() & second.keys())
    return tuple(term for _, term in shared[:limit])


def _accumulate_overlaps(
    features: StoryFeatures, eligible: tuple[bool, ...], *, window_days: float
) -> dict[tuple[int, int], float]:
    """Partial dot products of story pairs sharing a signature term within the date window.

    A story's signature is its ``SIGNATURE_TERMS`` strongest terms; a pair whose overlap can
    reach the threshold almost always shares one of them.
    """
    days = features.days
    vectors = features.vectors
    count = len(days)
    order = sorted((i for i, ok in enumerate(eligible) if ok), key=lambda i: (days[i], i))
    postings: dict[str, list[int]] = {}
    for index in order:
        vector = vectors[index]
        strongest = sorted(vector, key=lambda term: (-vector[term], term))[:SIGNATURE_TERMS]
        for term in strongest:
            postings.setdefault(term, []).append(index)
    overlaps: dict[int, float] = {}
    get = overlaps.get
    for term, members in postings.items():
        if len(members) < 2:
            continue
        times = [days[i] for i in members]
        weights = [vectors[i][term] for i in members]
        for position, left in enumerate(members):
            end = bisect_right(times, times[position] + window_days, lo=position + 1)
            if end - position - 1 > MAX_WINDOW_NEIGHBOURS:
                continue
            weight = weights[position]
            for other in range(position + 1, end):
                right = members[other]
                pair = left * count + right if left < right else right * count + left
                overlaps[pair] = get(pair, 0.0) + weight * weights[other]
    return {divmod(pair, count): overlap for pair, overlap in overlaps.items()}


def _find_shared_url_pairs(
    features: StoryFeatures, eligible: tuple[bool, ...]
) -> set[tuple[int, int]]:
    """Pairs of eligible stories with a canonical address in common (any dates)."""
    by_url: dict[str, list[int]] = {}
    for index, urls in enumerate(features.urls):
        if eligible[index]:
            for url in urls:
                by_url.setdefault(url, []).append(index)
    pairs: set[tuple[int, int]] = set()
    for members in by_url.values():
        first = members[0]
        pairs.update((min(first, other), max(first, other)) for other in members[1:])
    return pairs


def _find_related_pairs(
    features: StoryFeatures, eligible: tuple[bool, ...]
) -> set[tuple[int, int]]:
    """Pairs where one eligible story lists the other in ``related[]`` (by URL or title)."""
    by_key: dict[str, list[int]] = {}
    for index, urls in enumerate(features.urls):
        if eligible[index]:
            title_keys = ("title:" + features.titles[index],) if features.titles[index] else ()
            for key in (*urls, *title_keys):
                by_key.setdefault(key, []).append(index)
    pairs: set[tuple[int, int]] = set()
    for index in range(len(features.urls)):
        if not eligible[index]:
            continue
        keys = (
            *features.related_urls[index],
            *("title:" + title for title in features.related_titles[index]),
        )
        for key in keys:
            for other in by_key.get(key, ()):
                if other != index:
                    pairs.add((min(index, other), max(index, other)))
    return pairs


def _are_related(features: StoryFeatures, left: int, right: int) -> bool:
    """Whether either story lists the other in ``related[]``."""
    return bool(
        features.related_urls[left] & features.urls[right]
        or features.related_urls[right] & features.urls[left]
        or features.titles[right] in features.related_titles[left]
        or features.titles[left] in features.related_titles[right]
    )
