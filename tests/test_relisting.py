"""A fresh build after an edit fingerprints only the listing pages that can have changed.

``relisting`` picks them when the layout is the last build's. Each test builds, edits,
builds again and checks the two things that must hold: the output equals a clean
build's, and every fingerprint the build recorded equals the one a full model gives
(a stale one would let a later build skip a page that changed).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import build as build_module
from generator import cluster_parallel
from generator.build import BuildReport, build, site_for
from generator.config import load_config
from generator.events import regrouped_stories
from generator.fingerprints import page_fingerprints
from generator.manifest import cache_path, load_manifest
from generator.model import lay_out, place_stories
from generator.pages import plan_pages
from generator.relisting import listing_layout, unevented_layout
from generator.theme import template_digests
from tests.conftest import MakeSite
from tests.test_model_patch import story

SAME = "https://wire.example/ibm-exits"
OTHER = "https://wire.example/chips-shortage"
FILLERS = {1: "Regulators fine a bank over chatbots", 2: "Volcano sensors learn to listen",
           3: "A startup prints houses with robots", 4: "Whales tracked from orbit",
           5: "Chess engines meet poetry", 6: "Hospitals test triage software",
           7: "Farm drones count sheep at dawn", 8: "Libraries digitise old maps",
           9: "Trains schedule themselves in Osaka", 10: "Bees counted by cameras",
           11: "Courts weigh robot testimony"}
TITLES = ("Robots learn to fold laundry", "IBM exits the face recognition business",
          "A new chip for vision models", "Drones deliver medicine in Ghana",
          "IBM exits face recognition business", "Chip makers race for vision")


RELATED = {5: (("Someone else's title", "https://news.example/3"),),  # s3, by address
           6: ((TITLES[1], "https://elsewhere.example/x"),),  # a, by title
           8: (("Wire copy", SAME),),  # a, by address
           9: (("Bakers win a bread contest", "https://elsewhere.example/y"),)}  # none yet
"""The related[] entries of some stories, each resolving to one of ours."""


def make_files() -> dict[str, str | bytes]:
    """Nine stories in three topics, two of them one event (the same wire story), pages
    of two cards, so that events and pagination show on the listings."""
    files: dict[str, str | bytes] = {
        f"content/2021-03-{day:02d}-s{day}.md": story(
            TITLES[day % len(TITLES)], day,
            topics=("[AI, Robotics]", "[Vision]", "[AI]")[day % 3],
            related=RELATED.get(day, ()))
        for day in range(3, 10)}
    files["content/2021-03-01-a.md"] = story(TITLES[1], 1, url=SAME)
    files["content/2021-03-02-b.md"] = story(TITLES[4], 2, topics="[Vision]", url=SAME + "?utm=x")
    files["digest.yaml"] = "page_size: 2\nhome_size: 3\nfeed_size: 3\n"
    return files


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(site: Path, output: Path) -> BuildReport:
    config, problems = load_config(site, output=output)
    assert not problems
    return build(config)


def check(site: Path, out: Path, scratch: Path) -> None:
    """The output is a clean build's, and so is every fingerprint recorded."""
    fresh = scratch / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh / "site", ignore=shutil.ignore_patterns(".digest-cache"))
    run(fresh / "site", fresh / "out")
    assert tree(out) == tree(fresh / "out")
    config, _ = load_config(site, output=out)
    model, _ = site_for(config)
    pages = plan_pages(model)
    expected = page_fingerprints(model, pages, template_digests(site))
    recorded = {rel: fp for rel, (fp, _digest) in load_manifest(cache_path(site, out)).pages.items()
                if not fp.startswith("asset:")}
    assert recorded == expected


def spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """What each call of ``build.<name>`` returned."""
    found: list[Any] = []
    real = getattr(build_module, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        found.append(result := real(*args, **kwargs))
        return result

    monkeypatch.setattr(build_module, name, recorded)
    return found


@pytest.fixture
def rearticled(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What each build's ``rearticled`` gave, the events made by a child even on these
    small sites (``rearticled`` needs to know whose computed related stories changed)."""
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    return spy(monkeypatch, "rearticled")


@pytest.fixture
def relisted(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What each build's ``relisting`` gave (None: it fingerprinted every page)."""
    return spy(monkeypatch, "relisting")


def built_in(root: Path) -> Path:
    """The site of ``make_files`` in ``root``/site, built once into ``root``/out."""
    site = root / "site"
    for rel, text in make_files().items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(str(text), encoding="utf-8")
    run(site, root / "out")
    return site


def built(make_site: MakeSite, tmp_path: Path) -> tuple[Path, Path]:
    """The site of ``make_files``, built once: (site, output)."""
    site = make_site(make_files())
    run(site, tmp_path / "out")
    return site, tmp_path / "out"


def test_an_excerpt_edit_fingerprints_only_the_pages_listing_its_event(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    site, out = built(make_site, tmp_path)
    (site / "content/2021-03-01-a.md").write_text(
        story(TITLES[1], 1, url=SAME, excerpt="A new excerpt"), encoding="utf-8")
    run(site, out)
    assert relisted[-1] is not None
    pages = [page for page in relisted[-1].pages if page.kind != "article"]  # (the build adds
    # the articles to render to the list)
    assert pages[0].kind == "home"
    # the event's other story, in Vision only, is listed there: its card shows the edit
    assert any(page.kind == "topic" and page.topic is not None
               and page.topic.ref.name == "Vision"
               and "2021-03-02-b" in {a.slug for a in page.articles} for page in pages)
    config, _ = load_config(site, output=out)
    model, _ = site_for(config)
    listing = [p for p in plan_pages(model) if p.kind != "article"]
    assert len(pages) < len(listing) / 2
    check(site, out, tmp_path)


def test_an_edit_that_splits_an_event_equals_a_clean_build(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    site, out = built(make_site, tmp_path)
    path = site / "content/2021-03-02-b.md"
    path.write_text(story("Gardening tips for spring", 2, topics="[Vision]",
                          url="https://other.example/g"), encoding="utf-8")
    run(site, out)
    check(site, out, tmp_path)
    path.write_text(story(TITLES[4], 2, topics="[Vision]", url=SAME + "?utm=x"),
                    encoding="utf-8")  # and joins it again
    run(site, out)
    check(site, out, tmp_path)
    assert len(relisted) == 2


def one_event_files(a_topics: str, b_topics: str) -> dict[str, str | bytes]:
    """Three stories in Robotics and two of one event, a (2021-03-01) and b (03-02), in
    the topics given."""
    files: dict[str, str | bytes] = {
        f"content/2021-03-{day:02d}-s{day}.md": story(title, day, topics="[Robotics]")
        for day, title in ((3, "Drones deliver medicine in Ghana"),
                           (4, "Robots learn to fold laundry"),
                           (5, "Bakers win a bread contest"))}
    files["content/2021-03-01-a.md"] = story(TITLES[1], 1, topics=a_topics, url=SAME)
    files["content/2021-03-02-b.md"] = story(TITLES[4], 2, topics=b_topics, url=SAME + "?x")
    return files


def test_a_split_that_keeps_every_topic_laid_out_relists_the_other_story(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """Its two stories in two topics, one card each there before and after: the story
    not read again is listed anew because its card no longer shows the other."""
    site = make_site(one_event_files("[AI]", "[Vision]"))
    out = tmp_path / "out"
    run(site, out)
    config, _ = load_config(site, output=out)
    assert site_for(config)[0].by_slug["2021-03-01-a"].coverage == ("2021-03-02-b",)
    (site / "content/2021-03-02-b.md").write_text(
        story("Gardening tips for spring", 2, topics="[Vision]", url="https://other.example/g"),
        encoding="utf-8")
    run(site, out)
    assert relisted[-1] is not None
    listed = {a.slug for page in relisted[-1].pages if page.kind == "topic"
              for a in page.articles}
    assert listed == {"2021-03-01-a", "2021-03-02-b"}  # (a: in AI only, not read)
    check(site, out, tmp_path)


@pytest.mark.parametrize(("pagination", "robotics", "appearing"), [
    ("newest-first", 3, "page/3"), ("stable", 4, "page/2")])
def test_a_split_that_lays_a_topic_out_anew_relists_its_pages_and_the_sitemap(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any], pagination: str,
        robotics: int, appearing: str) -> None:
    """Two stories of one event in one topic, one card there: split, they take two cards
    and the topic a page more (its third numbered from the newest, with three other
    stories; its second numbered from the oldest, with four: see ``paginate``); joined
    again, that page is gone."""
    files = one_event_files("[Robotics]", "[Robotics, AI]")
    if robotics == 4:
        files["content/2021-03-06-s6.md"] = story("Whales sing in a new key", 6,
                                                  topics="[Robotics]")
    files["digest.yaml"] = f"page_size: 2\nhome_size: 3\nfeed_size: 3\npagination: {pagination}\n"
    site = make_site(files)
    out = tmp_path / "out"
    run(site, out)
    third = out / f"topics/robotics/{appearing}/index.html"
    assert not third.exists()
    path = site / "content/2021-03-02-b.md"
    path.write_text(story("Gardening tips for spring", 2, topics="[Robotics, AI]",
                          url="https://other.example/g"), encoding="utf-8")
    run(site, out)
    assert relisted[-1] is not None and set(relisted[-1].relaid) == {"Robotics"}
    kinds = {page.kind for page in relisted[-1].pages}
    assert "sitemap" in kinds
    assert "topic" in kinds
    assert third.exists()
    check(site, out, tmp_path)
    path.write_text(story(TITLES[4], 2, topics="[Robotics, AI]", url=SAME + "?x"),
                    encoding="utf-8")
    run(site, out)
    assert relisted[-1] is not None and set(relisted[-1].relaid) == {"Robotics"}
    assert not third.exists()
    check(site, out, tmp_path)


def test_an_edit_that_moves_a_story_fingerprints_every_page(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    site, out = built(make_site, tmp_path)
    path = site / "content/2021-03-05-s5.md"
    for text in (story(TITLES[5], 5, topics="[Robotics]"),  # new topics
                 story(TITLES[5], 11, topics="[Robotics]")):  # a new date
        path.write_text(text, encoding="utf-8")
        run(site, out)
        check(site, out, tmp_path)
    assert relisted == []  # (the layout differed: relisting was not asked)


def test_with_an_events_child_only_the_articles_that_can_differ_are_fingerprinted(
        make_site: MakeSite, tmp_path: Path, rearticled: list[Any]) -> None:
    site, out = built(make_site, tmp_path)
    (site / "content/2021-03-03-s3.md").write_text(
        story(TITLES[3], 3, excerpt="Another excerpt"), encoding="utf-8")
    run(site, out)
    assert rearticled[-1] is not None
    slugs = {a.slug for a in rearticled[-1]}
    assert {"2021-03-03-s3", "2021-03-05-s5"} <= slugs  # (s5 lists s3 in related[])
    assert len(slugs) < 9
    check(site, out, tmp_path)


@pytest.mark.parametrize("title", ["Bakers win a bread contest", TITLES[4]])
def test_a_new_title_refingerprints_the_articles_whose_related_entries_it_moves(
        make_site: MakeSite, tmp_path: Path, rearticled: list[Any], title: str) -> None:
    """s6 lists story a by its title: a new title for a, or a's title for b (which comes
    later), resolves it otherwise."""
    site, out = built(make_site, tmp_path)
    name, day, topics, url = ("2021-03-01-a.md", 1, "[AI, Robotics]", SAME) \
        if title != TITLES[4] else ("2021-03-02-b.md", 2, "[Vision]", SAME + "?utm=x")
    (site / "content" / name).write_text(
        story(title if title != TITLES[4] else TITLES[1], day, topics=topics, url=url),
        encoding="utf-8")
    run(site, out)
    check(site, out, tmp_path)


def test_a_story_taking_a_title_listed_in_related_refingerprints_the_article_listing_it(
        make_site: MakeSite, tmp_path: Path, rearticled: list[Any]) -> None:
    """s9 lists a title no story has; once s3 takes it, s9's page links to s3's (six days
    apart, the two are never joined in an event)."""
    site, out = built(make_site, tmp_path)
    (site / "content/2021-03-03-s3.md").write_text(
        story("Bakers win a bread contest", 3), encoding="utf-8")
    run(site, out)
    assert rearticled[-1] is not None
    assert "2021-03-09-s9" in {a.slug for a in rearticled[-1]}
    assert 'href="/news/2021-03-03-s3/"' in (out / "news/2021-03-09-s9/index.html").read_text()
    check(site, out, tmp_path)


def test_a_copy_of_a_story_coming_and_going_equals_a_clean_build(
        make_site: MakeSite, tmp_path: Path, rearticled: list[Any],
        relisted: list[Any]) -> None:
    """A second file with a's webUrl joins a's event, which names the address once: the
    copy's card and its coverage are hidden where a is listed, and the copy's own page
    still shows the event's others. Each build after a change equals a clean one."""
    site, out = built(make_site, tmp_path)
    copy = site / "content/2021-03-01-copy.md"

    def warned() -> list[str]:
        report = run(site, out)
        check(site, out, tmp_path)
        return [d.file for d in report.warnings]

    copy.write_text(story(TITLES[1], 1, topics="[AI]", url=SAME + "/?utm_source=rss"),
                    encoding="utf-8")
    assert warned() == ["content/2021-03-01-copy.md"]
    config, _ = load_config(site, output=out)
    model = site_for(config)[0]
    coverage = {slug: model.by_slug[slug].coverage for slug in
                model.members[model.by_slug["2021-03-01-a"].cluster]}
    assert coverage["2021-03-02-b"] == ("2021-03-01-a", "2021-03-04-s4")
    assert coverage["2021-03-01-a"] == coverage["2021-03-01-copy"] == (
        "2021-03-02-b", "2021-03-04-s4")
    (site / "content/2021-03-02-b.md").write_text(  # (the copy's page shows b)
        story(TITLES[4], 2, topics="[Vision]", url=SAME + "?utm=x", excerpt="New"),
        encoding="utf-8")
    assert warned() == ["content/2021-03-01-copy.md"]
    assert relisted[-1] is not None and rearticled[-1] is not None
    assert "2021-03-01-copy" in {a.slug for a in rearticled[-1]}
    for url in ("https://other.example/ibm", SAME, ""):  # (its own address, a's, its own)
        copy.write_text(story(TITLES[1], 1, topics="[AI]", url=url), encoding="utf-8")
        assert warned() == (["content/2021-03-01-copy.md"] if url == SAME else [])
    copy.write_text(story(TITLES[1], 1, topics="[AI]", url=SAME), encoding="utf-8")
    assert warned() == ["content/2021-03-01-copy.md"]
    copy.unlink()
    assert warned() == []


def test_the_newest_story_hidden_as_a_copy_relists_the_sitemap(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """The newest story, in no topic, takes the address of an older one of its event: the
    home page's card no longer lists it, so the home page's time in the sitemap is the
    older story's, though no topic is laid out anew."""
    site = make_site({"content/2021-03-01-a.md": story(TITLES[1], 1, topics="[AI]", url=SAME),
                      "content/2021-03-01-c.md": story(TITLES[0], 1, topics="[Robots]")})
    out = tmp_path / "out"
    copy = site / "content/2021-03-02-copy.md"
    for url in ("https://other.example/ibm", SAME, "https://other.example/ibm"):
        copy.write_text(story(TITLES[4], 2, topics="[]", url=url), encoding="utf-8")
        run(site, out)
        check(site, out, tmp_path)
    assert len(relisted) == 2 and all(r is not None and not r.relaid for r in relisted)
    copy.write_text(story(TITLES[4], 2, topics="[]", url=SAME), encoding="utf-8")
    run(site, out)
    check(site, out, tmp_path)
    copy.write_text(story(TITLES[4], 2, topics="[]", url=SAME).replace(  # (it leads now,
        "\n---\nBody.", "\nquality: 9\n---\nBody."), encoding="utf-8")  # a is the copy)
    run(site, out)
    check(site, out, tmp_path)
    assert relisted[-1] is not None and not relisted[-1].relaid


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(("a", "b", "copy", "s4")),
                          st.sampled_from((None, SAME, SAME + "/?utm_source=rss",
                                           SAME + "?utm=x")),
                          st.sampled_from(("", "Robots", "lead"))),
                min_size=1, max_size=4),
       st.booleans())
def test_any_sequence_of_stories_coming_to_share_an_address_equals_a_clean_build(
        edits: list[tuple[str, str | None, str]], child: bool) -> None:
    """Stories of an event (a, b, a copy of a that comes and goes, s4) take one another's
    address or one of their own (None: the copy goes), new excerpts, or the lead of their
    event (the highest quality)."""
    with tempfile.TemporaryDirectory() as folder, \
            mock.patch.object(cluster_parallel, "MIN_SPLIT_ITEMS", 1 if child else 3000):
        root = Path(folder)
        site = built_in(root)
        for name, url, excerpt in edits:
            title, day, topics = {"a": (TITLES[1], 1, "[AI, Robotics]"),
                                  "b": (TITLES[4], 2, "[Vision]"),
                                  "copy": (TITLES[1], 1, "[AI]"),
                                  "s4": (TITLES[4], 4, "[Vision]")}[name]
            path = site / "content" / f"2021-03-{day:02d}-{name}.md"
            if url is None and name == "copy":
                path.unlink(missing_ok=True)
            else:
                text = story(title, day, topics=topics, excerpt=excerpt,
                             url=url or "", related=RELATED.get(day, ()))
                path.write_text(text.replace("\n---\nBody.", "\nquality: 9\n---\nBody.")
                                if excerpt == "lead" else text, encoding="utf-8")
            run(site, root / "out")
            check(site, root / "out", root)


def test_changed_events_name_their_members_before_and_after() -> None:
    before = {"e1": ("a", "b", "c"), "e2": ("d",), "e3": ("f",)}
    after = {"e1": ("a",), "e4": ("b", "c"), "e2": ("d",)}
    assert regrouped_stories(after, before) == {"a", "b", "c", "f"}
    assert regrouped_stories(before, before) == set()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from((1, 2, 3, 4, 5, 7)), st.sampled_from(TITLES),
                          st.sampled_from(("", "Robots", "chips and vision")),
                          st.booleans()),
                min_size=1, max_size=4),
       st.booleans())
