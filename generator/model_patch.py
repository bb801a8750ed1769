"""Stage 3 for a long-lived build: patch the last ``Site`` after an edit in place.

The preview server keeps its last site and pages in memory (``build.BuildMemory``). When
an editor saves a story without changing its slug, date or topics, the site keeps its
stories, URLs and order, so there is no need to model the whole archive again:
:func:`patch_site` replaces the edited stories' articles, re-resolves the related[]
entries whose target moved, takes the events (computed incrementally, as always), gives
new articles to the stories whose event or computed related stories changed, and plans
again only the pages that show one of those: listings whose events changed from scratch
(their cards, and so their pagination, may differ), the others over the same stories.
Everything else keeps its page record and fingerprint.

The result is the site, pages and fingerprints a full model would give, exactly
(tests/test_model_patch.py compares them; tests/test_incremental.py compares output).
When an edit could change more (a story added or removed, a new slug, date or topic
list, a body file involved, stories coming to share a ``webUrl`` or no longer sharing
one, other settings), it returns None and the caller models everything as usual.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from .config import SiteConfig
from .fingerprints import page_fingerprints
from .frozen import frozen
from .model import Article, Card, Site, event_fields
from .pages import (
    SITEMAP_KINDS,
    Page,
    article_page,
    home_page,
    is_html,
    plan_sitemap_pages,
    plan_topic_pages,
)
from .record_store import RecordStore
from .shared_urls import find_same_urls, web_url_key
from .summary import StorySummary, link_key
from .urls import page_path


@frozen
class PatchIndex:
    """Reverse links of a site, so that a patch finds what an edit reaches without
    scanning every story and page (made once per full model, then updated by patches)."""

    slug_of: dict[str, str]
    """Each story's slug, by source path."""
    linked_from: dict[str, frozenset[str]]
    """Slug -> the articles whose sidebar links it (its related[] entries resolved to our
    pages, and its computed related stories)."""
    url_referrers: dict[str, frozenset[str]]
    """URL key -> the stories whose related[] has an entry with it."""
    title_referrers: dict[str, frozenset[str]]
    """Title key -> the stories whose related[] has an entry with it."""


@frozen
class SitePatch:
    """The patched site, all its pages, and the pages that may look different now."""

    site: Site
    """The site after the edit."""
    pages: list[Page]
    """Every page, in the order ``plan_pages`` gives."""
    fingerprints: dict[str, str]
    """Output path -> fingerprint, for every page."""
    touched: list[Page]
    """Pages that show something of a changed story (the only ones to fingerprint and
    maybe render again); the rest are unchanged."""
    index: PatchIndex
    """The reverse links of the patched site (for the next patch)."""


def index_site(site: Site) -> PatchIndex:
    """The reverse links of ``site``."""
    linked: dict[str, set[str]] = {}
    urls: dict[str, set[str]] = {}
    titles: dict[str, set[str]] = {}
    for article in site.articles:
        for target in _links(article):
            linked.setdefault(target, set()).add(article.slug)
        for url, title in article.summary.related_keys:
            if url:
                urls.setdefault(url, set()).add(article.slug)
            titles.setdefault(title, set()).add(article.slug)
    return PatchIndex({a.summary.source: a.slug for a in site.articles},
                      _frozen(linked), _frozen(urls), _frozen(titles))


