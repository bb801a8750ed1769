"""Incremental builds equal clean builds, byte for byte, and touch only what changed.

Each test builds a small site, changes it (edit, add, delete, rename a story;
change a template; change the config; change a static file), rebuilds
incrementally into the same output, and compares every file with a clean build
of the changed site into a fresh folder.
"""

from __future__ import annotations

import marshal
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from generator import build as build_module
from generator import cluster_parallel, events_child
from generator import manifest as manifest_module
from generator.build import BuildReport, build, site_for
from generator.cluster_records import R_DIGEST
from generator.config import SiteConfig, load_config
from generator.diagnostics import DigestError, Severity
from generator.events import EventState, update_events
from generator.fingerprints import article_fingerprints, page_fingerprints
from generator.manifest import (
    Manifest,
    cache_path,
    load_event_state,
    load_manifest,
    load_summaries,
    spare_path,
)
from generator.output import MARKER
from generator.pages import article_page, site_feeds
from generator.theme import static_files, template_digests
from generator.workers import WorkerPool
from tests.conftest import ROOT, MakeSite
from tests.htmlread import parse_html, text_of

STORY = """\
---
title: "{title}"
excerpt: "An excerpt about {title}."
publishedDateTime: 2021-03-{day:02d}T10:00:00Z
webUrl: "https://news.example/{slug}"
provider:
  name: Example News
  domain: news.example
topics:
  - {topic}
  - AI
images:
  - url: "https://img.example/{slug}.jpg"
    width: 640
    height: 360
related:
  - title: "{related}"
    webUrl: "https://news.example/{related_slug}"
---
Body of **{title}**.
"""


def story(n: int, *, title: str | None = None, topic: str = "Robotics") -> str:
    other = (n % 6) + 1
    return STORY.format(title=title or f"Story number {n}", day=n, slug=f"s{n}",
                        topic=topic, related=f"Story number {other}",
                        related_slug=f"s{other}")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for p in root.rglob("*") if p.is_file()}


def run(site: Path, output: Path) -> BuildReport:
    config, problems = load_config(site, output=output)
    assert not problems
    return build(config)


def clean_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    fresh = tmp_path / "fresh-site"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".digest-cache", "out"))
    run(fresh, tmp_path / "fresh-out")
    result = tree(tmp_path / "fresh-out")
    shutil.rmtree(tmp_path / "fresh-out")
    return result


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    files: dict[str, str | bytes] = {f"content/2021-03-{n:02d}-story-{n}.md": story(n)
                                     for n in range(1, 7)}
    files["content/2021-03-07-vision.md"] = story(7, topic="Computer Vision")
    return make_site(files)


def touch_later(path: Path) -> None:
    """Make sure the mtime moves even on coarse-grained file systems."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def check_equal_after(change, site: Path, tmp_path: Path) -> BuildReport:  # type: ignore[no-untyped-def]
    out = site.parent / "out"
    run(site, out)
    change(site)
    report = run(site, out)
    assert tree(out) == clean_build(site, tmp_path)
    return report


def test_nothing_changed_writes_nothing(site: Path) -> None:
    out = site.parent / "out"
    run(site, out)
    before = mtimes(out)
    report = run(site, out)
    assert report.rendered == 0 and report.write.written == 0
    assert mtimes(out) == before


def test_a_key_given_twice_is_warned_about_on_every_build_until_it_is_fixed(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm build reads no file again: the warning comes back from the cache."""
    out = site.parent / "out"
    path = site / "content/2021-03-03-story-3.md"
    path.write_text(story(3).replace("excerpt:", "heat: 1\nheat: 2\nexcerpt:", 1),
                    encoding="utf-8")
    said = ["content/2021-03-03-story-3.md:4: warning: heat: 'heat' is given twice, on line 3 "
            "and again on line 4; the last one is used Hint: Delete one of the two: YAML keeps "
            "only the last value."]
    assert [d.format() for d in run(site, out).diagnostics] == said  # cold
    read: list[str] = []
    parse = build_module.parse_file
    monkeypatch.setattr(build_module, "parse_file",
                        lambda *args, **kwargs: read.append(str(args[0])) or parse(*args, **kwargs))
    warm = run(site, out)
    assert read == [] and warm.rendered == 0
    assert [d.format() for d in warm.diagnostics] == said
    path.write_text(story(3), encoding="utf-8")
    touch_later(path)
    fixed = run(site, out)
    assert read == [str(path)] and fixed.diagnostics == ()
    assert run(site, out).diagnostics == ()
    assert tree(out) == clean_build(site, tmp_path)


def test_edit_a_story(site: Path, tmp_path: Path) -> None:
    # Without events and computed related stories, story 5's page shows nothing of story 3.
    (site / "digest.yaml").write_text("cluster_threshold: 1.5\nrelated_count: 1\n")
    out = site.parent / "out"
    run(site, out)
    before = mtimes(out)

    def edit(root: Path) -> None:
        path = root / "content/2021-03-03-story-3.md"
        path.write_text(story(3, title="Story three, corrected"), encoding="utf-8")
        touch_later(path)

    report = check_equal_after(edit, site, tmp_path)
    assert "Story three, corrected" in (out / "news/2021-03-03-story-3/index.html").read_text()
    # its page, the listings, feeds and API pages that show it, linking pages, the sitemap
    assert 0 < report.rendered < report.files - 10
    after = mtimes(out)
    untouched = [rel for rel in before if before[rel] == after.get(rel)]
    assert "news/2021-03-05-story-5/index.html" in untouched  # does not show story 3
    assert "static/digest.css" in untouched


def test_each_build_stores_the_event_state_of_the_stories_it_built(site: Path) -> None:
    """The next build updates the events from the stored state instead of computing them
    again, so the state on disk must describe the stories just built, edits included."""
    out = site.parent / "out"
    config, _ = load_config(site, output=out)

    def stored() -> dict[str, str]:
        state = load_event_state(cache_path(site, out))
        assert state is not None
        return {key: record[R_DIGEST] for key, record in state.engine.stories.items()}

    def built() -> dict[str, str]:
        model, _ = site_for(config)
        return {article.slug: article.summary.digest for article in model.articles}

    build(config)
    assert stored() == built() and len(built()) == 7
    path = site / "content/2021-03-03-story-3.md"
    before = stored()["2021-03-03-story-3"]
    path.write_text(story(3, title="Story three, corrected"), encoding="utf-8")
    touch_later(path)
    build(config)
    assert stored() == built() and stored()["2021-03-03-story-3"] != before