def test_any_sequence_of_title_and_excerpt_edits_equals_a_clean_build(
        edits: list[tuple[int, str, str, bool]], child: bool) -> None:
    with tempfile.TemporaryDirectory() as folder, \
            mock.patch.object(cluster_parallel, "MIN_SPLIT_ITEMS", 1 if child else 3000):
        root = Path(folder)
        site = built_in(root)
        for day, title, excerpt, wire in edits:
            name = {1: "2021-03-01-a.md", 2: "2021-03-02-b.md"}.get(
                day, f"2021-03-{day:02d}-s{day}.md")
            topics = "[Vision]" if day == 2 else ("[AI, Robotics]", "[Vision]", "[AI]")[day % 3] \
                if day > 2 else "[AI, Robotics]"
            (site / "content" / name).write_text(
                story(title, day, topics=topics, excerpt=excerpt,
                      url=SAME + f"?d={day}" if wire else "", related=RELATED.get(day, ())),
                encoding="utf-8")
            run(site, root / "out")
            check(site, root / "out", root)


def test_the_layout_made_before_the_events_is_the_sites(sample_site: Path) -> None:
    """A build with an events child records the layout of the site laid out before its
    events (``unevented_layout``), one without records the site's: the same hash."""
    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    summaries = [a.summary for a in site.articles] + [a.body_file for a in site.articles
                                                      if a.body_file is not None]
    laid = lay_out(config, place_stories(summaries))
    assert [head[1] for head in laid.heads] == [a.slug for a in site.articles]
    assert unevented_layout(laid) == listing_layout(site)


