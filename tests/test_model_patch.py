"""Patching the last site model equals modeling from scratch, or declines.

``patch_site`` is the preview server's shortcut after an edit. Each test models a
small site, edits files, and compares the patched site, pages and fingerprints with
a full model of the edited site; edits that could change the site's shape must be
declined (None), and the caller then models everything.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.pages as pages_module
from generator.build import site_for
from generator.config import SiteConfig, load_config
from generator.fingerprints import page_fingerprints
from generator.model import Site
from generator.model_patch import PatchIndex, SitePatch, index_site, patch_site
from generator.pages import Page, plan_pages
from generator.parse import parse_file
from generator.summary import StorySummary
from generator.theme import template_digests
from generator.urls import page_path
from tests.conftest import MakeSite

TITLES = ("Robots learn to fold laundry", "IBM ends facial recognition work",
          "A new chip for vision models", "Drones deliver medicine in Ghana",
          "Robots learn to fold shirts", "Chip makers race for vision")


def story(title: str, day: int, *, topics: str = "[AI, Robotics]",
          related: tuple[str | tuple[str, str], ...] = (), excerpt: str = "",
          url: str = "") -> str:
    """A story file; each related[] entry is a title (at an address of its own elsewhere)
    or a (title, address) pair."""
    lines = ["---", f'title: "{title}"', f"publishedDateTime: 2021-03-{day:02d}T10:00:00Z",
             f"topics: {topics}", f'excerpt: "{excerpt or "About " + title}"',
             f"webUrl: {url or f'https://news.example/{day}'}",
             "provider: {name: Example, domain: news.example}"]
    if related:
        lines.append("related:")
        lines += [f'  - title: "{r}"\n    webUrl: https://elsewhere.example/{i}'
                  if isinstance(r, str) else f'  - title: "{r[0]}"\n    webUrl: "{r[1]}"'
                  for i, r in enumerate(related)]
    return "\n".join(lines) + "\n---\nBody.\n"


Modeled = tuple[Site, list[Page], dict[str, str]]


def model(config: SiteConfig) -> Modeled:
    site, _ = site_for(config)
    pages = plan_pages(site)
    return site, pages, page_fingerprints(site, pages, template_digests(config.source))


def patch(config: SiteConfig, before: Modeled, *paths: Path,
          index: PatchIndex | None = None) -> SitePatch | None:
    zone = ZoneInfo(config.timezone)
    parsed = [parse_file(p, config, zone) for p in paths]
    changed: dict[str, StorySummary] = {p.source: p.summary for p in parsed if p.summary}
    return patch_site(*before, changed, dropped=[p.source for p in parsed if not p.summary],
                      config=config, records=None, index=index,
                      templates=template_digests(config.source))


def assert_same(patched: SitePatch, before: Modeled, full: Modeled) -> None:
    site, pages, fingerprints = full
    assert patched.site.articles == site.articles
    assert patched.site.by_slug == site.by_slug
    assert patched.site.members == site.members
    assert patched.site.clusters == site.clusters
    assert patched.pages == pages
    assert patched.fingerprints == fingerprints
    moved = {rel for rel, fp in fingerprints.items() if before[2].get(rel) != fp}
    assert moved <= {page_path(p.path) for p in patched.touched}


def base_site(make_site: MakeSite) -> tuple[Path, SiteConfig]:
    files: dict[str, str | bytes] = {
        f"content/2021-03-{day:02d}-s{day}.md": story(
            TITLES[day % len(TITLES)], day, related=(TITLES[(day + 1) % len(TITLES)],))
        for day in range(1, 7)
    }
    site = make_site(files)
    config, problems = load_config(site, output=site.parent / "out")
    assert not problems
    return site, config


def test_a_new_title_is_patched_and_related_entries_follow_it(make_site: MakeSite) -> None:
    site, config = base_site(make_site)
    before = model(config)
    # s2 is "A new chip for vision models"; s1 lists it in related[] by title
    assert before[0].by_slug["2021-03-01-s1"].related_slugs == ("2021-03-02-s2",)
    path = site / "content/2021-03-02-s2.md"
    path.write_text(story("A chip nobody asked for", 2, related=(TITLES[3],)), encoding="utf-8")
    patched = patch(config, before, path)
    assert patched is not None
    full = model(config)
    assert full[0].by_slug["2021-03-01-s1"].related_slugs == (None,)
    assert_same(patched, before, full)


def test_a_new_excerpt_is_patched(make_site: MakeSite) -> None:
    site, config = base_site(make_site)
    before = model(config)
    path = site / "content/2021-03-04-s4.md"
    path.write_text(story(TITLES[4], 4, related=(TITLES[5],), excerpt="Shirts & <ties>"),
                    encoding="utf-8")
    patched = patch(config, before, path)
    assert patched is not None
    assert_same(patched, before, model(config))
    assert {p.kind for p in patched.touched} >= {"article", "home", "topic", "feed", "api-news"}


def test_edits_that_move_the_site_are_declined(make_site: MakeSite) -> None:
    site, config = base_site(make_site)
    before = model(config)
    path = site / "content/2021-03-03-s3.md"
    original = path.read_text(encoding="utf-8")
    for changed in (story(TITLES[3], 3, topics="[AI]"),     # topics
                    story(TITLES[3], 4),                   # date
                    "---\ntitle: [broken\n---\n"):         # the story leaves the site
        path.write_text(changed, encoding="utf-8")
        assert patch(config, before, path) is None
    path.write_text(original, encoding="utf-8")
    added = site / "content/2021-03-09-s9.md"
    added.write_text(story("Something new", 9), encoding="utf-8")
    assert patch(config, before, added) is None


def test_an_edit_that_splits_an_event_is_patched(make_site: MakeSite) -> None:
    same = "https://wire.example/ibm-exits"
    site = make_site({
        "content/2021-03-01-a.md": story("IBM exits the face recognition business", 1, url=same),
        "content/2021-03-02-b.md": story("IBM exits face recognition business", 2,
                                         url=same + "?utm=x"),
        "content/2021-03-03-c.md": story("Drones deliver medicine", 3),
    })
    config, _ = load_config(site, output=site.parent / "out")
    before = model(config)
    assert len(before[0].members[before[0].by_slug["2021-03-01-a"].cluster]) == 2
    path = site / "content/2021-03-02-b.md"
    path.write_text(story("Gardening tips for spring", 2, url="https://other.example/g"),
                    encoding="utf-8")
    patched = patch(config, before, path)
    assert patched is not None
    full = model(config)
    assert len(full[0].members) == 3
    assert_same(patched, before, full)
    path.write_text(story("IBM exits face recognition business", 2, url=same + "?utm=x"),
                    encoding="utf-8")  # and joins it again
    again = patch(config, full, path)
    assert again is not None
    assert_same(again, full, before)


def test_stories_of_one_web_url_are_patched_until_the_address_is_shared_otherwise(
        make_site: MakeSite) -> None:
    """An event of a story in two files (one webUrl) and another: its coverage names the
    address once. An edit elsewhere in it is patched; one that makes a story share its
    webUrl, or stop sharing it, is declined (cards and coverage may name others)."""
    same = "https://wire.example/ibm-exits"
    site = make_site({
        "content/2021-03-01-a.md": story("IBM exits the face recognition business", 1, url=same),
        "content/2021-03-01-copy.md": story("IBM exits the face recognition business", 1,
                                            url=same + "/?utm_source=rss"),
        "content/2021-03-02-b.md": story("IBM exits face recognition business", 2,
                                         url=same + "?utm=x"),
        "content/2021-03-03-c.md": story("Drones deliver medicine", 3),
    })
    config, _ = load_config(site, output=site.parent / "out")
    before = model(config)
    assert before[0].by_slug["2021-03-02-b"].coverage == ("2021-03-01-a",)
    path = site / "content/2021-03-02-b.md"
    path.write_text(story("IBM exits face recognition business", 2, url=same + "?utm=x",
                          excerpt="A new excerpt"), encoding="utf-8")
    patched = patch(config, before, path)
    assert patched is not None
    full = model(config)
    assert_same(patched, before, full)
    copy = site / "content/2021-03-01-copy.md"
    original = copy.read_text(encoding="utf-8")
    copy.write_text(story("IBM exits the face recognition business", 1,
                          url="https://other.example/ibm"), encoding="utf-8")
    assert patch(config, full, copy) is None
    copy.write_text(original, encoding="utf-8")
    path.write_text(story("IBM exits face recognition business", 2, url=same),
                    encoding="utf-8")
    assert patch(config, full, path) is None
    path.write_text(story("IBM exits face recognition business", 2, url=same + "?p=2"),
                    encoding="utf-8")  # (another address of its own: patched)
    patched = patch(config, full, path)
    assert patched is not None
    assert_same(patched, full, model(config))


def test_an_event_split_patches_a_sitemap_split_in_files(make_site: MakeSite,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``SITEMAP_LIMIT`` URLs a part of the sitemap is cut into files: a patch that
    plans listings again plans every sitemap file again, as a full model does."""
    monkeypatch.setattr(pages_module, "SITEMAP_LIMIT", 4)
    same = "https://wire.example/ibm-exits"
    files: dict[str, str | bytes] = {
        f"content/2021-03-{day:02d}-s{day}.md": story(TITLES[day % len(TITLES)], day)
        for day in range(3, 9)}
    files["content/2021-03-01-a.md"] = story("IBM exits the face recognition business", 1,
                                             url=same)
    files["content/2021-03-02-b.md"] = story("IBM exits face recognition business", 2,
                                             url=same + "?utm=x")
    site = make_site(files)
    config, _ = load_config(site, output=site.parent / "out")
    before = model(config)
    sitemaps = [p.path for p in before[1] if p.kind.startswith("sitemap")]
    assert sitemaps[0] == "sitemap.xml" and "sitemap-news-2021-03.2.xml" in sitemaps
    assert len(sitemaps) >= 4
    path = site / "content/2021-03-02-b.md"
    path.write_text(story("Gardening tips for spring", 2, url="https://other.example/g"),
                    encoding="utf-8")
    patched = patch(config, before, path)
    assert patched is not None
    assert_same(patched, before, model(config))


