"""Events: group the site's stories into event clusters and find related stories.

The bridge between the site model and the clustering engine (``clusters``,
``related``), which know only the small ``ClusterDoc`` interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cluster_text import build_story_features
from .clusters import Cluster, ClusterDoc, cluster_stories
from .related import compute_related
from .summary import StorySummary, link_key


@dataclass(frozen=True, slots=True)
class Events:
    """Which event each story reports, and its computed related stories."""

    clusters: tuple[Cluster, ...]
    """Every event, each with its members (lead first) and the evidence that joined them."""
    cluster_of: dict[str, Cluster]
    """The event of each story, by slug."""
    related: dict[str, tuple[str, ...]]
    """Computed related stories (slugs, best first) of each story, from other events."""


def cluster_doc(slug: str, summary: StorySummary) -> ClusterDoc:
    """What clustering needs of a story (its URL and title keys are compared as given)."""
    return ClusterDoc(
        key=slug,
        title=summary.title,
        text=f"{summary.excerpt} {summary.text}".strip(),
        provider=summary.provider_domain or summary.provider,
        published=summary.published,
        urls=summary.url_keys,
        related_urls=tuple(url for url, _title in summary.related_keys if url),
        related_titles=tuple(title for _url, title in summary.related_keys if title),
        topics=summary.topics,
        override=summary.cluster,
        quality=summary.quality,
        has_image=summary.image is not None,
        has_body=summary.has_body,
        title_key=link_key(summary.title_key),
    )


def find_events(stories: Sequence[tuple[str, StorySummary]], *, threshold: float,
                related_count: int) -> Events:
    """Cluster ``(slug, summary)`` pairs into events and score related stories."""
    docs = [cluster_doc(slug, summary) for slug, summary in stories]
    if not docs:
        return Events((), {}, {})
    features = build_story_features(docs)
    clusters = cluster_stories(docs, threshold=threshold, features=features)
    related = compute_related(docs, clusters, count=related_count, features=features) \
        if related_count > 0 else {}
    cluster_of = {key: cluster for cluster in clusters for key in cluster.members}
    return Events(clusters, cluster_of, related)
