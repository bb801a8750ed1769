"""The build: read -> validate -> model -> render -> write, in that order.

``build()`` is the one entry point; the CLI and the preview server both call it.
It never prints: it returns a ``BuildReport`` for the caller to show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from .bodies import BodyMatch, attach_bodies
from .config import SiteConfig
from .diagnostics import Diagnostic, Severity
from .model import Site, build_site
from .pages import plan_pages
from .read import find_content_files, read_source
from .records import Story, TextBody
from .render import make_environment, render_pages
from .theme import static_files
from .validate import validate_source
from .write import WriteResult, check_output_folder, write_site


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did and found."""

    stories: int
    """Articles in the site."""
    topics: int
    """Topics in the site."""
    pages: int
    """HTML pages rendered."""
    files: int
    """Files in the output (pages, assets, feeds...)."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found, in file order."""
    body_matches: tuple[BodyMatch, ...]
    """What became of each plain-text body file."""
    write: WriteResult
    """What writing changed."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage."""

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that dropped an item."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that kept the item."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def seconds(self) -> float:
        """Total time."""
        return sum(self.timings.values())


@dataclass(frozen=True, slots=True)
class LoadedContent:
    """Stories read and validated from ``content/``."""

    stories: tuple[Story, ...]
    """Articles, with plain-text bodies attached."""
    body_matches: tuple[BodyMatch, ...]
    """What became of each plain-text body file."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found while reading and validating."""


def load_content(config: SiteConfig) -> LoadedContent:
    """Read and validate every content file; attach plain-text bodies to articles."""
    zone = ZoneInfo(config.timezone)
    stories: list[Story] = []
    bodies: list[TextBody] = []
    problems: list[Diagnostic] = []
    for path in find_content_files(config.content_dir):
        source = read_source(path, site_root=config.source, max_bytes=config.max_file_bytes)
        if isinstance(source, Diagnostic):
            problems.append(source)
            continue
        result = validate_source(source, timezone=zone)
        problems.extend(result.diagnostics)
        if isinstance(result.item, Story):
            if config.drafts or not result.item.draft:
                stories.append(result.item)
        elif isinstance(result.item, TextBody):
            bodies.append(result.item)
    merged, matches = attach_bodies(stories, bodies)
    return LoadedContent(tuple(merged), tuple(matches), tuple(problems))


def build(config: SiteConfig) -> BuildReport:
    """Build the site described by ``config`` into ``config.output``."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 4)
        clock = now

    check_output_folder(config.output, source=config.source)
    content = load_content(config)
    lap("load")
    site = build_site(config, content.stories)
    pages = plan_pages(site)
    lap("model")
    env = make_environment(config)
    rendered = render_pages(env, site, pages)
    lap("render")
    files: dict[str, bytes | Path] = dict(static_files(config.source))
    files.update((page.path, page.content) for page in rendered)
    written = write_site(config.output, files)
    lap("write")
    return BuildReport(
        stories=len(site.articles),
        topics=len(site.topics),
        pages=len(rendered),
        files=len(files) + 1,
        diagnostics=content.diagnostics,
        body_matches=content.body_matches,
        write=written,
        timings=timings,
    )


def site_for(config: SiteConfig) -> tuple[Site, LoadedContent]:
    """Load content and model the site without rendering (for tools and tests)."""
    content = load_content(config)
    return build_site(config, content.stories), content
