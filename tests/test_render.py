"""Rendering: what templates receive (README "Templates"), through a site's own templates."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import Environment

from generator.build import BuildReport, build
from generator.config import load_config
from generator.diagnostics import DigestError, Severity
from generator.render import make_environment
from tests.conftest import ROOT, MakeSite

STORY = """\
---
title: "{title}"
publishedDateTime: 2024-05-{day:02d}T14:30:00Z
topics: [AI]
{fields}---
The body of {title}.
"""

ARTICLE = """\
<h1>{{ story.title }}</h1>
{% if story.extra.author %}<p class="byline">By {{ story.extra.author }}</p>{% endif %}
<p class="name">{{ story.extra.byline.name|default("Staff") }}</p>
<p class="roles">{{ story.extra.byline.roles|join("/") }}</p>
<p class="colon">{{ story.extra["og:image"] }}</p>
<p class="all">{% for name, value in story.extra.items() %}{{ name }}={{ value }};{% endfor %}</p>
<p class="defined">{{ story.extra.author is defined }}</p>
"""

TOPIC = """\
{% for card in page.cards %}<li>{{ card.lead.title }}|{{ card.lead.extra.author }}|\
{% if card.lead.extra.sponsored %}Sponsored{% endif %}</li>
{% endfor %}
"""


def build_site(site: Path) -> BuildReport:
    config, problems = load_config(site, output=site.parent / "out")
    assert not problems
    return build(config)


def test_a_site_template_shows_a_story_s_own_fields_and_cards_show_them_too(
        make_site: MakeSite) -> None:
    site = make_site({
        "content/2024-05-01-a.md": STORY.format(
            title="A", day=1, fields="author: Jane Doe\nsponsored: true\nbyline:\n"
            "  name: Jane\n  roles: [editor, writer]\n'og:image': https://x.org/a.png\n"
            "secured: s3cr3t-token\n"),
        "content/2024-05-02-b.md": STORY.format(title="B", day=2, fields=""),
        "digest.yaml": "cluster_threshold: 1.5\n",
        "templates/article.html": ARTICLE,
        "templates/topic.html": TOPIC,
    })
    report = build_site(site)
    assert report.diagnostics == ()
    out = site.parent / "out"
    a = (out / "news/2024-05-01-a/index.html").read_text(encoding="utf-8")
    assert '<p class="byline">By Jane Doe</p>' in a and '<p class="name">Jane</p>' in a
    assert '<p class="roles">editor/writer</p>' in a
    assert '<p class="colon">https://x.org/a.png</p>' in a
    assert ('<p class="all">author=Jane Doe;sponsored=True;byline={&#39;name&#39;: &#39;Jane&#39;, '
            "&#39;roles&#39;: (&#39;editor&#39;, &#39;writer&#39;)};og:image=https://x.org/a.png;"
            "</p>") in a
    assert '<p class="defined">True</p>' in a
    # a story without them: empty and false, not an error
    b = (out / "news/2024-05-02-b/index.html").read_text(encoding="utf-8")
    assert "byline" not in b and '<p class="name">Staff</p>' in b
    assert '<p class="roles"></p>' in b and '<p class="all"></p>' in b
    assert '<p class="defined">False</p>' in b
    topic = (out / "topics/ai/index.html").read_text(encoding="utf-8")
    assert topic == "<li>B||</li>\n<li>A|Jane Doe|Sponsored</li>\n"
    assert not [p for p in out.rglob("*") if p.is_file() and b"s3cr3t" in p.read_bytes()]


def test_a_misspelt_name_still_stops_the_build_at_its_template_line(
        make_site: MakeSite) -> None:
    site = make_site({
        "content/2024-05-01-a.md": STORY.format(title="A", day=1, fields="author: Jane\n"),
        "templates/article.html": "<h1>{{ story.title }}</h1>\n{{ story.titel }}\n",
    })
    with pytest.raises(DigestError) as caught:
        build_site(site)
    [problem] = caught.value.diagnostics
    assert (problem.file, problem.line) == ("templates/article.html", 2)
    assert "titel" in problem.message


def documented_names() -> dict[str, str]:
    """The functions and filters README's "Templates" lists: name -> "filter", "function"
    or "filter and function"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Templates\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("Functions and filters", 1)[1].split("\n\n", 2)[1]
    return {name: kind for name, kind in re.findall(r"^\| `(\w+)` \(([a-z ]+)\) \|", table,
                                                     re.MULTILINE)}


def test_the_readme_documents_every_function_and_filter_digest_adds(tmp_path: Path) -> None:
    config, _ = load_config(tmp_path)
    env = make_environment(config)
    plain = Environment()
    filters = set(env.filters) - set(plain.filters)
    functions = set(env.globals) - set(plain.globals) - {"config"}
    names = documented_names()
    assert {n for n, kind in names.items() if "filter" in kind} == filters
    assert {n for n, kind in names.items() if "function" in kind} == functions


