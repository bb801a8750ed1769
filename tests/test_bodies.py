"""generator.bodies: plain-text bodies find their article; bodies render to HTML."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.bodies import (
    attach_bodies,
    body_lead,
    is_slip,
    normalize_title,
    render_body,
    render_plain_text,
)
from generator.build import BuildReport
from generator.check import check_site
from generator.records import Story, TextBody
from tests.test_incremental import tree
from tests.test_invalid import build_site_at

WHEN = datetime(2020, 6, 9, 3, 58, tzinfo=UTC)


def story(title: str, source: str = "content/a.md", body: str = "") -> Story:
    return Story(source=source, stem=source.rsplit("/", 1)[-1].split(".")[0], title=title,
                 published=WHEN, body=body)


def body(title: str, text: str = "The text.", source: str = "content/b.txt") -> TextBody:
    return TextBody(source=source, stem=source.rsplit("/", 1)[-1].split(".")[0], title=title,
                    text=text, modified=datetime(2021, 1, 1, tzinfo=UTC))


def test_normalize_title_ignores_case_punctuation_accents_and_spacing() -> None:
    assert normalize_title("  IBM   exits: Facial-Recognition, “business”! ") == \
        "ibm exits facial recognition business"
    assert normalize_title("Café") == normalize_title("cafe")


@pytest.mark.parametrize(
    "title",
    [
        "IBM exists facial recognition business, calls for police reform",  # exact
        "ibm EXISTS facial recognition business calls for police reform.",  # case, punctuation
        "IBM exits facial recognition business, calls for police reform",  # the seeds' typo
        "IBM exists facial recognition busines, calls for police reform",  # another typo
    ],
)
def test_a_body_becomes_the_body_of_the_article_it_repeats(title: str) -> None:
    articles = [story("IBM exists facial recognition business, calls for police reform"),
                story("Something else entirely", "content/c.md")]
    merged, matches = attach_bodies(articles, [body(title)])
    assert len(merged) == 2
    assert merged[0].body == "The text."
    assert merged[0].body_format == "text"
    assert merged[0].body_source == "content/b.txt"
    assert [(m.body.source, m.article) for m in matches] == [("content/b.txt", "content/a.md")]


@pytest.mark.parametrize(
    "title",
    [
        "IBM leaves facial recognition business, calls for police reform",  # another word
        "IBM exits facial recognition business, calls for reform",  # a word missing
        "IBM exits facial recognition market, calls for police action",  # two words differ
        "Totally unrelated headline",
        "Nvidia reports record Q2 earnings",  # (a digit is no typo: it was glued to Q1's
        # story, and the Q2 story was lost; a publisher's trial)
    ],
)
def test_a_body_that_matches_no_article_is_an_article_of_its_own(title: str) -> None:
    articles = [story("IBM exists facial recognition business, calls for police reform")]
    if title.startswith("Nvidia"):
        articles = [story("Nvidia reports record Q1 earnings")]
    merged, matches = attach_bodies(articles, [body(title, source="content/2020-06-10-x.txt")])
    assert merged[0].body == ""
    alone = merged[1]
    assert (alone.title, alone.body, alone.body_format) == (title, "The text.", "text")
    assert alone.published == datetime(2020, 6, 10, tzinfo=UTC)  # from the file name
    assert matches[0].article is None


@pytest.mark.parametrize(
    ("article", "title"),
    [
        ("Fed raises rates again", "Fed raises taxes again"),  # (a publisher's trial: one
        ("Tesla recalls 2 million cars", "Tesla recalls 2 million vans"),  # word was all
        ("Google unveils new model", "Google unveils new modem"),  # the news, and the text
        ("Microsoft hires Sam Altman", "Microsoft fires Sam Altman"),  # was published
        ("Apple form new chip team", "Apple forms new chip group"),  # under the other)
    ],
)
def test_another_word_in_a_headline_is_no_typo(article: str, title: str) -> None:
    merged, matches = attach_bodies([story(article)], [body(title)])
    assert merged[0].body == "" and matches[0].article is None


@pytest.mark.parametrize(
    ("first", "second", "slip"),
    [("exits", "exists", True), ("busines", "business", True), ("googel", "google", True),
     ("form", "from", True), ("rates", "taxes", False), ("model", "modem", False),
     ("cars", "vans", False), ("q1", "q2", False), ("gpt4", "gpt", False),
     ("same", "same", False), ("exit", "exists", False)],
)
def test_a_slip_is_one_letter_added_dropped_or_swapped(first: str, second: str,
                                                       slip: bool) -> None:
    assert is_slip(first, second) is slip and is_slip(second, first) is slip


def test_a_body_matched_by_a_mistyped_title_is_warned_about_on_every_build(
    tmp_path: Path,
) -> None:
    """The seeds' typo ("IBM exists" for "IBM exits") still finds its article, but a
    title one word apart may be another story, published under the wrong headline (a
    publisher's trial: "Fed raises taxes again" as the body of "Fed raises rates
    again"): each such match is a warning naming both files and both titles."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "000_07ceffb361487906.txt").write_text(
        "---\ntitle: IBM exists facial recognition business, calls for police reform\n"
        "publishedDateTime: 2020-06-09T03:58:00Z\n---\n", "utf-8")
    (content / "002_b227e8eca072cde8.txt").write_text(
        "IBM exits facial recognition business, calls for police reform\n\nText.\n",
        "utf-8")
    report = _build_site(tmp_path)
    assert [(m.body, m.article) for m in report.body_matches] == [
        ("content/002_b227e8eca072cde8.txt", "content/000_07ceffb361487906.txt")]
    [problem] = report.diagnostics
    assert (problem.file, problem.line, problem.severity.value) == (
        "content/002_b227e8eca072cde8.txt", 1, "warning")
    assert problem.message == (
        "its first line 'IBM exits facial recognition business, calls for police reform' is "
        "not the title of content/000_07ceffb361487906.txt ('IBM exists facial recognition "
        "business, calls for police reform') but differs from it by one word, taken for a "
        "typo: this file's text is published as that story's body")
    assert "make the two titles the same" in (problem.hint or "")
    assert "give this file front matter" in (problem.hint or "")
    again = _build_site(tmp_path)  # (nothing changed: said again, from the cache)
    assert again.rendered == 0 and again.diagnostics == report.diagnostics
    assert again.body_matches == report.body_matches
    (content / "002_b227e8eca072cde8.txt").write_text(
        "IBM exists facial recognition business, calls for police reform\n\nText.\n",
        "utf-8")
    assert _build_site(tmp_path).diagnostics == ()  # (the titles made the same)


