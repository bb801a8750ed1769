"""Stage 3, model: validated stories -> the ``Site`` (topics, articles, URLs, related).

Pure and deterministic: the same stories and config always give the same site.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from .bodies import normalize_title
from .config import SiteConfig
from .records import Image, Provider, RelatedStory, Story
from .slugs import assign_unique, story_slug, topic_slug


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A link to a topic."""

    name: str
    """Display name."""
    slug: str
    """URL segment: the topic lives at ``topics/<slug>/``."""

    @property
    def path(self) -> str:
        """Site-relative URL path of the topic's first page."""
        return f"topics/{self.slug}/"


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """One entry of an article's related-story sidebar."""

    title: str
    """Headline."""
    href: str
    """Our page (site-relative path) when ``internal``, else the source's URL."""
    internal: bool
    """True when the story is an article of this site."""
    provider: Provider | None
    """Who published it."""
    image: Image | None
    """Card image, when it has one with known size."""
    excerpt: str = ""
    """Short text."""
    kind: str = "related"
    """"coverage" (same event, other source), "related" (from data) or "computed"."""


@dataclass(frozen=True, slots=True)
class Article:
    """A story placed in the site."""

    story: Story
    """The validated story."""
    slug: str
    """Unique URL segment: the article lives at ``news/<slug>/``."""
    topics: tuple[TopicRef, ...]
    """The story's topics, in its own order."""
    related: tuple[RelatedLink, ...]
    """Sidebar entries, in order."""
    cluster: str
    """Id of the event this story reports (its own slug when it stands alone)."""

    @property
    def path(self) -> str:
        """Site-relative URL path."""
        return f"news/{self.slug}/"

    @property
    def card_image(self) -> Image | None:
        """The lead image when it can be shown as a card (known width and height)."""
        image = self.story.lead_image
        return image if image and image.width and image.height else None


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic with its stories."""

    ref: TopicRef
    """Name and slug."""
    articles: tuple[str, ...]
    """Slugs of its articles, newest first."""
    description: str = ""
    """From the config's topic definitions."""
    keywords: tuple[str, ...] = ()
    """From the config's topic definitions."""
    image: str = ""
    """From the config's topic definitions."""


@dataclass(frozen=True, slots=True)
class Site:
    """The whole site, ready to be laid out in pages."""

    config: SiteConfig
    """The site's configuration."""
    articles: tuple[Article, ...]
    """Every article, newest first."""
    topics: tuple[Topic, ...]
    """Every topic, in display order."""
    by_slug: dict[str, Article]
    """Articles by slug."""

    def article(self, slug: str) -> Article:
        """The article with this slug."""
        return self.by_slug[slug]


def build_site(config: SiteConfig, stories: Sequence[Story]) -> Site:
    """Place stories in a site: slugs, topics, newest-first order and related links."""
    zone = ZoneInfo(config.timezone)
    slugs = assign_unique(
        stories,
        wanted=lambda s: story_slug(s.stem, s.title, s.published.astimezone(zone).strftime("%Y-%m-%d")),
        identity=lambda s: s.source,
        rank=lambda s: (s.published, s.source),
    )
    ordered = sorted(stories, key=lambda s: (-s.published.timestamp(), slugs[s.source]))
    topic_refs = _topic_refs(ordered)
    index = _StoryIndex(ordered, slugs)
    articles = tuple(
        Article(
            story=story,
            slug=slugs[story.source],
            topics=tuple(topic_refs[name] for name in story.topics),
            related=_related_links(story, slugs[story.source], index),
            cluster=slugs[story.source],
        )
        for story in ordered
    )
    topics = _topics(config, articles, topic_refs)
    return Site(config=config, articles=articles, topics=topics,
                by_slug={a.slug: a for a in articles})


def _topic_refs(stories: Sequence[Story]) -> dict[str, TopicRef]:
    names = sorted({name for story in stories for name in story.topics})
    counts: dict[str, int] = {}
    for story in stories:
        for name in story.topics:
            counts[name] = counts.get(name, 0) + 1
    slugs = assign_unique(names, wanted=topic_slug, identity=lambda n: n,
                          rank=lambda n: (-counts[n], n))
    return {name: TopicRef(name, slugs[name]) for name in names}


def _topics(config: SiteConfig, articles: Sequence[Article],
            refs: dict[str, TopicRef]) -> tuple[Topic, ...]:
    members: dict[str, list[str]] = {name: [] for name in refs}
    for article in articles:
        for ref in article.topics:
            members[ref.name].append(article.slug)
    topics = []
    for name, ref in refs.items():
        definition = config.topic_definition(name)
        topics.append(Topic(
            ref=ref, articles=tuple(members[name]),
            description=definition.description if definition else "",
            keywords=definition.keywords if definition else (),
            image=definition.image if definition else "",
        ))

    def order(topic: Topic) -> tuple[int, int, str]:
        definition = config.topic_definition(topic.ref.name)
        position = definition.order if definition and definition.order is not None else 10**9
        return (position, -len(topic.articles), topic.ref.slug)

    return tuple(sorted(topics, key=order))


def canonical_url(url: str) -> str:
    """A URL reduced for matching: no scheme, ``www.``, fragment, tracking query or slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    query = "&".join(sorted(p for p in parts.query.split("&")
                            if p and not re.match(r"(utm_|fbclid|gclid|mc_|ref=|amp\b)", p)))
    return urlunsplit(("", host, parts.path.rstrip("/"), query, ""))


class _StoryIndex:
    """Finds the article a related[] entry refers to, by URL or by title."""

    def __init__(self, stories: Sequence[Story], slugs: dict[str, str]) -> None:
        self.by_url: dict[str, str] = {}
        self.by_title: dict[str, str] = {}
        for story in stories:
            slug = slugs[story.source]
            for url in (story.url, story.original_url):
                if url:
                    self.by_url.setdefault(canonical_url(url), slug)
            self.by_title.setdefault(normalize_title(story.title), slug)

    def find(self, related: RelatedStory) -> str | None:
        if related.url:
            slug = self.by_url.get(canonical_url(related.url))
            if slug is not None:
                return slug
        return self.by_title.get(normalize_title(related.title))


def _related_links(story: Story, own_slug: str, index: _StoryIndex) -> tuple[RelatedLink, ...]:
    links: list[RelatedLink] = []
    seen: set[str] = {own_slug}
    for related in story.related:
        slug = index.find(related)
        key = slug or canonical_url(related.url) or normalize_title(related.title)
        if key in seen:
            continue
        seen.add(key)
        image = related.image if related.image and related.image.width and related.image.height \
            else None
        if slug is not None:
            links.append(RelatedLink(related.title, f"news/{slug}/", True, related.provider,
                                     image, related.excerpt))
        elif related.url:
            links.append(RelatedLink(related.title, related.url, False, related.provider, image,
                                     related.excerpt))
    return tuple(links)
