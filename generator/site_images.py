"""Images a site serves itself: a story's image given as a path of this site.

A story's ``images[].url``, or an image of its Markdown body, may name a file of the
site's ``static/`` folder (``/static/img/hero.jpg``, ``static/img/hero.jpg``: published
at ``static/img/hero.jpg``) or of its ``root/`` folder (``/logo.png``: ``root/logo.png``),
as Hugo's ``relURL`` and Jekyll's ``relative_url`` make such links. Paths are from the
site's root, which is ``base_url``'s path: under ``https://example.org/digest/``, the
page shows ``/digest/static/img/hero.jpg``, and feeds, the JSON API, JSON-LD and
``og:image`` the whole URL (``feeds.absolute_image``). A file that is there gives the
image its width and height when the story does not (``image_size``); a path that names
no file is a warning naming the folders looked in, and the image is not shown.

Which files a story's images name, and how each looked (size, mtime), is kept with the
story's cache entry (``ParsedFile.site_files``): a build that finds one of them changed,
added or deleted reads the story again (``stale_site_files``), so that its pages show the
new size, or its warning, as a clean build would.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from urllib.parse import quote, unquote

from .bodies import link_definitions, link_label
from .frozen import frozen
from .image_size import read_image_size
from .records import SiteImage
from .theme import ROOT_DIR, STATIC_DIR, TEMPLATES_DIR, default_theme_dir, is_litter
from .urls import URL_SCHEME

SiteFileStamp = tuple[str, int, int]
"""A file of the site that a story's image names: (its output path, its size and mtime in
ns when the story was read, -1 and -1 when there was none)."""
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\\"'<>]")
"""What a path as written may not hold (a space is written %20)."""
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\\]")
"""What the name of a file it names may not hold, once decoded."""
_QUOTE_SAFE = "/!$&'()*+,;=:@~"
MISSING = (-1, -1)


@frozen
class SitePath:
    """An image's URL read as a path of this site."""

    path: str
    """The output path of the file it names, decoded (``static/img/my hero.jpg``)."""
    suffix: str = ""
    """Its query and fragment (``?v=2``), kept in the URL but not in the file's name."""

    def url(self, base_path: str) -> str:
        """The image's link under the site's base path (``/digest/static/img/x.jpg``)."""
        return base_path + quote(self.path, safe=_QUOTE_SAFE) + self.suffix


def is_site_path(url: str) -> bool:
    """Whether the image URL ``url`` is written as a path (``/static/x.jpg``,
    ``static/x.jpg``, ``logo.png``) rather than a URL (``https://...``, ``//host/x``,
    or ``cdn.example.com/x.jpg``: a host without its scheme)."""
    text = url.strip()
    if text.startswith("//") or URL_SCHEME.match(text):
        return False
    first = text.split("/")[0]
    return text.startswith("/") or "/" not in text or "." not in first or first in (".", "..")


def site_path(url: str) -> SitePath | None:
    """The file of this site the path ``url`` names (None: no path of a file, as ``..``,
    a folder, a space or a quote make it)."""
    text = url.strip()
    cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=len(text))
    path, suffix = unquote(text[:cut]), text[cut:]
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or path.endswith("/") or ".." in parts or _UNSAFE.search(text) \
            or _UNSAFE_NAME.search(path):
        return None
    return SitePath("/".join(parts), suffix)


def looked_in(path: str) -> str:
    """The folders a site path's file is looked for in, for messages."""
    return (f"{STATIC_DIR}/ (and {TEMPLATES_DIR}/{STATIC_DIR}/ and the default theme's)"
            if path.startswith(STATIC_DIR + "/") else f"{ROOT_DIR}/")


def find_site_file(site_root: Path, path: str) -> Path | None:
    """The file published at the output path ``path`` from the site's ``static/`` (its
    own, then its templates', then the default theme's) or ``root/``, as ``theme``'s
    ``copied_files`` copies them: none of editor litter, nor a symlink out of the site."""
    if any(is_litter(part) for part in path.split("/")):
        return None
    places: tuple[tuple[Path, Path], ...]
    if path.startswith(STATIC_DIR + "/"):
        rest = path[len(STATIC_DIR) + 1:]
        theme = default_theme_dir()
        places = ((site_root / STATIC_DIR, site_root),
                  (site_root / TEMPLATES_DIR / STATIC_DIR, site_root),
                  (theme / STATIC_DIR, theme))
    else:
        rest, places = path, ((site_root / ROOT_DIR, site_root),)
    for folder, within in places:
        candidate = folder / rest
        real = os.path.realpath(candidate)
        top = os.path.realpath(within)
        if real.startswith(top + os.sep) and os.path.isfile(real):
            return candidate
    return None


def stamp_site_file(site_root: Path, path: str) -> SiteFileStamp:
    """How the file of output path ``path`` looks now (see ``SiteFileStamp``)."""
    return _locate(site_root, path)[0]


def _locate(site_root: Path, path: str) -> tuple[SiteFileStamp, Path | None]:
    found = find_site_file(site_root, path)
    if found is not None:
        try:
            stat = os.stat(found)
            return (path, stat.st_size, stat.st_mtime_ns), found
        except OSError:
            pass
    return (path, *MISSING), None


