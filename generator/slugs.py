"""Slugs: readable, unique, stable URL segments for topics and stories."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import TypeVar

from slugify import slugify

MAX_SLUG = 80
"""The longest slug made from a title or a topic name (cut at a word's end)."""
MAX_STEM_SLUG = 200
"""The longest file name kept as a page's slug: names are kept whole, as the page's
address (an archive's file names are its links); 200 leaves a uniqueness suffix room
within a file system's 255 bytes a name."""
_DATED_STEM = re.compile(r"^\d{4}-\d{2}-\d{2}-[\w-]*\w")
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?![\d])")
_PLAIN_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
T = TypeVar("T")


def date_in_name(name: str, zone: tzinfo) -> datetime | None:
    """The date a file name starts with (``2020-06-09-words.md``), if it is a real date."""
    dated = _DATE_PREFIX.match(name)
    if dated is None:
        return None
    year, month, day = map(int, dated.groups())
    try:
        return datetime(year, month, day, tzinfo=zone)
    except ValueError:
        return None


def make_slug(text: str, *, fallback: str = "item") -> str:
    """A lowercase ASCII slug (non-Latin text is transliterated); never empty."""
    slug = slugify(text, max_length=MAX_SLUG, word_boundary=True, save_order=True)
    return slug or fallback + "-" + short_hash(text)


def short_hash(text: str) -> str:
    """Six hex digits that identify ``text``."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


def topic_key(name: str) -> str:
    """What tells topics apart: their names but for case and spacing ("AI in Healthcare"
    and "AI in  healthcare" are one topic, as in Hugo's taxonomies; "C" and "C#" two)."""
    return " ".join(name.casefold().split())


def topic_slug(name: str) -> str:
    """"Computer Vision" -> "computer-vision"; "IBM AI" -> "ibm-ai"."""
    return make_slug(name, fallback="topic")


def story_slug(stem: str, title: str, date_prefix: str) -> str:
    """The file stem when it looks like ``YYYY-MM-DD-words``, else date + title."""
    if _DATED_STEM.match(stem):
        if len(stem) <= MAX_STEM_SLUG and _PLAIN_SLUG.match(stem):
            return stem  # already a slug: skip the (slow) general slugify
        slug = slugify(stem, max_length=MAX_STEM_SLUG, word_boundary=True, save_order=True)
        if slug and slug[:10] == stem[:10]:
            return slug
    words = slugify(title, max_length=MAX_SLUG, word_boundary=True, save_order=True)
    return f"{date_prefix}-{words or 'story-' + short_hash(stem + title)}"


def assign_unique(
    items: Iterable[T], *, wanted: Callable[[T], str], identity: Callable[[T], str],
    rank: Callable[[T], tuple[object, ...]],
) -> dict[str, str]:
    """Give every item a unique slug, keyed by its identity.

    When several items want the same slug, the best-ranked one keeps it and the
    others get a suffix made from their own identity. A suffix depends only on
    the item itself, so adding an unrelated file never renames an existing page.
    """
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(wanted(item), []).append(item)
    taken = set(groups)
    result = {identity(members[0]): slug for slug, members in groups.items() if len(members) == 1}
    for slug in sorted(slug for slug, members in groups.items() if len(members) > 1):
        members = sorted(groups[slug], key=rank)
        result[identity(members[0])] = slug
        for item in members[1:]:
            key = identity(item)
            candidate = f"{slug}-{short_hash(key)}"
            salt = 0
            while candidate in taken:
                salt += 1
                candidate = f"{slug}-{short_hash(f'{key}#{salt}')}"
            taken.add(candidate)
            result[key] = candidate
    return result
