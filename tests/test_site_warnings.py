"""What a build warns of about the site as a whole (generator.site_warnings)."""

from __future__ import annotations

from pathlib import Path

from generator.build import site_for
from generator.config import load_config
from generator.site_warnings import same_url_groups, shared_url_groups, slug_clashes
from tests.conftest import MakeSite

STORY = """\
---
title: {title}
publishedDateTime: 2021-03-0{day}T10:00:00Z
webUrl: {url}
topics: [Robotics]
---
Body.
"""


def site_of(make_site: MakeSite, *stories: tuple[str, str, str]) -> Path:
    """A site of ``(file, title, webUrl)`` stories, dated a day apart in that order."""
    return make_site({f"content/{name}": STORY.format(title=title, day=day, url=url)
                      for day, (name, title, url) in enumerate(stories, start=1)})


def test_the_newer_story_asking_for_a_taken_slug_is_named_with_the_one_that_has_it(
        make_site: MakeSite) -> None:
    site = site_of(make_site, ("a/2021-03-01-robots.md", "Robots", "https://a.example/1"),
                   ("b/2021-03-01-robots.md", "Robots", "https://b.example/2"))
    model, _ = site_for(load_config(site)[0])
    [clash] = slug_clashes(model)
    assert (clash.source, clash.wanted, clash.holder) == (
        "content/b/2021-03-01-robots.md", "2021-03-01-robots",
        "content/a/2021-03-01-robots.md")
    assert clash.slug != clash.wanted


def test_stories_sharing_a_web_url_are_grouped_with_the_line_of_each_url(
        make_site: MakeSite) -> None:
    site = site_of(make_site, ("2021-03-01-one.md", "One", "https://a.example/same"),
                   ("2021-03-02-two.md", "Two", "https://a.example/same"),
                   ("2021-03-03-three.md", "Three", "https://a.example/other"))
    config, _ = load_config(site)
    model, _ = site_for(config)
    assert [sorted(group) for group in same_url_groups(model)] == [
        ["content/2021-03-01-one.md", "content/2021-03-02-two.md"]]
    [shared] = shared_url_groups(config, model)
    assert sorted(shared.to_tuple()) == [("content/2021-03-01-one.md", "https://a.example/same", 4),
                                         ("content/2021-03-02-two.md", "https://a.example/same", 4)]
