"""Stage 3, model: story summaries -> the ``Site`` (articles, topics, URLs, links).

Pure and deterministic: the same summaries and config always give the same site.
It works on summaries only, so an incremental build can model a large archive
without re-reading unchanged files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from . import kernels
from .bodies import match_body_titles
from .config import SiteConfig
from .diagnostics import DigestError
from .frozen import frozen
from .kernels import maker
from .record_store import RecordStore
from .records import Extra, Image, Provider, Story
from .scan import CACHE_DIR
from .shared_urls import distinct_coverage, find_same_urls
from .slugs import assign_topic_slugs, assign_unique, topic_key
from .summary import StorySummary, link_key
from .topic_spellings import TopicMerge, find_topic_merges

if TYPE_CHECKING:  # the clustering engine is imported when a site is modeled, not before
    from .clusters import Cluster
    from .events import Events, EventState


@frozen
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


@frozen
class Article:
    """A story placed in the site: what listings show and links point to."""

    summary: StorySummary
    """The story's summary."""
    slug: str
    """Unique URL segment: the article lives at ``news/<slug>/``."""
    topics: tuple[TopicRef, ...]
    """The story's topics, in its own order."""
    related_slugs: tuple[str | None, ...]
    """For each related[] entry, the slug of our article for it, if we have one
    (possibly this article itself: the sidebar leaves that out)."""
    body_file: StorySummary | None = None
    """The plain-text body file that became this article's body, if any."""
    cluster: str = ""
    """Id of the event this story reports."""
    coverage: tuple[str, ...] = ()
    """Slugs of the other stories of the same event, lead first."""
    computed_related: tuple[str, ...] = ()
    """Slugs of related stories from other events, best first."""

    @property
    def path(self) -> str:
        """Site-relative URL path."""
        return article_path(self.slug)

    @property
    def title(self) -> str:
        """Headline."""
        return self.summary.title

    @property
    def excerpt(self) -> str:
        """Excerpt: the story's own (or its own body's lead), else its plain-text body
        file's lead."""
        return self.summary.excerpt or (self.body_file.excerpt if self.body_file else "")

    @property
    def provider(self) -> str:
        """Provider name ('' if unknown)."""
        return self.summary.provider

    @property
    def published(self) -> datetime:
        """Publication time (UTC; templates format it in the site's timezone)."""
        return self.summary.published

    @property
    def card_image(self) -> Image | None:
        """The lead image, when it has a known size."""
        return self.summary.card_image

    @property
    def extra(self) -> Extra:
        """The story's own front-matter fields (``Story.extra``): ``article.extra.author``
        on a card."""
        return self.summary.extra


make_article = maker(Article)
"""``Article(*values)``: summary, slug, topics, related_slugs, body_file, cluster, coverage,
computed_related (see ``kernels.maker``)."""


@frozen
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
    image: Image | None = None
    """From the config's topic definitions."""


@frozen
class SidebarLink:
    """One entry of an article's sidebar."""

    title: str
    """Headline."""
    href: str
    """Our page (site-relative path) when ``internal``, else the source's URL."""
    internal: bool
    """True when the story is an article of this site."""
    provider: str
    """Who published it ('' if unknown)."""
    image: Image | None
    """Card image, when it has one with a known size."""
    kind: str = "related"
    """"coverage" (same event), "related" (from the data) or "computed"."""


@frozen
class Card:
    """One event on a listing page: its lead story and the other coverage of it."""

    lead: Article
    """The story shown (the event's lead among the stories the listing holds)."""
    others: tuple[Article, ...] = ()
    """The other stories reporting the same event ("also covered by")."""


_make_card = maker(Card)
"""``Card(*values)``, made faster (``kernels.maker``): planning the listing pages makes
17,000 at 10,000 stories."""


