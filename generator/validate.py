"""Stage 2, validate: ``SourceFile`` -> ``Story`` / ``TextBody`` plus diagnostics.

Field problems are warnings (the field is dropped or coerced and the story kept);
a story without a usable title or date is an error and is left out.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from .diagnostics import Diagnostic, error, shorten, warning
from .frozen import frozen
from .read import FieldLines, SourceFile
from .records import (
    EMPTY_EXTRA,
    Extra,
    ExtraValue,
    Image,
    Provider,
    RelatedStory,
    SiteImage,
    Story,
    TextBody,
    first_sized,
    freeze_extra,
)
from .site_images import SiteFiles, SitePath, body_site_images, is_site_path, looked_in, site_path
from .slugs import date_in_name, topic_key, topic_key_with_accents
from .theme import ROOT_DIR, STATIC_DIR
from .urls import ALIAS_FIELDS, read_aliases, safe_http_url
from .wall_clock import unclear_wall_time
from .yamlio import MAX_DEPTH

KNOWN_KEYS = frozenset({
    "category", "title", "excerpt", "publishedDateTime", "originalUrl", "webUrl", "ampWebUrl",
    "cdnAmpWebUrl", "type", "quality", "heat", "published", "provider", "topics", "images",
    "related", "secured", "draft", "cluster", "body", *ALIAS_FIELDS,
})
TYPO_RATIO = 0.85
"""How alike (``difflib`` ratio, ignoring case, ``_`` and ``-``) an unknown field's name
and a known one must be for the unknown one to be taken as a typo of it (besides one
letter added, dropped, changed or two swapped): ``publishedDate`` is, ``subtitle`` is not."""
MAX_TOPICS = 100
"""Topics kept per story: more is a scraper's bug, and each one becomes a page."""
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef" + "".join(
    chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)) + "]")
"""Characters no page may hold: the control characters but tab, newline and carriage
return (HTML parsers report each, XML 1.0 forbids most) and Unicode's non-characters
(U+FFFE...). Text copied out of Word or a PDF, or scraped, brings them (``\\x0b``,
``\\x08``); they are removed from a story's text fields (``_Checker.clean``) and from
bodies (``_clean_body``)."""
_ASCII_TEXT = bytes(range(0x20, 0x7F)) + b"\t\n\r"
"""The ASCII characters a page may hold."""
_NOT_TEXT_HINT = ("Delete them from the source (text copied out of a Word or PDF document, or "
                  "scraped, brings them).")


@frozen
class Validated:
    """The outcome of validating one file."""

    item: Story | TextBody | None
    """The story or plain-text body, or None when the file was refused."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found in the file."""


class _Checker:
    """Collects diagnostics for one file while fields are read."""

    def __init__(self, source: SourceFile, site_files: SiteFiles | None = None) -> None:
        self.source = source
        self.problems: list[Diagnostic] = []
        self.lines: FieldLines | None = None
        self.site_files = site_files if site_files is not None else SiteFiles(None)

    def line_of(self, field: str) -> int | None:
        """Line of ``field`` (``images[1].width``: that image's ``width:``)."""
        if self.lines is None:
            self.lines = self.source.field_lines()
        return self.lines.line_of(field)

    def warn(self, field: str, message: str, hint: str | None = None) -> None:
        self.problems.append(warning(self.source.path, message, line=self.line_of(field),
                                     field=field, hint=hint))

    def fail(self, field: str | None, message: str, hint: str | None = None) -> None:
        line = self.line_of(field) if field else None
        self.problems.append(error(self.source.path, message, line=line, field=field, hint=hint))

    def clean(self, where: str, value: str) -> str:
        """``value`` without the characters no page may hold (``_NOT_TEXT``), and a
        warning for the field ``where`` if it had some."""
        if value.isprintable() or _NOT_TEXT.search(value) is None:  # (each character
            # of _NOT_TEXT is unprintable: the test is 2-10x faster than the search)
            return value
        self.warn(where, f"{shorten(value)} holds control characters or non-characters "
                  f"({_code_points(value)}), which HTML and XML do not allow; they were removed",
                  _NOT_TEXT_HINT)
        return _NOT_TEXT.sub("", value)

    def text(self, data: dict[str, Any], key: str, *, where: str | None = None) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return self.clean(where or key, value).strip()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.warn(where or key, f"expected text, got {type(value).__name__} {shorten(value)}",
                  "The value was ignored.")
        return ""

    def number(self, data: dict[str, Any], key: str, *, where: str | None = None,
               hint: str = "Write a plain whole number, such as 3.") -> int | None:
        value = data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        self.warn(where or key, f"expected a whole number, got {shorten(value)}", hint)
        return None

    def url(self, data: dict[str, Any], key: str, *, where: str | None = None) -> str:
        value = self.text(data, key, where=where)
        if not value:
            return ""
        safe = safe_http_url(value)
        if safe is None:
            self.warn(where or key, f"{shorten(value)} is not an http(s) URL; it is not linked",
                      "Only http:// and https:// URLs are used in links and images.")
            return ""
        return safe


