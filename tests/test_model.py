"""The site model (topics, order, slugs, pagination, related links), shown on small sites.

Each test writes a small site inline, builds it and reads the pages, so the tests
say what a reader gets, whatever the model's records look like inside.
"""

from __future__ import annotations

from pathlib import Path

from generator.build import build
from generator.config import load_config
from tests.conftest import MakeSite
from tests.htmlread import listed_titles, parse_html, text_of


def story(title: str, when: str, *, topics: str = "[AI]", url: str = "",
          related: str = "", extra: str = "") -> str:
    lines = ["---", f'title: "{title}"', f"publishedDateTime: {when}", f"topics: {topics}"]
    if url:
        lines.append(f"webUrl: {url}")
    if extra:
        lines.append(extra)
    if related:
        lines.append("related:\n" + related)
    return "\n".join(lines) + "\n---\n"


def related_item(title: str, url: str) -> str:
    return f'  - title: "{title}"\n    webUrl: {url}\n'


def build_site_at(site: Path) -> Path:
    config, problems = load_config(site, output=site.parent / "out")
    assert [p for p in problems if p.severity.value == "error"] == []
    report = build(config)
    assert report.errors == ()
    return config.output


def listed(page: Path) -> list[str]:
    return listed_titles(parse_html(page))


def pages(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))


def test_topics_get_slugged_folders_and_an_index_with_counts(make_site: MakeSite) -> None:
    out = build_site_at(make_site({
        "content/a.md": story("A", "2020-06-09T01:00:00Z", topics="[Computer Vision, AI]"),
        "content/b.md": story("B", "2020-06-09T02:00:00Z", topics="[IBM AI, AI]"),
    }))
    assert {p.name for p in (out / "topics").iterdir() if p.is_dir()} == \
        {"computer-vision", "ai", "ibm-ai"}
    index = parse_html(out / "topics" / "index.html")
    entries = {}
    for item in index.iter("li"):
        link = item.find("a")
        if link is not None and link.get("href", "").startswith("/topics/"):
            entries[text_of(link)] = text_of(item)
    assert set(entries) >= {"Computer Vision", "AI", "IBM AI"}
    assert "2 stories" in entries["AI"] and "1 story" in entries["IBM AI"]


def test_stories_are_listed_newest_first(make_site: MakeSite) -> None:
    out = build_site_at(make_site({
        "content/old.md": story("Old", "2020-01-01T00:00:00Z"),
        "content/new.md": story("New", "2021-01-01T00:00:00Z"),
        "content/mid.md": story("Middle", "2020-06-01T12:00:00+05:00"),
    }))
    assert listed(out / "index.html") == ["New", "Middle", "Old"]
    assert listed(out / "topics" / "ai" / "index.html") == ["New", "Middle", "Old"]


def test_topic_pages_are_paginated_newest_first_as_hugo_numbers_them(
        make_site: MakeSite) -> None:
    files: dict[str, str | bytes] = {
        f"content/s{n}.md": story(f"Story {n}", f"2020-06-0{n}T00:00:00Z") for n in range(1, 6)}
    out = build_site_at(make_site({**files,
                                   "digest.yaml": "page_size: 2\npagination: newest-first\n"}))
    topic = out / "topics" / "ai"
    assert listed(topic / "index.html") == ["Story 5", "Story 4"]
    assert listed(topic / "page" / "2" / "index.html") == ["Story 3", "Story 2"]
    assert listed(topic / "page" / "3" / "index.html") == ["Story 1"]
    assert not (topic / "page" / "4").exists()
    second = parse_html(topic / "page" / "2" / "index.html")
    hrefs = {a.get("rel"): a.get("href") for a in second.iter("a") if a.get("rel")}
    assert hrefs == {"prev": "/topics/ai/", "next": "/topics/ai/page/3/"}
    for number, links in ((1, {"next": "/topics/ai/page/2/"}), (2, hrefs),
                          (3, {"prev": "/topics/ai/page/2/"})):  # (in the head too)
        path = topic / ("page" if number > 1 else "") / (str(number) if number > 1 else "")
        head = parse_html(path / "index.html").find(".//head")
        assert head is not None
        assert {link.get("rel"): link.get("href") for link in head.iter("link")
                if link.get("rel") in ("prev", "next")} == links



def pager_links(path: Path) -> dict[str, str]:
    """The prev and next links of a page's head."""
    head = parse_html(path).find(".//head")
    assert head is not None
    return {link.get("rel"): link.get("href") for link in head.iter("link")
            if link.get("rel") in ("prev", "next")}


