"""Check a built site: what a reader's browser and a link checker would complain about.

``check_site`` parses every built ``.html`` file and runs a list of small checks,
each a function ``(page, site) -> list[CheckProblem]``. To add a check, write one
more such function and add it to ``PAGE_CHECKS`` (per HTML page) or ``SITE_CHECKS``
(once per site, e.g. feeds or the sitemap). It is a library: it returns problems
and never prints; a CLI or a test decides what to do with them.

Files the site publishes as they are from its ``root/`` folder (``copied``: a search
engine's verification file, ``ads.txt``...) are the publisher's, not pages of the site:
links to them are checked like links to any file, but they are not checked themselves
(a verification "page" holds one line, no HTML) nor looked for in the sitemap.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError, fromstring

import html5lib
from markupsafe import escape

from .diagnostics import DigestError
from .frozen import frozen
from .output import MARKER, read_built_for
from .urls import normalized_base_url

# Checked link-bearing attributes: (tag, attribute).
LINK_ATTRIBUTES = (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"))
# Schemes that point outside the site and are not checked.
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


@frozen
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


@frozen
class BuiltSite:
    """The output folder as the checks see it."""

    root: Path
    """The output folder."""
    base_path: str
    """URL path the site is hosted at, starting and ending with ``/``."""
    files: frozenset[str]
    """Every file in the output, relative to ``root``, with ``/`` separators."""
    site_url: str = ""
    """The site's absolute URL (``https://host/digest/``) when known: absolute links
    under it are checked like internal ones."""
    copied: frozenset[str] = frozenset()
    """The files of ``files`` published as they are from the site's ``root/`` folder
    (see ``copied_from_root``): links may lead to them, but they are not checked."""

    @property
    def generated(self) -> list[str]:
        """The files of ``files`` that the build generated (not ``copied``), sorted."""
        return sorted(self.files - self.copied)


@frozen
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

    def line_of_link(self, tag: str, attribute: str, value: str, later: int) -> int | None:
        """1-based line of the ``<tag>`` whose ``attribute`` is ``value``, the ``later``-th
        such after the first (or the last there is), if found in the source."""
        for written in dict.fromkeys((value, str(escape(value)))):  # (as is, or escaped)
            pattern = rf"<{tag}\s[^>]*?{attribute}=[\"']{re.escape(written)}[\"']"
            found = list(re.finditer(pattern, self.text))
            if found:
                index = found[min(later, len(found) - 1)].start()
                return self.text.count("\n", 0, index) + 1
        return None

    def elements(self, tag: str) -> Iterator[Element]:
        """Every element with this tag name, in document order."""
        return self.tree.iter(tag)


PageCheck = Callable[[HtmlPage, BuiltSite], list[CheckProblem]]
SiteCheck = Callable[[BuiltSite], list[CheckProblem]]


def check_site(output_dir: Path, *, base_path: str = "/", site_url: str = "",
               copied: Collection[str] = ()) -> list[CheckProblem]:
    """Every problem in the built site at ``output_dir``, hosted at URL path ``base_path``
    (and at the absolute URL ``site_url``, when given: it must end in ``base_path``);
    ``copied``: the files published as they are from the site's root/ folder (see
    ``copied_from_root``), which are not checked."""
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    files = frozenset(list_files(output_dir))
    site = BuiltSite(root=output_dir, base_path=normalize_base_path(base_path),
                     files=files, site_url=site_url, copied=files & frozenset(copied))
    problems: list[CheckProblem] = []
    for file in site.generated:
        if file.endswith(".html"):
            page = parse_page(output_dir, file)
            for page_check in PAGE_CHECKS:
                problems.extend(page_check(page, site))
    for site_check in SITE_CHECKS:
        problems.extend(site_check(site))
    return problems


def not_a_build(output: Path) -> str | None:
    """Why the folder ``output`` is not a site that digest built (None if it is one): it
    has neither digest's marker (``.digest-output``; an artifact uploaded without its
    dot-files lacks it) nor a home page, so there is nothing to check: an empty folder, or
    the wrong one (``content/``). Checking it would pass with 0 problems."""
    if (output / MARKER).is_file() or (output / "index.html").is_file():
        return None
    held = sorted(entry.name for entry in output.iterdir())
    what = ("it is empty" if not held else
            f"it holds {len(held)} file(s) and folder(s) ({', '.join(held[:3])}"
            f"{', ...' if len(held) > 3 else ''}) but no {MARKER} marker and no index.html")
    return (f"{output} does not look like a site digest built: {what}, so nothing was "
            f"checked. Pass --output with the folder digest build wrote (by default "
            f"<source>/build), or run digest build first")


class BaseUrlMismatch(DigestError):
    """``--base-url`` names another URL than the one the output was built for."""


def checked_base_url(output: Path, *, given: str | None, configured: str) -> str:
    """The base URL to check the output at ``output`` against: the one it was built for,
    as its marker records it (``output.read_built_for``); without that record, ``given``
    (``--base-url``), else ``configured`` (``digest.yaml``), as before the record existed.

    Raises ``BaseUrlMismatch`` when ``given`` names another URL than the one recorded:
    every link of the output points at the recorded one, so checking it at another would
    report every internal link and sitemap entry as broken, not what is wrong.
    """
    built_for = read_built_for(output)
    if built_for is None:
        return given if given is not None else configured
    if given is not None and _comparable(given) != _comparable(built_for):
        raise BaseUrlMismatch(
            f"{output} was built for {built_for}, not for {given} (--base-url): its links "
            f"point there, so nothing was checked. Check it without --base-url (it is "
            f"checked for the URL it was built for), or build it again with --base-url "
            f"{given} first.")
    return built_for


def _comparable(url: str) -> str:
    """``url`` as compared with another: a trailing slash, and as ``load_config`` takes
    it (``urls.normalized_base_url``: ``HTTPS://Example.org/ünï`` is
    ``https://example.org/%C3%BCn%C3%AF/``)."""
    parts = urlsplit(normalized_base_url(url))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}" if parts.netloc else path


