"""generator.config: digest.yaml -> a frozen SiteConfig, with defaults that need no file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.config import SiteConfig, TopicDefinition, load_config
from generator.diagnostics import Severity
from generator.records import Image
from tests.conftest import MakeSite


def test_defaults_need_no_config_file(make_site: MakeSite) -> None:
    site = make_site({})
    config, problems = load_config(site)
    assert problems == ()
    assert config.source == site.resolve()
    assert config.output == (site / "build").resolve()
    assert config.content_dir == site.resolve() / "content"
    assert (config.base_url, config.base_path, config.page_size, config.timezone,
            config.language, config.drafts, config.topics) == ("/", "/", 20, "UTC", "en", False, ())
    assert config.pagination == "stable"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.title = "x"  # type: ignore[misc]


def test_reads_every_option_and_topic_definitions(make_site: MakeSite) -> None:
    site = make_site({"digest.yaml": """
        title: AI Digest
        description: Daily AI news.
        base_url: https://example.org/digest
        language: fr
        timezone: Europe/Paris
        page_size: 5
        pagination: newest-first
        topics:
          - name: Computer Vision
            description: Machines that see.
            keywords: [vision, images]
            image: https://example.org/cv.png
            order: 1
          - name: AI
        """})
    config, problems = load_config(site)
    assert problems == ()
    assert (config.title, config.description, config.language, config.timezone,
            config.page_size, config.pagination) == ("AI Digest", "Daily AI news.", "fr",
                                                     "Europe/Paris", 5, "newest-first")
    assert config.base_path == "/digest/"
    assert config.site_url == "https://example.org/digest/"
    assert config.topics == (
        TopicDefinition("Computer Vision", "Machines that see.", ("vision", "images"),
                        Image("https://example.org/cv.png", None, None), 1),
        TopicDefinition("AI"),
    )
    assert config.topic_definition("AI") == TopicDefinition("AI")
    assert config.topic_definition("Robots") is None


def test_topics_may_be_a_mapping_by_name(make_site: MakeSite) -> None:
    site = make_site({"digest.yaml": "topics:\n  AI:\n    description: All of it.\n"})
    config, problems = load_config(site)
    assert problems == ()
    assert config.topics == (TopicDefinition("AI", "All of it."),)


def test_unknown_keys_are_warnings_and_wrong_types_errors(make_site: MakeSite) -> None:
    site = make_site({"digest.yaml": "titel: Oops\npage_size: ten\ntitle: Fine\n"})
    config, problems = load_config(site)
    found = [(p.severity, p.file, p.field) for p in problems]
    assert found == [(Severity.WARNING, "digest.yaml", "titel"),
                     (Severity.ERROR, "digest.yaml", "page_size")]
    assert "'titel'" in problems[0].message and "title" in (problems[0].hint or "")
    assert "'ten'" in problems[1].message
    assert config.title == "Fine" and config.page_size == 20


@pytest.mark.parametrize(("text", "meant"), [
    ("page_sise: 10\n", "page_size"), ("titel: Oops\n", "title"), ("baseurl: /\n", "base_url"),
    ("Timezone: UTC\n", "timezone"), ("topic: []\n", "topics"), ("colour: red\n", None)])
def test_an_unknown_key_names_the_key_it_likely_mistypes(make_site: MakeSite, text: str,
                                                          meant: str | None) -> None:
    """As front matter's unknown fields do ("Did you mean 'excerpt'?")."""
    [problem] = load_config(make_site({"digest.yaml": text}))[1]
    hint = problem.hint or ""
    assert problem.line == 1 and "Known keys: base_url, " in hint
    assert hint.startswith(f"Did you mean '{meant}'? ") if meant else "Did you" not in hint


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("page_size: 0\n", "page_size"),
        ("cluster_threshold: 7\n", "cluster_threshold"),
        ("cluster_threshold: 0\n", "cluster_threshold"),
        ("related_count: -1\n", "related_count"),
        ("max_file_bytes: 0\n", "max_file_bytes"),
        ("timezone: Mars/Olympus\n", "timezone"),
        ("base_url: ftp://example.org/\n", "base_url"),
        ("page_size: true\n", "page_size"),
        ("topics: AI\n", "topics"),
        ("title: ''\n", "title"),  # (the feeds it made had no title: digest check failed them)
        ("title: '   '\n", "title"),
        ("language: ''\n", "language"),
        ("pagination: oldest-first\n", "pagination"),
        ("pagination: 2\n", "pagination"),
    ],
)
def test_bad_values_are_errors(make_site: MakeSite, text: str, field: str) -> None:
    _config, problems = load_config(make_site({"digest.yaml": text}))
    assert [(p.severity, p.field) for p in problems] == [(Severity.ERROR, field)]


