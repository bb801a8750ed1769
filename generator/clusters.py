"""Event clusters: stories from any provider that report the same real-world event.

A pure library over a tiny document interface (:class:`ClusterDoc`), in the spirit of
Hugo's ``related/`` package. The stages, in order:

1. weigh each story's terms (:mod:`generator.cluster_text`);
2. find candidate links within a date window through an inverted index, never all pairs,
   and score them (:mod:`generator.cluster_links`);
3. join linked stories best link first, but only when the two groups are also close on
   average (average linkage), so a chain of loosely similar stories cannot snowball;
4. apply editor overrides, choose each cluster's lead story and give it a stable id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from generator.cluster_links import find_story_links, list_shared_terms, score_story_pair
from generator.cluster_text import StoryFeatures, build_story_features

DEFAULT_THRESHOLD = 0.36
"""Minimum link score for two stories to be reported as the same event."""
DEFAULT_WINDOW_DAYS = 4.0
"""Stories published further apart than this are never joined (unless they share a URL)."""
LINKAGE_RATIO = 0.55
"""Two groups join only if their average pair score reaches this share of the threshold."""
LINKAGE_SAMPLE = 6
"""At most this many members of each group (earliest first) enter the average-linkage check."""
OVERRIDE_ALONE = "none"
"""The ``cluster:`` override value that keeps a story in a cluster of its own."""


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """What clustering and related scoring need to know about one story."""

    key: str
    """Stable unique id of the story (its article slug)."""
    title: str
    """Headline."""
    text: str
    """Excerpt and plain-text body (may be empty)."""
    provider: str
    """Provider domain or name ('' if unknown)."""
    published: datetime
    """Publication time, timezone-aware."""
    urls: tuple[str, ...]
    """The story's own addresses: webUrl, originalUrl, ampWebUrl, ... (may be empty)."""
    related_urls: tuple[str, ...]
    """webUrls of its ``related[]`` entries."""
    related_titles: tuple[str, ...]
    """Titles of its ``related[]`` entries."""
    topics: tuple[str, ...]
    """Topic names the story is filed under."""
    override: str | None = None
    """Front matter ``cluster:`` value: join the cluster with that id; "none" = keep alone."""
    quality: int | None = None
    """Provider-assigned quality score, higher is better."""
    has_image: bool = False
    """Whether the story has an image to show."""
    has_body: bool = False
    """Whether the story has its own body text."""
    title_key: str | None = None
    """When set, ``urls``, ``related_urls`` and ``related_titles`` already hold opaque
    comparison keys (as the site model keeps them) and this is the title's key: they
    are compared as given, not canonicalized again."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why two stories were put in the same cluster."""

    left: str
    """Key of the story already in the cluster."""
    right: str
    """Key of the story (or group) that joined it."""
    score: float
    """Link score, rounded to 4 decimals (1.0 for a shared URL or an override)."""
    shared_terms: tuple[str, ...]
    """Stemmed terms contributing most to the similarity, strongest first."""
    same_url: bool = False
    """Both stories have the same canonical address."""
    related_link: bool = False
    """One story lists the other in its ``related[]``."""
    override: bool = False
    """An editor's ``cluster:`` override put them together."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """One real-world event and the stories that report it."""

    id: str
    """Stable id: "evt-" + hash of the earliest member's key, or the slugged override."""
    members: tuple[str, ...]
    """Story keys, lead story first, then by publication time."""
    evidence: tuple[Evidence, ...]
    """One entry per join that built the cluster (empty for a single story)."""


def cluster_stories(
    docs: Sequence[ClusterDoc],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float = DEFAULT_WINDOW_DAYS,
    features: StoryFeatures | None = None,
) -> tuple[Cluster, ...]:
    """Group ``docs`` into event clusters; every story lands in exactly one cluster.

    ``features`` may be passed when already built (by :func:`build_story_features` over
    the same ``docs`` in the same order). Output order does not depend on input order:
    clusters come sorted by their earliest story, then id.
    """
    _check_unique_keys(docs)
    order = sorted(range(len(docs)), key=lambda i: (docs[i].published, docs[i].key))
    stories = [docs[i] for i in order]
    if features is None or len(features.vectors) != len(docs):
        features = build_story_features(stories)
    else:
        features = _reorder_features(features, order)
    eligible = tuple(story.override is None for story in stories)
    groups, evidence = _join_linked_stories(
        stories, features, eligible, threshold=threshold, window_days=window_days
    )
    clusters = [
        _make_cluster(stories, members, evidence, cluster_id=None)
        for members in groups
        if eligible[members[0]]
    ]
    clusters = _apply_overrides(stories, clusters)
    position = {story.key: i for i, story in enumerate(stories)}
    return tuple(sorted(clusters, key=lambda c: (min(map(position.__getitem__, c.members)), c.id)))


def choose_lead(docs: Sequence[ClusterDoc]) -> ClusterDoc:
    """The story to show for an event: highest quality, then with image, then with body,
    then earliest, then smallest key."""
    return min(
        docs,
        key=lambda d: (
            -(d.quality if d.quality is not None else -1),
            not d.has_image,
            not d.has_body,
            d.published,
            d.key,
        ),
    )


def make_cluster_id(earliest_key: str) -> str:
    """Stable id of an automatic cluster, from the key of its earliest story."""
    return "evt-" + hashlib.sha1(earliest_key.encode("utf-8")).hexdigest()[:12]


