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
import os
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property, lru_cache
from operator import attrgetter
from pathlib import Path

from . import __version__
from .config import SiteConfig
from .model import Article, Site, TopicRef
from .output import content_digest
from .pages import ALIAS_KIND, ARTICLE_TEMPLATE, Page
from .scan import CACHE_DIR
from .theme import template_digests, templates_naming
from .urls import page_path

SEP = "\x1f"
ALIAS_FINGERPRINT = "alias:"
"""What the fingerprint of an alias page starts with (``aliases``), so that a build
keeping the last build's fingerprints (``relisting``) can leave those pages out: they
are planned and fingerprinted again on every build, and one gone must not be kept."""
SHOWS_COUNTS = frozenset({"home", "topics", "404", "api-topics"})
"""Kinds of page that show how many stories each topic has. (The sitemap's files depend on
them through their lines, each page's path and date, which their fingerprints hold.)"""


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
    in ``SHOWS_COUNTS``.)

    The answer is kept in the site's cache folder under the templates' key and this
    code's: finding it lexes every template (5-6 ms of a fresh build after one edit
    at 10,000 stories, while it waits for nothing), reading it back takes 0.1 ms."""
    kept = source / CACHE_DIR / "templates" / f"naming-site-{templates_key}-{code_digest()}"
    try:
        return frozenset(kept.read_text(encoding="utf-8").split("\0")) - {""}
    except (OSError, UnicodeDecodeError):
        pass
    found = templates_naming(source, "site")
    try:  # (names of files: none holds NUL)
        kept.parent.mkdir(parents=True, exist_ok=True)
        for stale in kept.parent.glob("naming-site-*"):
            stale.unlink(missing_ok=True)
        writing = kept.with_name(kept.name + ".tmp")
        writing.write_text("\0".join(sorted(found)), encoding="utf-8")
        os.replace(writing, kept)
    except OSError:
        pass  # (a cache folder that cannot be written: found again next time)
    return found


@lru_cache(maxsize=1)
def _theme_digests() -> dict[str, str]:
    """The default theme's ``template_digests`` (those of a site with no templates of its
    own), which show a listing's totals where ``Pager.shows_total`` says (1 ms, once a
    process: after an edit, while the events child works, see ``build._Ahead``)."""
    return template_digests(Path(os.devnull))


def own_templates(templates: Mapping[str, str]) -> frozenset[str]:
    """The templates of ``templates`` (``theme.template_digests``) that are not the
    default theme's as it is (a site's own, or one of the theme's using one of the site's):
    their pages may show a listing's totals on every page, where the default theme shows
    them where ``Pager.shows_total`` says."""
    theme = _theme_digests()
    return frozenset(name for name, digest in templates.items() if theme.get(name) != digest)


def naming_site(source: Path, templates: Mapping[str, str]) -> frozenset[str]:
    """The templates whose pages can show the site's topic list (see below), found once
    for these ``templates`` in a process (and in the children it forks afterwards)."""
    return _templates_naming_site(source, templates_digest(templates))


def settings_digest(config: SiteConfig) -> str:
    """Hash of what every page depends on: config and generator code. (Templates are
    in each page's fingerprint: a template change re-renders the pages that use it. The
    config holds the theme's strings in its language, ``SiteConfig.translations``: a new
    language or a changed ``i18n/`` file re-renders every page, which all show some.)"""
    return hashlib.blake2b(repr((code_digest(), config)).encode(), digest_size=16).hexdigest()


def templates_digest(templates: Mapping[str, str]) -> str:
    """One hash of every template's digest (see ``theme.template_digests``)."""
    return hashlib.blake2b(repr(sorted(templates.items())).encode(), digest_size=16).hexdigest()


def reader_digest(config: SiteConfig) -> str:
    """Hash of what reading a file depends on besides the file: a change re-reads all."""
    key = (code_digest(), config.drafts, config.future, config.timezone, config.max_file_bytes,
           str(config.source), config.base_path)  # (base_path: the links of the site's
    # own images, see site_images)
    return hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()