def test_a_forked_child_stores_the_event_state_while_the_pages_are_made(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a site of 3,000+ stories a child writes the event state (build.
    _save_meanwhile); here forking is allowed from one story. The state on disk
    is the one the build made, and a child that fails leaves the writing to the build."""
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    writers = tmp_path / "writers"
    real = build_module.save_event_state
    parent = os.getpid()

    def save(manifest_file: Path, state: object) -> None:
        if state is None:
            return  # (writes nothing: the build passes None once the state is stored)
        with writers.open("a") as log:
            log.write(f"{os.getpid()}\n")
        if os.getpid() != parent and (site / "fail-in-child").exists():
            raise OSError("disk full (in the child)")
        real(manifest_file, state)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "save_event_state", save)
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    build(config)
    pids = [int(line) for line in writers.read_text().split()]
    assert len(pids) == 1 and pids[0] != parent  # written by a child
    state = load_event_state(cache_path(site, out))
    assert state is not None and len(state.engine.stories) == 7

    writers.unlink()
    (site / "fail-in-child").write_text("")
    path = site / "content/2021-03-03-story-3.md"
    path.write_text(story(3, title="Story three, corrected"), encoding="utf-8")
    touch_later(path)
    build(config, use_cache=False)  # (an incremental build's events child stores its state:
    # see test_an_events_child_makes_the_events_of_an_incremental_build)
    pids = [int(line) for line in writers.read_text().split()]
    assert pids[0] != parent and pids[-1] == parent  # the child failed; the build wrote it
    state = load_event_state(cache_path(site, out))
    assert state is not None
    model, _ = site_for(config)
    assert {k: r[R_DIGEST] for k, r in state.engine.stories.items()} == \
        {a.slug: a.summary.digest for a in model.articles}
    # the child stored the summaries too, under the id of the index the build wrote
    manifest = load_manifest(cache_path(site, out))
    assert manifest.stories_id and load_summaries(cache_path(site, out), manifest)
    assert {src: e.summary.title for src, e in manifest.files.items() if e.summary} == \
        {a.summary.source: a.summary.title for a in model.articles}


def test_article_fingerprints_made_by_a_child_give_the_clean_build(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An incremental build of 3,000+ stories has a forked child fingerprint the article
    pages while it plans and fingerprints the others (build._articles_meanwhile); here
    forking is allowed from one story. The pages it renders, so the output, are the clean
    build's."""
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    monkeypatch.setattr(build_module, "bodies_involved", lambda *_: True)  # (else the
    # build fingerprints only the articles that can differ, itself: see test_relisting)
    helpers = tmp_path / "helpers"
    log_calls(monkeypatch, build_module, "article_fingerprints", helpers)
    (site / "digest.yaml").write_text("cluster_threshold: 1.5\nrelated_count: 1\n")

    def edit(root: Path) -> None:
        path = root / "content/2021-03-03-story-3.md"
        path.write_text(story(3, title="Story three, corrected"), encoding="utf-8")
        touch_later(path)

    report = check_equal_after(edit, site, tmp_path)
    assert 0 < report.rendered < report.files - 10  # (the fingerprints told them apart)
    assert len(pids(helpers)) == 1 and pids(helpers) != [os.getpid()]  # one incremental
    # build: one child


def test_editing_a_story_s_own_field_equals_a_clean_build(site: Path, tmp_path: Path) -> None:
    """A theme that shows ``story.extra.author`` on article pages and ``article.extra`` on
    cards: editing, adding and removing an author re-renders the pages that show it (its
    card's from the summary in the cache: other stories' too), as a clean build has them."""
    (site / "digest.yaml").write_text("cluster_threshold: 1.5\n")  # (a card a story)
    (site / "templates").mkdir(exist_ok=True)
    article = (ROOT / "templates/article.html").read_text(encoding="utf-8")
    (site / "templates/article.html").write_text(article.replace(
        '<h1 class="story-title" dir="auto">{{ story.title }}</h1>',
        '<h1 class="story-title" dir="auto">{{ story.title }}</h1>\n'
        '{% if story.extra.author %}<p class="byline">By {{ story.extra.author }}</p>{% endif %}'
    ), encoding="utf-8")
    cards = (ROOT / "templates/_cards.html").read_text(encoding="utf-8")
    (site / "templates/_cards.html").write_text(cards.replace(
        '<p class="card-meta">',
        '<p class="card-meta">{% if article.extra.sponsored %}<b>Sponsored</b> {% endif %}'
        '{{ article.extra.author|default("Staff") }} ', 1), encoding="utf-8")

    def with_fields(n: int, fields: str) -> str:
        return story(n).replace("---\nBody", f"{fields}---\nBody", 1)

    for n in (1, 2, 4):
        (site / f"content/2021-03-0{n}-story-{n}.md").write_text(
            with_fields(n, f"author: Writer {n}\nsponsored: {str(n == 2).lower()}\n"),
            encoding="utf-8")
    path = site / "content/2021-03-03-story-3.md"
    path.write_text(with_fields(3, "author: Jane Doe\n"), encoding="utf-8")
    out = site.parent / "out"

    def edit(text: str) -> Callable[[Path], None]:
        def change(root: Path) -> None:
            target = root / "content/2021-03-03-story-3.md"
            target.write_text(text, encoding="utf-8")
            touch_later(target)
        return change

    report = check_equal_after(edit(with_fields(3, "author: John Roe\n")), site, tmp_path)
    assert report.diagnostics == ()
    page = (out / "news/2021-03-03-story-3/index.html").read_text(encoding="utf-8")
    assert '<p class="byline">By John Roe</p>' in page and "Jane Doe" not in page
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "John Roe" in home and "Writer 4" in home and home.count("<b>Sponsored</b>") == 1
    check_equal_after(edit(with_fields(3, "sponsored: true\n")), site, tmp_path)
    page = (out / "news/2021-03-03-story-3/index.html").read_text(encoding="utf-8")
    assert "byline" not in page
    assert (out / "index.html").read_text(encoding="utf-8").count("<b>Sponsored</b>") == 2
    check_equal_after(edit(story(3)), site, tmp_path)
    assert "Staff" in (out / "topics/robotics/index.html").read_text(encoding="utf-8")


def test_a_time_the_zone_skips_is_warned_about_on_every_build_until_it_is_fixed(
        site: Path, tmp_path: Path) -> None:
    """A story edited to a time New York skips (2024-03-10T02:30:00) is read as 02:30 EST
    (03:30 EDT, as its page shows it) with a warning, which builds with nothing to do say
    again (from the cache), and which goes with an offset written; each build equals a
    clean one."""
    (site / "digest.yaml").write_text("timezone: America/New_York\n", encoding="utf-8")
    target = site / "content/2021-03-03-story-3.md"

    def write_date(date: str) -> Callable[[Path], None]:
        def change(root: Path) -> None:
            text = re.sub(r"publishedDateTime: .*", f"publishedDateTime: {date}",
                          target.read_text(encoding="utf-8"))
            target.write_text(text, encoding="utf-8")
            touch_later(target)
        return change

    def warnings(report: BuildReport) -> list[tuple[str, int | None, str | None]]:
        return [(d.file, d.line, d.field) for d in report.diagnostics]

    report = check_equal_after(write_date("2024-03-10T02:30:00"), site, tmp_path)
    assert warnings(report) == [("content/2021-03-03-story-3.md", 4, "publishedDateTime")]
    assert "2024-03-10T03:30:00-04:00" in report.diagnostics[0].message
    page = (site.parent / "out/news/2021-03-03-story-3/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2024-03-10T03:30:00-04:00">' in page  # (as the warning says)
    assert warnings(run(site, site.parent / "out")) == warnings(report)
    report = check_equal_after(write_date("2024-03-10T03:30:00-04:00"), site, tmp_path)
    assert report.diagnostics == ()


def test_article_fingerprints_are_those_of_the_article_pages(site: Path) -> None:
    """``fingerprints.article_fingerprints`` (made without planning the pages) gives what
    ``page_fingerprints`` gives for each ``article_page``, with a template naming ``site``
    (whose pages' fingerprints then hold the topics) and with one that does not."""
    config = load_config(site)[0]
    model, _ = site_for(config)
    for article_template in ("{{ page.title }}\n", "{{ site.topics | length }}\n"):
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates/article.html").write_text(article_template, encoding="utf-8")
        templates = template_digests(site)
        pages = [article_page(article, site_feeds(model)) for article in model.articles]
        expected = page_fingerprints(model, pages, templates)
        assert article_fingerprints(model, templates) == expected
        assert len(set(expected.values())) == len(model.articles) == 7


def test_add_a_story(site: Path, tmp_path: Path) -> None:
    def add(root: Path) -> None:
        (root / "content/2021-03-08-story-8.md").write_text(story(8), encoding="utf-8")

    check_equal_after(add, site, tmp_path)


def test_add_a_story_with_a_new_topic(site: Path, tmp_path: Path) -> None:
    def add(root: Path) -> None:
        (root / "content/2021-03-08-drones.md").write_text(story(8, topic="Drones"),
                                                           encoding="utf-8")

    check_equal_after(add, site, tmp_path)
    redirect = (site.parent / "out/topics/drones/page/index.html").read_text()
    assert 'url=/topics/drones/"' in redirect  # (its page/ sends readers to its page)


def test_delete_a_story(site: Path, tmp_path: Path) -> None:
    def delete(root: Path) -> None:
        (root / "content/2021-03-07-vision.md").unlink()  # its topic disappears too

    out = site.parent / "out"
    run(site, out)
    assert (out / "topics/computer-vision/page/index.html").is_file()
    check_equal_after(delete, site, tmp_path)
    assert not (site.parent / "out/topics/computer-vision").exists()  # (page/ too)
    assert not (site.parent / "out/news/2021-03-07-vision").exists()


def test_pages_replaced_again_are_written_into_the_files_they_replaced(
    site: Path, tmp_path: Path
) -> None:
    out = site.parent / "out"
    run(site, out)
    spares = spare_path(site, out)
    for n in (8, 9):  # each added story moves every listing page it is on
        (site / f"content/2021-03-{n:02d}-story-{n}.md").write_text(story(n), encoding="utf-8")
        run(site, out)
        assert tree(out) == clean_build(site, tmp_path)
        if n == 8:
            kept = {name: (spares / name).stat().st_ino for name in os.listdir(spares)}
            assert len(kept) > 5  # the pages replaced by this build, kept
    home = (out / "index.html").stat().st_ino
    assert home in kept.values()  # the home page of the second build is a kept file
    assert all(os.stat(spares / name).st_nlink == 1 for name in os.listdir(spares))


def test_rename_a_story(site: Path, tmp_path: Path) -> None:
    def rename(root: Path) -> None:
        old = root / "content/2021-03-02-story-2.md"
        old.rename(root / "content/2021-03-02-story-two.md")

    check_equal_after(rename, site, tmp_path)
    assert (site.parent / "out/news/2021-03-02-story-two/index.html").is_file()
    assert not (site.parent / "out/news/2021-03-02-story-2").exists()


def test_change_a_template(site: Path, tmp_path: Path) -> None:
    def override(root: Path) -> None:
        default = Path(__file__).resolve().parent.parent / "templates" / "404.html"
        text = default.read_text(encoding="utf-8").replace('{{ "page_not_found"|t }}',
                                                             "Nothing here")
        (root / "templates").mkdir()
        (root / "templates/404.html").write_text(text, encoding="utf-8")

    check_equal_after(override, site, tmp_path)
    assert "Nothing here" in (site.parent / "out/404.html").read_text()


@pytest.fixture
def tied_site(make_site: MakeSite) -> Path:
    """Two topics of two stories each: one more story puts Robotics before Computer Vision
    in the site's topic order (by count, then slug)."""
    files: dict[str, str | bytes] = {
        f"content/2021-03-{n:02d}-story-{n}.md": story(n, topic=topic)
        for n, topic in ((1, "Robotics"), (2, "Computer Vision"), (3, "Robotics"),
                         (4, "Computer Vision"))}
    files["digest.yaml"] = "cluster_threshold: 1.5\nrelated_count: 1\n"
    return make_site(files)


def add_robotics_story(root: Path) -> None:
    (root / "content/2021-03-05-story-5.md").write_text(story(5), encoding="utf-8")


def rendered_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages builds render from now on (small sites render in-process)."""
    import generator.build as build_module

    paths: list[str] = []
    real = build_module.render_and_stage

    def recording(site, pages, *args, **kwargs):  # type: ignore[no-untyped-def]
        paths.extend(page.path for page in pages)
        return real(site, pages, *args, **kwargs)

    monkeypatch.setattr(build_module, "render_and_stage", recording)
    return paths


def test_topics_trading_places_rerender_only_pages_that_list_topics(
        tied_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default templates show the site's topic list (in count order) on the home and
    topics pages only: the pages of stories that show nothing of the new one are not
    rendered again."""
    out = tied_site.parent / "out"
    run(tied_site, out)
    add_robotics_story(tied_site)
    paths = rendered_paths(monkeypatch)
    run(tied_site, out)
    assert "topics/" in paths and "" in paths  # (the topic index and the home page)
    # (stories 1-3 show nothing of story 5; story 4's related[] names it)
    assert [path for path in paths if path.startswith("news/")] == \
        ["news/2021-03-05-story-5/", "news/2021-03-04-story-4/"]
    assert tree(out) == clean_build(tied_site, tmp_path)


def test_a_theme_listing_topics_on_every_page_gets_them_in_the_new_order(
        tied_site: Path, tmp_path: Path) -> None:
    """A base template that names ``site`` may show the topic order on every page: then
    every page is rendered again when topics trade places."""
    override_template(tied_site, "base.html", "<footer",
                      "<nav class=\"all-topics\">{% for topic in site.topics %}"
                      "{{ topic.ref.name }};{% endfor %}</nav><footer")
    out = tied_site.parent / "out"
    run(tied_site, out)
    assert "Computer Vision;Robotics;" in tree(out)["news/2021-03-02-story-2/index.html"].decode()
    check_equal_after(add_robotics_story, tied_site, tmp_path)
    assert "Robotics;Computer Vision;" in \
        tree(out)["news/2021-03-02-story-2/index.html"].decode()


def override_template(root: Path, name: str, old: str, new: str) -> None:
    default = Path(__file__).resolve().parent.parent / "templates" / name
    text = default.read_text(encoding="utf-8")
    assert old in text
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / name).write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("name", "old", "new", "kinds"), [
    ("article.html", "{% block main %}", "{% block main %}<!-- article -->", {"news"}),
    ("_cards.html", "<p class=\"coverage\">", "<p class=\"coverage also\">",
     {"index.html", "topics", "news"}),
    ("base.html", "<footer", "<!-- base --><footer",
     {"index.html", "topics", "news", "404.html", "archive"}),
])
def test_a_template_change_rerenders_only_the_pages_that_use_it(
        site: Path, tmp_path: Path, name: str, old: str, new: str, kinds: set[str]) -> None:
    out = site.parent / "out"
    run(site, out)
    before = tree(out)
    report = check_equal_after(lambda root: override_template(root, name, old, new), site,
                               tmp_path)
    after = tree(out)
    changed = {rel for rel in after if after[rel] != before.get(rel)} - {".digest-output"}
    assert changed and {rel.split("/")[0] for rel in changed} <= kinds
    html = {rel for rel in after if rel.endswith(".html")}
    uses = {rel for rel in html if rel.split("/")[0] in kinds
            and b'http-equiv="refresh"' not in after[rel]}  # (redirects: see below)
    if name != "_cards.html":  # (only pages with an event or related card show it)
        assert changed == uses
    assert report.rendered <= len(uses)  # no feed, API page or page of another template