def test_each_article_takes_one_body_and_keeps_its_own_text_first() -> None:
    articles = [story("One two three four", body="Own *markdown*.")]
    merged, matches = attach_bodies(
        articles, [body("One two three four", "First.", "content/b.txt"),
                   body("One two three four", "Second.", "content/c.txt")])
    assert merged[0].body == "Own *markdown*.\n\nFirst."
    assert merged[0].body_format == "markdown"
    assert [m.article for m in matches] == ["content/a.md", None]
    assert merged[1].body == "Second."


def test_no_bodies_leaves_stories_alone() -> None:
    articles = [story("A")]
    assert attach_bodies(articles, []) == (articles, [])


def test_plain_text_renders_paragraphs_and_bullet_lists() -> None:
    text = ("Platform Industry: IBM office\n\nIBM said <so> & more.\nSecond line.\n\n\n"
            "  • First point\n  • Second point\nAfter the list.\n")
    assert render_plain_text(text) == (
        "<p>Platform Industry: IBM office</p>\n"
        "<p>IBM said &lt;so&gt; &amp; more.<br>\nSecond line.</p>\n"
        "<ul>\n<li>First point</li>\n<li>Second point</li>\n</ul>\n"
        "<p>After the list.</p>\n"
    )


def test_render_body_chooses_plain_text_or_markdown_without_raw_html() -> None:
    assert render_body("• a\n• b", "text") == \
        '<ul>\n<li dir="auto">a</li>\n<li dir="auto">b</li>\n</ul>\n'
    markdown = render_body("Some *text*.\n\n<script>alert(1)</script>", "markdown")
    assert "<em>text</em>" in markdown
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert render_body("  \n", "markdown") == ""


FOOTNOTED = """A claim,[^source] and an aside.^[Said *inline*.] Again.[^source]

[^source]: The [report](https://example.org/r) it comes from.
"""


