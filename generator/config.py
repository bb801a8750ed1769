"""Site configuration: one frozen ``SiteConfig``, read once from ``digest.yaml``.

Every option has a default, so a site needs no config file at all. Unknown keys
are reported as warnings; values of the wrong type are errors.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, error, shorten, warning
from .frozen import frozen
from .i18n import ENGLISH, Translations, load_translations, text_direction
from .read import read_yaml_mapping, with_field_lines
from .records import Image
from .scan import CONTENT_DIR
from .slugs import topic_key
from .urls import host_of, normalized_base_url, read_aliases, safe_http_url

CONFIG_NAME = "digest.yaml"
MAX_CLUSTER_THRESHOLD = 2.0
"""The highest ``cluster_threshold`` (two stories' likeness is at most about 1.2)."""


STABLE = "stable"
"""``SiteConfig.pagination``: a listing's further pages are numbered from its oldest
stories, so that a story added at the top changes its first page only (see
``pages.paginate``)."""
NEWEST_FIRST = "newest-first"
"""``SiteConfig.pagination``: a listing's pages are numbered from its newest stories, as
Hugo, Jekyll and Pelican number them: page n+1 holds what page n held last, once a story
is added."""
PAGINATIONS = (STABLE, NEWEST_FIRST)


@frozen
class TopicDefinition:
    """Editorial data for one topic (like the original sites' ``_data/topics``)."""

    name: str
    """Topic name as used in stories' ``topics[]``."""
    description: str = ""
    """A sentence shown on the topic page and in its feed."""
    keywords: tuple[str, ...] = ()
    """Search keywords (the topic pages' meta keywords and JSON-LD ``keywords``)."""
    image: Image | None = None
    """A picture for the topic: the social card (``og:image``) of its pages."""
    order: int | None = None
    """Position in topic lists; unordered topics follow, by story count."""
    aliases: tuple[str, ...] = ()
    """The topic's old addresses, as site-relative paths (``topics/c/``): each a page
    sending readers on to the topic's page, as a story's ``aliases`` (see ``aliases``)."""


@frozen
class SiteConfig:
    """Everything a build needs to know about the site."""

    source: Path
    """The site folder (holds ``content/``, optional ``templates/``, ``static/``)."""
    output: Path
    """Where the built site goes (default ``<source>/build``)."""
    title: str = "News Digest"
    """Site title."""
    description: str = "The latest news, by topic."
    """One sentence about the site (meta description, feeds)."""
    base_url: str = "/"
    """Where the site is hosted, e.g. ``https://example.org/digest/``; links use its path."""
    language: str = "en"
    """The stories' language (a BCP 47 tag: ``en``, ``fr-CA``): ``<html lang>``, the feeds'
    language, and that of the theme's strings and dates (``translations``)."""
    timezone: str = "UTC"
    """Timezone dates are shown in (IANA name)."""
    page_size: int = 20
    """Stories per topic page."""
    pagination: str = STABLE
    """How a topic's (and the JSON API's) further pages are numbered: ``stable``, from its
    oldest stories, so that an added story changes the first page alone; or
    ``newest-first``, as Hugo numbers them (see ``pages.paginate``)."""
    home_size: int = 50
    """Stories on the home page."""
    feed_size: int = 50
    """Stories per feed."""
    related_count: int = 6
    """Related stories per article (from ``related[]``, completed by computed ones)."""
    cluster_threshold: float = 0.36
    """How alike two stories must be (0-1) to count as one event; higher splits more."""
    max_file_bytes: int = 5_000_000
    """Content files larger than this are refused."""
    drafts: bool = False
    """Include stories with ``draft: true``."""
    future: bool = False
    """Publish the stories dated after the build's time (``build_time``) at once, as Hugo's
    ``buildFuture`` and Jekyll's ``future`` do; by default they are held back until then."""
    topics: tuple[TopicDefinition, ...] = ()
    """Editorial topic definitions."""
    translations: Translations = ENGLISH
    """The theme's strings, month names and date formats in ``language``: the built-in
    table overlaid with the site's ``i18n/<language>.yaml`` (see ``i18n``)."""
    source_date_epoch: int | None = None
    """The ``SOURCE_DATE_EPOCH`` environment variable (seconds since 1970), None when it is
    not set: the date no story gives (an empty feed's ``updated``, else 1970), and the
    build's time, which decides the stories held back (``build_time``)."""

    @property
    def content_dir(self) -> Path:
        """The folder of news items."""
        return self.source / CONTENT_DIR

    @property
    def direction(self) -> str:
        """Which way ``language`` is written: ``rtl`` (Arabic, Hebrew, Persian, Urdu...:
        the pages' ``<html dir="rtl">``) or ``ltr`` (see ``i18n.text_direction``)."""
        return text_direction(self.language)

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def site_url(self) -> str:
        """``base_url`` with a trailing slash (may be relative if no host given)."""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    @property
    def has_host(self) -> bool:
        """Whether ``base_url`` names a scheme and host, so absolute URLs can be made."""
        return bool(urlsplit(self.base_url).netloc)

    def topic_definition(self, name: str) -> TopicDefinition | None:
        """The editorial definition of a topic, if the config has one (whatever the case,
        spacing and accents of either name: see ``slugs.topic_key``)."""
        key = topic_key(name)
        for topic in self.topics:
            if topic_key(topic.name) == key:
                return topic
        return None


_KIND_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}
"""How a message names each kind of value a key takes."""
_SCALARS: dict[str, type] = {
    "title": str,
    "description": str,
    "base_url": str,
    "language": str,
    "timezone": str,
    "page_size": int,
    "pagination": str,
    "home_size": int,
    "feed_size": int,
    "related_count": int,
    "cluster_threshold": float,
    "max_file_bytes": int,
    "future": bool,
}