@frozen
class Site:
    """The whole site, ready to be laid out in pages."""

    config: SiteConfig
    """The site's configuration."""
    articles: tuple[Article, ...]
    """Every article, newest first."""
    topics: tuple[Topic, ...]
    """Every topic, in display order."""
    by_slug: dict[str, Article] = field(repr=False)
    """Articles by slug."""
    clusters: tuple[Cluster, ...] = ()
    """Every event, members lead first (no evidence: ``cluster_report`` lists it from the
    event state)."""
    members: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    """The stories of each event (by cluster id), lead first."""
    records: RecordStore | None = field(default=None, repr=False, compare=False)
    """Where the schema records of stories read by earlier builds are kept."""
    event_state: EventState | None = field(default=None, repr=False, compare=False)
    """What the next build needs to update the events incrementally."""
    same_url: dict[str, str] = field(default_factory=dict, repr=False)
    """The key of the ``webUrl`` of each story whose ``webUrl`` another story has too,
    by slug (``shared_urls.find_same_urls``; empty on most sites): an event's coverage
    names each address once."""
    topic_merges: tuple[TopicMerge, ...] = ()
    """The topics whose stories spell them differing by accents, which builds warn of
    (``topic_spellings``; none on most sites)."""

    def record_jsons(self, articles: Sequence[Article]) -> list[bytes]:
        """The stories' schema records as JSON (see ``schema_json``), in order, as UTF-8."""
        stored = self.records.get_many(
            (a.summary.source, a.summary.digest) for a in articles if not a.summary.record_json
        ) if self.records else {}
        found = []
        for article in articles:
            text = article.summary.record_json
            data = text.encode() if text else stored.get(article.summary.source)
            if data is None:
                raise DigestError(f"the cached record of {article.summary.source} is missing; "
                                  f"delete {CACHE_DIR}/ and build again")
            found.append(data)
        return found

    def article(self, slug: str) -> Article:
        """The article with this slug."""
        return self.by_slug[slug]

    def newest_cards(self, count: int) -> list[Card]:
        """``self.cards`` of every article, cut to the first ``count``, without going
        through the whole archive: as every story is listed, a card is its whole event."""
        cards: list[Card] = []
        seen: set[str] = set()
        for article in self.articles:
            if len(cards) == count:
                break
            if article.cluster in seen:
                continue
            seen.add(article.cluster)
            ranking = self.members.get(article.cluster, ())
            if len(ranking) < 2:
                cards.append(Card(article))
            else:
                lead = self.by_slug[ranking[0]]  # (its coverage: the event's others)
                cards.append(Card(lead, tuple(map(self.by_slug.__getitem__, lead.coverage))))
        return cards

    def cards(self, slugs: Sequence[str]) -> list[Card]:
        """One card per event for a newest-first list of stories, in the order of each
        event's newest story; the card leads with the event's lead among ``slugs`` and
        lists the event's other stories among ``slugs`` as its other coverage (each
        address once: see ``shared_urls.distinct_coverage``)."""
        ranked = self.members
        groups: dict[str, list[Article]] = {}  # in the order of each event's first story
        for article in map(self.by_slug.__getitem__, slugs):
            group = groups.get(article.cluster)
            if group is None:
                groups[article.cluster] = [article]
            else:
                group.append(article)
        cards = []
        for event, group in groups.items():
            ranking = ranked.get(event, ())
            if len(group) == 1 or len(ranking) < 2:  # most events are a single story
                cards.append(_make_card((group[0], ())))
                continue
            listed = {article.slug: article for article in group}
            lead = next(slug for slug in ranking if slug in listed)
            others: Sequence[str] = [slug for slug in ranking
                                     if slug != lead and slug in listed]
            if self.same_url:
                others = distinct_coverage(lead, others, self.same_url)
            cards.append(_make_card((listed[lead], tuple(map(listed.__getitem__, others)))))
        return cards


@frozen
class Placement:
    """The site's stories in place: plain-text bodies matched to their articles, unique
    slugs, newest first (what the events and the site model both start from)."""

    ordered: tuple[StorySummary, ...]
    """Every story (a body file that matched no article stands alone), newest first."""
    slugs: dict[str, str]
    """Each story's unique slug, by source path."""
    body_of: dict[str, StorySummary]
    """The body file each article took, by the article's source path."""

    def event_inputs(self) -> list[tuple[str, StorySummary]]:
        """``(slug, summary)`` of every story, newest first: what the events are made of."""
        slugs = self.slugs
        return [(slugs[s.source], s) for s in self.ordered]


