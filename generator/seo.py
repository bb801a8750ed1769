"""What search engines and social networks read: canonical links, OpenGraph and
Twitter-card meta, JSON-LD, the sitemap and robots.txt.

Everything is decided here; ``base.html`` and ``sitemap.xml`` only lay it out.
JSON-LD is made with ``schema_json.compact_json`` and has ``<``, ``>`` and ``&`` escaped as
``\\u003c`` etc., so no story text can close the ``<script>`` element it sits in.

These outputs want absolute URLs. When ``base_url`` is only a path (``/``, the
default, for local preview), they hold site-relative paths instead, and
``base_url_warnings`` gives the warning that ``digest build --strict`` fails on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from .config import CONFIG_NAME, SiteConfig
from .diagnostics import Diagnostic, warning
from .feeds import absolute, absolute_image
from .frozen import frozen
from .model import Article, Site
from .pages import NOT_INDEXED, Page
from .records import Image
from .schema_json import compact_json, utc_iso, utc_iso_of_stamp
from .urls import join_url

HOSTNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
"""A provider domain safe to turn into ``https://<domain>/``."""


@frozen
class PageMeta:
    """The ``<head>`` metadata of one HTML page."""

    canonical: str
    """The page's canonical URL ('' for pages that are not indexed)."""
    og_type: str
    """OpenGraph type: "article" or "website"."""
    title: str
    """Title for social cards."""
    description: str
    """Description for social cards."""
    image: Image | None
    """Picture for social cards, with its width and height."""
    published: datetime | None
    """Publication time of an article page."""
    tags: tuple[str, ...]
    """Topic names of an article page."""
    keywords: tuple[str, ...]
    """Keywords of a topic's pages (``<meta name="keywords">``)."""
    twitter_card: str
    """"summary_large_image" with a picture, else "summary"."""
    json_ld: Markup | None
    """JSON-LD document, safe to put inside ``<script type="application/ld+json">``."""


@frozen
class SitemapEntry:
    """One ``<url>`` of the sitemap."""

    loc: str
    """The page's URL."""
    lastmod: str
    """W3C date-time of its newest story (RFC 3339, UTC)."""


def page_meta(site: Site, page: Page) -> PageMeta:
    """The metadata of an HTML page."""
    config = site.config
    indexed = page.kind not in NOT_INDEXED
    canonical = absolute(site, page.path) if indexed else ""
    lead = page.articles[0] if page.articles else None
    if page.kind == "article" and lead is not None:
        image = absolute_image(site, lead.card_image)
        return PageMeta(
            canonical=canonical, og_type="article", title=lead.title,
            description=lead.excerpt or lead.title, image=image, published=lead.published,
            tags=tuple(ref.name for ref in lead.topics), keywords=(),
            twitter_card="summary_large_image" if image else "summary",
            json_ld=json_ld(news_article(site, lead, canonical, image)),
        )
    topic = page.topic
    image = topic.image if topic is not None and topic.image is not None \
        else absolute_image(site, next(filter(None, (a.card_image for a in page.articles)),
                                       None))
    title = config.title if page.kind == "home" else f"{page.title} · {config.title}"
    return PageMeta(
        canonical=canonical, og_type="website", title=title,
        description=page.description or config.description, image=image, published=None,
        tags=(), keywords=topic.keywords if topic is not None else (),
        twitter_card="summary_large_image" if image else "summary",
        json_ld=json_ld(collection_page(site, page, canonical)) if page.kind == "topic" else None,
    )


def news_article(site: Site, article: Article, url: str, image: Image | None
                 ) -> dict[str, Any]:
    """schema.org ``NewsArticle`` for an article page (``image``: its card image)."""
    summary = article.summary
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.excerpt,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": utc_iso(article.published),
        "inLanguage": site.config.language,
    }
    if image:
        data["image"] = [{"@type": "ImageObject", "url": image.url,
                          "width": image.width, "height": image.height}]
    if article.provider:
        organization: dict[str, Any] = {"@type": "Organization", "name": article.provider}
        if HOSTNAME.fullmatch(summary.provider_domain):
            organization["url"] = f"https://{summary.provider_domain}/"
        data["author"] = organization
        data["publisher"] = organization
    if summary.url:
        data["isBasedOn"] = summary.url
    if article.topics:
        data["keywords"] = [ref.name for ref in article.topics]
    return {key: value for key, value in data.items() if value != ""}


def collection_page(site: Site, page: Page, url: str) -> dict[str, Any]:
    """schema.org ``CollectionPage`` for a topic page, its ``ItemList`` the stories the
    page shows, in order (each page of a paginated topic describes itself)."""
    keywords = {"keywords": list(page.topic.keywords)} \
        if page.topic is not None and page.topic.keywords else {}
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": page.title,
        "description": page.description,
        **keywords,
        "url": url,
        "isPartOf": {"@type": "WebSite", "name": site.config.title,
                     "url": absolute(site, "")},
        "mainEntity": {
            "@type": "ItemList",
            "numberOfItems": len(page.articles),
            "itemListOrder": "https://schema.org/ItemListOrderDescending",
            "itemListElement": [
                {"@type": "ListItem", "position": position,
                 "url": absolute(site, article.path), "name": article.title}
                for position, article in enumerate(page.articles, start=1)
            ],
        },
    }


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON text that is safe inside a ``<script>`` element of an HTML page."""
    text = compact_json(data)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - escaped above: it cannot hold "<" or "&"


def sitemap_entries(site: Site, page: Page) -> tuple[SitemapEntry, ...]:
    """Every indexed HTML page (``page.links``), with the date of its newest story."""
    fallback = datetime.fromtimestamp(site.config.source_date_epoch or 0, UTC)
    newest = utc_iso(site.articles[0].published if site.articles else fallback)
    base = site.config.site_url  # (``absolute``, without its calls for each of 10,000s)
    return tuple([SitemapEntry(join_url(base, path), utc_iso_of_stamp(stamp) if stamp else newest)
                  for path, stamp in page.links])


def render_robots(site: Site, page: Page) -> bytes:
    """robots.txt: everything may be crawled; the sitemap is named."""
    return f"User-agent: *\nAllow: /\nSitemap: {absolute(site, 'sitemap.xml')}\n".encode()


def base_url_warnings(config: SiteConfig, *, given: bool = False) -> tuple[Diagnostic, ...]:
    """A warning when ``base_url`` has no host (so feeds and the sitemap hold paths),
    naming where it came from: ``--base-url`` (``given``), digest.yaml, or the default."""
    if config.has_host:
        return ()
    where, line = ("--base-url", None) if given else _base_url_line(config)
    value = f"{config.base_url!r}" + ("" if line or given else
                                      " (the default: neither --base-url nor digest.yaml sets it)")
    return (warning(
        where, f"base_url {value} has no scheme and host, so feeds, the "
        "sitemap, robots.txt, canonical and OpenGraph links hold site-relative paths that "
        "feed readers and search engines cannot follow", field="base_url",
        line=line,
        hint="Pass --base-url https://example.org/digest/ or set base_url in digest.yaml."),)


def _base_url_line(config: SiteConfig) -> tuple[str, int | None]:
    """Where base_url is set when no ``--base-url`` was given: ``digest.yaml`` and its line,
    or (no such file, or no base_url in it) the command that built with the default."""
    from .read import FieldLines

    try:
        line = FieldLines((config.source / CONFIG_NAME).read_text("utf-8-sig")).line_of("base_url")
    except (OSError, UnicodeDecodeError):
        line = None
    return (CONFIG_NAME, line) if line else ("digest build", None)
