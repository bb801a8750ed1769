"""Events on the site: one card per event, other coverage in the sidebar, overrides.

The engine itself is tested in test_clusters.py and test_related.py; these tests
check what a reader sees of it in built pages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import build, site_for
from generator.cluster_report import describe_clusters
from generator.config import load_config
from tests.conftest import MakeSite
from tests.htmlread import listed_titles, parse_html, text_of

SEED_TITLES = {
    "IBM exists facial recognition business, calls for police reform",
    "IBM is canceling its facial recognition programs",
    "IBM quits facial recognition, joins call for police reforms | Charlotte Observer",
    "IBM will no longer develop or research facial recognition tech",
}


def build_into(site: Path) -> Path:
    config, problems = load_config(site, output=site / "out")
    assert not problems
    report = build(config)
    assert not report.errors
    return site / "out"


def cards(page: Path) -> list:  # type: ignore[type-arg]
    main = parse_html(page).find(".//main")
    assert main is not None
    return [card for card in main.iter("article") if "card" in card.get("class", "")]


def test_the_sample_shows_one_event_with_four_sources(sample_site: Path) -> None:
    out = build_into(sample_site)
    home = cards(out / "index.html")
    assert len(home) == 1
    coverage = [p for p in home[0].iter("p") if "coverage" in p.get("class", "")]
    assert len(coverage) == 1
    providers = [text_of(a) for a in coverage[0].iter("a")]
    headline = text_of(next(home[0].iter("h2")))
    assert len(providers) == 3 and headline in SEED_TITLES
    assert set(listed_titles(parse_html(out / "index.html"))) == SEED_TITLES
    lead_provider = next(s for s in home[0].iter("span") if "provider" in s.get("class", ""))
    assert {text_of(lead_provider), *providers} == {
        "The Jerusalem Post Blogs", "Local News 8", "Charlotte Observer", "Digital Trends"}


def test_article_sidebars_show_the_other_coverage_first(sample_site: Path) -> None:
    out = build_into(sample_site)
    for page in (out / "news").glob("*/index.html"):
        aside = next(a for a in parse_html(page).iter("aside") if "related" in a.get("class", ""))
        headings = [text_of(h) for h in aside.iter("h2")]
        assert headings[0] == "Also covered by", page
        first_list = next(aside.iter("ul"))
        titles = {text_of(a) for a in first_list.iter("a")}
        own = text_of(next(parse_html(page).iter("h1")))
        assert titles == SEED_TITLES - {own}, page


def test_each_topic_page_lists_each_of_its_stories_once(sample_site: Path) -> None:
    out = build_into(sample_site)
    for page in (out / "topics").glob("*/index.html"):
        titles = listed_titles(parse_html(page))
        assert len(titles) == len(set(titles)), page


STORY = """\
---
title: "{title}"
excerpt: "{excerpt}"
publishedDateTime: {date}
webUrl: "{url}"
provider:
  name: {provider}
