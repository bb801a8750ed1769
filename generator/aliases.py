"""Aliases: the old addresses of a story, each a page sending readers on to its page.

A story's address comes from its file name or, for a file whose name does not start
with a date, from its title: fixing a headline moves the page. ``aliases:`` (Hugo's
name; ``redirect_from:``, jekyll-redirect-from's, is read as the same) lists the site
paths it had, and each becomes a page like a listing's ``page/1/`` (``redirect.html``:
a refresh, a canonical link, noindex; left out of the sitemap).

Each alias is read when its file is (``urls.alias_path``: a path on this site, never a URL
nor one climbing out with ``..``); which of them can have a page is decided against
every other page of the site on each build (``plan_alias_pages``): the stories holding
aliases are few, and only they are looked at.

A topic's entry in ``digest.yaml`` may have ``aliases:`` too (``TopicDefinition``): the
addresses it had, for a topic whose address moved (``C#`` was at ``topics/c-e4bc4b/``
before its slug was spelled out, ``c-sharp``). They come after the stories' (a story's
alias wins a clash) and are made only for topics some story has.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from itertools import compress
from operator import attrgetter

from .config import CONFIG_NAME
from .diagnostics import Diagnostic, warning
from .model import Site, article_path
from .pages import ALIAS_KIND, REDIRECT_TEMPLATE, Page
from .slugs import topic_key
from .urls import page_path

_SUMMARY, _ALIASES = attrgetter("summary"), attrgetter("aliases")
_NEWS = article_path("x").removesuffix("x/")


def plan_alias_pages(site: Site, taken: Container[str]
                     ) -> tuple[list[Page], tuple[Diagnostic, ...]]:
    """The alias pages of the site's stories, then of its topics (``_claims``), and a
    warning for each alias that cannot have one: it is the address of another page
    (``taken``: the output path of every other page of the site) or an alias claimed
    before it (a story's, the first by file path, before a topic's). A pass over the
    articles' summaries (in C): about 1 ms at 10,000 stories."""
    pages: list[Page] = []
    problems: list[Diagnostic] = []
    had: dict[str, str] = {}  # (output path -> the file whose alias it is)
    for source, alias, title, target, topic in _claims(site):
        rel = page_path(alias)
        other = _holder(site, rel, taken) if rel not in had else had[rel]
        if other is None:
            had[rel] = source
            pages.append(Page(ALIAS_KIND, alias, REDIRECT_TEMPLATE, title, target=target))
        else:
            problems.append(_clash(source, alias, other, rel == page_path(target), topic))
    return pages, tuple(problems)


_Claim = tuple[str, str, str, str, "tuple[int, str] | None"]
"""An alias to plan: the file giving it, the alias, the title and path of the page it
sends readers to, and for a topic's, its entry's index in ``digest.yaml`` and its name."""


def _claims(site: Site) -> Iterator[_Claim]:
    """The aliases of the site's stories (by file path), then those of the topics'
    entries in ``digest.yaml`` whose topic some story has (no page to send readers to
    otherwise)."""
    articles = site.articles
    for source, article in sorted((article.summary.source, article) for article in
                                  compress(articles, map(_ALIASES, map(_SUMMARY, articles)))):
        for alias in article.summary.aliases:
            yield source, alias, article.title, article.path, None
    definitions = site.config.topics
    if not any(definition.aliases for definition in definitions):
        return
    by_key = {topic_key(topic.ref.name): topic for topic in site.topics}
    for index, definition in enumerate(definitions):
        topic = by_key.get(topic_key(definition.name)) if definition.aliases else None
        if topic is not None:
            for alias in definition.aliases:
                yield CONFIG_NAME, alias, topic.ref.name, topic.ref.path, (index, topic.ref.name)


def _holder(site: Site, rel: str, taken: Container[str]) -> str | None:
    """What has the output path ``rel`` already: a story's file, another page's address
    (``/topics/ai/``), or None."""
    if rel not in taken:
        return None
    if rel.startswith(_NEWS) and rel.endswith("/index.html"):
        article = site.by_slug.get(rel[len(_NEWS):-len("/index.html")])
        if article is not None:
            return article.summary.source
    return "/" + rel.removesuffix("index.html")


def _clash(source: str, alias: str, other: str, own: bool,
           topic: tuple[int, str] | None = None) -> Diagnostic:
    """The warning for an alias that gets no page (of a story in ``source``, or of the
    ``topic`` whose entry in ``digest.yaml`` gives it: the entry's index and its name)."""
    where = f"/{alias}"
    what, field = ("this story", "aliases") if topic is None \
        else (f"the topic {topic[1]!r}", f"topics[{topic[0]}].aliases")
    if own:
        owner = "the story" if topic is None else what
        return warning(source, f"alias {where} is {owner}'s own address; it is ignored",
                       field=field, hint=f"Remove it: {owner}'s page is there.")
    if other.startswith("/"):
        return warning(source, f"alias {where} is the address of the page {other}; no "
                       "redirect is made there", field=field,
                       hint="Remove the alias: that address shows another page.")
    return warning(source, f"alias {where} is taken by {other} (its page, or an alias of "
                   f"it); no redirect to {what} is made there", field=field,
                   hint=f"Remove the alias from one of {source} and {other}.")