def test_footnotes_are_numbered_marks_linked_both_ways_to_notes_at_the_end() -> None:
    """``[^x]: note`` was read as a link reference definition, and ``[^x]`` became a
    link to ``note`` (a publisher's trial): markdown-it has no footnotes of its own."""
    assert render_body(FOOTNOTED, "markdown") == (
        '<p dir="auto">A claim,<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a>'
        '</sup> and '
        'an aside.<sup class="footnote-ref"><a href="#fn2" id="fnref2">[2]</a></sup> Again.'
        '<sup class="footnote-ref"><a href="#fn1" id="fnref1:1">[1:1]</a></sup></p>\n'
        '<hr class="footnotes-sep" />\n<section class="footnotes">\n'
        '<ol class="footnotes-list">\n'
        '<li dir="auto" id="fn1" class="footnote-item">'
        '<p dir="auto">The <a href="https://example.org/r">report</a> '
        'it comes from. <a href="#fnref1" class="footnote-backref">\u21a9\ufe0e</a> '
        '<a href="#fnref1:1" class="footnote-backref">\u21a9\ufe0e</a></p>\n</li>\n'
        '<li dir="auto" id="fn2" class="footnote-item"><p dir="auto">Said <em>inline</em>. '
        '<a href="#fnref2" class="footnote-backref">\u21a9\ufe0e</a></p>\n</li>\n'
        '</ol>\n</section>\n')
    assert render_body("A mark with no note.[^none]", "markdown") == \
        '<p dir="auto">A mark with no note.[^none]</p>\n'


def test_a_lead_leaves_footnotes_out() -> None:
    assert body_lead(FOOTNOTED, "markdown") == "A claim, and an aside. Again."


@pytest.mark.parametrize(("text", "img"), [
    ("![A chart](https://example.org/c.png){width=640 height=480}",
     '<img src="https://example.org/c.png" alt="A chart" width="640" height="480" />'),
    ('![c](/static/c.png){height="48" width=64}',
     '<img src="/static/c.png" alt="c" height="48" width="64" />'),
    ("![c](https://example.org/c.png){width=640}{height=480}",  # (blocks merge)
     '<img src="https://example.org/c.png" alt="c" width="640" height="480" />'),
    ('![c](https://example.org/c.png){width=640 height=480 .wide #top style="float: left" '
     'onerror="alert(1)" onload=x src="https://evil.example/x.png" data-x=1}',
     '<img src="https://example.org/c.png" alt="c" width="640" height="480" />'),
    ("![c](https://example.org/c.png){width=wide}",  # (digest check says it is no number)
     '<img src="https://example.org/c.png" alt="c" width="wide" />'),
])
def test_an_image_takes_its_width_and_height_in_braces_and_no_other_attribute(
        text: str, img: str) -> None:
    assert render_body(f"See {text} here.", "markdown") == f'<p dir="auto">See {img} here.</p>\n'


@pytest.mark.parametrize("text", [
    "[a link](https://example.org/){target=_blank}",  # (after a link: text)
    "`code`{.x}",  # (after code: text)
    "![c](https://example.org/c.png) {width=640}",  # (not right after the image)
    "![c](https://example.org/c.png){onerror=alert(1)}",  # (not attributes: a "(")
])
def test_braces_anywhere_else_stay_text(text: str) -> None:
    assert text[text.index("{"):] in render_body(text, "markdown")