topics:
  - AI
{extra}
---
"""


def story(title: str, excerpt: str, date: str, url: str, provider: str, extra: str = "") -> str:
    return STORY.format(title=title, excerpt=excerpt, date=date, url=url, provider=provider,
                        extra=extra)


def wire_pair(extra_a: str = "", extra_b: str = "", extra_c: str = "") -> dict[str, str | bytes]:
    text = ("Acme Robotics agreed to buy Zeta Vision for $2 billion, the companies said on "
            "Tuesday, creating the largest maker of warehouse robot cameras.")
    return {
        "content/a.md": story("Acme Robotics to buy Zeta Vision for $2 billion", text,
                              "2021-05-04T09:00:00Z", "https://wire.example/acme-zeta", "Wire",
                              extra_a),
        "content/b.md": story("Acme Robotics agrees $2 billion deal for Zeta Vision", text,
                              "2021-05-04T15:00:00Z",
                              "https://paper.example/acme-zeta?utm_source=feed", "Paper",
                              extra_b),
        "content/c.md": story("Weather drones map floods in Bavaria",
                              "Researchers flew drones over the Danube to map flooding.",
                              "2021-05-04T11:00:00Z", "https://science.example/drones",
                              "Science Daily", extra_c),
    }


def test_reprints_join_and_an_unrelated_story_stays_apart(make_site: MakeSite) -> None:
    site = make_site(wire_pair())
    model, _ = site_for(load_config(site)[0])
    sizes = sorted(len(c.members) for c in model.clusters)
    assert sizes == [1, 2]
    report = "\n".join(describe_clusters(model))
    assert "shared terms" in report
    assert report.endswith("\n1 event with more than one story; 1 story stands alone")
    # listing the stories that stand alone too does not count them as joined (it did)
    every = describe_clusters(model, include_single=True)
    assert every[-1] == "1 event with more than one story; 1 story stands alone"
    assert sum(" 1 story  " in line for line in every) == 1


def test_cluster_none_keeps_a_story_alone(make_site: MakeSite) -> None:
    site = make_site(wire_pair(extra_b="cluster: none"))
    model, _ = site_for(load_config(site)[0])
    assert sorted(len(c.members) for c in model.clusters) == [1, 1, 1]


def test_a_story_in_two_files_is_named_once_in_its_events_coverage(
        make_site: MakeSite) -> None:
    """The publisher's trial: a feed imported twice said "Also covered by Wire, Wire"."""
    files = wire_pair()
    files["content/import/a.md"] = files["content/a.md"]
    files["content/d.md"] = story("Acme Robotics buys Zeta Vision in $2 billion deal",
                                  "Acme Robotics agreed to buy Zeta Vision for $2 billion, the "
                                  "companies said on Tuesday, creating the largest maker of "
                                  "warehouse robot cameras.", "2021-05-04T18:00:00Z",
                                  "http://paper.example/acme-zeta/", "Paper again")  # (b's
    # address, but for a tracking parameter, the scheme and a trailing slash)
    site = make_site(files)
    out = build_into(site)
    model, _ = site_for(load_config(site)[0])
    [event] = [c for c in model.clusters if len(c.members) > 1]
    assert len(event.members) == 4  # (one event, as before: every copy has its page)
    by_file = {model.article(slug).summary.source: model.article(slug) for slug in event.members}
    assert {source: [model.article(s).summary.source for s in article.coverage]
            for source, article in by_file.items()} == {
        "content/a.md": ["content/b.md"], "content/import/a.md": ["content/b.md"],
        "content/b.md": ["content/a.md"], "content/d.md": ["content/a.md"]}
    [card] = [c for c in cards(out / "index.html") if "Acme" in text_of(c)]
    providers = [text_of(a) for p in card.iter("p") if "coverage" in p.get("class", "")
                 for a in p.iter("a")]
    lead = text_of(next(s for s in card.iter("span") if "provider" in s.get("class", "")))
    assert sorted([lead, *providers]) == ["Paper", "Wire"]
    for article in by_file.values():
        aside = next(a for a in parse_html(out / article.path / "index.html").iter("aside")
                     if "related" in a.get("class", ""))
        coverage = next(aside.iter("ul"))
        assert len(list(coverage.iter("a"))) == 1, article.path


def test_cluster_override_forces_stories_together(make_site: MakeSite) -> None:
    site = make_site(wire_pair(extra_b="cluster: acme-deal", extra_c="cluster: acme-deal"))
    model, _ = site_for(load_config(site)[0])
    joined = [c for c in model.clusters if len(c.members) > 1]
    assert len(joined) == 1 and joined[0].id == "acme-deal"
    assert {model.article(s).title for s in joined[0].members} == {
        "Acme Robotics agrees $2 billion deal for Zeta Vision",
        "Weather drones map floods in Bavaria"}


def test_a_copy_of_the_sample_clusters_the_same(sample_site: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(sample_site, other)
    first, _ = site_for(load_config(sample_site)[0])
    second, _ = site_for(load_config(other)[0])
    assert first.clusters == second.clusters


def test_api_stories_carry_their_event_and_the_report_lists_events(sample_site: Path) -> None:
    import json
    import subprocess
    import sys

    out = sample_site / "out"
    report_file = sample_site / "report.json"
    for _ in range(2):  # the second build changes nothing: its report still lists events
        done = subprocess.run([sys.executable, "-m", "generator", "build", "--source",
                               str(sample_site), "--output", str(out), "--report",
                               str(report_file)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        report = json.loads(report_file.read_text())
        assert len(report["clusters"]) == 1 and report["singleStories"] == 0
        assert len(report["clusters"][0]["stories"]) == 4
    api = json.loads((out / "api/news/index.json").read_text())
    events = {story["cluster"] for story in api["value"]}
    assert events == {report["clusters"][0]["id"]}


def test_the_clusters_command_shows_members_and_evidence(sample_site: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "generator", "clusters", "--source",
                           str(sample_site)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "4 stories" in done.stdout and done.stdout.count("joined:") == 3
    assert "shared terms: ibm" in done.stdout
    assert "1 event with more than one story;" in done.stdout
