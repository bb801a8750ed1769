"""generator.check: the site checker finds planted problems and passes clean output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.check import CheckProblem, check_site

GOOD_HEAD = '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title>'


def page(body: str, *, title: str = "A page", head: str = "") -> str:
    """A valid HTML5 page around ``body``."""
    start = GOOD_HEAD.format(title=title) + head
    return start + "</head>\n<body>\n" + body + "\n</body>\n</html>\n"


def write_site(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def messages(problems: list[CheckProblem]) -> list[str]:
    return [p.format() for p in problems]


def test_a_clean_site_has_no_problems(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "index.html": page('<a href="/news/a/">A</a> <a href="news/a/#top">A again</a>'
                           '<img src="/static/x.png" alt="" width="10" height="10">'
                           '<a href="https://example.com/">out</a> <a href="mailto:a@b.c">mail</a>'
                           '<a href="#main">skip</a> <a href="/?page=2">query</a>',
                           head='<link rel="stylesheet" href="/static/site.css">'),
        "news/a/index.html": page('<a href="../../">home</a> <a href="//cdn.example/x">cdn</a>'),
        "static/site.css": "body{}",
        "static/x.png": "png",
    })
    assert check_site(site) == []


def test_finds_a_planted_broken_link(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "index.html": page('<p>\n<a href="/news/missing/">gone</a></p>'),
    })
    problems = check_site(site)
    assert messages(problems) == [
        "index.html:6: <a href='/news/missing/'>: no built file 'news/missing/index.html'"
    ]


def test_each_broken_link_is_reported_at_its_own_line(tmp_path: Path) -> None:
    """The same link found again is not reported at the line of the first; a <link> with
    the same address does not stand for an <a> (the canonical link before the nav)."""
    site = write_site(tmp_path, {
        "index.html": page('<a href="/gone/">one</a>\n<p>\n<a href="/gone/">two</a>'
                           '\n<a href="/gone/?a=1&amp;b=2">three</a>',
                           head='\n<link rel="canonical" href="/gone/">'),
    })
    assert [(p.line, p.message.split(">")[0]) for p in check_site(site)] == [
        (6, "<a href='/gone/'"), (8, "<a href='/gone/'"), (9, "<a href='/gone/?a=1&b=2'"),
        (4, "<link href='/gone/'"),
    ]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script src="/app.js"></script>', "<script src='/app.js'>: no built file 'app.js'"),
        ('<img src="/pic.png" alt="" width="1" height="1">', "<img src='/pic.png'>: no built file"),
        ('<a href="news">n</a>', "did you mean news/ (a trailing slash)?"),
        ('<a href="javascript:alert(1)">x</a>', "the scheme 'javascript' is not allowed"),
        ('<a href="">x</a>', "the link is empty"),
    ],
)
def test_finds_broken_assets_and_bad_links(tmp_path: Path, html: str, expected: str) -> None:
    site = write_site(tmp_path, {"index.html": page(html), "news/index.html": page("")})
    found = messages(check_site(site))
    assert len(found) == 1 and expected in found[0], found


def test_finds_a_missing_alt_and_missing_sizes(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "index.html": page('<img src="/a.png" width="5" height="5">\n'
                           '<img src="/b.png" alt="b">\n'
                           '<img src="/c.png" alt="c" width="5px" height="0">'),
        "a.png": "", "b.png": "", "c.png": "",
    })
    assert messages(check_site(site)) == [
        "index.html:5: <img src='/a.png'> has no alt",
        "index.html:6: <img src='/b.png'> has no width, height",
        "index.html:7: <img src='/c.png'> has width='5px', not a positive number",
        "index.html:7: <img src='/c.png'> has height='0', not a positive number",
    ]


def test_finds_a_duplicate_id(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"index.html": page('<div id="x"></div>\n<p id="x">again</p>')})
    assert messages(check_site(site)) == ["index.html:5: duplicate id 'x'"]


def test_finds_a_missing_or_empty_title(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "a.html": page("", title="  "),
        "b.html": "<!DOCTYPE html>\n<html><head></head><body></body></html>\n",
    })
    assert messages(check_site(site)) == [
        "a.html:3: the page's <title> is empty",
        "b.html: the page has no <title>",
    ]


def test_reports_html5_parse_errors_with_their_line(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "index.html": page("<p>fine</p>\n<div>\n<p>x</span></div>"),
        "nodoctype.html": "<html><head><title>t</title></head><body></body></html>",
    })
    found = messages(check_site(site))
    assert found[0].startswith("index.html:7: HTML parse error 'unexpected-end-tag'")
    assert found[1].startswith("nodoctype.html:1: HTML parse error 'expected-doctype-but-got-")
    assert len(found) == 2


def test_links_must_stay_under_the_base_path(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "index.html": page('<a href="/digest/news/">ok</a> <a href="news/">ok too</a> '
                           '<a href="/news/">outside</a>'),
        "news/index.html": page('<a href="../">up</a> <a href="../../">too far</a>'),
    })
    found = messages(check_site(site, base_path="/digest/"))
    assert found == [
        "index.html:5: <a href='/news/'>: it points outside the site's base path '/digest/'",
        "news/index.html:5: <a href='../../'>: it points outside the site's base path '/digest/'",
    ]
    assert check_site(site, base_path="digest") == check_site(site, base_path="/digest/")


def test_percent_encoded_links_resolve(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "index.html": page('<a href="/caf%C3%A9/">café</a>'),
        "café/index.html": page(""),
    })
    assert check_site(site) == []


# --- site checks: feeds, JSON, sitemap ----------------------------------------------------

ATOM_OK = ('<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
           '<updated>2020-01-01T00:00:00Z</updated>'
           '<entry><id>e</id><title>e</title><updated>2020-01-01T00:00:00Z</updated>'
           '<link rel="alternate" href="{href}"/></entry></feed>')


def test_built_sample_passes_with_its_absolute_base_url(sample_site: Path, tmp_path: Path) -> None:
    from tests.support.published import BASE_URL, publish

    published = publish(sample_site, tmp_path / "out")
    assert messages(check_site(published.output, base_path="/news-digest/",
                               site_url=BASE_URL)) == []


def test_feed_problems_are_found(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "index.html": page("<p>home</p>"),
        "news/a/index.html": page("<p>a</p>"),
        "good.xml": ATOM_OK.format(href="https://example.org/d/news/a/"),
        "broken-link.xml": ATOM_OK.format(href="https://example.org/d/news/gone/"),
        "no-id.xml": ATOM_OK.format(href="/d/news/a/").replace("<id>x</id>", ""),
        "bad.xml": "<rss><channel>\n<title>x</channel></rss>",
        "rss.xml": "<rss><channel><title>t</title><link>/d/</link></channel></rss>",
        "feed.json": json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t",
                                 "items": [{"id": "1", "url": "/d/news/a/"}]}),
        "api.json": "{\n  'single': 'quotes'}",
    })
    found = messages(check_site(site, base_path="/d/", site_url="https://example.org/d"))
    assert found == [
        "bad.xml:2: XML parse error: mismatched tag: line 2, column 10",
        "broken-link.xml:1: entry link 'https://example.org/d/news/gone/': "
        "no built file 'news/gone/index.html'",
        "no-id.xml: the Atom feed has no <id>",
        "rss.xml: the RSS channel has no <description>",
        "api.json:2: JSON parse error: Expecting property name enclosed in double quotes: "
        "line 2 column 3 (char 4)",
        "feed.json: JSON Feed item 1 has no content",
    ]


def test_sitemap_problems_are_found(tmp_path: Path) -> None:
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'
    site = write_site(tmp_path, {
        "index.html": page("<p>home</p>"),
        "news/a/index.html": page("<p>a</p>"),
        "sitemap.xml": urlset.format(
            "<url><loc>https://example.org/</loc><lastmod>2020-01-01T00:00:00Z</lastmod></url>"
            "\n<url><loc>https://example.org/news/b/</loc><lastmod>yesterday</lastmod></url>"),
    })
    assert messages(check_site(site, site_url="https://example.org/")) == [
        "sitemap.xml: lastmod 'yesterday' is not a W3C date",
        "sitemap.xml:2: <loc> 'https://example.org/news/b/': no built file 'news/b/index.html'",
        "sitemap.xml: the page 'news/a/index.html' is not listed",
    ]


def test_a_refresh_must_lead_to_a_built_page(tmp_path: Path) -> None:
    """A redirect page's ``<meta http-equiv="refresh">`` is checked like a link."""
    site = write_site(tmp_path / "d", {
        "index.html": page("<p>home</p>"),
        "page/1/index.html": page("", head='<meta http-equiv="refresh" content="0; url=/d/">'),
        "topics/a/page/1/index.html": page(
            "", head='\n<meta http-equiv="Refresh" content="0;URL=\'/d/topics/a/\'">'),
        "topics/b/page/1/index.html": page(
            "", head='<meta http-equiv="refresh" content="0; url=/elsewhere/">'),
        "reload.html": page("", head='<meta http-equiv="refresh" content="30">'),
    })
    assert messages(check_site(site, base_path="/d/")) == [
        "topics/a/page/1/index.html:4: <meta http-equiv=refresh> to '/d/topics/a/': "
        "no built file 'topics/a/index.html'",
        "topics/b/page/1/index.html:3: <meta http-equiv=refresh> to '/elsewhere/': "
        "it points outside the site's base path '/d/'",
    ]