def test_topic_pages_are_numbered_from_the_oldest_so_an_added_story_changes_the_first_only(
        make_site: MakeSite) -> None:
    """``pagination: stable`` (the default): the full pages are cut from the oldest
    stories, page 1 the oldest; the first page holds the rest (2 to 3 at ``page_size: 2``),
    and shows the topic's count where the others show their number."""
    site = make_site({**{f"content/s{n}.md": story(f"Story {n}", f"2020-06-0{n}T00:00:00Z")
                         for n in range(1, 7)}, "digest.yaml": "page_size: 2\n"})
    out = build_site_at(site)
    topic = out / "topics" / "ai"
    assert listed(topic / "index.html") == ["Story 6", "Story 5"]
    assert listed(topic / "page" / "2" / "index.html") == ["Story 4", "Story 3"]
    assert listed(topic / "page" / "1" / "index.html") == ["Story 2", "Story 1"]
    assert not (topic / "page" / "3").exists()
    assert pager_links(topic / "index.html") == {"next": "/topics/ai/page/2/"}
    assert pager_links(topic / "page" / "2" / "index.html") == {
        "prev": "/topics/ai/", "next": "/topics/ai/page/1/"}
    assert pager_links(topic / "page" / "1" / "index.html") == {"prev": "/topics/ai/page/2/"}
    assert '<p class="page-count">6 stories</p>' in (topic / "index.html").read_text()
    assert '<p class="page-count">Page 1</p>' in (topic / "page/1/index.html").read_text()
    def older() -> dict[int, tuple[bytes, int]]:
        paths = {n: topic / "page" / str(n) / "index.html" for n in (1, 2)}
        return {n: (path.read_bytes(), path.stat().st_mtime_ns) for n, path in paths.items()}

    before = older()
    (site / "content" / "s7.md").write_text(story("Story 7", "2020-06-07T00:00:00Z"))
    out = build_site_at(site)
    assert listed(topic / "index.html") == ["Story 7", "Story 6", "Story 5"]
    assert older() == before  # (not written again)

def test_article_urls_use_a_dated_file_name_or_the_date_and_title(make_site: MakeSite) -> None:
    out = build_site_at(make_site({
        "content/2021-03-04-amazon-launches-tools.md": story("Whatever", "2021-03-05T00:00:00Z"),
        "content/000_abc.txt": story("IBM exits: Facial Recognition!", "2020-06-09T23:30:00Z"),
        "digest.yaml": "timezone: Asia/Tokyo\n",  # the date is taken in the site's timezone
    }))
    assert sorted(p.name for p in (out / "news").iterdir() if p.is_dir()) == [
        "2020-06-10-ibm-exits-facial-recognition", "2021-03-04-amazon-launches-tools"]


def test_times_shown_name_their_zone(make_site: MakeSite) -> None:
    """A time alone reads as the reader's own: each shown time names the site's zone."""
    out = build_site_at(make_site({
        "content/2024-07-04-summer.md": story("Summer", "2024-07-04T16:30:00Z"),
        "content/2024-01-04-winter.md": story("Winter", "2024-01-04T16:30:00Z"),
        "digest.yaml": "timezone: America/New_York\n",
    }))
    summer = (out / "news" / "2024-07-04-summer" / "index.html").read_text("utf-8")
    winter = (out / "news" / "2024-01-04-winter" / "index.html").read_text("utf-8")
    assert '<time datetime="2024-07-04T12:30:00-04:00">July 4, 2024 12:30 EDT</time>' in summer
    assert '<time datetime="2024-01-04T11:30:00-05:00">January 4, 2024 11:30 EST</time>' in winter


def test_a_date_without_a_time_is_shown_without_one(make_site: MakeSite) -> None:
    """A source that gives a date alone gives midnight: no "00:00" nobody wrote."""
    out = build_site_at(make_site({
        "content/2024-07-02-dated.md": story("Dated", "2024-07-02"),
        "digest.yaml": "timezone: Europe/Paris\n",
    }))
    page = (out / "news" / "2024-07-02-dated" / "index.html").read_text("utf-8")
    assert '<time datetime="2024-07-02T00:00:00+02:00">July 2, 2024</time>' in page


def test_slugs_are_unique_and_adding_newer_stories_renames_nothing(make_site: MakeSite) -> None:
    files: dict[str, str | bytes] = {
        "content/a.md": story("Same headline", "2020-06-09T01:00:00Z"),
        "content/b.md": story("Same headline", "2020-06-09T02:00:00Z"),
    }
    site = make_site(files)
    before = pages(build_site_at(site))
    news = [p for p in before if p.startswith("news/") and p != "news/index.html"]
    assert len(news) == 2 and "news/2020-06-09-same-headline/index.html" in news
    (site / "content" / "c.md").write_text(story("Same headline", "2020-06-09T03:00:00Z"))
    (site / "content" / "0.md").write_text(story("Another", "2020-06-09T04:00:00Z"))
    after = pages(build_site_at(site))
    assert set(before) <= set(after)
    assert len([p for p in after if p.startswith("news/") and p != "news/index.html"]) == 4


