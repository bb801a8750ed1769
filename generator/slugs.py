"""Slugs: readable, unique, stable URL segments for topics and stories."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import TypeVar

from slugify import slugify

from .diagnostics import Diagnostic, warning
from .frozen import frozen

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
    """What tells topics apart: their names but for case, spacing, the hyphens or
    underscores that stand for spaces and the accents of Latin letters ("AI in
    Healthcare", "AI in  healthcare" and "ai-in-healthcare" are one topic, as Hugo's
    taxonomies make them one term; so are "Café", "CAFÉ" and "Cafe", and "Łódź" and
    "Lodz"; "C" and "C#" stay two). Builds warn when spellings are one topic only by
    their accents (``topic_spellings``): "Résumé" and "Resume" can be two words."""
    folded = name.casefold().translate(_AS_SPACE)
    if not folded.isascii():
        folded = _without_latin_accents(folded)
    return " ".join(folded.split())


def topic_key_with_accents(name: str) -> str:
    """``topic_key`` but for accents: what tells apart the spellings of one topic that
    differ by more than case and spacing ("Café" and "Cafe"; not "Café" and "CAFÉ")."""
    return " ".join(name.casefold().translate(_AS_SPACE).split())


_AS_SPACE = str.maketrans("-_", "  ")
_STROKED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b",
                          "ɨ": "i", "ƶ": "z", "ǥ": "g", "æ": "ae", "œ": "oe"})
"""Latin letters written with a stroke or as a ligature, which Unicode does not split
into a letter and an accent, as slugs spell them (``slugify``'s transliteration)."""


def _without_latin_accents(text: str) -> str:
    """``text`` (case-folded) without the accents of its Latin letters: a combining mark
    goes only after a Latin letter, as the marks of other scripts (kana's dakuten, Indic
    vowel signs, Cyrillic "й") make letters of their own."""
    kept = []
    latin = False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if latin:
                continue
        else:
            latin = char.isascii() or unicodedata.name(char, "").startswith("LATIN ")
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).translate(_STROKED)


def topic_slug(name: str) -> str:
    """"Computer Vision" -> "computer-vision"; "IBM AI" -> "ibm-ai"; the symbols that
    name a thing are spelled out, as they are said, where the slug would drop them:
    "C#" -> "c-sharp", "C++" -> "c-plus-plus", "Disney+" -> "disney-plus", ".NET" ->
    "dotnet", "AT&T" -> "at-and-t" (a spaced "&" is left out: "Arts & Culture" ->
    "arts-culture")."""
    text = unicodedata.normalize("NFC", name) if not name.isascii() else name
    if _SPOKEN_SYMBOL.search(text):
        for pattern, spoken in _SPOKEN:
            text = pattern.sub(spoken, text)
    return make_slug(text, fallback="topic")


_SPOKEN_SYMBOL = re.compile(r"[#+.&]")
_SPOKEN: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"(?<=[^\W_])#"), lambda _m: " sharp "),  # C#, F#
    (re.compile(r"(?<=[^\W_])\++(?![^\W_])"), lambda m: " plus" * len(m[0]) + " "),  # C++
    (re.compile(r"(?<![^\W_])(?<!\.)\.(?=[^\W_])"), lambda _m: " dot"),  # .NET, not ASP.NET
    (re.compile(r"(?<=[^\W_])&(?=[^\W_])"), lambda _m: " and "),  # AT&T, R&D
)
"""The symbols a topic's slug spells out (``topic_slug``), with what each becomes."""


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


def assign_topic_slugs(named: Mapping[str, str], sizes: Mapping[str, int]) -> dict[str, str]:
    """The slug of each topic, by name, given each ``topic_key``'s topic name
    (``named``) and count of stories (``sizes``): its ``topic_slug``, unless names of
    other keys want that too (the topic with the most stories, then the first name in
    code point order, keeps it; the others get a suffix of their own name)."""
    return assign_unique(sorted(named), wanted=lambda key: topic_slug(named[key]),
                         identity=named.__getitem__,
                         rank=lambda key: (-sizes[key], named[key]))


@frozen
class SlugClash:
    """A story that did not get the address it wanted: another story took it."""

    source: str
    """The story's file (relative to the site folder)."""
    slug: str
    """The slug it got instead (the wanted one with a suffix of its own path)."""
    holder: str
    """The file of the story that has the wanted slug."""
    wanted: str
    """The slug both wanted."""
    next_in_line: bool
    """Whether it is the story that gets the wanted slug when the holder goes (the first
    of the others in ``assign_unique``'s rank)."""

    def to_tuple(self) -> tuple[str, str, str, str, bool]:
        """A ``marshal``-friendly tuple (for the cache)."""
        return (self.source, self.slug, self.holder, self.wanted, self.next_in_line)


def find_slug_clashes(moved: Iterable[tuple[str, str, str, tuple[object, ...]]],
                      holders: Mapping[str, str]) -> tuple[SlugClash, ...]:
    """The clashes of the stories ``moved`` from the slug they wanted, given as (source,
    wanted slug, slug got, rank as ``assign_unique`` ranked it), in source order: each
    with the story that has the slug it wanted (``holders``: the source of the story that
    has each slug, of those wanted at least)."""
    others: dict[str, list[tuple[tuple[object, ...], str, str]]] = {}
    for source, wanted, slug, rank in moved:
        if slug != wanted and wanted in holders:
            others.setdefault(wanted, []).append((rank, source, slug))
    clashes = []
    for wanted, group in others.items():
        first = min(group, key=lambda member: member[0])[1]
        clashes += [SlugClash(source, slug, holders[wanted], wanted, source == first)
                    for _rank, source, slug in group]
    return tuple(sorted(clashes, key=lambda clash: clash.source))


def slug_clash_warnings(clashes: Iterable[SlugClash], *,
                        path_of: Callable[[str], str]) -> tuple[Diagnostic, ...]:
    """A warning for each story whose address another story took (``assign_unique`` gave
    it a suffix): it names both files and the address of each (``path_of`` a slug), and,
    for the story next in line, that its address moves when the other file goes."""
    return tuple(warning(
        clash.source,
        f"{clash.holder} wants the same address and has it, {path_of(clash.wanted)} (it is "
        f"dated earlier, or at the same time and its path sorts first), so this story is at "
        f"{path_of(clash.slug)}"
        + (f"; should {clash.holder} go, this story moves to {path_of(clash.wanted)} and "
           f"{path_of(clash.slug)} stops working" if clash.next_in_line else ""),
        hint="Rename one of the two files: a dated file name (YYYY-MM-DD-words.md) gives a "
             "story an address of its own that stays put when other files come and go. "
             f"Renaming this one moves its page: add aliases: [/{path_of(clash.slug)}] to it, "
             "to keep its address working.")
        for clash in clashes)
