"""Hostile input: nothing escapes as an exception, nothing is injected into a page.

Property tests (hypothesis) feed arbitrary bytes, front matter and bodies to the
reader and to whole builds: only the project's own error types may escape, and
every slug is non-empty, safe as a path segment and unique. An XSS corpus puts
script tags, event handlers, ``javascript:`` links, ``</script>`` and entity
tricks in every field a story has; every output file (.html, .xml, .json, so
feeds and JSON-LD are covered as soon as they exist) is then parsed and searched
for a script, an event-handler attribute or an unsafe URL the theme did not put
there.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import html5lib
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.config import load_config
from generator.diagnostics import Diagnostic, DigestError
from generator.read import decode_text, split_source
from generator.slugs import assign_unique, make_slug, story_slug, topic_slug
from generator.validate import KNOWN_KEYS, validate_source
from generator.yamlio import YamlProblem, load_yaml

SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PROJECT_ERRORS = (DigestError, YamlProblem)

# -- strategies -------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=40), st.sampled_from(["2020-06-09T03:58:00Z", "2020-13-45", "June 9",
                                           "javascript:alert(1)", "https://example.org/a"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20)
field_names = st.one_of(st.sampled_from(sorted(KNOWN_KEYS)), st.text(max_size=12))
front_matters = st.dictionaries(field_names, values, max_size=8)
bodies = st.text(max_size=200)
yaml_texts = st.one_of(
    front_matters.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(alphabet=st.sampled_from(list("ab:- \n[]{}&*!|>'\"#?,%@`\t")), max_size=80),
    st.text(max_size=80),
)


def source_text(front: str, body: str) -> str:
    return f"---\n{front}\n---\n{body}"


# -- reader and validation ----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_reader(raw: bytes) -> None:
    text = decode_text("content/x.md", raw)
    if isinstance(text, Diagnostic):
        return
    source = split_source("content/x.md", text)
    if not isinstance(source, Diagnostic):
        validate_source(source)


@settings(max_examples=400, deadline=None)
@given(yaml_texts, bodies)
def test_arbitrary_front_matter_never_crashes_read_or_validate(front: str, body: str) -> None:
    source = split_source("content/2020-06-09-x.md", source_text(front, body))
    if isinstance(source, Diagnostic):
        assert source.file == "content/2020-06-09-x.md"
        return
    result = validate_source(source)
    for problem in result.diagnostics:
        assert problem.file == "content/2020-06-09-x.md"
        assert problem.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_load_yaml_raises_only_yaml_problem(text: str) -> None:
    with contextlib.suppress(YamlProblem):
        load_yaml(text)


@pytest.mark.parametrize("text", [
    "x: " + "[" * 100_000 + "]" * 100_000,  # would overflow libyaml's C stack
    "x: " + "{a: " * 20_000 + "1" + "}" * 20_000,
    "x:\n" + "".join(" " * i + "- \n" for i in range(2_000)),
    "- " * 50_000 + "x",
    "a: &a [" + ",".join(["x"] * 100) + "]\n"
    + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 100) + "]\n"
              for p, c in zip("abcde", "bcdef", strict=True)),
])
def test_bombs_are_refused_quickly(text: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    assert "nested more than" in caught.value.problem or "aliases expand" in caught.value.problem


# -- slugs --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_every_slug_is_a_safe_non_empty_segment(text: str) -> None:
    for slug in (make_slug(text), topic_slug(text), story_slug(text, text, "2020-06-09")):
        assert SAFE_SEGMENT.match(slug), (text, slug)
        assert len(slug) <= 100


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aA+-_ .C#!é中")), max_size=6),
                unique=True, max_size=30))
def test_assign_unique_gives_every_name_its_own_slug(names: list[str]) -> None:
    slugs = assign_unique(names, wanted=topic_slug, identity=lambda n: n, rank=lambda n: (n,))
    assert sorted(slugs) == sorted(names)
    assert len(set(slugs.values())) == len(names)
    assert all(SAFE_SEGMENT.match(s) for s in slugs.values())


# -- whole builds -------------------------------------------------------------------------

stems = st.text(alphabet=st.sampled_from(list("abc-_.0123 中é")), min_size=1, max_size=12)
story_files = st.dictionaries(
    stems,
    st.one_of(
        st.tuples(front_matters, bodies).map(
            lambda fb: source_text(yaml.safe_dump(fb[0], allow_unicode=True), fb[1])),
        st.builds(lambda title, topics, body: source_text(yaml.safe_dump(
            {"title": title, "publishedDateTime": "2020-06-09T03:58:00Z", "topics": topics},
            allow_unicode=True), body), st.text(max_size=30),
            st.lists(st.text(max_size=8), max_size=4), bodies),
        st.tuples(yaml_texts, bodies).map(lambda fb: source_text(*fb)),
        bodies,
    ),
    min_size=1, max_size=5,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(story_files)
def test_whole_builds_of_arbitrary_content_give_unique_safe_urls(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        (site / "content").mkdir(parents=True)
        for stem, text in files.items():
            (site / "content" / f"{stem.strip() or 'x'}.md").write_text(text, encoding="utf-8")
        config, problems = load_config(site, output=Path(tmp) / "out")
        try:
            report = build(config)
        except PROJECT_ERRORS:
            return
        out = Path(tmp) / "out"
        articles = [p.parent.name for p in out.glob("news/*/index.html")]
        topics = [p.parent.name for p in out.glob("topics/*/index.html")]
        assert len(articles) == report.stories
        assert len(topics) == report.topics
        assert all(SAFE_SEGMENT.match(s) for s in articles + topics), articles + topics
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["out", "site"]


# -- XSS ----------------------------------------------------------------------------------

SCRIPTS = [
    "<script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "</title><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "{{ 7 * 7 }}{% raw %}",
    "\u2028</script>\u2029",
]
BAD_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "&#106;avascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+", "vbscript:msgbox(1)",
    "//evil.example/x", "\\\\evil.example/x", "/\\evil.example",
    "https://ok.example/\" onmouseover=\"alert(1)",
    "http://", "https://[::1", "file:///etc/passwd",
]
MARKDOWN = """\
<script>alert(1)</script>

