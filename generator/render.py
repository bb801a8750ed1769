"""Stage 4b, render: pages -> ``RenderedPage`` (path and bytes), through Jinja2.

Rendering is pure: a page's bytes depend only on the site, the page and the
templates, so pages can be rendered in any order or in parallel.

HTML pages, Atom, RSS and the sitemap go through Jinja templates; JSON outputs
(JSON Feed, the API) and robots.txt are written by Python functions, chosen by
the page's template name in ``PYTHON_RENDERERS``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)
from jinja2.utils import missing
from markupsafe import Markup, escape

from .api import render_api_news, render_api_topics
from .bodies import render_body
from .config import SiteConfig
from .diagnostics import Diagnostic, DigestError, error
from .feeds import feed_for, render_json_feed
from .frozen import frozen
from .i18n import Translations
from .jinja_output import CODE_VERSION, DigestEnvironment
from .model import Article, Site, sidebar_links
from .pages import SITEMAP_KINDS, Page
from .records import Extra, Story
from .scan import CACHE_DIR
from .schema_json import utc_iso
from .seo import page_meta, render_robots, sitemap_entries
from .site_images import show_site_images
from .theme import THEME_PREFIX, default_theme_dir, template_dirs
from .urls import join_url, page_path

PYTHON_RENDERERS: dict[str, Callable[[Site, Page], bytes]] = {
    "feed.json": render_json_feed,
    "api-news.json": render_api_news,
    "api-topics.json": render_api_topics,
    "robots.txt": render_robots,
}
"""Outputs made by Python rather than a template, by template name."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 forbids; dropped from XML outputs so they always parse."""


@frozen
class RenderedPage:
    """The bytes of one output file."""

    path: str
    """Output file path relative to the output folder (``news/x/index.html``)."""
    content: bytes
    """The file's bytes."""


class SiteUndefined(StrictUndefined):
    """What a template gets for a name or field that is not there: an error (a misspelt
    ``story.titel`` stops the build, naming the template and line), except for a field
    that a story's own front matter lacks (``story.extra.author``, ``article.extra.label``):
    stories differ in the fields they give, so that one is empty and false, as it is in
    Hugo's ``.Params`` and Jekyll's ``page`` (``{% if story.extra.author %}``, ``is
    defined``, ``|default("Staff")`` and ``story.extra.byline.name`` all work)."""

    __slots__ = ()

    def __new__(cls, hint: str | None = None, obj: object = missing, name: str | None = None,
                exc: type[TemplateRuntimeError] = UndefinedError) -> Any:
        if isinstance(obj, Extra):  # (then not a SiteUndefined: Python calls no __init__)
            return ChainableUndefined(hint, obj, name, exc)
        return super().__new__(cls)


