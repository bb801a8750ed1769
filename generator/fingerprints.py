"""Fingerprints: a hash of everything a page is rendered from.

If a page's fingerprint equals the one the last build recorded (and the site's
settings did not change), the page's bytes cannot have changed, so it is not
rendered again. Each fingerprint names exactly the inputs its template shows:
article pages show their own story, the slugs they link to, the summaries of
the stories in their sidebar and, when their template names ``site``, the names
(not counts) of the topics in the site's order; listing pages show their cards,
their pager and, on the home and topic index pages, the topic counts. Each also
holds the digest of its template and of the templates that one extends, includes
or imports, so a template change re-renders only the pages using it. Strings are
joined rather than ``repr``-ed: fingerprinting every page of a 10,000-story site
must cost only milliseconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from . import __version__
from .config import SiteConfig
from .model import Article, Site, TopicRef
from .pages import Page
from .theme import templates_naming
from .urls import page_path

SEP = "\x1f"
SHOWS_COUNTS = frozenset({"home", "topics", "404", "api-topics", "sitemap", "sitemap-index"})
"""Kinds of page that show how many stories each topic has (or depend on it)."""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of the generator's own code: a new version voids every cache."""
    h = hashlib.blake2b(__version__.encode(), digest_size=12)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=4)
def _templates_naming_site(source: Path, templates_key: str) -> frozenset[str]:
    """``theme.templates_naming(source, "site")`` while the templates are those of
    ``templates_key`` (``templates_digest``: new templates, a new answer). Only those
    templates' pages can show the site's topic list, whose order follows the topics'
    counts: the others' fingerprints leave it out, so that two topics trading places
    re-render the pages that list topics rather than every page. (The Python-made
    outputs, feeds and the API, show no topic list but the API's topics index, which is
    in ``SHOWS_COUNTS``.)"""
    del templates_key
    return templates_naming(source, "site")


def naming_site(source: Path, templates: Mapping[str, str]) -> frozenset[str]:
    """The templates whose pages can show the site's topic list (see below), found once
    for these ``templates`` in a process (and in the children it forks afterwards)."""
    return _templates_naming_site(source, templates_digest(templates))


def settings_digest(config: SiteConfig) -> str:
    """Hash of what every page depends on: config and generator code. (Templates are
    in each page's fingerprint: a template change re-renders the pages that use it.)"""
    return hashlib.blake2b(repr((code_digest(), config)).encode(), digest_size=16).hexdigest()


def templates_digest(templates: Mapping[str, str]) -> str:
    """One hash of every template's digest (see ``theme.template_digests``)."""
    return hashlib.blake2b(repr(sorted(templates.items())).encode(), digest_size=16).hexdigest()


def reader_digest(config: SiteConfig) -> str:
    """Hash of what reading a file depends on besides the file: a change re-reads all."""
    key = (code_digest(), config.drafts, config.timezone, config.max_file_bytes,
           str(config.source))
    return hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()


def page_fingerprints(site: Site, pages: Iterable[Page],
                      templates: Mapping[str, str]) -> dict[str, str]:
    """Output path -> fingerprint, for every page; ``templates`` maps each template's name
    to the digest of it and the templates it uses (``theme.template_digests``)."""
    naming = naming_site(site.config.source, templates)
    topic_names = SEP.join(f"{t.ref.name}{SEP}{t.ref.slug}" for t in site.topics)
    topic_counts = SEP.join(f"{t.ref.name}{SEP}{t.ref.slug}{SEP}{len(t.articles)}{SEP}"
                            f"{t.description}" for t in site.topics)
    linked: dict[str, str] = {}
    refs: dict[tuple[TopicRef, ...], str] = {}
    cards: dict[str, str] = {}
    newest = site.articles[0].summary.timestamp if site.articles else 0.0

    def link(slug: str) -> str:
        """A linked story: its slug and digest (a story not in the site: its slug)."""
        found = linked.get(slug)
        if found is None:
            article = site.by_slug.get(slug)
            found = linked[slug] = f"{slug}{SEP}{article.summary.digest if article else ''}"
        return found

    def refs_of(article: Article) -> str:
        found = refs.get(article.topics)
        if found is None:
            found = refs[article.topics] = SEP.join(f"{ref.name}{SEP}{ref.slug}"
                                                    for ref in article.topics)
        return found

    def card(article: Article) -> str:
        """A listed story, as the hash of what its card can show (a hash, not the text:
        an event's card lists its other stories, each with the whole event's coverage,
        and at 100,000 stories, events of 26 stories, the texts grew with the square of
        the events' sizes)."""
        found = cards.get(article.slug)
        if found is None:
            found = cards[article.slug] = hashlib.blake2b(SEP.join((
                article.slug, article.summary.digest, refs_of(article), article.cluster,
                *map(link, article.coverage))).encode(), digest_size=12).hexdigest()
        return found

    result: dict[str, str] = {}
    for page in pages:
        if page.kind == "article":
            article = page.article
            text = SEP.join((
                templates.get(page.template, ""),
                page.path, article.slug, article.summary.digest, refs_of(article),
                *(slug or "-" for slug in article.related_slugs), "|",
                article.body_file.digest if article.body_file else "",
                *map(link, article.coverage), "|",
                *map(link, article.computed_related), "|",
                topic_names if page.template in naming else "",
            ))
        else:
            topic = page.topic
            text = SEP.join((
                templates.get(page.template, ""),
                page.kind, page.path, page.title, page.description,
                f"{page.pager.number}/{page.pager.count}" if page.pager else "",
                f"{topic.ref.name}{SEP}{topic.ref.slug}{SEP}{topic.description}"
                f"{SEP}{len(topic.articles)}" if topic else "",
                *map(card, page.articles), "|",
                *(f"{c.lead.slug}{SEP}{card(c.lead)}{SEP}" + SEP.join(map(card, c.others))
                  for c in page.cards), "|",
                *(f"{path}{SEP}{stamp}" for path, stamp in page.links),
                str(newest) if page.links else "",
                topic_counts if page.kind in SHOWS_COUNTS
                else topic_names if page.template in naming else "",
            ))
        result[page_path(page.path)] = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    return result
