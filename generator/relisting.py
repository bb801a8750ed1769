"""Which listing pages a fresh build after an edit (or an added or deleted story) must
fingerprint again.

A build that read a few files fingerprints every page to find the ones to render: at
10,000 stories, planning and fingerprinting the 2,182 listing pages (topic pages, feeds,
the JSON API, the home page...) took 0.1 s of a 0.5 s build after one edit, for the two
to ten of them that changed. A listing page's fingerprint (``fingerprints._PageTexts``)
is made of what the page is laid out from (its path, pager, topic, the stories it lists,
the topic counts...) and of the cards of the stories it lists. So:

- the *layout* is recorded with each build (``Manifest.layout``: every article's slug
  and time in order, every topic's name, slug, description and stories; and
  ``Manifest.topic_layouts``: each topic's pages with the stories each lists);
- when a build's layout is the last build's, with the same settings and templates, the
  only listing pages whose fingerprints can differ are the home page (its cards are the
  newest events) and those listing a story whose card can differ: a story read again,
  one of an event that a story read again belongs to, or one of an event that is not
  the last build's (``Manifest.events``);
- a topic holding a story of such a changed event may group its stories into other
  cards, so its pages are planned again and their layout compared with the one recorded;
  where it differs, the cards moved across that topic's pages: all of them are
  fingerprinted again (the pages past its new last one are dropped), and so is the
  sitemap, which lists each page with the time of its newest story. (Until 2026-11-24
  any difference made the build fingerprint every page: in 3 of 11 edits sampled at
  10,000 stories, planning and fingerprinting them all took 60-70 ms of the build.)

- when stories came or went and the layout is otherwise the last build's
  (``stories_moved`` puts the last one together from this one and compares the hashes),
  the list of every story moved (the site's feeds and API pages) and so did the lists of
  their topics, which are laid out anew as above; the pages counting each topic's stories
  and the sitemap are fingerprinted again, and the pages of the stories that went, and the
  API pages past each moved list's new last one, are dropped. (Until 2026-11-24 any such
  build fingerprinted every page, and a child every article: after one added story at
  10,000 stories, 0.62 instead of 0.71 s in an alternated run.)
- of a list laid out anew whose pages are numbered from the oldest (``config.STABLE``),
  the older pages that hold what they held, between the same neighbours, keep their
  fingerprints (``_unsettled``): after one added story at 10,000 stories, 37 pages are
  fingerprinted instead of 886.

Every other listing page keeps the fingerprint of the last build: its bytes would be the
same (tests/test_relisting.py compares such builds with clean ones).

The article pages likewise (:func:`rearticled`), when the events child says whose
computed related stories changed and no plain-text body file is involved: then the
build fingerprints the few that can differ itself, instead of having a child
fingerprint all 10,000 (60-69 ms, which the build waited ~25 ms for).
"""

from __future__ import annotations

import hashlib
import marshal
from array import array
from bisect import insort
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import datetime
from itertools import chain
from operator import attrgetter, itemgetter
from zoneinfo import ZoneInfo

from . import kernels
from .events import regrouped_stories
from .frozen import frozen
from .model import Article, Site, Topic, Unevented, article_path, topic_order
from .pages import (
    API_FILE,
    SITEMAP_PAGES,
    Page,
    api_folder,
    archive_month_path,
    archive_year_path,
    counting_pages,
    further_pages,
    plan_api_pages,
    plan_archive_pages,
    plan_feed_pages,
    plan_listing_pages_of,
    plan_sitemap_pages,
    plan_topic_pages,
    sitemap_file,
    sitemap_month,
    sitemap_sources,
    sitemap_topic,
    topic_api_pages,
    topic_feed_pages,
    topic_redirects,
)
from .slugs import topic_key
from .summary import StorySummary, title_link_of
from .urls import page_path

_SUMMARY, _SLUG = attrgetter("summary"), attrgetter("slug")
_HEAD_SUMMARY, _HEAD_SLUG = itemgetter(0), itemgetter(1)
_SOURCE = attrgetter("source")
_TIMESTAMP = attrgetter("timestamp")
_SEP = "\x1f"

EventMembers = tuple[tuple[str, tuple[str, ...]], ...]
"""Every event of a build as (id, the source paths of its members, lead first)."""


