"""Stories that share one webUrl: found as the clustering compares addresses, named once in
an event's coverage, and warned of with both files and their lines."""

from __future__ import annotations

from generator.cluster_urls import canonicalize_url
from generator.shared_urls import (
    SharedUrl,
    UrlCopy,
    distinct_coverage,
    find_same_urls,
    group_same_urls,
    regrouped_by_url,
    shared_url_warnings,
)
from generator.summary import StorySummary, link_key


def summary(name: str, url: str = "", original: str = "") -> StorySummary:
    """A story at ``url`` (and ``original``), its keys made as ``summarize_story`` does."""
    return StorySummary(source=f"content/{name}.md", digest=name, title=name, timestamp=0.0,
                        wanted_slug=name, url=url,
                        url_keys=tuple(link_key(canonicalize_url(u)) for u in (url, original)
                                       if u))


def same_urls(*stories: StorySummary) -> dict[str, str]:
    return find_same_urls(stories, {s.source: s.title for s in stories})


def test_addresses_are_one_as_the_clustering_takes_them() -> None:
    found = same_urls(summary("a", "https://www.news.example/a/"),
                      summary("b", "http://news.example/a?utm_source=rss#top"),
                      summary("c", "https://news.example/a?id=2"),  # (another page)
                      summary("d", "https://news.example/d"), summary("e"),
                      summary("f", "https://news.example/d"))
    assert found.keys() == {"a", "b", "d", "f"}
    assert found["a"] == found["b"] != found["d"] == found["f"]
    assert group_same_urls(found, lambda slug: f"content/{slug}.md") == (
        ("content/a.md", "content/b.md"), ("content/d.md", "content/f.md"))


def test_an_original_url_is_not_compared() -> None:
    """A story may name the wire copy it was rewritten from: another story's webUrl."""
    assert same_urls(summary("a", "https://wire.example/x"),
                     summary("b", "https://paper.example/y", "https://wire.example/x"),
                     summary("c", "", "https://wire.example/x")) == {}
    assert same_urls(summary("a", "https://news.example/a"),
                     summary("b", "https://news.example/b")) == {}


def test_coverage_names_each_address_once_and_never_the_storys_own() -> None:
    same = {"a": "k1", "a2": "k1", "a3": "k1", "b": "k2", "b2": "k2"}
    assert distinct_coverage("a", ["a2", "b", "c", "b2", "a3"], same) == ("b", "c")
    assert distinct_coverage("c", ["a", "a2", "b2", "b", "d"], same) == ("a", "b2", "d")
    assert distinct_coverage("c", ["d", "e"], {}) == ("d", "e")


def test_a_warning_names_the_other_files_with_their_lines_on_each_copy() -> None:
    group = SharedUrl((UrlCopy("content/a.md", "https://news.example/a", 4),
                       UrlCopy("content/import/a.md", "https://news.example/a", 4),
                       UrlCopy("content/x.md", "http://news.example/a/?utm_source=rss", None)))
    assert SharedUrl.from_tuple(group.to_tuple()) == group
    first, second = shared_url_warnings([group])
    assert (first.file, first.line, first.field) == ("content/import/a.md", 4, "webUrl")
    assert first.format() == (
        "content/import/a.md:4: warning: webUrl: 'https://news.example/a' is also the webUrl "
        "of content/a.md (line 4) and content/x.md ('http://news.example/a/?utm_source=rss'), "
        "one page but for tracking parameters, scheme, www. or a trailing slash: one news item "
        "in 3 files, published as 3 stories (each with a page, feed and API entries and a "
        "sitemap line; cards and \"Also covered by\" show one) Hint: Delete all but one of the "
        "files (a feed imported twice?), or give each story its own webUrl if they are "
        "different stories.")
    assert (second.file, second.line) == ("content/x.md", None)
    assert "is also the webUrl of content/a.md (line 4: 'https://news.example/a') and " \
        "content/import/a.md (line 4: 'https://news.example/a'), one page" in second.message
    pair = SharedUrl(group.copies[:2])
    [only] = shared_url_warnings([pair])
    assert "one page but" not in only.message and only.file == "content/import/a.md"


def test_the_stories_whose_groups_changed_are_those_of_either_side_only() -> None:
    before = [("content/a.md", "content/b.md"), ("content/c.md", "content/d.md")]
    assert regrouped_by_url(before, before) == set()
    assert regrouped_by_url([("content/a.md", "content/b.md", "content/e.md"),
                             ("content/c.md", "content/d.md")], before) == {
        "content/a.md", "content/b.md", "content/e.md"}
    assert regrouped_by_url([], before) == {"content/a.md", "content/b.md", "content/c.md",
                                            "content/d.md"}