def test_each_documented_function_and_filter_renders(tmp_path: Path) -> None:
    config, _ = load_config(tmp_path, overrides={"base_url": "https://example.org/sub/",
                                                 "timezone": "America/New_York"})
    env = make_environment(config)
    moment = datetime(2024, 5, 6, 18, 30, tzinfo=UTC)
    midnight = datetime(2024, 5, 6, 4, 0, tzinfo=UTC)  # (00:00 in New York)
    said = {
        "url": "{{ 'topics/ai/'|url }} {{ url('news/x/') }}",
        "abs_url": "{{ abs_url('topics/ai/') }}",
        "date_human": "{{ moment|date_human }} / {{ midnight|date_human }}",
        "date_iso": "{{ moment|date_iso }}",
        "date_utc": "{{ moment|date_utc }}",
        "date_rfc822": "{{ moment|date_rfc822 }}",
        "as_html": "{{ '<b>&</b>'|as_html }}",
        "t": "{{ 'stories'|t(count=2) }} {{ 'stories'|t(count=1) }} {{ t('latest') }}",
    }
    assert set(said) == set(documented_names())
    got = {name: env.from_string(text).render(moment=moment, midnight=midnight)
           for name, text in said.items()}
    assert got == {
        "url": "/sub/topics/ai/ /sub/news/x/",
        "abs_url": "https://example.org/sub/topics/ai/",
        "date_human": "May 6, 2024 14:30 EDT / May 6, 2024",
        "date_iso": "2024-05-06T14:30:00-04:00",
        "date_utc": "2024-05-06T18:30:00Z",
        "date_rfc822": "Mon, 06 May 2024 18:30:00 GMT",
        "as_html": "&amp;lt;b&amp;gt;&amp;amp;&amp;lt;/b&amp;gt;",
        "t": "2 stories 1 story Latest",
    }


def test_the_documented_templates_are_the_default_theme_s(tmp_path: Path) -> None:
    """Each template of the default theme has its row in README's "Templates" table, and
    each macro of ``_cards.html`` is named there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Templates\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (`[^|]+) \|", section, re.MULTILINE)
    documented = {name for row in rows for name in re.findall(r"`([\w.-]+\.(?:html|xml))`", row)}
    shipped = {p.name for p in (ROOT / "templates").iterdir() if p.suffix in {".html", ".xml"}}
    assert documented == shipped
    cards = (ROOT / "templates/_cards.html").read_text(encoding="utf-8")
    for macro in re.findall(r"{% macro (.*?) %}", cards):
        assert f"`{macro}`" in section


def test_a_site_template_extends_the_default_theme_s_by_its_theme_name(
        make_site: MakeSite) -> None:
    site = make_site({
        "content/2024-05-01-a.md": STORY.format(title="A", day=1, fields=""),
        "templates/base.html": '{% extends "theme/base.html" %}\n{% block head %}'
                               '<link rel="stylesheet" href="/static/custom.css">'
                               "{% endblock %}\n",
    })
    build_site(site)
    home = (site.parent / "out/index.html").read_text()
    assert '<link rel="stylesheet" href="/static/custom.css">' in home
    assert "</html>" in home  # (the whole default page around it)


@pytest.mark.parametrize(("templates", "file", "line", "message", "hint"), [
    ({"templates/base.html": '{% extends "base.html" %}\n'}, "templates/base.html", 1,
     "template error: templates/base.html extends or includes itself: 'base.html' names "
     "the site's own file (rendering index.html)", '{% extends "theme/base.html" %}'),
    ({"templates/home.html": '{% extends "theme/home.html" %}\n{% block main %}\n'
                             '{% include "partials/missing.html" %}{% endblock %}\n'},
     "templates/home.html", 3, "template not found: 'partials/missing.html', which this "
     "template extends, includes or imports (rendering index.html)", "templates/"),
])
def test_a_template_extending_itself_or_a_missing_one_is_named_with_the_fix(
        make_site: MakeSite, templates: dict[str, str | bytes], file: str, line: int,
        message: str, hint: str) -> None:
    site = make_site({"content/2024-05-01-a.md": STORY.format(title="A", day=1, fields=""),
                      **templates})
    with pytest.raises(DigestError) as caught:
        build_site(site)
    [problem] = caught.value.diagnostics
    assert (problem.file, problem.line, problem.message) == (file, line, message)
    assert problem.hint is not None and hint in problem.hint


ARABIC = """\
---
title: "الذكاء الاصطناعي يغير العالم"
publishedDateTime: 2024-05-0{day}T10:00:00Z
excerpt: "نص قصير (مثال)."
provider: {{name: "الجزيرة"}}
topics: [Café, Caff, ذكاء]
cluster: same-event
related:
  - title: "مقال آخر"
    webUrl: https://example.org/other
    provider: {{name: "بي بي سي"}}
