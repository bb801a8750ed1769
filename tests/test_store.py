"""The story store: full stories for article pages, and their bodies rendered ahead."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.bodies import render_body
from generator.config import load_config
from generator.read import find_content_files
from generator.records import Story
from generator.store import StoryStore
from tests.conftest import MakeSite

STORY = """\
---
title: "Story {n}"
publishedDateTime: 2021-03-0{n}T10:00:00Z
webUrl: "https://news.example/s{n}"
topics: [AI]
---
Body of **story {n}**, with [a link](https://news.example/more).
"""


def _site(make_site: MakeSite) -> Path:
    files: dict[str, str | bytes] = {f"content/s{n}.md": STORY.format(n=n) for n in (1, 2, 3)}
    files["content/s4.md"] = STORY.format(n=4).split("Body of")[0]  # no body
    return make_site(files)


def _store_with_stories(site: Path) -> tuple[StoryStore, list[Story]]:
    config, _ = load_config(site, output=site.parent / "out")
    store = StoryStore(config, ZoneInfo(config.timezone))
    stories = []
    for path in find_content_files(config.content_dir):
        item = store.item(path.relative_to(site).as_posix())
        if isinstance(item, Story):
            stories.append(item)
    return store, stories


def test_bodies_rendered_ahead_are_served_as_rendered(make_site: MakeSite) -> None:
    store, stories = _store_with_stories(_site(make_site))
    with_body = [s for s in stories if s.body.strip()]
    assert len(with_body) == 3 and len(stories) == 4
    store.render_bodies()
    for story in with_body:
        first = store.body_html(story)
        assert first == render_body(story.body, story.body_format)
        assert store.body_html(story) is first  # kept, not rendered again


def test_a_body_other_than_the_one_rendered_ahead_is_rendered_itself(make_site: MakeSite) -> None:
    store, stories = _store_with_stories(_site(make_site))
    story = next(s for s in stories if s.body.strip())
    store.render_bodies()
    merged = replace(story, body=story.body + "\n\nA plain-text body merged in.")
    assert store.body_html(merged) == render_body(merged.body, merged.body_format)
    assert "merged in" in store.body_html(merged)


def test_without_rendering_ahead_bodies_are_rendered_on_demand(make_site: MakeSite) -> None:
    store, stories = _store_with_stories(_site(make_site))
    story = next(s for s in stories if s.body.strip())
    assert store.body_html(story) == render_body(story.body, story.body_format)