def patch_site(site: Site, pages: Sequence[Page], fingerprints: Mapping[str, str],
               changed: Mapping[str, StorySummary], *, dropped: Iterable[str] = (),
               config: SiteConfig, records: RecordStore | None,
               index: PatchIndex | None = None,
               templates: Mapping[str, str]) -> SitePatch | None:
    """``site`` after the stories in ``changed`` (by source path) were edited in place,
    or None when the edit may change the site's shape (then model from scratch).
    ``dropped`` are files read again that gave no story (an error, a draft); ``index``
    is the one the last patch returned (made from ``site`` when None); ``templates`` are
    the template digests ``fingerprints`` were made with."""
    if config != site.config or site.event_state is None:
        return None
    index = index if index is not None else index_site(site)
    if any(source in index.slug_of for source in dropped):
        return None  # a story left the site
    edited: dict[str, StorySummary] = {}
    for source, summary in changed.items():
        slug = index.slug_of.get(source)
        if slug is None or not _keeps_shape(site.by_slug[slug], summary):
            return None
        edited[slug] = summary
    if any(site.by_slug[slug].summary.title_key != new.title_key for slug, new in edited.items()) \
            and any(a.body_file or a.summary.is_body_file for a in site.articles):
        return None  # a new title could claim a plain-text body file: model it all

    summaries = [edited.get(a.slug, a.summary) for a in site.articles]
    if any(web_url_key(site.by_slug[slug].summary) != web_url_key(new)
           for slug, new in edited.items()) \
            and find_same_urls(summaries, index.slug_of) != site.same_url:
        return None  # stories came to share a webUrl, or no longer do: model it all
    from .events import regrouped_stories, update_events

    events, event_state = update_events(
        site.event_state, [(a.slug, s) for a, s in zip(site.articles, summaries, strict=True)],
        threshold=config.cluster_threshold, related_count=config.related_count)
    members = {c.id: c.members for c in events.clusters}
    regrouped = regrouped_stories(members, site.members)
    resolved = _resolve_moved_links(site, summaries, edited, index)
    fresh: dict[str, Article] = {}
    for article in site.articles:
        slug = article.slug
        if slug in edited or slug in resolved or slug in regrouped \
                or events.related.get(slug, ()) != article.computed_related:
            cluster, coverage, computed = event_fields(events, slug, site.same_url)
            fresh[slug] = replace(article, summary=edited.get(slug, article.summary),
                                  related_slugs=resolved.get(slug, article.related_slugs),
                                  cluster=cluster, coverage=coverage, computed_related=computed)
    by_slug = dict(site.by_slug)
    by_slug.update(fresh)
    new_site = replace(site, articles=tuple(by_slug[a.slug] for a in site.articles),
                       by_slug=by_slug, clusters=events.clusters, members=members,
                       records=records, event_state=event_state)
    # pages hold the old articles: what shows a fresh story follows the old links
    listed = set(fresh).union(*(site.members.get(site.by_slug[slug].cluster, ())
                                for slug in fresh))  # a card shows its event's coverage
    shown = listed.union(*(index.linked_from.get(slug, ()) for slug in fresh))
    new_pages, touched, gone = _replan_pages(new_site, pages, listed, shown, regrouped)
    new_fingerprints = {rel: fp for rel, fp in fingerprints.items() if rel not in gone}
    new_fingerprints.update(page_fingerprints(new_site, touched, templates))
    return SitePatch(new_site, new_pages, new_fingerprints, touched,
                     _reindex(index, [(site.by_slug[slug], new) for slug, new in fresh.items()]))


def _replan_pages(site: Site, pages: Sequence[Page], listed: set[str], shown: set[str],
                  regrouped: set[str]) -> tuple[list[Page], list[Page], set[str]]:
    """Every page of the patched site, the pages planned again, and the output paths of
    pages that are gone. Listings whose events changed are planned from scratch (their
    cards, and so their pagination, may differ); listings holding a story of ``listed``
    and the article pages of ``shown`` are planned again over the same stories. (This
    mirrors what ``fingerprints.page_fingerprints`` reads of each page.)"""
    topics = {ref.name for slug in regrouped for ref in site.by_slug[slug].topics}
    result: list[Page] = []
    touched: list[Page] = []
    gone: set[str] = set()
    sitemap: list[Page] = []
    for page in pages:
        if page.kind == "article":
            if page.article.slug not in shown:
                result.append(page)
                continue
            new = article_page(site.by_slug[page.article.slug], page.feeds)
        elif page.kind == "topic" and page.topic is not None \
                and page.topic.ref.name in topics:
            gone.add(page_path(page.path))
            if page.pager is not None and page.pager.is_front:
                planned = plan_topic_pages(site, page.topic)
                result += planned
                touched += planned
            continue
        elif regrouped and page.kind == "home":
            new = home_page(site)
        elif regrouped and page.kind in SITEMAP_KINDS:  # listings planned again may differ
            gone.add(page_path(page.path))
            if not sitemap:  # (the HTML pages come first: all are in ``result`` by now)
                sitemap = plan_sitemap_pages(site, [p for p in result if is_html(p)])
                result += sitemap
                touched += sitemap
            continue
        elif _lists_any(page, listed):
            new = _replan(page, site.by_slug)
        else:
            result.append(page)
            continue
        result.append(new)
        touched.append(new)
    return result, touched, gone - {page_path(p.path) for p in touched}


def _lists_any(page: Page, slugs: set[str]) -> bool:
    return any(a.slug in slugs for a in page.articles) or any(
        c.lead.slug in slugs or any(o.slug in slugs for o in c.others) for c in page.cards)


def _links(article: Article) -> set[str]:
    """The articles an article's sidebar links (besides its event's coverage)."""
    return {*article.computed_related, *(s for s in article.related_slugs if s is not None)}