<img src=x onerror=alert(1)> <a href="javascript:alert(1)">raw</a>

[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](&#106;avascript:alert(1))
[d](vbscript:msgbox(1)) [e](data:text/html,x) [f](//evil.example/x) [g](  javascript:x)
![h](data:image/png;base64,AAAA) ![i](data:image/svg+xml,<svg/onload=alert(1)>)
<javascript:alert(1)> <https://fine.example/ok>

[ref]: javascript:alert(1)
See [ref].

```html
<script>alert("in code")</script>
```
"""


def xss_site(make_site: Any) -> Path:
    """A site whose every string field carries a payload."""
    files: dict[str, str | bytes] = {}
    for i, payload in enumerate(SCRIPTS):
        url = BAD_URLS[i % len(BAD_URLS)]
        story = {
            "title": payload, "excerpt": payload, "category": payload, "type": payload,
            "publishedDateTime": f"2020-06-{i + 1:02d}T03:58:00Z",
            "webUrl": url, "originalUrl": BAD_URLS[-i % len(BAD_URLS)], "ampWebUrl": url,
            "provider": {"name": payload, "domain": payload,
                         "images": [{"url": url, "width": 10, "height": 10}]},
            "topics": [payload, "Safe topic"],
            "images": [{"url": url, "width": 640, "height": 480, "title": payload},
                       {"url": "https://img.example/ok.jpg", "width": 640, "height": 480,
                        "title": payload}],
            "related": [{"title": payload, "webUrl": u, "excerpt": payload,
                         "provider": {"name": payload},
                         "images": [{"url": u, "width": 1, "height": 1}]} for u in BAD_URLS],
            "secured": f"s3cr3t-{i}-token",
        }
        text = "---\n" + yaml.safe_dump(story, allow_unicode=True) + "---\n" + MARKDOWN
        files[f"content/2020-06-{i + 1:02d}-story-{i}.md"] = text.replace(
            "[ref]", f"[ref{i}]")
    files["content/plain-body.txt"] = "<script>alert('body')</script>\n\n• <b onclick=x>\n"
    for i, url in enumerate(BAD_URLS):
        files[f"content/url-{i}.md"] = "---\n" + yaml.safe_dump({
            "title": f"URL case {i}", "publishedDateTime": "2020-07-01T00:00:00Z",
            "webUrl": url, "images": [{"url": url, "width": 5, "height": 5}]}) + "---\n"
    return make_site(files)


URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "cite",
                  "background", "data", "xlink:href", "ping", "manifest", "icon"}
BANNED_ELEMENTS = {"iframe", "object", "embed", "form", "base", "frame", "frameset", "applet",
                   "svg", "math", "style", "template", "noscript"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")
OUR_REDIRECT = re.compile(r"0; url=/(?![/\\])[\w./~%-]*")
"""The refresh of our redirect pages (``page/1/`` of a listing, to its first page; the
folders with no page of their own, ``REDIRECT_FILES``): to a path on this site, made of a
slug; any other refresh is an injection."""
REDIRECT_FILES = re.compile(r".*page/(?:1/)?index\.html|news/index\.html"
                            r"|api/(?:topics/|news/(?:[^/]+/)?)?index\.html")
"""Where our redirect pages are: ``page/1/`` and ``page/`` of each listing, ``news/`` and
the JSON API's folders (``pages.folder_redirect``)."""


def unsafe_url(value: str) -> bool:
    """True unless ``value`` is an absolute http(s) URL or a path on this site.

    Browsers drop tabs, newlines and leading blanks in URLs and treat ``\\`` like
    ``/``, so those are removed first; entities are already decoded by the parser.
    """
    url = _INVISIBLE.sub("", value).replace("\\", "/")
    if url.startswith("//"):
        return True
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    if scheme is None:
        return False  # relative: the theme's own links
    return scheme.group(1).lower() not in ("http", "https") or not re.match(
        r"^https?://[^/?#]+", url, re.IGNORECASE)


def html_problems(where: str, root: Any) -> Iterator[str]:
    """Script elements, event handlers, banned elements and unsafe URLs in a parsed tree."""
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if tag == "script":
            if element.get("type") != "application/ld+json":
                yield f"{where}: a <script> element: {ET.tostring(element)[:120]!r}"
            else:
                yield from json_problems(f"{where} (JSON-LD)", json.loads(element.text or ""))
        if tag in BANNED_ELEMENTS:
            yield f"{where}: a <{tag}> element"
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh" \
                and not (REDIRECT_FILES.fullmatch(where)
                         and OUR_REDIRECT.fullmatch(element.get("content") or "")):
            yield f"{where}: a meta refresh"
        for name, value in element.attrib.items():
            lower = name.rsplit("}", 1)[-1].lower()
            if lower.startswith("on"):
                yield f"{where}: event handler {name}={value!r} on <{tag}>"
            if lower in URL_ATTRIBUTES or name.lower().endswith("href"):
                urls = [u.strip().split(" ")[0] for u in value.split(",")] \
                    if lower == "srcset" else [value]
                for url in urls:
                    if unsafe_url(url):
                        yield f"{where}: unsafe URL {lower}={value!r} on <{tag}>"
            if lower == "style" and re.search(r"url\s*\(|expression", value, re.IGNORECASE):
                yield f"{where}: style with a URL {value!r}"


def json_problems(where: str, data: object, key: str = "") -> Iterator[str]:
    """Unsafe URLs under URL-ish keys and unsafe HTML under HTML keys (JSON Feed, JSON-LD)."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from json_problems(where, value, str(name))
    elif isinstance(data, list):
        for value in data:
            yield from json_problems(where, value, key)
    elif isinstance(data, str):
        lower = key.lower()
        if lower.endswith(("url", "image", "icon", "logo", "@id", "sameas", "href")) \
                and unsafe_url(data):
            yield f"{where}: unsafe URL {key}={data!r}"
        if lower.endswith("html"):
            yield from html_problems(f"{where} {key}", parse_fragment(data))


def parse_fragment(text: str) -> Any:
    return html5lib.parseFragment(text, treebuilder="etree", namespaceHTMLElements=False)


FEED_HTML = ("description", "encoded")
"""Feed elements read as HTML besides Atom's ``type="html"`` ones (RSS's ``<description>``,
``<content:encoded>``); the others (Atom's ``<name>``, RSS's ``<title>``, ``<category>``,
``<dc:creator>``) are plain text, where a ``<script>`` is text a reader shows."""


def xml_problems(where: str, text: str) -> Iterator[str]:
    """Feeds: URL attributes and link texts must be safe; escaped HTML inside the
    elements read as HTML is parsed."""
    root = ET.fromstring(text)  # our own output: well-formed XML is itself a requirement
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1].lower() in ("href", "url", "src") and unsafe_url(value):
                yield f"{where}: unsafe URL {name}={value!r} on <{tag}>"
        body = (element.text or "").strip()
        if tag in ("link", "url", "loc", "icon", "logo") and body and unsafe_url(body):
            yield f"{where}: unsafe URL in <{tag}>: {body!r}"
        if "<" in body and (element.get("type") in ("html", "xhtml") or tag in FEED_HTML):
            yield from html_problems(f"{where} <{tag}>", parse_fragment(body))


def output_problems(out: Path) -> list[str]:
    """Every problem in every .html, .xml and .json file of a built site."""
    problems: list[str] = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".html":
            tree = html5lib.parse(path.read_bytes(), treebuilder="etree",
                                  namespaceHTMLElements=False)
            problems.extend(html_problems(rel, tree))
        elif path.suffix in (".xml", ".rss", ".atom"):
            problems.extend(xml_problems(rel, path.read_text(encoding="utf-8")))
        elif path.suffix == ".json":
            problems.extend(json_problems(rel, json.loads(path.read_text(encoding="utf-8"))))
    return problems


@pytest.fixture
def xss_build(make_site: Any, tmp_path: Path) -> Path:
    site = xss_site(make_site)
    config, problems = load_config(site, output=tmp_path / "out")
    assert not problems
    report = build(config)
    assert report.stories == len(SCRIPTS) + len(BAD_URLS) + 1
    return tmp_path / "out"


def test_no_output_file_carries_a_script_handler_or_unsafe_url(xss_build: Path) -> None:
    assert list(xss_build.rglob("*.html"))
    assert output_problems(xss_build) == []


def test_payloads_are_shown_as_text_not_dropped(xss_build: Path) -> None:
    shown: set[str] = set()
    for path in xss_build.glob("news/*/index.html"):
        tree = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
        for h1 in tree.iter("h1"):
            shown.add("".join(h1.itertext()))
    for payload in SCRIPTS:
        assert payload.strip() in {s.strip() for s in shown}, payload


def test_secured_values_never_reach_the_output(xss_build: Path) -> None:
    for path in xss_build.rglob("*"):
        if path.is_file():
            assert b"s3cr3t-" not in path.read_bytes(), path


def test_the_checker_itself_catches_each_kind_of_injection(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    bad = {
        "a.html": "<p>x</p><script>alert(1)</script>",
        "b.html": "<img src=x onerror=alert(1)>",
        "c.html": '<a href="&#106;avascript:alert(1)">x</a>',
        "d.html": '<a href="java\tscript:x">x</a>',
        "e.html": '<img src="//evil.example/x.png">',
        "f.html": '<script type="application/ld+json">{"url": "javascript:x"}</script>',
        "g.xml": "<rss><channel><item><description>&lt;img src=x onerror=alert(1)&gt;"
                 "</description></item></channel></rss>",
        "h.json": '{"items": [{"url": "javascript:x", "content_html": "<script>x</script>"}]}',
        "i.html": '<a href="data:text/html,x">x</a>',
        "j.html": '<meta http-equiv="refresh" content="0; url=/topics/x/">',  # (not page/1/)
        "news/x/index.html": '<meta http-equiv="refresh" content="0; url=/topics/x/">',
        "k-page/1/index.html": '<meta http-equiv="refresh" content="0; url=//evil.example/">',
    }
    for name, text in bad.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    found = output_problems(out)
    for name in bad:
        assert any(problem.startswith(name) for problem in found), (name, found)
    assert len([p for p in found if p.startswith("h.json")]) == 2
