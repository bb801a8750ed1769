"""Bodies: match plain-text body files to their articles, and turn bodies into HTML."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, warning
from .fastmd import fast_html
from .frozen import frozen
from .records import Story, TextBody
from .slugs import date_in_name
from .urls import is_safe_link

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_WORD = re.compile(r"\w+")


@frozen
class BodyMatch:
    """What became of one plain-text body file."""

    body: TextBody
    """The body file."""
    article: str | None
    """Source path of the article it became the body of, or None if it stands alone."""


def normalize_title(title: str) -> str:
    """Lowercase words only: ignores case, punctuation, accents and spacing."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    return " ".join(_WORD.findall(folded))


def attach_bodies(
    stories: Sequence[Story], bodies: Sequence[TextBody]
) -> tuple[list[Story], list[BodyMatch]]:
    """Give each plain-text body to the article whose title it repeats.

    A body whose first line matches no article (ignoring case, punctuation and
    spacing, and tolerating one mistyped word: see ``match_body_titles``) becomes an
    article of its own.
    """
    ordered = sorted(bodies, key=lambda b: b.source)
    found = match_body_titles([normalize_title(s.title) for s in stories],
                              [normalize_title(b.title) for b in ordered])
    result = list(stories)
    matches: list[BodyMatch] = []
    for body, index in zip(ordered, found, strict=True):
        if index is None:
            result.append(standalone_story(body))
            matches.append(BodyMatch(body, None))
            continue
        result[index] = merge_body(result[index], body)
        matches.append(BodyMatch(body, result[index].source))
    return result, matches


def merge_body(story: Story, body: TextBody) -> Story:
    """The story with a plain-text body file's text as its body (after its own, if any)."""
    images = story.body_images + body.body_images
    if not story.body:
        return replace(story, body=body.text, body_format=body.body_format,
                       body_source=body.source, body_images=images)
    return replace(story, body=story.body + "\n\n" + body.text, body_source=body.source,
                   body_images=images)


def match_body_titles(article_titles: Sequence[str], body_titles: Sequence[str], *,
                      one_each: bool = True) -> list[int | None]:
    """For each body title, the index of the article title it matches, or None.

    Titles are compared normalized (see ``normalize_title``); one word may differ
    by a slip of the keys (see ``is_slip``) in titles of four words or more: the build
    warns about such a match (``build._fuzzy_warning``). Each article takes at most one
    body, the first in order (unless not ``one_each``).
    """
    if not body_titles:
        return []
    exact: dict[str, int] = {}
    halves: dict[tuple[int, int, tuple[str, ...]], list[int]] = {}
    for index, title in enumerate(article_titles):
        exact.setdefault(title, index)
        for key in _half_keys(title.split()):
            halves.setdefault(key, []).append(index)
    taken: set[int] = set()
    found: list[int | None] = []
    for title in body_titles:
        match = _find(title, exact, halves, article_titles, taken)
        if match is not None and one_each:
            taken.add(match)
        found.append(match)
    return found


def _half_keys(words: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    if len(words) < 4:
        return []
    middle = len(words) // 2
    return [(len(words), 0, tuple(words[:middle])), (len(words), 1, tuple(words[middle:]))]


def _find(
    title: str,
    exact: dict[str, int],
    halves: dict[tuple[int, int, tuple[str, ...]], list[int]],
    article_titles: Sequence[str],
    taken: set[int],
) -> int | None:
    hit = exact.get(title)
    if hit is not None and hit not in taken:
        return hit
    words = title.split()
    candidates = sorted({i for key in _half_keys(words) for i in halves.get(key, ())} - taken)
    for index in candidates:
        other = article_titles[index].split()
        differing = [(a, b) for a, b in zip(words, other, strict=True) if a != b]
        if len(differing) == 1 and is_slip(*differing[0]):
            return index
    return None


def is_slip(a: str, b: str) -> bool:
    """Whether the words ``a`` and ``b`` differ as one mistyped word does: by one letter
    added or dropped (``exits``/``exists``, the seeds' typo) or two neighbours swapped
    (``Googel``). A changed letter is not taken for a slip: in a headline it is most
    often another word, and the news (``rates``/``taxes``, ``model``/``modem``,
    ``hires``/``fires``); nor is a change in a word with a digit (Q1 and Q2, GPT-4 and
    GPT-5, 2024 and 2025 are other stories)."""
    if a == b or any(char.isdigit() for char in a + b):
        return False
    if len(a) == len(b):
        at = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(at) == 2 and at[1] == at[0] + 1 and a[at[0]] == b[at[1]] \
            and a[at[1]] == b[at[0]]
    short, long = sorted((a, b), key=len)
    if len(long) != len(short) + 1:
        return False
    cut = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y),
               len(short))
    return long[:cut] + long[cut + 1:] == short


