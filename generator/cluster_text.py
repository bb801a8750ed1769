"""Story text as weighted terms: the vocabulary that event clustering and related scoring share.

A story becomes a sparse, L2-normalised vector of stemmed terms. A term's weight is its
inverse document frequency, times a field weight (title words count more than excerpt and
body words) and an entity boost (acronyms, numbers, amounts and words capitalised
mid-sentence, which name *this* event rather than its topic).

The idf is *banded*: it depends on a term's document frequency only through its power-of-two
band (1, 2-3, 4-7, ...), against a fixed scale rather than the collection size. Adding or
removing a story therefore changes the weights of other stories only when one of its terms
crosses a band edge, which keeps incremental updates local (see ``cluster_engine``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.cluster_urls import canonicalize_url

if TYPE_CHECKING:
    from generator.clusters import ClusterDoc

TITLE_WEIGHT = 4.0
"""Weight of a term found in the title, relative to one found only in the text."""
ENTITY_BOOST = 1.6
"""Multiplier for entity-like terms (acronyms, numbers, amounts, mid-sentence capitals)."""
TEXT_TOKEN_LIMIT = 60
"""How many leading text tokens (excerpt, then body) count: the lead says what happened."""
IDF_SCALE = 400.0
"""Idf of a term = ln(1 + IDF_SCALE / band), band = the power of two at or below its count."""

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours says said say saying new news report reports reported according today yesterday
    tomorrow week weeks year years day days time monday tuesday wednesday thursday friday
    saturday sunday one two three first last like get gets got make makes made may might
    must via per amid us vs here's it's what's who's that's don't doesn't isn't can't won't
    really way ways well much many even still back next see use used using"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""Words that say nothing about which event a story reports."""

_TOKEN = re.compile(
    r"[^\W\d_]+-\d[\w.]*|\$?\d+(?:[.,]\d+)*(?:bn|[mbk])?%?|[^\W\d_]+(?:['’][^\W\d_]+)?"
)
_TITLE_WORD = re.compile(r"[a-z0-9]+")
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z0-9,] )[A-Z][^\W\d_]+")
"""A capital right after a lower-case word, digit or comma: a name, not a sentence start."""


@dataclass(frozen=True, slots=True)
class StoryTerms:
    """The distinct terms of one story, before weighting."""

    title: frozenset[str]
    """Stemmed terms of the title (provider name removed)."""
    text: frozenset[str]
    """Stemmed terms of the leading text tokens."""
    entities: frozenset[str]
    """The subset of both that look like names, numbers or amounts."""


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """Everything derived from the stories once, shared by clustering and related scoring.

    All tuples are index-aligned with the ``docs`` sequence they were built from.
    """

    vectors: tuple[Mapping[str, float], ...]
    """L2-normalised weighted term vector of each story."""
    days: tuple[float, ...]
    """Publication time of each story, in days since the Unix epoch."""
    urls: tuple[frozenset[str], ...]
    """Canonical forms of each story's own addresses."""
    related_urls: tuple[frozenset[str], ...]
    """Canonical forms of the addresses in each story's ``related[]``."""
    related_titles: tuple[frozenset[str], ...]
    """Normalised titles in each story's ``related[]``."""
    titles: tuple[str, ...]
    """Normalised title of each story, to match against ``related_titles``."""


def build_story_features(docs: Sequence[ClusterDoc]) -> StoryFeatures:
    """Tokenise every story, weigh its terms by banded idf, field and entity boost."""
    memo: dict[str, str] = {}
    raws = [weigh_story_terms(extract_story_terms(doc, memo)) for doc in docs]
    counts = count_documents(raws)
    vectors = tuple(normalize_vector(raw, counts) for raw in raws)
    return StoryFeatures(
        vectors=vectors,
        days=tuple(doc.published.timestamp() / 86400.0 for doc in docs),
        urls=tuple(_keys(doc.urls, doc, canonicalize_url) for doc in docs),
        related_urls=tuple(_keys(doc.related_urls, doc, canonicalize_url) for doc in docs),
        related_titles=tuple(_keys(doc.related_titles, doc, normalize_title) for doc in docs),
        titles=tuple(title_key_of(doc) for doc in docs),
    )


def count_documents(raws: Sequence[Mapping[str, float]]) -> dict[str, int]:
    """How many stories contain each term."""
    counts: dict[str, int] = {}
    get = counts.get
    for raw in raws:
        for term in raw:
            counts[term] = get(term, 0) + 1
    return counts


_IDF_BY_BAND = tuple(math.log(1.0 + IDF_SCALE / (1 << bits)) for bits in range(64))
"""Idf of each band, by the band's exponent (a count's bit length minus one)."""


def idf_of_count(count: int) -> float:
    """Banded inverse document frequency of a term found in ``count`` stories."""
    return _IDF_BY_BAND[max(count, 1).bit_length() - 1]


def weigh_story_terms(story: StoryTerms) -> dict[str, float]:
    """Each term's weight before idf: field weight times entity boost (sorted by term)."""
    weights: dict[str, float] = {}
    for term in sorted(story.title | story.text):
        weight = TITLE_WEIGHT if term in story.title else 1.0
        weights[term] = weight * ENTITY_BOOST if term in story.entities else weight
    return weights


