"""Story summaries: the small, flat part of a story that the site model needs.

The model, the listing pages and the incremental planner work on summaries only;
the full ``Story`` (body, related list) is needed just to render its own page.
Summaries convert to and from plain tuples, which ``marshal`` stores and loads
in milliseconds, so a rebuild never re-reads unchanged files.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from datetime import UTC, datetime, tzinfo
from operator import attrgetter

from .bodies import (
    body_file_date,
    body_lead,
    dated_by_mtime,
    normalize_title,
    standalone_story,
)
from .cluster_urls import canonicalize_url
from .frozen import frozen
from .kernels import maker
from .records import Extra, Image, Story, TextBody, extra_from_json
from .schema_json import story_json
from .slugs import story_slug

CardImage = tuple[str, int, int, str]
TEXT_WORDS = 60
"""How many words of the body a summary keeps (for clustering and related scoring)."""


def link_key(text: str) -> str:
    """A short hash standing for a canonical URL or normalized title in lookups."""
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest() if text else ""


def title_link_of(summary: StorySummary) -> str:
    """The summary's ``title_link``, or (for a summary made without it) the
    ``link_key`` of its ``title_key``."""
    return summary.title_link or link_key(summary.title_key)


@frozen
class StorySummary:
    """What the whole-site stages know of one story."""

    source: str
    """Path of the content file, relative to the site folder."""
    digest: str
    """Hash of the file's bytes: changes whenever the file does."""
    title: str
    """Headline."""
    timestamp: float
    """``publishedDateTime`` as seconds since the epoch."""
    wanted_slug: str
    """The slug the story asks for (before de-duplication)."""
    excerpt: str = ""
    """Excerpt."""
    provider: str = ""
    """Provider name."""
    provider_domain: str = ""
    """Provider domain."""
    image: CardImage | None = None
    """Lead image (url, width, height, alt) when it has a known size."""
    topics: tuple[str, ...] = ()
    """Topic names."""
    url: str = ""
    """The story at its source."""
    url_keys: tuple[str, ...] = ()
    """Keys of webUrl and originalUrl (see ``link_key``), for matching related entries."""
    title_key: str = ""
    """Normalized title, for matching related entries and plain-text bodies."""
    title_link: str = ""
    """``link_key`` of ``title_key``, which related[] entries' title keys are compared
    with (made once, when the file is read: hashing 10,000 titles took 6 ms of every
    build)."""
    related_keys: tuple[tuple[str, str], ...] = ()
    """(URL key, title key) of each related[] entry, in order (see ``link_key``)."""
    quality: int | None = None
    """Quality score."""
    has_body: bool = False
    """Whether the file has a body."""
    cluster: str | None = None
    """Editor's ``cluster:`` override."""
    text: str = ""
    """The start of the body as plain words, for clustering and related scoring."""
    is_body_file: bool = False
    """True for a plain-text file without front matter (a body seeking its article)."""
    extra_json: str = ""
    """The story's own front-matter fields (``Story.extra``) as JSON, '' for none: what
    cards show of them (``extra``). (They are in the file's ``digest``, as every field is,
    so the fingerprints of the pages that show them change with them.)"""
    aliases: tuple[str, ...] = ()
    """``Story.aliases``: the story's old addresses (see ``aliases``)."""
    record_json: str = ""
    """The story in the schema's field names, as JSON (see ``schema_json``)."""

    @property
    def published(self) -> datetime:
        """Publication time, timezone-aware (UTC)."""
        return datetime.fromtimestamp(self.timestamp, UTC)

    @property
    def card_image(self) -> Image | None:
        """The lead image as a record."""
        return Image(*self.image) if self.image else None

    @property
    def extra(self) -> Extra:
        """The story's own front-matter fields, as ``Story.extra`` has them."""
        return extra_from_json(self.extra_json)

    def to_tuple(self) -> tuple[object, ...]:
        """A marshal-friendly tuple, without ``record_json`` (kept apart: ``record_store``)."""
        return self._row(_STORE_BLANKS)

    def to_render_tuple(self) -> tuple[object, ...]:
        """``to_tuple`` without what only clustering and matching read (the body's words,
        the title and address keys): what rendering a page needs of the story."""
        return self._row(_RENDER_BLANKS)

    def _row(self, blanks: tuple[tuple[int, object], ...]) -> tuple[object, ...]:
        values = list(_ALL_FIELDS(self))
        for index, blank in blanks:
            values[index] = blank
        return tuple(values)

    @classmethod
    def from_tuple(cls, values: tuple[object, ...]) -> StorySummary:
        """Inverse of ``to_tuple``."""
        return _make_summary(values)


_make_summary = maker(StorySummary)


def summarize_story(story: Story, digest: str, *, date_prefix: str) -> StorySummary:
    """The summary of a validated story."""
    image = story.card_image
    card: CardImage | None = None
    if image is not None and image.width and image.height:  # (always: for the type checker)
        card = (image.url, image.width, image.height, image.title or story.title)
    return StorySummary(
        source=story.source,
        digest=digest,
        title=story.title,
        timestamp=story.published.timestamp(),
        wanted_slug=story_slug(story.stem, story.title, date_prefix),
        excerpt=story.excerpt or body_lead(story.body, story.body_format),
        provider=story.provider.name if story.provider else "",
        provider_domain=story.provider.domain if story.provider else "",
        image=card,
        topics=story.topics,
        url=story.url,
        url_keys=tuple(link_key(canonicalize_url(u)) for u in (story.url, story.original_url) if u),
        title_key=(title_key := normalize_title(story.title)),
        title_link=link_key(title_key),
        related_keys=tuple((link_key(canonicalize_url(r.url)) if r.url else "",
                            link_key(normalize_title(r.title))) for r in story.related),
        quality=story.quality,
        has_body=bool(story.body),
        cluster=story.cluster,
        text=" ".join(story.body.split()[:TEXT_WORDS]),
        extra_json=story.extra.to_json(),
        aliases=story.aliases,
        record_json=story_json(story),
    )


def summarize_body_file(body: TextBody, digest: str, *, zone: tzinfo) -> StorySummary:
    """The summary of a plain-text body file (matched to its article by the model). One
    that only its modification time dates (see ``bodies.undated_warning``) has that time
    in its digest: the same bytes at another time are another story (another date and
    address), and the digest is what the cache and the pages' fingerprints compare."""
    published = body_file_date(body, zone)
    if dated_by_mtime(body.stem):
        digest = f"{digest}@{int(body.modified.timestamp())}"
    return StorySummary(
        source=body.source, digest=digest, title=body.title, timestamp=published.timestamp(),
        wanted_slug=story_slug(body.stem, body.title,
                               published.astimezone(zone).strftime("%Y-%m-%d")),
        title_key=(title_key := normalize_title(body.title)), title_link=link_key(title_key),
        excerpt=body_lead(body.text, body.body_format),
        has_body=bool(body.text.strip()), text=" ".join(body.text.split()[:TEXT_WORDS]),
        is_body_file=True, record_json=story_json(standalone_story(body, zone)),
    )


_FIELDS = tuple(f.name for f in fields(StorySummary))
_ALL_FIELDS = attrgetter(*_FIELDS)
_STORE_BLANKS: tuple[tuple[int, object], ...] = ((_FIELDS.index("record_json"), ""),)
_RENDER_BLANKS: tuple[tuple[int, object], ...] = _STORE_BLANKS + tuple(
    (_FIELDS.index(name), blank) for name, blank in (
        ("text", ""), ("title_key", ""), ("title_link", ""), ("url_keys", ())))