class _Memo(dict[str, str]):
    """A dict that makes a missing entry with ``make`` and keeps it: found entries are
    looked up without a Python call (``map(memo.__getitem__, keys)`` stays in C)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> str:
        value = self[key] = self.make(key)
        return value


_SLUG = attrgetter("slug")


def page_fingerprints(site: Site, pages: Iterable[Page],
                      templates: Mapping[str, str]) -> dict[str, str]:
    """Output path -> fingerprint, for every page; ``templates`` maps each template's name
    to the digest of it and the templates it uses (``theme.template_digests``)."""
    texts = _PageTexts(site, templates)
    result: dict[str, str] = {}
    for page in pages:
        kind = page.kind
        found = _digest(texts.article(page.template, page.path, page.article)
                        if kind == "article" else texts.listing(page))
        result[page_path(page.path)] = ALIAS_FINGERPRINT + found if kind == ALIAS_KIND \
            else found
    return result


def article_fingerprints(site: Site, templates: Mapping[str, str],
                         articles: Iterable[Article] | None = None) -> dict[str, str]:
    """``page_fingerprints`` of every article page of the site (``pages.article_page`` of
    each article; of ``articles`` only, if given), without making the pages."""
    texts = _PageTexts(site, templates)
    result: dict[str, str] = {}
    for article in site.articles if articles is None else articles:
        path = article.path
        result[page_path(path)] = _digest(texts.article(ARTICLE_TEMPLATE, path, article))
    return result


def _digest(text: str) -> str:
    """A page's fingerprint: the hash of its text (see ``_PageTexts``), or a card's
    (hashed as an output file's bytes: ``output.content_digest``)."""
    return content_digest(text.encode())


class _PageTexts:
    """The text each page's fingerprint hashes (what its template can show), with what
    pages share made once: the text of each linked story and of each card."""

    def __init__(self, site: Site, templates: Mapping[str, str]) -> None:
        self.templates = templates
        self.naming = naming_site(site.config.source, templates)
        self.topic_names = SEP.join(f"{t.ref.name}{SEP}{t.ref.slug}" for t in site.topics)
        self.topic_counts = SEP.join(f"{t.ref.name}{SEP}{t.ref.slug}{SEP}{len(t.articles)}"
                                     f"{SEP}{t.description}" for t in site.topics)
        self.newest = site.articles[0].summary.timestamp if site.articles else 0.0
        self.by_slug = by_slug = site.by_slug
        self.refs: dict[tuple[TopicRef, ...], str] = {}

        def link(slug: str) -> str:
            """A linked story: its slug and digest (a story not in the site: its slug)."""
            article = by_slug.get(slug)
            return f"{slug}{SEP}{article.summary.digest if article else ''}"

        self.linked = _Memo(link)
        self.cards = _Memo(self._card)

    def refs_of(self, article: Article) -> str:
        """The article's topics."""
        found = self.refs.get(article.topics)
        if found is None:
            found = self.refs[article.topics] = SEP.join(f"{ref.name}{SEP}{ref.slug}"
                                                         for ref in article.topics)
        return found

    def _card(self, slug: str) -> str:
        """A listed story, as the hash of what its card can show (its body file's too: its
        excerpt, when the story has none of its own; a hash, not the text:
        an event's card lists its other stories, each with the whole event's coverage,
        and at 100,000 stories, events of 26 stories, the texts grew with the square of
        the events' sizes)."""
        article = self.by_slug[slug]
        return _digest(SEP.join((slug, article.summary.digest, self.refs_of(article),
                                 article.body_file.digest if article.body_file else "",
                                 article.cluster, *map(self.linked.__getitem__,
                                                       article.coverage))))

    def article(self, template: str, path: str, article: Article) -> str:
        """An article page's text: its story, the slugs it links to, its sidebar's
        stories and, if its template names ``site``, the topics."""
        link = self.linked.__getitem__
        return SEP.join((
            self.templates.get(template, ""),
            path, article.slug, article.summary.digest, self.refs_of(article),
            *(slug or "-" for slug in article.related_slugs), "|",
            article.body_file.digest if article.body_file else "",
            *map(link, article.coverage), "|",
            *map(link, article.computed_related), "|",
            self.topic_names if template in self.naming else "",
        ))

    @cached_property
    def own(self) -> frozenset[str]:
        """``own_templates`` of the site's templates, found once, when first asked: for an
        older page numbered from the oldest only."""
        return own_templates(self.templates)

    def listing(self, page: Page) -> str:
        """Any other page's text: its cards, its pager, its links (a redirect's target)
        and, where it shows them, the topics and their counts."""
        card = self.cards.__getitem__
        topic = page.topic
        totals = page.pager is None or page.pager.shows_total \
            or page.template in self.own  # (a theme's own template may show the counts
        # on every page: see ``Pager.shows_total``)
        return SEP.join((
            self.templates.get(page.template, ""),
            page.kind, page.path, page.title, page.description, page.target,
            page.pager.shown(totals) if page.pager else "",
            f"{topic.ref.name}{SEP}{topic.ref.slug}{SEP}{topic.description}{SEP}"
            + (str(len(topic.articles)) if totals else "") if topic else "",
            *map(card, map(_SLUG, page.articles)), "|",
            *(f"{c.lead.slug}{SEP}{card(c.lead.slug)}{SEP}"
              + SEP.join(map(card, map(_SLUG, c.others))) for c in page.cards), "|",
            *(f"{path}{SEP}{stamp}" for path, stamp in page.links),
            str(self.newest) if any(not stamp for _path, stamp in page.links) else "",  # (a
            # sitemap dates a page listing no story by the site's newest: the others keep
            # their bytes when it changes)
            *(f"{m.path}{SEP}{m.year}{SEP}{m.name}{SEP}{m.count}" for m in page.months), "|",
            self.topic_counts if page.kind in SHOWS_COUNTS
            else self.topic_names if page.template in self.naming else "",
        ))
