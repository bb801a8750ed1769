"""``digest clusters``: the events of a site, their stories and why they were joined.

Pure formatting: returns lines of text for the CLI to print.
"""

from __future__ import annotations

from .cluster_engine import list_clusters
from .clusters import Evidence
from .model import Site


def describe_clusters(site: Site, *, include_single: bool = False) -> list[str]:
    """One block per event: id, stories (lead first) and the evidence of each join, with
    the terms that joined them, from the site's event state (``build.site_for`` leaves
    it; a site without it lists no evidence)."""
    lines: list[str] = []
    state = site.event_state
    clusters = list_clusters(state.engine, explain=True) if state is not None else site.clusters
    for cluster in clusters:
        if len(cluster.members) < 2 and not include_single:
            continue
        lead = site.article(cluster.members[0])
        lines.append(f"{cluster.id}  {counted(len(cluster.members), 'story', 'stories')}  "
                     f"{lead.published:%Y-%m-%d}  {lead.title}")
        for number, slug in enumerate(cluster.members):
            article = site.article(slug)
            role = "lead" if number == 0 else "    "
            lines.append(f"  {role} {article.summary.source}  [{article.provider or '?'}]  "
                         f"{article.title}")
        for evidence in cluster.evidence:
            lines.append(f"    joined: {explain(evidence)}")
        lines.append("")
    singles = sum(1 for cluster in site.clusters if len(cluster.members) == 1)
    joined = len(site.clusters) - singles
    lines.append(f"{counted(joined, 'event', 'events')} with more than one story; "
                 f"{counted(singles, 'story stands', 'stories stand')} alone")
    return lines


def counted(count: int, one: str, more: str) -> str:
    """``count`` and the noun (and verb) agreeing with it: "1 story", "3 stories"."""
    return f"{count} {one if count == 1 else more}"


def explain(evidence: Evidence) -> str:
    """Why two stories were joined, in a phrase."""
    reasons = []
    if evidence.override:
        reasons.append("editor override (cluster:)")
    if evidence.same_url:
        reasons.append("same URL")
    if evidence.related_link:
        reasons.append("one lists the other in related[]")
    if evidence.shared_terms:
        reasons.append("shared terms: " + ", ".join(evidence.shared_terms[:8]))
    return f"{evidence.left} + {evidence.right} (score {evidence.score:.2f}; " \
           + "; ".join(reasons or ["similar"]) + ")"
