"""Tests of the browser and hosting helpers in tests/support.

These use the real system nginx and headless Chromium. When either is missing
the tests fail (never skip) with a message to run scripts/install-test-deps.sh.
"""

from __future__ import annotations

import socket
import struct
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import browser as browser_mod
from tests.support import nginx as nginx_mod
from tests.support.browser import launch_chromium, screenshot_url
from tests.support.nginx import MissingTestDependency, serve_with_nginx

PREFIX = "/news-digest/"


def make_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid solid-colour RGB PNG, built without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def build_site(root: Path) -> Path:
    (root / "posts").mkdir(parents=True)
    (root / "img").mkdir()
    (root / "index.html").write_text(
        """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test Digest — Home</title></head>
<body>
<h1>Home</h1>
<img id="logo" src="img/logo.png" alt="logo" width="40" height="20">
<a id="to-post" href="posts/first/">First post — café</a>
</body></html>
""",
        encoding="utf-8",
    )
    (root / "posts" / "first").mkdir()
    (root / "posts" / "first" / "index.html").write_text(
        """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>First post</title></head>
<body><h1 id="post-title">First post</h1><a href="../../">back</a></body></html>
""",
        encoding="utf-8",
    )
    (root / "about.html").write_text(
        "<!doctype html><title>About</title><p>About page</p>", encoding="utf-8"
    )
    (root / "404.html").write_text(
        "<!doctype html><title>Not found</title><p>Custom not-found page</p>",
        encoding="utf-8",
    )
    (root / "img" / "logo.png").write_bytes(make_png(40, 20, (200, 30, 30)))
    (root / "feed.xml").write_text('<?xml version="1.0"?><rss version="2.0"></rss>')
    (root / "style.css").write_text("body { background: #fafafa; }")
    return root


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` without following redirects; return status, headers, body."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve_with_nginx(site, prefix=PREFIX) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str):  # type: ignore[no-untyped-def]
    with launch_chromium() as b:
        yield b


# --- nginx -----------------------------------------------------------------


def test_base_url_shape(base_url: str) -> None:
    parts = urlsplit(base_url)
    assert parts.scheme == "http"
    assert parts.hostname == "127.0.0.1"
    assert parts.port and parts.port > 0
    assert parts.path == PREFIX


def test_nginx_serves_index_and_subpages(base_url: str) -> None:
    status, headers, body = fetch(base_url)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>Test Digest — Home</title>" in body.decode("utf-8")

    status, _, body = fetch(base_url + "posts/first/")
    assert status == 200
    assert b'<h1 id="post-title">First post</h1>' in body

    status, _, body = fetch(base_url + "about.html")
    assert status == 200
    assert b"About page" in body


def test_nginx_mime_types(base_url: str, site: Path) -> None:
    status, headers, body = fetch(base_url + "img/logo.png")
    assert status == 200
    assert headers["Content-Type"] == "image/png"
    assert body == (site / "img" / "logo.png").read_bytes()
    assert png_size(body) == (40, 20)

    assert fetch(base_url + "style.css")[1]["Content-Type"].startswith("text/css")
    assert fetch(base_url + "feed.xml")[1]["Content-Type"].startswith("text/xml")


def test_nginx_404_uses_site_page(base_url: str) -> None:
    status, _, body = fetch(base_url + "no-such-page.html")
    assert status == 404
    assert b"Custom not-found page" in body

    status, _, body = fetch(base_url + "posts/missing/")
    assert status == 404
    assert b"Custom not-found page" in body


def test_nginx_prefix_boundaries(base_url: str) -> None:
    origin = base_url[: -len(PREFIX)]
    # Outside the prefix is not the site.
    status, _, body = fetch(origin + "/index.html")
    assert status == 404
    assert b"Test Digest" not in body
    # The prefix without its trailing slash redirects to the site root.
    status, headers, _ = fetch(origin + PREFIX.rstrip("/"))
    assert status == 301
    assert headers["Location"] == PREFIX
    # A directory without its slash redirects to the slashed URL.
    status, headers, _ = fetch(base_url + "posts/first")
    assert status == 301
    assert headers["Location"] == PREFIX + "posts/first/"


def test_nginx_root_prefix_and_no_404_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<title>root site</title>")
    with serve_with_nginx(tmp_path) as url:
        assert urlsplit(url).path == "/"
        status, _, body = fetch(url)
        assert status == 200
        assert b"root site" in body
        status, _, body = fetch(url + "missing")
        assert status == 404  # nginx's own 404 page, as the site has none
        assert b"404" in body


def test_nginx_stops_on_exit(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("hi")
    with serve_with_nginx(tmp_path, prefix="x") as url:
        assert url.endswith("/x/")
        port = urlsplit(url).port
        assert port is not None
        assert fetch(url)[2] == b"hi"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_two_servers_at_once(tmp_path: Path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "index.html").write_text("site a")
    (b / "index.html").write_text("site b")
    with serve_with_nginx(a) as url_a, serve_with_nginx(b, prefix="/b/") as url_b:
        assert url_a != url_b
        assert fetch(url_a)[2] == b"site a"
        assert fetch(url_b)[2] == b"site b"


def test_missing_nginx_fails_with_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nginx_mod, "NGINX_BIN", str(tmp_path / "no-nginx"))
    with (
        pytest.raises(MissingTestDependency, match=r"scripts/install-test-deps\.sh"),
        serve_with_nginx(tmp_path),
    ):
        pass


# --- Chromium --------------------------------------------------------------


def test_chromium_title_image_and_click(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    try:
        response = page.goto(base_url)
        assert response is not None and response.status == 200
        assert page.title() == "Test Digest — Home"
        # The image loaded and decoded (served with the right type).
        assert page.eval_on_selector("#logo", "img => img.complete && img.naturalWidth") == 40

        page.click("#to-post")
        page.wait_for_url(base_url + "posts/first/")
        assert page.title() == "First post"
        assert page.text_content("#post-title") == "First post"

        page.go_back()
        page.wait_for_url(base_url)
        assert page.title() == "Test Digest — Home"
    finally:
        page.close()


def test_chromium_sees_404_status(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    try:
        response = page.goto(base_url + "nope/")
        assert response is not None and response.status == 404
        assert page.title() == "Not found"
    finally:
        page.close()


def test_screenshot_with_shared_browser(browser, base_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = screenshot_url(
        base_url, tmp_path / "shots" / "home.png", browser=browser, width=800, height=600
    )
    assert out == tmp_path / "shots" / "home.png"
    data = out.read_bytes()
    assert len(data) > 1000
    width, height = png_size(data)
    assert width == 800
    assert height >= 600


def test_screenshot_launches_own_browser(base_url: str, tmp_path: Path) -> None:
    out = screenshot_url(base_url + "about.html", tmp_path / "about.png", full_page=False)
    assert png_size(out.read_bytes()) == (1280, 800)


def test_screenshot_rejects_error_page(browser, base_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError, match="HTTP 404"):
        screenshot_url(base_url + "gone.html", tmp_path / "gone.png", browser=browser)


def test_missing_chromium_fails_with_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser_mod, "CHROMIUM_BIN", str(tmp_path / "no-chromium"))
    with (
        pytest.raises(MissingTestDependency, match=r"scripts/install-test-deps\.sh"),
        launch_chromium(),
    ):
        pass


def test_nested_launches_share_one_driver(base_url: str) -> None:
    with launch_chromium() as outer, launch_chromium(args=["--lang=en-US"]) as inner:
        assert outer is not inner
        for b in (outer, inner):
            page = b.new_page()
            page.goto(base_url + "about.html")
            assert page.title() == "About"
            page.close()
    # After both exit, a fresh launch still works (the driver was restarted).
    with launch_chromium() as again:
        assert again.is_connected()
