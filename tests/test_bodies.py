"""generator.bodies: plain-text bodies find their article; bodies render to HTML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from generator.bodies import attach_bodies, normalize_title, render_body, render_plain_text
from generator.records import Story, TextBody

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
    ],
)
def test_a_body_that_matches_no_article_is_an_article_of_its_own(title: str) -> None:
    articles = [story("IBM exists facial recognition business, calls for police reform")]
    merged, matches = attach_bodies(articles, [body(title, source="content/2020-06-10-x.txt")])
    assert merged[0].body == ""
    alone = merged[1]
    assert (alone.title, alone.body, alone.body_format) == (title, "The text.", "text")
    assert alone.published == datetime(2020, 6, 10, tzinfo=UTC)  # from the file name
    assert matches[0].article is None


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
    assert render_body("• a\n• b", "text") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
    markdown = render_body("Some *text*.\n\n<script>alert(1)</script>", "markdown")
    assert "<em>text</em>" in markdown
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert render_body("  \n", "markdown") == ""
