"""URLs: which external URLs are safe to link, and where our own pages live."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_http_url(value: str) -> str | None:
    """Return ``value`` if it is a well-formed absolute http(s) URL, else None.

    ``javascript:``, ``data:``, ``vbscript:``, protocol-relative (``//host``) and
    malformed URLs are refused, so nothing from content can run script in a page.
    """
    candidate = value.strip()
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


def page_path(url_path: str) -> str:
    """The output file for a site-relative URL path: ``news/x/`` -> ``news/x/index.html``."""
    if not url_path or url_path.endswith("/"):
        return url_path + "index.html"
    return url_path


def join_url(base: str, path: str) -> str:
    """Join a base ending in ``/`` with a site-relative path (no leading ``/``)."""
    return base + path.lstrip("/")