def load_config(
    source: Path,
    *,
    output: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> tuple[SiteConfig, tuple[Diagnostic, ...]]:
    """Read ``digest.yaml`` from ``source`` (if present) and apply CLI overrides."""
    source = source.resolve()
    config = SiteConfig(source=source, output=(output or source / "build").resolve())
    problems: list[Diagnostic] = []
    path = source / CONFIG_NAME
    if path.is_file():
        config = _read_config_file(path, config, problems)
    config = _read_source_date_epoch(config, problems)
    for key, value in (overrides or {}).items():
        if value is not None:
            config = replace(config, **{key: value})
    problems.extend(_check_values(config, path, base_url_given=bool(
        overrides and overrides.get("base_url") is not None)))
    if base_url_problem(config.base_url) is None:
        config = replace(config, base_url=normalized_base_url(config.base_url))
    if config.language.strip():
        translations, found = load_translations(source, config.language,
                                                template_keys=partial(_template_keys, source),
                                                well_formed=is_language_tag(config.language))
        config = replace(config, translations=translations)
        problems.extend(found)
    return config, with_field_lines(problems, path, path.name)


def _template_keys(source: Path) -> frozenset[str]:
    """The translation keys the site's templates show (``theme.translated_keys``)."""
    from .theme import translated_keys  # (only a translation file of a theme's own keys
    # needs it)

    return translated_keys(source)


def _read_config_file(path: Path, config: SiteConfig, problems: list[Diagnostic]) -> SiteConfig:
    data, _text = read_yaml_mapping(path, path.name, problems, what="the config file",
                                    mapping="the config must be a mapping")
    if data is None:
        return config
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SCALARS:
            expected = _SCALARS[key]
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                values[key] = float(value)
            elif isinstance(value, expected) and (expected is bool or not isinstance(value, bool)):
                values[key] = value
            else:
                problems.append(
                    error(path.name, f"expected {_KIND_NAMES[expected]}, got {shorten(value)}",
                          field=str(key))
                )
        elif key == "topics":
            values["topics"] = _read_topics(path.name, value, problems)
        else:
            problems.append(_unknown_key(path.name, key))
    return replace(config, **values)


CLOSE_KEY = 0.8
"""How alike (``difflib``'s ratio, 0-1) an unknown key must be to a known one to be named
as the key meant (``page_sise`` and ``page_size``: 0.89)."""


def _unknown_key(file: str, key: object) -> Diagnostic:
    """The warning of a key digest.yaml does not know, naming the known key it most likely
    mistypes (as front matter's unknown fields do: see ``validate.known_field_like``)."""
    from difflib import get_close_matches  # (here: most digest.yaml files have no typo)

    known = sorted([*_SCALARS, "topics"])
    close = get_close_matches(str(key), known, n=1, cutoff=CLOSE_KEY)
    meant = f"Did you mean '{close[0]}'? " if close else ""
    return warning(file, f"unknown key {shorten(key)} is ignored", field=str(key),
                   hint=f"{meant}Known keys: {', '.join(known)}.")


def _read_topics(file: str, value: object,
                 problems: list[Diagnostic]) -> tuple[TopicDefinition, ...]:
    if isinstance(value, dict):  # {name: {description: ...}} form
        value = [{"name": k, **(v if isinstance(v, dict) else {})} for k, v in value.items()]
    if not isinstance(value, list):
        problems.append(error(file, "topics must be a list of mappings", field="topics"))
        return ()
    topics: list[TopicDefinition] = []
    for i, item in enumerate(value):
        where = f"topics[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            problems.append(error(file, "each topic needs a name", field=where))
            continue
        keywords = item.get("keywords") or []
        if isinstance(keywords, str):
            keywords = [keywords]
        if not isinstance(keywords, list):
            problems.append(warning(file, f"keywords should be a list of words, got "
                                          f"{shorten(keywords)}; it was ignored",
                                    field=f"{where}.keywords", hint="Write keywords: [a, b]."))
            keywords = []
        order = item.get("order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            problems.append(warning(file, f"order should be a whole number, got "
                                          f"{shorten(order)}; it was ignored",
                                    field=f"{where}.order", hint="Write e.g. order: 1"))
            order = None
        topics.append(
            TopicDefinition(
                name=item["name"],
                description=str(item.get("description") or ""),
                keywords=tuple(str(k) for k in keywords),
                image=_topic_image(file, f"{where}.image", item.get("image"), problems),
                order=order,
                aliases=_topic_aliases(file, where, item, problems),
            )
        )
    return tuple(topics)