def place_stories(summaries: Sequence[StorySummary]) -> Placement:
    """Match plain-text bodies to articles, give each story a unique slug and put them
    newest first."""
    stories = [s for s in summaries if not s.is_body_file]
    body_files = sorted((s for s in summaries if s.is_body_file), key=lambda s: s.source)
    matches = match_body_titles([s.title_key for s in stories], [b.title_key for b in body_files])
    bodies: dict[int, StorySummary] = {}
    for body, index in zip(body_files, matches, strict=True):
        if index is None:
            stories.append(body)  # a body that matches no article stands alone
        else:
            bodies[index] = body
    body_of = {stories[i].source: body for i, body in bodies.items()}
    slugs = assign_unique(stories, wanted=lambda s: s.wanted_slug, identity=lambda s: s.source,
                          rank=slug_rank)
    ordered = tuple(sorted(stories, key=lambda s: (-s.timestamp, slugs[s.source])))
    return Placement(ordered, slugs, body_of)


def slug_rank(story: StorySummary) -> tuple[float, str]:
    """Which of the stories that want one slug has it: the earliest, then by path (so a
    newer story never takes an older one's address)."""
    return (story.timestamp, story.source)


def article_path(slug: str) -> str:
    """Site-relative URL path of the article with this slug."""
    return f"news/{slug}/"


def build_site(config: SiteConfig, summaries: Sequence[StorySummary],
               records: RecordStore | None = None,
               previous_events: EventState | None = None, *,
               placed: Callable[[Placement], object] | None = None) -> Site:
    """Place stories in a site: bodies, slugs, newest-first order, topics, related links.
    ``placed`` is told where the stories go as soon as that is known, before their
    events are made (the longest part)."""
    from .events import update_events

    placement = place_stories(summaries)
    if placed is not None:
        placed(placement)
    laid = lay_out(config, placement)  # (what needs no events: a build whose events a
    # child makes does this while it waits, see ``build._model``)
    return evented_site(config, laid, records, *update_events(
        previous_events, placement.event_inputs(), threshold=config.cluster_threshold,
        related_count=config.related_count))


@frozen
class Unevented:
    """A site of placed stories before its events: each article's fields but those of
    its event (its head), and the topics."""

    heads: list[Head]
    """Each article's head, newest first."""
    topics: tuple[Topic, ...]
    """Every topic, in display order."""
    same_url: dict[str, str]
    """The stories whose ``webUrl`` another story has too (``Site.same_url``)."""
    topic_merges: tuple[TopicMerge, ...] = ()
    """The topics whose stories spell them with other accents (``Site.topic_merges``)."""


def lay_out(config: SiteConfig, placement: Placement) -> Unevented:
    """What the site of ``placement`` is before its events."""
    ordered, slugs, body_of = placement.ordered, placement.slugs, placement.body_of
    refs, merges = _topic_refs(config, ordered)
    by_url, by_title = _related_keys(ordered, slugs, link_key)
    heads = make_heads(ordered, slugs, refs, by_url, by_title, body_of)
    return Unevented(heads, _topics(config, heads, refs), find_same_urls(ordered, slugs),
                     merges)


def evented_site(config: SiteConfig, laid: Unevented, records: RecordStore | None,
                 events: Events, event_state: EventState | None) -> Site:
    """The site ``laid`` out, with its ``events`` (and the ``event_state`` to keep)."""
    articles = make_articles(laid.heads, events.cluster_of, events.related)
    if laid.same_url:
        articles = _distinct_coverage(articles, events, laid.same_url)
    return Site(config=config, articles=articles, topics=laid.topics,
                by_slug={a.slug: a for a in articles}, clusters=events.clusters,
                members={c.id: c.members for c in events.clusters}, records=records,
                event_state=event_state, same_url=laid.same_url,
                topic_merges=laid.topic_merges)


def _distinct_coverage(articles: tuple[Article, ...], events: Events,
                       same_url: Mapping[str, str]) -> tuple[Article, ...]:
    """``articles`` with the coverage of each story of an event that holds stories of
    one ``webUrl`` (``same_url``) naming each address once."""
    shared = {cluster.id for slug in same_url if (cluster := events.cluster_of.get(slug))}
    return tuple(replace(article, coverage=distinct_coverage(article.slug, article.coverage,
                                                             same_url))
                 if article.cluster in shared else article for article in articles)


Head = tuple[StorySummary, str, tuple[TopicRef, ...], tuple[str | None, ...],
             StorySummary | None]
"""An article's fields but those of its event: summary, slug, topics, related_slugs,
body_file."""


