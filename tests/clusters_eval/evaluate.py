"""Pairwise precision and recall of event clustering on the labelled evaluation set.

    python -m tests.clusters_eval.evaluate [--threshold 0.36] [--errors]

A pair of stories counts as *predicted* when both land in one cluster and as *gold* when
both carry the same ``event`` label. Precision = correct predicted pairs / predicted pairs;
recall = correct predicted pairs / gold pairs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path

from generator.clusters import DEFAULT_THRESHOLD, Cluster, ClusterDoc, cluster_stories

EVAL_SET = Path(__file__).with_name("eval_set.json")


@dataclass(frozen=True, slots=True)
class PairScores:
    """Pairwise agreement of predicted clusters with gold events."""

    precision: float
    """Share of predicted same-event pairs that are gold pairs (1.0 when none predicted)."""
    recall: float
    """Share of gold pairs that were predicted (1.0 when there are none)."""
    predicted_pairs: int
    """Number of pairs put in one cluster."""
    gold_pairs: int
    """Number of pairs with the same gold event."""
    correct_pairs: int
    """Pairs both predicted and gold."""


def load_eval_set(path: Path = EVAL_SET) -> tuple[tuple[ClusterDoc, ...], dict[str, str]]:
    """The evaluation stories as ClusterDocs, and the gold event of each key."""
    records = json.loads(path.read_text(encoding="utf-8"))
    docs = tuple(
        ClusterDoc(
            key=r["key"],
            title=r["title"],
            text=r["text"],
            provider=r["provider"],
            published=datetime.fromisoformat(r["published"].replace("Z", "+00:00")),
            urls=tuple(r["urls"]),
            related_urls=tuple(r["related_urls"]),
            related_titles=tuple(r["related_titles"]),
            topics=tuple(r["topics"]),
            quality=r["quality"],
            has_image=r["has_image"],
            has_body=r["has_body"],
        )
        for r in records
    )
    return docs, {r["key"]: r["event"] for r in records}


def pairs_of(groups: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    """All unordered pairs (as sorted tuples) within each group."""
    return {(a, b) if a < b else (b, a) for group in groups for a, b in combinations(group, 2)}


def score_clusters(clusters: Sequence[Cluster], gold: dict[str, str]) -> PairScores:
    """Pairwise precision and recall of ``clusters`` against ``gold`` event labels."""
    events: dict[str, list[str]] = {}
    for key, event in sorted(gold.items()):
        events.setdefault(event, []).append(key)
    predicted = pairs_of(c.members for c in clusters)
    expected = pairs_of(events.values())
    correct = len(predicted & expected)
    return PairScores(
        precision=correct / len(predicted) if predicted else 1.0,
        recall=correct / len(expected) if expected else 1.0,
        predicted_pairs=len(predicted),
        gold_pairs=len(expected),
        correct_pairs=correct,
    )


def main() -> None:
    """Print the figures (and with --errors, the wrong and missed pairs)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="list wrong and missed pairs")
    args = parser.parse_args()
    docs, gold = load_eval_set()
    clusters = cluster_stories(docs, threshold=args.threshold)
    scores = score_clusters(clusters, gold)
    multi = sum(1 for e in set(gold.values()) if list(gold.values()).count(e) > 1)
    print(
        f"stories={len(docs)} gold events={len(set(gold.values()))} multi-story={multi} "
        f"clusters={len(clusters)} threshold={args.threshold}"
    )
    print(
        f"pairwise precision={scores.precision:.3f} recall={scores.recall:.3f} "
        f"(correct {scores.correct_pairs} / predicted {scores.predicted_pairs} "
        f"/ gold {scores.gold_pairs})"
    )
    if args.errors:
        titles = {d.key: d.title for d in docs}
        predicted = pairs_of(c.members for c in clusters)
        for a, b in sorted(predicted):
            if gold[a] != gold[b]:
                print(f"WRONG  {titles[a][:60]!r} ~ {titles[b][:60]!r}")
        events: dict[str, list[str]] = {}
        for key, event in sorted(gold.items()):
            events.setdefault(event, []).append(key)
        for a, b in sorted(pairs_of(events.values()) - predicted):
            print(f"MISSED {titles[a][:60]!r} ~ {titles[b][:60]!r}")


if __name__ == "__main__":
    main()
