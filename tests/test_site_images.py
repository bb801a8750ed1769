"""A story's image given as a path of this site (``site_images``): the file of static/ or
root/ it names is shown under the base URL's path on pages, whole in feeds, the API,
JSON-LD and og:image, with its size read from the file; a path naming no file is a
warning; and a change of the file rebuilds what shows it, as a clean build."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import cluster_parallel
from generator.build import BuildMemory, BuildReport, build
from generator.check import check_site
from generator.config import load_config
from generator.site_images import (
    SiteFiles,
    body_site_images,
    is_site_path,
    show_site_images,
    site_path,
)
from tests.conftest import MakeSite
from tests.test_image_size import GIF, png
from tests.test_incremental import clean_build, touch_later, tree

HERO = """\
---
title: Hero story
publishedDateTime: 2024-05-01T10:00:00Z
topics: [AI]
images:
  - url: {url}
---
A chart: ![A chart](static/img/chart.png)

And the logo ![logo](/logo.gif){{width=32 height=32}}.

A map, by reference: ![The map][Map], again ![map][].

> [MAP]: /static/img/map.png "Where"
"""
OTHER = """\
---
title: Other story
publishedDateTime: 2024-05-02T10:00:00Z
topics: [AI]
---
Text.
"""


def hero_site(make_site: MakeSite, *, url: str = "/static/img/hero.png",
              base_url: str = "https://example.org/digest/") -> Path:
    return make_site({
        "content/2024-05-01-hero.md": HERO.format(url=url),
        "content/2024-05-02-other.md": OTHER,
        "static/img/hero.png": png(40, 30),
        "static/img/chart.png": png(8, 6),
        "static/img/map.png": png(10, 5),
        "root/logo.gif": GIF,
        "digest.yaml": f"base_url: {base_url}\n",
    })


def built(site: Path, **kwargs: object) -> tuple[BuildReport, Path]:
    config, problems = load_config(site, output=site.parent / "out")
    assert not problems
    return build(config, **kwargs), site.parent / "out"  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["/static/img/hero.png", "static/img/hero.png",
                                 "./static/img/hero.png"])
def test_an_image_of_static_is_shown_under_the_base_path_with_its_size(
        make_site: MakeSite, url: str) -> None:
    report, out = built(hero_site(make_site, url=url))
    assert report.diagnostics == ()
    page = (out / "news/2024-05-01-hero/index.html").read_text()
    assert '<img src="/digest/static/img/hero.png" width="40" height="30"' in page
    assert '<img src="/digest/static/img/chart.png" alt="A chart" width="8" height="6" />' \
        in page  # (a body's image, its size from the file)
    assert '<img src="/digest/logo.gif" alt="logo" width="32" height="32" />' in page
    assert '<img src="/digest/static/img/map.png" alt="The map" title="Where" width="10" ' \
        'height="5" />' in page  # (a reference-style image, at its definition's link)
    assert '<meta property="og:image" content="https://example.org/digest/static/img/hero.png">' \
        in page
    assert '"url":"https://example.org/digest/static/img/hero.png","width":40,"height":30' \
        in page  # (JSON-LD)
    home = (out / "index.html").read_text()
    assert '<img src="/digest/static/img/hero.png" width="40" height="30"' in home
    assert 'url="https://example.org/digest/static/img/hero.png" medium="image" width="40" ' \
        'height="30"' in (out / "atom.xml").read_text()
    assert 'url="https://example.org/digest/static/img/hero.png"' in (out / "rss.xml").read_text()
    feed = json.loads((out / "feed.json").read_text())
    assert feed["items"][1]["image"] == "https://example.org/digest/static/img/hero.png"
    api = json.loads((out / "api/news/index.json").read_text())
    assert api["value"][1]["images"] == [
        {"url": "https://example.org/digest/static/img/hero.png", "width": 40, "height": 30}]
    assert check_site(out, base_path="/digest/", site_url="https://example.org/digest/") == []


def test_a_file_of_root_and_a_query_are_found(make_site: MakeSite) -> None:
    report, out = built(hero_site(make_site, url="/logo.gif?v=2"))
    assert report.diagnostics == ()
    assert '<img src="/digest/logo.gif?v=2" width="16" height="16"' in \
        (out / "index.html").read_text()


def test_without_a_host_in_base_url_feeds_hold_the_path(make_site: MakeSite) -> None:
    """As the pages' own URLs: the build's base_url warning (with --strict, a failure)
    says that feeds need a host."""
    _report, out = built(hero_site(make_site, base_url="/digest/"))
    assert 'url="/digest/static/img/hero.png"' in (out / "atom.xml").read_text()
    api = json.loads((out / "api/news/index.json").read_text())
    assert api["value"][1]["images"][0]["url"] == "/digest/static/img/hero.png"


def test_given_sizes_win_over_the_file(make_site: MakeSite) -> None:
    site = hero_site(make_site)
    path = site / "content/2024-05-01-hero.md"
    path.write_text(path.read_text().replace("hero.png\n", "hero.png\n    width: 400\n"
                                             "    height: 300\n", 1))
    _report, out = built(site)
    assert 'src="/digest/static/img/hero.png" width="400" height="300"' in \
        (out / "index.html").read_text()


@pytest.mark.parametrize(("url", "message", "hint"), [
    ("/static/img/gone.png", "'/static/img/gone.png' names static/img/gone.png, which is not "
     "in the site's static/ (and templates/static/ and the default theme's); the image is "
     "not shown", "Add the file as static/img/gone.png, or correct the path"),
    ("/img/hero.png", "'/img/hero.png' names img/hero.png, which is not in the site's root/; "
     "the image is not shown", "Did you mean /static/img/hero.png?"),
    ("hero.jpg", "'hero.jpg' names hero.jpg, which is not in the site's root/; the image is "
     "not shown", "Add the file as root/hero.jpg"),
    ("/static/../secret.png", "'/static/../secret.png' is not the path of a file (a folder, "
     "'..', a space or a quote); the image is not shown", "static/"),
    ("//cdn.example.com/x.jpg", "'//cdn.example.com/x.jpg' is a URL without its scheme; the "
     "image is not shown", "'https://cdn.example.com/x.jpg'"),
])
def test_a_path_that_names_no_file_is_warned_about_at_its_line(
        make_site: MakeSite, url: str, message: str, hint: str) -> None:
    report, out = built(hero_site(make_site, url=url))
    [found] = report.diagnostics
    assert (found.file, found.line, found.field, found.message) == (
        "content/2024-05-01-hero.md", 6, "images[0].url", message)
    assert found.hint is not None and hint in found.hint
    assert 'class="story-image"' not in (out / "news/2024-05-01-hero/index.html").read_text()


def test_a_file_whose_size_cannot_be_read_needs_one(make_site: MakeSite) -> None:
    site = hero_site(make_site)
    (site / "static/img/hero.png").write_bytes(b"BM not a PNG")
    report, _out = built(site)
    [found] = report.diagnostics
    assert (found.line, found.field) == (6, "images[0].url")
    assert found.message.startswith("the size of static/img/hero.png could not be read")


@pytest.mark.parametrize(("name", "line", "link"), [
    ("chart.png", 8, "static/img/chart.png"),
    ("map.png", 14, "[Map]: /static/img/map.png"),  # (a reference's: at its definition)
])
def test_a_body_image_that_names_no_file_is_warned_about_at_its_line(
        make_site: MakeSite, name: str, line: int, link: str) -> None:
    site = hero_site(make_site)
    (site / "static/img" / name).unlink()
    report, _out = built(site)
    [found] = report.diagnostics
    assert (found.line, found.field) == (line, "body")
    assert found.message == (f"the body's image '{link}' names static/img/{name}, which is "
                             "not in the site's static/ (and templates/static/ and the "
                             "default theme's); it is shown as written, a broken image")
    assert found.hint is not None and f"Add the file as static/img/{name}" in found.hint


@pytest.mark.parametrize(("body", "found"), [
    ("![a][Hero  PIC] ![hero pic][] ![Hero pic]\n\n[hero pic]: /static/h.png 'T'\n",
     [(2, "[Hero  PIC]: /static/h.png", "static/h.png")]),
    ("![a](/static/i.png) ![b][x]\n\n[x]: <static/my a.png>\n[y]: /static/y.png\n"
     "[z]: https://example.org/z.png\n",
     [(0, "/static/i.png", "static/i.png"), (2, "[x]: static/my%20a.png", "static/my a.png")]),
    ("![web] [link][l]\n\n[web]: https://example.org/w.png\n[l]: /static/l.png\n", []),
    ("![a][nope]\n\n[a]: /static/a.png\n", []),  # (an undefined label: no image)
    ("Text\n[a]: /static/a.png\n\n![a]\n", []),  # (a paragraph's line: no definition)
    ("![a]\n\n    [a]: /static/a.png\n", []),  # (a code block: no definition)
    ("![a]\n\n[a]: /static/a.png\n[A]: /static/b.png\n", [(2, "[a]: /static/a.png",
                                                               "static/a.png")]),
])
def test_the_reference_style_images_of_a_body(body: str,
                                               found: list[tuple[int, str, str]]) -> None:
    """Labels match as CommonMark's do (case and runs of space ignored); only a
    definition that an image uses, of a path, is looked at, at its line, as markdown-it
    reads definitions (the first of a label wins)."""
    assert [(line, link, named.path if named else None)
            for line, link, named in body_site_images(body)] == found

@pytest.mark.parametrize(("url", "path"), [
    ("/static/img/a.png", "static/img/a.png"), ("static/img/a.png", "static/img/a.png"),
    ("logo.png", "logo.png"), ("/static/my%20image.png?v=1#x", "static/my image.png"),
])
def test_paths_of_this_site(url: str, path: str) -> None:
    assert is_site_path(url)
    named = site_path(url)
    assert named is not None and named.path == path


@pytest.mark.parametrize("url", ["https://example.org/x.png", "//host/x.png",
                                 "cdn.example.com/x.jpg", "data:image/png;base64,AA"])
def test_urls_are_no_paths(url: str) -> None:
    assert not is_site_path(url)


def test_a_body_image_keeps_its_own_size_and_escapes(tmp_path: Path) -> None:
    files = SiteFiles(None)
    assert files.look("static/x.png") == (False, None)
    from generator.records import SiteImage
    image = SiteImage("static/a b.png", "/d/static/a%20b.png", 4, 3)
    html = '<p><img src="static/a%20b.png?v=1&amp;w=2" alt="x" /></p>'
    assert show_site_images(html, (image,)) == (
        '<p><img src="/d/static/a%20b.png?v=1&amp;w=2" alt="x" width="4" height="3" /></p>')
    sized = '<img src="/static/a%20b.png" alt="x" width="9" height="9" />'
    assert show_site_images(sized, (image,)) == \
        '<img src="/d/static/a%20b.png" alt="x" width="9" height="9" />'
    other = '<img src="https://example.org/a b.png" alt="x" />'
    assert show_site_images(other, (image,)) == other


@pytest.mark.parametrize("way", ["cli", "children", "server"])
def test_editing_adding_and_deleting_the_image_file_rebuilds_as_a_clean_build(
        make_site: MakeSite, tmp_path: Path, way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The image's size changes, the file goes (a warning; no picture), comes back, and a
    story's body image is edited: each step equals a clean build, as the CLI builds
    (``children``: with the events child of a large site), and as the preview server does
    (told which files changed)."""
    if way == "children":
        monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    memory = BuildMemory() if way == "server" else None
    site = hero_site(make_site)
    config, _ = load_config(site, output=site.parent / "out")
    out = site.parent / "out"
    hero, chart = site / "static/img/hero.png", site / "static/img/chart.png"
    page = out / "news/2024-05-01-hero/index.html"

    def step(change: Callable[[], object], touched: list[str]) -> BuildReport:
        change()
        report = build(config, memory=memory, touched=touched if memory else None)
        assert tree(out) == clean_build(site, tmp_path)
        return report

    build(config, memory=memory)
    report = step(lambda: (hero.write_bytes(png(50, 20)), touch_later(hero)),
                  ["static/img/hero.png"])
    assert report.diagnostics == ()
    assert 'src="/digest/static/img/hero.png" width="50" height="20"' in page.read_text()
    assert 'width="50" height="20"' in (out / "index.html").read_text()
    report = step(hero.unlink, ["static/img/hero.png"])
    assert [d.field for d in report.diagnostics] == ["images[0].url"]
    assert 'class="story-image"' not in page.read_text()
    assert "hero.png" not in (out / "api/news/index.json").read_text()
    report = step(lambda: hero.write_bytes(png(60, 45)), ["static/img/hero.png"])
    assert report.diagnostics == ()
    assert 'src="/digest/static/img/hero.png" width="60" height="45"' in page.read_text()
    step(lambda: (chart.write_bytes(png(12, 9)), touch_later(chart)), ["static/img/chart.png"])
    assert 'alt="A chart" width="12" height="9" />' in page.read_text()
    map_file = site / "static/img/map.png"
    step(lambda: (map_file.write_bytes(png(14, 7)), touch_later(map_file)),
         ["static/img/map.png"])  # (a reference-style image's file)
    assert 'title="Where" width="14" height="7" />' in page.read_text()
    report = step(map_file.unlink, ["static/img/map.png"])
    assert [(d.line, d.field) for d in report.diagnostics] == [(14, "body")]
    report = step(lambda: map_file.write_bytes(png(16, 8)), ["static/img/map.png"])
    assert report.diagnostics == ()
    assert 'src="/digest/static/img/map.png" alt="The map" title="Where" width="16"' \
        in page.read_text()
    report = step(lambda: (hero.write_bytes(png(60, 45) + b"\0"), touch_later(hero)),
                  ["static/img/hero.png"])  # (new bytes, same size: no page changes)
    assert report.rendered == 0
    report = step(lambda: build(config, memory=memory), [])
    assert report.rendered == 0 and report.write.written == 0