def normalize_vector(raw: Mapping[str, float], counts: Mapping[str, int]) -> dict[str, float]:
    """Weighted, L2-normalised vector of one story (empty when it has no terms)."""
    idf = _IDF_BY_BAND
    weights = {term: w * idf[max(counts[term], 1).bit_length() - 1] for term, w in raw.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0.0:
        return {}
    return {term: w / norm for term, w in weights.items()}


def url_keys_of(doc: ClusterDoc, memo: dict[str, str] | None = None,
                ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Sorted comparison keys of a story's own URLs, related URLs and related titles.

    ``memo`` caches value -> key across calls of one build (many stories list the same
    related entries).
    """
    cache: dict[str, str] = {} if memo is None else memo
    return (
        tuple(sorted(_keys(doc.urls, doc, canonicalize_url, cache))),
        tuple(sorted(_keys(doc.related_urls, doc, canonicalize_url, cache))),
        tuple(sorted(_keys(doc.related_titles, doc, normalize_title, cache, "\0"))),
    )


def title_key_of(doc: ClusterDoc) -> str:
    """The key that ``related[]`` titles of other stories are compared with."""
    return normalize_title(doc.title) if doc.title_key is None else doc.title_key


def _keys(values: Sequence[str], doc: ClusterDoc, canonical: Callable[[str], str],
          memo: dict[str, str] | None = None, tag: str = "") -> frozenset[str]:
    """Comparison keys of URLs or titles; values are keys already when the doc says so.

    ``memo`` caches ``tag + value`` -> key (a distinct ``tag`` per ``canonical``).
    """
    if doc.title_key is not None:
        return frozenset(filter(None, values))
    if memo is None:
        return frozenset(filter(None, map(canonical, values)))
    keys = set()
    for value in values:
        found = memo.get(tag + value)
        if found is None:
            found = memo[tag + value] = canonical(value)
        if found:
            keys.add(found)
    return frozenset(keys)


def extract_story_terms(doc: ClusterDoc, memo: dict[str, str] | None = None) -> StoryTerms:
    """Split a story's title and leading text into stemmed, stopword-free terms.

    ``memo`` caches token -> term ('' for a dropped token) across calls of one build.
    """
    cache: dict[str, str] = {} if memo is None else memo
    provider_words = {_term_of(w, cache) for w in _TOKEN.findall(doc.provider)}
    provider_words.add("")
    title_tokens = _TOKEN.findall(_strip_provider_suffix(doc.title, doc.provider))
    span = TEXT_TOKEN_LIMIT * 9
    text_tokens = _TOKEN.findall(doc.text, 0, span)[:TEXT_TOKEN_LIMIT]
    title = {cache[t] if t in cache else _term_of(t, cache) for t in title_tokens}
    text = {cache[t] if t in cache else _term_of(t, cache) for t in text_tokens}
    title -= provider_words
    text -= provider_words
    marked = [t for t in (*title_tokens, *text_tokens) if not t.islower() and _looks_like_entity(t)]
    marked += _MID_SENTENCE_CAPITAL.findall(doc.text, 0, span)
    entities = {_term_of(t, cache) for t in marked} & (title | text)
    return StoryTerms(title=frozenset(title), text=frozenset(text), entities=frozenset(entities))


def stem_word(word: str) -> str:
    """A deliberately light stemmer: plural ``s``, then ``ing``/``ed``, then a final ``e``."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 5:
        word = word[:-2]
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def normalize_title(title: str) -> str:
    """Lower-case ASCII-folded title words joined by single spaces ('' for no words)."""
    if title.isascii():
        return " ".join(_TITLE_WORD.findall(title.lower()))
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(_TITLE_WORD.findall(folded))


def _term_of(token: str, cache: dict[str, str]) -> str:
    """The stemmed term of a token, or '' for stopwords and single letters (memoised)."""
    term = cache.get(token)
    if term is None:
        lowered = token.lower().replace("’", "'")
        if lowered.endswith("'s"):
            lowered = lowered[:-2]
        if lowered in STOPWORDS or (len(lowered) < 2 and not lowered.isdigit()):
            term = ""
        else:
            term = stem_word(lowered)
        cache[token] = term
    return term


def _looks_like_entity(token: str) -> bool:
    """Acronyms (IBM), model names (GPT-4), amounts ($40m, 3.2) and years; not bare 2 or 10."""
    if token.isalpha():
        return len(token) >= 2 and token.isupper()
    if token.isdigit():
        return len(token) >= 3
    return True


def _strip_provider_suffix(title: str, provider: str) -> str:
    """Drop a trailing ``| Provider`` or `` - Provider`` that some feeds append to titles."""
    if not provider:
        return title
    squashed_provider = normalize_title(provider).replace(" ", "")
    for separator in (" | ", " - ", " — ", " – "):
        head, found, tail = title.rpartition(separator)
        squashed_tail = normalize_title(tail).replace(" ", "")
        if (
            found
            and head
            and len(squashed_tail) >= 4
            and (squashed_tail in squashed_provider or squashed_provider in squashed_tail)
        ):
            return head
    return title