def copied_from_root(output_dir: Path, source: Path) -> frozenset[str]:
    """The files of the output at ``output_dir`` that are, byte for byte, those of the
    site ``source``'s root/ folder (one that the build left out for colliding with a
    generated file is not: the generated file is there instead)."""
    from .theme import copied_files

    same = set()
    for rel, path in copied_files(source).root.items():
        with contextlib.suppress(OSError):
            if (output_dir / rel).read_bytes() == path.read_bytes():
                same.add(rel)
    return frozenset(same)


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
    """Every ``<img>`` has alt text (the attribute) and a positive width and height.

    An image of a story's Markdown body (inside the default theme's ``BODY_CLASS``) is
    given its size in the Markdown, and a problem with its size says how."""
    problems = []
    body_images: set[int] | None = None  # (looked for on a page with a problem only)
    for img in page.elements("img"):
        src = img.get("src", "")
        line = page.line_of(src) if src else page.line_of("<img")
        missing = [name for name in ("alt", "width", "height") if img.get(name) is None]
        wrong = [(name, value) for name in ("width", "height")
                 if (value := img.get(name)) is not None
                 and not (value.isdigit() and int(value) > 0)]
        if not missing and not wrong:
            continue
        if body_images is None:
            body_images = {id(inner) for body in _elements_of_class(page, BODY_CLASS)
                           for inner in body.iter("img")}
        hint = BODY_IMAGE_HINT.format(alt=img.get("alt") or "alt", src=src) \
            if id(img) in body_images else ""
        if missing:
            problems.append(CheckProblem(
                page.file, f"<img src={src!r}> has no {', '.join(missing)}"
                           + (hint if missing != ["alt"] else ""), line))
        problems.extend(CheckProblem(
            page.file, f"<img src={src!r}> has {name}={value!r}, not a positive number"
                       + hint, line) for name, value in wrong)
    return problems


BODY_CLASS = "story-body"
"""The class of the element holding a story's body on the default theme's article page
(``templates/article.html``)."""
BODY_IMAGE_HINT = (": in the story's Markdown body, give its size in pixels right after "
                   "it, ![{alt}]({src}){{width=640 height=480}}")
"""Said of an image of a body without a good width or height (see ``bodies``'
``IMAGE_ATTRIBUTES``)."""


