"""Event clusters: stories from any provider that report the same real-world event.

A pure library over a tiny document interface (:class:`ClusterDoc`), in the spirit of
Hugo's ``related/`` package. The stages, in order (run by :mod:`generator.cluster_engine`,
which can also reuse an earlier run and recompute only what a change reaches):

1. weigh each story's terms by banded idf (:mod:`generator.cluster_text`);
2. find each story's links to later stories within the date window through an inverted
   index, never all pairs, and score them (:mod:`generator.cluster_links`);
3. per connected component of the links, join linked stories best link first, but only when
   the two groups are also close on average (average linkage), so a chain of loosely
   similar stories cannot snowball (:mod:`generator.cluster_join`);
4. apply editor overrides, choose each cluster's lead story and give it a stable id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from generator.cluster_join import OVERRIDE_ALONE, make_cluster_id, slug_override
from generator.frozen import frozen
from generator.kernels import maker

__all__ = [
    "DEFAULT_THRESHOLD", "DEFAULT_WINDOW_DAYS", "OVERRIDE_ALONE", "Cluster", "ClusterDoc",
    "Evidence", "choose_lead", "cluster_stories", "make_cluster", "make_cluster_id",
    "slug_override",
]

DEFAULT_THRESHOLD = 0.36
"""Minimum link score for two stories to be reported as the same event."""
DEFAULT_WINDOW_DAYS = 4.0
"""Stories published further apart than this are never joined (unless they share a URL)."""


@frozen
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


@frozen
class Evidence:
    """Why two stories were put in the same cluster."""

    left: str
    """Key of the story already in the cluster."""
    right: str
    """Key of the story (or group) that joined it."""
    score: float
    """Link score, rounded to 4 decimals (1.0 for a shared URL or an override)."""
    shared_terms: tuple[str, ...]
    """Stemmed terms contributing most to the similarity, strongest first (empty in a
    site's clusters: found when a report explains them, see ``list_clusters``)."""
    same_url: bool = False
    """Both stories have the same canonical address."""
    related_link: bool = False
    """One story lists the other in its ``related[]``."""
    override: bool = False
    """An editor's ``cluster:`` override put them together."""


@frozen
class Cluster:
    """One real-world event and the stories that report it."""

    id: str
    """Stable id: "evt-" + hash of the earliest member's key, or the slugged override."""
    members: tuple[str, ...]
    """Story keys, lead story first, then by publication time."""
    evidence: tuple[Evidence, ...]
    """One entry per join that built the cluster (empty for a single story)."""


make_cluster = maker(Cluster)
"""``Cluster(*values)``, made faster (``kernels.maker``): a build makes 5,000 at 10,000
stories."""


def cluster_stories(
    docs: Sequence[ClusterDoc],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float = DEFAULT_WINDOW_DAYS,
    features: object = None,
) -> tuple[Cluster, ...]:
    """Group ``docs`` into event clusters; every story lands in exactly one cluster.

    Output order does not depend on input order: clusters come sorted by their earliest
    story, then id. ``features`` is accepted for compatibility and ignored.
    """
    from generator.cluster_engine import list_clusters, update_engine

    inputs = [(doc.key, "", partial(_same, doc)) for doc in docs]
    state = update_engine(None, inputs, threshold=threshold, window_days=window_days,
                          related_count=0)
    return list_clusters(state, explain=True)


def _same(doc: ClusterDoc) -> ClusterDoc:
    """``doc`` itself (the engine asks for each changed story's doc through a callable)."""
    return doc


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