def _topic_aliases(file: str, where: str, item: dict[str, Any],
                   problems: list[Diagnostic]) -> tuple[str, ...]:
    """A topic's ``aliases`` (or ``redirect_from``): its old addresses, as site-relative
    paths; a value that is no path on this site is warned about and left out
    (``urls.read_aliases``)."""
    paths, found = read_aliases(item, "/topics/c/")
    problems.extend(warning(file, message, field=f"{where}.{field}", hint=hint)
                    for field, message, hint in found)
    return paths


def _topic_image(file: str, where: str, value: object,
                 problems: list[Diagnostic]) -> Image | None:
    """A topic's ``image``: its URL, or ``{url, width, height}`` (None, with a warning
    in ``problems``, when it is not an absolute http(s) URL: social cards need one)."""
    if value is None or value == "":
        return None
    data = value if isinstance(value, dict) else {"url": value}
    given, width, height = data.get("url"), data.get("width"), data.get("height")
    url = safe_http_url(given) if isinstance(given, str) else None  # (as stories' images)
    if url is None:
        problems.append(warning(file, f"image should be an http(s) URL, got {shorten(given)}; "
                                      "it was ignored", field=where,
                                hint="Write e.g. image: https://example.org/topic.png (or "
                                     "{url: ..., width: 1200, height: 630})."))
        return None
    sizes = [size if isinstance(size, int) and not isinstance(size, bool) and size > 0
             else None for size in (width, height)]
    if (width, height) != (None, None) and None in sizes:
        wrong = [f"{name} {'is missing' if size is None else f'is {shorten(size)}'}"
                 for name, size, kept in (("width", width, sizes[0]),
                                          ("height", height, sizes[1])) if kept is None]
        problems.append(warning(file, f"image needs both a width and a height in whole pixels "
                                      f"({', '.join(wrong)}); the size was ignored", field=where,
                                hint="Write e.g. {url: ..., width: 1200, height: 630}."))
        sizes = [None, None]
    return Image(url, sizes[0], sizes[1])


