"""Bodies: match plain-text body files to their articles, and turn bodies into HTML."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache

from markdown_it import MarkdownIt

from .records import Story, TextBody

_DATED_STEM = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
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
    spacing, and tolerating one mistyped word) becomes an article of its own.
    """
    if not bodies:
        return list(stories), []
    exact: dict[str, int] = {}
    halves: dict[tuple[int, int, tuple[str, ...]], list[int]] = {}
    for index, story in enumerate(stories):
        words = normalize_title(story.title).split()
        exact.setdefault(" ".join(words), index)
        for key in _half_keys(words):
            halves.setdefault(key, []).append(index)
    result = list(stories)
    matches: list[BodyMatch] = []
    taken: set[int] = set()
    for body in sorted(bodies, key=lambda b: b.source):
        index = _find(body.title, exact, halves, stories, taken)
        if index is None:
            result.append(_standalone(body))
            matches.append(BodyMatch(body, None))
            continue
        taken.add(index)
        article = result[index]
        text = body.text if not article.body else article.body + "\n\n" + body.text
        result[index] = replace(article, body=text, body_format="text" if not article.body
                                else article.body_format, body_source=body.source)
        matches.append(BodyMatch(body, article.source))
    return result, matches


def _half_keys(words: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    if len(words) < 4:
        return []
    middle = len(words) // 2
    return [(len(words), 0, tuple(words[:middle])), (len(words), 1, tuple(words[middle:]))]


def _find(
    title: str,
    exact: dict[str, int],
    halves: dict[tuple[int, int, tuple[str, ...]], list[int]],
    stories: Sequence[Story],
    taken: set[int],
) -> int | None:
    words = normalize_title(title).split()
    hit = exact.get(" ".join(words))
    if hit is not None and hit not in taken:
        return hit
    candidates = sorted({i for key in _half_keys(words) for i in halves.get(key, ())} - taken)
    for index in candidates:
        other = normalize_title(stories[index].title).split()
        differing = [(a, b) for a, b in zip(words, other, strict=True) if a != b]
        if len(differing) == 1 and _edit_distance(*differing[0]) <= 2:
            return index
    return None


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _standalone(body: TextBody) -> Story:
    dated = _DATED_STEM.match(body.stem)
    published = (datetime(*map(int, dated.groups()), tzinfo=UTC) if dated  # type: ignore[misc]
                 else body.modified)
    return Story(source=body.source, stem=body.stem, title=body.title, published=published,
                 body=body.text, body_format="text", body_source=body.source)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render_body(body: str, body_format: str) -> str:
    """Body text -> HTML: Markdown (raw HTML off), or plain text as paragraphs and lists."""
    if not body.strip():
        return ""
    if body_format == "text":
        return render_plain_text(body)
    return _markdown().render(body)


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