def heads_python(stories: Sequence[StorySummary], slugs: Mapping[str, str],
                 refs: Mapping[str, TopicRef], by_url: Mapping[str, str],
                 by_title: Mapping[str, str], body_of: Mapping[str, StorySummary],
                 ) -> list[Head]:
    """Each story's head: its slug, its topics' refs, the slugs its related[] entries
    resolve to (``by_url``, ``by_title``: see :func:`_related_keys`), its body file."""
    find = partial(_find_related, by_url, by_title)
    return [(story, slugs[story.source], tuple(map(refs.__getitem__, story.topics)),
             tuple(map(find, story.related_keys)), body_of.get(story.source))
            for story in stories]


def articles_python(heads: Sequence[Head], cluster_of: Mapping[str, Cluster],
                    related: Mapping[str, tuple[str, ...]]) -> tuple[Article, ...]:
    """The articles of ``heads``, given the events' ``cluster_of`` and ``related``."""
    return tuple(make_article(head + _event_fields(cluster_of, related, head[1]))
                 for head in heads)


make_heads: Callable[[Sequence[StorySummary], Mapping[str, str], Mapping[str, TopicRef],
                      Mapping[str, str], Mapping[str, str], Mapping[str, StorySummary]],
                     list[Head]] = kernels.heads or heads_python
""":func:`heads_python`, compiled where it is built (``generator.kernels``): 10,000 heads
in 12 ms instead of 25 (warm; 9-18 ms in a build's timeline, against about 30)."""
_ARTICLE_PLAN = kernels.plan_of(Article)
make_articles: Callable[[Sequence[Head], Mapping[str, Cluster],
                         Mapping[str, tuple[str, ...]]], tuple[Article, ...]] = (
    articles_python if kernels.articles is None or _ARTICLE_PLAN is None
    else partial(kernels.articles, _ARTICLE_PLAN))
""":func:`articles_python`, compiled where it is built: 10,000 articles in 2.5 ms instead
of 4.6 (warm; 5-8 ms in a build's timeline, against 13)."""


def event_fields(events: Events, slug: str, same_url: Mapping[str, str]
                 ) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """An article's ``cluster``, ``coverage`` and ``computed_related`` from the events
    (its coverage naming each address once: ``same_url``, see ``Site.same_url``)."""
    cluster, coverage, related = _event_fields(events.cluster_of, events.related, slug)
    return cluster, distinct_coverage(slug, coverage, same_url) if same_url else coverage, \
        related