def listing_layout(site: Site) -> str:
    """A hash of what the listing pages are laid out from besides the events: each
    article's slug and time, in order, and each topic's name, slug, description and
    articles (4 ms at 10,000 stories: the texts are joined and the times packed, in C;
    ``marshal`` of a tuple per article took 10 ms)."""
    return _layout(map(_SLUG, site.articles), map(_TIMESTAMP, map(_SUMMARY, site.articles)),
                   map(_laid_topic, site.topics))


def unevented_layout(laid: Unevented) -> str:
    """The ``listing_layout`` of the site ``laid`` out will be, before its events."""
    return _layout(map(_HEAD_SLUG, laid.heads), map(_TIMESTAMP, map(_HEAD_SUMMARY, laid.heads)),
                   map(_laid_topic, laid.topics))


LaidTopic = tuple[str, str, str, Sequence[str]]
"""What a topic's listing is laid out from: its name, slug, description and articles."""


def _laid_topic(topic: Topic) -> LaidTopic:
    return topic.ref.name, topic.ref.slug, topic.description, topic.articles


def _layout(slugs: Iterable[str], stamps: Iterable[float], topics: Iterable[LaidTopic]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update("\n".join(slugs).encode())
    h.update(array("d", stamps).tobytes())
    for name, slug, description, articles in topics:
        h.update(_SEP.join((name, slug, description, *articles)).encode())
        h.update(b"\n")
    return h.hexdigest()


@frozen
class Moved:
    """Stories that came or went since the last build, every other one laid out as then
    (``stories_moved``)."""

    topics: frozenset[str]
    """The topics they are or were in: each is laid out anew, as is the list of every
    story (the site's feeds and API pages)."""
    gone: tuple[str, ...]
    """The output paths of the pages of the stories that went (and of the archive's
    months and years they leave empty: see ``relisting``)."""
    months: frozenset[str] = frozenset()
    """The archive's months of the stories that went (their pages' paths)."""
    years: frozenset[str] = frozenset()
    """The archive's years of the stories that went (their pages' paths)."""
    oldest: tuple[tuple[str, Place], ...] = ()
    """The place of the oldest story that came or went in each list they are or were in:
    ``""`` the list of every story, else a topic's name (see ``_unsettled``)."""


Place = tuple[float, str]
"""Where a story is in a list, newest first: (minus its time, its slug), as
``model.place_stories`` orders them (the greater, the older)."""


def place_of(article: Article) -> Place:
    """The ``Place`` of an article."""
    return -article.summary.timestamp, article.slug


def stories_moved(site: Site, slug_of: Mapping[str, str], came: Collection[str],
                  went: Sequence[StorySummary], layout: str) -> Moved | None:
    """Whether the site is laid out as the last build's (``layout``, its
    ``listing_layout``) but for the stories that came (``came``: their source paths) and
    those that went (``went``: their last summaries); None if not, or if a topic came or
    went with them, or the topics changed order (then every page naming them differs).

    The layout it had is put together from this one, the stories that went taking the
    slug they want (``StorySummary.wanted_slug``) and their place by time then slug, as
    ``model.place_stories`` gives them, and compared with ``layout``: a story whose slug
    or place moved with them makes the two differ. At 10,000 stories, a build after one
    added story fingerprinted every one of the 2,200 listing pages and 10,000 articles
    (about 60 ms before any page was rendered; 1.4 s at 100,000)."""
    by_slug = site.by_slug
    came_slugs = {slug_of[source] for source in came if source in slug_of}
    back = {summary.wanted_slug: summary for summary in went}
    if len(came_slugs) != len(came) or len(back) != len(went) \
            or not back.keys().isdisjoint(by_slug):
        return None

    def summary_of(slug: str) -> StorySummary:
        return back[slug] if slug in back else by_slug[slug].summary

    def place(slug: str) -> Place:
        return -summary_of(slug).timestamp, slug

    slugs = [a.slug for a in site.articles if a.slug not in came_slugs] if came_slugs \
        else [a.slug for a in site.articles]
    members = {topic.ref.name: [slug for slug in topic.articles if slug not in came_slugs]
               for topic in site.topics}
    named = {topic_key(topic.ref.name): topic.ref.name for topic in site.topics}
    went_topics: set[str] = set()  # (as the site names them: see ``model._topic_refs``)
    for slug, summary in back.items():
        insort(slugs, slug, key=place)
        for name in summary.topics:
            topic = named.get(topic_key(name))
            if topic is None:
                return None  # (a topic that went with it)
            insort(members[topic], slug, key=place)
            went_topics.add(topic)
    if not all(members.values()):
        return None  # (a topic that came with the new stories)
    config = site.config
    if sorted(site.topics, key=lambda t: topic_order(config, t.ref, len(members[t.ref.name]))
              ) != list(site.topics):
        return None
    stamps = [summary_of(slug).timestamp for slug in slugs]
    before = _layout(slugs, stamps,
                     ((t.ref.name, t.ref.slug, t.description, members[t.ref.name])
                      for t in site.topics))
    if before != layout:
        return None
    topics = {ref.name for slug in came_slugs for ref in by_slug[slug].topics}
    topics.update(went_topics)
    zone = ZoneInfo(config.timezone)
    moments = [datetime.fromtimestamp(summary.timestamp, zone) for summary in went]
    oldest: dict[str, Place] = {}
    for slug, lists in chain(((slug, [ref.name for ref in by_slug[slug].topics])
                              for slug in came_slugs),
                             ((slug, [named[topic_key(name)] for name in summary.topics])
                              for slug, summary in back.items())):
        for name in ("", *lists):
            oldest[name] = max(oldest.get(name, place(slug)), place(slug))
    return Moved(frozenset(topics), tuple(page_path(article_path(slug)) for slug in back),
                 frozenset(map(archive_month_path, moments)),
                 frozenset(archive_year_path(moment.year) for moment in moments),
                 tuple(sorted(oldest.items())))


def topic_layouts(pages: Iterable[Page]) -> dict[str, str]:
    """A hash of each topic's pages, by topic name: each page's path and the stories it
    lists, in order (what its cards group, and so its pagination and its newest story)."""
    laid: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for page in pages:
        if page.kind == "topic" and page.topic is not None:
            laid.setdefault(page.topic.ref.name, []).append(
                (page.path, tuple(a.slug for a in page.articles)))
    return {name: hashlib.blake2b(marshal.dumps(value), digest_size=16).hexdigest()
            for name, value in laid.items()}


def site_events(site: Site, slug_of: Mapping[str, str]) -> EventMembers:
    """The site's events as ``Manifest.events`` records them (``slug_of``: each article's
    slug by source path, see :func:`article_slugs`)."""
    source = dict(zip(slug_of.values(), slug_of.keys(), strict=True)).__getitem__
    return tuple((c.id, tuple(map(source, c.members))) for c in site.clusters)


def article_slugs(site: Site) -> dict[str, str]:
    """Each article's slug, by the source path of its story (the placement's
    ``slugs``, where the build has them)."""
    return dict(zip(map(_SOURCE, map(_SUMMARY, site.articles)), map(_SLUG, site.articles),
                    strict=True))


@frozen
class Relisted:
    """What changed in the listings since the last build, laid out alike."""

    pages: list[Page]
    """The listing pages whose fingerprints can differ from the last build's."""
    read: tuple[Article, ...]
    """The articles of the files read again."""
    regrouped: frozenset[str]
    """The slugs of the stories of the events that are not the last build's."""
    relaid: Mapping[str, str]
    """The ``topic_layouts`` of the topics whose pages are not laid out as the last
    build's (their stories grouped into other cards, or some came or went), by topic
    name."""
    moved: Moved | None = None
    """The stories that came or went, if any."""
    lists: tuple[tuple[str, int, str], ...] = ()
    """The listings laid out anew (the pages of the topics ``relaid``; the API pages of
    the site and of the topics whose stories came or went): each one's first page's
    folder, the highest number of its further pages now (``_last_further``) and the name
    of its files (the last build's pages past it go: see ``kept_fingerprints``)."""
    sitemaps: tuple[tuple[str, int], ...] = ()
    """The parts of the sitemap planned anew (``pages.plan_sitemap_pages``), each with its
    number of files now (the last build's files past it go, those of a month that went
    all of them: see ``kept_fingerprints``)."""


def relisting(site: Site, read: Collection[str], events: EventMembers, previous: EventMembers,
              recorded: Mapping[str, str], slug_of: Mapping[str, str],
              moved: Moved | None = None, *, reshared: Collection[str] = (),
              own: AbstractSet[str] = frozenset()) -> Relisted:
    """The listing pages whose fingerprints can differ from the last build's. The site's
    ``listing_layout`` must be the last build's, or differ from it by the stories
    ``moved`` only (``stories_moved``); ``read`` are the source paths of the files read
    again, ``events`` the site's (``site_events``), ``previous`` the last build's,
    ``recorded`` the last build's ``topic_layouts``, ``slug_of`` each article's slug by
    source path (``article_slugs``); ``reshared`` the source paths of the stories that
    came to share a ``webUrl`` with others, or no longer do, or with others than in the
    last build (``shared_urls.regrouped_by_url``): their events' cards and coverage name
    other stories (each address once), as those of an event that changed; and a card
    that no longer lists its newest story (or lists it again) dates its page otherwise in
    the sitemap, as one whose event's lead is now another story of the same address.
    ``own`` are the templates that are not the default theme's as it is
    (``fingerprints.own_templates``): every page of theirs in a list laid out anew is
    fingerprinted again (see ``_unsettled``).

    When stories came or went, the list of every story moved (the site's feeds and API
    pages), and so did the lists of their topics (their pages, feeds and API pages); the
    pages that count each topic's stories (``pages.counting_pages``) and the sitemap
    changed too."""
    by_slug = site.by_slug
    articles = tuple(by_slug[slug_of[source]] for source in read if source in slug_of)
    stories: set[str] = set()  # (whose cards can differ)
    members = site.members
    for article in articles:
        stories.add(article.slug)
        stories.update(members.get(article.cluster, ()))  # (a card shows its event's other
        # stories: all of them, but one of an address another has given, see shared_urls)
    regrouped = {slug_of[source] for source in chain(
        regrouped_stories(dict(events), dict(previous)), reshared) if source in slug_of}
    stories |= regrouped
    planned: dict[str, list[Page]] = {}
    relaid: dict[str, str] = {}
    moved_topics = moved.topics if moved is not None else frozenset()
    regrouped_topics = {ref.name for slug in regrouped for ref in site.by_slug[slug].topics}
    for topic in site.topics:
        name = topic.ref.name
        if name in regrouped_topics or name in moved_topics:
            planned[name] = plan_topic_pages(site, topic)
            layout = topic_layouts(planned[name])[name]
            if name in moved_topics or layout != recorded.get(name):
                relaid[name] = layout
    listing = {ref.name for slug in stories for ref in site.by_slug[slug].topics}
    sitemap = bool(relaid or moved is not None or reshared) \
        or not regrouped.isdisjoint(site.same_url)  # (which of the stories of one address
    # a card shows, and so the time of a page's newest story, follows the event's lead)
    archive = plan_archive_pages(site)
    pages = plan_listing_pages_of(site, stories, listing - moved_topics, planned, archive,
                                  whole_site=moved is None)  # (what stories moved in,
    # every page of theirs, is planned below, once)
    oldest = dict(moved.oldest) if moved is not None else {}
    disturbed = dict(oldest)  # (the cards of a topic: also its stories whose event changed)
    for slug in regrouped:
        article = site.by_slug[slug]
        place = place_of(article)
        for ref in article.topics:
            disturbed[ref.name] = max(disturbed.get(ref.name, place), place)
    anew = [page for name in relaid  # (their cards moved across their pages, or their
            for page in _unsettled(planned[name], disturbed.get(name), stories, own,
                                   _card_places(site, planned[name]))]  # stories
    # did: every page of theirs can differ but the older ones a list numbered from the
    # oldest keeps, some may be new or gone, and the sitemap lists each with its newest story)
    lists = []
    for topic in site.topics:
        if topic.ref.name in relaid:
            lists.append((topic.ref.path, _last_further(planned[topic.ref.name]), ""))
            anew += topic_redirects(topic, planned[topic.ref.name])  # (page/1/ is
            # one while a topic numbered from the oldest has one page: listing_redirects)
    if moved is not None:  # (every list holding a story that came or went)
        every = plan_api_pages(site, None, site.articles)
        anew += [*plan_feed_pages(site, None, site.articles[: site.config.feed_size]),
                 *_unsettled(every, oldest.get(""), stories, own), *counting_pages(site)]
        lists.append((api_folder(None), _last_further(every), API_FILE))
        months = {page.path for page in archive}  # (the index and the years count each
        # month's stories; the months of the stories that came list them, those of the
        # ones that went are planned again, or gone with their last story, as their
        # years may be: a few pages, one a year)
        anew += [page for page in archive
                 if page.kind in _COUNTING_MONTHS or page.path in moved.months]
        moved = replace(moved, gone=moved.gone + tuple(
            page_path(path) for path in sorted((moved.months | moved.years) - months)))
        for topic in site.topics:
            if topic.ref.name in moved_topics:
                api = topic_api_pages(site, topic)
                anew += [*topic_feed_pages(site, topic),
                         *_unsettled(api, oldest.get(topic.ref.name), stories, own)]
                lists.append((api_folder(topic), _last_further(api), API_FILE))
    if anew:
        listed = {page.path for page in pages}
        pages += [page for page in anew if page.path not in listed]
    sitemaps: list[tuple[str, int]] = []
    if sitemap:  # (its index, its first part, the parts of the topics laid out anew and
        # of the months of the stories that came or went: see plan_sitemap_pages)
        parts = {SITEMAP_PAGES, *(sitemap_topic(t) for t in site.topics if t.ref.name in relaid)}
        if moved is not None:
            zone = ZoneInfo(site.config.timezone)
            parts.update(map(sitemap_month, moved.months | {archive_month_path(
                datetime.fromtimestamp(a.summary.timestamp, zone)) for a in articles}))
        made = plan_sitemap_pages(
            site, sitemap_sources(site, (planned[name] for name in relaid), archive), parts)
        pages += made
        files = {page.path for page in made}
        for part in sorted(parts):
            count = 0
            while sitemap_file(part, count + 1) in files:
                count += 1
            sitemaps.append((part, count))
    return Relisted(pages, articles, frozenset(regrouped), relaid, moved, tuple(lists),
                    tuple(sitemaps))


_COUNTING_MONTHS = frozenset({"archive", "archive-year"})
"""The kinds of the archive's pages that count the stories of each month they list."""


def _card_places(site: Site, pages: Sequence[Page]) -> Callable[[Page], Place]:
    """The place of each of a topic's ``pages`` in its list: of the newest story its cards
    stand for among the topic's stories (a card is where its event's newest story in the
    list is: ``Site.cards``), also one the card does not show. Of stories of one address
    a card shows one (``shared_urls``), which may be older than the one it stands for: a
    page of a 2015 story between pages of 2024 and 2023 stories made ``_unsettled`` keep
    the 21 pages past it as the last build had them, after a story of that address came
    and moved its card to the top."""
    topic = next((page.topic for page in pages if page.topic is not None), None)
    listed = frozenset(topic.articles) if topic is not None else frozenset()
    members, by_slug = site.members, site.by_slug

    def place(page: Page) -> Place:
        return min(place_of(by_slug[slug]) for card in page.cards
                   for slug in (card.lead.slug, *members.get(card.lead.cluster, ()))
                   if slug in listed or slug == card.lead.slug)

    return place


def _newest_listed(page: Page) -> Place:
    """The place of the newest story a page lists: its place in a list of stories."""
    return min(map(place_of, page.articles))


def _unsettled(pages: Sequence[Page], boundary: Place | None, stories: AbstractSet[str],
               own: AbstractSet[str], place: Callable[[Page], Place] = _newest_listed
               ) -> Sequence[Page]:
    """The ``pages`` of one list (planned: its first page first) but the older pages that
    a list numbered from the oldest (``config.STABLE``) has as the last build had them:
    each holds the same stories (or cards), between the same neighbours, and lists none of
    ``stories`` (whose cards can differ), so it keeps its fingerprint.

    ``boundary`` is the place of the oldest of the list's stories that came, went or (on a
    topic's pages) are of an event that is not the last build's (None: none). A story older
    than all of them is where it was, in an event (a card) that is as it was, and so is each
    older one: the first older page whose stories are all older than ``boundary``, number
    m, holds the cards it held, and pages 1 to m - 2 held theirs before m - 1 and m, which
    the last build had too (it had at least as many stories as these pages hold). After
    one added story at 10,000 stories, the build fingerprinted 886 pages listing 19,172
    stories (40 ms), where 20 differ. A page of a template of ``own`` is kept: it may show
    the list's counts, which changed."""
    if boundary is None or not pages or pages[0].pager is None or pages[0].pager.newest_first \
            or pages[0].template in own:
        return pages
    settled = 0
    for page in pages:
        pager = page.pager
        if pager is not None and not pager.is_front and place(page) > boundary:
            settled = pager.number - 2
            break
    if settled < 1:
        return pages
    return [page for page in pages
            if page.pager is None or page.pager.is_front or page.pager.number > settled
            or not stories.isdisjoint(map(_SLUG, page.articles))]


def _last_further(pages: Iterable[Page]) -> int:
    """The highest number of the further pages (at ``page/<n>/``) of a listing's
    ``pages`` (``plan_api_pages`` gives its folder's redirect too): the number of its
    pages when numbered from the newest, one less when from the oldest (the first page is
    then the last number, at the listing's own path)."""
    pager = next((page.pager for page in pages if page.pager is not None), None)
    return 0 if pager is None else pager.count - (not pager.newest_first)


def kept_fingerprints(kept: dict[str, str], relisted: Relisted) -> dict[str, str]:
    """``kept``, the last build's fingerprint of each page, without the pages past the new
    last page of each listing ``relisted`` laid out anew, and without the pages of the
    stories that went (the pages of those listings that are still there are
    fingerprinted again, as all of ``relisted.pages``)."""
    for folder, last, name in relisted.lists:
        number = last + 1
        while (rel := page_path(f"{further_pages(folder)}{number}/{name}")) in kept:
            del kept[rel]
            number += 1
    for part, count in relisted.sitemaps:
        number = count + 1
        while (rel := page_path(sitemap_file(part, number))) in kept:
            del kept[rel]
            number += 1
    if relisted.moved is not None:
        for rel in relisted.moved.gone:
            kept.pop(rel, None)
    return kept


def bodies_involved(site: Site, read: Mapping[str, StorySummary | None]) -> bool:
    """Whether plain-text body files are involved (then :func:`rearticled` does not
    apply): the site has one, or a file read again was one."""
    return any(a.body_file is not None or a.summary.is_body_file for a in site.articles) \
        or any(s is not None and s.is_body_file for s in read.values())


def rearticled(site: Site, read: Mapping[str, StorySummary | None], relisted: Relisted,
               related_changed: AbstractSet[str]) -> list[Article]:
    """The articles whose page fingerprints can differ from the last build's, when the
    listings are ``relisted`` and no body file is involved (``bodies_involved``).
    ``read`` gives the summary the last build had of each file read again (None: none),
    ``related_changed`` the stories whose computed related stories changed. An article
    page shows (``fingerprints._PageTexts.article``) its story, its topics, the stories
    its related[] entries resolve to, its body file, and the stories of its event and
    its computed related ones with theirs; so the pages that can differ are those:

    - of the stories read, of the events that changed, of changed related stories;
    - that show a story read in their event or among their computed related stories;
    - with a related[] entry whose address or title key a story read had or has (it
      may resolve to another story now)."""
    stories = relisted.read
    slugs = {a.slug for a in stories}
    keys = {key for summary in (*(a.summary for a in stories),
                                *(s for s in read.values() if s is not None))
            for key in (*summary.url_keys, title_link_of(summary)) if key}
    changed = slugs | relisted.regrouped | related_changed
    members = site.members
    for article in stories:  # (an event's stories show each other, but for those of one
        # address: all of them, see relisting)
        changed.update(members.get(article.cluster, ()))
    return referring(site.articles, slugs, keys, changed)  # (no key is "": an entry
    # without an address has "")


def referring_python(articles: Iterable[Article], slugs: AbstractSet[str],
                     keys: AbstractSet[str], also: AbstractSet[str]) -> list[Article]:
    """The ``articles`` whose slug is in ``also``, or that show one of ``slugs`` among
    their computed related stories, or have a related[] entry with one of ``keys`` (an
    address or title key), in order."""
    return [article for article in articles
            if article.slug in also
            or not (slugs.isdisjoint(article.computed_related)
                    and keys.isdisjoint(chain.from_iterable(article.summary.related_keys)))]


referring: Callable[[Iterable[Article], AbstractSet[str], AbstractSet[str], AbstractSet[str]],
                    list[Article]] = kernels.referring or referring_python
""":func:`referring_python`, compiled where it is built (``generator.kernels``): the pass
over every article of :func:`rearticled`, 12 ms at 10,000 stories in Python (and 3 more
for the articles of the stories it knows to have changed)."""