def validate_source(source: SourceFile, *, timezone: tzinfo = UTC,
                    site_files: SiteFiles | None = None) -> Validated:
    """Turn a read file into a story, a plain-text body, or nothing. ``site_files``: the
    site's files that images given as paths name, looked up (without it, there are none:
    see ``site_images``)."""
    check = _Checker(source, site_files)
    if not source.has_front_matter:
        return _text_body(check)
    data = source.front_matter
    check.problems.extend(source.duplicate_key_warnings())
    if not isinstance(data, dict):
        check.fail(None, f"front matter must be a mapping of fields, got {type(data).__name__}",
                   "Write 'title: ...' style fields between the '---' lines.")
        return Validated(None, tuple(check.problems))
    story = _story(check, data, timezone)
    return Validated(story, tuple(check.problems))


def _story(check: _Checker, data: dict[str, Any], timezone: tzinfo) -> Story | None:
    source = check.source
    extra = extra_fields(check, data)
    title = _title(check, data)
    if not title:
        return None
    published = _published(check, data, timezone)
    if published is None:
        return None
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        check.warn("draft", f"expected true or false, got {shorten(draft)}; the story is "
                   "published", "Write draft: true to leave it out, or draft: false.")
        draft = False
    cluster = data.get("cluster")
    body = _clean_body(check, source.body).strip("\n")
    return Story(
        source=source.path,
        stem=PurePosixPath(source.path).stem,
        title=title,
        published=published,
        excerpt=check.text(data, "excerpt"),
        url=check.url(data, "webUrl"),
        original_url=check.url(data, "originalUrl"),
        amp_url=check.url(data, "ampWebUrl"),
        category=check.text(data, "category") or "news",
        kind=check.text(data, "type") or "article",
        quality=check.number(data, "quality"),
        heat=check.number(data, "heat"),
        provider=_provider(check, data.get("provider"), "provider"),
        topics=_topics(check, data.get("topics")),
        images=_story_images(check, data.get("images")),
        related=_related(check, data.get("related"), timezone),
        body=body if body and not body.isspace() else "",  # (no copy of it made)
        body_format="markdown",
        draft=draft,
        cluster=str(cluster).strip() if isinstance(cluster, (str, int)) and str(cluster).strip()
        else None,
        extra=extra,
        aliases=_aliases(check, data),
        body_images=_body_images(check),
    )


def _body_images(check: _Checker) -> tuple[SiteImage, ...]:
    """The files of this site that the images of the file's Markdown body name (those
    given as paths), and a warning for each path that names no file."""
    found: dict[str, SiteImage] = {}
    source = check.source
    for number, link, named in body_site_images(source.body):
        line = source.body_line + number
        if named is None:
            check.problems.append(warning(
                source.path, f"the body's image {shorten(link)} is not the path of a file (a "
                "folder, '..', or a quote); it is shown as written", line=line, field="body",
                hint=_IMAGE_PATH_HINT))
            continue
        there, size = check.site_files.look(named.path)
        if not there:
            check.problems.append(warning(
                source.path, f"the body's image {shorten(link)} names {named.path}, which is "
                f"not in the site's {looked_in(named.path)}; it is shown as written, a broken "
                "image", line=line, field="body",
                hint=_missing_hint(check.site_files, named.path)))
        elif named.path not in found:
            found[named.path] = SiteImage(named.path, check.site_files.url(SitePath(named.path)),
                                          *(size or (None, None)))
    return tuple(found.values())