def test_a_title_edit_with_body_files_around_is_declined(make_site: MakeSite) -> None:
    site, config = base_site(make_site)
    (site / "content/2021-03-02-body.txt").write_text(f"{TITLES[2]}\n\nThe body.\n",
                                                      encoding="utf-8")
    before = model(config)
    path = site / "content/2021-03-05-s5.md"
    path.write_text(story("Something else entirely", 5), encoding="utf-8")
    assert patch(config, before, path) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 6), st.sampled_from(TITLES),
                          st.sampled_from(("", "Robots", "chips and vision"))),
                min_size=1, max_size=4))
def test_any_sequence_of_title_and_excerpt_edits_equals_a_full_model(
        edits: list[tuple[int, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        (site / "content").mkdir(parents=True)
        for day in range(1, 7):
            (site / f"content/2021-03-{day:02d}-s{day}.md").write_text(
                story(TITLES[day % len(TITLES)], day,
                      related=(TITLES[(day + 1) % len(TITLES)], TITLES[(day + 3) % 6])),
                encoding="utf-8")
        config, _ = load_config(site, output=Path(folder) / "out")
        before = model(config)
        index: PatchIndex | None = None
        for day, title, excerpt in edits:  # each patch builds on the last (as the server does)
            path = site / f"content/2021-03-{day:02d}-s{day}.md"
            path.write_text(story(title, day, excerpt=excerpt,
                                  related=(TITLES[(day + 2) % 6],)), encoding="utf-8")
            patched = patch(config, before, path, index=index)
            full = model(config)
            if patched is None:
                before, index = full, None
                continue
            assert_same(patched, before, full)
            assert patched.index == index_site(patched.site)
            before, index = (patched.site, patched.pages, patched.fingerprints), patched.index


@pytest.mark.parametrize("sitemap_limit", [50_000, 4])
def test_the_listing_pages_are_every_page_but_the_articles(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, sitemap_limit: int) -> None:
    """``plan_listing_pages`` (an incremental build plans the article pages apart, in a
    child) gives every other page of ``plan_pages``, the sitemap listing the articles."""
    monkeypatch.setattr(pages_module, "SITEMAP_LIMIT", sitemap_limit)
    root = make_site({f"content/s{day}.md": story(title, day, topics="[AI, Robotics]"
                                                  if day % 2 else "[Vision]")
                      for day, title in enumerate(TITLES, start=1)})
    config, _ = load_config(root)
    site, _ = site_for(config)
    everything = plan_pages(site)
    listings = pages_module.plan_listing_pages(site)
    assert listings == [page for page in everything if page.kind != "article"]
    assert sum(len(p.links) for p in listings if p.kind == "sitemap") > len(site.articles)
