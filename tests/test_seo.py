"""generator.seo: canonical links, OpenGraph and Twitter meta, JSON-LD, sitemap, robots.txt."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import fromstring

import pytest

from generator.config import default_config
from generator.pages import plan_html_pages
from generator.seo import base_url_warnings, json_ld
from tests.htmlread import parse_html
from tests.support.published import Published, publish

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(params=["sample", "corpus", "corpus-newest-first"])
def published(request: pytest.FixtureRequest, tmp_path: Path) -> Published:
    name, _, pagination = request.param.partition("-")
    site: Path = request.getfixturevalue(f"{name}_site")
    return publish(site, tmp_path / "out", page_size=3, pagination=pagination or "stable")


def redirect_files(published: Published) -> set[Path]:
    """The redirect pages a build makes: at ``page/1/`` and ``page/`` of the home page
    and of each topic (but ``page/1/`` of a topic numbered from the oldest with more than
    one page, fewer than twice ``page_size`` cards: its oldest page), at ``news/`` (to the
    archive), and in the JSON API's folders (``api/``, ``api/topics/``, each list's
    folder)."""
    out = published.output
    site = published.site
    newest_first = site.config.pagination == "newest-first"
    one_page = {t.ref.path for t in site.topics
                if len(site.cards(t.articles)) < 2 * site.config.page_size}
    folders = {f"{listing}{page}" for listing in ("", *(t.ref.path for t in site.topics))
               for page in ("page/1/", "page/")
               if newest_first or page == "page/" or not listing or listing in one_page}
    folders |= {"news/", "api/", "api/topics/", "api/news/",
                *(f"api/news/{t.ref.slug}/" for t in site.topics)}
    return {out / folder / "index.html" for folder in folders}


def head_meta(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in parse_html(path).iter("meta"):
        key = meta.get("property") or meta.get("name")
        if key:
            found.setdefault(key, []).append(meta.get("content", ""))
    return found


def json_lds(path: Path) -> list[Any]:
    return [json.loads(script.text or "") for script in parse_html(path).iter("script")
            if script.get("type") == "application/ld+json"]


def sitemap_parts(published: Published) -> dict[Path, tuple[str, list[tuple[Path, str]]]]:
    """The files ``sitemap.xml`` indexes: the ``lastmod`` the index gives each, and the
    (file, lastmod) of each page it lists."""
    index = fromstring((published.output / "sitemap.xml").read_bytes())
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = {}
    for entry in index.findall(f"{SITEMAP}sitemap"):
        part = published.file_of(entry.findtext(f"{SITEMAP}loc") or "")
        assert part.parent == published.output and part not in parts
        urls = fromstring(part.read_bytes()).findall(f"{SITEMAP}url")
        parts[part] = (entry.findtext(f"{SITEMAP}lastmod") or "",
                       [(published.file_of(u.findtext(f"{SITEMAP}loc") or ""),
                         u.findtext(f"{SITEMAP}lastmod") or "") for u in urls])
    return parts


def test_the_sitemap_lists_every_html_page_with_lastmod(published: Published) -> None:
    """``sitemap.xml`` indexes its parts: the pages but the articles' and the topics', each
    topic's pages, each month's articles; the index dates each by its newest story."""
    parts = sitemap_parts(published)
    listed = [file for _lastmod, urls in parts.values() for file, _ in urls]
    pages = {p for p in published.output.rglob("*.html") if p.name != "404.html"}
    redirects = {p for p in pages if b'http-equiv="refresh"' in p.read_bytes()}  # (noindex,
    # never in the sitemap)
    assert redirects == redirect_files(published)
    assert sorted(listed) == sorted(pages - redirects)  # (each once)
    output = published.output
    names = [part.name for part in parts]
    assert names[0] == "sitemap-pages.xml"
    assert names[1 : 1 + len(published.site.topics)] == [
        f"sitemap-topic-{topic.ref.slug}.xml" for topic in published.site.topics]
    for part, (lastmod, urls) in parts.items():
        assert urls and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", date)
                            for _file, date in (*urls, ("", lastmod)))
        assert lastmod >= max(date for _file, date in urls)
        folders = {file.relative_to(output).parts[0] for file, _date in urls}
        if part.name.startswith("sitemap-news-"):  # (newest first, all of one month)
            assert folders == {"news"} and [date for _f, date in urls] == sorted(
                (date for _f, date in urls), reverse=True)
            assert {date[:7] for _f, date in urls} <= {part.name[13:20]}  # (UTC here)
            assert lastmod == urls[0][1]
        elif part.name.startswith("sitemap-topic-"):
            assert folders == {"topics"}
    assert names[1 + len(published.site.topics):] == sorted(
        names[1 + len(published.site.topics):], reverse=True)
    robots = (published.output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {published.url_of('sitemap.xml')}\n" in robots


def test_a_sitemap_part_past_the_limit_is_cut_into_files(
        sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 50,000 URLs (here 4) a sitemap is not valid: a part of more is cut into
    ``sitemap-<part>.xml``, ``sitemap-<part>.2.xml``..."""
    import generator.pages as pages_module
    from generator.check import BuiltSite, check_sitemap, list_files

    def built_site(published: Published) -> BuiltSite:
        return BuiltSite(root=published.output, base_path="/news-digest/",
                         files=frozenset(list_files(published.output)),
                         site_url=published.base_url)

    monkeypatch.setattr(pages_module, "SITEMAP_LIMIT", 4)
    published = publish(sample_site, tmp_path / "out", page_size=3)
    parts = sitemap_parts(published)
    cut = [part.name for part in parts if re.fullmatch(r"sitemap-.+\.\d+\.xml", part.name)]
    assert cut and all(part.with_name(re.sub(r"\.\d+\.xml$", ".xml", part.name)) in parts
                       for part in parts)
    for part, (lastmod, urls) in parts.items():
        assert re.fullmatch(r"sitemap-(pages|topic-[a-z0-9-]+|news-\d{4}-\d\d)(\.[2-9])?\.xml",
                            part.name)
        assert 0 < len(urls) <= 4
        assert lastmod >= max(date for _file, date in urls)
    listed = [file for _lastmod, urls in parts.values() for file, _ in urls]
    assert sorted(listed) == sorted({p for p in published.output.rglob("*.html")
                                     if p.name != "404.html"} - redirect_files(published))
    assert check_sitemap(built_site(published)) == []
    (published.output / cut[0]).write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>', "utf-8")
    assert any("is not listed" in p.message for p in check_sitemap(built_site(published)))