def test_the_sitemap_need_not_list_pages_marked_noindex(tmp_path: Path) -> None:
    """A redirect page asks not to be indexed: the sitemap leaves it out (the 404 page is
    not an index.html)."""
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'
    site = write_site(tmp_path, {
        "index.html": page("<p>home</p>"),
        "page/1/index.html": page('<a href="/">home</a>', head=(
            '<meta name="robots" content="noindex">'
            '<meta http-equiv="refresh" content="0; url=/">')),
        "news/a/index.html": page("<p>a</p>", head='<meta name="robots" content="index">'),
        "sitemap.xml": urlset.format("<url><loc>https://example.org/</loc></url>"),
    })
    assert messages(check_site(site, site_url="https://example.org/")) == [
        "sitemap.xml: the page 'news/a/index.html' is not listed",
    ]


def test_an_image_of_a_body_without_a_size_is_told_how_to_give_one(tmp_path: Path) -> None:
    """Markdown gives an image no size: its author gives one in braces (see bodies)."""
    site = write_site(tmp_path, {
        "news/a/index.html": page('<div class="story-body"><p>\n<img src="/a.png" alt="a">\n'
                                  '<img src="/b.png" alt="" width="5" height="50%">\n'
                                  '<img src="/c.png" width="5" height="5"></p></div>\n'
                                  '<img src="/d.png" alt="d">'),
        "a.png": "", "b.png": "", "c.png": "", "d.png": "",
    })
    hint = (": in the story's Markdown body, give its size in pixels right after it, "
            "![{}]({}){{width=640 height=480}}")
    assert messages(check_site(site)) == [
        "news/a/index.html:6: <img src='/a.png'> has no width, height" + hint.format("a", "/a.png"),
        "news/a/index.html:7: <img src='/b.png'> has height='50%', not a positive number"
        + hint.format("alt", "/b.png"),
        "news/a/index.html:8: <img src='/c.png'> has no alt",  # (its size is right)
        "news/a/index.html:9: <img src='/d.png'> has no width, height",  # (not in a body)
    ]