def _event_fields(cluster_of: Mapping[str, Cluster], related: Mapping[str, tuple[str, ...]],
                  slug: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    cluster = cluster_of.get(slug)
    if cluster is None:
        return slug, (), related.get(slug, ())
    members = cluster.members
    return (cluster.id,
            members[1:] if members[0] == slug else tuple(m for m in members if m != slug),
            related.get(slug, ()))


def _topic_refs(config: SiteConfig, stories: Sequence[StorySummary]
                ) -> tuple[dict[str, TopicRef], tuple[TopicMerge, ...]]:
    """The topic of each name the stories give: names that differ only in case, spacing
    or accents are one topic (``topic_key``), named as the config defines it, else as
    most of its stories spell it (of equally many, the first in code point order); and
    the topics whose names differ by accents (``topic_spellings``)."""
    counts: dict[str, int] = {}
    for story in stories:
        for name in story.topics:
            counts[name] = counts.get(name, 0) + 1
    spellings: dict[str, list[str]] = {}
    for name in sorted(counts):
        spellings.setdefault(topic_key(name), []).append(name)
    named: dict[str, str] = {}  # each key's name
    sizes: dict[str, int] = {}  # each key's count of stories
    for key, names in spellings.items():
        definition = config.topic_definition(key)
        named[key] = definition.name if definition else min(names, key=lambda n: -counts[n])
        sizes[key] = sum(map(counts.__getitem__, names))
    slugs = assign_topic_slugs(named, sizes)
    merges = find_topic_merges(spellings, named, {name: TopicRef(name, slug).path
                                                  for name, slug in slugs.items()}, stories)
    return {name: TopicRef(named[key], slugs[named[key]])
            for key, names in spellings.items() for name in names}, merges


def _topics(config: SiteConfig, heads: Sequence[Head],
            refs: dict[str, TopicRef]) -> tuple[Topic, ...]:
    members: dict[str, list[str]] = {ref.name: [] for ref in refs.values()}
    for _story, slug, topic_refs, _related, _body in heads:
        for ref in topic_refs:
            members[ref.name].append(slug)
    topics = []
    for ref in dict.fromkeys(refs.values()):
        name = ref.name
        definition = config.topic_definition(name)
        topics.append(Topic(
            ref=ref, articles=tuple(members[name]),
            description=definition.description if definition else "",
            keywords=definition.keywords if definition else (),
            image=definition.image if definition else None,
        ))

    return tuple(sorted(topics, key=lambda t: topic_order(config, t.ref, len(t.articles))))


def topic_order(config: SiteConfig, ref: TopicRef, count: int) -> tuple[int, int, str]:
    """Where a topic with ``count`` stories comes among the topics: by the order the
    config gives it, then most stories first, then by slug."""
    definition = config.topic_definition(ref.name)
    position = definition.order if definition and definition.order is not None else 10**9
    return position, -count, ref.slug


def related_keys_python(stories: Sequence[StorySummary], slugs: Mapping[str, str],
                        link: Callable[[str], str]) -> tuple[dict[str, str], dict[str, str]]:
    """What resolves a related[] entry (canonical URL key, title key) to one of our
    slugs: the slug of each story by its URL keys, and by its title's key (the first
    story, newest first, that has the key; ``link``: ``link_key``, for a summary made
    without its ``title_link``)."""
    by_url: dict[str, str] = {}
    by_title: dict[str, str] = {}
    for story in stories:
        slug = slugs[story.source]
        for key in story.url_keys:
            by_url.setdefault(key, slug)
        by_title.setdefault(story.title_link or link(story.title_key), slug)
    return by_url, by_title


_related_keys: Callable[[Sequence[StorySummary], Mapping[str, str], Callable[[str], str]],
                        tuple[dict[str, str], dict[str, str]]] = \
    kernels.related_keys or related_keys_python
""":func:`related_keys_python`, compiled where it is built (``generator.kernels``)."""


def _find_related(by_url: Mapping[str, str], by_title: Mapping[str, str],
                  key: tuple[str, str]) -> str | None:
    """Our slug for a related[] entry's (URL key, title key), or None (see
    :func:`_related_keys`)."""
    url_key, title_key = key
    slug = by_url.get(url_key) if url_key else None
    return slug if slug is not None else by_title.get(title_key)


@frozen
class Sidebar:
    """The sidebar of an article page."""

    coverage: tuple[SidebarLink, ...]
    """Other stories reporting the same event, lead first."""
    related: tuple[SidebarLink, ...]
    """Related stories: the story's related[] (our page when we have the story), then
    computed ones from other events, up to the site's ``related_count``."""


def sidebar_links(site: Site, article: Article, story: Story) -> Sidebar:
    """The sidebar of an article page: other coverage of its event, its related[]
    stories (linked to our page when we have the story), then computed related ones."""
    links: list[SidebarLink] = []
    seen: set[str] = {article.slug}
    for slug in article.coverage:
        if slug not in seen:
            seen.add(slug)
            links.append(_internal_link(site.article(slug), "coverage"))
    keys = article.summary.related_keys  # computed when the file was read, aligned with related
    for related, ours, (url_key, title_key) in zip(story.related, article.related_slugs, keys,
                                                   strict=False):
        key = ours if ours is not None else (url_key or title_key)
        if key in seen:
            continue
        seen.add(key)
        image = related.image if related.image and related.image.width and related.image.height \
            else None
        provider = related.provider.name if isinstance(related.provider, Provider) else ""
        if ours is not None:
            links.append(SidebarLink(related.title, article_path(ours), True, provider, image))
        elif related.url:
            links.append(SidebarLink(related.title, related.url, False, provider, image))
    room = site.config.related_count - sum(1 for link in links if link.kind == "related")
    for slug in article.computed_related:
        if room <= 0:
            break
        if slug not in seen:
            room -= 1
            seen.add(slug)
            links.append(_internal_link(site.article(slug), "computed"))
    return Sidebar(coverage=tuple(link for link in links if link.kind == "coverage"),
                   related=tuple(link for link in links if link.kind != "coverage"))


def _internal_link(article: Article, kind: str) -> SidebarLink:
    return SidebarLink(article.title, article.path, True, article.provider, article.card_image,
                       kind)
