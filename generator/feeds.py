"""Feeds: what the Atom, RSS and JSON Feed files of the site and of each topic hold.

``feed_for`` turns a planned feed page into a ``Feed`` record; the Atom and RSS
templates only lay it out as XML, and ``render_json_feed`` writes it as JSON Feed
1.1 with ``schema_json.compact_json``. Every URL is absolute when ``base_url`` names a host
(otherwise a site-relative path: see ``seo.base_url_warnings``). The feed's
``updated`` date is its newest story's, never the build time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .frozen import frozen
from .model import Article, Site
from .pages import Page, feed_links
from .records import Image
from .schema_json import compact_json, utc_iso
from .urls import join_url

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
               ".svg": "image/svg+xml"}
"""Image MIME types by file extension (a fixed table: the system's may differ)."""


@frozen
class FeedEntry:
    """One story in a feed."""

    id: str
    """Permanent id: the absolute URL of the story's page."""
    url: str
    """The story's page on this site."""
    title: str
    """Headline."""
    summary: str
    """Excerpt ('' if none)."""
    author: str
    """Provider name ('' if unknown)."""
    published: datetime
    """Publication time (UTC)."""
    categories: tuple[str, ...]
    """Topic names."""
    image: Image | None
    """Lead image with its size, if any."""
    image_type: str
    """MIME type of the lead image, from its extension ('' if unknown)."""
    source_url: str
    """The story at its publisher ('' if none)."""


@frozen
class Feed:
    """One feed, in any format."""

    title: str
    """Feed title."""
    description: str
    """What the feed holds."""
    home_url: str
    """The HTML page the feed belongs to (home page or topic page)."""
    self_url: str
    """The feed file's own URL."""
    updated: datetime
    """The newest story's date (``SOURCE_DATE_EPOCH`` or 1970 for an empty feed)."""
    language: str
    """Language code."""
    site_title: str
    """The site's title (the feed's author)."""
    entries: tuple[FeedEntry, ...]
    """Stories, newest first."""


def feed_for(site: Site, page: Page) -> Feed:
    """The feed of a planned ``feed`` page."""
    config = site.config
    home = page.topic.ref.path if page.topic else ""
    entries = tuple(feed_entry(site, article) for article in page.articles)
    updated = (entries[0].published if entries
               else datetime.fromtimestamp(config.source_date_epoch or 0, UTC))
    return Feed(
        title=page.title, description=page.description, home_url=absolute(site, home),
        self_url=absolute(site, page.path), updated=updated, language=config.language,
        site_title=config.title, entries=entries,
    )


def feed_entry(site: Site, article: Article) -> FeedEntry:
    """The feed entry of one article."""
    url = absolute(site, article.path)
    image = absolute_image(site, article.card_image)
    return FeedEntry(
        id=url, url=url, title=article.title, summary=article.excerpt,
        author=article.provider, published=article.published,
        categories=tuple(ref.name for ref in article.topics), image=image,
        image_type=image_type(image.url) if image else "", source_url=article.summary.url,
    )


def absolute(site: Site, path: str) -> str:
    """The URL of a site-relative path (absolute when ``base_url`` has a host)."""
    return join_url(site.config.site_url, path)


def absolute_image(site: Site, image: Image | None) -> Image | None:
    """``image`` with a whole URL: a file of this site (``site_images``: its URL a path
    under the base URL's path) under ``base_url`` (a path still when ``base_url`` has no
    host, as the pages' own URLs), for feeds, the JSON API, JSON-LD and ``og:image``,
    which are read elsewhere than on the page."""
    if image is None or not image.url.startswith("/"):
        return image
    return replace(image, url=absolute_path(site, image.url))


def absolute_path(site: Site, path: str) -> str:
    """The URL of ``path``, a path under the base URL's path (``/digest/static/x.png``)."""
    base_path = site.config.base_path
    return absolute(site, path[len(base_path):] if path.startswith(base_path) else path)


def image_type(url: str) -> str:
    """The MIME type of an image URL, from its extension ('' if unknown)."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return IMAGE_TYPES.get(path[dot:], "") if dot >= 0 else ""


def render_json_feed(site: Site, page: Page) -> bytes:
    """The page's feed as JSON Feed 1.1 (UTF-8)."""
    feed = feed_for(site, page)
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "description": feed.description,
        "language": feed.language,
        "authors": [{"name": feed.site_title}],
        "items": [_json_item(entry) for entry in feed.entries],
    }
    return dump_json(document).encode()


def _json_item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_text": entry.summary or entry.title,
        "date_published": utc_iso(entry.published),
    }
    if entry.summary:
        item["summary"] = entry.summary
    if entry.source_url:
        item["external_url"] = entry.source_url
    if entry.image:
        item["image"] = entry.image.url
    if entry.author:
        item["authors"] = [{"name": entry.author}]
    if entry.categories:
        item["tags"] = list(entry.categories)
    return item


def feed_paths(folder: str) -> dict[str, str]:
    """Format label -> site-relative path of the feeds kept in ``folder``."""
    return {link.label: link.path for link in feed_links(folder, "")}


def dump_json(document: object) -> str:
    """JSON text as every JSON output is written: compact, UTF-8, keys in the order
    the code builds them (deterministic), one trailing newline."""
    return compact_json(document) + "\n"
