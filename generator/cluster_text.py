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
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import field
from itertools import chain, repeat
from operator import mul, truediv
from typing import TYPE_CHECKING

from generator.cluster_urls import canonicalize_url
from generator.frozen import frozen

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
    r"[^\W\d_]+(?:-\d[\w.]*|['’][^\W\d_]+)?|\$?\d+(?:[.,]\d+)*(?:bn|[mbk])?%?"
)
"""A model name (GPT-4), a word (with one apostrophe), or a number or amount ($40m, 3.2bn)."""
_TITLE_WORD = re.compile(r"[a-z0-9]+")
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z0-9,] )[A-Z][^\W\d_]+")
"""A capital right after a lower-case word, digit or comma: a name, not a sentence start."""
_ASCII_TOKEN = re.compile(
    r"[A-Za-z]+(?:-\d[\w.]*|'[A-Za-z]+)?|\$?\d+(?:[.,]\d+)*(?:bn|[mbk])?%?", re.ASCII
)
"""``_TOKEN`` for ASCII text (the same matches there, found faster than through Unicode
character classes)."""
_ASCII_MID_SENTENCE_CAPITAL = re.compile(r"[a-z0-9,] (?=([A-Z][A-Za-z]+))", re.ASCII)
"""``_MID_SENTENCE_CAPITAL`` for ASCII text, found faster: the two characters before a name are
matched and the name captured ahead of them (matches never overlap a name, so this finds
every name the look-behind finds)."""


@frozen
class StoryTerms:
    """The distinct terms of one story, before weighting."""

    title: frozenset[str]
    """Stemmed terms of the title (provider name removed)."""
    text: frozenset[str]
    """Stemmed terms of the leading text tokens."""
    entities: frozenset[str]
    """The subset of both that look like names, numbers or amounts."""


@frozen
class TextMemo:
    """What one build's stories share: each cache maps a value to what it always gives."""

    terms: dict[str, str] = field(default_factory=dict)
    """Token -> its stemmed term ('' for a stopword or a single letter)."""
    entity_tokens: set[str] = field(default_factory=set)
    """The tokens in ``terms`` that mark an entity (acronym, model name, amount, year)."""
    providers: dict[str, tuple[frozenset[str], str | None]] = field(default_factory=dict)
    """Provider -> its terms (and '') and squashed name (see ``_strip_provider_suffix``)."""
    url_keys: dict[str, str] = field(default_factory=dict)
    """Address -> its canonical key ('' for none)."""
    title_keys: dict[str, str] = field(default_factory=dict)
    """Title -> its normalised key."""

RawWeights = tuple[tuple[str, ...], str]
"""A story's terms, sorted, and their weights before idf, one code letter a term (see
``WEIGHT_OF_CODE``): a string of letters, not a dict of floats, for the engine keeps this
for every story (the event state of a 10,000-story build held 47 MB in memory with dicts,
42 MB with codes, and loads a fifth faster)."""

WEIGHT_OF_CODE = {
    "1": 1.0,
    "T": TITLE_WEIGHT,
    "E": 1.0 * ENTITY_BOOST,
    "B": TITLE_WEIGHT * ENTITY_BOOST,
}
"""A term's weight before idf, by its code: text, title, text entity, title entity (the
products :func:`weigh_story_terms` makes, so the same floats)."""
_CODE_OF_WEIGHT = {weight: code for code, weight in WEIGHT_OF_CODE.items()}


def count_documents(raws: Iterable[RawWeights]) -> Counter[str]:
    """How many stories contain each term."""
    return Counter(chain.from_iterable(terms for terms, _ in raws))


_IDF_BY_BAND = tuple(math.log(1.0 + IDF_SCALE / (1 << bits)) for bits in range(64))
"""Idf of each band, by the band's exponent (a count's bit length minus one)."""


def idf_of_count(count: int) -> float:
    """Banded inverse document frequency of a term found in ``count`` stories."""
    return _IDF_BY_BAND[max(count, 1).bit_length() - 1]


def weigh_story_terms(story: StoryTerms) -> RawWeights:
    """Each term's weight before idf: field weight times entity boost (sorted by term)."""
    weights = dict.fromkeys(sorted(story.title | story.text), 1.0)
    for term in story.title:
        weights[term] = TITLE_WEIGHT
    for term in story.entities:
        weights[term] *= ENTITY_BOOST
    return tuple(weights), "".join(map(_CODE_OF_WEIGHT.__getitem__, weights.values()))


def idf_of_terms(counts: Mapping[str, int], terms: Iterable[str]) -> dict[str, float]:
    """Banded idf of each of ``terms`` (see :func:`idf_of_count`)."""
    idf = _IDF_BY_BAND
    return {term: idf[max(counts[term], 1).bit_length() - 1] for term in terms}


def normalize_vector(raw: RawWeights, idf: Mapping[str, float]) -> dict[str, float]:
    """Weighted, L2-normalised vector of one story (empty when it has no terms);
    ``idf`` holds each term's banded idf (:func:`idf_of_terms`)."""
    terms, codes = raw
    weights = list(map(mul, map(WEIGHT_OF_CODE.__getitem__, codes),
                       map(idf.__getitem__, terms)))  # (C loops: the same products,
    # squares, sum and quotients as a comprehension would make, faster)
    norm = math.sqrt(sum(map(mul, weights, weights)))
    if norm == 0.0:
        return {}
    return dict(zip(terms, map(truediv, weights, repeat(norm)), strict=True))