def body_file_date(body: TextBody, zone: tzinfo = UTC) -> datetime:
    """The date of a body file standing alone: from its name (``YYYY-MM-DD...``), else
    its modification time (see :func:`undated_warning`)."""
    dated = date_in_name(body.stem, zone)
    return dated if dated is not None else body.modified


def dated_by_mtime(stem: str) -> bool:
    """Whether a body file standing alone, named ``stem``, takes its date from its
    modification time (its name starts with no date)."""
    return date_in_name(stem, UTC) is None


def undated_warning(source: str) -> Diagnostic | None:
    """The warning for a body file that stands alone with no date in its name: it is
    dated by its modification time, which a checkout or a copy changes, and its page's
    address with it. (The date could come from nowhere stable: ``SOURCE_DATE_EPOCH`` is
    the commit's time, which would move the story with every commit.)"""
    if not dated_by_mtime(PurePosixPath(source).stem):
        return None
    return warning(
        source, "this file has no front matter and is no article's body, so it is a story "
        "of its own, dated by the file's modification time: a fresh checkout or a copy "
        "changes that date, and the address of its page with it", line=1,
        hint="Give it front matter with a title and publishedDateTime, or a name "
             "starting with its date (YYYY-MM-DD-words.txt); to make it an article's body, "
             "start it with that article's title.")


def standalone_story(body: TextBody, zone: tzinfo = UTC) -> Story:
    """A plain-text body that matched no article, as an article of its own."""
    return Story(source=body.source, stem=body.stem, title=body.title,
                 published=body_file_date(body, zone), body=body.text,
                 body_format=body.body_format, body_source=body.source,
                 body_images=body.body_images)


IMAGE_ATTRIBUTES = ("width", "height")
"""What an image of a Markdown body may be given in braces after it,
``![alt](src){width=640 height=480}``: its size, which ``digest check`` asks of every
``<img>`` (and a browser wants, to lay the page out before the image comes). Any other
attribute (``class``, ``style``, ``id``, ``onerror``, another ``src``) is dropped: raw
HTML is shown as text, so a body cannot style, script or re-point the page it is on
through attributes either."""


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    """The one markdown-it of this process (made once: a worker renders many bodies).

    CommonMark with tables and strikethrough, raw HTML shown as text, links only to
    http(s) and site paths; footnotes (``text[^1]`` with ``[^1]: the note``, and inline
    ``^[the note]``) and the size of an image (``IMAGE_ATTRIBUTES``) from
    mdit-py-plugins."""
    from markdown_it import (
        MarkdownIt,  # imported on first use: a build with nothing to do never renders
    )
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.validateLink = is_safe_link  # type: ignore[assignment]  # only http(s) and site paths
    md.use(footnote_plugin)
    md.use(attrs_plugin, after=("image",), allowed=IMAGE_ATTRIBUTES)
    return md


def link_definitions(body: str) -> dict[str, tuple[str, int]]:
    """The link reference definitions of a Markdown body (``[hero]: /static/x.png "A
    title"``), as markdown-it reads them for the page: by label as CommonMark matches
    labels (``link_label``), the link (normalized, as the page shows it) and the line of
    the definition within ``body``, from 0. A label's first definition wins; one inside a
    paragraph or a code block, or whose link may not be shown, is none."""
    md = _markdown()
    env: dict[str, Any] = {}
    md.block.parse(body, md, env, [])  # (definitions are blocks: no inline parsing)
    return {label: (found["href"], found["map"][0])
            for label, found in env.get("references", {}).items()}


