"""The JSON API: the digest as JSON, the way the schema's original sites served it.

``api/news/index.json`` (every story) and ``api/news/<topic>/index.json`` (one
topic), with further pages at ``.../page/<n>/index.json``; each page is
``{"page": n, "value": [stories], "nextPage": the number of the page of older
stories or null}``, newest first, paginated as the HTML topic pages
(``pages.paginate``: by default numbered from the oldest, so that ``nextPage`` counts
down). A story is its schema fields (from
``StorySummary.record_json``, which never holds ``secured``) plus ``pageUrl``,
its page on this site, and ``cluster``, the id of the event it reports.
``api/topics/index.json`` lists the topics.
"""

from __future__ import annotations

import json

from .feeds import absolute, absolute_path, dump_json, feed_paths
from .model import Article, Site
from .pages import API_FILE, Page, api_folder
from .schema_json import compact_json, compact_json_bytes
from .urls import join_url

PAGE_URL_KEY = "pageUrl"
"""The key added to each story: the URL of its page on this site."""
CLUSTER_KEY = "cluster"
"""The key added to each story: the stable id of the event it reports."""


def render_api_news(site: Site, page: Page) -> bytes:
    """One page of stories (as UTF-8: the records come so from the cache)."""
    pager = page.pager
    number = pager.number if pager else 1
    older = pager.older_number if pager else None
    # Stories are spliced in as JSON text (``api_story_json``): the same bytes as
    # ``dump_json`` of the parsed records, without parsing 10,000s of them again.
    records = site.record_jsons(page.articles)
    base = site.config.site_url
    stories = b",".join([api_story_json(site, base, article, record)
                         for article, record in zip(page.articles, records, strict=True)])
    next_page = json.dumps(older).encode()
    return b'{"page":%d,"value":[%b],"nextPage":%b}\n' % (number, stories, next_page)


def api_story_json(site: Site, base: str, article: Article, record: bytes) -> bytes:
    """A story as the API gives it, as compact JSON in UTF-8: its schema fields
    (``record``, as stored, in the same compact form as ``dump_json``), its page URL
    (under ``base``, the site's URL: ``absolute``) and its event. (A delete at 10,000
    stories renders 471 pages of the API again: 9,440 of these.)"""
    extra = b"%b%b,%b%b}" % (_PAGE_URL, compact_json_bytes(join_url(base, article.path)),
                             _CLUSTER, compact_json_bytes(article.cluster))
    if _SITE_IMAGE in record:  # (a file of this site: see _whole_image_urls)
        record = _whole_image_urls(site, record)
    return record[:-1] + (b"," if record != b"{}" else b"") + extra


_PAGE_URL = f'"{PAGE_URL_KEY}":'.encode()
_CLUSTER = f'"{CLUSTER_KEY}":'.encode()
_SITE_IMAGE = b'"url":"/'
"""How a record holds an image of this site (``site_images``): its URL a path under the
base URL's path. Nothing else does: other URLs are http(s), and a text's quotes are
escaped."""


def _whole_image_urls(site: Site, record: bytes) -> bytes:
    """A story's record with the URLs of its images of this site made whole (``base_url``
    and their path), as other readers of the API than its pages need them."""
    data = json.loads(record)
    for image in data.get("images", ()):
        if image["url"].startswith("/"):
            image["url"] = absolute_path(site, image["url"])
    return compact_json(data).encode()


def render_api_topics(site: Site, page: Page) -> bytes:
    """Every topic with its count and where its pages, API pages and feeds are."""
    topics = [
        {
            "name": topic.ref.name,
            "slug": topic.ref.slug,
            "description": topic.description,
            "count": len(topic.articles),
            "pageUrl": absolute(site, topic.ref.path),
            "apiUrl": absolute(site, api_folder(topic) + API_FILE),
            "feeds": {label: absolute(site, path)
                      for label, path in feed_paths(topic.ref.path).items()},
        }
        for topic in site.topics
    ]
    return dump_json({"page": 1, "value": topics, "nextPage": None}).encode()
