"""One story as the clustering engine keeps it: a plain, marshal-friendly tuple.

Event clustering and related scoring run over these records rather than over
:class:`~generator.clusters.ClusterDoc` objects, so that an :class:`EngineState` can be
stored with ``marshal`` and reused by the next build. Fields are read through the ``R_*``
index constants below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from generator import kernels
from generator.cluster_text import (
    WEIGHT_OF_CODE,
    RawWeights,
    TextMemo,
    extract_story_terms,
    normalize_vector,
    title_key_of,
    url_keys_of,
    weigh_story_terms,
)

if TYPE_CHECKING:
    from generator.clusters import ClusterDoc

StoryRecord = tuple[Any, ...]
"""(digest, time, raw, vector, urls, own, listed, override, lead, topics, strongest): see the
``R_*`` constants."""

R_DIGEST = 0
"""Hash of the story's clustering inputs: a record is reused while it is unchanged."""
R_TIME = 1
"""Publication time, seconds since the Unix epoch."""
R_RAW = 2
"""Its terms, sorted, and their field weights times entity boosts, before idf, as codes
(``cluster_text.RawWeights``)."""
R_VECTOR = 3
"""Term -> weight in the L2-normalised vector (depends on the idf bands of its terms)."""
R_URLS = 4
"""Sorted canonical keys of the story's own addresses."""
R_OWN = 5
"""The keys under which other stories' ``related[]`` can name it: its address keys, then
"title:" + its normalised title."""
R_LISTED = 6
"""The keys its ``related[]`` names: address keys, then "title:" + normalised titles."""
R_OVERRIDE = 7
"""Front matter ``cluster:`` value, or None."""
R_LEAD = 8
"""(quality or -1, has_image, has_body): what choosing a cluster's lead looks at."""
R_TOPICS = 9
"""Sorted index keys ("topic:" + lower-cased name) of its topics."""
R_STRONGEST = 10
"""Its ``SIGNATURE_TERMS`` heaviest vector terms, heaviest first (ties by term): weighed
once with the vector, then read by both the link index and the related-story index."""

SIGNATURE_TERMS = 6
"""How many of a story's strongest terms are indexed to find candidate links."""
RELATED_TERMS = 5
"""How many of a story's strongest terms are looked up for related stories."""
SECONDS_PER_DAY = 86400.0


def build_record(doc: ClusterDoc, digest: str, memo: TextMemo) -> StoryRecord:
    """The record of ``doc``, with its vector left empty (see :func:`with_vectors`).

    ``memo`` caches what tokens, providers, addresses and titles give across one build.
    """
    raw = weigh_story_terms(extract_story_terms(doc, memo))
    urls, related_urls, related_titles = url_keys_of(doc, memo)
    title = title_key_of(doc)
    topics = tuple(sorted({"topic:" + t.strip().lower() for t in doc.topics if t.strip()}))
    quality = doc.quality if doc.quality is not None else -1
    return (
        digest,
        doc.published.timestamp(),
        raw,
        {},
        urls,
        (*urls, "title:" + title) if title else urls,
        (*related_urls, *("title:" + t for t in related_titles)),
        doc.override,
        (quality, doc.has_image, doc.has_body),
        topics,
        (),
    )


def with_vectors(records: Iterable[StoryRecord], idf: Mapping[str, float]
                 ) -> list[StoryRecord]:
    """The records with their vectors (and strongest terms) recomputed from their raw
    weights and the terms' ``idf``."""
    records = list(records)
    weighed = weigh_vectors([record[R_RAW] for record in records], idf, SIGNATURE_TERMS)
    return [(*record[:R_VECTOR], vector, *record[R_VECTOR + 1 : R_STRONGEST], strongest)
            for record, (vector, strongest) in zip(records, weighed, strict=True)]


def weigh_vectors_python(raws: list[RawWeights], idf: Mapping[str, float], count: int
                         ) -> list[tuple[dict[str, float], tuple[str, ...]]]:
    """Each story's L2-normalised vector (:func:`normalize_vector`) and its ``count``
    strongest terms (:func:`strongest_terms`)."""
    found = []
    for raw in raws:
        vector = normalize_vector(raw, idf)
        found.append((vector, strongest_terms(vector, count)))
    return found


weigh_vectors: kernels.WeighVectors = (
    weigh_vectors_python if kernels.vectors is None else partial(kernels.vectors, WEIGHT_OF_CODE)
)
""":func:`weigh_vectors_python`, compiled where it is built (``generator.kernels``)."""


def day_of(record: StoryRecord) -> float:
    """Publication time in days since the epoch."""
    return float(record[R_TIME]) / SECONDS_PER_DAY


def strongest_terms(vector: Mapping[str, float], count: int) -> tuple[str, ...]:
    """The ``count`` heaviest terms of a vector, heaviest first (ties by term: vectors are
    sorted by term, and a sort keeps the order of equal weights)."""
    return tuple(sorted(vector, key=vector.__getitem__, reverse=True)[:count])


def related_lookups(record: StoryRecord) -> tuple[str, ...]:
    """The topic and term index entries a story is filed under and looks up."""
    return (*record[R_TOPICS], *record[R_STRONGEST][:RELATED_TERMS])


def is_eligible(record: StoryRecord) -> bool:
    """Whether automatic clustering may join the story (no editor override)."""
    return record[R_OVERRIDE] is None