def _aliases(check: _Checker, data: dict[str, Any]) -> tuple[str, ...]:
    """The story's old addresses (``aliases``, or ``redirect_from``: see ``aliases``), as
    site-relative paths; a value that is no path on this site is warned about and left
    out (``urls.read_aliases``)."""
    paths, problems = read_aliases(data, "/news/2024-05-01-old-title/")
    for field, message, hint in problems:
        check.warn(field, message, hint)
    return paths


def extra_fields(check: _Checker, data: dict[str, Any]) -> Extra:
    """The front matter's top-level fields that are not the schema's, kept for templates
    (``story.extra.author``), as Hugo keeps them in ``.Params`` and Jekyll in ``page``:
    a publisher's own fields are not warned about. One whose name is close to a known
    field's (``titel``, ``excerp``, ``Topics``) is most likely that field mistyped, and is
    warned about with the known name as the hint (it is kept too). A value that is not
    YAML's plain data (``!!binary``, ``!!set``, nesting past ``MAX_DEPTH``: an alias of a
    list in itself) is warned about and left out."""
    kept: list[tuple[str, ExtraValue]] = []
    for raw_key, value in data.items():
        if raw_key in KNOWN_KEYS:  # (``secured`` among them: it never reaches a page)
            continue
        key = str(raw_key)
        known = known_field_like(key)
        if known is not None:
            check.warn(key, f"unknown field {key!r} is not read as {known!r}; it is only kept "
                       "for templates (story.extra)",
                       f"Did you mean '{known}'? (A field of your own is not warned about when "
                       "its name is unlike the known fields'.)")
        odd = _odd_value(value, MAX_DEPTH)
        if odd:
            check.warn(key, f"field {key!r} holds {odd}, which templates cannot be given; "
                       "it is left out", "Give text, numbers, true/false, lists and mappings.")
            continue
        kept.append((key, freeze_extra(value)))
    return Extra(kept) if kept else EMPTY_EXTRA


@lru_cache(maxsize=1024)
def known_field_like(key: str) -> str | None:
    """The known field that ``key`` most likely mistypes, if any (see ``TYPO_RATIO``; kept:
    an archive's stories tend to share their own fields)."""
    from difflib import SequenceMatcher  # (here: a story with a field of its own is rare,
    # and the import took 1.3 ms of every build)

    name = _bare(key)
    best: tuple[float, str] | None = None
    for known in KNOWN_KEYS:
        bare = _bare(known)
        ratio = SequenceMatcher(None, name, bare).ratio()
        if (ratio >= TYPO_RATIO or _one_edit_apart(name, bare)) \
                and (best is None or (ratio, known) > best):
            best = (ratio, known)
    return best[1] if best else None


def _bare(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one letter added, dropped or changed, or
    two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) <= 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _odd_value(value: object, depth: int) -> str:
    """What in ``value`` is not plain data ('' if nothing)."""
    if value is None or isinstance(value, (str, int, float)):
        return ""
    if depth <= 0 and isinstance(value, (list, dict)):
        return f"lists or mappings nested more than {MAX_DEPTH} deep"
    if isinstance(value, list):
        return next(filter(None, (_odd_value(item, depth - 1) for item in value)), "")
    if isinstance(value, dict):
        return next(filter(None, (_odd_value(item, depth - 1) for item in value.values())), "")
    return f"a {type(value).__name__} value"


