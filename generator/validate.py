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

from .diagnostics import Diagnostic, shorten, warning
from .field_checker import NOT_TEXT, NOT_TEXT_HINT, FieldChecker, code_points, holds_not_text
from .frozen import frozen
from .read import SourceFile
from .records import (
    EMPTY_EXTRA,
    Extra,
    ExtraValue,
    Provider,
    RelatedStory,
    Story,
    TextBody,
    first_sized,
    freeze_extra,
)
from .site_images import SiteFiles
from .slugs import date_in_name, topic_key, topic_key_with_accents
from .urls import ALIAS_FIELDS, read_aliases
from .validate_images import body_images, listed_images, story_images
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


@frozen
class Validated:
    """The outcome of validating one file."""

    item: Story | TextBody | None
    """The story or plain-text body, or None when the file was refused."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found in the file."""


def validate_source(source: SourceFile, *, timezone: tzinfo = UTC,
                    site_files: SiteFiles | None = None) -> Validated:
    """Turn a read file into a story, a plain-text body, or nothing. ``site_files``: the
    site's files that images given as paths name, looked up (without it, there are none:
    see ``site_images``)."""
    check = FieldChecker(source, site_files)
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


def _story(check: FieldChecker, data: dict[str, Any], timezone: tzinfo) -> Story | None:
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
        images=story_images(check, data.get("images")),
        related=_related(check, data.get("related"), timezone),
        body=body if body and not body.isspace() else "",  # (no copy of it made)
        body_format="markdown",
        draft=draft,
        cluster=str(cluster).strip() if isinstance(cluster, (str, int)) and str(cluster).strip()
        else None,
        extra=extra,
        aliases=_aliases(check, data),
        body_images=body_images(check),
    )


def _aliases(check: FieldChecker, data: dict[str, Any]) -> tuple[str, ...]:
    """The story's old addresses (``aliases``, or ``redirect_from``: see ``aliases``), as
    site-relative paths; a value that is no path on this site is warned about and left
    out (``urls.read_aliases``)."""
    paths, problems = read_aliases(data, "/news/2024-05-01-old-title/")
    for field, message, hint in problems:
        check.warn(field, message, hint)
    return paths


def extra_fields(check: FieldChecker, data: dict[str, Any]) -> Extra:
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


def _title(check: FieldChecker, data: dict[str, Any]) -> str:
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


def _written_value(check: FieldChecker, key: str) -> str:
    """The text of a one-line scalar as it is written in the front matter."""
    line = check.line_of(key)
    if line is None:
        return ""
    text = check.source.front_matter_text.split("\n")[line - 2]
    return text[len(key) + 1 :].split(" #", 1)[0].strip()


def _published(check: FieldChecker, data: dict[str, Any], timezone: tzinfo) -> datetime | None:
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


def _topics(check: FieldChecker, value: object) -> tuple[str, ...]:
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


def _provider(check: FieldChecker, value: object, where: str) -> Provider | None:
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
    logos = listed_images(check, value.get("images"), f"{where}.images", paths_allowed=True)
    if not name and not domain:
        return None
    return Provider(name=name or domain, domain=domain, logo=logos[0] if logos else None)


def _related(check: FieldChecker, value: object, timezone: tzinfo) -> tuple[RelatedStory, ...]:
    stories: list[RelatedStory] = []
    for here, item in check.mappings(value, "related", listed="related should be a list",
                                     each="a related story must be a mapping"):
        title = check.text(item, "title", where=f"{here}.title")
        if not title:
            check.warn(here, "related story without a title is ignored")
            continue
        images = listed_images(check, item.get("images"), f"{here}.images", paths_allowed=True)
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


def _related_date(check: FieldChecker, value: object, where: str, timezone: tzinfo
                  ) -> datetime | None:
    """A related story's date (None, with a warning when one is given but unreadable)."""
    published = parse_datetime(value, timezone) if value is not None else None
    if value is not None and published is None:
        check.warn(f"{where}.publishedDateTime", f"{shorten(value)} is not a date and time; "
                   "it was ignored", DATE_HINT)
    elif published is not None:
        return _check_wall_time(check, f"{where}.publishedDateTime", published, timezone)
    return published


def _clean_body(check: FieldChecker, body: str) -> str:
    """``body`` (the file after its front matter) without the characters of
    ``NOT_TEXT``, and a warning at the line of the first one if it had some."""
    if not holds_not_text(body):
        return body
    source = check.source
    first = NOT_TEXT.search(body)
    assert first is not None
    line = source.body_line + body.count("\n", 0, first.start())
    check.problems.append(warning(
        source.path, f"control characters or non-characters ({code_points(body)}) were "
        "removed: HTML and XML do not allow them",
        line=line, field="body", hint=NOT_TEXT_HINT))
    return NOT_TEXT.sub("", body)


def _check_wall_time(check: FieldChecker, field: str, published: datetime, timezone: tzinfo
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


def _text_body(check: FieldChecker) -> Validated:
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
        body_images=body_images(check) if markdown else (),
    ), tuple(check.problems))


MARKDOWN_SUFFIXES = (".md", ".markdown")
"""Content files whose body is Markdown (a ``.txt`` file's is plain text)."""
_HEADING_MARKS = re.compile(r"^#{1,6}(?: +|$)|(?: +#+)$")