def link_label(text: str) -> str:
    """A link label as definitions and links match it: case and runs of space ignored."""
    from markdown_it.common.utils import normalizeReference

    return normalizeReference(text)


def render_body(body: str, body_format: str) -> str:
    """Body text -> HTML: Markdown (raw HTML off), or plain text as paragraphs and lists.
    A Markdown heading is one level below what it says (``# Details`` is an ``<h2>``, an
    ``######`` stays ``<h6>``): the page's one ``<h1>`` is the story's title."""
    if not body.strip():
        return ""
    if body_format == "text":
        return text_directions(render_plain_text(body))
    fast = fast_html(body)  # (cmark-gfm, where it gives markdown-it's output: see fastmd)
    return text_directions(headings_below(fast if fast is not None
                                          else str(_markdown().render(body))))


def text_directions(html: str) -> str:
    """A body's HTML with ``dir="auto"`` on each block of its text (paragraph, list item,
    heading, quote, table cell), as GitHub shows Markdown: each block takes the direction
    of its own first strong letter, so that a paragraph in Arabic or Hebrew in an English
    story (or one in English in an Arabic story) reads from its own side. (The body's
    ``dir="auto"`` in ``article.html`` gives every block its first paragraph's direction.)
    5 us a 3 KB body (a template, ``r'<\\1 dir="auto"\\2'``, took 11)."""
    return _TEXT_BLOCK.sub(_directed, html)


_TEXT_BLOCK = re.compile(r"<(p|li|h[1-6]|blockquote|t[dh])([ >])")
"""The opening tag of a block of text, as both renderers and ``render_plain_text``
write it (a body's own ``<`` is escaped), up to the space or ``>`` after its name."""


def _directed(found: re.Match[str]) -> str:
    return f'<{found[1]} dir="auto"{found[2]}'


def headings_below(html: str) -> str:
    """A body's HTML with each heading one level lower (``<h6>`` stays)."""
    return _HEADING.sub(_heading_below, html) if "<h" in html else html


_HEADING = re.compile(r"<(/?)h([1-5])>")
"""A heading's tags as both renderers write them (a body's own ``<`` is escaped)."""


def _heading_below(found: re.Match[str]) -> str:
    return f"<{found[1]}h{int(found[2]) + 1}>"


LEAD_CHARACTERS = 240
"""Most characters of a body's opening used as the excerpt of a story that has none."""
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|blockquote|pre|br|hr|table|tr|td|th|div)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTES = re.compile(r'<sup class="footnote-ref">.*?</sup>|<hr class="footnotes-sep" />.*',
                        re.DOTALL)
"""Footnote marks and the notes (the footnote plugin's HTML: a body's own is escaped)."""


def body_lead(body: str, body_format: str) -> str:
    """The opening of a body as plain text, without footnotes, cut at a word's end within
    ``LEAD_CHARACTERS`` (with "…"): what a story without an ``excerpt`` shows on its
    cards and in feeds, as Hugo summarizes a page that has no summary."""
    rendered = render_body(body, body_format)
    if 'class="footnote' in rendered:
        rendered = _FOOTNOTES.sub("", rendered)
    text = " ".join(html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", rendered))).split())
    if len(text) <= LEAD_CHARACTERS:
        return text
    cut = text[:LEAD_CHARACTERS + 1].rsplit(" ", 1)[0] if " " in text[:LEAD_CHARACTERS] \
        else text[:LEAD_CHARACTERS]
    return cut.rstrip(",;:") + "…"


def render_plain_text(text: str) -> str:
    """Paragraphs at blank lines; lines starting with a bullet ("•", "-", "*") become a list."""
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            bullet = re.match(r"^[•·▪‣●◦*-]\s+(.*)$", line)
            if bullet:
                if paragraph:
                    blocks.append("<p>" + "<br>\n".join(paragraph) + "</p>")
                    paragraph = []
                items.append(html.escape(bullet.group(1)))
                continue
            if items:
                blocks.append(_list(items))
                items = []
            paragraph.append(html.escape(line))
        if items:
            blocks.append(_list(items))
        if paragraph:
            blocks.append("<p>" + "<br>\n".join(paragraph) + "</p>")
    return "\n".join(blocks) + "\n"


def _list(items: list[str]) -> str:
    return "<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>"