def make_environment(config: SiteConfig) -> Environment:
    """A Jinja2 environment for the site: autoescaped, strict, with URL helpers."""
    env = DigestEnvironment(
        loader=ChoiceLoader([*(FileSystemLoader(str(d)) for d in template_dirs(config.source)),
                             PrefixLoader({THEME_PREFIX.rstrip("/"): FileSystemLoader(
                                 str(default_theme_dir()))})]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=SiteUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # an environment serves one build: no need to stat each template for every page
        auto_reload=False,
        # compiled templates are kept beside the build cache: a fresh process skips compiling
        bytecode_cache=_bytecode_cache(config),
    )
    zone = ZoneInfo(config.timezone)
    base_path = config.base_path
    site_url = config.site_url

    def url(path: str) -> str:
        return base_path + path.lstrip("/")

    def abs_url(path: str) -> str:
        return join_url(site_url, path)

    def date_iso(moment: datetime) -> str:
        return moment.astimezone(zone).isoformat()

    human_date = config.translations.human_dates()

    def date_human(moment: datetime) -> str:
        return human_date(moment.astimezone(zone))

    def date_rfc822(moment: datetime) -> str:
        from email.utils import format_datetime  # (here: only feeds need it, and an
        # import of email.utils took 5 ms of every build, most of which render no feed)

        return format_datetime(moment.astimezone(UTC), usegmt=True)

    # ``url`` is both: the shipped templates write ``path|url``, as a filter is called
    # directly while a global goes through ``Context.call`` (0.57 against 1.68 us; a topic
    # page has 90 of them); themes may keep writing ``url(path)``.
    translate = translator(config.translations)
    # ``t`` too: the shipped templates write ``"key"|t``, which Jinja folds into the text
    # when it compiles the template (a filter of constants), so that a string costs
    # nothing per page; ``t("key")`` reads better in a theme, and is called per page
    env.globals.update(url=url, abs_url=abs_url, config=config, t=translate)
    env.filters.update(url=url, date_iso=date_iso, date_human=date_human, date_utc=utc_iso,
                       date_rfc822=date_rfc822, as_html=as_html, t=translate)
    return env


def translator(translations: Translations) -> Callable[..., str]:
    """The ``t`` of templates: ``"key"|t`` or ``t("key")`` is the string ``key`` in the
    site's language, ``"stories"|t(count=n)`` its plural form for ``n``, with its
    placeholders filled in from the keyword arguments. Given HTML (``Markup``, a
    ``{% set %}`` block), the text is escaped and the HTML kept (``Markup.format``);
    given text, it is text, escaped where it is output. A key no table has, or a
    placeholder not given, stops the build naming the template and line."""

    text, message = translations.text, translations.message

    def t(key: str, /, **values: object) -> str:
        try:
            for value in values.values():
                if hasattr(value, "__html__"):
                    break
            else:
                return text(key, **values)
            said = message(key, values.get("count"))
            try:
                return escape(said).format(**values)
            except KeyError as exc:
                raise LookupError(f"the string {key!r} ({said!r}) needs a value for "
                                  f"{{{exc.args[0]}}}") from None
        except LookupError as exc:
            raise TemplateRuntimeError(str(exc)) from None

    return t


def as_html(text: str) -> str:
    """Plain text as HTML source, for feed elements that readers treat as HTML (RSS
    ``<description>``, Atom ``type="html"``): autoescaping then escapes it once more,
    so ``<script>`` in a title reaches the reader as text, never as markup."""
    return str(escape(text))


def _bytecode_cache(config: SiteConfig) -> FileSystemBytecodeCache | None:
    """Compiled templates, kept in the site's cache folder (none if it is not writable).

    Jinja runs a filter on a constant when it compiles the template (``"/static/x.css"|url``
    is compiled to the text it gives, and ``"latest"|t`` to the string in the site's
    language), so the code holds what the filters of
    ``make_environment`` read from the settings: it is kept under their digest as well as
    under the template's source. (Under the source alone, a build for another base URL
    loaded code compiled for the last one, and kept its links.)"""
    folder = config.source / CACHE_DIR / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    read = repr((config.base_path, config.site_url, config.timezone, config.translations)
                ).encode("utf-8")
    settings = hashlib.blake2b(read, digest_size=6).hexdigest()
    # (named apart from plain Jinja's: the code they hold calls ``escape_output``)
    return FileSystemBytecodeCache(
        str(folder), pattern=f"__digest{CODE_VERSION}_{settings}_%s.cache")


def render_page(env: Environment, site: Site, page: Page,
                story_for: Callable[[Article], Story],
                body_html: Callable[[Story], str] | None = None) -> RenderedPage:
    """Render one page; ``story_for`` gives an article's full story, ``body_html`` its
    body as HTML (default: rendered now)."""
    python_renderer = PYTHON_RENDERERS.get(page.template)
    if python_renderer is not None:  # (they make UTF-8: the API's records come so)
        return RenderedPage(page_path(page.path), python_renderer(site, page))
    context = _context(site, page, story_for, body_html)
    try:
        text = env.get_template(page.template).render(site=site, page=page, **context)
    except DigestError:
        raise
    except Exception as exc:  # (a name the page lacks, a filter given a wrong value, a
        # syntax error in a template compiled only now; or Python's own error in an
        # expression of the template: ``1 // 0``, ``title / 2``)
        raise template_failure(exc, site.config.source, page_path(page.path)) from exc
    if page.template.endswith(".xml"):
        text = _NOT_XML.sub("", text)
    return RenderedPage(page_path(page.path), text.encode("utf-8"))


def template_failure(exc: Exception, source: Path, rendering: str) -> DigestError:
    """A template that failed while rendering ``rendering``: an error that stops the build
    (see :func:`template_problem`)."""
    problem = template_problem(exc, source, rendering=rendering)
    return DigestError(
        f"a template failed ({problem.file}{f':{problem.line}' if problem.line else ''}); "
        "the build stopped, leaving the output of the last build as it was",
        diagnostics=(problem,))


def template_problem(exc: Exception, source: Path, *, rendering: str | None = None,
                     hint: str = "Fix the template and build again.") -> Diagnostic:
    """A template error as a problem naming the template file (relative to ``source``, the
    site) and line: a syntax error's own, or else those of the innermost template frame of
    the traceback (Jinja gives its frames the template's file and line)."""
    where, line = "templates", None
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        where, line = exc.filename, exc.lineno
    else:
        frame = exc.__traceback__
        while frame is not None:
            name = frame.tb_frame.f_code.co_filename
            if name.endswith(TEMPLATE_SUFFIXES) and Path(name).is_file():
                where, line = name, frame.tb_lineno
            frame = frame.tb_next
    with contextlib.suppress(ValueError):
        where = Path(where).resolve().relative_to(source.resolve()).as_posix()
    during = f" (rendering {rendering})" if rendering else ""
    if isinstance(exc, TemplateNotFound):
        return error(where, f"template not found: {exc.name!r}, which this template "
                     f"extends, includes or imports{during}", line=line,
                     hint="Add it to templates/ (a default theme's template is named "
                          f"'{THEME_PREFIX}<name>'), or fix the name.")
    if isinstance(exc, RecursionError) and where.startswith("templates/"):
        name = where.removeprefix("templates/")
        return error(where, f"template error: {where} extends or includes itself: "
                     f"'{name}' names the site's own file{during}", line=line,
                     hint=f"To build on the default theme's {name}, write "
                          f"{{% extends \"{THEME_PREFIX}{name}\" %}}.")
    said = (exc.message or str(exc)) if isinstance(exc, TemplateError) \
        else f"{type(exc).__name__}: {exc}"
    return error(where, f"template error: {said}{during}", line=line, hint=hint)


TEMPLATE_SUFFIXES = (".html", ".xml")
"""The files of a theme that are templates."""


def _context(site: Site, page: Page, story_for: Callable[[Article], Story],
             body_html: Callable[[Story], str] | None) -> dict[str, object]:
    """What a page's template sees besides ``site`` and ``page``."""
    if page.kind == "feed":
        return {"feed": feed_for(site, page)}
    if page.kind in SITEMAP_KINDS:
        return {"entries": sitemap_entries(site, page)}
    extra: dict[str, object] = {"meta": page_meta(site, page)}
    if page.kind == "article":
        story = story_for(page.article)
        body = body_html(story) if body_html is not None \
            else render_body(story.body, story.body_format)
        extra.update(
            story=story,
            sidebar=sidebar_links(site, page.article, story),
            body_html=Markup(show_site_images(body, story.body_images)),
        )
    return extra


def render_pages(env: Environment, site: Site, pages: Iterable[Page],
                 story_for: Callable[[Article], Story]) -> Iterator[RenderedPage]:
    """Render pages in order."""
    for page in pages:
        yield render_page(env, site, page, story_for)