def test_article_pages_carry_canonical_opengraph_twitter_and_news_article(
    published: Published,
) -> None:
    for article in published.site.articles:
        path = published.output / article.path / "index.html"
        canonical = [link.get("href") for link in parse_html(path).iter("link")
                     if link.get("rel") == "canonical"]
        url = published.url_of(article.path)
        assert canonical == [url]
        meta = head_meta(path)
        assert meta["og:type"] == ["article"] and meta["og:url"] == [url]
        assert meta["og:title"] == [article.title] and meta["twitter:title"] == [article.title]
        image = article.card_image
        if image:
            assert meta["og:image"] == [image.url] and meta["twitter:image"] == [image.url]
            assert meta["og:image:width"] == [str(image.width)]
            assert meta["og:image:height"] == [str(image.height)]
            assert meta["twitter:card"] == ["summary_large_image"]
        else:
            assert "og:image" not in meta and meta["twitter:card"] == ["summary"]
        [data] = json_lds(path)
        assert data["@type"] == "NewsArticle" and data["headline"] == article.title
        assert data["url"] == url and data["datePublished"].endswith("Z")
        if image:
            assert data["image"][0]["width"] == image.width


def test_topic_pages_carry_a_collection_page_with_an_item_list(published: Published) -> None:
    pages = [p for p in plan_html_pages(published.site) if p.kind == "topic"]
    listed: dict[str, list[str]] = {}
    for page in pages:
        [data] = json_lds(published.output / page.path / "index.html")
        assert data["@type"] == "CollectionPage" and data["url"] == published.url_of(page.path)
        items = data["mainEntity"]["itemListElement"]
        assert data["mainEntity"]["numberOfItems"] == len(items) == len(page.articles)
        assert [item["position"] for item in items] == list(range(1, len(items) + 1))
        assert [item["url"] for item in items] == [
            published.url_of(a.path) for a in page.articles]
        assert page.topic is not None
        listed.setdefault(page.topic.ref.slug, []).extend(item["url"] for item in items)
    for topic in published.site.topics:  # over its pages, each story of the topic once
        urls = listed[topic.ref.slug]
        assert sorted(urls) == sorted(published.url_of(f"news/{s}/") for s in topic.articles)