def test_config_problems_name_the_line_of_their_key(make_site: MakeSite) -> None:
    text = ("# my digest\ntitle: Fine\npage_size: true\ntopics:\n  - name: AI\n"
            "    order: first\ntypo: 1\ncluster_threshold: 9\n")
    _config, problems = load_config(make_site({"digest.yaml": text}))
    found = {p.field: (p.line, p.message) for p in problems}
    assert found == {
        "page_size": (3, "expected a whole number, got True"),  # (it said "int")
        "topics[0].order": (6, found["topics[0].order"][1]),  # (its own line, not topics:'s)
        "typo": (7, found["typo"][1]),
        "cluster_threshold": (8, found["cluster_threshold"][1]),
    }


def test_problems_within_a_topic_entry_name_their_own_line(make_site: MakeSite) -> None:
    """On a long topics: list, the line of ``topics:`` said nothing (a publisher's trial)."""
    text = ("topics:\n  - name: AI\n  - name: OpenAI\n    order: 1\n"
            "    image: {url: 'https://example.org/o.png', width: 10}\n"
            "  - name: Robots\n    order: first\n")
    _config, problems = load_config(make_site({"digest.yaml": text}))
    assert [(p.field, p.line) for p in problems] == [("topics[1].image", 5),
                                                     ("topics[2].order", 7)]
    by_name = "topics:\n  AI: {order: 1}\n  Robots:\n    order: first\n"
    _config, problems = load_config(make_site({"digest.yaml": by_name}))
    assert [(p.field, p.line) for p in problems] == [("topics[1].order", 4)]


def test_a_key_given_twice_is_a_warning_with_its_line(make_site: MakeSite) -> None:
    text = ("title: One\npage_size: 10\ntopics:\n  - name: AI\n    order: 1\n"
            "    order: 2\ntitle: Two\n")
    config, problems = load_config(make_site({"digest.yaml": text}))
    assert config.title == "Two" and config.topics[0].order == 2  # the last, as before
    assert [(p.severity, p.file, p.line, p.field, p.message) for p in problems] == [
        (Severity.WARNING, "digest.yaml", 6, "topics[0].order",
         "'order' is given twice, on line 5 and again on line 6; the last one is used"),
        (Severity.WARNING, "digest.yaml", 7, "title",
         "'title' is given twice, on line 1 and again on line 7; the last one is used"),
    ]


def test_invalid_yaml_is_an_error_with_a_line(make_site: MakeSite) -> None:
    _config, problems = load_config(make_site({"digest.yaml": "title: ok\npage_size: [1\n"}))
    assert len(problems) == 1
    assert problems[0].severity is Severity.ERROR and problems[0].line is not None


def test_overrides_win_and_none_means_not_given(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"digest.yaml": "base_url: https://a.org/\n"})
    config, _ = load_config(site, output=tmp_path / "out",
                            overrides={"base_url": "https://b.org/sub/", "drafts": None})
    assert config.base_url == "https://b.org/sub/" and config.base_path == "/sub/"
    assert config.output == (tmp_path / "out").resolve()
    assert config.drafts is False


@pytest.mark.parametrize(("base_url", "said", "hint"), [
    ("example.org", "has no scheme", "Did you mean https://example.org/ ?"),
    ("example.org/news/", "has no scheme", "Did you mean https://example.org/news/ ?"),
    ("news", "is neither a URL nor a path from the root", "/digest/"),
    ("//example.org/", "is not an http(s) URL or a path", "https://example.org/digest/"),
    ("http://", "is not an http(s) URL or a path", "https://example.org/digest/"),
    ("https://example.org/?x=1", "has a query or a fragment", "folder"),
    ("https://example.org/a b/", "has a space in it", "%20"),
    ("https://example.org/sub/index.html", "names a page, not a folder",
     "https://example.org/sub/"),
])
def test_a_base_url_that_would_break_every_link_is_an_error(
        make_site: MakeSite, base_url: str, said: str, hint: str) -> None:
    site = make_site({"digest.yaml": f"base_url: '{base_url}'\n"})
    _config, problems = load_config(site)
    [problem] = problems
    assert (problem.severity, problem.file, problem.field) == \
        (Severity.ERROR, "digest.yaml", "base_url")
    assert said in problem.message and hint in (problem.hint or "")
    # given on the command line, it is the command line's
    _config, problems = load_config(make_site({}), overrides={"base_url": base_url})
    assert [p.file for p in problems] == ["--base-url"]