---
A body with [a link](https://example.org/) in it.
"""


@pytest.fixture
def arabic_site(make_site: MakeSite) -> Path:
    """Two stories of one event, with Arabic titles, excerpts, providers and a topic,
    and two topics whose names are alike (``Café`` and ``Caff``)."""
    site = make_site({"content/2024-05-01-a.md": ARABIC.format(day=1),
                      "content/2024-05-02-b.md": ARABIC.format(day=2)})
    build_site(site)
    return site.parent / "out"


def html_pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*.html"))}


def test_topic_tags_are_a_list_not_adjacent_links(arabic_site: Path) -> None:
    """Links side by side with nothing between them read as one word ("CaféCaff") in
    reader mode, without CSS or in a screen reader's links list: the theme lists a story's
    topics, one item each, on its page and on its cards."""
    from tests.htmlread import find_all, parse_html, text_of

    pages = html_pages(arabic_site)
    assert not [path for path, html in pages.items() if "</a><a" in html]
    article = parse_html(arabic_site / "news/2024-05-01-a/index.html")
    home = parse_html(arabic_site / "index.html")
    for tree, lists in ((article, 1), (home, 1)):
        found = find_all(tree, "ul", class_="topic-tags")
        assert len(found) == lists
        assert [[text_of(a) for a in li.iter("a")] for li in found[0]] == \
            [["Café"], ["Caff"], ["ذكاء"]]


def test_text_that_may_be_right_to_left_gets_dir_auto(arabic_site: Path) -> None:
    """Titles, excerpts, provider names and topic names are the stories', in whatever
    language they are written: each is its own direction's (``dir="auto"``), so a title's
    punctuation is not misplaced in a left-to-right page, nor an English one in Arabic."""
    from tests.htmlread import parse_html, text_of

    def auto(path: str) -> set[str]:
        tree = parse_html(arabic_site / path)
        main = tree.find(".//main")
        assert main is not None
        return {text_of(e) for e in main.iter() if e.get("dir") == "auto"}

    title, excerpt, provider = "الذكاء الاصطناعي يغير العالم", "نص قصير (مثال).", "الجزيرة"
    article = auto("news/2024-05-01-a/index.html")
    assert {title, excerpt, provider, "Café", "Caff", "ذكاء", "مقال آخر", "بي بي سي"} <= article
    assert {title, excerpt, provider, "Café", "ذكاء"} <= auto("index.html")
    assert {title, excerpt, provider, "ذكاء"} <= auto("topics/dhk/index.html")
    assert "ذكاء" in auto("topics/index.html")
    assert {title, provider} <= auto("archive/2024/05/index.html")
    assert 'dir="rtl"' not in (arabic_site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("language", "direction"), [
    ("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("ur", "rtl"), ("en", None), ("fr", None)])
def test_a_site_in_a_right_to_left_language_has_right_to_left_pages(
        make_site: MakeSite, language: str, direction: str | None) -> None:
    site = make_site({"content/2024-05-01-a.md": STORY.format(title="A", day=1, fields=""),
                      "digest.yaml": f"language: {language}\n"})
    config, problems = load_config(site, output=site.parent / "out")
    assert all(p.severity is Severity.WARNING for p in problems)  # (not translated)
    build(config)
    pages = html_pages(site.parent / "out")
    assert "page/1/index.html" in pages and "404.html" in pages  # (the redirect too)
    opening = f'<html lang="{language}"' + (f' dir="{direction}">' if direction else ">")
    assert [path for path, html in pages.items() if opening not in html] == []


def test_a_topic_description_takes_its_own_direction(make_site: MakeSite,
                                                       tmp_path: Path) -> None:
    """A topic's description (digest.yaml) is the editor's text, in whatever language:
    dir="auto" on the topic's page and on the topics page, as the stories' text has."""
    site = make_site({
        "digest.yaml": "topics:\n  AI:\n    description: الذكاء الاصطناعي كل يوم\n",
        "content/2024-05-01-one.md": "---\ntitle: One\npublishedDateTime: 2024-05-01T10:00:00Z\n"
                                     "topics: [AI]\n---\n",
    })
    config, _ = load_config(site, output=tmp_path / "out")
    build(config)
    topic = (tmp_path / "out/topics/ai/index.html").read_text(encoding="utf-8")
    assert '<p class="lede" dir="auto">الذكاء الاصطناعي كل يوم</p>' in topic
    topics = (tmp_path / "out/topics/index.html").read_text(encoding="utf-8")
    assert '<p dir="auto">الذكاء الاصطناعي كل يوم</p>' in topics
