"""generator.feeds: Atom, RSS and JSON Feed for the site and every topic, read back with
feedparser (entries, dates, links), Atom's required elements and JSON Feed 1.1's."""

from __future__ import annotations

import html
import json
import math
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, fromstring

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.model import Article
from generator.schema_json import compact_json, utc_iso, utc_iso_of_stamp
from tests.support.published import Published, publish

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_folders(published: Published) -> dict[str, tuple[Article, ...]]:
    """Folder of each feed set -> the stories it must hold, newest first."""
    site, size = published.site, published.site.config.feed_size
    folders = {"": site.articles[:size]}
    for topic in site.topics:
        folders[topic.ref.path] = tuple(site.article(s) for s in topic.articles[:size])
    return folders


@pytest.fixture(params=["sample", "corpus"])
def published(request: pytest.FixtureRequest, tmp_path: Path) -> Published:
    site: Path = request.getfixturevalue(f"{request.param}_site")
    return publish(site, tmp_path / "out", feed_size=3 if request.param == "sample" else 10)


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])  # feedparser 6.0 reads no JSON Feed
def test_feedparser_reads_every_feed(published: Published, name: str) -> None:
    for folder, articles in feed_folders(published).items():
        parsed = feedparser.parse((published.output / folder / name).read_bytes())
        assert not parsed.bozo, (folder, name, parsed.get("bozo_exception"))
        assert parsed.feed.link == published.url_of(folder)
        assert [e.link for e in parsed.entries] == [published.url_of(a.path) for a in articles]
        assert [e.id for e in parsed.entries] == [published.url_of(a.path) for a in articles]
        for entry, article in zip(parsed.entries, articles, strict=True):
            assert read(entry.title_detail) == article.title
            published_at = datetime(*entry.published_parsed[:6], tzinfo=UTC)
            assert published_at == article.published.replace(microsecond=0)
            if article.provider:
                assert entry.author == article.provider  # (plain text: Barron's)
            assert [t.term for t in entry.get("tags", [])] == [
                ref.name for ref in article.topics]
            image = article.card_image
            if image:
                assert entry.media_content[0]["url"] == image.url
                assert entry.media_content[0]["width"] == str(image.width)


def test_atom_has_its_required_elements(published: Published) -> None:
    for folder, articles in feed_folders(published).items():
        feed = fromstring((published.output / folder / "atom.xml").read_bytes())
        assert feed.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated"):
            assert text(feed, name), name
        assert feed.find(f"{ATOM}author/{ATOM}name") is not None  # so entries need none
        assert [link.get("rel") for link in feed.findall(f"{ATOM}link")] == ["self", "alternate"]
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == len(articles)
        for entry in entries:
            for name in ("id", "title", "updated", "published"):
                assert text(entry, name), name
            assert any(link.get("rel") == "alternate" for link in entry.findall(f"{ATOM}link"))
        if articles:
            assert text(feed, "updated") == text(entries[0], "updated")


def text(element: Element, name: str) -> str:
    return (element.findtext(f"{ATOM}{name}") or "").strip()


def test_json_feed_has_the_fields_the_spec_requires(published: Published) -> None:
    for folder, articles in feed_folders(published).items():
        feed: dict[str, Any] = published.json(folder + "feed.json")
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["title"] and isinstance(feed["items"], list)
        assert feed["feed_url"] == published.url_of(folder + "feed.json")
        assert feed["home_page_url"] == published.url_of(folder)
        for item, article in zip(feed["items"], articles, strict=True):
            assert isinstance(item["id"], str) and item["id"]
            assert item.get("content_text") or item.get("content_html")
            assert item["url"] == published.url_of(article.path)
            assert datetime.fromisoformat(item["date_published"]) == article.published
            if article.card_image:
                assert item["image"] == article.card_image.url


def test_home_and_topic_pages_announce_their_feeds(published: Published) -> None:
    for folder in feed_folders(published):
        page = (published.output / folder / "index.html").read_text(encoding="utf-8")
        base = published.base_url.removeprefix("https://example.org")
        for kind, name in (("atom+xml", "atom.xml"), ("rss+xml", "rss.xml"),
                           ("feed+json", "feed.json")):
            assert f'rel="alternate" type="application/{kind}"' in page
            assert f'href="{base}{folder}{name}"' in page


def test_article_and_topics_pages_announce_the_sites_feeds(published: Published) -> None:
    """Feed readers find the site's feeds from any page a reader has open (they were only
    on the home and topic pages)."""
    base = published.base_url.removeprefix("https://example.org")
    pages = [published.output / "topics" / "index.html"] + [
        published.output / article.path / "index.html" for article in published.site.articles]
    for path in pages:
        page = path.read_text(encoding="utf-8")
        for kind, name in (("atom+xml", "atom.xml"), ("rss+xml", "rss.xml"),
                           ("feed+json", "feed.json")):
            assert f'rel="alternate" type="application/{kind}"' in page, path
            assert f'href="{base}{name}"' in page, path
        assert 'class="feeds">Subscribe:' in page, path