@pytest.mark.parametrize(("given", "base_url", "base_path"), [
    ("https://example.org/ünï/", "https://example.org/%C3%BCn%C3%AF/", "/%C3%BCn%C3%AF/"),
    ("https://EXAMPLE.org/News/", "https://example.org/News/", "/News/"),
    ("HTTPS://Bücher.Example:8080/a", "https://xn--bcher-kva.example:8080/a", "/a/"),
    ("https://faß.de/", "https://xn--fa-hia.de/", "/"),  # (IDNA 2003: fass.de, another)
    ("https://i❤️.ws/", "https://xn--i-7iq.ws/", "/"),  # (as browsers take it)
    ("https://ＥＸＡＭＰＬＥ.ü.org/", "https://example.xn--tda.org/", "/"),
    ("https://example.org/a%20b/%c3%bc/", "https://example.org/a%20b/%c3%bc/",
     "/a%20b/%c3%bc/"),  # (kept as encoded)
    ("/ünï/", "/%C3%BCn%C3%AF/", "/%C3%BCn%C3%AF/"),
    ("https://example.org/100%/", "https://example.org/100%25/", "/100%25/"),
    ("http://[::1]:8000/a/", "http://[::1]:8000/a/", "/a/"),
])
def test_a_base_url_is_taken_as_links_and_sitemaps_want_it(
        make_site: MakeSite, given: str, base_url: str, base_path: str) -> None:
    """A publisher's trial: --base-url https://example.org/ünï/ gave canonical, sitemap and
    feed URLs that were not percent-encoded, and https://EXAMPLE.org/News/ kept its
    host's case. The host is lowercase and ASCII (IDNA), the path percent-encoded."""
    for config, problems in (load_config(make_site({"digest.yaml": f"base_url: '{given}'\n"})),
                             load_config(make_site({}), overrides={"base_url": given})):
        assert problems == ()
        assert (config.base_url, config.base_path) == (base_url, base_path)


@pytest.mark.parametrize("host", [
    "ex\u00e4mple..org",  # an empty label
    "\u00fc" * 60 + ".org",  # a label of over 63 characters as punycode
    "\u00fc\u2488.org",  # a code point UTS 46 disallows
])
def test_a_base_url_whose_host_is_no_domain_name_is_an_error(make_site: MakeSite,
                                                             host: str) -> None:
    _config, problems = load_config(make_site({}), overrides={"base_url": f"https://{host}/"})
    [problem] = problems
    assert (problem.severity, problem.file) == (Severity.ERROR, "--base-url")
    assert problem.message == f"base_url 'https://{host}/' has a host that is no domain name"


@pytest.mark.parametrize("base_url", ["/", "", "/digest", "https://example.org",
                                      "http://127.0.0.1:8000/a/", "https://example.org/v1.2/"])
def test_urls_and_paths_of_folders_are_base_urls(make_site: MakeSite, base_url: str) -> None:
    _config, problems = load_config(make_site({}), overrides={"base_url": base_url})
    assert problems == ()


@pytest.mark.parametrize(
    ("base_url", "base_path"),
    [("/", "/"), ("", "/"), ("/digest", "/digest/"), ("https://example.org", "/"),
     ("https://example.org/a/b/", "/a/b/")],
)
def test_base_path_always_starts_and_ends_with_a_slash(base_url: str, base_path: str) -> None:
    config = SiteConfig(source=Path("."), output=Path("out"), base_url=base_url)
    assert config.base_path == base_path


@pytest.mark.parametrize("tag", ["en", "en-US", "zh-Hant-TW", "sr-Latn-RS", "es-419", "de-CH-1996",
                                 "EN-gb", "x-klingon", "en-US-x-twain", "zh-yue-HK",
                                 "en-a-bbb-x-a-ccc", "fil", "ast"])
def test_a_language_tag_of_bcp_47_is_taken_without_a_word(make_site: MakeSite, tag: str) -> None:
    """(Of its form: a language the theme has no strings for is another warning.)"""
    config, problems = load_config(make_site({"digest.yaml": f"language: {tag}\n"}))
    assert config.language == tag
    assert [p.message for p in problems if "no translation" not in p.message] == []


@pytest.mark.parametrize(("text", "hint"), [
    ("en US", "Write language: en-US ("), ("en_US", "Write language: en-US ("),
    ("english", "Write a language tag such as en"), ("e", "Write a language tag such as en"),
    ("en-", "Write a language tag such as en"), ("fr-FR-", "Write a language tag such as en"),
    ("zh-Hant-TWN", "Write a language tag such as en"),
])
def test_a_language_that_is_no_bcp_47_tag_is_warned_about_at_its_line(
        make_site: MakeSite, text: str, hint: str) -> None:
    """``language: "en US"`` and ``language: english`` were taken as they were, into every
    page's lang and the feeds' language (a publisher's trial)."""
    config, problems = load_config(make_site({"digest.yaml": f"title: T\nlanguage: {text}\n"}))
    assert config.language == text
    [problem] = problems
    assert (problem.file, problem.line, problem.field, problem.severity) == (
        "digest.yaml", 2, "language", Severity.WARNING)
    assert problem.message.startswith(f"language {text!r} is not a BCP 47 language tag")
    assert (problem.hint or "").startswith(hint)