def test_an_added_story_relists_every_list_it_joins_and_the_counting_pages(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any],
        rearticled: list[Any]) -> None:
    """Eleven stories in pages of two: the list of every story (the site's feeds and API
    pages) and its topic's lists move, and so do the pages counting the topics' stories;
    the other topics' pages keep their fingerprints, and so do the articles that do not
    show the new story."""
    site, out = built(make_site, tmp_path)
    (site / "content/2021-03-10-s10.md").write_text(
        story("Farmers test a weeding robot", 10, topics="[Robotics]"), encoding="utf-8")
    run(site, out)
    moved = relisted[-1].moved
    assert moved is not None and moved.topics == {"Robotics"} and moved.gone == ()
    kinds = {page.kind for page in relisted[-1].pages}
    assert {"home", "topics", "404", "api-topics", "sitemap", "feed", "api-news"} <= kinds
    assert not any(page.topic is not None and page.topic.ref.name == "Vision"
                   and page.kind == "topic" for page in relisted[-1].pages)
    assert "2021-03-10-s10" in {a.slug for a in rearticled[-1]}
    assert len(rearticled[-1]) < 10
    check(site, out, tmp_path)



def test_a_story_of_an_address_coming_moves_its_card_and_the_pages_past_it(
        make_site: MakeSite, tmp_path: Path) -> None:
    """Pages of one card. Stories of one address make one card, which shows one of them
    (here the earliest) where the newest stands: days 1 and 8 of one address, a card at
    day 8's place showing day 1's story; days 3 and 5 of another, at day 5's. A third
    story of the second address, the newest, moves its card to the first page, and the
    pages of the cards between day 5 and the first page move by one. A page's place in
    its list is the newest story its cards stand for, shown or not: taken from the story
    it shows, day 8's page seemed older than the stories that moved, and the pages past it
    were kept as the last build had them (found by fuzzing)."""
    files: dict[str, str | bytes] = {
        f"content/2021-03-{day:02d}-s{day}.md": story(FILLERS[day],
                                                      day, topics="[AI]")
        for day in (2, 4, 6, 7, 8, 10)}
    for day, url in ((1, SAME), (9, SAME + "/?utm_source=rss"), (3, OTHER),
                     (5, OTHER + "/?utm_source=mail")):
        files[f"content/2021-03-{day:02d}-wire.md"] = story(
            FILLERS[day], day, topics="[AI]", url=url)
    files["digest.yaml"] = "page_size: 1\nhome_size: 3\nfeed_size: 3\n"
    site = make_site(files)
    out = tmp_path / "out"
    run(site, out)
    newest = site / "content/2021-03-11-newest.md"
    newest.write_text(story(FILLERS[11], 11, topics="[AI]", url=OTHER + "/?utm_source=x"),
                      encoding="utf-8")
    run(site, out)
    check(site, out, tmp_path)
    newest.unlink()
    run(site, out)
    check(site, out, tmp_path)