def _frozen(index: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(values) for key, values in index.items()}


def _reindex(index: PatchIndex, changes: Sequence[tuple[Article, Article]]) -> PatchIndex:
    """``index`` after each (old, new) article pair replaced the old one (copy on write)."""
    linked, urls, titles = dict(index.linked_from), dict(index.url_referrers), \
        dict(index.title_referrers)
    for old, new in changes:
        _move(linked, new.slug, _links(old), _links(new))
        old_keys, new_keys = old.summary.related_keys, new.summary.related_keys
        if old_keys != new_keys:
            _move(urls, new.slug, {u for u, _t in old_keys if u}, {u for u, _t in new_keys if u})
            _move(titles, new.slug, {t for _u, t in old_keys}, {t for _u, t in new_keys})
    return PatchIndex(index.slug_of, linked, urls, titles)


def _move(index: dict[str, frozenset[str]], slug: str, before: set[str], after: set[str]) -> None:
    for key in before - after:
        left = index[key] - {slug}
        if left:
            index[key] = left
        else:
            del index[key]
    for key in after - before:
        index[key] = index.get(key, frozenset()) | {slug}


def _keeps_shape(article: Article, summary: StorySummary) -> bool:
    """Whether an edit leaves the story's URL, place in every listing and topics as they were,
    and its alias pages (``aliases``: the pages and their title)."""
    old = article.summary
    return (article.body_file is None and not old.is_body_file and not summary.is_body_file
            and summary.wanted_slug == old.wanted_slug and summary.timestamp == old.timestamp
            and summary.topics == old.topics and summary.aliases == old.aliases
            and (not old.aliases or summary.title == old.title))


def _resolve_moved_links(site: Site, summaries: Sequence[StorySummary],
                         edited: Mapping[str, StorySummary],
                         index: PatchIndex) -> dict[str, tuple[str | None, ...]]:
    """New ``related_slugs`` of the stories whose related[] entries point at a URL or
    title that an edited story gained or lost, and of edited stories whose entries changed.
    Resolution is the model's: the newest story with the entry's URL, else with its title."""
    moved_urls: set[str] = set()
    moved_titles: dict[str, str] = {}  # link key -> normalized title
    for slug, new in edited.items():
        old = site.by_slug[slug].summary
        moved_urls.update(set(old.url_keys) ^ set(new.url_keys))
        if old.title_key != new.title_key:
            moved_titles[link_key(old.title_key)] = old.title_key
            moved_titles[link_key(new.title_key)] = new.title_key
    rewritten = {slug for slug, new in edited.items()
                 if new.related_keys != site.by_slug[slug].summary.related_keys}
    referring = rewritten.union(*(index.url_referrers.get(key, ()) for key in moved_urls),
                                *(index.title_referrers.get(key, ()) for key in moved_titles))
    resolved: dict[str, tuple[str | None, ...]] = {}
    cache: dict[tuple[str, str], str | None] = {}
    for slug in sorted(referring):
        article = site.by_slug[slug]
        keys = edited[slug].related_keys if slug in edited else article.summary.related_keys
        rewrite = slug in rewritten
        slugs: list[str | None] = [None] * len(keys) if rewrite else list(article.related_slugs)
        for position, key in enumerate(keys):
            if rewrite or key[0] in moved_urls or key[1] in moved_titles:
                if key not in cache:
                    cache[key] = _find(site, summaries, key, moved_titles)
                slugs[position] = cache[key]
        resolved[slug] = tuple(slugs)
    return resolved


def _find(site: Site, summaries: Sequence[StorySummary], key: tuple[str, str],
          titles: Mapping[str, str]) -> str | None:
    """The model's resolution of one related[] entry, by scanning newest first."""
    url_key, title_key = key
    if url_key:
        for article, summary in zip(site.articles, summaries, strict=True):
            if url_key in summary.url_keys:
                return article.slug
    title = titles.get(title_key, "" if not title_key else None)  # link_key("") is ""
    for article, summary in zip(site.articles, summaries, strict=True):
        if (summary.title_key == title) if title is not None \
                else link_key(summary.title_key) == title_key:
            return article.slug
    return None


def _replan(page: Page, by_slug: Mapping[str, Article]) -> Page:
    """The page planned again over the patched articles (same stories, same order)."""
    if page.kind == "article":
        return article_page(by_slug[page.article.slug], page.feeds)
    return replace(page, articles=tuple(by_slug[a.slug] for a in page.articles),
                   cards=tuple(Card(by_slug[c.lead.slug], tuple(by_slug[o.slug] for o in c.others))
                               for c in page.cards))