def slug_override(value: str) -> str:
    """The cluster id an editor's ``cluster:`` value names (lower-case ASCII, hyphens)."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "cluster"


def _join_linked_stories(
    stories: Sequence[ClusterDoc],
    features: StoryFeatures,
    eligible: tuple[bool, ...],
    *,
    threshold: float,
    window_days: float,
) -> tuple[list[list[int]], dict[int, list[Evidence]]]:
    """Union linked stories, best link first, with guards against chains: the joined group
    must span at most ``window_days`` and be close on average (average linkage).

    Returns the groups (lists of indices, each sorted) and the evidence per group root.
    """
    root = list(range(len(stories)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(stories))}
    evidence: dict[int, list[Evidence]] = {}
    links = find_story_links(features, eligible, threshold=threshold, window_days=window_days)
    known = {(link.left, link.right): link.score for link in links}
    first, last = list(features.days), list(features.days)
    for link in links:
        left, right = root[link.left], root[link.right]
        if left == right:
            continue
        span = max(last[left], last[right]) - min(first[left], first[right])
        if not link.same_url and span > window_days:
            continue  # an event's coverage spans at most one window: no chains over weeks
        if not link.same_url and not _are_close_on_average(
            features,
            known,
            members[left],
            members[right],
            floor=LINKAGE_RATIO * threshold,
            window_days=window_days,
        ):
            continue
        keep, gone = (left, right) if left < right else (right, left)
        for index in members[gone]:
            root[index] = keep
        members[keep].extend(members.pop(gone))
        first[keep], last[keep] = min(first[left], first[right]), max(last[left], last[right])
        joined = evidence.pop(gone, [])
        evidence.setdefault(keep, []).extend(joined)
        evidence[keep].append(
            Evidence(
                left=stories[link.left].key,
                right=stories[link.right].key,
                score=round(link.score, 4),
                shared_terms=list_shared_terms(features, link.left, link.right),
                same_url=link.same_url,
                related_link=link.related_link,
            )
        )
    groups = [sorted(group) for _, group in sorted(members.items())]
    return groups, {min(members[r]): ev for r, ev in evidence.items()}


def _are_close_on_average(
    features: StoryFeatures,
    known: dict[tuple[int, int], float],
    first: Sequence[int],
    second: Sequence[int],
    *,
    floor: float,
    window_days: float,
) -> bool:
    """Whether the mean pair score between two groups (sampled) reaches ``floor``.

    ``known`` holds scores already computed (pairs as (smaller, larger) index); it grows.
    """
    if len(first) == 1 and len(second) == 1:
        return True
    total = 0.0
    left, right = sorted(first)[:LINKAGE_SAMPLE], sorted(second)[:LINKAGE_SAMPLE]
    for a in left:
        for b in right:
            pair = (a, b) if a < b else (b, a)
            score = known.get(pair)
            if score is None:
                score = score_story_pair(features, *pair, window_days=window_days)[0]
                known[pair] = score
            total += score
    return total / (len(left) * len(right)) >= floor


def _make_cluster(
    stories: Sequence[ClusterDoc],
    indices: Sequence[int],
    evidence: dict[int, list[Evidence]],
    *,
    cluster_id: str | None,
) -> Cluster:
    """A cluster of ``indices`` (sorted by time) with its lead first and its id."""
    docs = [stories[i] for i in indices]
    lead = choose_lead(docs)
    rest = [d.key for d in docs if d.key != lead.key]
    found = sorted(evidence.get(min(indices), []), key=lambda e: (-e.score, e.left, e.right))
    return Cluster(
        id=cluster_id or make_cluster_id(docs[0].key),
        members=(lead.key, *rest),
        evidence=tuple(found),
    )


def _apply_overrides(stories: Sequence[ClusterDoc], clusters: list[Cluster]) -> list[Cluster]:
    """Put overridden stories alone ("none") or into the cluster their override names."""
    by_id = {cluster.id: cluster for cluster in clusters}
    wanted: dict[str, list[int]] = {}
    result = list(clusters)
    for index, story in enumerate(stories):
        if story.override is None:
            continue
        if story.override.strip().lower() == OVERRIDE_ALONE:
            result.append(_make_cluster(stories, [index], {}, cluster_id=None))
        else:
            wanted.setdefault(slug_override(story.override), []).append(index)
    key_index = {story.key: i for i, story in enumerate(stories)}
    for cluster_id, indices in sorted(wanted.items()):
        existing = by_id.get(cluster_id)
        base = [key_index[key] for key in existing.members] if existing else []
        group = sorted({*base, *indices})
        anchor = stories[group[0]].key
        forced = [
            Evidence(anchor, stories[i].key, 1.0, (), override=True)
            for i in indices
            if stories[i].key != anchor
        ]
        old = list(existing.evidence) if existing else []
        cluster = _make_cluster(stories, group, {group[0]: old + forced}, cluster_id=cluster_id)
        if existing:
            result.remove(existing)
        result.append(cluster)
    return result


def _reorder_features(features: StoryFeatures, order: Sequence[int]) -> StoryFeatures:
    """Features re-indexed to follow ``order``."""
    return StoryFeatures(
        vectors=tuple(features.vectors[i] for i in order),
        days=tuple(features.days[i] for i in order),
        urls=tuple(features.urls[i] for i in order),
        related_urls=tuple(features.related_urls[i] for i in order),
        related_titles=tuple(features.related_titles[i] for i in order),
        titles=tuple(features.titles[i] for i in order),
    )


def _check_unique_keys(docs: Sequence[ClusterDoc]) -> None:
    """Raise ValueError naming the first key used by two stories."""
    seen: set[str] = set()
    for doc in docs:
        if doc.key in seen:
            raise ValueError(f"two stories share the key {doc.key!r}; keys must be unique")
        seen.add(doc.key)
