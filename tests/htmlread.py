"""Reading built pages in tests: parse with html5lib and pick out what a reader sees."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib


def parse_html(path: Path) -> Element:
    """The page as an element tree (no namespaces, so ``tree.iter("a")`` works)."""
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    tree: Element = parser.parse(path.read_bytes())
    return tree


def text_of(element: Element) -> str:
    """All text inside ``element``, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def find_all(tree: Element, tag: str, **attributes: str) -> list[Element]:
    """Elements with this tag whose attributes contain the given words (``class_`` for class)."""
    found = []
    for element in tree.iter(tag):
        if all(word in element.get(name.rstrip("_"), "").split()
               for name, word in attributes.items()):
            found.append(element)
    return found


def listed_titles(tree: Element) -> list[str]:
    """Titles of every story a listing page lists: each card's headline, then the
    stories of the same event it names under "Also covered by" (their title attribute)."""
    titles = []
    main = tree.find(".//main")
    assert main is not None, "the page has no <main>"
    for card in main.iter("article"):
        titles += [text_of(link) for level in ("h2", "h3") for heading in card.iter(level)
                   for link in heading.iter("a")]
        titles += [link.get("title", "") for para in card.iter("p")
                   if "coverage" in para.get("class", "").split() for link in para.iter("a")]
    return titles


def headline_links(tree: Element) -> list[Element]:
    """Links inside headings of ``<main>``: one per story listed on a listing page."""
    main = tree.find(".//main")
    assert main is not None, "the page has no <main>"
    return [link for level in ("h2", "h3") for heading in main.iter(level)
            for link in heading.iter("a")]
