"""Canonical story URLs, so that one story reached by several addresses is recognised.

Two addresses name the same story when they differ only by scheme, a ``www.``/``m.``/``amp.``
host prefix, an AMP wrapper (``*.cdn.ampproject.org/c/s/...``, ``/amp`` or ``/google-amp``
path parts, an ``amp`` query key), tracking parameters (``utm_*``, ``fbclid``, ...), a
fragment or a trailing slash. Other query parameters are kept: some sites put the article
id there (``?p=121777``).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
"""Host prefixes that name a mobile or AMP copy of the same site."""

TRACKING_KEYS = frozenset(
    {
        "amp",
        "outputtype",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "ref",
        "ref_src",
        "src",
        "source",
        "feature",
        "smid",
        "sr_share",
        "share",
        "igshid",
        "yclid",
        "_ga",
        "ito",
        "itm_source",
        "itm_medium",
        "itm_campaign",
        "ns_source",
        "ns_mchannel",
        "ns_campaign",
        "cid",
        "guccounter",
        "tsrc",
        "s_cid",
    }
)
"""Query keys that never change which story a URL names (``utm_*`` are matched by prefix)."""

AMP_PATH_PARTS = frozenset({"amp", "google-amp", "amp.html"})
"""Path segments that only select the AMP rendering of a page."""


def canonicalize_url(url: str) -> str:
    """Return a comparison key for ``url``: lower-case host without mobile/AMP prefixes,
    path without AMP segments or trailing slash, sorted query without tracking keys.

    Returns '' for an empty or non-http(s) address.
    """
    text = url.strip()
    scheme, found, rest = text.partition("://")
    if not found:
        rest = text
    elif scheme.lower() not in ("http", "https"):
        return ""
    rest = rest.partition("#")[0]
    address, _, query = rest.partition("?")
    host, _, path = address.partition("/")
    host = host.rpartition("@")[2].partition(":")[0].lower()
    if not host:
        return ""
    if host.endswith(".cdn.ampproject.org"):
        inner = _unwrap_amp_cache(path)
        if inner:
            return canonicalize_url("https://" + inner + ("?" + query if query else ""))
    host = _strip_host_prefixes(host)
    canonical = host + "/" + _strip_path(path)
    if query:
        kept = sorted(
            (k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_tracking_key(k)
        )
        if kept:
            canonical += "?" + urlencode(kept)
    return canonical


def _strip_path(path: str) -> str:
    """The path without AMP segments, empty segments or a trailing slash."""
    if path.startswith("/") or path.endswith("/") or "//" in path or "amp" in path.lower():
        return "/".join(s for s in path.split("/") if s and s.lower() not in AMP_PATH_PARTS)
    return path  # nothing to strip (the common case)


def _unwrap_amp_cache(path: str) -> str:
    """``/c/s/example.com/a/b`` (AMP cache layout) -> ``example.com/a/b``; '' if not that shape."""
    # 'c/s/host/...', 'c/host/...' or 'v/s/host/...'
    rest = path.split("/")
    while rest and rest[0] in ("c", "v", "i", "s"):
        rest = rest[1:]
    return "/".join(rest)


def _strip_host_prefixes(host: str) -> str:
    """Drop one leading ``www.``/``m.``/``amp.``/``mobile.`` label, if the rest is a domain."""
    if not host.startswith(HOST_PREFIXES):
        return host
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and "." in host[len(prefix) :]:
            return host[len(prefix) :]
    return host


def _is_tracking_key(key: str) -> bool:
    """Whether a query key is tracking noise rather than part of the story's address."""
    lowered = key.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_KEYS