def test_an_article_with_footnotes_and_sized_images_passes_the_site_check(
        tmp_path: Path) -> None:
    """And says how to size a body's image that has no size; an edit of the body then
    builds as a clean build does."""
    content = tmp_path / "site" / "content"
    content.mkdir(parents=True)
    (content / "2024-05-06-notes.md").write_text(
        "---\ntitle: Notes\npublishedDateTime: 2024-05-06T10:00:00Z\n---\n" + FOOTNOTED
        + "\n![A chart](https://example.org/c.png){width=640 height=480}\n", "utf-8")
    (content / "2024-05-07-more.md").write_text(
        "---\ntitle: More\npublishedDateTime: 2024-05-07T10:00:00Z\n---\nA note.[^1]\n\n"
        "[^1]: Its text.\n\n![A chart](https://example.org/c.png)\n", "utf-8")
    (tmp_path / "site" / "digest.yaml").write_text(HOSTED, "utf-8")  # (full URLs)
    assert _build_site(tmp_path / "site").diagnostics == ()
    out = tmp_path / "site" / "out"
    problems = [p.format() for p in check_site(out, site_url=URL)]
    [line] = [p.line for p in check_site(out, site_url=URL)]
    assert problems == [
        f"news/2024-05-07-more/index.html:{line}: <img src='https://example.org/c.png'> has "
        "no width, height: in the story's Markdown body, give its size in pixels right after "
        "it, ![A chart](https://example.org/c.png){width=640 height=480}"]
    page = (tmp_path / "site" / "out" / "news" / "2024-05-06-notes" / "index.html").read_text(
        "utf-8")
    assert page.count('id="fn1"') == page.count('id="fnref1"') == 1
    assert '<img src="https://example.org/c.png" alt="A chart" width="640" height="480"' in page
    more = content / "2024-05-07-more.md"
    more.write_text(more.read_text("utf-8").replace("c.png)", "c.png){width=64 height=48}"),
                    "utf-8")
    _build_site(tmp_path / "site")
    assert check_site(out, site_url=URL) == []
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    (clean / "digest.yaml").write_text(HOSTED, "utf-8")
    _build_site(clean)
    assert tree(tmp_path / "site" / "out") == tree(clean / "out")


URL = "https://digest.example/"
HOSTED = f"base_url: {URL}\n"
"""A site's settings for pages with full URLs (``digest check`` wants them in sitemaps)."""


def _build_site(site: Path) -> BuildReport:
    return build_site_at(site, site / "out")


def test_a_markdown_file_without_front_matter_is_markdown_titled_without_its_heading_marks(
    tmp_path: Path,
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "2024-05-06-notes.md").write_text(
        "\n# Real news, *today* #\n\nA [link](https://example.org/) and **bold**.\n\n"
        "- one\n- two\n", encoding="utf-8")
    (tmp_path / "content" / "2024-05-07-plain.txt").write_text(
        "# Kept as written\n\nA *star* stays.\n", encoding="utf-8")
    report = _build_site(tmp_path)
    assert report.diagnostics == ()
    page = (tmp_path / "out" / "news" / "2024-05-06-notes" / "index.html").read_text("utf-8")
    assert "<title>Real news, *today* ·" in page
    assert '<a href="https://example.org/"' in page and "<strong>bold</strong>" in page
    assert '<li dir="auto">one</li>' in page
    plain = (tmp_path / "out" / "news" / "2024-05-07-plain" / "index.html").read_text("utf-8")
    assert "<title># Kept as written ·" in plain and "A *star* stays." in plain


def test_a_file_standing_alone_undated_is_dated_by_its_mtime_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "notes.txt").write_text("Something else entirely\n\nText.\n", encoding="utf-8")
    (content / "2020-01-02-dated.txt").write_text("Dated by its name\n\nText.\n", "utf-8")
    os.utime(content / "notes.txt", (1_000_000_000, 1_000_000_000))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")  # (a commit's time: never a date)
    report = _build_site(tmp_path)
    assert [(d.file, d.line, d.severity.value) for d in report.diagnostics] == [
        ("content/notes.txt", 1, "warning")]
    assert "modification time" in report.diagnostics[0].message
    assert sorted(p.name for p in (tmp_path / "out" / "news").iterdir()
                  if p.is_dir()) == [
        "2001-09-09-something-else-entirely", "2020-01-02-dated"]
    again = _build_site(tmp_path)  # (nothing changed: the warning is given again)
    assert again.rendered == 0 and again.diagnostics == report.diagnostics


