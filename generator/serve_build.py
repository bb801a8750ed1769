"""One preview build: the site built for the server's address, and its error page.

The preview goes into its own output folder inside the site's cache
(``<site>/.digest-cache/preview/``) with ``base_url`` set to the server's
address, so links work at that address whatever ``digest.yaml`` says and the
site's real ``build/`` folder is never touched. It is an ordinary incremental
``build()``: only what a change affects is read, rendered and written.

A preview build never raises: configuration errors, content errors, a broken
template or an unsafe output folder all come back as error diagnostics. When no
site could be built, an error page (``error.html``, in the site's own style) is
what the browser shows until the next clean build; when the site was built
without the files whose content has errors (as ``digest build`` publishes it), the
site is shown with a notice of those errors atop every page
(``preview-problems.html``): one bad file does not hide the rest of the site.
The notice lists the build's warnings too, apart from its errors (a mistyped
field, a date in the future: what ``digest build --strict`` fails on), so they
are seen while editing, not first in CI. Only the preview shows it; a published
build never does. A site folder whose ``content/`` is gone (deleted, or renamed
while the server runs) builds nothing: ``digest build`` refuses it too.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path

from jinja2 import TemplateError

from .build import BuildMemory, BuildReport, build
from .config import SiteConfig, build_time, load_config
from .diagnostics import Diagnostic, DigestError, Severity, error
from .frozen import frozen
from .model import build_site
from .pages import Page
from .scan import CACHE_DIR, CONTENT_DIR

ERROR_TEMPLATE = "error.html"
NOTICE_TEMPLATE = "preview-problems.html"
NOTICE_WARNINGS = 100
"""At most this many warnings are listed in the notice (it is atop every page); the
terminal, and ``digest build``, list them all."""


@frozen
class PreviewBuild:
    """What one preview build did and found."""

    report: BuildReport | None
    """The build's report; None when nothing could be built (config error, crash)."""
    problems: tuple[Diagnostic, ...]
    """Configuration problems and build diagnostics, errors and warnings."""
    seconds: float
    """Wall time of the whole preview build."""
    error_page: bytes | None
    """The page the browser shows instead of the site when none could be built."""
    notice: bytes | None = None
    """What the browser shows atop every page of a site built without the files whose
    errors it lists, or with the warnings it lists."""
    release_at: float | None = None
    """When (seconds since 1970, by the clock) the first story held back by this build is
    due, for the server to build again then; None when none is held back, or when the
    build's time does not move (``SOURCE_DATE_EPOCH`` is set)."""

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The problems that are errors."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The problems that are warnings."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


def preview_folder(source: Path) -> Path:
    """Where the preview of the site in ``source`` is built."""
    return source.resolve() / CACHE_DIR / "preview"


def build_preview(source: Path, *, base_url: str, drafts: bool, future: bool = False,
                  memory: BuildMemory | None = None,
                  touched: Collection[str] | None = None,
                  clock: Callable[[], float] = time.time) -> PreviewBuild:
    """Build the preview of ``source`` as served at ``base_url``; never raises.
    ``memory`` keeps the cache between a server's builds (see ``BuildMemory``);
    ``touched`` are the paths changed since the last build, when the watcher knows them;
    ``clock`` gives the build's time (``config.build_time``)."""
    start = time.perf_counter()
    overrides = {"base_url": base_url, "drafts": drafts or None, "future": future or None}
    config, problems = load_config(source, output=preview_folder(source), overrides=overrides)
    if not (config.source / CONTENT_DIR).is_dir():
        problems += (no_content_folder(config),)
    report: BuildReport | None = None
    if not any(p.severity is Severity.ERROR for p in problems):
        report, failure = _build(config, memory, touched, build_time(config, clock))
        problems += failure if report is None else report.diagnostics
    elif memory is not None:
        memory.forget()  # no build looked at the touched paths: the next one looks at all
    seconds = time.perf_counter() - start
    errors = tuple(p for p in problems if p.severity is Severity.ERROR)
    if report is None:
        page = render_error_page(config, errors) if errors else None
        return PreviewBuild(report, problems, seconds, page)
    warnings = tuple(p for p in problems if p.severity is Severity.WARNING)
    notice = render_notice(config, errors, warnings) if errors or warnings else None
    release_at = report.held_until if config.source_date_epoch is None else None
    return PreviewBuild(report, problems, seconds, None, notice, release_at)