def test_related_stories_link_to_our_page_when_we_have_it(make_site: MakeSite) -> None:
    out = build_site_at(make_site({
        "digest.yaml": "cluster_threshold: 1.5\n",  # no events: the sidebar is related[] only
        "content/a.md": story("Alpha story", "2020-06-09T01:00:00Z",
                              url="https://news.example/alpha",
                              related=related_item("Beta story, as titled there",
                                                   "https://www.other.example/beta?utm_source=x")
                              + related_item("BETA: story!", "https://elsewhere.example/b")
                              + related_item("Gamma story", "https://gamma.example/g")
                              + related_item("Alpha story", "https://news.example/alpha")),
        "content/b.md": story("Beta story", "2020-06-09T02:00:00Z",
                              url="https://other.example/beta/"),
    }))
    page = parse_html(out / "news" / "2020-06-09-alpha-story" / "index.html")
    aside = next(a for a in page.iter("aside") if "related" in a.get("class", ""))
    links = [(text_of(a), a.get("href"), a.get("rel")) for a in aside.iter("a")]
    assert links == [
        ("Beta story, as titled there", "/news/2020-06-09-beta-story/", None),  # same webUrl
        ("Gamma story", "https://gamma.example/g", "noopener"),
    ]  # "BETA: story!" is Beta again (same title); "Alpha story" is the article itself


def test_an_article_without_related_stories_says_so(make_site: MakeSite) -> None:
    out = build_site_at(make_site({"content/a.md": story("Alone", "2020-06-09T01:00:00Z")}))
    page = parse_html(out / "news" / "2020-06-09-alone" / "index.html")
    aside = next(a for a in page.iter("aside") if "related" in a.get("class", ""))
    assert list(aside.iter("a")) == []


def test_topic_order_and_descriptions_come_from_the_config(make_site: MakeSite) -> None:
    out = build_site_at(make_site({
        "content/a.md": story("A", "2020-06-09T01:00:00Z", topics="[AI, Robots]"),
        "content/b.md": story("B", "2020-06-09T02:00:00Z", topics="[AI]"),
        "digest.yaml": "topics:\n  - name: Robots\n    order: 1\n"
                       "    description: Machines that move.\n",
    }))
    index = parse_html(out / "topics" / "index.html")
    names = [text_of(a) for a in index.iter("a") if "/topics/" in a.get("href", "")
             and a.get("href") != "/topics/"]
    assert names == ["Robots", "AI"]
    assert "Machines that move." in text_of(parse_html(out / "topics" / "robots" / "index.html"))


def test_topic_names_differing_in_case_or_spacing_are_one_topic(make_site: MakeSite) -> None:
    """As in Hugo's taxonomies: named as most of its stories spell it, or as the config
    does (hyphens and underscores count as spaces, accents do not count: Café and Cafe);
    names that only slugify alike (C, C#, C++) stay topics of their own, at addresses
    that spell their symbols out."""
    out = build_site_at(make_site({
        "content/a.md": story("A", "2020-06-09T01:00:00Z", topics="[AI, C]"),
        "content/b.md": story("B", "2020-06-09T02:00:00Z", topics="[ai, AI, C#]"),
        "content/c.md": story("C", "2020-06-09T03:00:00Z", topics="[ai, C++]"),
        "content/d.md": story("D", "2020-06-09T04:00:00Z",
                              topics="[AI in Healthcare, ai in  healthcare]"),
        "content/e.md": story("E", "2020-06-09T05:00:00Z", topics="[ai-in-healthcare]"),
        "content/f.md": story("F", "2020-06-09T06:00:00Z", topics="[robots, Café]"),
        "content/g.md": story("G", "2020-06-09T07:00:00Z", topics="[Cafe, ai_in_healthcare]"),
        "digest.yaml": "topics:\n  - name: Robots\n",
    }))
    topics = sorted(p.name for p in (out / "topics").iterdir() if p.is_dir())
    assert [t for t in topics if not t.startswith("c")] == ["ai", "ai-in-healthcare", "robots"]
    assert [t for t in topics if t.startswith("c")] == ["c", "c-plus-plus", "c-sharp", "cafe"]
    assert listed(out / "topics/cafe/index.html") == ["G", "F"]
    assert listed(out / "topics/ai/index.html") == ["C", "B", "A"]  # each story once
    assert listed(out / "topics/ai-in-healthcare/index.html") == ["G", "E", "D"]
    titles = {name: text_of(parse_html(out / "topics" / name / "index.html").find(
        ".//h1")) for name in ("ai", "ai-in-healthcare", "robots", "cafe", "c-sharp")}
    assert titles == {"ai": "ai", "ai-in-healthcare": "AI in Healthcare",  # (1 to 1: the
                      "robots": "Robots", "cafe": "Cafe",  # first in code point order)
                      "c-sharp": "C#"}
    article = text_of(parse_html(out / "news/2020-06-09-b/index.html"))
    assert "Topics: aiC#" in article  # (the story's own two spellings: one link)