class SiteFiles:
    """The files of one site that one content file's images name, looked up as it is
    validated, with what was found (for its cache entry and its digest). Without a
    ``site_root``, no file is there."""

    def __init__(self, site_root: Path | None, base_path: str = "/") -> None:
        self.site_root = site_root
        self.base_path = base_path
        self.found: dict[str, tuple[SiteFileStamp, tuple[int, int] | None]] = {}

    def look(self, path: str) -> tuple[bool, tuple[int, int] | None]:
        """Whether the file of output path ``path`` is there, and its size if it says it."""
        if path not in self.found:
            stamp, file = _locate(self.site_root, path) if self.site_root is not None \
                else ((path, *MISSING), None)
            self.found[path] = (stamp, read_image_size(file) if file is not None else None)
        stamp, size = self.found[path]
        return stamp[1] >= 0, size

    def url(self, named: SitePath) -> str:
        """The link to the file ``named`` names, under the site's base path."""
        return named.url(self.base_path)

    def stamps(self) -> tuple[SiteFileStamp, ...]:
        """The files looked up, with how each looked (in order of output path)."""
        return tuple(sorted(stamp for stamp, _size in self.found.values()))

    def outcome(self) -> str:
        """What was found, as text for the story's digest: the pages that show it change
        when a file comes, goes or changes its size (not when only its bytes change)."""
        return ";".join(f"{path}:{int(stamp[1] >= 0)}:{size}" for path, (stamp, size)
                        in sorted(self.found.items()))


_BODY_IMAGE = re.compile(r"!\[(?:[^\]\\\n]|\\.)*\]\(\s*<?([^\s)>]+)")
"""An inline image of a Markdown body, its link in group 1."""
_REFERENCE_IMAGE = re.compile(
    r"!\[((?:[^\]\\\n]|\\.)*)\](?:\[((?:[^\]\\\n]|\\.)*)\]|(?!\())")
"""A reference-style image of a Markdown body: ``![alt][label]`` (label in group 2),
``![label][]`` and ``![label]`` (label in group 1; group 2 empty or None)."""


def body_site_images(body: str) -> Iterable[tuple[int, str, SitePath | None]]:
    """The images of a Markdown body whose link is a path: (line within ``body``, from 0;
    the link as written; the path it names, None if it names none). An inline image
    (``![alt](/static/x.png)``) is at its line; a reference-style one (``![alt][hero]``,
    ``![hero][]``, ``![hero]``) at the line of its label's definition (``[hero]:
    /static/x.png``), once however many images use it, its link written ``[hero]:
    /static/x.png``. (An image whose brackets span lines, or hold brackets, is not looked
    at; one in a code span is, as an inline image there is.)"""
    if "![" not in body:
        return
    lines = body.split("\n")
    for number, line in enumerate(lines):
        if "![" in line:
            for found in _BODY_IMAGE.finditer(line):
                link = found[1]
                if is_site_path(link) and not link.startswith("#"):
                    yield number, link, site_path(link)
    if "]:" in body:
        yield from _reference_images(body, lines)


def _reference_images(body: str, lines: list[str]) -> Iterable[tuple[int, str, SitePath | None]]:
    """``body_site_images``'s reference-style images: their definitions, read by
    markdown-it as the page is (only for a body with a ``]:``: most have none)."""
    used: dict[str, str] = {}  # (label as matched: label as first written)
    for line in lines:
        if "![" in line:
            for found in _REFERENCE_IMAGE.finditer(line):
                written = found[2] or found[1]
                used.setdefault(link_label(written), written)
    if not used:
        return
    definitions = link_definitions(body)
    for label, (link, number) in sorted(definitions.items(), key=lambda item: item[1][1]):
        if label in used and is_site_path(link) and not link.startswith("#"):
            yield number, f"[{used[label]}]: {link}", site_path(link)


_IMG = re.compile(r'<img src="([^"]*)"([^>]*)>')


def show_site_images(body_html: str, images: tuple[SiteImage, ...]) -> str:
    """A body's HTML with each image that is a file of this site (``images``: those the
    story's body names) linked under the base path, and given the file's width and height
    where the body gives none."""
    if not images or "<img" not in body_html:
        return body_html
    by_path: Mapping[str, SiteImage] = {image.path: image for image in images}

    def shown(found: re.Match[str]) -> str:
        named = site_path(html.unescape(found[1]))
        image = by_path.get(named.path) if named is not None else None
        if image is None or named is None:
            return found[0]
        rest = found[2]
        if image.width and image.height and " width=" not in rest and " height=" not in rest:
            end = rest.rfind(" /") if rest.endswith("/") else len(rest)
            rest = f'{rest[:end]} width="{image.width}" height="{image.height}"{rest[end:]}'
        return f'<img src="{html.escape(image.url + named.suffix)}"{rest}>'

    return _IMG.sub(shown, body_html)


def stale_site_files(site_root: Path, known: Mapping[str, tuple[SiteFileStamp, ...]],
                     sources: Collection[str]) -> list[str]:
    """The content files of ``sources`` whose images name files of the site (``known``,
    by content file, as the last build found them) that changed since, came or went:
    each file is looked at once (a stat or two), however many stories name it."""
    now: dict[str, SiteFileStamp] = {}
    stale = []
    for source, stamps in known.items():
        if source not in sources:
            continue
        for stamp in stamps:
            path = stamp[0]
            if path not in now:
                now[path] = stamp_site_file(site_root, path)
            if now[path] != tuple(stamp):
                stale.append(source)
                break
    return sorted(stale)