def _elements_of_class(page: HtmlPage, name: str) -> Iterator[Element]:
    return (element for element in page.tree.iter()
            if name in (element.get("class") or "").split())


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
    seen: dict[str, int] = {}  # (a link found again is reported at its own line)
    for tag, attribute in LINK_ATTRIBUTES:
        for element in page.elements(tag):
            value = element.get(attribute)
            if value is None:
                continue
            message = link_problem(value, page_url=page_url, site=site)
            if message:
                key = f"{tag} {attribute}={value}"
                seen[key] = later = seen.get(key, -1) + 1
                problems.append(CheckProblem(page.file, f"<{tag} {attribute}={value!r}>: {message}",
                                             page.line_of_link(tag, attribute, value, later)))
    return problems


def link_problem(value: str, *, page_url: str, site: BuiltSite) -> str | None:
    """Why a link found on the page at ``page_url`` does not resolve, or None if it does."""
    href = value.strip()
    if not href:
        return "the link is empty"
    if site.site_url and href.startswith(site.site_url):
        href = site.base_path + href[len(site.site_url):]
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


def check_refresh(page: HtmlPage, site: BuiltSite) -> list[CheckProblem]:
    """A ``<meta http-equiv="refresh">`` that sends the reader on (a redirect page) sends
    them to a built page, like a link."""
    page_url = site.base_path + page.file
    problems = []
    for meta in page.elements("meta"):
        if (meta.get("http-equiv") or "").lower() != "refresh":
            continue
        content = meta.get("content") or ""
        found = _REFRESH_URL.match(content)
        if found is None:
            continue  # (a delay alone reloads the page itself)
        target = found.group(1).strip().strip("'\"")
        message = link_problem(target, page_url=page_url, site=site)
        if message:
            problems.append(CheckProblem(page.file, f"<meta http-equiv=refresh> to {target!r}: "
                                                    f"{message}", page.line_of("http-equiv")))
    return problems


_REFRESH_URL = re.compile(r"\s*\d*(?:\.\d*)?\s*[;,]\s*url\s*=(.*)", re.IGNORECASE | re.DOTALL)
"""The target of a refresh's ``content`` (``0; url=/topics/ai/``), as browsers read it."""


PAGE_CHECKS: tuple[PageCheck, ...] = (
    check_parse_errors,
    check_title,
    check_images,
    check_duplicate_ids,
    check_links,
    check_refresh,
)
"""Checks run on every HTML page, in order."""

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITEMAP_LIMIT = 50_000
"""Most URLs one sitemap file may hold (sitemaps.org)."""
W3C_DATE = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$")


def parse_xml(site: BuiltSite, file: str) -> tuple[Element | None, list[CheckProblem]]:
    """Parse an XML file of the output; a parse error becomes a problem."""
    try:
        return fromstring((site.root / file).read_bytes()), []
    except ParseError as exc:
        return None, [CheckProblem(file, f"XML parse error: {exc.msg}", exc.position[0])]


def url_problems(site: BuiltSite, file: str, urls: list[str], what: str) -> list[CheckProblem]:
    """A problem for each URL (found in a non-HTML file) that does not resolve."""
    problems = []
    text = ""
    for url in urls:
        message = link_problem(url, page_url=site.base_path + file, site=site)
        if message:
            text = text or (site.root / file).read_text("utf-8", errors="replace")
            index = text.find(url)
            line = text.count("\n", 0, index) + 1 if index >= 0 else None
            problems.append(CheckProblem(file, f"{what} {url!r}: {message}", line))
    return problems


def check_feeds(site: BuiltSite) -> list[CheckProblem]:
    """Atom and RSS feeds parse, have their required elements, and link to built pages."""
    problems: list[CheckProblem] = []
    for file in (f for f in site.generated if f.endswith((".xml", ".rss", ".atom"))):
        root, errors = parse_xml(site, file)
        problems += errors
        if root is not None and root.tag == f"{ATOM}feed":
            problems += _atom_problems(site, file, root)
        elif root is not None and root.tag == "rss":
            problems += _rss_problems(site, file, root)
    return problems


def _missing(file: str, element: Element, names: tuple[str, ...], where: str) -> list[CheckProblem]:
    return [CheckProblem(file, f"{where} has no <{name.rsplit('}', 1)[-1]}>")
            for name in names if not (element.findtext(name) or "").strip()]