def test_markup_in_titles_is_text_in_every_feed(make_site: Any, tmp_path: Path) -> None:
    title = 'Q&A: <b>bold</b> "claims" </title><script>x</script>'
    site = make_site({"content/2021-01-01-a.md": textwrap.dedent(f"""\
        ---
        title: '{title}'
        excerpt: "Tom & Jerry <i>again</i>"
        publishedDateTime: 2021-01-01T10:00:00Z
        provider: {{name: "AT&T <News>"}}
        topics: ["R&D"]
        ---
        """)})
    published = publish(site, tmp_path / "out")
    for name in ("atom.xml", "rss.xml", "topics/r-and-d/atom.xml",
                 "topics/r-and-d/rss.xml"):
        raw = (published.output / name).read_bytes()
        assert b"<script>" not in raw and b"<b>" not in raw
        entry = feedparser.parse(raw).entries[0]
        assert html.unescape(entry.title) == title
        assert html.unescape(entry.summary) == "Tom & Jerry <i>again</i>"
    item = published.json("feed.json")["items"][0]
    assert item["title"] == title and item["authors"] == [{"name": "AT&T <News>"}]


TRICKY = """Tom's "best" R&D <Lab> > 1 & café 📰"""
"""Every character XML or HTML escapes, an accent and an emoji."""


def test_every_text_of_every_feed_reaches_readers_as_written(
    make_site: Any, tmp_path: Path
) -> None:
    """Plain-text elements (Atom ``<name>``, RSS ``<title>``, ``<description>`` of the
    channel, ``<category>``, ``<dc:creator>``) are escaped once, for XML; those read as HTML
    (Atom ``type="html"``, an RSS item's ``<description>``) once more: feedparser gives back
    each text as written (``Barron&#39;s`` reached readers of a ``dc:creator``)."""
    def quoted(text: str) -> str:  # (a JSON string is a YAML one)
        return json.dumps(text, ensure_ascii=False)

    site = make_site({
        "digest.yaml": f"""\
            title: {quoted(f"Site {TRICKY}")}
            description: {quoted(f"About {TRICKY}")}
            topics:
              - name: {quoted(f"Topic {TRICKY}")}
                description: {quoted(f"Topic about {TRICKY}")}
            """,
        "content/2021-01-01-a.md": f"""\
            ---
            title: {quoted(f"Title {TRICKY}")}
            excerpt: {quoted(f"Excerpt {TRICKY}")}
            publishedDateTime: 2021-01-01T10:00:00Z
            provider: {{name: {quoted(f"Provider {TRICKY}")}}}
            topics: [{quoted(f"Topic {TRICKY}")}, "Barron's & Co"]
            ---
            """})
    published = publish(site, tmp_path / "out")
    topics = {topic.ref.name: topic.ref.path for topic in published.site.topics}
    assert set(topics) == {f"Topic {TRICKY}", "Barron's & Co"}
    site_title = f"Site {TRICKY}"
    for folder, title, description in (
            ("", site_title, f"About {TRICKY}"),
            (topics[f"Topic {TRICKY}"], f"Topic {TRICKY} · {site_title}",
             f"Topic about {TRICKY}"),
            (topics["Barron's & Co"], f"Barron's & Co · {site_title}",
             "News about Barron's & Co")):
        for name in ("atom.xml", "rss.xml"):
            parsed = feedparser.parse((published.output / folder / name).read_bytes())
            where = folder + name
            assert not parsed.bozo, where
            assert read(parsed.feed.title_detail) == title, where
            assert read(parsed.feed.subtitle_detail) == description, where
            if name == "atom.xml":
                assert parsed.feed.author == site_title, where
            entry = parsed.entries[0]
            assert read(entry.title_detail) == f"Title {TRICKY}", where
            assert read(entry.summary_detail) == f"Excerpt {TRICKY}", where
            assert entry.author == f"Provider {TRICKY}", where
            assert sorted(tag.term for tag in entry.tags) == sorted(topics), where


def read(detail: Any) -> str:
    """The text a reader shows of a feedparser value: HTML (as the feed declares it, or
    as feedparser takes it) is read once as HTML; plain text is shown as it is."""
    return html.unescape(detail.value) if detail.type == "text/html" else detail.value