def test_an_undated_file_touched_without_a_change_is_rebuilt_as_a_clean_build_would(
    tmp_path: Path,
) -> None:
    """Its date is its modification time: the same bytes at another time move the story
    (date and address), and an incremental build must follow as a clean one does (the
    cache compared the bytes only: found by a fuzzer of incremental builds)."""
    content = tmp_path / "site" / "content"
    content.mkdir(parents=True)
    (content / "notes.txt").write_text("Something else entirely\n\nText.\n", "utf-8")
    (content / "2020-01-02-other.txt").write_text("Another story\n\nText.\n", "utf-8")
    os.utime(content / "notes.txt", (1_000_000_000, 1_000_000_000))
    _build_site(tmp_path / "site")
    os.utime(content / "notes.txt", (1_000_003_600, 1_000_003_600))  # (an hour later)
    _build_site(tmp_path / "site")
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    os.utime(clean / "content" / "notes.txt", (1_000_003_600, 1_000_003_600))
    _build_site(clean)
    built, wanted = tree(tmp_path / "site" / "out"), tree(clean / "out")
    page = wanted["news/2001-09-09-something-else-entirely/index.html"]
    assert b"September 9, 2001 02:46 UTC" in page
    assert built == wanted


def test_a_second_body_for_a_story_says_whose_body_it_would_have_been(tmp_path: Path) -> None:
    """Each article takes one body file; a second one matching it stands alone. It was
    said to match "no article" (a publisher's trial), and its page repeated the title."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "2024-05-02-second.md").write_text(
        "---\ntitle: Second story\npublishedDateTime: 2024-05-02T00:00:00Z\n---\n", "utf-8")
    (content / "2024-05-02-a.txt").write_text("Second Story\n\nbody from txt\n", "utf-8")
    (content / "2024-05-03-b.markdown").write_text("# second  story!\n\nMarkdown.\n", "utf-8")
    report = _build_site(tmp_path)  # (the first in order of their paths is the body)
    assert [(m.body, m.article, m.taken) for m in report.body_matches] == [
        ("content/2024-05-02-a.txt", "content/2024-05-02-second.md", None),
        ("content/2024-05-03-b.markdown", None, "content/2024-05-02-second.md")]
    [problem] = report.diagnostics
    assert (problem.file, problem.line) == ("content/2024-05-03-b.markdown", 1)
    assert problem.message.startswith("its title matches content/2024-05-02-second.md, "
                                      "whose body is already another file")
    again = _build_site(tmp_path)  # (nothing changed: said again, from the cache)
    assert again.rendered == 0 and again.diagnostics == report.diagnostics
    assert again.body_matches == report.body_matches


@pytest.mark.parametrize("fast", [True, False])
def test_a_body_s_headings_are_below_the_page_s_title(
        fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """An article page's one <h1> is its story's title: a body's ``# Heading`` made a
    second (a publisher's trial). Each heading goes one level down, by either renderer."""
    from generator import fastmd

    if not fast:
        monkeypatch.setattr(fastmd, "_renderer", lambda: None)
    html = render_body("# Top\n\nText.\n\n## Sub\n\n##### Five\n\n###### Six\n", "markdown")
    assert html == ('<h2 dir="auto">Top</h2>\n<p dir="auto">Text.</p>\n<h3 dir="auto">Sub</h3>\n'
                    '<h6 dir="auto">Five</h6>\n<h6 dir="auto">Six</h6>\n')
    assert render_body("# A <h1> `<h2>`\n", "markdown") == \
        '<h2 dir="auto">A &lt;h1&gt; <code>&lt;h2&gt;</code></h2>\n'


@pytest.mark.parametrize(("body", "body_format"), [
    ("English first.\n\nقال المتحدث.\n\n- item\n\n> quoted\n\n## Head\n\n| a |\n|--:|\n| b |\n",
     "markdown"),
    ("English first.\n\nقال المتحدث.\n\n• item\n", "text"),
])
def test_each_block_of_a_body_takes_its_own_direction(body: str, body_format: str) -> None:
    """dir="auto" on every paragraph, item, heading, quote and cell (the browser test sees
    the Arabic paragraph of an English story laid out right to left), with either
    renderer, and on plain-text bodies."""
    rendered = render_body(body, body_format)
    assert '<p dir="auto">English first.</p>' in rendered
    assert '<p dir="auto">قال المتحدث.</p>' in rendered
    assert '<li dir="auto">item</li>' in rendered
    assert rendered.count("<p>") == rendered.count("<li>") == 0
    if body_format == "markdown":
        assert '<blockquote dir="auto">' in rendered and '<h3 dir="auto">Head</h3>' in rendered
        assert '<th dir="auto" style="text-align:right">a</th>' in rendered
