"""urls.safe_http_url: the regular-expression fast path decides exactly as the ``urlsplit``
path (``_checked_http_url``) does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.urls import AliasProblem, _checked_http_url, alias_path, is_safe_link, safe_http_url


def reference(value: str) -> str | None:
    """The rule without the fast path: ``urlsplit`` judges every URL."""
    return _checked_http_url(value.strip())


@pytest.mark.parametrize("value", [
    "https://example.com", "https://example.com/a?b=1#c", " http://example.com/x ",
    "http://a", "http://.", "https://ex-ample.co.uk/path/../x", "http://example.com:80/",
    "http://example.com:99999/", "http://user@example.com/", "http://[::1]/", "http://[::1/",
    "HTTP://EXAMPLE.COM/", "ftp://example.com/", "javascript:alert(1)", "//example.com/",
    "https://", "https:///path", "https://exa mple.com/", "https://example.com/a b",
    "https://example.com/\x7f", "https://example.com/\u00a0", "https://exämple.com/",
    "https://example.com/é", "http://example.com\\@evil.com/", "",
])
def test_known_urls_are_judged_as_urlsplit_judges_them(value: str) -> None:
    assert safe_http_url(value) == reference(value)


URL_CHARS = st.sampled_from(list("hHtTpPsS:/.-@[]?#%&=_~+!09aZé \t\n\x00\x7f\u00a0\\"))


@settings(max_examples=400)
@given(st.text(URL_CHARS, max_size=30))
def test_any_text_is_judged_as_urlsplit_judges_it(value: str) -> None:
    assert safe_http_url(value) == reference(value)


@settings(max_examples=400)
@given(st.sampled_from(["http://", "https://", "HTTPS://", "http:/", ""]),
       st.text(URL_CHARS, max_size=15), st.sampled_from(["", ":80", ":0", ":65536", ":x"]),
       st.text(URL_CHARS, max_size=15))
def test_url_shaped_text_is_judged_as_urlsplit_judges_it(scheme: str, host: str, port: str,
                                                        rest: str) -> None:
    value = scheme + host + port + rest
    assert safe_http_url(value) == reference(value)


def test_links_in_bodies_follow_the_same_rule() -> None:
    assert is_safe_link("https://example.com/x")
    assert is_safe_link("/about/")
    assert not is_safe_link("javascript:alert(1)")
    assert not is_safe_link("https://example.com:99999/")


@pytest.mark.parametrize(("value", "expected"), [
    ("/news/2024-05-01-old-title/", "news/2024-05-01-old-title/"),
    ("news/old", "news/old/"),
    ("/old//index.html", "old/"),
    ("/old.html", "old.html"),
    ("/", ""),
])
def test_an_alias_is_a_folder_of_the_site_or_an_html_file(value: str, expected: str) -> None:
    assert alias_path(value) == expected


@pytest.mark.parametrize("value", [
    "https://example.org/news/x/", "//cdn.example/x/", "javascript:alert(1)", "/a/../b/",
    "../b", "/.git/", "/a b/", "/x?y=1", "/x#top", "\\\\host\\x", "", "/x\ny",
])
def test_an_alias_that_is_no_path_of_this_site_is_refused(value: str) -> None:
    problem = alias_path(value)
    assert isinstance(problem, AliasProblem) and problem.hint
