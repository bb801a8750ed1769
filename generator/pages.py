"""Stage 4a, plan pages: the ``Site`` -> the list of pages to render, with their data.

Each page is a small frozen record naming its template and URL path. Templates
see it as ``page``; everything they show is decided here, not in Jinja. Besides
the HTML pages (with, at ``page/1/`` of the home page (and of each topic numbered from
the newest, or of one page: see ``listing_redirects``) and at the folders the site's
addresses pass through that hold no page of their own, ``news/``, ``page/``, ``api/``...,
a redirect to the page a reader trimming the address expects: see ``folder_redirect``)
there are the machine-read outputs: feeds (Atom, RSS, JSON Feed) for the site and each
topic, the JSON API, the sitemap and robots.txt.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from functools import lru_cache
from itertools import chain, groupby
from operator import attrgetter
from typing import TypeVar
from zoneinfo import ZoneInfo

from .config import NEWEST_FIRST
from .frozen import frozen
from .i18n import capitalized
from .model import Article, Card, Site, Topic, article_path

T = TypeVar("T")


@frozen
class Pager:
    """Where a listing page sits among its siblings. Its first page (the newest stories)
    is at ``first_path``, any other at ``<first_path>page/<number>/``."""

    number: int
    """The page's number, from 1: the first page's with ``newest_first``, else the oldest
    page's (the first page, the newest stories, is then number ``count``)."""
    count: int
    """How many pages the listing has."""
    first_path: str
    """Path of the listing's first page."""
    newest_first: bool = True
    """How the pages are numbered (``SiteConfig.pagination``)."""

    @property
    def front(self) -> int:
        """The number of the listing's first page (the newest stories)."""
        return 1 if self.newest_first else self.count

    @property
    def is_front(self) -> bool:
        """Whether this is the listing's first page."""
        return self.number == self.front

    @property
    def shows_total(self) -> bool:
        """Whether its page shows the listing's totals (how many stories, how many pages):
        any page numbered from the newest, else the first page only (a page of older
        stories then keeps its bytes as stories are added)."""
        return self.newest_first or self.is_front

    @property
    def newer_number(self) -> int | None:
        """The number of the page of the next newer stories, if any."""
        number = self.number - 1 if self.newest_first else self.number + 1
        return number if 1 <= number <= self.count else None

    @property
    def older_number(self) -> int | None:
        """The number of the page of the next older stories, if any (the JSON API's
        ``nextPage``)."""
        number = self.number + 1 if self.newest_first else self.number - 1
        return number if 1 <= number <= self.count else None

    def path_of(self, number: int) -> str:
        """Site-relative path of page ``number``."""
        return self.first_path if number == self.front \
            else f"{further_pages(self.first_path)}{number}/"

    @property
    def previous_path(self) -> str | None:
        """Path of the previous page (newer stories), if any."""
        number = self.newer_number
        return None if number is None else self.path_of(number)

    @property
    def next_path(self) -> str | None:
        """Path of the next page (older stories), if any."""
        number = self.older_number
        return None if number is None else self.path_of(number)

    def shown(self, totals: bool) -> str:
        """What of the pager its page can show (for ``fingerprints``): its number, its
        neighbours and, with ``totals`` (see ``shows_total``), how many pages there are."""
        text = f"{self.number}/{self.previous_path}/{self.next_path}"
        return f"{text}/{self.count}" if totals else text