def _title(check: _Checker, data: dict[str, Any]) -> str:
    """The headline; a number or yes/no is taken as written, anything else refused."""
    value = data.get("title")
    if value is None or (isinstance(value, str) and not value.strip()):
        check.fail("title", "the story has no title" if value is None else "title is empty",
                   'Add a line such as: title: "What happened"')
        return ""
    if isinstance(value, str):
        title = " ".join(check.clean("title", value).split())  # (a tab or a line break:
        # a space, as HTML shows it, in the feeds and the API too)
        if not title:
            check.fail("title", f"title {shorten(value)} holds no text",
                       'Write one line such as: title: "What happened"')
        return title
    written = _written_value(check, "title")
    if isinstance(value, (int, float, bool)) and written:
        kind = "yes/no value" if isinstance(value, bool) else "number"
        check.warn("title", f"title {written} was read as a {kind}; it is used as written",
                   f'Quote it: title: "{written}"')
        return written
    check.fail("title", f"title must be text, got {type(value).__name__} {shorten(value)}",
               'Write one line such as: title: "What happened"')
    return ""


def _written_value(check: _Checker, key: str) -> str:
    """The text of a one-line scalar as it is written in the front matter."""
    line = check.line_of(key)
    if line is None:
        return ""
    text = check.source.front_matter_text.split("\n")[line - 2]
    return text[len(key) + 1 :].split(" #", 1)[0].strip()


def _published(check: _Checker, data: dict[str, Any], timezone: tzinfo) -> datetime | None:
    raw = data.get("publishedDateTime")
    parsed = parse_datetime(raw, timezone) if raw is not None else None
    if parsed is not None:
        return _check_wall_time(check, "publishedDateTime", parsed, timezone)
    what = "no date and time given" if raw is None \
        else f"{shorten(raw)} is not a date and time"
    fallback = date_in_name(PurePosixPath(check.source.path).name, timezone)
    if fallback is not None:
        check.warn("publishedDateTime", f"{what}; using the file name's date", DATE_HINT)
        return fallback
    check.fail("publishedDateTime", what, DATE_HINT)
    return None


DATE_HINT = ("Use ISO 8601, e.g. publishedDateTime: 2020-06-09T03:58:00Z, or RFC 2822 as "
             "RSS gives it: 'Tue, 09 Jun 2020 03:58:00 GMT' (quoted: it holds a colon).")
"""What a date and time that cannot be read should look like."""
_DATE_START = re.compile(r"\d{4}-?\d{2}-?\d{2}(?:[Tt ]|$)")
"""How an ISO 8601 date given as text begins (the rest is ``datetime.fromisoformat``'s to
read), extended or basic (``20200609T035800Z``)."""
_RFC_2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
"""How a date of RSS's ``pubDate`` (RFC 2822: ``Tue, 09 Jun 2020 03:58:00 GMT``) begins."""