def sitemaps_relisted(relisted: Any) -> set[str]:
    return {page.path for page in relisted.pages if page.kind.startswith("sitemap")}


def test_stories_coming_and_going_relist_the_sitemap_parts_they_are_in(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """An added story plans its month's part of the sitemap, its topics', the first part
    and the index again, and no other; a story of a new month adds that month's part,
    which goes with it (and its file with it)."""
    site, out = built(make_site, tmp_path)
    added = site / "content/2021-03-10-s10.md"
    added.write_text(story("Farmers test a weeding robot", 10, topics="[Robotics]"),
                     encoding="utf-8")
    run(site, out)
    assert sitemaps_relisted(relisted[-1]) == {
        "sitemap.xml", "sitemap-pages.xml", "sitemap-topic-robotics.xml",
        "sitemap-news-2021-03.xml"}
    check(site, out, tmp_path)
    april = site / "content/2021-04-02-april.md"
    april.write_text(story("Drones map a flooded valley", 2, topics="[Vision]").replace(
        "2021-03-02T", "2021-04-02T"), encoding="utf-8")
    run(site, out)
    assert sitemaps_relisted(relisted[-1]) == {
        "sitemap.xml", "sitemap-pages.xml", "sitemap-topic-vision.xml",
        "sitemap-news-2021-04.xml"}
    assert "/sitemap-news-2021-04.xml</loc><lastmod>2021-04-02T10:00:00Z<" in (
        out / "sitemap.xml").read_text("utf-8")
    check(site, out, tmp_path)
    april.unlink()
    run(site, out)
    assert relisted[-1].moved is not None and ("news-2021-04", 0) in relisted[-1].sitemaps
    assert not (out / "sitemap-news-2021-04.xml").exists()
    check(site, out, tmp_path)


def api_pages_relisted(relisted: Any) -> set[str]:
    """The pages of the API's list of every story that a build fingerprinted again."""
    return {rel for page in relisted.pages if page.kind == "api-news"
            and ((rel := page.path.removeprefix("api/news/")) == "index.json"
                 or rel.startswith("page/"))}


def test_an_added_newest_story_leaves_the_older_pages_of_a_list_numbered_from_the_oldest(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """Nine stories in API pages of two: pages 1-3 and a first page of three. A tenth,
    the newest: pages 1-4 and a first page of two; page 4 is new, page 3 links it, and
    pages 1 and 2 are not fingerprinted again (see ``relisting._unsettled``)."""
    site, out = built(make_site, tmp_path)
    older = {n: (out / f"api/news/page/{n}/index.json").stat().st_mtime_ns for n in (1, 2)}
    (site / "content/2021-03-12-s12.md").write_text(
        story("Farmers test a weeding robot", 12, topics="[Robotics]"), encoding="utf-8")
    run(site, out)
    assert api_pages_relisted(relisted[-1]) == {"index.json", "page/4/index.json",
                                                "page/3/index.json"}
    assert {n: (out / f"api/news/page/{n}/index.json").stat().st_mtime_ns
            for n in (1, 2)} == older
    check(site, out, tmp_path)



def test_a_theme_s_own_topic_page_showing_the_counts_on_every_page_is_rendered_again(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """The default theme shows a topic's count and its number of pages on the first page
    only, so its older pages numbered from the oldest keep their fingerprints as stories
    are added; a site's own template may show them on every page, and then each page
    whose counts changed is rendered again (the build equals a clean one)."""
    files = make_files()
    files["digest.yaml"] = "page_size: 1\nhome_size: 3\nfeed_size: 3\n"  # (older pages
    # that a build with the default theme would leave as they are)
    files["templates/topic.html"] = (
        '{% extends "theme/topic.html" %}{% block main %}{{ super() }}'
        "<p>{{ page.pager.count }} pages, {{ page.topic.articles|length }} stories</p>"
        "{% endblock %}")
    site = make_site(files)
    out = tmp_path / "out"
    run(site, out)
    for day in (12, 13, 14):
        (site / f"content/2021-03-{day}-s{day}.md").write_text(
            story(f"Farmers test weeding robot {day}", day, topics="[AI, Robotics]",
                  url=f"https://farm.example/{day}"), encoding="utf-8")
        run(site, out)
        check(site, out, tmp_path)
    assert " stories</p>" in (out / "topics/ai/page/1/index.html").read_text()

def test_page_1_of_a_topic_of_one_page_numbered_from_the_oldest_sends_readers_to_it(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """Numbered from the oldest, a topic's ``page/1/`` is its oldest page. Vision has
    three cards in pages of two: one page, at the topic's own address, which is then its
    page 1 too, so ``page/1/`` sends readers there (as a list numbered from the newest
    does), while Robotics, of four, has a page 1 of its own. Two more stories give Vision
    an older page, which takes the redirect's place; those stories gone, the redirect is
    back. Each build equals a clean one."""
    site, out = built(make_site, tmp_path)
    first = out / "topics/vision/page/1/index.html"
    sends = 'content="0; url=/topics/vision/"'
    assert sends in first.read_text()
    assert "kind-topic" in (out / "topics/robotics/page/1/index.html").read_text()
    added = {site / f"content/2021-03-{day}-s{day}.md": story(title, day, topics="[Vision]")
             for day, title in ((10, "Cameras learn to read dials"),
                                (11, "Whales sing in a new key"))}
    for count, (path, text) in enumerate(added.items(), start=1):  # (one a build: two
        path.write_text(text, encoding="utf-8")  # would be fingerprinted in full)
        run(site, out)
        assert relisted[-1] is not None and "Vision" in relisted[-1].relaid
        assert (sends in first.read_text()) == (count == 1)
        check(site, out, tmp_path)
    assert "kind-topic" in first.read_text()
    for path in reversed(added):
        path.unlink()
        run(site, out)
        assert relisted[-1] is not None and "Vision" in relisted[-1].relaid
        assert sends in first.read_text()
        check(site, out, tmp_path)
    check(site, out, tmp_path)


@pytest.mark.parametrize("day", [1, 4, 8])
def test_a_story_added_or_gone_among_older_ones_moves_the_newer_pages_only(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any], day: int) -> None:
    """A story dated among the older ones moves every page newer than its own, and the
    build equals a clean one, whether it came or went (each story of ``make_files`` is one
    day, a and b two of one event)."""
    files = make_files()
    files["content/2021-03-10-s10.md"] = story("Bakers win a bread contest", 10)
    files["content/2021-03-11-s11.md"] = story("Whales sing in a new key", 11)
    site = make_site(files)
    out = tmp_path / "out"
    run(site, out)
    added = site / f"content/2021-03-{day:02d}-x.md"
    added.write_text(story("Farmers test a weeding robot", day, topics="[AI]",
                           url=SAME if day == 1 else f"https://farm.example/{day}"),
                      encoding="utf-8")
    run(site, out)
    assert relisted[-1] is not None and relisted[-1].moved is not None
    check(site, out, tmp_path)
    added.unlink()
    run(site, out)
    assert relisted[-1] is not None and relisted[-1].moved is not None
    check(site, out, tmp_path)

def test_a_story_in_no_topic_relists_the_sitemap(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    site, out = built(make_site, tmp_path)
    (site / "content/2021-03-10-s10.md").write_text(
        story("Farmers test a weeding robot", 10, topics="[]"), encoding="utf-8")
    run(site, out)
    moved = relisted[-1].moved
    assert moved is not None and moved.topics == set() and not relisted[-1].relaid
    assert "news/2021-03-10-s10/" in (out / "sitemap-news-2021-03.xml").read_text()
    assert "/sitemap-news-2021-03.xml</loc><lastmod>2021-03-10T10:00:00Z<" in (
        out / "sitemap.xml").read_text()
    check(site, out, tmp_path)


@pytest.mark.parametrize(("pagination", "stories", "last"), [
    ("newest-first", 9, "page/5"), ("stable", 8, "page/3")])
def test_a_deleted_story_drops_its_page_and_the_api_pages_past_the_new_last(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any], pagination: str,
        stories: int, last: str) -> None:
    """Nine stories, five API pages of two numbered from the newest; one story gone,
    four: the fifth goes, as does the story's page. Numbered from the oldest, eight
    stories have three pages of two besides the first, seven two: the third goes."""
    files = make_files()
    files["digest.yaml"] = f"{files['digest.yaml']}pagination: {pagination}\n"
    if stories == 8:
        del files["content/2021-03-07-s7.md"]
    site = make_site(files)
    out = tmp_path / "out"
    run(site, out)
    fifth = out / f"api/news/{last}/index.json"
    assert fifth.exists()
    (site / "content/2021-03-06-s6.md").unlink()
    run(site, out)
    moved = relisted[-1].moved
    assert moved is not None and moved.gone == ("news/2021-03-06-s6/index.html",)
    assert not fifth.exists()
    assert not (out / "news/2021-03-06-s6").exists()
    check(site, out, tmp_path)


def test_a_renamed_story_file_is_a_story_gone_and_one_come(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    site, out = built(make_site, tmp_path)
    (site / "content/2021-03-07-s7.md").rename(site / "content/2021-03-07-renamed.md")
    run(site, out)
    moved = relisted[-1].moved
    assert moved is not None and moved.gone == ("news/2021-03-07-s7/index.html",)
    check(site, out, tmp_path)


@pytest.mark.parametrize("change", ["new topic", "topic emptied", "slug taken", "reordered",
                                    "slug kept"])
def test_stories_coming_or_going_otherwise_fingerprint_every_page(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any], change: str) -> None:
    """A topic that comes or goes with a story, a story taking the slug of another (which
    takes a suffix), topics changing order: the layout is not the last build's but for
    those stories, and every page is fingerprinted. (A new story wanting a slug another
    keeps takes a suffix itself: nothing else moved.)"""
    files = make_files()
    files["content/2021-03-12-garden.md"] = story("Gardening tips for spring", 12,
                                                  topics="[Gardening]")
    site = make_site(files)
    out = tmp_path / "out"
    run(site, out)
    content = site / "content"
    if change == "new topic":
        (content / "2021-03-11-s11.md").write_text(
            story("Bees count flowers", 11, topics="[Biology]"), encoding="utf-8")
    elif change == "topic emptied":
        (content / "2021-03-12-garden.md").unlink()
    elif change in ("slug taken", "slug kept"):  # (the same time: the first source
        # path keeps the slug)
        folder = content / ("0" if change == "slug taken" else "more")
        folder.mkdir()
        (folder / "2021-03-05-s5.md").write_text(
            story("Another fifth", 5, topics="[AI]"), encoding="utf-8")
    else:  # Vision (3 stories) passes Robotics (4) with two more
        for day in (10, 11):
            (content / f"2021-03-{day}-s{day}.md").write_text(
                story(f"Cameras learn to see in fog ({day})", day, topics="[Vision]"),
                encoding="utf-8")
    run(site, out)
    assert (relisted == []) == (change != "slug kept")
    check(site, out, tmp_path)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), st.sampled_from((3, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
                          st.sampled_from(("[AI]", "[Vision]", "[AI, Robotics]", "[]"))),
                min_size=1, max_size=4),
       st.booleans())
def test_any_sequence_of_stories_added_and_deleted_equals_a_clean_build(
        changes: list[tuple[bool, int, str]], child: bool) -> None:
    """Add (True) a story on a day, or delete (False) the day's story, then build: the
    output and every fingerprint are a clean build's."""
    with tempfile.TemporaryDirectory() as folder, \
            mock.patch.object(cluster_parallel, "MIN_SPLIT_ITEMS", 1 if child else 3000):
        root = Path(folder)
        site = built_in(root)
        for add, day, topics in changes:
            path = site / "content" / f"2021-03-{day:02d}-s{day}.md"
            if add:
                path.write_text(story(TITLES[day % len(TITLES)] + f" ({day})", day,
                                      topics=topics), encoding="utf-8")
            else:
                path.unlink(missing_ok=True)
            run(site, root / "out")
            check(site, root / "out", root)


def test_stories_coming_to_and_leaving_a_month_relist_its_archive_page_and_index(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """The archive lists every story by month: a story in a new month adds that month's
    page and the index's line; deleting it takes both away; one story more in a month
    relists that month only. Each build relists (no fall-back to every page) and equals
    a clean one."""
    site, out = built(make_site, tmp_path)
    april = site / "content/2021-04-02-april.md"
    april.write_text(story("Spring robots", 2, topics="[AI]").replace("2021-03-02", "2021-04-02"),
                     encoding="utf-8")
    run(site, out)
    moved = relisted[-1].moved
    assert moved is not None and "archive/2021/04/index.html" in {
        page.path + "index.html" for page in relisted[-1].pages}
    assert (out / "archive/2021/04/index.html").exists()
    assert "/archive/2021/04/" in (out / "archive/index.html").read_text("utf-8")
    check(site, out, tmp_path)
    march = (out / "archive/2021/03/index.html").read_bytes()
    (site / "content/2021-03-10-s10.md").write_text(story("Farmers test a robot", 10),
                                                    encoding="utf-8")
    run(site, out)
    relisted_paths = {page.path for page in relisted[-1].pages}
    assert "archive/2021/03/" in relisted_paths and "archive/2021/04/" not in relisted_paths
    assert b"Farmers test a robot" in (out / "archive/2021/03/index.html").read_bytes() != march
    check(site, out, tmp_path)
    april.unlink()
    run(site, out)
    moved = relisted[-1].moved
    assert moved is not None and "archive/2021/04/index.html" in moved.gone
    assert not (out / "archive/2021/04").exists()
    assert "/archive/2021/04/" not in (out / "archive/index.html").read_text("utf-8")
    check(site, out, tmp_path)


def test_an_edited_title_relists_its_archive_month(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    site, out = built(make_site, tmp_path)
    path = site / "content/2021-03-06-s6.md"
    path.write_text(path.read_text("utf-8").replace(TITLES[0], "Robots fold shirts now"),
                    encoding="utf-8")
    run(site, out)
    assert relisted[-1].moved is None
    assert "archive/2021/03/" in {page.path for page in relisted[-1].pages}
    assert "Robots fold shirts now" in (out / "archive/2021/03/index.html").read_text("utf-8")
    check(site, out, tmp_path)


def test_stories_coming_to_and_leaving_a_year_relist_its_page(
        make_site: MakeSite, tmp_path: Path, relisted: list[Any]) -> None:
    """Each year of the archive has a page counting its months' stories: a story of a new
    year adds it (and the archive's link to it), one more or one less in a year changes
    its counts, and deleting a year's last story takes its page away. Each build relists
    (no fall-back to every page) and equals a clean one."""
    site, out = built(make_site, tmp_path)
    year_2021, year_2022 = out / "archive/2021/index.html", out / "archive/2022/index.html"
    assert 'class="page-count">9 stories<' in year_2021.read_text("utf-8")
    assert not year_2022.exists()
    new_year = site / "content/2022-01-02-new-year.md"
    new_year.write_text(story("Robots ring in the year", 2, topics="[AI]").replace(
        "2021-03-02", "2022-01-02"), encoding="utf-8")
    run(site, out)
    assert relisted[-1].moved is not None
    assert "archive/2022/" in {page.path for page in relisted[-1].pages}
    assert '<a href="/archive/2022/01/">January</a> <span class="count">1 story</span>' \
        in year_2022.read_text("utf-8")
    assert '<a href="/archive/2022/">2022</a>' in (out / "archive/index.html").read_text("utf-8")
    check(site, out, tmp_path)
    april = site / "content/2021-04-02-april.md"
    april.write_text(story("Spring robots", 2, topics="[AI]").replace("2021-03-02", "2021-04-02"),
                     encoding="utf-8")
    run(site, out)
    assert relisted[-1].moved is not None
    text = year_2021.read_text("utf-8")
    assert 'class="page-count">10 stories<' in text and '>April</a> <span class="count">' \
        '1 story</span>' in text
    check(site, out, tmp_path)
    (site / "content/2021-03-06-s6.md").unlink()
    april.unlink()
    run(site, out)
    text = year_2021.read_text("utf-8")
    assert 'class="page-count">8 stories<' in text and "April" not in text
    check(site, out, tmp_path)
    new_year.unlink()
    run(site, out)
    moved = relisted[-1].moved
    assert moved is not None and {"archive/2022/index.html", "archive/2022/01/index.html"} \
        <= set(moved.gone)
    assert not (out / "archive/2022").exists()
    assert "/archive/2022/" not in (out / "archive/index.html").read_text("utf-8")
    check(site, out, tmp_path)
    assert len(relisted) == 4
