"""generator.pages: the archive's year pages and the pages at the folders of the site's
addresses (``news/``, ``page/``, ``topics/<t>/page/``, the API's folders)."""

from __future__ import annotations

import re
from pathlib import Path

from generator.build import BuildReport, build
from generator.check import check_site
from generator.config import load_config
from tests.conftest import MakeSite

STORY = """\
---
title: "{title}"
publishedDateTime: {date}T10:00:00Z
excerpt: "About {title}."
topics: [{topics}]
---
Body.
"""

DATES = (("2023-11-20", "AI"), ("2024-01-05", "AI"), ("2024-01-09", "AI, Robots"),
         ("2024-03-02", "Robots"), ("2024-03-15", "AI"))
"""Five stories: one of November 2023, two of January 2024 and two of March 2024."""


def files(dates: tuple[tuple[str, str], ...] = DATES,
          config: str = "page_size: 1\n") -> dict[str, str | bytes]:
    return {f"content/{date}-story.md": STORY.format(title=f"Story of {date}", date=date,
                                                     topics=topics)
            for date, topics in dates} | {"digest.yaml": config}


def built(make_site: MakeSite, site_files: dict[str, str | bytes]) -> tuple[Path, BuildReport]:
    site = make_site(site_files)
    config, problems = load_config(site, output=site.parent / "out")
    assert problems == ()
    report = build(config)
    assert report.errors == ()
    return site.parent / "out", report


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def refresh_of(html: str) -> str:
    """Where a redirect page sends its reader (its refresh's URL)."""
    found = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]*)">', html)
    assert found is not None, html
    return found.group(1)


def test_every_folder_of_a_build_has_a_page_but_static_and_the_api_s_further_pages(
        make_site: MakeSite) -> None:
    """A host answers a folder's address with its index.html: without one, nginx says
    403, GitHub Pages 404, and ``python -m http.server`` lists its files. The folders
    left without are ``static/`` (no page's address: the theme's files, and a site's own
    ``static/index.html`` would collide with one) and those of the API's further pages,
    whose address is their ``index.json`` (``api/news/page/`` is also the API folder of
    a topic named "Page")."""
    out, _report = built(make_site, files())
    bare = sorted(folder.relative_to(out).as_posix() for folder in out.rglob("*")
                  if folder.is_dir() and not (folder / "index.html").is_file())
    assert bare == ["api/news/ai/page", "api/news/ai/page/1", "api/news/ai/page/2",
                    "api/news/ai/page/3", "api/news/page", "api/news/page/1",
                    "api/news/page/2", "api/news/page/3", "api/news/page/4",
                    "api/news/robots/page", "api/news/robots/page/1", "static"]


def test_each_year_of_the_archive_has_a_page_of_its_months_linked_from_the_archive_and_them(
        make_site: MakeSite) -> None:
    out, _report = built(make_site, files())
    year = read(out, "archive/2024/index.html")
    assert "<title>2024 · News Digest</title>" in year
    assert '<meta name="description" content="Every month of 2024, with its stories">' in year
    assert '<link rel="canonical" href="/archive/2024/">' in year
    assert '<p class="breadcrumb"><a href="/archive/">Archive</a></p>' in year
    assert '<h1 class="page-title">2024</h1>\n<p class="page-count">4 stories</p>' in year
    assert re.findall(r'<li><a href="([^"]+)">(\w+)</a> <span class="count">([^<]+)</span>',
                      year) == [("/archive/2024/03/", "March", "2 stories"),
                                ("/archive/2024/01/", "January", "2 stories")]
    assert "/archive/2023/" not in year and 'class="page-count">1 story<' in read(
        out, "archive/2023/index.html")
    archive = read(out, "archive/index.html")
    assert '<h2 id="year-2024"><a href="/archive/2024/">2024</a></h2>' in archive
    assert '<h2 id="year-2023"><a href="/archive/2023/">2023</a></h2>' in archive
    for month, year_path in (("2024/03", "2024"), ("2024/01", "2024"), ("2023/11", "2023")):
        assert ('<p class="breadcrumb"><a href="/archive/">Archive</a> › '
                f'<a href="/archive/{year_path}/">{year_path}</a></p>') in read(
            out, f"archive/{month}/index.html")
    sitemap = read(out, "sitemap-pages.xml")  # (the part of the pages but articles and topics)
    assert sitemap.index("<loc>/archive/2024/</loc>") < sitemap.index(
        "<loc>/archive/2024/03/</loc>") < sitemap.index("<loc>/archive/2023/</loc>")
    lastmod = dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))
    assert lastmod["/archive/2024/"] == lastmod["/archive/2024/03/"] == "2024-03-15T10:00:00Z"
    assert lastmod["/archive/2023/"] == "2023-11-20T10:00:00Z"  # (its own: not the site's)


def test_the_folders_of_the_site_s_addresses_send_readers_on(make_site: MakeSite) -> None:
    """``news/`` goes to the archive (the listing of every story: Hugo lists a section
    there), ``page/`` to the listing whose further pages it holds, the API's folders to
    their JSON (``api/`` to the topic list, which gives each topic's API address): pages
    like those at ``page/1/``, noindex and in no sitemap, whose refresh ``digest check``
    follows."""
    out, report = built(make_site, files(config="page_size: 1\nbase_url: "
                                         "https://example.org/digest/\n"))
    expected = {"news/": "/digest/archive/", "page/": "/digest/",
                "topics/ai/page/": "/digest/topics/ai/",
                "topics/robots/page/": "/digest/topics/robots/",
                "api/": "/digest/api/topics/index.json",
                "api/topics/": "/digest/api/topics/index.json",
                "api/news/": "/digest/api/news/index.json",
                "api/news/ai/": "/digest/api/news/ai/index.json",
                "api/news/robots/": "/digest/api/news/robots/index.json"}
    for folder, target in expected.items():
        html = read(out, folder + "index.html")
        assert refresh_of(html) == target, folder
        assert '<meta name="robots" content="noindex">' in html
        assert f'<link rel="canonical" href="https://example.org{target}">' in html
        assert f"https://example.org/digest/{folder}<" not in "".join(
            path.read_text("utf-8") for path in out.glob("sitemap*.xml"))
    assert "<title>Archive · News Digest</title>" in read(out, "news/index.html")
    assert "<title>Topics · News Digest</title>" in read(out, "api/index.html")
    assert "<title>AI · News Digest</title>" in read(out, "api/news/ai/index.html")
    assert "<loc>https://example.org/digest/archive/2024/</loc>" in read(out, "sitemap-pages.xml")
    assert report.pages == sum(1 for _ in out.rglob("*.html"))
    assert check_site(out, base_path="/digest/", site_url="https://example.org/digest/") == []



def test_a_topic_named_page_has_its_api_folder_beside_the_further_pages_of_every_story(
        make_site: MakeSite) -> None:
    """``api/news/page/`` is the API folder of a topic named "Page" and the folder of the
    further API pages of every story: the topic's redirect is there, alone."""
    out, _report = built(make_site, files((("2024-01-05", "Page"), ("2024-01-09", "AI"))))
    assert (out / "api/news/page/1/index.json").is_file()  # (the oldest story: see paginate)
    assert refresh_of(read(out, "api/news/page/index.html")) == "/api/news/page/index.json"
    assert '"slug":"page"' in read(out, "api/topics/index.json")