def parse_datetime(value: object, timezone: tzinfo = UTC) -> datetime | None:
    """ISO 8601 text (``T`` and ``Z`` in either case, as RFC 3339 allows), RFC 2822 text
    (as RSS dates its items) or a date -> aware datetime; naive values get ``timezone``."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if _DATE_START.match(text):
                parsed = datetime.fromisoformat(text.upper())
            elif _RFC_2822.match(text):
                from email.utils import parsedate_to_datetime  # (here: its import takes
                # 7 ms, which every build would pay, most of them for no such date)

                parsed = parsedate_to_datetime(text)
                if parsed.tzinfo is None and text.endswith("-0000"):  # (UTC, its offset
                    # elsewhere unknown: RFC 5322 3.3)
                    parsed = parsed.replace(tzinfo=UTC)
            else:
                return None
        except (ValueError, TypeError, IndexError):
            return None
    else:
        return None
    if not 1000 <= parsed.year <= 9000:  # far years overflow timezone arithmetic
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone)


def _topics(check: _Checker, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        check.warn("topics", f"topics should be a list, got the text {shorten(value)}",
                   "Write each topic on its own line as '  - Topic'. It was read as one topic.")
        value = [value]
    if not isinstance(value, list):
        check.warn("topics", f"topics should be a list, got {shorten(value)}", "It was ignored.")
        return ()
    if len(value) > MAX_TOPICS:
        check.warn("topics", f"the story has {len(value):,} topics; only the first "
                   f"{MAX_TOPICS} are used", "Keep the few topics the story is really about.")
        value = value[:MAX_TOPICS]
    topics: dict[str, str] = {}  # each topic's name by its key, ordered
    for i, item in enumerate(value):
        name = " ".join(check.clean(f"topics[{i}]", item).split()) if isinstance(item, str) \
            else str(item) if isinstance(item, (int, float)) else ""
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            check.warn(f"topics[{i}]", f"a topic must be a name, got {shorten(item)}")
        elif not name:
            check.warn(f"topics[{i}]", "empty topic name is ignored")
        elif not any(char.isalnum() for char in name):
            check.warn(f"topics[{i}]", f"topic {name!r} has no letters or digits; it is ignored")
        else:
            first = topics.setdefault(topic_key(name), name)  # (one topic's first spelling)
            if first != name and topic_key_with_accents(first) != topic_key_with_accents(name):
                check.warn(f"topics[{i}]", f"the topic {name!r} is {first!r}, given before it, "
                           "but for accents: they are one topic, named "
                           f"{first!r} here", "Names differing only in accents, case or "
                           "spacing are one topic: give it once, or rename one if they are "
                           "two topics ('Resume' and 'Résumé').")
    return tuple(topics.values())


def _images(check: _Checker, value: object, where: str, *, paths_allowed: bool = False
            ) -> tuple[Image, ...]:
    """The images of ``value``; a path (``/x.png``) on the site the data came from is left
    out, silently where ``paths_allowed`` (provider logos: the schema's sites gave them so),
    else with a warning."""
    if value is None:
        return ()
    if not isinstance(value, list):
        check.warn(where, f"images should be a list, got {shorten(value)}", "It was ignored.")
        return ()
    images: list[Image] = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            check.warn(here, f"an image must be a mapping with a url, got {shorten(item)}")
            continue
        raw_url = item.get("url")
        if isinstance(raw_url, str) and not paths_allowed and is_site_path(raw_url) \
                and raw_url.strip():
            image = _site_image(check, item, raw_url, here)
            if image is not None:
                images.append(image)
            continue
        if isinstance(raw_url, str) and _image_path_problem(check, raw_url, f"{here}.url",
                                                            paths_allowed=paths_allowed):
            continue
        url = check.url(item, "url", where=f"{here}.url")
        if not url:
            continue
        images.append(Image(url=url, width=_dimension(check, item, "width", here),
                            height=_dimension(check, item, "height", here),
                            title=check.text(item, "title", where=f"{here}.title")))
    return tuple(images)


def _image_path_problem(check: _Checker, url: str, where: str, *, paths_allowed: bool
                        ) -> bool:
    """Whether the image URL ``url`` is a path or a scheme-relative URL (``//host/x``),
    which is left out: a scheme-relative URL with a warning, and a path silently where
    ``paths_allowed`` (provider logos and related[] stories' images: paths on the site the
    data came from). (A story's own images may be paths of this site: ``_site_image``.)"""
    text = url.strip()
    if text.startswith("//"):
        check.warn(where, f"{shorten(url)} is a URL without its scheme; the image is not "
                   "shown", f"Write it with https: 'https:{text}'.")
        return True
    return paths_allowed and is_site_path(text)


def _site_image(check: _Checker, item: dict[str, Any], url: str, here: str) -> Image | None:
    """A story's image given as a path of this site (``/static/img/hero.jpg``): the file
    it names, with its size from the file where the story gives none (see
    ``site_images``); None, with a warning, when the site has no such file."""
    where = f"{here}.url"
    named = site_path(check.clean(where, url))
    if named is None:
        check.warn(where, f"{shorten(url)} is not the path of a file (a folder, '..', a space "
                   "or a quote); the image is not shown", _IMAGE_PATH_HINT)
        return None
    there, size = check.site_files.look(named.path)
    if not there:
        check.warn(where, f"{shorten(url)} names {named.path}, which is not in the site's "
                   f"{looked_in(named.path)}; the image is not shown",
                   _missing_hint(check.site_files, named.path))
        return None
    width = _dimension(check, item, "width", here)
    height = _dimension(check, item, "height", here)
    if not (width and height):
        if size is None:
            check.warn(where, f"the size of {named.path} could not be read from the file (PNG, "
                       "JPEG, GIF and WebP files say it, an SVG file in its width and height "
                       "in pixels); the image is not shown without one",
                       "Give the image's width and height in pixels.")
        width, height = size or (width, height)
    return Image(url=check.site_files.url(named), width=width, height=height,
                 title=check.text(item, "title", where=f"{here}.title"))


def _missing_hint(files: SiteFiles, path: str) -> str:
    """What to do about an image path that names no file: the path of a file of
    ``static/`` that has the name, if there is one, else where to put the file."""
    if not path.startswith(STATIC_DIR + "/") and files.look(f"{STATIC_DIR}/{path}")[0]:
        return f"Did you mean /{STATIC_DIR}/{path}? (static/{path} is published there.)"
    folder = path[len(STATIC_DIR) + 1:] if path.startswith(STATIC_DIR + "/") else path
    return (f"Add the file as {STATIC_DIR}/{folder}" if path.startswith(STATIC_DIR + "/")
            else f"Add the file as {ROOT_DIR}/{path}") + ", or correct the path (paths are " \
        "from the site's root: /static/... for a file of static/), or give the image's " \
        "full https:// URL."


_IMAGE_PATH_HINT = ("Give the path of a file of the site's static/ folder (/static/img/x.jpg) "
                    "or root/ folder, or the image's full https:// URL.")


def _story_images(check: _Checker, value: object) -> tuple[Image, ...]:
    """The story's ``images``; when there are some but none has a width and a height,
    a warning: the story is then shown without a picture (``Story.card_image``). (Not
    when an image was warned of already: a width of ``640px`` says what to mend.)"""
    warned = len(check.problems)
    images = _images(check, value, "images")
    if images and first_sized(images) is None and len(check.problems) == warned:
        which = "its image lacks" if len(images) == 1 \
            else f"each of its {len(images)} images lacks"
        check.warn("images", f"{which} a width or a height, so the story is shown without "
                   "a picture",
                   "Give an image's width and height in pixels (the page is laid out "
                   "before the picture loads).")
    return images


def _dimension(check: _Checker, item: dict[str, Any], key: str, where: str) -> int | None:
    value = check.number(item, key, where=f"{where}.{key}",
                         hint="Write a plain number such as 640 (no units).")
    if value is not None and not 0 < value <= 100_000:
        check.warn(f"{where}.{key}", f"{key} {value} is out of range", "Use pixels, 1 to 100000.")
        return None
    return value


def _provider(check: _Checker, value: object, where: str) -> Provider | None:
    if value is None:
        return None
    if isinstance(value, str):
        name = check.clean(where, value).strip()
        return Provider(name=name) if name else None
    if not isinstance(value, dict):
        check.warn(where, f"provider should be a mapping with a name, got {shorten(value)}")
        return None
    name = check.text(value, "name", where=f"{where}.name")
    domain = check.text(value, "domain", where=f"{where}.domain")
    logos = _images(check, value.get("images"), f"{where}.images", paths_allowed=True)
    if not name and not domain:
        return None
    return Provider(name=name or domain, domain=domain, logo=logos[0] if logos else None)


def _related(check: _Checker, value: object, timezone: tzinfo) -> tuple[RelatedStory, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        check.warn("related", f"related should be a list, got {shorten(value)}", "It was ignored.")
        return ()
    stories: list[RelatedStory] = []
    for i, item in enumerate(value):
        here = f"related[{i}]"
        if not isinstance(item, dict):
            check.warn(here, f"a related story must be a mapping, got {shorten(item)}")
            continue
        title = check.text(item, "title", where=f"{here}.title")
        if not title:
            check.warn(here, "related story without a title is ignored")
            continue
        images = _images(check, item.get("images"), f"{here}.images", paths_allowed=True)
        url = check.url(item, "webUrl", where=f"{here}.webUrl")
        if item.get("webUrl") in (None, ""):  # (a bad one is warned of: check.url)
            check.warn(here, f"related story {shorten(title)} has no webUrl: it is shown "
                       "only if a story of this site has that title, else left out",
                       "Give its webUrl (the story at its source).")
        stories.append(RelatedStory(
            title=title,
            url=url,
            excerpt=check.text(item, "excerpt", where=f"{here}.excerpt"),
            published=_related_date(check, item.get("publishedDateTime"), here, timezone),
            provider=_provider(check, item.get("provider"), f"{here}.provider"),
            image=first_sized(images) or (images[0] if images else None),
            quality=check.number(item, "quality", where=f"{here}.quality"),
        ))
    return tuple(stories)


def _related_date(check: _Checker, value: object, where: str, timezone: tzinfo
                  ) -> datetime | None:
    """A related story's date (None, with a warning when one is given but unreadable)."""
    published = parse_datetime(value, timezone) if value is not None else None
    if value is not None and published is None:
        check.warn(f"{where}.publishedDateTime", f"{shorten(value)} is not a date and time; "
                   "it was ignored", DATE_HINT)
    elif published is not None:
        return _check_wall_time(check, f"{where}.publishedDateTime", published, timezone)
    return published


def _code_points(text: str) -> str:
    """The characters of ``_NOT_TEXT`` in ``text``, as ``U+000B, U+0008``."""
    return ", ".join(sorted({f"U+{ord(char):04X}" for char in _NOT_TEXT.findall(text)}))


def _holds_not_text(text: str) -> bool:
    """Whether a body holds a character of ``_NOT_TEXT``. The cheap tests come first (a
    body of 3 kB: 1.3 us when it is ASCII, 12 us otherwise, against 90 us for the
    search, which only text holding unprintable characters, such as a no-break space,
    gets)."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ASCII_TEXT))
    if text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        return False
    return _NOT_TEXT.search(text) is not None


def _clean_body(check: _Checker, body: str) -> str:
    """``body`` (the file after its front matter) without the characters of
    ``_NOT_TEXT``, and a warning at the line of the first one if it had some."""
    if not _holds_not_text(body):
        return body
    source = check.source
    first = _NOT_TEXT.search(body)
    assert first is not None
    line = source.body_line + body.count("\n", 0, first.start())
    check.problems.append(warning(
        source.path, f"control characters or non-characters ({_code_points(body)}) were "
        "removed: HTML and XML do not allow them",
        line=line, field="body", hint=_NOT_TEXT_HINT))
    return _NOT_TEXT.sub("", body)


def _check_wall_time(check: _Checker, field: str, published: datetime, timezone: tzinfo
                     ) -> datetime:
    """``published``, with a warning if, written without an offset (so read in the site's
    ``timezone``), it is a time the zone skips or repeats (see ``wall_clock``): then as
    the zone shows the moment it was read as (a skipped 02:30 EST is 03:30 EDT)."""
    if published.tzinfo is timezone:  # (an offset given is a fixed zone, never the site's)
        unclear = unclear_wall_time(published, timezone)
        if unclear is not None:
            check.warn(field, unclear.message, unclear.hint)
            return unclear.moment
    return published


def _text_body(check: _Checker) -> Validated:
    """A file without front matter: its first non-empty line is its title (in a Markdown
    file, without the marks of a heading: ``# Title #``), the rest its body."""
    source = check.source
    lines = _clean_body(check, source.body).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        check.fail(None, "the file holds nothing but control characters",
                   "Write the story's title on its first line and its text below, or delete it.")
        return Validated(None, tuple(check.problems))
    markdown = source.path.endswith(MARKDOWN_SUFFIXES)
    title = " ".join(lines[first].split())
    if markdown:
        title = _HEADING_MARKS.sub("", title) or title
    return Validated(TextBody(
        source=source.path,
        stem=PurePosixPath(source.path).stem,
        title=title,
        text="\n".join(lines[first + 1 :]).strip("\n"),
        modified=datetime.fromtimestamp(int(source.mtime), tz=UTC),
        body_format="markdown" if markdown else "text",
        body_images=_body_images(check) if markdown else (),
    ), tuple(check.problems))


MARKDOWN_SUFFIXES = (".md", ".markdown")
"""Content files whose body is Markdown (a ``.txt`` file's is plain text)."""
_HEADING_MARKS = re.compile(r"^#{1,6}(?: +|$)|(?: +#+)$")