def no_content_folder(config: SiteConfig) -> Diagnostic:
    """The error of a site folder without ``content/`` (as ``digest build`` refuses it)."""
    return error(f"{CONTENT_DIR}/", f"the site folder {config.source} has no {CONTENT_DIR}/ "
                 "folder, so there are no stories to show",
                 hint=f"Put {CONTENT_DIR}/ back (or make it); the preview rebuilds by itself.")


def _build(config: SiteConfig, memory: BuildMemory | None, touched: Collection[str] | None,
           now: float) -> tuple[BuildReport | None, tuple[Diagnostic, ...]]:
    try:
        return build(config, now=now, memory=memory, touched=touched), ()
    except DigestError as exc:
        return None, exc.diagnostics or (error(_site_file(config, config.output), str(exc)),)
    except TemplateError as exc:  # (raised where no page is rendered: see render_page)
        from .render import template_problem

        return None, (template_problem(exc, config.source,
                                       hint="Fix the template; the preview rebuilds on save."),)
    except OSError as exc:  # e.g. a file deleted while the build read it
        return None, (error(_site_file(config, Path(str(exc.filename or config.source))),
                            f"cannot read or write: {exc.strerror or exc}",
                            hint="Save the file again; the preview rebuilds by itself."),)
    except Exception as exc:  # noqa: BLE001 - a bug must not kill the server; it is shown
        return None, (error("digest", f"internal error: {type(exc).__name__}: {exc}",
                            hint="This is a bug in digest: please report it. The server "
                                 "keeps running and rebuilds on the next change."),)


def _site_file(config: SiteConfig, path: Path) -> str:
    """A path as the site's author knows it: relative to the site folder."""
    try:
        return path.resolve().relative_to(config.source).as_posix()
    except ValueError:
        return str(path)


def render_error_page(config: SiteConfig, problems: tuple[Diagnostic, ...]) -> bytes:
    """The error page in the site's own style, or a plain one if the theme is broken."""
    page = Page("error", "", ERROR_TEMPLATE, "Build failed",
                description=f"{len(problems)} problem(s) stop the preview")
    return _themed(config, ERROR_TEMPLATE, partial(_plain_error_page, problems),
                   site=build_site(config, []), page=page, problems=problems)


def render_notice(config: SiteConfig, errors: tuple[Diagnostic, ...],
                  warnings: tuple[Diagnostic, ...] = ()) -> bytes:
    """The notice atop the pages of a site built without the files of ``errors``, or with
    ``warnings`` (a plain one if the theme cannot make it). The template gets the errors
    as ``problems``, the first ``NOTICE_WARNINGS`` warnings as ``warnings`` and how many
    more there are as ``more_warnings``."""
    shown = warnings[:NOTICE_WARNINGS]
    return _themed(config, NOTICE_TEMPLATE, partial(_plain_notice, errors, shown),
                   problems=errors, warnings=shown, more_warnings=len(warnings) - len(shown))


def _plain_notice(errors: tuple[Diagnostic, ...], warnings: tuple[Diagnostic, ...],
                  _theme_problem: str) -> str:
    boxes = [(errors, "alert", "#c0392b"), (warnings, "status", "#b7791f")]
    return "".join(f'<aside role="{role}" style="border-bottom:2px solid {colour};padding:8px">'
                   f"<ol>{_plain_items(problems)}</ol></aside>"
                   for problems, role, colour in boxes if problems)


def _themed(config: SiteConfig, template: str, plain: Callable[[str], str],
            **context: object) -> bytes:
    """``template`` of the site's theme rendered with ``context``, or, if the theme cannot
    render it, ``plain(what went wrong)``."""
    from .render import make_environment  # Jinja is imported only to render

    try:
        text = make_environment(config).get_template(template).render(**context)
    except (TemplateError, OSError) as exc:
        text = plain(str(exc))
    return text.encode("utf-8")


def _plain_items(problems: tuple[Diagnostic, ...]) -> str:
    """``problems`` as list items, without the theme."""
    return "".join(f"<li><pre>{html.escape(p.format())}</pre></li>" for p in problems)


def _plain_error_page(problems: tuple[Diagnostic, ...], theme_problem: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Build failed</title></head>\n<body style=\"font-family:sans-serif;margin:2em\">"
        "<h1>Build failed</h1>\n<ol>" + _plain_items(problems) + "</ol>\n"
        f"<p>The theme could not show this page: {html.escape(theme_problem)}</p>"
        "</body></html>\n"
    )