def test_a_change_of_the_redirect_template_rerenders_only_the_redirects(
        site: Path, tmp_path: Path) -> None:
    """The pages at ``page/1/`` of the home page, at ``page/`` of the listings, and at the
    other folders with no page of their own, use ``redirect.html`` alone: a theme's own
    restyles them, and only them; so do those at ``page/1/`` of the topics, which have one
    page each here (else it would be a topic's oldest page: see ``pages.listing_redirects``)."""
    out = site.parent / "out"
    run(site, out)
    before = tree(out)
    report = check_equal_after(
        lambda root: override_template(root, "redirect.html", "<body>", "<body class=moved>"),
        site, tmp_path)
    after = tree(out)
    changed = {rel for rel in after if after[rel] != before.get(rel)} - {".digest-output"}
    slugs = ("ai", "computer-vision", "robotics")
    assert changed == {"page/1/index.html", "page/index.html", "news/index.html",
                       "api/index.html", "api/topics/index.html", "api/news/index.html",
                       *(f"topics/{slug}/page/index.html" for slug in slugs),
                       *(f"topics/{slug}/page/1/index.html" for slug in slugs),
                       *(f"api/news/{slug}/index.html" for slug in slugs)}
    assert report.rendered == len(changed)
    assert b"<body class=moved>" in after["topics/ai/page/index.html"]


@pytest.mark.parametrize("where", ["here", "forked", "workers"])
def test_a_template_failing_while_rendering_is_named_with_its_line_and_the_output_kept(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Rendered in this process, in forked children or in the workers, a template that
    uses a name the page lacks stops the build with an error at the template's line (it
    was a traceback), and the last build's output stays as it was."""
    out = tmp_path / "out"
    run(site, out)
    before = tree(out)
    if where == "forked":
        monkeypatch.setattr(build_module, "FORK_FROM", 1)
    if where == "workers":  # (every story read again, by the workers)
        monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
        for path in (site / "content").iterdir():
            touch_later(path)
    override_template(site, "article.html", "{% block main %}",
                      "{% block main %}{{ no_such_name }}")
    line = (site / "templates/article.html").read_text(encoding="utf-8").split(
        "no_such_name")[0].count("\n") + 1
    with pytest.raises(DigestError) as failed:
        run(site, out)
    [problem] = failed.value.diagnostics
    assert (problem.file, problem.line) == ("templates/article.html", line)
    assert "'no_such_name' is undefined (rendering news/2021-03-" in problem.message
    assert tree(out) == before


@pytest.mark.parametrize("where", ["here", "forked"])
@pytest.mark.parametrize(("expression", "said"), [
    ("{{ 1 // 0 }}", "ZeroDivisionError: integer division or modulo by zero"),
    ("{{ page.title / 2 }}", "TypeError: unsupported operand type(s) for /: 'str' and 'int'"),
])
def test_python_failing_in_a_template_is_named_with_its_line_and_the_output_kept(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str,
        expression: str, said: str) -> None:
    """Python's own errors in a template's expression are reported as the template's, at
    its line (they were a traceback), and leave nothing beside the output."""
    out = tmp_path / "out"
    run(site, out)
    before = tree(out)
    if where == "forked":
        monkeypatch.setattr(build_module, "FORK_FROM", 1)
    override_template(site, "article.html", "{% block main %}", "{% block main %}" + expression)
    line = (site / "templates/article.html").read_text(encoding="utf-8").split(
        expression)[0].count("\n") + 1
    with pytest.raises(DigestError) as failed:
        run(site, out)
    [problem] = failed.value.diagnostics
    assert (problem.file, problem.line) == ("templates/article.html", line)
    assert f"template error: {said} (rendering news/2021-03-" in problem.message
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # (no staging)


def test_change_the_config(site: Path, tmp_path: Path) -> None:
    def configure(root: Path) -> None:
        (root / "digest.yaml").write_text(
            "title: Robot Weekly\npage_size: 2\ncluster_threshold: 1.5\n"
            "pagination: newest-first\n", encoding="utf-8")

    check_equal_after(configure, site, tmp_path)
    assert (site.parent / "out/topics/ai/page/4/index.html").is_file()  # (numbered from
    # the newest: from the oldest, seven cards make pages 1 and 2 and the first)


def test_change_the_base_url(site: Path, tmp_path: Path) -> None:
    """Jinja folds a filter of a constant when it compiles (``"/static/x.css"|url``), so
    compiled templates hold the base path: those compiled for the last build's must not
    serve this one's (they did: every page kept ``href="/static/digest.css"``)."""
    def move_under_a_path(root: Path) -> None:
        (root / "digest.yaml").write_text(
            "base_url: https://example.org/news-digest/\n", encoding="utf-8")

    check_equal_after(move_under_a_path, site, tmp_path)
    home = (site.parent / "out/index.html").read_text(encoding="utf-8")
    assert 'href="/news-digest/static/digest.css"' in home
    assert 'href="/static/' not in home