def test_links_of_the_json_api_must_resolve(tmp_path: Path) -> None:
    """A story's ``pageUrl`` in the API pages, and a topic's page, API page and feeds in
    the topic list, are links like any other (a deleted article page was not noticed)."""
    site = write_site(tmp_path / "d", {
        "index.html": page("<p>home</p>"),
        "news/a/index.html": page("<p>a</p>"),
        "topics/ai/atom.xml": ATOM_OK.format(href="/d/news/a/"),
        "api/news/page/3/index.json": json.dumps({"page": 3, "nextPage": None, "value": [
            {"title": "A", "pageUrl": "https://example.org/d/news/a/",
             "webUrl": "https://elsewhere.example/gone/"},
            {"title": "B", "pageUrl": "https://example.org/d/news/b/"}]}, indent=1),
        "api/topics/index.json": json.dumps({"page": 1, "nextPage": None, "value": [
            {"name": "AI", "pageUrl": "/d/topics/ai/",
             "apiUrl": "https://example.org/d/api/news/ai/index.json",
             "feeds": {"Atom": "https://example.org/d/topics/ai/atom.xml"}}]}),
        "data.json": json.dumps({"value": [{"pageUrl": "/d/not/checked/"}]}),
    })
    found = messages(check_site(site, base_path="/d/", site_url="https://example.org/d/"))
    assert found == [
        "api/news/page/3/index.json:12: API link 'https://example.org/d/news/b/': "
        "no built file 'news/b/index.html'",
        "api/topics/index.json:1: API link '/d/topics/ai/': "
        "no built file 'topics/ai/index.html'",
        "api/topics/index.json:1: API link 'https://example.org/d/api/news/ai/index.json': "
        "no built file 'api/news/ai/index.json'",
    ]