def _atom_problems(site: BuiltSite, file: str, feed: Element) -> list[CheckProblem]:
    required = (f"{ATOM}id", f"{ATOM}title", f"{ATOM}updated")
    problems = _missing(file, feed, required, "the Atom feed")
    links = []
    for number, entry in enumerate(feed.iter(f"{ATOM}entry"), start=1):
        problems += _missing(file, entry, required, f"Atom entry {number}")
        links += [link.get("href", "") for link in entry.iter(f"{ATOM}link")
                  if link.get("rel", "alternate") == "alternate"]
    return problems + url_problems(site, file, links, "entry link")


def _rss_problems(site: BuiltSite, file: str, rss: Element) -> list[CheckProblem]:
    channel = rss.find("channel")
    if channel is None:
        return [CheckProblem(file, "the RSS feed has no <channel>")]
    problems = _missing(file, channel, ("title", "link", "description"), "the RSS channel")
    links = []
    for number, item in enumerate(channel.iter("item"), start=1):
        if not (item.findtext("title") or item.findtext("description")):
            problems.append(CheckProblem(file, f"RSS item {number} has no title or description"))
        links += [item.findtext("link") or ""]
    return problems + url_problems(site, file, links, "item link")


def check_json_files(site: BuiltSite) -> list[CheckProblem]:
    """JSON files parse; JSON Feeds have the fields the 1.1 spec requires."""
    problems: list[CheckProblem] = []
    for file in (f for f in site.generated if f.endswith(".json")):
        try:
            document = json.loads((site.root / file).read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
            problems.append(CheckProblem(file, f"JSON parse error: {exc}", line))
            continue
        if isinstance(document, dict) and str(document.get("version", "")).startswith(
                "https://jsonfeed.org/version/"):
            problems += _json_feed_problems(site, file, document)
        elif file.startswith(API_FOLDER) and isinstance(document, dict):
            problems += url_problems(site, file, list(_api_urls(document)), "API link")
    return problems


API_FOLDER = "api/"
"""Where the JSON API's pages are (``api/news/index.json``, ``api/topics/index.json``)."""
API_URL_KEYS = ("pageUrl", "apiUrl")
"""Keys of an API record that name a file of the site (a story's or topic's page, a
topic's API page); a topic's ``feeds`` map each format to its feed."""


def _api_urls(document: dict[str, Any]) -> Iterator[str]:
    """The URLs of the site's own files that an API page's records name."""
    records = document.get("value")
    for record in records if isinstance(records, list) else ():
        if not isinstance(record, dict):
            continue
        feeds = record.get("feeds")
        named = [record.get(key) for key in API_URL_KEYS]
        named += list(feeds.values()) if isinstance(feeds, dict) else []
        yield from (url for url in named if isinstance(url, str))


def _json_feed_problems(site: BuiltSite, file: str, feed: dict[str, Any]) -> list[CheckProblem]:
    problems = []
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append(CheckProblem(file, "the JSON Feed has no title"))
    items = feed.get("items")
    if not isinstance(items, list):
        return [*problems, CheckProblem(file, "the JSON Feed has no items list")]
    links = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(CheckProblem(file, f"JSON Feed item {number} has no id"))
            continue
        if not any(isinstance(item.get(k), str) for k in ("content_text", "content_html")):
            problems.append(CheckProblem(file, f"JSON Feed item {number} has no content"))
        if isinstance(item.get("url"), str):
            links.append(item["url"])
    return problems + url_problems(site, file, links, "item url")


def check_sitemap(site: BuiltSite) -> list[CheckProblem]:
    """The sitemap (if any) parses, its URLs resolve, and it lists every HTML page; a
    sitemap index's files are read in turn."""
    if "sitemap.xml" not in site.files:
        return []
    root, problems = parse_xml(site, "sitemap.xml")
    if root is None:
        return problems
    sitemaps = [("sitemap.xml", root)]
    relative = True  # (whether site-relative <loc>s are still to report: once in all)
    if root.tag == f"{SITEMAP}sitemapindex":
        found = _sitemap_entry_problems(site, "sitemap.xml", root, "sitemap")
        relative = not any(problem.message.endswith(RELATIVE_HINT) for problem in found)
        problems += found
        sitemaps = []
        for loc in _locs(root, "sitemap"):
            file = _target(site, loc)
            if file in site.files:
                part, errors = parse_xml(site, file)
                problems += errors
                if part is not None:
                    sitemaps.append((file, part))
    listed: set[str] = set()
    for file, urlset in sitemaps:
        problems += _sitemap_entry_problems(site, file, urlset, "url", relative=relative)
        locs = _locs(urlset, "url")
        if len(locs) > SITEMAP_LIMIT:
            problems.append(CheckProblem(file, f"{len(locs):,} URLs: a sitemap may hold "
                                               f"{SITEMAP_LIMIT:,} at most"))
        listed.update(_target(site, loc) for loc in locs)
    problems += [CheckProblem("sitemap.xml", f"the page {file!r} is not listed")
                 for file in site.generated
                 if file.endswith("index.html") and file not in listed
                 and not _not_indexed(site, file)]
    return problems


def _not_indexed(site: BuiltSite, file: str) -> bool:
    """Whether the page asks search engines not to index it (``<meta name="robots"
    content="noindex">``: a redirect page), so that the sitemap leaves it out."""
    page = parse_page(site.root, file)
    return any((meta.get("name") or "").lower() == "robots"
               and "noindex" in (meta.get("content") or "").lower()
               for meta in page.elements("meta"))


def _locs(root: Element, element: str) -> list[str]:
    return [(entry.findtext(f"{SITEMAP}loc") or "").strip()
            for entry in root.iter(f"{SITEMAP}{element}")]


def _sitemap_entry_problems(site: BuiltSite, file: str, root: Element,
                            element: str, *, relative: bool = True) -> list[CheckProblem]:
    """Each ``<url>`` (or ``<sitemap>``) has a W3C lastmod, if any, and a loc that resolves
    (and, unless not ``relative``, is a full URL: an index whose locs are not stands for
    its files)."""
    problems = []
    for entry in root.iter(f"{SITEMAP}{element}"):
        lastmod = entry.findtext(f"{SITEMAP}lastmod")
        if lastmod is not None and not W3C_DATE.match(lastmod.strip()):
            problems.append(CheckProblem(file, f"lastmod {lastmod!r} is not a W3C date"))
    locs = _locs(root, element)
    return problems + (_relative_loc_problems(site, file, locs) if relative else []) \
        + url_problems(site, file, locs, "<loc>")


def _relative_loc_problems(site: BuiltSite, file: str, locs: list[str]) -> list[CheckProblem]:
    """One problem for a sitemap whose ``<loc>``s are not full URLs (a build for a
    ``base_url`` without a host, which the build warns about): the sitemap protocol wants
    ``https://host/...``, and search engines drop the rest."""
    relative = [loc for loc in locs if not urlsplit(loc).netloc]
    if not relative:
        return []
    text = (site.root / file).read_text("utf-8", errors="replace")
    index = text.find(f"<loc>{escape(relative[0])}</loc>")
    line = text.count("\n", 0, index) + 1 if index >= 0 else None
    return [CheckProblem(
        file, f"{len(relative)} <loc> URL(s) are site-relative, e.g. {relative[0]!r}: the "
        f"sitemap protocol wants full URLs (search engines ignore the rest). {RELATIVE_HINT}",
        line)]


RELATIVE_HINT = ("Pass --base-url https://example.org/digest/ to digest build, or set "
                 "base_url in digest.yaml")
"""How the problem of site-relative sitemap URLs ends (the fix)."""


def _target(site: BuiltSite, url: str) -> str:
    """The output file a sitemap URL names ('' if outside the site)."""
    if site.site_url and url.startswith(site.site_url):
        url = site.base_path + url[len(site.site_url):]
    path = urlsplit(url).path
    if not path.startswith(site.base_path):
        return ""
    target = unquote(path[len(site.base_path):])
    return target + "index.html" if target == "" or target.endswith("/") else target


SITE_CHECKS: tuple[SiteCheck, ...] = (check_feeds, check_json_files, check_sitemap)
"""Checks run once on the whole output (feeds, sitemap, ...)."""
