"""Check a built site: what a reader's browser and a link checker would complain about.

``check_site`` parses every built ``.html`` file and runs a list of small checks,
each a function ``(page, site) -> list[CheckProblem]``. To add a check, write one
more such function and add it to ``PAGE_CHECKS`` (per HTML page) or ``SITE_CHECKS``
(once per site, e.g. feeds or the sitemap). It is a library: it returns problems
and never prints; a CLI or a test decides what to do with them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element

import html5lib

# Checked link-bearing attributes: (tag, attribute).
LINK_ATTRIBUTES = (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"))
# Schemes that point outside the site and are not checked.
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One thing wrong with one built file."""

    file: str
    """Path of the file, relative to the output folder (``news/x/index.html``)."""
    message: str
    """What is wrong, quoting the bad value."""
    line: int | None = None
    """1-based line in the file, where one is known."""

    def format(self) -> str:
        """Render as ``file:line: message``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class BuiltSite:
    """The output folder as the checks see it."""

    root: Path
    """The output folder."""
    base_path: str
    """URL path the site is hosted at, starting and ending with ``/``."""
    files: frozenset[str]
    """Every file in the output, relative to ``root``, with ``/`` separators."""


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """One parsed HTML file."""

    file: str
    """Path relative to the output folder."""
    text: str
    """The file's text (for finding lines)."""
    tree: Element
    """The parsed document (html5lib's etree, without namespaces)."""
    parse_errors: tuple[tuple[int, str, dict[str, Any]], ...]
    """html5lib's parse errors: (line, code, details)."""

    def line_of(self, needle: str) -> int | None:
        """1-based line of the first occurrence of ``needle`` in the source, if any."""
        index = self.text.find(needle)
        return None if index < 0 else self.text.count("\n", 0, index) + 1

    def elements(self, tag: str) -> Iterator[Element]:
        """Every element with this tag name, in document order."""
        return self.tree.iter(tag)


PageCheck = Callable[[HtmlPage, BuiltSite], list[CheckProblem]]
SiteCheck = Callable[[BuiltSite], list[CheckProblem]]


def check_site(output_dir: Path, *, base_path: str = "/") -> list[CheckProblem]:
    """Every problem in the built site at ``output_dir``, hosted at URL path ``base_path``."""
    site = BuiltSite(root=output_dir, base_path=normalize_base_path(base_path),
                     files=frozenset(list_files(output_dir)))
    problems: list[CheckProblem] = []
    for file in sorted(site.files):
        if file.endswith(".html"):
            page = parse_page(output_dir, file)
            for page_check in PAGE_CHECKS:
                problems.extend(page_check(page, site))
    for site_check in SITE_CHECKS:
        problems.extend(site_check(site))
    return problems


def normalize_base_path(base_path: str) -> str:
    """``digest`` -> ``/digest/``; ``""`` -> ``/``."""
    path = "/" + base_path.strip("/")
    return path if path == "/" else path + "/"


def list_files(root: Path) -> Iterator[str]:
    """Every file below ``root``, relative, with ``/`` separators."""
    for folder, _dirs, names in os.walk(root):
        for name in names:
            yield (Path(folder) / name).relative_to(root).as_posix()


def parse_page(root: Path, file: str) -> HtmlPage:
    """Parse one HTML file with html5lib, keeping its parse errors."""
    raw = (root / file).read_bytes()
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    tree = parser.parse(raw)
    errors = tuple((position[0], code, details or {}) for position, code, details in parser.errors)
    return HtmlPage(file=file, text=raw.decode("utf-8", errors="replace"), tree=tree,
                    parse_errors=errors)


def check_parse_errors(page: HtmlPage, site: BuiltSite) -> list[CheckProblem]:
    """The page parses as HTML5 without errors."""
    return [
        CheckProblem(page.file, f"HTML parse error {code!r}"
                     + (f" {_describe(details)}" if details else ""), line)
        for line, code, details in page.parse_errors
    ]


def _describe(details: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{key}={value!r}" for key, value in sorted(details.items())) + ")"


def check_title(page: HtmlPage, site: BuiltSite) -> list[CheckProblem]:
    """The page has a non-empty ``<title>``."""
    title = page.tree.find(".//head/title")
    if title is None:
        return [CheckProblem(page.file, "the page has no <title>")]
    if not "".join(title.itertext()).strip():
        return [CheckProblem(page.file, "the page's <title> is empty", page.line_of("<title"))]
    return []


def check_images(page: HtmlPage, site: BuiltSite) -> list[CheckProblem]:
    """Every ``<img>`` has alt text (the attribute) and a positive width and height."""
    problems = []
    for img in page.elements("img"):
        src = img.get("src", "")
        line = page.line_of(src) if src else page.line_of("<img")
        missing = [name for name in ("alt", "width", "height") if img.get(name) is None]
        if missing:
            problems.append(CheckProblem(
                page.file, f"<img src={src!r}> has no {', '.join(missing)}", line))
        for name in ("width", "height"):
            value = img.get(name)
            if value is not None and not (value.isdigit() and int(value) > 0):
                problems.append(CheckProblem(
                    page.file, f"<img src={src!r}> has {name}={value!r}, not a positive number",
                    line))
    return problems


def check_duplicate_ids(page: HtmlPage, site: BuiltSite) -> list[CheckProblem]:
    """No two elements of the page share an ``id``."""
    seen: set[str] = set()
    problems = []
    for element in page.tree.iter():
        value = element.get("id")
        if value is None:
            continue
        if value in seen:
            problems.append(CheckProblem(page.file, f"duplicate id {value!r}",
                                         page.line_of(f'id="{value}"')))
        seen.add(value)
    return problems


def check_links(page: HtmlPage, site: BuiltSite) -> list[CheckProblem]:
    """Every internal link and asset resolves to a built file when hosted at ``base_path``."""
    page_url = site.base_path + page.file
    problems = []
    for tag, attribute in LINK_ATTRIBUTES:
        for element in page.elements(tag):
            value = element.get(attribute)
            if value is None:
                continue
            message = link_problem(value, page_url=page_url, site=site)
            if message:
                problems.append(CheckProblem(page.file, f"<{tag} {attribute}={value!r}>: {message}",
                                             page.line_of(f'{attribute}="{value}"')))
    return problems


def link_problem(value: str, *, page_url: str, site: BuiltSite) -> str | None:
    """Why a link found on the page at ``page_url`` does not resolve, or None if it does."""
    href = value.strip()
    if not href:
        return "the link is empty"
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if parts.scheme.lower() in EXTERNAL_SCHEMES or (not parts.scheme and parts.netloc):
            return None
        return f"the scheme {parts.scheme!r} is not allowed in a link"
    if not parts.path:
        return None  # "#fragment" or "?query": the page itself
    path = urlsplit(urljoin(page_url, href)).path
    if not path.startswith(site.base_path):
        return f"it points outside the site's base path {site.base_path!r}"
    target = unquote(path[len(site.base_path):])
    if target == "" or target.endswith("/"):
        target += "index.html"
    if target in site.files:
        return None
    if target + "/index.html" in site.files:
        return f"no file {target!r}; did you mean {value.rstrip('/')}/ (a trailing slash)?"
    return f"no built file {target!r}"


PAGE_CHECKS: tuple[PageCheck, ...] = (
    check_parse_errors,
    check_title,
    check_images,
    check_duplicate_ids,
    check_links,
)
"""Checks run on every HTML page, in order."""

SITE_CHECKS: tuple[SiteCheck, ...] = ()
"""Checks run once on the whole output (feeds, sitemap, ...)."""