def _read_source_date_epoch(config: SiteConfig, problems: list[Diagnostic]) -> SiteConfig:
    """Honour ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) when it is set."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return config
    if not value.isdigit():
        problems.append(error("SOURCE_DATE_EPOCH", f"expected seconds since 1970, got {value!r}",
                              hint="Use e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)."))
        return config
    return replace(config, source_date_epoch=int(value))


def build_time(config: SiteConfig, clock: Callable[[], float] = time.time) -> float:
    """The build's time, in seconds since 1970: ``SOURCE_DATE_EPOCH`` when it is set (a
    reproducible build: the same sources give the same site whenever it is built), else
    ``clock()``. A story dated after it is held back (``SiteConfig.future``). The CLI and
    the preview server take it once per build and pass it to ``build.build``."""
    return float(config.source_date_epoch) if config.source_date_epoch is not None else clock()


def _check_values(config: SiteConfig, path: Path, *, base_url_given: bool = False
                  ) -> list[Diagnostic]:
    """Problems with the values of ``config`` (read from ``path``; ``base_url_given``: its
    base URL came from the command line's ``--base-url``)."""
    problems: list[Diagnostic] = []
    for key in ("page_size", "home_size", "feed_size", "max_file_bytes"):
        if getattr(config, key) < 1:
            problems.append(error(path.name, f"{key} must be at least 1", field=key))
    if not config.title.strip():
        problems.append(error(path.name, "title must not be empty", field="title",
                              hint="Name the site: the name is in every page's <title>, "
                                   "its header and its feeds (which need one)."))
    if not config.language.strip():
        problems.append(error(path.name, "language must not be empty", field="language",
                              hint="Give the language of the stories, as a tag such as en "
                                   "or en-GB (the pages' lang, the feeds' language)."))
    elif not is_language_tag(config.language):
        problems.append(_language_warning(path.name, config.language))
    if config.pagination not in PAGINATIONS:
        problems.append(error(path.name, f"pagination must be {' or '.join(PAGINATIONS)}, "
                                         f"got {shorten(config.pagination)}", field="pagination",
                              hint="stable (the default) numbers a topic's further pages from "
                                   "its oldest stories, so an added story changes its first "
                                   "page only; newest-first numbers them as Hugo does."))
    if config.related_count < 0:
        problems.append(error(path.name, "related_count must be 0 or more", field="related_count"))
    if not 0 < config.cluster_threshold <= MAX_CLUSTER_THRESHOLD:
        problems.append(error(
            path.name, f"cluster_threshold must be above 0 and at most {MAX_CLUSTER_THRESHOLD}, "
            f"got {config.cluster_threshold}", field="cluster_threshold",
            hint="It is how alike two stories must be to be one event (0.36 by default): "
                 "higher joins fewer; above 1.2 only the cluster: field joins stories."))
    wrong = base_url_problem(config.base_url)
    if wrong is not None:
        problems.append(error("--base-url" if base_url_given else path.name,
                              f"base_url {config.base_url!r} {wrong[0]}", field="base_url",
                              hint=wrong[1]))
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(config.timezone)
    except Exception:  # noqa: BLE001 - any failure means the name is unusable
        problems.append(error(path.name, f"unknown timezone {config.timezone!r}", field="timezone",
                              hint="Use an IANA name such as UTC or Europe/Paris."))
    return problems


_LANGUAGE_TAG = re.compile(
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*"
    r"(?:-x(?:-[a-z\d]{1,8})+)?|x(?:-[a-z\d]{1,8})+)", re.IGNORECASE | re.ASCII)
"""The syntax of a BCP 47 (RFC 5646) language tag: language (with extended subtags),
script, region, variants, extensions and private use (``en``, ``en-US``, ``zh-Hant-TW``,
``sr-Latn-RS``, ``es-419``), the language being of two or three letters, as every
registered one is (the registry itself is not consulted)."""


def is_language_tag(value: str) -> bool:
    """Whether ``value`` is a well-formed BCP 47 language tag (``_LANGUAGE_TAG``)."""
    return _LANGUAGE_TAG.fullmatch(value) is not None


def _language_warning(file: str, value: str) -> Diagnostic:
    """The warning for a ``language`` that is no language tag (``en US``, ``english``,
    ``en_US``): pages' ``lang`` and feeds' ``language`` carry it as it is, and screen
    readers, browsers' translation and feed readers cannot read it."""
    mended = re.sub(r"[\s_]+", "-", value.strip())
    hint = f"Write language: {mended}" if is_language_tag(mended) else \
        "Write a language tag such as en, en-US or zh-Hant-TW"
    return warning(file, f"language {value!r} is not a BCP 47 language tag; pages and feeds "
                         "give it as it is, which browsers, screen readers and feed readers "
                         "cannot read", field="language",
                   hint=f"{hint} (the language's 2- or 3-letter code, then its script or "
                        "region if needed, joined by '-').")


def base_url_problem(value: str) -> tuple[str, str] | None:
    """What is wrong with ``value`` as a base URL, and what to write instead (None:
    nothing): it must be an http(s) URL of a host, or a path from the host's root, naming a
    folder. Every link of the site is made from it, so a wrong one breaks them all."""
    parts = urlsplit(value)
    example = "Use e.g. https://example.org/digest/ or /digest/."
    if any(c.isspace() for c in value):
        return "has a space in it", "Write a space in a URL as %20. " + example
    if parts.scheme == "" and parts.netloc == "" and value and not value.startswith("/"):
        host = value.split("/")[0]
        if "." in host:  # ("example.org/news": a host without its scheme)
            return "has no scheme", f"Did you mean https://{value.rstrip('/')}/ ?"
        return "is neither a URL nor a path from the root", example
    if parts.scheme not in ("", "http", "https") or (
            (parts.scheme or parts.netloc) and not (parts.scheme and parts.hostname)):
        return "is not an http(s) URL or a path", example  # (ftp:, //host/, http://)
    if parts.hostname and not _is_host_name(parts.hostname):
        return "has a host that is no domain name", example  # (an empty or long label)
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return "has a query or a fragment", "Give the folder the site is at. " + example
    if parts.path.rstrip("/").endswith((".html", ".htm")):
        return "names a page, not a folder", \
            f"Give the page's folder: {value[: value.rstrip('/').rfind('/') + 1]}"
    return None


def _is_host_name(name: str) -> bool:
    """Whether ``name`` has an ASCII form (``urls.host_of``)."""
    try:
        host_of(name)
    except UnicodeError:
        return False
    return True


def default_config(source: Path) -> SiteConfig:
    """A config with every default, for tests and tools."""
    return SiteConfig(source=source, output=source / "build")


__all__ = ["SiteConfig", "TopicDefinition", "load_config", "default_config", "build_time",
           "CONFIG_NAME"]
