"""What a reader sees of the default theme, in real headless Chromium: links told apart
without CSS and without colour, and text in its own direction (a story's title, each
paragraph of its body).

The sample site, with two stories of its own (an Arabic one whose topics have alike names,
``Café`` and ``Caff``), is built and served by nginx; the checks read the pages as
the browser lays them out (computed styles, ``innerText``), not their HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.build import build
from generator.config import load_config
from tests.support.nginx import free_port, serve_with_nginx
from tests.support.published import publish

ARABIC_TITLE = "الذكاء الاصطناعي يغير العالم"
STORIES = {
    "2024-05-01-arabic.md": f"""\
---
title: "{ARABIC_TITLE}"
publishedDateTime: 2024-05-01T10:00:00Z
excerpt: "نص قصير (مثال)."
provider: {{name: "الجزيرة"}}
topics: [Café, Caff]
---
نص المقال.
""",
    "2024-05-02-english.md": """\
---
title: "A story with links in its text"
publishedDateTime: 2024-05-02T10:00:00Z
provider: {name: Example News}
topics: [Café, Caff, AI]
webUrl: https://news.example/links
---
The report, [published on Monday](https://news.example/report), says more than
[the summary](https://news.example/summary) did.

قال المتحدث إن التقرير كامل.
""",
}
PARAGRAPH_DIRECTIONS = """() => Array.from(document.querySelectorAll(".story-body p"),
  p => getComputedStyle(p).direction)"""
"""The direction each paragraph of the story's body is laid out in."""

ADJACENT_LINKS = """() => {
  const found = [];
  for (const link of document.querySelectorAll("a")) {
    let before = link.previousSibling;
    while (before && before.nodeType === Node.TEXT_NODE && before.data === "") {
      before = before.previousSibling;
    }
    if (before && before.nodeName === "A") {
      found.push(before.textContent + "|" + link.textContent);
    }
  }
  return found;
}"""
"""Links with nothing at all between them (``<a>Café</a><a>Caff</a>``): read as one word."""

LINK_STYLES = """selector => Array.from(document.querySelectorAll(selector), link =>
  [link.textContent.trim(), getComputedStyle(link).textDecorationLine])"""
"""``[text, text-decoration-line]`` of each link ``selector`` matches."""

WITHOUT_CSS = """() => {
  for (const sheet of document.styleSheets) { sheet.disabled = true; }
  return document.querySelector(".story-topics").innerText;
}"""
"""The story's topics as a page without its stylesheet reads (as reader mode does)."""


def test_an_article_page_has_no_adjacent_links_and_underlines_links_in_its_text(
        sample_site: Path, tmp_path: Path) -> None:
    from tests.support.browser import launch_chromium

    for name, text in STORIES.items():
        (sample_site / "content" / name).write_text(text, encoding="utf-8")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    publish(sample_site, tmp_path / "out", base_url=base_url)
    seen: dict[str, Any] = {}
    with serve_with_nginx(tmp_path / "out", port=port), launch_chromium() as browser:
        page = browser.new_page()
        for name in ("english", "arabic"):
            page.goto(f"{base_url}news/2024-05-0{1 if name == 'arabic' else 2}-{name}/")
            seen[name, "adjacent"] = page.evaluate(ADJACENT_LINKS)
            seen[name, "title"] = page.eval_on_selector(
                "h1", "h => [h.textContent, getComputedStyle(h).direction]")
        page.goto(base_url + "news/2024-05-02-english/")
        seen["body"] = page.evaluate(LINK_STYLES, ".story-body a, .story-source a")
        seen["paragraphs"] = page.evaluate(PARAGRAPH_DIRECTIONS)
        seen["tags"] = page.evaluate(LINK_STYLES, ".topic-tag")
        seen["without css"] = page.evaluate(WITHOUT_CSS)
        page.goto(base_url)
        seen["home", "adjacent"] = page.evaluate(ADJACENT_LINKS)
        seen["cards"] = page.evaluate(LINK_STYLES, ".card-title a")
        seen["coverage"] = page.evaluate(LINK_STYLES, ".coverage a")
        page.hover(".card-title a")
        seen["hovered"] = page.eval_on_selector(
            ".card-title a", "a => getComputedStyle(a).textDecorationLine")
    assert seen["english", "adjacent"] == seen["arabic", "adjacent"] == []
    assert seen["home", "adjacent"] == []
    assert seen["body"] == [["published on Monday", "underline"], ["the summary", "underline"],
                            ["Read the full story at Example News →", "underline"]]
    assert seen["coverage"] and {style for _text, style in seen["coverage"]} == {"underline"}
    # titles and tags stand alone: they look as they did, and are underlined when hovered
    assert seen["cards"] and {style for _text, style in seen["cards"]} == {"none"}
    assert seen["hovered"] == "underline"
    assert {style for _text, style in seen["tags"]} == {"none"}
    assert seen["without css"].split() == ["Topics:", "Café", "Caff", "AI"]
    assert "\n" in seen["without css"].strip()  # (a list: one topic a line)
    assert seen["arabic", "title"] == [ARABIC_TITLE, "rtl"]  # (dir="auto", on an en page)
    assert seen["english", "title"][1] == "ltr"
    # each paragraph of a body in its own direction: an Arabic one in an English story too
    assert seen["paragraphs"] == ["ltr", "rtl"]


def test_a_right_to_left_site_is_laid_out_right_to_left_without_a_sideways_scroll(
        sample_site: Path, tmp_path: Path) -> None:
    """``language: ar``: every page is ``dir="rtl"``, and nothing (the skip link kept off
    screen) widens it, which an element put far to the left does on a right-to-left page."""
    from tests.support.browser import launch_chromium

    (sample_site / "content/2024-05-01-arabic.md").write_text(
        STORIES["2024-05-01-arabic.md"], encoding="utf-8")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    config, problems = load_config(sample_site, output=tmp_path / "out",
                                   overrides={"base_url": base_url, "language": "ar"})
    assert [p.field for p in problems] == ["language"]  # (its strings are not translated)
    build(config)
    urls = [base_url, base_url + "news/2024-05-01-arabic/", base_url + "topics/"]
    seen = []
    with serve_with_nginx(tmp_path / "out", port=port), launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 800, "height": 600})
        for url in urls:
            page.goto(url)
            seen.append(page.evaluate("""() => [getComputedStyle(document.body).direction,
                document.documentElement.scrollWidth <= document.documentElement.clientWidth]"""))
    assert seen == [["rtl", True]] * len(urls)
