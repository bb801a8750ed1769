"""Stage 4b, render: pages -> ``RenderedPage`` (path and bytes), through Jinja2.

Rendering is pure: a page's bytes depend only on the site, the page and the
templates, so pages can be rendered in any order or in parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .bodies import render_body
from .config import SiteConfig
from .model import Article, Site, sidebar_links
from .pages import Page
from .records import Story
from .theme import template_dirs
from .urls import join_url, page_path


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """The bytes of one output file."""

    path: str
    """Output file path relative to the output folder (``news/x/index.html``)."""
    content: bytes
    """The file's bytes."""


def make_environment(config: SiteConfig) -> Environment:
    """A Jinja2 environment for the site: autoescaped, strict, with URL helpers."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(config.source)]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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

    def date_human(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return f"{local:%B} {local.day}, {local:%Y} {local:%H:%M}"

    env.globals.update(url=url, abs_url=abs_url, config=config)
    env.filters.update(date_iso=date_iso, date_human=date_human)
    return env


def render_page(env: Environment, site: Site, page: Page,
                story_for: Callable[[Article], Story]) -> RenderedPage:
    """Render one page with its template; ``story_for`` gives an article's full story."""
    template = env.get_template(page.template)
    extra: dict[str, object] = {}
    if page.kind == "article":
        story = story_for(page.article)
        extra = {
            "story": story,
            "sidebar": sidebar_links(site, page.article, story),
            "body_html": Markup(render_body(story.body, story.body_format)),
        }
    html = template.render(site=site, page=page, **extra)
    return RenderedPage(page_path(page.path), html.encode("utf-8"))


def render_pages(env: Environment, site: Site, pages: Iterable[Page],
                 story_for: Callable[[Article], Story]) -> Iterator[RenderedPage]:
    """Render pages in order."""
    for page in pages:
        yield render_page(env, site, page, story_for)