@pytest.mark.parametrize("server", [False, True])
def test_changes_of_the_language_and_of_the_site_s_translations_equal_clean_builds(
        site: Path, tmp_path: Path, server: bool) -> None:
    """The language, and the site's i18n/<language>.yaml, change the strings every page
    shows, and those that compiled templates hold (Jinja folds ``"latest"|t`` into their
    code): each change re-renders what it changes, as a clean build does, as the CLI builds
    and as the preview server does (reading the config again each time, as it does)."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    own = site / "i18n/fr.yaml"

    def step(change: Callable[[], object], touched: list[str]) -> BuildReport:
        change()
        config, problems = load_config(site, output=out)
        assert not problems
        report = build(config, memory=memory, touched=touched if memory else None)
        assert tree(out) == clean_build(site, tmp_path)
        return report

    step(lambda: None, [])
    step(lambda: (site / "digest.yaml").write_text("language: fr\n"), ["digest.yaml"])
    home = (out / "index.html").read_text(encoding="utf-8")
    assert ">À la une</a>" in home and ">6 mars 2021 à 10:00 UTC</time>" in home
    (site / "i18n").mkdir()
    step(lambda: own.write_text("latest: Nouveautés\n"), ["i18n/fr.yaml"])
    assert ">Nouveautés</a>" in (out / "news/2021-03-01-story-1/index.html").read_text()
    report = step(lambda: (own.write_text('latest: Nouveautés\ndate: "le {day} {month} {year}"\n'),
                           touch_later(own)), ["i18n/fr.yaml"])
    assert report.rendered > 0
    assert ">le 6 mars 2021 à 10:00 UTC</time>" in (out / "index.html").read_text()
    step(own.unlink, ["i18n/fr.yaml"])
    assert ">À la une</a>" in (out / "index.html").read_text(encoding="utf-8")
    step(lambda: (site / "digest.yaml").write_text("language: en\n"), ["digest.yaml"])
    assert ">Latest</a>" in (out / "index.html").read_text(encoding="utf-8")


def test_a_right_to_left_language_and_back_equal_clean_builds(site: Path, tmp_path: Path) -> None:
    """The language's direction is the pages' (``<html dir="rtl">`` in Hebrew): a change of
    it re-renders every page, as a clean build does, and so does its change back."""
    out = site.parent / "out"

    def step(language: str) -> None:
        (site / "digest.yaml").write_text(f"language: {language}\n", encoding="utf-8")
        config, problems = load_config(site, output=out)
        assert all(p.severity is Severity.WARNING for p in problems)  # (not translated)
        build(config)
        fresh = tmp_path / "fresh-site"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".digest-cache", "out"))
        build(load_config(fresh, output=tmp_path / "fresh-out")[0])
        assert tree(out) == tree(tmp_path / "fresh-out")
        shutil.rmtree(tmp_path / "fresh-out")

    step("en")
    step("he")
    pages = list(out.rglob("*.html"))
    assert pages and all('<html lang="he" dir="rtl">' in p.read_text() for p in pages)
    step("en")
    assert 'dir="rtl"' not in (out / "index.html").read_text(encoding="utf-8")


def test_change_a_static_file(site: Path, tmp_path: Path) -> None:
    def restyle(root: Path) -> None:
        (root / "static").mkdir()
        (root / "static/extra.css").write_text("body { color: red }\n", encoding="utf-8")

    check_equal_after(restyle, site, tmp_path)


def test_add_change_and_delete_root_files(site: Path, tmp_path: Path) -> None:
    """Files of root/ go to the output's root as they are, sub-folders and dot-files too;
    written only when their bytes change, and removed with them."""
    out = site.parent / "out"

    def add(root: Path) -> None:
        (root / "root/.well-known").mkdir(parents=True)
        (root / "root/.well-known/security.txt").write_text("Contact: mailto:a@b.c\n")
        (root / "root/ads.txt").write_text("google.com, pub-1, DIRECT\n")
        (root / "root/.nojekyll").write_bytes(b"")
        (root / "root/.DS_Store").write_bytes(b"litter")

    check_equal_after(add, site, tmp_path)
    assert (out / ".well-known/security.txt").read_text() == "Contact: mailto:a@b.c\n"
    assert (out / ".nojekyll").is_file() and not (out / ".DS_Store").exists()
    before = mtimes(out)

    def change(root: Path) -> None:
        path = root / "root/ads.txt"
        path.write_text("google.com, pub-2, DIRECT\n")
        touch_later(path)

    report = check_equal_after(change, site, tmp_path)
    assert report.rendered == 0 and report.write.written == 1
    after = mtimes(out)
    assert sorted(rel for rel in after if after[rel] != before.get(rel)) == [MARKER, "ads.txt"]

    def delete(root: Path) -> None:
        shutil.rmtree(root / "root/.well-known")
        (root / "root/.nojekyll").unlink()

    report = check_equal_after(delete, site, tmp_path)
    assert report.write.removed == 2 and not (out / ".well-known").exists()
    assert run(site, out).write.written == 0  # (and nothing to do after that)


ROBOTS = "User-agent: *\nDisallow: /api/\nSitemap: https://example.org/sitemap.xml\n"


@pytest.mark.parametrize("way", ["cli", "children", "server"])
def test_a_robots_txt_in_root_replaces_the_generated_one_until_it_goes(
        site: Path, tmp_path: Path, way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """root/robots.txt is published instead of the generated robots.txt; edits of the
    stories meanwhile leave it; deleted, the generated one comes back. Every step equals
    a clean build, as the CLI builds (``children``: with the events child of a large site,
    which lays the listings out as the last build did), and as the preview server does."""
    from generator.build import BuildMemory

    if way == "children":
        monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    memory = BuildMemory() if way == "server" else None
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    own = site / "root/robots.txt"

    def step(change: Callable[[], object], touched: list[str]) -> BuildReport:
        change()
        report = build(config, memory=memory, touched=touched if memory else None)
        assert report.errors == ()
        assert tree(out) == clean_build(site, tmp_path)
        return report

    build(config, memory=memory)
    generated = (out / "robots.txt").read_bytes()
    assert b"Allow: /" in generated
    (site / "root").mkdir()
    step(lambda: own.write_text(ROBOTS), ["root/robots.txt"])
    assert (out / "robots.txt").read_text() == ROBOTS
    report = step(lambda: edit_story_3(site), ["content/2021-03-03-story-3.md"])
    assert report.rendered > 0 and (out / "robots.txt").read_text() == ROBOTS
    step(lambda: (own.write_text(ROBOTS + "# more\n"), touch_later(own)), ["root/robots.txt"])
    assert (out / "robots.txt").read_text().endswith("# more\n")
    step(own.unlink, ["root/robots.txt"])
    assert (out / "robots.txt").read_bytes() == generated
    step(lambda: edit_story_3(site, title="Story three, again"), ["content/2021-03-03-story-3.md"])
    assert (out / "robots.txt").read_bytes() == generated


@pytest.mark.parametrize("server", [False, True])
def test_a_root_file_colliding_with_a_generated_file_is_an_error_until_it_is_moved(
        site: Path, tmp_path: Path, server: bool) -> None:
    """root/index.html is left out (the home page is published) with an error, on every
    build, an unchanged one too, until it is moved."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    build(config, memory=memory)
    home = (out / "index.html").read_bytes()
    (site / "root/news").mkdir(parents=True)
    (site / "root/index.html").write_text("<p>mine</p>")
    (site / "root/news/extra.txt").write_text("mine")
    for _ in range(2):
        report = build(config, memory=memory)
        assert [(d.file, d.severity.value) for d in report.diagnostics] == [
            ("root/index.html", "error"), ("root/news/extra.txt", "error")]
        assert "'index.html'" in report.errors[0].message
        assert (out / "index.html").read_bytes() == home and not (out / "news/extra.txt").exists()
        assert tree(out) == clean_build(site, tmp_path)
    (site / "root/index.html").rename(site / "root/mine.html")
    shutil.rmtree(site / "root/news")
    report = build(config, memory=memory)
    assert report.diagnostics == () and (out / "mine.html").read_text() == "<p>mine</p>"
    assert tree(out) == clean_build(site, tmp_path)


def test_a_body_file_finds_its_article_later(site: Path, tmp_path: Path) -> None:
    def add_body(root: Path) -> None:
        (root / "content/body.txt").write_text("Story number 4\n\nThe full text.\n",
                                               encoding="utf-8")

    check_equal_after(add_body, site, tmp_path)
    assert "The full text." in (site.parent / "out/news/2021-03-04-story-4/index.html").read_text()


def _without_excerpt(site: Path) -> Path:
    """Story 3 of ``site`` without an excerpt or a body of its own, and a plain-text body
    file that becomes its body (and so its excerpt: ``Article.excerpt``)."""
    path = site / "content/2021-03-03-story-3.md"
    text = story(3).replace('excerpt: "An excerpt about Story number 3."\n', "")
    path.write_text(text.replace("Body of **Story number 3**.\n", ""), encoding="utf-8")
    (site / "content/body.txt").write_text(
        "Story number 3\n\nThe lead of the body file.\n\nMore text.\n", encoding="utf-8")
    return site


def _edit_body_file(root: Path) -> None:
    path = root / "content/body.txt"
    path.write_text("Story number 3\n\nAnother lead now.\n", encoding="utf-8")
    touch_later(path)


def _retitle_story_3(root: Path) -> None:
    path = root / "content/2021-03-03-story-3.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'title: "Story number 3"', 'title: "A wholly other headline"'), encoding="utf-8")
    touch_later(path)


