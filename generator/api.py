"""The JSON API: the digest as JSON, the way the schema's original sites served it.

``api/news/index.json`` (every story) and ``api/news/<topic>/index.json`` (one
topic), with further pages at ``.../page/<n>/index.json``; each page is
``{"page": n, "value": [stories], "nextPage": n + 1 or null}``, newest first,
with as many stories as an HTML topic page. A story is its schema fields (from
``StorySummary.record_json``, which never holds ``secured``) plus ``pageUrl``,
its page on this site, and ``cluster``, the id of the event it reports.
``api/topics/index.json`` lists the topics.
"""

from __future__ import annotations

import json
from typing import Any

from .feeds import absolute, dump_json, feed_paths
from .model import Article, Site
from .pages import Page, api_folder

PAGE_URL_KEY = "pageUrl"
"""The key added to each story: the URL of its page on this site."""
CLUSTER_KEY = "cluster"
"""The key added to each story: the stable id of the event it reports."""


def render_api_news(site: Site, page: Page) -> str:
    """One page of stories."""
    pager = page.pager
    number = pager.number if pager else 1
    has_next = pager is not None and pager.next_path is not None
    document = {
        "page": number,
        "value": [api_story(site, article) for article in page.articles],
        "nextPage": number + 1 if has_next else None,
    }
    return dump_json(document)


def api_story(site: Site, article: Article) -> dict[str, Any]:
    """A story as the API gives it: its schema fields and its page URL."""
    record: dict[str, Any] = json.loads(site.record_json(article))
    record[PAGE_URL_KEY] = absolute(site, article.path)
    record[CLUSTER_KEY] = article.cluster
    return record


def render_api_topics(site: Site, page: Page) -> str:
    """Every topic with its count and where its pages, API pages and feeds are."""
    topics = [
        {
            "name": topic.ref.name,
            "slug": topic.ref.slug,
            "description": topic.description,
            "count": len(topic.articles),
            "pageUrl": absolute(site, topic.ref.path),
            "apiUrl": absolute(site, api_folder(topic) + "index.json"),
            "feeds": {label: absolute(site, path)
                      for label, path in feed_paths(topic.ref.path).items()},
        }
        for topic in site.topics
    ]
    return dump_json({"page": 1, "value": topics, "nextPage": None})