def test_a_topics_picture_and_keywords_from_the_config_describe_its_pages(
        make_site: Any, tmp_path: Path) -> None:
    story = "---\ntitle: {0}\npublishedDateTime: 2021-01-0{1}T10:00:00Z\ntopics: [{2}]\n" \
            "images:\n  - url: https://img.example/{1}.jpg\n    width: 640\n" \
            "    height: 360\n---\n"
    site = make_site({
        "content/2021-01-01-a.md": story.format("A", 1, "AI"),
        "content/2021-01-02-b.md": story.format("B", 2, "Robots"),
        "content/2021-01-03-c.md": story.format("C", 3, "Drones"),
        "digest.yaml": textwrap.dedent("""\
            topics:
              - name: ai
                image: https://img.example/ai.png
                keywords: [machine learning, LLM]
              - name: Robots
                image: {url: "https://img.example/robots.png", width: 1200, height: 630}
            """),
    })
    published = publish(site, tmp_path / "out")
    ai, robots, drones = (head_meta(published.output / f"topics/{name}/index.html")
                          for name in ("ai", "robots", "drones"))
    assert ai["og:image"] == ai["twitter:image"] == ["https://img.example/ai.png"]
    assert "og:image:width" not in ai  # (no size given: none made up)
    assert ai["keywords"] == ["machine learning, LLM"]
    [data] = json_lds(published.output / "topics/ai/index.html")
    assert data["keywords"] == ["machine learning", "LLM"]
    assert (robots["og:image"], robots["og:image:width"], robots["og:image:height"]) == \
        (["https://img.example/robots.png"], ["1200"], ["630"])
    assert drones["og:image"] == ["https://img.example/3.jpg"]  # (its newest story's)
    assert "keywords" not in drones and "keywords" not in json_lds(
        published.output / "topics/drones/index.html")[0]


@pytest.mark.parametrize(("entry", "field"), [
    ("image: /ai.png", "topics[0].image"),
    ("image: {url: 'https://img.example/ai.png', width: wide}", "topics[0].image"),
    ("order: '1'", "topics[0].order"),
    ("keywords: {a: 1}", "topics[0].keywords"),
])
def test_a_topic_setting_that_cannot_be_used_is_a_warning(
        make_site: Any, entry: str, field: str) -> None:
    from generator.config import load_config

    site = make_site({"digest.yaml": f"topics:\n  - name: AI\n    {entry}\n"})
    _config, problems = load_config(site)
    assert [(p.severity.value, p.file, p.field) for p in problems] == \
        [("warning", "digest.yaml", field)]
    assert problems[0].hint


def test_json_ld_cannot_close_its_script_element(make_site: Any, tmp_path: Path) -> None:
    title = "</script><script>alert(1)</script> & <!-- x"
    site = make_site({"content/2021-01-01-a.md": textwrap.dedent(f"""\
        ---
        title: '{title}'
        publishedDateTime: 2021-01-01T10:00:00Z
        topics: [AI]
        ---
        """)})
    published = publish(site, tmp_path / "out")
    page = published.output / published.site.articles[0].path / "index.html"
    raw = page.read_text(encoding="utf-8")
    script = raw[raw.index('<script type="application/ld+json">'):]
    assert script.count("</script") == 1 and "<!--" not in script
    assert json_lds(page)[0]["headline"] == title
    assert str(json_ld({"a": "<&>\u2028"})) == '{"a":"\\u003c\\u0026\\u003e\\u2028"}'


def test_a_base_url_without_a_host_is_a_warning_for_strict(tmp_path: Path) -> None:
    [problem] = base_url_warnings(default_config(tmp_path))
    assert problem.field == "base_url" and "--base-url" in (problem.hint or "")
    config = replace(default_config(tmp_path), base_url="https://example.org/d/")
    assert base_url_warnings(config) == ()


def test_the_404_page_is_not_indexed(published: Published) -> None:
    meta = head_meta(published.output / "404.html")
    assert meta["robots"] == ["noindex"] and "og:url" not in meta