@pytest.mark.parametrize("change", [
    pytest.param(_edit_body_file, id="body-edited"),
    pytest.param(lambda root: (root / "content/body.txt").unlink(), id="body-deleted"),
    pytest.param(_retitle_story_3, id="body-no-longer-matches"),
])
def test_a_story_without_an_excerpt_shows_its_body_files_lead_on_every_listing(
        change: Callable[[Path], object], site: Path, tmp_path: Path) -> None:
    """Cards, feeds and meta descriptions show the body file's lead, so the listing pages
    follow the body file, though the story's own file was not read again."""
    _without_excerpt(site)
    out = site.parent / "out"
    run(site, out)
    assert '"summary":"The lead of the body file. More text."' in \
        (out / "feed.json").read_text(encoding="utf-8").replace(": ", ":")
    change(site)
    run(site, out)
    assert tree(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("how", ["garbage", "empty", "truncated"])
def test_a_damaged_cache_only_costs_a_cold_build(site: Path, tmp_path: Path, how: str) -> None:
    def damage(root: Path) -> None:  # (the index, the stories, the event state: each is
        # read through a memory map, see ``manifest._unmarshal``)
        paths = [path for path in (root / ".digest-cache").iterdir()
                 if path.suffix in (".bin", ".state", ".delta")]
        assert {path.name.split("-")[0] for path in paths} >= {"manifest", "stories", "events"}
        for path in paths:
            data = path.read_bytes()
            path.write_bytes({"garbage": b"\x00garbage", "empty": b"",
                              "truncated": data[: len(data) // 2]}[how])

    check_equal_after(damage, site, tmp_path)


def test_a_replaced_output_is_rebuilt(site: Path, tmp_path: Path) -> None:
    def wipe(root: Path) -> None:
        out = root.parent / "out"
        (out / "index.html").unlink()
        (out / ".digest-output").write_text("someone else\n", encoding="utf-8")

    check_equal_after(wipe, site, tmp_path)


DELETED_BY_HAND = ("index.html", "atom.xml", "news/2021-03-05-story-5/index.html",
                   "topics/computer-vision/index.html", "static/digest.css")
"""Output files of ``site`` that somebody deletes between two builds: but for the first
two, none shows story 3 or story 8 (see ``test_edit_a_story``)."""


@pytest.mark.parametrize("also", ["nothing", "edit", "add", "edit, forked"])
def test_files_deleted_from_the_output_are_written_again(
    site: Path, tmp_path: Path, also: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "digest.yaml").write_text("cluster_threshold: 1.5\nrelated_count: 1\n")
    if also.endswith("forked"):  # (a child looks for them, as on a large site)
        monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)

    def delete(root: Path) -> None:
        out = root.parent / "out"
        for rel in DELETED_BY_HAND:
            (out / rel).unlink()
        shutil.rmtree(out / "api/news/computer-vision")  # (its JSON and its redirect)
        if also.startswith("edit"):
            path = root / "content/2021-03-03-story-3.md"
            path.write_text(story(3, title="Story three, corrected"), encoding="utf-8")
            touch_later(path)
        if also == "add":
            (root / "content/2021-03-08-story-8.md").write_text(story(8), encoding="utf-8")

    report = check_equal_after(delete, site, tmp_path)
    assert report.write.written >= len(DELETED_BY_HAND) + 2
    if also == "nothing":  # (only they are written: the rest keep their bytes and mtimes)
        assert report.write.written == len(DELETED_BY_HAND) + 2


EDITED_BY_HAND = ("index.html", "news/2021-03-05-story-5/index.html", "static/digest.css")
"""Output files of ``site`` that somebody edits between two builds."""


def wait_for_the_clock(output: Path) -> None:
    """Wait until a file changed now is given a later time than the last build's marker
    (file systems keep times at the clock's tick, a few ms: a person's edit comes later)."""
    marker = (output / MARKER).stat()
    since = max(marker.st_ctime_ns, marker.st_mtime_ns)
    probe = output.parent / "clock-probe"
    while True:
        probe.write_bytes(b"")
        if probe.stat().st_ctime_ns > since:
            break
        time.sleep(0.001)
    probe.unlink()


def edit_by_hand(output: Path, rels: tuple[str, ...], *, time_set_back: bool) -> None:
    """Change each file's bytes, keeping its size; with ``time_set_back``, put its
    modification time back as it was (as ``cp -p`` or an rsync with times would)."""
    wait_for_the_clock(output)
    for rel in rels:
        path = output / rel
        before = path.stat()
        data = path.read_bytes()
        path.write_bytes(data[:-1] + (b"?" if data[-1:] != b"?" else b"!"))
        if time_set_back:
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize("also", ["nothing", "edit", "edit, forked"])
@pytest.mark.parametrize("time_set_back", [False, True])
def test_files_edited_in_the_output_are_written_again(
    site: Path, tmp_path: Path, also: str, time_set_back: bool,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of the output changed by hand was kept as it was by every later build,
    which trusted its record of the bytes it had written."""
    (site / "digest.yaml").write_text("cluster_threshold: 1.5\nrelated_count: 1\n")
    if also.endswith("forked"):  # (a child looks for them, as on a large site)
        monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)

    def edit(root: Path) -> None:
        edit_by_hand(root.parent / "out", EDITED_BY_HAND, time_set_back=time_set_back)
        if also.startswith("edit"):
            path = root / "content/2021-03-03-story-3.md"
            path.write_text(story(3, title="Story three, corrected"), encoding="utf-8")
            touch_later(path)

    report = check_equal_after(edit, site, tmp_path)
    if also == "nothing":  # (only they are written: the rest keep their bytes and mtimes)
        assert report.write.written == len(EDITED_BY_HAND)


@pytest.mark.parametrize("server", [False, True])
def test_a_page_edited_by_hand_that_is_no_longer_made_is_removed(
        site: Path, tmp_path: Path, server: bool) -> None:
    """Its story deleted, or its address changed, in the same build: it was kept."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    build(config, memory=memory)
    edit_by_hand(out, ("news/2021-03-05-story-5/index.html",), time_set_back=False)
    (site / "content/2021-03-05-story-5.md").unlink()
    build(config, memory=memory)
    assert not (out / "news/2021-03-05-story-5").exists()
    assert tree(out) == clean_build(site, tmp_path)


def test_files_only_touched_in_the_output_are_compared_once(site: Path) -> None:
    """A file whose times changed but not its bytes is not written again; nor is it
    compared again by the build after."""
    out = site.parent / "out"
    run(site, out)
    wait_for_the_clock(out)
    os.utime(out / "index.html")
    (out / "atom.xml").chmod(0o644)
    before = mtimes(out)
    touched = run(site, out)
    assert touched.write.written == 0 and touched.rendered > 0  # (compared with the disk)
    after = mtimes(out)
    assert after.pop(MARKER) > before.pop(MARKER)  # (written again: see output.commit)
    assert after == before
    again = run(site, out)
    assert again.rendered == 0 and again.write.written == 0


@pytest.mark.parametrize("how", ["deleted", "edited"])
def test_the_preview_server_writes_files_changed_in_its_output_again(
    site: Path, tmp_path: Path, how: str
) -> None:
    from generator.build import BuildMemory

    (site / "digest.yaml").write_text("cluster_threshold: 1.5\nrelated_count: 1\n")
    memory = BuildMemory()
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    build(config, memory=memory)
    if how == "deleted":
        for rel in DELETED_BY_HAND:
            (out / rel).unlink()
    else:
        edit_by_hand(out, EDITED_BY_HAND, time_set_back=True)
    edited = site / "content/2021-03-03-story-3.md"
    edited.write_text(story(3, title="Story three, corrected"), encoding="utf-8")
    touch_later(edited)
    build(config, memory=memory, touched=["content/2021-03-03-story-3.md"])
    assert tree(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("server", [False, True])
def test_a_topic_renamed_by_its_spellings_gives_the_clean_build(
    site: Path, tmp_path: Path, server: bool
) -> None:
    """A topic is named as most of its stories spell it: adding, editing and deleting
    stories that spell it otherwise renames it (its pages, the pages linking it)."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    (site / "digest.yaml").write_text("page_size: 1\n")  # (a story added moves them all)
    config, _ = load_config(site, output=out)
    build(config, memory=memory)
    vision = "content/2021-03-{:02d}-vision-{}.md"
    steps: list[Callable[[], None]] = [
        lambda: (site / vision.format(8, 8)).write_text(
            story(8, topic="computer vision"), encoding="utf-8"),  # 1 to 1: the same name
        lambda: (site / vision.format(9, 9)).write_text(
            story(9, topic="computer  VISION"), encoding="utf-8"),  # a tie of three
        lambda: (site / vision.format(10, 10)).write_text(
            story(10, topic="computer vision"), encoding="utf-8"),  # renamed
        lambda: (site / vision.format(10, 10)).write_text(
            story(10, title="Ten, told again", topic="Computer Vision"), encoding="utf-8"),
        lambda: (site / "content/2021-03-07-vision.md").unlink(),  # renamed again
        lambda: (site / vision.format(8, 8)).unlink(),
    ]
    for change in steps:
        change()
        report = build(config, memory=memory)
        assert report.errors == ()
        assert tree(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("server", [False, True])
def test_a_topic_entry_no_story_uses_is_warned_of_until_a_story_does(
    site: Path, tmp_path: Path, server: bool
) -> None:
    """An entry of digest.yaml's topics that no story uses (``config_topics``) is warned
    of by every build, an unchanged one or an edit too, until a story brings the topic
    or the entry is corrected; the last story of the topic going brings it back."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    settings = site / "digest.yaml"
    settings.write_text("topics:\n  - name: Computer Vison\n  - name: Drones\n")
    config, _ = load_config(site, output=out)

    def unused() -> tuple[list[tuple[str, int | None]], int]:
        report = build(config, memory=memory)
        assert tree(out) == clean_build(site, tmp_path)
        return [(p.message.split("'")[1], p.line) for p in report.warnings], report.rendered

    both = [("Computer Vison", 2), ("Drones", 3)]
    assert unused()[0] == both
    assert unused() == (both, 0)  # (nothing changed)
    edit_story_3(site)  # (the preview server patches its site)
    assert unused()[0] == both
    assert memory is None or memory.index is not None  # (it did: see build.BuildMemory)
    drones = site / "content/2021-03-08-drones.md"
    drones.write_text(story(8, topic="drones"), encoding="utf-8")
    assert unused()[0] == [("Computer Vison", 2)]
    settings.write_text("topics:\n  - name: Computer Vision\n  - name: Drones\n")
    config, _ = load_config(site, output=out)
    assert unused()[0] == []
    drones.unlink()
    assert unused()[0] == [("Drones", 3)]
    assert unused() == ([("Drones", 3)], 0)


@pytest.mark.parametrize("server", [False, True])
def test_a_story_whose_address_another_took_is_warned_of_until_renamed(
    site: Path, tmp_path: Path, server: bool
) -> None:
    """Two files want news/2021-03-03-story-3/: the later story gets a suffix, and every
    build says so, an unchanged one or an edit too, until one of them is renamed."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    other = site / "content/sub/2021-03-03-story-3.md"
    other.parent.mkdir()
    other.write_text(story(9, title="Another story"), encoding="utf-8")

    def clashes() -> tuple[list[str], int]:
        report = build(config, memory=memory)
        assert tree(out) == clean_build(site, tmp_path)
        return [p.format() for p in report.warnings], report.rendered

    said, _ = clashes()
    assert said == [
        "content/sub/2021-03-03-story-3.md: warning: content/2021-03-03-story-3.md wants the "
        "same address and has it, news/2021-03-03-story-3/ (it is dated earlier, or at the "
        "same time and its path sorts first), so this story is at news/2021-03-03-story-3-"
        "148bc9/; should content/2021-03-03-story-3.md go, this story moves to "
        "news/2021-03-03-story-3/ and news/2021-03-03-story-3-148bc9/ stops working Hint: "
        "Rename one of the two files: a dated file name (YYYY-MM-DD-words.md) gives a story "
        "an address of its own that stays put when other files come and go. Renaming this "
        "one moves its page: add aliases: [/news/2021-03-03-story-3-148bc9/] to it, to keep "
        "its address working."]
    assert (out / "news/2021-03-03-story-3-148bc9/index.html").is_file()
    assert clashes() == (said, 0)  # (nothing changed)
    edit_story_3(site)
    assert clashes()[0] == said
    renamed = other.with_name("2021-03-09-another-story.md")
    other.rename(renamed)  # (its suffixed address then fails, as any moved page's)
    assert clashes()[0] == [
        "content/sub/2021-03-09-another-story.md: warning: its page moved from "
        "/news/2021-03-03-story-3-148bc9/ to /news/2021-03-09-another-story/ since an earlier "
        "build; links to the old address now fail Hint: Add `aliases: "
        "[/news/2021-03-03-story-3-148bc9/]` to keep them working (or, if the move is meant, "
        "build once with --accept-moves)."]
    renamed.write_text(renamed.read_text().replace(
        "topics:", "aliases: [/news/2021-03-03-story-3-148bc9/]\ntopics:", 1))
    touch_later(renamed)
    assert clashes()[0] == []
    assert clashes() == ([], 0)


@pytest.mark.parametrize("server", [False, True])
def test_a_topic_spelled_with_other_accents_is_warned_of_until_spelled_alike(
    site: Path, tmp_path: Path, server: bool
) -> None:
    """A story giving Robotics as Robótics joins the topic, and every build says so (an
    unchanged one, an edit the preview server patches) until it is spelled alike; when
    most stories spell it so, the topic is renamed (its pages, and those linking it)."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    accented = [site / f"content/2021-03-{n:02d}-robotica-{n}.md" for n in range(8, 16)]

    def merged() -> tuple[list[str], int]:
        report = build(config, memory=memory)
        assert report.errors == ()
        assert tree(out) == clean_build(site, tmp_path)
        return [p.message.split(", so")[0] for p in report.warnings], report.rendered

    assert merged()[0] == []
    accented[0].write_text(story(8, topic="Robótics"), encoding="utf-8")
    said = ["the topic names 'Robotics' (content/2021-03-01-story-1.md, content/2021-03-02-"
            "story-2.md, content/2021-03-03-story-3.md and 3 more), 'Robótics' (content/"
            "2021-03-08-robotica-8.md) differ only by accents (and case or spacing)"]
    assert merged()[0] == said
    assert merged() == (said, 0)  # (nothing changed)
    edit_story_3(site)
    assert merged()[0] == said
    assert memory is None or memory.index is not None  # (the preview server patched)
    for n, path in enumerate(accented[1:], start=9):  # (Robótics: then the most used)
        path.write_text(story(n, topic="ROBÓTICS" if n == 9 else "Robótics"), encoding="utf-8")
    assert merged()[0] == [said[0].replace("(content/2021-03-08-robotica-8.md)", "(content/"
                                           "2021-03-08-robotica-8.md, content/2021-03-10-"
                                           "robotica-10.md, content/2021-03-11-robotica-11.md "
                                           "and 4 more)").replace(
        "'Robotics'", "'ROBÓTICS' (content/2021-03-09-robotica-9.md), 'Robotics'")]
    assert text_of(parse_html(out / "topics/robotics/index.html").find(".//h1")) == "Robótics"
    for n in range(1, 7):
        (site / f"content/2021-03-{n:02d}-story-{n}.md").write_text(
            story(n, topic="robótics"), encoding="utf-8")
    assert merged()[0] == []  # (Robótics, robótics and ROBÓTICS: case alone)
    accented[1].unlink()
    (site / "content/2021-03-07-vision.md").write_text(story(7, topic="Robotics"),
                                                      encoding="utf-8")
    assert merged()[0] == ["the topic names 'Robotics' (content/2021-03-07-vision.md), "
                           "'Robótics' (content/2021-03-08-robotica-8.md, content/2021-03-10-"
                           "robotica-10.md, content/2021-03-11-robotica-11.md and 4 more), "
                           "'robótics' (content/2021-03-01-story-1.md, content/2021-03-02-"
                           "story-2.md, content/2021-03-03-story-3.md and 3 more) differ only "
                           "by accents (and case or spacing)"]


@pytest.mark.parametrize("server", [False, True])
def test_a_story_in_two_files_is_warned_of_until_one_goes_or_has_its_own_web_url(
    site: Path, tmp_path: Path, server: bool
) -> None:
    """A copy of story 3 (a feed imported twice) under another name: every build says so,
    an unchanged one, or one that read neither file, too; each equals a clean build as the
    copy comes, is fixed, comes again and goes."""
    from generator.build import BuildMemory

    memory = BuildMemory() if server else None
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    copy = site / "content/import/story-3.md"

    def shared() -> tuple[list[str], int]:
        report = build(config, memory=memory)
        assert tree(out) == clean_build(site, tmp_path)
        return [p.format() for p in report.warnings], report.rendered

    assert shared()[0] == []
    copy.parent.mkdir()
    copy.write_text(story(3), encoding="utf-8")
    said, _ = shared()
    assert said == [
        "content/import/story-3.md:5: warning: webUrl: 'https://news.example/s3' is also the "
        "webUrl of content/2021-03-03-story-3.md (line 5): one news item in 2 files, "
        "published as 2 stories (each with a page, feed and API entries and a sitemap line; "
        "cards and \"Also covered by\" show one) Hint: Delete all but one of the files (a "
        "feed imported twice?), or give each story its own webUrl if they are different "
        "stories."]
    assert shared() == (said, 0)  # (nothing changed)
    edit_story_3(site)
    assert shared()[0] == said
    five = site / "content/2021-03-05-story-5.md"
    five.write_text(story(5, title="Story five, corrected"), encoding="utf-8")
    touch_later(five)
    assert shared()[0] == said  # (neither file read again)
    copy.write_text(story(3).replace("news.example/s3", "news.example/s3-again"),
                    encoding="utf-8")
    touch_later(copy)
    assert shared()[0] == []
    assert shared() == ([], 0)
    copy.write_text(story(3).replace("https://news", "http://www.news"), encoding="utf-8")
    touch_later(copy)
    assert len(shared()[0]) == 1
    copy.unlink()
    assert shared()[0] == []


def test_builds_told_what_changed_equal_clean_builds(site: Path, tmp_path: Path) -> None:
    """The preview server names the changed paths (``touched``): only those files are
    looked at, and a folder among them means looking at everything."""
    from generator.build import BuildMemory

    memory = BuildMemory()
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    build(config, memory=memory)

    def write(rel: str, text: str) -> None:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
        touch_later(site / rel)

    steps: list[tuple[Callable[[], None], list[str]]] = [
        (lambda: write("content/2021-03-02-story-2.md", story(2, title="Two, told")),
         ["content/2021-03-02-story-2.md", "templates/x.html"]),
        (lambda: write("content/2021-03-10-story-10.md", story(10)),
         ["content/2021-03-10-story-10.md"]),
        (lambda: (site / "content/2021-03-10-story-10.md").unlink(),
         ["content/2021-03-10-story-10.md"]),
        (lambda: write("content/more/2021-03-11-story-11.md", story(11)), ["content/more"]),
        (lambda: shutil.rmtree(site / "content/more"), ["content/more"]),
    ]
    for change, touched in steps:
        change()
        report = build(config, memory=memory, touched=touched)
        assert report.rendered > 0
        assert tree(out) == clean_build(site, tmp_path)
    # a path the caller did not name is not looked at (the watcher names every one)
    (site / "content/2021-03-03-story-3.md").write_text(story(3, title="Unseen"))
    touch_later(site / "content/2021-03-03-story-3.md")
    assert build(config, memory=memory, touched=[]).rendered == 0
    assert build(config, memory=memory).rendered > 0
    # settings the files are read with (the time zone): every file is read again, not
    # only those named (they were, and every other story was taken as gone)
    settings = site / "digest.yaml"
    settings.write_text((settings.read_text("utf-8") if settings.exists() else "")
                        + "\ntimezone: America/Los_Angeles\n", encoding="utf-8")
    config, _ = load_config(site, output=out)
    report = build(config, memory=memory, touched=["digest.yaml"])
    assert report.stories == 7 and report.write.removed == 0
    assert tree(out) == clean_build(site, tmp_path)


def test_parallel_build_equals_serial_build(site: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.build as build_module

    run(site, tmp_path / "serial")
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)  # workers even for 7 files
    pools: list[WorkerPool] = []
    processes: list[Any] = []

    def pool(config: SiteConfig, count: int) -> WorkerPool:
        pools.append(WorkerPool(config, count))
        processes.extend(pools[-1]._processes)
        return pools[-1]

    monkeypatch.setattr(build_module, "WorkerPool", pool)
    shutil.rmtree(site / ".digest-cache")
    report = run(site, tmp_path / "parallel")
    assert report.stories == 7
    # (told to stop once the pages are made, the workers exit while the cache is saved;
    # the build has waited for them when it returns)
    assert len(pools) == 1 and pools[0]._processes == [] and len(processes) >= 1
    assert [process.exitcode for process in processes] == [0] * len(processes)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    # the cache is whole: the stories, stored while the workers made their pages, under
    # the index's stories id, and the event state, stored once they had the site
    manifest_file = cache_path(site, tmp_path / "parallel")
    manifest = load_manifest(manifest_file)
    assert load_summaries(manifest_file, manifest) and len(manifest.files) == 7
    state = load_event_state(manifest_file)
    assert state is not None and len(state.engine.stories) == 7
    edit = site / "content/2021-03-01-story-1.md"
    edit.write_text(story(1, title="Story one, in parallel"), encoding="utf-8")
    touch_later(edit)
    run(site, tmp_path / "parallel")
    assert tree(tmp_path / "parallel") == clean_build(site, tmp_path)


def test_parallel_build_after_a_config_change_equals_a_clean_build(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New settings (a time zone: every file is read again, by workers) re-render every
    page over the last build's output: the workers start on their articles before the
    other pages are planned, staging beside that output."""
    import generator.build as build_module

    out = tmp_path / "out"
    run(site, out)
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    (site / "digest.yaml").write_text("title: Renamed digest\ntimezone: Asia/Tokyo\n")
    report = run(site, out)
    assert report.rendered == report.files - len(static_files(site))
    assert tree(out) == clean_build(site, tmp_path)
    assert b"Renamed digest" in (out / "index.html").read_bytes()


def test_parallel_build_of_the_sample_equals_serial_build(sample_site: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers render from a slimmed site (``workers.render_view``): events with four
    sources, a plain-text body and related links must come out the same."""
    import generator.build as build_module
    import generator.workers as workers_module

    run(sample_site, tmp_path / "serial")
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers_module, "RECORD_BATCH", 2)  # results sent back in parts
    shutil.rmtree(sample_site / ".digest-cache")
    run(sample_site, tmp_path / "parallel")
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")


def test_forked_rendering_equals_a_clean_build(sample_site: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that read few files forks helpers to render its pages (``render_forked``):
    they inherit the site, parse unchanged stories on demand and fetch API records from
    the cache through their own database connection."""
    import generator.build as build_module
    import generator.workers as workers_module

    out = tmp_path / "out"
    run(sample_site, out)
    monkeypatch.setattr(build_module, "FORK_FROM", 1)
    monkeypatch.setattr(workers_module, "worker_count", lambda: 2)
    monkeypatch.setattr(build_module, "worker_count", lambda: 2)
    forked: list[int] = []
    real = workers_module.render_forked

    def spy(*args: object, **kwargs: object) -> object:
        forked.append(len(args[1]))  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "render_forked", spy)
    template = sample_site / "templates" / "base.html"
    template.parent.mkdir(exist_ok=True)
    template.write_text((ROOT / "templates" / "base.html").read_text("utf-8").replace(
        "<body", "<!-- forked -->\n<body"), encoding="utf-8")
    report = run(sample_site, out)
    assert forked and forked[-1] == report.rendered > 1
    assert tree(out) == clean_build(sample_site, tmp_path)
    assert "<!-- forked -->" in (out / "index.html").read_text("utf-8")


@pytest.mark.parametrize(("failure", "said"), [
    ("raises", "a worker process failed:\n(.|\n)*RuntimeError: template exploded in a child"),
    ("dies", "a worker process died during the build"),
])
def test_a_failing_forked_renderer_fails_the_build_and_keeps_the_output(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str,
        said: str) -> None:
    """A forked renderer that raises is reported with its traceback; one that dies
    (killed, say) as dead, not waited for forever."""
    import generator.build as build_module
    import generator.workers as workers_module

    out = tmp_path / "out"
    run(site, out)
    before = tree(out)
    monkeypatch.setattr(build_module, "FORK_FROM", 1)
    monkeypatch.setattr(build_module, "worker_count", lambda: 2)
    real = workers_module.render_and_stage

    def broken(site_: object, pages: list[object], *args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            if failure == "dies":
                os._exit(3)
            raise RuntimeError("template exploded in a child")
        return real(site_, pages, *args, **kwargs)  # type: ignore[arg-type]

    parent = os.getpid()
    monkeypatch.setattr(workers_module, "render_and_stage", broken)
    edit = site / "content/2021-03-01-story-1.md"
    edit.write_text(story(1, title="Story one, rendered by a broken child"), encoding="utf-8")
    touch_later(edit)
    with pytest.raises(DigestError, match=said):
        run(site, out)
    assert tree(out) == before


def test_lost_summaries_only_cost_reading_every_file_again(site: Path, tmp_path: Path) -> None:
    def damage(root: Path) -> None:
        for path in (root / ".digest-cache").glob("stories-*"):
            path.write_bytes(b"\x00garbage")
        edit = root / "content/2021-03-02-story-2.md"
        edit.write_text(story(2, title="Story two, after the cache broke"), encoding="utf-8")
        touch_later(edit)

    check_equal_after(damage, site, tmp_path)


SET_FILE = re.compile(r"(?:manifest|stories|events|records|spare)-([0-9a-f]{12})\b.*")


def cache_keys(site: Path) -> set[str]:
    """The keys of the output folders the site's cache holds files of."""
    return {m.group(1) for path in (site / ".digest-cache").iterdir()
            if (m := SET_FILE.fullmatch(path.name))}


def key_of(site: Path, output: Path) -> str:
    match = SET_FILE.fullmatch(cache_path(site, output).name)
    assert match is not None
    return match.group(1)


def test_the_first_build_into_an_output_prunes_the_cache_of_outputs_that_are_gone(
        site: Path, tmp_path: Path) -> None:
    first, second, third = (tmp_path / name for name in ("first", "second", "third"))
    run(site, first)
    run(site, second)
    assert load_manifest(cache_path(site, first)).output == str(first.resolve())
    both = {key_of(site, first), key_of(site, second)}
    assert cache_keys(site) == both
    shutil.rmtree(first)
    edit = site / "content/2021-03-02-story-2.md"
    edit.write_text(story(2, title="Story two, edited"), encoding="utf-8")
    touch_later(edit)
    run(site, second)  # (not a first build: nothing is pruned)
    assert cache_keys(site) == both
    run(site, third)
    assert cache_keys(site) == {key_of(site, second), key_of(site, third)}
    assert (site / ".digest-cache" / ".gitignore").is_file()
    assert (site / ".digest-cache" / "templates").is_dir()
    run(site, first)  # (built again from nothing, like any first build)
    assert tree(first) == clean_build(site, tmp_path)


def test_cache_sets_no_build_can_use_are_pruned(site: Path, tmp_path: Path) -> None:
    """Sets whose index is of another format or damaged go; so do files with no index,
    once a day old (younger, a first build may be writing them); other files stay."""
    cache = site / ".digest-cache"
    run(site, tmp_path / "out")
    day_ago = time.time() - 25 * 3600
    (cache / "stories-aaaaaaaaaaaa.bin").write_bytes(b"orphan")
    os.utime(cache / "stories-aaaaaaaaaaaa.bin", (day_ago, day_ago))
    (cache / "stories-bbbbbbbbbbbb.bin").write_bytes(b"orphan, written just now")
    (cache / "manifest-cccccccccccc.bin").write_bytes(marshal.dumps(
        (manifest_module.FORMAT - 1, "", "", "", {}, {}, "", (), (), (0, 0, 0), "", "", 0)))
    (cache / "records-cccccccccccc.sqlite").write_bytes(b"records")
    (cache / "spare-cccccccccccc").mkdir()
    (cache / "spare-cccccccccccc" / "page.html").write_bytes(b"spare")
    (cache / "manifest-dddddddddddd.bin").write_bytes(b"\x00garbage")
    (cache / "events-dddddddddddd.bin").write_bytes(b"events")
    (cache / "notes.txt").write_text("mine\n", encoding="utf-8")
    run(site, tmp_path / "other")
    assert cache_keys(site) == {key_of(site, tmp_path / "out"), key_of(site, tmp_path / "other"),
                                "bbbbbbbbbbbb"}
    assert (cache / "notes.txt").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("stored", ["whole", "delta"])
def test_summaries_of_another_build_are_not_taken(stored: str, site: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The stories file, and the delta on it, name the index they were written with
    (Manifest.stories_id, stories_base); an older one beside a newer index (a build
    killed between writing the two) is refused, which only costs reading every file
    again."""
    if stored == "whole":  # (every build stores the stories whole)
        monkeypatch.setattr(manifest_module, "DELTA_MIN", 0)
        monkeypatch.setattr(manifest_module, "DELTA_SHARE", 10**9)
    out = site.parent / "out"
    edit = site / "content/2021-03-02-story-2.md"
    run(site, out)
    edit.write_text(story(2, title="Story two, edited"), encoding="utf-8")
    touch_later(edit)
    run(site, out)
    (older,) = (site / ".digest-cache").glob("stories-*.bin" if stored == "whole"
                                             else "stories-*.delta")
    kept = older.read_bytes()

    def restore_older(root: Path) -> None:
        edit.write_text(story(2, title="Story two, edited again"), encoding="utf-8")
        touch_later(edit)
        run(root, out)
        older.write_bytes(kept)
        manifest = load_manifest(cache_path(root, out))
        assert (manifest.stories_base == manifest.stories_id) == (stored == "whole")
        assert not load_summaries(cache_path(root, out), manifest)
        edit.write_text(story(2, title="Story two, edited once more"), encoding="utf-8")
        touch_later(edit)

    check_equal_after(restore_older, site, tmp_path)
    stories_describe_the_site(site)


@pytest.mark.parametrize("forking", [False, True])
def test_stories_stored_as_deltas_equal_the_stories_built(
        forking: bool, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds that read a few files store their stories as a delta on the last whole
    stories file, each extending the last one's, until it would hold more than
    ``DELTA_MIN`` changes (here 3); then a whole file again. Every build, a fresh one
    each (no memory), finds the stories of the one before, and equals a clean build;
    with ``forking``, the events child stores them."""
    if forking:
        monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    monkeypatch.setattr(manifest_module, "DELTA_MIN", 3)
    out = site.parent / "out"
    cache = site / ".digest-cache"
    run(site, out)
    story_2 = site / "content/2021-03-02-story-2.md"
    story_9 = site / "content/2021-03-09-story-9.md"

    def write(path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8")
        touch_later(path)

    steps: list[tuple[Callable[[], object], int]] = [  # (the change, the delta's count)
        (lambda: write(story_2, story(2, title="Two, once")), 1),
        (lambda: write(story_2, story(2, title="Two, twice")), 2),
        (lambda: write(story_9, story(9)), 3),
        (lambda: story_9.unlink(), 0),  # (a fourth change: whole again)
        (lambda: write(story_9, story(9, title="Nine again")), 1),
        (lambda: write(story_2, "---\ntitle: [broken\n---\n"), 2),  # (no summary now)
        (lambda: story_9.unlink(), 3),
    ]
    for change, count in steps:
        change()
        run(site, out)
        manifest = load_manifest(cache_path(site, out))
        assert manifest.stories_changes == count
        assert (manifest.stories_base != manifest.stories_id) == (count > 0)
        assert bool(list(cache.glob("stories-*.delta"))) == (count > 0)
        stories_describe_the_site(site)
        assert tree(out) == clean_build(site, tmp_path)


def same_state(stored: EventState | None, made: EventState) -> None:
    """``stored`` is ``made``, the order of every dict included (see cluster_engine)."""
    assert stored is not None
    assert stored.to_data() == made.to_data()
    assert [list(f) for f in stored.engine.to_data() if isinstance(f, dict)] == \
        [list(f) for f in made.engine.to_data() if isinstance(f, dict)]


@pytest.mark.parametrize("forking", [False, True])
def test_event_states_stored_as_deltas_equal_the_states_made(
        forking: bool, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The event state's records are stored apart, and written again only when more than
    ``DELTA_MIN`` (or a ``DELTA_SHARE``-th) of them changed: the other builds store the
    records that changed beside the rest of the state. Each build finds the state the
    last one made (updated from the state it found), in the same order; with
    ``forking``, the events child stores it."""
    if forking:
        monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    run(site, out)
    (records_file,) = (site / ".digest-cache").glob("events-*.bin")
    story_2 = site / "content/2021-03-02-story-2.md"
    story_9 = site / "content/2021-03-09-story-9.md"

    def write(path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8")
        touch_later(path)

    steps: list[tuple[Callable[[], object], int]] = [  # (the change, DELTA_MIN)
        (lambda: write(story_2, story(2, title="Two, once")), 100),
        (lambda: write(story_9, story(9)), 100),
        (lambda: write(story_2, story(2, title="Two, twice")), 0),  # (stored whole)
        (lambda: story_9.unlink(), 100),
        (lambda: write(story_2, "---\ntitle: [broken\n---\n"), 100),
    ]
    for change, delta_min in steps:
        monkeypatch.setattr(manifest_module, "DELTA_MIN", delta_min)
        before = load_event_state(cache_path(site, out))
        records = records_file.read_bytes()
        change()
        run(site, out)
        model, _ = site_for(config)
        _events, made = update_events(before, [(a.slug, a.summary) for a in model.articles],
                                      threshold=config.cluster_threshold,
                                      related_count=config.related_count)
        same_state(load_event_state(cache_path(site, out)), made)
        assert (records_file.read_bytes() == records) == (delta_min > 0)


def test_an_event_state_delta_on_other_records_is_refused(site: Path, tmp_path: Path) -> None:
    """A records file written after the delta beside it (a build stopped between the two)
    is not mixed with it: the state is lost, which only costs making the events anew."""
    out = site.parent / "out"
    run(site, out)
    (records_file,) = (site / ".digest-cache").glob("events-*.bin")
    first = records_file.read_bytes()

    def other_records(root: Path) -> None:
        edit = root / "content/2021-03-02-story-2.md"
        edit.write_text(story(2, title="Story two, edited"), encoding="utf-8")
        touch_later(edit)
        run(root, out)  # (a delta on the first records file)
        assert load_event_state(cache_path(root, out)) is not None
        version, _base, records = marshal.loads(first)
        records_file.write_bytes(marshal.dumps((version, "another build", records)))
        assert load_event_state(cache_path(root, out)) is None
        edit.write_text(story(2, title="Story two, edited again"), encoding="utf-8")
        touch_later(edit)

    check_equal_after(other_records, site, tmp_path)
    state_describes_the_site(site)


def test_damaged_records_only_cost_reading_every_file_again(site: Path, tmp_path: Path) -> None:
    def damage(root: Path) -> None:
        for path in (root / ".digest-cache").glob("records-*"):
            path.write_bytes(b"this is not a database" * 100)
        edit = root / "content/2021-03-04-story-4.md"
        edit.write_text(story(4, title="Story four, records lost"), encoding="utf-8")
        touch_later(edit)

    check_equal_after(damage, site, tmp_path)


def test_builds_that_keep_the_cache_in_memory_equal_clean_builds(site: Path,
                                                                tmp_path: Path) -> None:
    from generator.build import BuildMemory

    memory = BuildMemory()
    out = site.parent / "out"
    config, _ = load_config(site, output=out)
    build(config, memory=memory)
    assert memory.manifest is not None
    steps = [
        lambda root: (root / "content/2021-03-03-story-3.md").write_text(
            story(3, title="Story three, from memory"), encoding="utf-8"),
        # the title story 3 lists in related[] moves away, then comes back
        lambda root: (root / "content/2021-03-04-story-4.md").write_text(
            story(4, title="Story four is elsewhere"), encoding="utf-8"),
        lambda root: (root / "content/2021-03-04-story-4.md").write_text(
            story(4), encoding="utf-8"),
        lambda root: (root / "content/2021-03-07-vision.md").write_text(
            story(7, topic="Computer Vision").replace("An excerpt", "A new excerpt"),
            encoding="utf-8"),
        lambda root: (root / "content/2021-03-09-story-9.md").write_text(story(9)),
        lambda root: (root / "content/2021-03-05-story-5.md").unlink(),
    ]
    for change in steps:
        change(site)
        for path in (site / "content").glob("*.md"):
            touch_later(path)
        report = build(config, memory=memory)
        assert report.rendered > 0
        # edits in place patch the model kept in memory; an added or deleted story does not
        assert ("patch" in report.timings) == (change in steps[:4])
        assert tree(out) == clean_build(site, tmp_path)
    assert build(config, memory=memory).write.written == 0


def test_each_build_fingerprints_its_pages_at_most_once(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build makes the fingerprints while its pages render; a build from the cache
    makes them once, to choose what to render; a build that patches the remembered site
    (the preview server) has them from the patch and makes none, forked renderers or not."""
    import generator.build as build_module
    from generator.build import BuildMemory

    made: list[int] = []
    real = build_module.page_fingerprints

    def counting(*args: object) -> dict[str, str]:
        made.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "page_fingerprints", counting)
    monkeypatch.setattr(build_module, "FORK_FROM_SERVING", 1)
    monkeypatch.setattr(build_module, "worker_count", lambda: 2)
    config, _ = load_config(site, output=tmp_path / "out")
    memory = BuildMemory()

    def edit(n: int, title: str) -> None:
        path = site / f"content/2021-03-0{n}-story-{n}.md"
        path.write_text(story(n, title=title), encoding="utf-8")
        touch_later(path)

    build(config, memory=memory)
    assert len(made) == 1  # cold
    edit(1, "Story one, patched")
    assert build(config, memory=memory).rendered > 0 and memory.index is not None
    assert len(made) == 1  # patched: no page fingerprinted again
    edit(2, "Story two, from the cache")
    assert build(config).rendered > 0
    assert len(made) == 2  # a fresh process: once


# The events of an incremental build, made by a forked child (generator.events_child). On
# a site of 3,000+ stories a fresh build after an edit forks a child that loads the event
# state while the build loads the summaries, then updates the events and stores the new
# state; the tests below let it fork from one story. Whatever the child does or fails to
# do, the output is the clean build's and the state on disk describes the stories built.

@pytest.fixture
def fork_from_one_story(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``cluster_parallel.start_forked`` fork for a site of any size."""
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)


def log_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str, log: Path,
              *, fail_in_child: Path | None = None) -> None:
    """Wrap ``module.name`` to write the calling process's id to ``log``, and to fail in
    a child while ``fail_in_child`` exists."""
    real = getattr(module, name)
    parent = os.getpid()

    def wrapped(*args: object, **kwargs: object) -> object:
        with log.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        if os.getpid() != parent and fail_in_child is not None and fail_in_child.exists():
            raise OSError(f"{name} failed (in the child)")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def pids(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def edit_story_3(root: Path, *, title: str = "Story three, corrected") -> None:
    path = root / "content/2021-03-03-story-3.md"
    path.write_text(story(3, title=title), encoding="utf-8")
    touch_later(path)


def stories_describe_the_site(site: Path) -> None:
    """The stored stories are those of the manifest stored, and of the site built."""
    config, _ = load_config(site, output=site.parent / "out")
    manifest = load_manifest(cache_path(site, site.parent / "out"))
    assert manifest.stories_id and load_summaries(cache_path(site, site.parent / "out"), manifest)
    model, _ = site_for(config)
    assert {src: e.summary for src, e in manifest.files.items() if e.summary} == \
        {a.summary.source: replace(a.summary, record_json="") for a in model.articles}


def state_describes_the_site(site: Path) -> None:
    config, _ = load_config(site, output=site.parent / "out")
    state = load_event_state(cache_path(site, site.parent / "out"))
    assert state is not None
    model, _ = site_for(config)
    assert {key: record[R_DIGEST] for key, record in state.engine.stories.items()} == \
        {article.slug: article.summary.digest for article in model.articles}


@pytest.mark.usefixtures("fork_from_one_story")
def test_an_events_child_makes_the_events_of_an_incremental_build(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads, updates, stores = tmp_path / "loads", tmp_path / "updates", tmp_path / "stores"
    log_calls(monkeypatch, events_child, "load_event_state", loads)
    log_calls(monkeypatch, events_child, "update_state_of", updates)
    log_calls(monkeypatch, events_child, "save_event_state", stores)
    log_calls(monkeypatch, events_child, "save_story_delta", tmp_path / "rows")
    (site / "digest.yaml").write_text("related_count: 2\n")
    assert check_equal_after(edit_story_3, site, tmp_path).rendered > 0
    # one incremental build: one child loaded, updated and stored the state, and stored
    # the stories; the clean builds (no cache) made their events themselves
    assert len(pids(loads)) == len(pids(updates)) == len(pids(stores)) == 1
    assert pids(loads) == pids(updates) == pids(stores) == pids(tmp_path / "rows")
    assert pids(loads) != [os.getpid()]
    state_describes_the_site(site)
    stories_describe_the_site(site)


@pytest.mark.parametrize("failing", ["load_event_state", "update_state_of"])
@pytest.mark.usefixtures("fork_from_one_story")
def test_when_the_child_fails_the_build_makes_the_events(
        failing: str, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flag = tmp_path / "fail"
    flag.write_text("")
    log_calls(monkeypatch, events_child, failing, tmp_path / "calls", fail_in_child=flag)
    log_calls(monkeypatch, events_child, "save_event_state", tmp_path / "stores")
    check_equal_after(edit_story_3, site, tmp_path)
    assert pids(tmp_path / "stores")[-1] == os.getpid()  # stored by the build
    state_describes_the_site(site)


@pytest.mark.parametrize("failing", ["save_event_state", "save_story_delta"])
@pytest.mark.usefixtures("fork_from_one_story")
def test_what_the_child_fails_to_store_the_build_stores(
        failing: str, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build stores the state (made again: the child had made the events) or the
    stories, and the next build finds them."""
    flag = tmp_path / "fail"
    flag.write_text("")
    calls = tmp_path / "calls"
    log_calls(monkeypatch, events_child, failing, calls, fail_in_child=flag)
    check_equal_after(edit_story_3, site, tmp_path)
    assert pids(calls)[0] != os.getpid()  # (the child tried)
    state_describes_the_site(site)
    stories_describe_the_site(site)
    flag.unlink()
    check_equal_after(partial(edit_story_3, title="Story three, again"), site, tmp_path)
    state_describes_the_site(site)
    stories_describe_the_site(site)


@pytest.mark.usefixtures("fork_from_one_story")
def test_a_story_whose_slug_moved_is_read_from_the_stored_summaries(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older story with the same file name takes the slug of an unchanged story, whose
    event document the child then makes from the summary stored by the last build."""
    rows = tmp_path / "rows"
    log_calls(monkeypatch, events_child, "load_summary_rows", rows)

    def add_older_namesake(root: Path) -> None:
        (root / "content/older").mkdir()
        (root / "content/older/2021-03-02-story-2.md").write_text(
            story(1, title="An older story two"), encoding="utf-8")

    check_equal_after(add_older_namesake, site, tmp_path)
    assert len(pids(rows)) == 1 and pids(rows) != [os.getpid()]
    config, _ = load_config(site, output=site.parent / "out")
    slugs = {a.summary.source: a.slug for a in site_for(config)[0].articles}
    assert slugs["content/older/2021-03-02-story-2.md"] == "2021-03-02-story-2"
    assert slugs["content/2021-03-02-story-2.md"] != "2021-03-02-story-2"
    state_describes_the_site(site)


@pytest.mark.usefixtures("fork_from_one_story")
def test_a_stored_summary_of_another_digest_is_refused(tmp_path: Path) -> None:
    """The child never makes a document from a stored summary that is not the one sent."""
    with pytest.raises(LookupError, match="content/a.md"):
        events_child._document("a", "content/a.md", "digest-sent",
                               events_child._Shared(tmp_path / "manifest.bin", Manifest(),
                                                    0.5, 3))


@pytest.mark.usefixtures("fork_from_one_story")
def test_a_build_that_fails_stops_its_events_child(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build failing before it sends the stories (or after) leaves no child behind."""
    config, _ = load_config(site, output=site.parent / "out")
    build(config)
    edit_story_3(site)

    def broken(*args: object) -> object:
        raise RuntimeError("modeling failed")

    for name in ("place_stories", "lay_out"):
        with monkeypatch.context() as patch:
            patch.setattr(build_module, name, broken)
            with pytest.raises(RuntimeError, match="modeling failed"):
                build(config)
        with pytest.raises(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)  # no child left, running or unreaped
    report = build(config)  # and the next build is whole
    assert report.rendered > 0
    state_describes_the_site(site)
