"""Sub-path hosting on a real nginx: the site built for ``http://127.0.0.1:PORT/news-digest/``
is served there, and a crawl from the home page finds no 404 and reaches every article,
topic page and feed."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import fromstring

import pytest

from generator.pages import NOT_INDEXED, plan_html_pages
from tests.support.nginx import free_port, serve_with_nginx
from tests.support.published import Published, publish

PREFIX = "/news-digest/"


class LinkParser(HTMLParser):
    """Every href/src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def links_in(url: str, content_type: str, body: bytes) -> list[str]:
    """Links in a page or a feed, made absolute."""
    if content_type.startswith("text/html"):
        parser = LinkParser()
        parser.feed(body.decode("utf-8"))
        found = parser.links
    elif url.endswith(".xml"):
        root = fromstring(body)
        found = [e.get("href", "") for e in root.iter("{http://www.w3.org/2005/Atom}link")]
        found += [e.text or "" for e in root.iter() if e.tag in ("link", "loc",
                  "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    elif url.endswith(".json"):
        document = json.loads(body)
        found = [item["url"] for item in document.get("items", [])]
    else:
        found = []
    return [urljoin(url, link.strip()) for link in found if link.strip()]


class RedirectParser(HTMLParser):
    """What a redirect page says: its refresh, canonical link, robots meta and links."""

    def __init__(self) -> None:
        super().__init__()
        self.refresh: list[str] = []
        self.canonical: list[str] = []
        self.robots: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "meta" and found.get("http-equiv", "").lower() == "refresh":
            self.refresh.append(found.get("content", ""))
        elif tag == "meta" and found.get("name") == "robots":
            self.robots.append(found.get("content", ""))
        elif tag == "link" and found.get("rel") == "canonical":
            self.canonical.append(found.get("href", ""))
        elif tag == "a":
            self.links.append(found.get("href", ""))


def crawl(start: str) -> tuple[set[str], list[str]]:
    """Every URL under ``start`` reachable from it; and those that answered 404."""
    seen, missing = {start}, []
    queue = deque([start])
    while queue:
        url = queue.popleft()
        status, content_type, body = fetch(url)
        if status == 404:
            missing.append(url)
            continue
        assert status == 200, (url, status)
        for link in links_in(url, content_type, body):
            link = link.split("#", 1)[0]
            if link.startswith(start) and link not in seen:
                seen.add(link)
                queue.append(link)
    return seen, missing


@pytest.mark.parametrize("which", ["sample", "corpus"])
def test_a_crawl_under_the_sub_path_finds_everything_and_no_404(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    site: Path = request.getfixturevalue(f"{which}_site")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{PREFIX}"
    published: Published = publish(site, tmp_path / "out", base_url=base_url, page_size=3)
    with serve_with_nginx(published.output, prefix=PREFIX, port=port) as served:
        assert served == base_url
        seen, missing = crawl(base_url)
        outside_status = fetch(f"http://127.0.0.1:{port}/news/")[0]
    assert missing == []
    expected = {published.url_of(page.path) for page in plan_html_pages(published.site)
                if page.kind not in NOT_INDEXED}  # every article and every page of every
    # topic (not the 404 page, nor the redirects at page/1/: nothing links them)
    assert len(expected) > len(published.site.articles) + len(published.site.topics)
    for topic in published.site.topics:
        expected.update(published.url_of(topic.ref.path + name)
                        for name in ("atom.xml", "rss.xml", "feed.json"))
    expected.update(published.url_of(name) for name in ("atom.xml", "rss.xml", "feed.json"))
    assert expected - seen == set()
    assert all(urlsplit(url).path.startswith(PREFIX) for url in seen)
    assert outside_status == 404  # nothing is served outside the sub-path


def test_a_browser_under_the_sub_path_gets_every_local_request_and_the_icon(
    sample_site: Path, tmp_path: Path
) -> None:
    """Real Chromium on pages of each kind: no request to the site fails (stylesheet,
    icon, scripts, links followed), nothing but the stories' own images is asked of
    another host, and the page's icon is there, as SVG."""
    from tests.support.browser import launch_chromium

    port = free_port()
    base_url = f"http://127.0.0.1:{port}{PREFIX}"
    published = publish(sample_site, tmp_path / "out", base_url=base_url, page_size=2)
    urls = [base_url, base_url + "topics/", published.url_of(published.site.topics[0].ref.path),
            published.url_of(published.site.articles[0].path), base_url + "archive/",
            base_url + "archive/2020/06/", base_url + "no-such-page/"]
    failed: list[str] = []
    outside: list[tuple[str, str]] = []
    icons: list[str] = []
    with serve_with_nginx(published.output, prefix=PREFIX, port=port), \
            launch_chromium() as browser:
        context = browser.new_context()

        def route(route: Any) -> None:  # (no internet here: other hosts are refused)
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                outside.append((route.request.resource_type, route.request.url))
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/no-such-page/") else None)
        page.on("requestfailed", lambda r: failed.append(f"failed {r.url}")
                if urlsplit(r.url).hostname == "127.0.0.1" else None)
        for url in urls:
            page.goto(url, wait_until="networkidle")  # (not "load": going on while the icon
            # or an image is still asked for cancels it, a failed request of the site)
            icons.append(page.eval_on_selector('link[rel="icon"]', "link => link.href"))
        icon = context.request.get(icons[0])
        icon_status, icon_type, icon_body = icon.status, icon.headers["content-type"], icon.body()
        context.close()
    assert failed == []
    assert outside and {kind for kind, _url in outside} == {"image"}, outside
    assert set(icons) == {base_url + "static/favicon.svg"}  # (the 404 page's too)
    assert icon_status == 200 and icon_type.startswith("image/svg+xml")
    assert icon_body.startswith(b"<svg")


@pytest.mark.parametrize("prefix", [PREFIX, "/"])
def test_page_1_of_a_listing_sends_the_reader_to_its_first_page(
    prefix: str, sample_site: Path, tmp_path: Path
) -> None:
    """``page/1/`` of the home page and of a topic numbered from the newest (whose further
    pages are at ``page/2/``...) answers, under a sub-path or at the host's root, with a page that
    sends readers and crawlers to the listing's first page: a refresh, a canonical link,
    noindex and a plain link; and a browser that opens it lands there."""
    from tests.support.browser import launch_chromium

    port = free_port()
    base_url = f"http://127.0.0.1:{port}{prefix}"
    published = publish(sample_site, tmp_path / "out", base_url=base_url, page_size=1,
                        cluster_threshold=2.0,  # (no events: a card per story, four of AI)
                        pagination="newest-first")
    topic = published.site.topics[0]
    assert (published.output / topic.ref.path / "page/2/index.html").is_file()
    first_pages = {base_url + "page/1/": base_url,
                   published.url_of(topic.ref.path + "page/1/"): published.url_of(topic.ref.path)}
    landed: list[str] = []
    with serve_with_nginx(published.output, prefix=prefix, port=port) as served:
        assert served == base_url
        answers = {url: fetch(url) for url in first_pages}
        with launch_chromium() as browser:
            page = browser.new_page()
            for url, first in first_pages.items():
                page.goto(url)
                page.wait_for_url(first)
                landed.append(page.url)
    for url, first in first_pages.items():
        status, content_type, body = answers[url]
        assert status == 200 and content_type.startswith("text/html"), url
        said = RedirectParser()
        said.feed(body.decode("utf-8"))
        assert said.refresh == [f"0; url={urlsplit(first).path}"]
        assert said.canonical == [first]  # (absolute, as every canonical link)
        assert said.robots == ["noindex"]
        assert [urljoin(url, link) for link in said.links] == [first]
    assert landed == list(first_pages.values())



def test_a_reader_walks_a_topic_s_pages_older_and_newer_in_a_browser(
        sample_site: Path, tmp_path: Path) -> None:
    """Numbered from the oldest (the default), a topic's pages still read newest first:
    from its first page, "Older →" leads through page/3/, page/2/ and page/1/ (the
    oldest), each story once, and "← Newer" leads back; served by nginx under a sub-path."""
    from tests.support.browser import launch_chromium

    port = free_port()
    base_url = f"http://127.0.0.1:{port}{PREFIX}"
    published = publish(sample_site, tmp_path / "out", base_url=base_url, page_size=1,
                        cluster_threshold=2.0)  # (no events: a card per story, four of AI)
    topic = published.site.topics[0]
    first = published.url_of(topic.ref.path)
    older: list[tuple[str, list[str]]] = []
    newer: list[str] = []
    with serve_with_nginx(published.output, prefix=PREFIX, port=port), \
            launch_chromium() as browser:
        page = browser.new_page()
        page.goto(first)
        while True:
            older.append((page.url, page.locator(".card h2, .card h3").all_inner_texts()))
            link = page.locator('nav.pager a[rel="next"]')
            if link.count() == 0:
                break
            link.click()
            page.wait_for_load_state()
        while (link := page.locator('nav.pager a[rel="prev"]')).count():
            link.click()
            page.wait_for_load_state()
            newer.append(page.url)
    assert [url for url, _titles in older] == [
        first, *(f"{first}page/{n}/" for n in (3, 2, 1))]
    assert [title for _url, titles in older for title in titles] == [
        published.site.by_slug[slug].title for slug in topic.articles]
    assert len(older[0][1]) == 1 and len(topic.articles) == 4
    assert newer == [f"{first}page/{n}/" for n in (2, 3)] + [first]

def test_files_of_root_are_served_at_the_hosts_root(sample_site: Path, tmp_path: Path) -> None:
    """What root/ holds is served where hosts, crawlers and ad networks ask for it:
    ``/ads.txt``, ``/.well-known/security.txt``, a verification file, and root/'s own
    robots.txt instead of the generated one."""
    files = {"ads.txt": "google.com, pub-1, DIRECT\n",
             ".well-known/security.txt": "Contact: mailto:security@example.org\n",
             "google123.html": "google-site-verification: google123.html\n",
             "robots.txt": "User-agent: *\nDisallow: /api/\n"}
    for rel, text in files.items():
        (sample_site / "root" / rel).parent.mkdir(parents=True, exist_ok=True)
        (sample_site / "root" / rel).write_text(text, encoding="utf-8")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    published = publish(sample_site, tmp_path / "out", base_url=base_url)
    with serve_with_nginx(published.output, prefix="/", port=port):
        answers = {rel: fetch(base_url + rel) for rel in files}
    for rel, text in files.items():
        status, _type, body = answers[rel]
        assert (status, body.decode("utf-8")) == (200, text), rel
    assert answers["ads.txt"][1].startswith("text/plain")


def test_the_folders_of_the_addresses_answer_under_the_sub_path(
        sample_site: Path, tmp_path: Path) -> None:
    """A publisher's trial: addresses trimmed to a folder (``news/``, as Hugo lists a
    section there; ``archive/2020/``; ``topics/ai/page/``) answered 403 on nginx. Each
    folder the build makes, but ``static/``, answers with a page: the archive's year
    its months, the others a redirect to the page a reader expects."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{PREFIX}"
    published = publish(sample_site, tmp_path / "out", base_url=base_url, page_size=3)
    folders = [rel for folder in sorted(published.output.rglob("*")) if folder.is_dir()
               and not re.fullmatch(r"static/|api/.*page/(\d+/)?", rel := folder.relative_to(
                   published.output).as_posix() + "/")]  # (an API page's address is its JSON)
    assert {"news/", "archive/2020/", "topics/ai/page/", "page/", "api/", "api/news/",
            "api/news/ai/"} <= set(folders)
    with serve_with_nginx(published.output, prefix=PREFIX, port=port):
        answers = {folder: fetch(published.url_of(folder)) for folder in folders}
        static = fetch(published.url_of("static/"))[0]
    refreshes = {}
    for folder, (status, content_type, body) in answers.items():
        assert status == 200 and content_type.startswith("text/html"), folder
        said = RedirectParser()
        said.feed(body.decode("utf-8"))
        if said.refresh:
            refreshes[folder] = said.refresh[0].removeprefix(f"0; url={PREFIX}")
    assert "archive/2020/" not in refreshes and '<h1 class="page-title">2020</h1>' in answers[
        "archive/2020/"][2].decode("utf-8")
    assert refreshes["news/"] == "archive/"
    assert refreshes["page/"] == ""
    assert refreshes["topics/ai/page/"] == "topics/ai/"
    assert refreshes["api/"] == "api/topics/index.json"
    assert refreshes["api/news/ai/"] == "api/news/ai/index.json"
    assert static == 403  # (no page: the theme's files, and a site's own)