def test_a_sitemap_of_site_relative_urls_is_reported_once(tmp_path: Path) -> None:
    """A build for a base_url without a host (which it warns about) writes site-relative
    ``<loc>``s, which the sitemap protocol does not allow: one problem says so and what
    to do."""
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{}</urlset>'
    site = write_site(tmp_path, {
        "index.html": page("<p>home</p>"),
        "news/a/index.html": page("<p>a</p>"),
        "sitemap.xml": urlset.format("<url><loc>/</loc></url>\n<url><loc>/news/a/</loc></url>"),
    })
    assert messages(check_site(site)) == [
        "sitemap.xml:2: 2 <loc> URL(s) are site-relative, e.g. '/': the sitemap protocol wants "
        "full URLs (search engines ignore the rest). Pass --base-url "
        "https://example.org/digest/ to digest build, or set base_url in digest.yaml",
    ]


def test_a_sitemap_index_of_site_relative_urls_is_reported_once_for_its_files(
        tmp_path: Path) -> None:
    """The index's own ``<loc>``s stand for its files': one problem, on the index."""
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{}</urlset>'
    site = write_site(tmp_path, {
        "index.html": page("<p>home</p>"),
        "news/a/index.html": page("<p>a</p>"),
        "sitemap.xml": '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                       "<sitemap><loc>/sitemap-pages.xml</loc></sitemap>\n"
                       "<sitemap><loc>/sitemap-news-2024-05.xml</loc></sitemap>\n"
                       "</sitemapindex>",
        "sitemap-pages.xml": urlset.format("<url><loc>/</loc></url>"),
        "sitemap-news-2024-05.xml": urlset.format("<url><loc>/news/a/</loc></url>"),
    })
    assert messages(check_site(site)) == [
        "sitemap.xml:2: 2 <loc> URL(s) are site-relative, e.g. '/sitemap-pages.xml': the "
        "sitemap protocol wants full URLs (search engines ignore the rest). Pass --base-url "
        "https://example.org/digest/ to digest build, or set base_url in digest.yaml",
    ]
    (tmp_path / "sitemap-news-2024-05.xml").write_text(
        urlset.format("<url><loc>/news/b/</loc></url>"), encoding="utf-8")
    assert any("no built file 'news/b/index.html'" in m for m in messages(check_site(site)))


def test_a_folder_digest_did_not_build_is_not_a_build(tmp_path: Path) -> None:
    from generator.check import not_a_build

    assert not_a_build(tmp_path) == (
        f"{tmp_path} does not look like a site digest built: it is empty, so nothing was "
        "checked. Pass --output with the folder digest build wrote (by default "
        "<source>/build), or run digest build first")
    write_site(tmp_path, {f"2024-05-0{n}-story.md": "---\n" for n in range(1, 6)})
    assert f"{tmp_path} does not look like a site digest built: it holds 5 file(s) and " \
           "folder(s) (2024-05-01-story.md, 2024-05-02-story.md, 2024-05-03-story.md, ...) " \
           "but no .digest-output marker and no index.html, so nothing was checked" \
           in (not_a_build(tmp_path) or "")
    (tmp_path / "index.html").write_text(page("<p>home</p>"), encoding="utf-8")
    assert not_a_build(tmp_path) is None  # (an artifact uploaded without its dot-files)
    (tmp_path / "index.html").unlink()
    (tmp_path / ".digest-output").write_text("digest output x\n", encoding="utf-8")
    assert not_a_build(tmp_path) is None