def paginate(items: Sequence[T], size: int, pagination: str) -> list[tuple[int, list[T]]]:
    """``items`` (newest first) cut into pages of ``size``: (number, items) of each page,
    the first page (the newest) first, then the older ones; one empty page for no items.

    ``NEWEST_FIRST`` numbers them from the newest: 1, 2... ``STABLE`` cuts the full pages
    from the oldest items, numbered from the oldest (1 holds the oldest ``size``), and
    leaves the first page the rest, ``size`` to ``2 * size - 1`` items (fewer only when
    there are fewer items): adding a newer item changes the first page alone (and every
    ``size``-th time adds a page of older ones), so the older pages keep their bytes (a
    cheap rebuild, rsync and CDN upload) and what a link to one of them shows."""
    count = len(items)
    if pagination == NEWEST_FIRST:
        return list(enumerate([list(items[i : i + size])
                               for i in range(0, count, size)] or [[]], start=1))
    older = max(0, count // size - 1)  # (full pages of older items)
    pages = [(older + 1, list(items[: count - older * size]))]
    pages += [(number, list(items[count - number * size : count - (number - 1) * size]))
              for number in range(older, 0, -1)]
    return pages


@frozen
class FeedLink:
    """A feed announced by a page (auto-discovery and a visible link)."""

    label: str
    """Short name of the format: "Atom", "RSS" or "JSON Feed"."""
    media_type: str
    """MIME type for ``<link rel="alternate" type=...>``."""
    path: str
    """Site-relative path of the feed file."""
    title: str
    """What the feed holds, e.g. "AI news"."""


@frozen
class ArchiveMonth:
    """A month of the archive, as its index lists it."""

    path: str
    """Site-relative path of the month's page (``archive/2020/06/``)."""
    year: int
    """The year."""
    name: str
    """The month's name in the site's language, capitalised ("June", "Juin")."""
    count: int
    """How many stories it holds."""

    @property
    def year_path(self) -> str:
        """Site-relative path of its year's page (``archive/2020/``)."""
        return archive_year_path(self.year)


ALIAS_KIND = "alias"
"""The kind of the pages at a story's old addresses, sending readers on to it (see
``aliases``)."""
NOT_INDEXED = frozenset({"404", "redirect", ALIAS_KIND})
"""Kinds of HTML pages left out of the sitemap (and marked noindex)."""
REDIRECT_TEMPLATE = "redirect.html"
"""The template of the pages that send readers on to another page (a listing's first
page, from its ``page/1/`` and ``page/`` folders; the archive, from ``news/``...)."""
SITEMAP_LIMIT = 50_000
"""Most URLs in one sitemap file (the sitemaps.org protocol's limit): a part of the
sitemap past it is cut into ``sitemap-<part>.xml``, ``sitemap-<part>.2.xml``..."""
SITEMAP_PAGES = "pages"
"""The part of the sitemap (``sitemap_part``) of the pages but the articles' and the
topics': the home page, the topics page and the archive."""
SITEMAP_KINDS = frozenset({"sitemap", "sitemap-index"})
"""Kinds of the sitemap's pages."""

API_FILE = "index.json"
"""The file name of each page of the JSON API, in its page's folder."""
API_FOLDER = "api/"
"""The JSON API's folder: its page sends readers to the topic list (``API_TOPICS``), which
gives each topic's API address."""
API_TOPICS = f"{API_FOLDER}topics/{API_FILE}"
"""The JSON API's list of topics."""

ARTICLE_TEMPLATE = "article.html"
"""The template of every article page."""

FEED_FORMATS = (("Atom", "application/atom+xml", "atom.xml"),
                ("RSS", "application/rss+xml", "rss.xml"),
                ("JSON Feed", "application/feed+json", "feed.json"))
"""(label, MIME type, file name and template) of each feed format."""


@frozen
class Page:
    """One output file to render: an HTML page, a feed, an API page, the sitemap..."""

    kind: str
    """"home", "topics", "topic", "article", "archive", "archive-year", "archive-month",
    "404", "redirect", "alias" (HTML); "feed", "api-news",
    "api-topics", "sitemap", "sitemap-index", "robots" (machine-read)."""
    path: str
    """Site-relative URL path (``news/x/``), or a file name (``404.html``, ``atom.xml``)."""
    template: str
    """Template file name; names in ``render.PYTHON_RENDERERS`` are made by Python."""
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
    feeds: tuple[FeedLink, ...] = ()
    """Feeds to announce on the page."""
    cards: tuple[Card, ...] = ()
    """Listing pages: one card per event (``articles`` holds their stories)."""
    links: tuple[tuple[str, float], ...] = ()
    """A sitemap: (path, newest story's timestamp or 0.0) of each indexed HTML page it
    lists; the sitemap index: (path, newest timestamp) of each sitemap file."""
    months: tuple[ArchiveMonth, ...] = ()
    """The archive's index: each month's page, newest first; a year's page: its months,
    newest first; a month's page: that month (for the link to its year)."""
    target: str = ""
    """A redirect or alias page: the site-relative path of the page it sends readers to
    (``""``: the home page)."""
    newest: float = 0.0
    """A page that stands for stories it does not list (a year of the archive: its
    months'): the time of the newest of them, its sitemap ``lastmod`` (0.0: none; a page
    that lists stories has theirs, ``articles``)."""

    @property
    def article(self) -> Article:
        """The article of an article page."""
        return self.articles[0]


def further_pages(first_path: str) -> str:
    """The folder of the pages after the first of a listing whose first page is at
    ``first_path`` (pages 2, 3... are at ``<that folder><n>/``)."""
    return f"{first_path}page/"


def plan_pages(site: Site, articles: Sequence[Page] | None = None) -> list[Page]:
    """Every output page of the site, in a stable order: HTML first, then the rest
    (``articles``: the article pages, if already made; see ``plan_html_pages``)."""
    html = plan_html_pages(site, articles)
    return html + plan_machine_pages(site, html)


def plan_listing_pages(site: Site) -> list[Page]:
    """``plan_pages`` without the article pages (the sitemap lists them all the same)."""
    html = plan_html_pages(site, ())
    return html + plan_machine_pages(site, html)


def plan_html_pages(site: Site, articles: Sequence[Page] | None = None,
                    planned: Mapping[str, list[Page]] | None = None,
                    archive: Sequence[Page] | None = None) -> list[Page]:
    """Every HTML page of the site but the redirects in the JSON API's folders (planned
    with the API's pages: ``plan_api_pages``), in a stable order (``articles``:
    ``article_page`` of each of the site's articles, in order, if already made;
    ``planned``: the pages of some topics, by name, if already planned; ``archive``:
    ``plan_archive_pages``'s, if already planned)."""
    text = site.config.translations.text
    pages = [home_page(site), *listing_redirects("", text("latest_news")), *_index_pages(site)]
    known = planned or {}
    for topic in site.topics:
        planned_pages = known.get(topic.ref.name) or plan_topic_pages(site, topic)
        pages.extend(planned_pages)
        pages.extend(topic_redirects(topic, planned_pages))
    pages.extend(plan_archive_pages(site) if archive is None else archive)
    pages.append(folder_redirect(NEWS_FOLDER, ARCHIVE_PATH, text("archive")))
    feeds = site_feeds(site)
    pages.extend(articles if articles is not None
                 else (article_page(article, feeds) for article in site.articles))
    return pages


def sitemap_sources(site: Site, topics: Iterable[Sequence[Page]],
                    archive: Sequence[Page]) -> list[Page]:
    """What ``plan_sitemap_pages`` needs to plan its first part and the parts of some
    topics: the home and topics pages, the pages of those ``topics``, the archive's."""
    return [home_page(site), *_index_pages(site), *chain.from_iterable(topics), *archive]


def _index_pages(site: Site) -> list[Page]:
    """The page of every topic, and the 404 page (which lists them too)."""
    text = site.config.translations.text
    return [Page("topics", "topics/", "topics.html", text("topics"),
                 description=text("topics_description", site=site.config.title),
                 feeds=site_feeds(site)),
            Page("404", "404.html", "404.html", text("page_not_found"))]


def counting_pages(site: Site) -> list[Page]:
    """The pages but the sitemap's that show how many stories each topic has: the home
    page, the topics page, the 404 page and the API's topic list."""
    return [home_page(site), *_index_pages(site), _api_topics_page(site)]


def _api_topics_page(site: Site) -> Page:
    return Page("api-topics", API_TOPICS, "api-topics.json",
                site.config.translations.text("topics"))


def home_page(site: Site) -> Page:
    """The home page: the newest events."""
    config = site.config
    home_cards = tuple(site.newest_cards(config.home_size))
    return Page("home", "", "home.html", config.translations.text("latest_news"),
                articles=tuple(a for card in home_cards for a in (card.lead, *card.others)),
                cards=home_cards, description=config.description, feeds=site_feeds(site))


def article_page(article: Article, feeds: tuple[FeedLink, ...]) -> Page:
    """The page of one article, announcing ``feeds`` (the site's: ``site_feeds``)."""
    return Page("article", article.path, ARTICLE_TEMPLATE, article.title,
                articles=(article,), description=article.excerpt, feeds=feeds)


def site_feeds(site: Site) -> tuple[FeedLink, ...]:
    """The site's feeds, as the pages that announce them link them."""
    return feed_links("", site.config.title)


def plan_topic_pages(site: Site, topic: Topic) -> list[Page]:
    """The paginated pages of one topic."""
    config = site.config
    chunks: list[tuple[int, list[Card]]] = paginate(site.cards(topic.articles),
                                                    config.page_size, config.pagination)
    in_topic = set(topic.articles)
    feeds = feed_links(topic.ref.path, f"{topic.ref.name} · {config.title}")
    text = config.translations.text
    description = topic_description(site, topic)
    pages = []
    newest_first = config.pagination == NEWEST_FIRST
    for number, chunk in chunks:
        pager = Pager(number, len(chunks), topic.ref.path, newest_first)
        title = topic.ref.name if pager.is_front \
            else text("page_title", title=topic.ref.name, number=number)
        listed = tuple(a for card in chunk for a in (card.lead, *card.others)
                       if a.slug in in_topic)
        pages.append(Page("topic", pager.path_of(number), "topic.html", title,
                          articles=listed, cards=tuple(chunk), topic=topic, pager=pager,
                          description=description, feeds=feeds))
    return pages


def topic_description(site: Site, topic: Topic) -> str:
    """What a topic's pages and feeds are about: its description in ``digest.yaml``, else
    "News about <topic>" in the site's language."""
    return topic.description or site.config.translations.text("topic_description",
                                                              topic=topic.ref.name)


def first_page_redirect(first_path: str, title: str) -> Page:
    """The page at ``page/1/`` of the listing whose first page is at ``first_path``
    (titled ``title``): a listing's page n is at ``page/<n>/`` but its first page is not,
    so this one sends readers and crawlers there (a refresh, a canonical link, noindex),
    as Hugo does for each paginated list; people type and link those addresses. The home
    page is one list, not paginated here, but a site moved from Hugo had its first page at
    ``/page/1/`` too. What it shows depends on its path and title only: an added story
    never changes it (``relisting`` leaves such pages as they are)."""
    return folder_redirect(f"{further_pages(first_path)}1/", first_path, title)


def listing_redirects(first_path: str, title: str, front: int = 1) -> list[Page]:
    """The redirects to the first page of the listing at ``first_path`` (titled
    ``title``), whose first page is number ``front`` (``Pager.front``): from the folder of
    its further pages, ``page/``, which a reader trimming ``page/2/`` from an address
    reaches, and from its ``page/1/`` (``first_page_redirect``) when page 1 is its first
    page, at its own path: always when its pages are numbered from the newest, while it
    has one page when from the oldest (``page/1/`` is then its page of oldest stories)."""
    folder = [folder_redirect(further_pages(first_path), first_path, title)]
    return [first_page_redirect(first_path, title), *folder] if front == 1 else folder


def topic_redirects(topic: Topic, pages: Sequence[Page]) -> list[Page]:
    """``listing_redirects`` of ``topic``, whose pages (``plan_topic_pages``: its first
    page first) are ``pages``."""
    pager = pages[0].pager if pages else None
    return listing_redirects(topic.ref.path, topic.ref.name,
                             pager.front if pager is not None else 1)


def folder_redirect(folder: str, target: str, title: str) -> Page:
    """The page at ``folder``, a folder of the site's addresses with no page of its own,
    sending readers on to ``target`` as the redirects at ``page/1/`` do: without it, a
    reader trimming an address to that folder (``news/`` from ``news/<story>/``, as Hugo
    sites list a section there) gets a 403 (nginx), a 404 (GitHub Pages) or a listing of
    its files (``python -m http.server``). Like ``page/1/``'s, it is in no sitemap."""
    return Page("redirect", folder, REDIRECT_TEMPLATE, title, target=target)


def plan_archive_pages(site: Site) -> list[Page]:
    """The archive: the index of the months (``archive/``), then, newest first, each
    year's page listing its months with their counts (``archive/2020/``), followed by a
    page for each of its months with every story of it, newest first
    (``archive/2020/06/``), in the site's time zone. Every story is on one HTML listing
    so, whatever its topics, and adding one changes only its month's page, its year's
    and the index (a newest-first list paged by 20 would move all its pages)."""
    zone = ZoneInfo(site.config.timezone)
    translations = site.config.translations
    feeds = site_feeds(site)
    articles = site.articles
    months: list[Page] = []
    listed: list[ArchiveMonth] = []
    start = 0
    while start < len(articles):  # (each month found by bisection: a few dozen steps)
        moment = datetime.fromtimestamp(articles[start].summary.timestamp, zone)
        first = datetime(moment.year, moment.month, 1, tzinfo=zone).timestamp()
        end = bisect_right(articles, -first, lo=start, key=_newest_first)
        month = ArchiveMonth(archive_month_path(moment), moment.year,
                             translations.month_name(moment.month), end - start)
        label = translations.month_label(moment.year, moment.month)  # ("mai 2024")
        months.append(Page("archive-month", month.path, "archive-month.html",
                           capitalized(label), articles=tuple(articles[start:end]),
                           description=translations.text("archive_month_description",
                                                         month=label), feeds=feeds,
                           months=(month,)))
        listed.append(month)
        start = end
    index = Page("archive", ARCHIVE_PATH, "archive.html", translations.text("archive"),
                 description=translations.text("archive_description", site=site.config.title),
                 feeds=feeds, months=tuple(listed))
    pages = [index]
    for year, of_year in groupby(zip(listed, months, strict=True), key=_year_of):
        pairs = list(of_year)
        pages.append(Page("archive-year", archive_year_path(year), "archive-year.html",
                          str(year), description=translations.text(
                              "archive_year_description", year=year),
                          feeds=feeds, months=tuple(month for month, _page in pairs),
                          newest=pairs[0][1].articles[0].summary.timestamp))
        pages += (page for _month, page in pairs)
    return pages


def _year_of(pair: tuple[ArchiveMonth, Page]) -> int:
    return pair[0].year


def archive_month_path(moment: datetime) -> str:
    """The path of the archive's page for the month of ``moment`` (in the site's zone)."""
    return f"{archive_year_path(moment.year)}{moment.month:02d}/"


def archive_year_path(year: int) -> str:
    """The path of the archive's page for ``year``: its months, with their counts."""
    return f"{ARCHIVE_PATH}{year}/"


ARCHIVE_PATH = "archive/"
"""Where the archive's index is; its years, and their months, are below."""
NEWS_FOLDER = article_path("x").removesuffix("x/")
"""The folder of the articles' pages (``news/``): its own page sends readers to the
archive, the listing of every story (see ``folder_redirect``)."""


def _newest_first(article: Article) -> float:
    """The key the articles are sorted by, as ``bisect`` takes it (newest first)."""
    return -article.summary.timestamp


@lru_cache(maxsize=1024)
def feed_links(folder: str, title: str) -> tuple[FeedLink, ...]:
    """The feeds kept in ``folder`` (``""`` for the site's, ``topics/<slug>/``): made
    once, one tuple shared by every page that announces them (every article's page)."""
    return tuple(FeedLink(label, media_type, folder + name, title)
                 for label, media_type, name in FEED_FORMATS)


def plan_machine_pages(site: Site, html: Sequence[Page]) -> list[Page]:
    """Feeds, the JSON API, the sitemap (of the ``html`` pages: ``plan_sitemap_pages``)
    and robots.txt."""
    pages = plan_feed_pages(site, None, site.articles[: site.config.feed_size])
    for topic in site.topics:
        pages += topic_feed_pages(site, topic)
    pages += plan_api_pages(site, None, site.articles)
    for topic in site.topics:
        pages += topic_api_pages(site, topic)
    topics = site.config.translations.text("topics")
    pages += [
        _api_topics_page(site),
        folder_redirect(API_FOLDER, API_TOPICS, topics),
        folder_redirect(API_TOPICS.removesuffix(API_FILE), API_TOPICS, topics),
        *plan_sitemap_pages(site, html),
        Page("robots", "robots.txt", "robots.txt", "robots.txt"),
    ]
    return pages


_SLUG = attrgetter("slug")


def plan_listing_pages_of(site: Site, slugs: AbstractSet[str], topics: AbstractSet[str],
                          planned: Mapping[str, list[Page]], months: Sequence[Page], *,
                          whole_site: bool = True) -> list[Page]:
    """The home page and the pages of ``plan_listing_pages`` that list any of the articles
    ``slugs`` (whose topics are among ``topics``), planned without the others: the feeds
    and the API pages of the site (unless not ``whole_site``: the caller has them all)
    and of those topics, those topics' pages (given in ``planned`` by topic name where
    already planned) and the archive's months (``months``: ``plan_archive_pages``'s).
    See ``relisting``."""
    pages = [*plan_feed_pages(site, None, site.articles[: site.config.feed_size]),
             *plan_api_pages(site, None, site.articles)] if whole_site else []
    pages += (page for page in months if page.kind == "archive-month")
    for topic in site.topics:
        if topic.ref.name in topics:
            pages += planned.get(topic.ref.name) or plan_topic_pages(site, topic)
            pages += topic_feed_pages(site, topic)
            pages += topic_api_pages(site, topic)
    return [home_page(site),
            *(page for page in pages if not slugs.isdisjoint(map(_SLUG, page.articles)))]


def topic_feed_pages(site: Site, topic: Topic) -> list[Page]:
    """The feeds of one topic."""
    latest = tuple(site.article(slug) for slug in topic.articles[: site.config.feed_size])
    return plan_feed_pages(site, topic, latest)


def topic_api_pages(site: Site, topic: Topic) -> list[Page]:
    """The JSON API pages of one topic."""
    return plan_api_pages(site, topic, [site.article(slug) for slug in topic.articles])


def plan_sitemap_pages(site: Site, html: Sequence[Page],
                       parts: AbstractSet[str] | None = None) -> list[Page]:
    """The sitemap: ``sitemap.xml``, the index of its parts, then the files of the parts
    (``sitemap_files``).

    Its parts (``sitemap_part``) are the pages but the articles' and the topics' (the
    home page, the topics page, the archive), each topic's pages, and each month's
    articles, newest first. ``html`` holds the site's HTML pages (the articles' are left
    out: the archive's month pages, which ``html`` must hold, give them) and the pages of
    the topics whose parts are wanted (those not given are planned here). ``parts``: only
    the files of these parts, and the index, which is whole all the same: it dates each
    part by its newest story (the site's, the topic's, the month's: no page of a part is
    dated later). So an added story changes its month's part, its topics' and the first
    (at 10,000 stories about 300 URLs, 20 to 150 each and 42), not one file of 10,800."""
    pages_part: list[tuple[str, float]] = []
    by_topic: dict[str, list[Page]] = {}
    months: list[Page] = []
    for page in html:
        if page.kind in NOT_INDEXED or page.kind == "article":
            continue
        if page.kind == "topic" and page.topic is not None:
            by_topic.setdefault(page.topic.ref.name, []).append(page)
            continue
        if page.kind == "archive-month":
            months.append(page)
        pages_part.append((page.path, page_newest(page)))
    index: list[tuple[str, float]] = []
    files: list[Page] = []

    def add(name: str, stamp: float, links: Sequence[tuple[str, float]]) -> None:
        made = sitemap_files(name, tuple(links))
        index.extend((page.path, stamp) for page in made)
        if parts is None or name in parts:
            files.extend(made)

    add(SITEMAP_PAGES, site.articles[0].summary.timestamp if site.articles else 0.0,
        pages_part)
    for topic in site.topics:
        name, stamp = sitemap_topic(topic), site.by_slug[topic.articles[0]].summary.timestamp
        if parts is None or name in parts or len(topic.articles) > SITEMAP_LIMIT:  # (a
            # topic of more stories may have more pages than one file holds: counted)
            given = by_topic.get(topic.ref.name)
            add(name, stamp, [(page.path, page_newest(page)) for page in
                              (given if given is not None else plan_topic_pages(site, topic))])
        else:
            index.append((sitemap_file(name), stamp))
    for month in months:
        name, stamp = sitemap_part(month), month.articles[0].summary.timestamp
        if parts is None or name in parts:
            add(name, stamp, [(a.path, a.summary.timestamp) for a in month.articles])
        else:
            index.extend((sitemap_file(name, number), stamp) for number in
                         range(1, -(-len(month.articles) // SITEMAP_LIMIT) + 1))
    return [Page("sitemap-index", "sitemap.xml", "sitemap-index.xml", "Sitemap",
                 links=tuple(index)), *files]


def sitemap_files(part: str, links: tuple[tuple[str, float], ...]) -> list[Page]:
    """The files of one part of the sitemap: ``sitemap-<part>.xml``, then past
    ``SITEMAP_LIMIT`` URLs ``sitemap-<part>.2.xml``... (The files stay at the site's
    root: a sitemap may only list URLs at or below its own folder.)"""
    return [Page("sitemap", sitemap_file(part, number), "sitemap.xml", f"Sitemap {part}",
                 links=links[start : start + SITEMAP_LIMIT])
            for number, start in enumerate(range(0, max(len(links), 1), SITEMAP_LIMIT),
                                           start=1)]


def sitemap_file(part: str, number: int = 1) -> str:
    """The path of a file of a part of the sitemap (its ``number``-th, from 1)."""
    return f"sitemap-{part}.xml" if number == 1 else f"sitemap-{part}.{number}.xml"


def sitemap_part(page: Page) -> str:
    """The part of the sitemap that lists an HTML page: ``topic-<slug>`` for a topic's
    pages, ``news-<year>-<month>`` for an article and its month's archive page (articles
    by the archive's month, in the site's time zone), ``pages`` for the others."""
    if page.kind == "topic" and page.topic is not None:
        return sitemap_topic(page.topic)
    if page.kind == "archive-month" and page.months:
        return sitemap_month(page.months[0].path)
    return SITEMAP_PAGES


def sitemap_month(path: str) -> str:
    """The part of the sitemap that lists the articles of the archive's month at ``path``
    (``archive/2024/05/``: ``news-2024-05``)."""
    return "news-" + path.removeprefix(ARCHIVE_PATH).strip("/").replace("/", "-")


def sitemap_topic(topic: Topic) -> str:
    """The part of the sitemap that lists a topic's pages."""
    return f"topic-{topic.ref.slug}"


def page_newest(page: Page) -> float:
    """The time of the newest story of an HTML page, its sitemap ``lastmod`` (0.0: none)."""
    return page.newest or max((a.summary.timestamp for a in page.articles), default=0.0)


def is_html(page: Page) -> bool:
    """Whether the page is an HTML page (the rest are feeds, API pages, sitemap, robots)."""
    return page.template.endswith(".html")


def plan_feed_pages(site: Site, topic: Topic | None, latest: Sequence[Article]) -> list[Page]:
    """The three feeds (one per format) of the site, or of a topic."""
    config = site.config
    folder = topic.ref.path if topic else ""
    title = f"{topic.ref.name} · {config.title}" if topic else config.title
    description = topic_description(site, topic) if topic else config.description
    return [Page("feed", folder + name, name, title, articles=tuple(latest), topic=topic,
                 description=description) for _label, _type, name in FEED_FORMATS]


def api_folder(topic: Topic | None) -> str:
    """Folder of the JSON API pages of a topic (or of every story, for None)."""
    return f"{API_FOLDER}news/{topic.ref.slug}/" if topic else f"{API_FOLDER}news/"


def plan_api_pages(site: Site, topic: Topic | None, articles: Sequence[Article]) -> list[Page]:
    """The JSON API pages listing ``articles`` (paginated like the HTML topic pages),
    then the redirect from its folder to the first of them, its ``index.json`` (see
    ``folder_redirect``). The folders of its further pages (``page/``, ``page/2/``...) get
    none: their addresses are their ``index.json``, and ``api/news/page/`` is also the
    API folder of a topic named "Page"."""
    config = site.config
    chunks = paginate(articles, config.page_size, config.pagination)
    title = topic.ref.name if topic else config.translations.text("latest_news")
    folder = api_folder(topic)
    pages = []
    for number, chunk in chunks:
        pager = Pager(number, len(chunks), folder, config.pagination == NEWEST_FIRST)
        pages.append(Page("api-news", pager.path_of(number) + API_FILE, "api-news.json",
                          title, articles=tuple(chunk), topic=topic, pager=pager))
    pages.append(folder_redirect(folder, folder + API_FILE, title))
    return pages