def test_an_empty_feed_is_dated_by_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "site" / "content").mkdir(parents=True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    published = publish(tmp_path / "site", tmp_path / "out")
    feed = fromstring((published.output / "atom.xml").read_bytes())
    assert text(feed, "updated") == "2020-09-13T12:26:40Z"
    assert feedparser.parse((published.output / "rss.xml").read_bytes()).entries == []


@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9000, 12, 30),
                    timezones=st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                                            max_value=timedelta(hours=23, minutes=59))
                    .map(timezone)))
def test_a_moment_is_written_as_the_utc_second_it_falls_in(moment: datetime) -> None:
    # (the years stories may have: see validate.parse_datetime)
    assert utc_iso(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@given(st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(2240, 12, 31),
                    timezones=st.just(UTC)))
def test_a_timestamp_of_a_datetime_is_written_as_the_datetime_is(moment: datetime) -> None:
    # (the sitemap writes the timestamps summaries keep; every other date goes through
    # utc_iso. Within 2**33 s of 1970, 1698-2242, a float timestamp holds the microsecond,
    # so the second is kept; further out, see the test below.)
    assert utc_iso_of_stamp(moment.timestamp()) == utc_iso(moment)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.just(UTC)))
def test_a_timestamp_is_written_as_the_second_it_falls_in(moment: datetime) -> None:
    # (outside 1698-2242 a float timestamp no longer holds the microsecond: 3059-01-01
    # 00:00:00.999997 is stored as 00:00:01 exactly. The text is always the second the
    # stored timestamp falls in, as the sitemap wrote it before it used time.gmtime.)
    stamp = moment.timestamp()
    assert utc_iso_of_stamp(stamp) == utc_iso(datetime.fromtimestamp(math.floor(stamp), UTC))


def test_a_story_without_an_excerpt_is_summed_up_by_its_bodys_opening(
        make_site: Any, tmp_path: Path) -> None:
    """As Hugo summarizes a page without a summary: on cards, in feeds and the meta
    description (the feeds' entries were empty)."""
    body = "The **robots** arrived [today](https://x.example/) at the port.\n\n" + \
           "Dockworkers said " + "the cranes moved all night " * 20
    site = make_site({"content/2021-01-01-a.md": textwrap.dedent("""\
        ---
        title: Robots at the port
        publishedDateTime: 2021-01-01T10:00:00Z
        topics: [Robots]
        ---
        """) + body})
    published = publish(site, tmp_path / "out")
    opening = "The robots arrived today at the port. Dockworkers said the cranes moved"
    atom = feedparser.parse((published.output / "atom.xml").read_bytes())
    [entry] = atom.entries
    assert entry.summary.startswith(opening) and entry.summary.endswith("…")
    assert len(entry.summary) <= 241 and "*" not in entry.summary
    rss = feedparser.parse((published.output / "rss.xml").read_bytes())
    assert rss.entries[0].summary == entry.summary
    card = (published.output / "topics/robots/index.html").read_text(encoding="utf-8")
    assert f'<p class="card-excerpt" dir="auto">{opening}' in card
    page = (published.output / "news/2021-01-01-a/index.html").read_text(encoding="utf-8")
    assert f'<meta name="description" content="{opening}' in page



def test_a_story_without_an_excerpt_is_summed_up_by_its_plain_text_body_file(
        make_site: Any, tmp_path: Path) -> None:
    """A body given as a file of its own sums the story up as its own body would (its
    title line left out); before, cards, feeds and the meta description had nothing."""
    site = make_site({
        "content/2021-01-01-a.md": textwrap.dedent("""\
            ---
            title: Robots at the port
            publishedDateTime: 2021-01-01T10:00:00Z
            topics: [Robots]
            ---
            """),
        "content/robots.txt": "Robots at the port\n\nThe robots arrived today at the port.\n"
                              "\nDockworkers watched.\n",
    })
    published = publish(site, tmp_path / "out")
    opening = "The robots arrived today at the port. Dockworkers watched."
    [entry] = feedparser.parse((published.output / "atom.xml").read_bytes()).entries
    assert entry.summary == opening
    card = (published.output / "topics/robots/index.html").read_text(encoding="utf-8")
    assert f'<p class="card-excerpt" dir="auto">{opening}</p>' in card
    page = (published.output / "news/2021-01-01-a/index.html").read_text(encoding="utf-8")
    assert f'<meta name="description" content="{opening}">' in page
    assert 'class="story-excerpt"' not in page  # (the body follows: not said twice)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@given(_JSON_VALUES)
def test_every_json_output_is_what_the_standard_library_writes(value: object) -> None:
    # (orjson makes them, and refuses integers beyond 64 bits and lone surrogates: those
    # go to the standard library; the schema's numbers are whole, so no float is written)
    assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
