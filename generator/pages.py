"""Stage 4a, plan pages: the ``Site`` -> the list of pages to render, with their data.

Each page is a small frozen record naming its template and URL path. Templates
see it as ``page``; everything they show is decided here, not in Jinja.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Article, Site, Topic


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a listing page sits among its siblings."""

    number: int
    """1-based page number."""
    count: int
    """How many pages the listing has."""
    first_path: str
    """Path of page 1; page n is ``<first_path>page/<n>/``."""

    def path_of(self, number: int) -> str:
        """Site-relative path of page ``number``."""
        return self.first_path if number == 1 else f"{self.first_path}page/{number}/"

    @property
    def previous_path(self) -> str | None:
        """Path of the previous page, if any."""
        return self.path_of(self.number - 1) if self.number > 1 else None

    @property
    def next_path(self) -> str | None:
        """Path of the next page, if any."""
        return self.path_of(self.number + 1) if self.number < self.count else None


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render."""

    kind: str
    """"home", "topics", "topic", "article" or "404"."""
    path: str
    """Site-relative URL path (``news/x/``), or a file name (``404.html``)."""
    template: str
    """Template file name."""
    title: str
    """Page title (without the site title)."""
    articles: tuple[Article, ...] = ()
    """Stories listed on the page (the article itself on an article page)."""
    topic: Topic | None = None
    """The topic of a topic page."""
    pager: Pager | None = None
    """Position among the pages of a paginated listing."""
    description: str = ""
    """Meta description."""

    @property
    def article(self) -> Article:
        """The article of an article page."""
        return self.articles[0]


def plan_pages(site: Site) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    config = site.config
    pages = [
        Page("home", "", "home.html", "Latest news",
             articles=site.articles[: config.home_size], description=config.description),
        Page("topics", "topics/", "topics.html", "Topics", description="All topics"),
        Page("404", "404.html", "404.html", "Page not found"),
    ]
    for topic in site.topics:
        pages.extend(plan_topic_pages(site, topic))
    pages.extend(
        Page("article", article.path, "article.html", article.title,
             articles=(article,), description=article.excerpt)
        for article in site.articles
    )
    return pages


def plan_topic_pages(site: Site, topic: Topic) -> list[Page]:
    """The paginated pages of one topic."""
    size = site.config.page_size
    articles = [site.article(slug) for slug in topic.articles]
    chunks: Sequence[list[Article]] = [articles[i : i + size]
                                       for i in range(0, len(articles), size)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        pager = Pager(number, len(chunks), topic.ref.path)
        title = topic.ref.name if number == 1 else f"{topic.ref.name} (page {number})"
        pages.append(Page("topic", pager.path_of(number), "topic.html", title,
                          articles=tuple(chunk), topic=topic, pager=pager,
                          description=topic.description or f"News about {topic.ref.name}"))
    return pages
