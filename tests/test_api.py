"""generator.api: the JSON API read back like an app would: chains of pages that end,
every story of each topic exactly once and newest first, schema fields, no ``secured``."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.support.published import Published, publish

SCHEMA_KEYS = {"title", "publishedDateTime", "topics", "pageUrl"}


def read_chain(published: Published, first_url: str) -> list[dict[str, Any]]:
    """Every story of an API listing, following ``nextPage`` from its first page: numbered
    1, 2... from there (``newest-first``), or from the oldest page (``stable``: the first
    page is the last number, holding ``page_size`` to twice that less one stories, and
    every other page ``page_size``)."""
    stories: list[dict[str, Any]] = []
    size = published.site.config.page_size
    stable = published.site.config.pagination == "stable"
    url, expected_page = first_url, None
    folder = first_url.removesuffix("index.json")
    for _ in range(10_000):  # a chain that never ends fails below
        document = published.json(str(published.file_of(url).relative_to(published.output)))
        assert set(document) == {"page", "value", "nextPage"}
        count = len(document["value"])
        if expected_page is None:  # (the first page)
            expected_page = document["page"]
            assert expected_page == 1 or (stable and size <= count < 2 * size)
            assert count <= (2 * size - 1 if stable else size)
        else:
            assert document["page"] == expected_page
            assert count == size if stable else 0 < count <= size
        stories.extend(document["value"])
        if document["nextPage"] is None:
            assert expected_page == 1 or not stable  # (the oldest page ends the chain)
            return stories
        assert document["nextPage"] == expected_page + (-1 if stable else 1)
        expected_page = document["nextPage"]
        url = f"{folder}page/{expected_page}/index.json"
    pytest.fail(f"the nextPage chain from {first_url} does not end")


@pytest.fixture(params=["sample", "corpus", "corpus-newest-first"])
def published(request: pytest.FixtureRequest, tmp_path: Path) -> Published:
    name, _, pagination = request.param.partition("-")
    site: Path = request.getfixturevalue(f"{name}_site")
    return publish(site, tmp_path / "out", page_size=2 if name == "sample" else 7,
                   pagination=pagination or "stable")


def test_every_topic_lists_each_of_its_stories_once_newest_first(published: Published) -> None:
    topics = published.json("api/topics/index.json")
    assert topics["page"] == 1 and topics["nextPage"] is None
    model = {t.ref.slug: t for t in published.site.topics}
    assert [t["slug"] for t in topics["value"]] == list(model)
    for entry in topics["value"]:
        topic = model[entry["slug"]]
        stories = read_chain(published, entry["apiUrl"])
        urls = [s["pageUrl"] for s in stories]
        assert len(urls) == len(set(urls)) == entry["count"] == len(topic.articles)
        assert urls == [published.url_of(f"news/{slug}/") for slug in topic.articles]
        dates = [s["publishedDateTime"] for s in stories]
        assert dates == sorted(dates, reverse=True)
        assert all(topic.ref.name in s["topics"] for s in stories)
        assert published.file_of(entry["pageUrl"]).is_file()
        for url in entry["feeds"].values():
            assert published.file_of(url).is_file()


def test_the_whole_site_listing_has_every_story(published: Published) -> None:
    stories = read_chain(published, published.url_of("api/news/index.json"))
    assert [s["pageUrl"] for s in stories] == [
        published.url_of(a.path) for a in published.site.articles]
    for story in stories:
        assert set(story) >= SCHEMA_KEYS
        assert "secured" not in story
        assert published.file_of(story["pageUrl"]).is_file()


def test_api_pages_are_as_long_as_html_pages(published: Published) -> None:
    size = published.site.config.page_size
    for topic in published.site.topics:
        first = published.json(f"api/news/{topic.ref.slug}/index.json")
        count = len(topic.articles)
        if published.site.config.pagination == "stable":  # (the older pages are full)
            assert len(first["value"]) == (count if count < 2 * size else
                                           count - (count // size - 1) * size)
        else:
            assert len(first["value"]) == min(size, count)


def test_no_secured_value_and_an_empty_site(make_site: Any, tmp_path: Path) -> None:
    site = make_site({"content/2021-01-01-a.md": textwrap.dedent("""\
        ---
        title: A story
        publishedDateTime: 2021-01-01T10:00:00Z
        topics: [AI]
        secured: s3cr3t-value
        ---
        """)})
    published = publish(site, tmp_path / "out")
    story = published.json("api/news/ai/index.json")["value"][0]
    assert story["title"] == "A story" and "secured" not in story
    assert all(b"s3cr3t-value" not in p.read_bytes() for p in (tmp_path / "out").rglob("*.json"))
    (tmp_path / "empty-site" / "content").mkdir(parents=True)
    empty = publish(tmp_path / "empty-site", tmp_path / "empty")
    assert empty.json("api/news/index.json") == {"page": 1, "value": [], "nextPage": None}
    assert empty.json("api/topics/index.json")["value"] == []


def test_the_cache_gives_records_as_utf8_of_the_digest_asked_only(tmp_path: Path) -> None:
    """API pages are made as bytes: the record store gives each record as the UTF-8 of
    the JSON text stored, and leaves out one stored for another version of the file."""
    from generator.record_store import RecordStore

    store = RecordStore(tmp_path / "records.sqlite")
    store.update([("content/a.md", "d1", '{"title":"Zürich 🚀"}'),
                  ("content/b.md", "d2", "{}")], removed=())
    found = store.get_many([("content/a.md", "d1"), ("content/b.md", "old"),
                            ("content/c.md", "d3")])
    assert found == {"content/a.md": '{"title":"Zürich 🚀"}'.encode()}
    store.close()


def test_the_record_store_maps_the_file_only_to_read_records(tmp_path: Path) -> None:
    """Writing records (the workers of a cold build) reads the file by system calls; the
    records of the API pages are read through a bounded memory map (``MAP_BYTES``),
    again on a connection opened after a close."""
    from generator.record_store import MAP_BYTES, RecordStore

    store = RecordStore(tmp_path / "records.sqlite")

    def mapped() -> int:
        return int(store._connection().execute("PRAGMA mmap_size").fetchone()[0])

    store.update([("content/a.md", "d1", "{}")], removed=())
    assert mapped() == 0
    assert store.get_many([("content/a.md", "d1")]) == {"content/a.md": b"{}"}
    assert mapped() == MAP_BYTES
    store.close()
    assert mapped() == 0
    store.get_many([("content/a.md", "d1")])
    assert mapped() == MAP_BYTES
    store.close()