def url_keys_of(doc: ClusterDoc, memo: TextMemo | None = None,
                ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Sorted comparison keys of a story's own URLs, related URLs and related titles.

    ``memo`` caches value -> key across calls of one build (many stories list the same
    related entries).
    """
    if doc.title_key is not None:
        return (_sorted_keys(doc.urls), _sorted_keys(doc.related_urls),
                _sorted_keys(doc.related_titles))
    cache = TextMemo() if memo is None else memo
    return (
        _sorted_keys(_look_up(doc.urls, cache.url_keys, canonicalize_url)),
        _sorted_keys(_look_up(doc.related_urls, cache.url_keys, canonicalize_url)),
        _sorted_keys(_look_up(doc.related_titles, cache.title_keys, normalize_title)),
    )


def title_key_of(doc: ClusterDoc) -> str:
    """The key that ``related[]`` titles of other stories are compared with."""
    return normalize_title(doc.title) if doc.title_key is None else doc.title_key


def _sorted_keys(keys: Iterable[str]) -> tuple[str, ...]:
    """The distinct non-empty ``keys``, sorted."""
    return tuple(sorted(set(keys).difference(("",))))


def _look_up(values: Sequence[str], cache: dict[str, str], make: Callable[[str], str]
             ) -> list[str]:
    """``make(value)`` of each value, through ``cache``."""
    found = list(map(cache.get, values))
    if None in found:
        for value in values:
            if value not in cache:
                cache[value] = make(value)
        found = list(map(cache.__getitem__, values))
    return found  # type: ignore[return-value]


def extract_story_terms(doc: ClusterDoc, memo: TextMemo | None = None) -> StoryTerms:
    """Split a story's title and leading text into stemmed, stopword-free terms.

    ``memo`` caches what tokens and providers give across the stories of one build.
    """
    cache = TextMemo() if memo is None else memo
    provider_terms, squashed_provider = _read_provider(doc.provider, cache)
    span = TEXT_TOKEN_LIMIT * 9
    title = _strip_provider_suffix(doc.title, squashed_provider)
    title_tokens = set((_ASCII_TOKEN if title.isascii() else _TOKEN).findall(title))
    if doc.text.isascii():
        text_tokens = set(_ASCII_TOKEN.findall(doc.text, 0, span)[:TEXT_TOKEN_LIMIT])
        capitals = set(_ASCII_MID_SENTENCE_CAPITAL.findall(doc.text, 0, span))
    else:
        text_tokens = set(_TOKEN.findall(doc.text, 0, span)[:TEXT_TOKEN_LIMIT])
        capitals = set(_MID_SENTENCE_CAPITAL.findall(doc.text, 0, span))
    terms = cache.terms
    tokens = title_tokens | text_tokens
    _learn_tokens(tokens.union(capitals).difference(terms), cache)
    term_of = terms.__getitem__
    title_terms = set(map(term_of, title_tokens)).difference(provider_terms)
    text = set(map(term_of, text_tokens)).difference(provider_terms)
    marked = tokens & cache.entity_tokens
    entities = {*map(term_of, marked), *map(term_of, capitals)} & (title_terms | text)
    return StoryTerms(title=frozenset(title_terms), text=frozenset(text),
                      entities=frozenset(entities))


def _learn_tokens(tokens: Iterable[str], memo: TextMemo) -> None:
    """Add new tokens' terms (and whether they mark an entity) to ``memo``."""
    for token in tokens:
        memo.terms[token] = sys.intern(_term_of(token))  # (the same object in every
        # process: records made in a forked process share their terms with this one's)
        if not token.islower() and _looks_like_entity(token):
            memo.entity_tokens.add(token)


def _read_provider(provider: str, memo: TextMemo) -> tuple[frozenset[str], str | None]:
    """A provider's terms (with '', so that removing them drops dropped tokens too) and its
    squashed name (None for no provider), through ``memo``."""
    found = memo.providers.get(provider)
    if found is None:
        terms = frozenset({"", *map(_term_of, _TOKEN.findall(provider))})
        squashed = normalize_title(provider).replace(" ", "") if provider else None
        found = memo.providers[provider] = terms, squashed
    return found


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


def _term_of(token: str) -> str:
    """The stemmed term of a token, or '' for stopwords and single letters."""
    lowered = token.lower().replace("’", "'")
    if lowered.endswith("'s"):
        lowered = lowered[:-2]
    if lowered in STOPWORDS or (len(lowered) < 2 and not lowered.isdigit()):
        return ""
    return stem_word(lowered)


def _looks_like_entity(token: str) -> bool:
    """Acronyms (IBM), model names (GPT-4), amounts ($40m, 3.2) and years; not bare 2 or 10."""
    if token.isalpha():
        return len(token) >= 2 and token.isupper()
    if token.isdigit():
        return len(token) >= 3
    return True


def _strip_provider_suffix(title: str, squashed_provider: str | None) -> str:
    """Drop a trailing ``| Provider`` or `` - Provider`` that some feeds append to titles
    (``squashed_provider``: the provider's normalised title without spaces)."""
    if squashed_provider is None:
        return title
    for separator in (" | ", " - ", " — ", " – "):
        head, found, tail = title.rpartition(separator)
        if not (found and head):
            continue
        squashed_tail = normalize_title(tail).replace(" ", "")
        if len(squashed_tail) >= 4 and (
            squashed_tail in squashed_provider or squashed_provider in squashed_tail
        ):
            return head
    return title