def test_topics_named_with_symbols_get_addresses_that_spell_them_out(
        make_site: MakeSite) -> None:
    """The publisher's trial: C, C# and C++ (and .NET and NET) were at topics/c/,
    topics/c-e4bc4b/ and topics/c-fc2b42/; now each is at an address a reader can tell,
    whatever other topics there are, and a hash is left for names that are still alike."""
    out = build_site_at(make_site({
        "content/a.md": story("A", "2020-06-09T01:00:00Z", topics="[C, 'C#', C++, F#]"),
        "content/b.md": story("B", "2020-06-09T02:00:00Z",
                              topics="[.NET, NET, ASP.NET, AT&T, Disney+, Arts & Culture]"),
        "content/c.md": story("C", "2020-06-09T03:00:00Z", topics="['C#', Arts Culture]"),
    }))
    topics = {p.name: text_of(parse_html(p / "index.html").find(".//h1"))
              for p in (out / "topics").iterdir() if p.is_dir()}
    hashed = [slug for slug in topics if slug.startswith("arts-culture-")]
    assert topics == {
        "c": "C", "c-sharp": "C#", "c-plus-plus": "C++", "f-sharp": "F#", "dotnet": ".NET",
        "net": "NET", "asp-net": "ASP.NET", "at-and-t": "AT&T", "disney-plus": "Disney+",
        "arts-culture": "Arts & Culture", **{slug: "Arts Culture" for slug in hashed}}
    assert len(hashed) == 1  # (a spaced '&' is left out: a true clash, the last resort)
    assert listed(out / "topics/c-sharp/index.html") == ["C", "A"]


def test_topic_names_differing_only_by_accents_are_one_topic_with_a_warning(
        make_site: MakeSite) -> None:
    """Café (two stories), Cafe and CAFÉ are one topic, named as most stories spell it;
    as an accent can tell two words apart (Resume, Résumé), every build says which files
    spell it how. Case alone (AI, ai) and other scripts' marks (か, が) say nothing."""
    site = make_site({
        "content/a.md": story("A", "2020-06-09T01:00:00Z", topics="[Café, AI]"),
        "content/b.md": story("B", "2020-06-09T02:00:00Z", topics="[Café, ai]"),
        "content/c.md": story("C", "2020-06-09T03:00:00Z", topics="[Cafe, か]"),
        "content/d.md": story("D", "2020-06-09T04:00:00Z", topics="[CAFÉ, が]"),
    })
    config, _ = load_config(site, output=site.parent / "out")
    for _build in range(2):  # (the second build has nothing to do: it says it again)
        report = build(config)
        assert [p.format() for p in report.warnings] == [
            "content/c.md: warning: topics: the topic names 'CAFÉ' (content/d.md), 'Cafe' "
            "(content/c.md), 'Café' (content/a.md, content/b.md) differ only by accents (and "
            "case or spacing), so they are one topic, 'Café', at topics/cafe/ Hint: If they "
            "name one topic, spell it alike everywhere to silence this; if they are two "
            "topics ('Resume' and 'Résumé'), rename one of them (names differing only in "
            "accents, case or spacing are always one topic)."]
    assert report.rendered == 0
    out = config.output
    assert listed(out / "topics/cafe/index.html") == ["D", "C", "B", "A"]
    assert text_of(parse_html(out / "topics/cafe/index.html").find(".//h1")) == "Café"
    kana = sorted(p.name for p in (out / "topics").iterdir() if p.name.startswith("ka"))
    assert len(kana) == 2 and kana[0] == "ka"  # (two topics; both slugify to 'ka')


def test_the_newest_cards_are_the_first_cards_of_the_whole_archive(sample_site: Path) -> None:
    from generator.build import site_for

    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    everything = site.cards([a.slug for a in site.articles])
    first_event = next(i for i, card in enumerate(everything) if card.others)
    for count in (1, 5, first_event, first_event + 1, len(everything), len(everything) + 5):
        assert site.newest_cards(count) == everything[:count]
