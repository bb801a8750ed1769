"""URLs: which external URLs are safe to link, where our own pages live, and the base URL
they are under."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

from .diagnostics import shorten
from .frozen import frozen

_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#][^\x00-\x20\x7f]*)?")
"""An http(s) URL with an ASCII host, no user, no port and no control character or
space: what nearly every URL in a feed looks like, and always safe (judging a story's
URLs with ``urlsplit`` took 0.05 of its 0.7 ms to read; such URLs skip it)."""


def safe_http_url(value: str) -> str | None:
    """Return ``value`` if it is a well-formed absolute http(s) URL, else None.

    ``javascript:``, ``data:``, ``vbscript:``, protocol-relative (``//host``) and
    malformed URLs are refused, so nothing from content can run script in a page.
    """
    candidate = value.strip()
    if _PLAIN_HTTP_URL.fullmatch(candidate):
        return candidate
    return _checked_http_url(candidate)


def _checked_http_url(candidate: str) -> str | None:
    """``safe_http_url`` of a stripped value, judged by ``urlsplit`` (no fast path)."""
    if not candidate or _CONTROL.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate


def is_safe_link(value: str) -> bool:
    """Whether a link written in a Markdown body may become an ``href``/``src``.

    Absolute http(s) URLs, and paths without a scheme (``/about/``, ``#notes``).
    Everything else, including the ``data:image`` URLs markdown-it would allow and
    protocol-relative ``//host`` links, stays visible as plain text instead.
    """
    candidate = value.strip()
    if _CONTROL.search(candidate):
        return False
    if candidate.replace("\\", "/").startswith("//"):
        return False
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", candidate):
        return safe_http_url(candidate) is not None
    return True


def page_path(url_path: str) -> str:
    """The output file for a site-relative URL path: ``news/x/`` -> ``news/x/index.html``."""
    if not url_path or url_path.endswith("/"):
        return url_path + "index.html"
    return url_path


def join_url(base: str, path: str) -> str:
    """Join a base ending in ``/`` with a site-relative path (no leading ``/``)."""
    return base + path.lstrip("/")


def normalized_base_url(value: str) -> str:
    """``value``, a base URL ``config.base_url_problem`` finds nothing wrong with, as
    links and sitemaps want it: the scheme and host in lowercase, a host of other
    letters than ASCII's in its ASCII form (IDNA: ``https://Bücher.example/`` ->
    ``https://xn--bcher-kva.example/``), and the path percent-encoded as UTF-8
    (``/ünï/`` -> ``/%C3%BCn%C3%AF/``), leaving what is already encoded (``%20``) and
    the rest as it is: a path's case is the server's to tell apart (``/News/``)."""
    parts = urlsplit(value)
    netloc = parts.netloc
    if netloc:
        user, at, host_port = netloc.rpartition("@")
        host, colon, port = host_port.rpartition(":") if not host_port.endswith("]") \
            and ":" in host_port else (host_port, "", "")
        netloc = f"{user}{at}{host_of(host)}{colon}{port}"
    path = quote(_LONE_PERCENT.sub("%25", parts.path), safe="/%!$&'()*+,;=:@~")
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
"""A '%' that starts no percent-encoded byte: it stands for itself (``%25``)."""


def host_of(name: str) -> str:
    """A host name in lowercase and ASCII, as a browser makes it of what is typed in its
    address bar (the URL Standard: UTS 46 mapping, not transitional), its labels of other
    letters as ``xn--`` punycode; raises ``UnicodeError`` for a name that has no such form
    (a code point UTS 46 disallows, an empty label or one over 63 characters). IDNA 2003,
    Python's ``idna`` codec, made ``faß.de`` ``fass.de``, another domain than the one a
    browser opens, ``xn--fa-hia.de``. The ``idna`` package maps; its own encoder would
    also refuse what browsers take (``i❤️.ws``, ``xn--i-7iq.ws``)."""
    lowered = name.lower()
    if lowered.isascii():
        return lowered
    import idna  # (here: an ASCII host, nearly every one, never needs it)

    labels = [label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
              for label in idna.uts46_remap(lowered, std3_rules=False,
                                            transitional=False).split(".")]
    if not all(0 < len(label) < 64 for label in labels[:-1]) or len(labels[-1]) > 63:
        raise UnicodeError(f"{name!r} has an empty label or one over 63 characters")
    return ".".join(labels)


ALIAS_FIELDS = ("aliases", "redirect_from")
"""The front-matter fields listing a story's old addresses (Hugo's, then Jekyll's):
see ``aliases``."""
URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
"""A URL's scheme at the start of a text (``https:``, ``javascript:``): what no path has."""
_ALIAS_UNSAFE = re.compile(r"[\x00-\x20\x7f?#\\\"'<>]")


@frozen
class AliasProblem:
    """Why a value of ``aliases`` cannot be an address of this site."""

    message: str
    """What is wrong, quoting the value."""
    hint: str
    """What to write instead."""


def alias_path(value: str) -> str | AliasProblem:
    """The site-relative path of the alias ``value`` (``/news/old/`` -> ``news/old/``; a
    path without a file name is a folder: ``/old`` -> ``old/``, ``/old/index.html`` ->
    ``old/``; ``/old.html`` stays a file), or what is wrong with it."""
    text = value.strip()
    quoted = shorten(value)
    if text.startswith("//") or URL_SCHEME.match(text):
        return AliasProblem(f"{quoted} is a URL, not a path on this site",
                            "Give the old address as a path from the site's root: "
                            "/news/2024-05-01-old-title/.")
    if not text or _ALIAS_UNSAFE.search(text):
        return AliasProblem(f"{quoted} is not a path (empty, or it holds a space, a quote, "
                            "?, #, \\ or a control character)",
                            "Give the old address as a path from the site's root: "
                            "/news/2024-05-01-old-title/.")
    parts = [part for part in text.split("/") if part]
    if any(part.startswith(".") for part in parts):
        return AliasProblem(f"{quoted} has a '.' or '..' step or a hidden folder",
                            "Give the path as readers' browsers show it, without '..'.")
    if parts and parts[-1] == "index.html":
        parts.pop()
    elif parts and parts[-1].endswith((".html", ".htm")):
        return "/".join(parts)
    return "".join(part + "/" for part in parts)


def read_aliases(data: Mapping[str, object], example: str
                 ) -> tuple[tuple[str, ...], tuple[tuple[str, str, str], ...]]:
    """The old addresses a mapping gives (a story's front matter, a topic's entry in
    ``digest.yaml``) in ``aliases`` or ``redirect_from`` (a path, or a list of them), as
    site-relative paths (``alias_path``), each once; and a problem (its field: ``aliases``
    or ``aliases[1]``; message; hint) for each value that is no path on this site, which
    is left out. ``example``: an old address, for hints."""
    found: dict[str, None] = {}
    problems: list[tuple[str, str, str]] = []
    for key in ALIAS_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list):
            problems.append((key, f"{key} should be a list of paths, got {shorten(value)}; "
                             "it is ignored", f"Write a list: [{example}]."))
            continue
        for i, item in enumerate(values):
            path = alias_path(item) if isinstance(item, str) \
                else AliasProblem(f"{shorten(item)} is not a path", "Give a path as text.")
            if isinstance(path, AliasProblem):
                problems.append((f"{key}[{i}]" if values is value else key,
                                 f"{path.message}; no redirect is made", path.hint))
            else:
                found.setdefault(path)
    return tuple(found), tuple(problems)
