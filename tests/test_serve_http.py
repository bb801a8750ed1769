"""``digest serve`` over raw HTTP: what it serves, what it refuses, who may open the socket.

Requests go through raw sockets so that ``..`` and ``%2e%2e`` reach the server
exactly as written (no client normalizes them away).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.serve_build import preview_folder
from generator.serve_http import (
    ServerAddress,
    inject_notice,
    inject_reload_script,
    reload_script,
    resolve_site_file,
)
from tests.support.serve import ServerProcess, raw_request, running_server, websocket_handshake

SECRET = "TOP-SECRET-do-not-serve"


@pytest.fixture
def served(sample_site: Path, tmp_path: Path) -> Iterator[tuple[ServerProcess, Path]]:
    """The sample site served, with secrets planted outside the output folder."""
    (sample_site / "secret.txt").write_text(SECRET)
    (tmp_path / "secret.txt").write_text(SECRET)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    with running_server(sample_site) as server:
        output = preview_folder(sample_site)
        (output.parent / "secret.txt").write_text(SECRET)
        (output / "leak.txt").symlink_to(tmp_path / "secret.txt")
        (output / "leakdir").symlink_to(outside, target_is_directory=True)
        (output / "planted.txt").write_text("planted inside")
        (output / "alias.html").symlink_to(output / "404.html")
        (output / "data.json").write_text('{"html": "</head></body>"}')
        (output / "feed.xml").write_text("<feed><title>&lt;/head&gt;</title></head></feed>")
        yield server, output


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/topics/../../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt",
    "/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..%2f..%2fsecret.txt",
    "/static/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/%252e%252e/%252e%252e/secret.txt",
    "/..\\..\\secret.txt",
    "/%5c..%5c..%5csecret.txt",
    "/" + str(Path("/etc/passwd")).lstrip("/"),
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "http://127.0.0.1/../../secret.txt",
    "/leak.txt",
    "/leakdir/secret.txt",
    "/leakdir/",
    "/.digest-output",
    "/%00/secret.txt",
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_traversal_and_symlinks_out_get_404_and_no_secret(
        served: tuple[ServerProcess, Path], method: str) -> None:
    server, _output = served
    for target in TRAVERSALS:
        status, _headers, body = raw_request(server.port, method, target)
        assert status == 404, (target, status)
        assert SECRET.encode() not in body, target
        assert b"root:" not in body, target


def test_files_inside_the_output_are_served(served: tuple[ServerProcess, Path]) -> None:
    server, _output = served
    assert raw_request(server.port, "GET", "/planted.txt")[:3:2] == (200, b"planted inside")
    status, _h, body = raw_request(server.port, "GET", "/alias.html")
    assert status == 200 and b"Page not found" in body  # a symlink that stays inside is fine
    status, headers, _b = raw_request(server.port, "GET", "/topics")
    assert status == 302 and headers["location"] == "/topics/"
    status, _h, body = raw_request(server.port, "GET", "/topics/ai/")
    assert status == 200 and b"<h1" in body


def test_dot_files_of_the_site_are_served_but_not_digests_marker(tmp_path: Path) -> None:
    """The site's dot-files and dot-folders (copied from its root/: ``.well-known/``) are
    served as the host will serve them; digest's own marker file is not."""
    (tmp_path / ".well-known").mkdir()
    (tmp_path / ".well-known" / "security.txt").write_text("Contact: x")
    (tmp_path / ".nojekyll").write_text("")
    (tmp_path / ".digest-output").write_text("digest output x")
    assert resolve_site_file(tmp_path, "/.well-known/security.txt") == \
        (tmp_path / ".well-known" / "security.txt").resolve()
    assert resolve_site_file(tmp_path, "/.nojekyll") == (tmp_path / ".nojekyll").resolve()
    assert resolve_site_file(tmp_path, "/.well-known") == "/.well-known/"
    for refused in ("/.digest-output", "/./.digest-output", "/.well-known/../.digest-output",
                    "/%2e/.nojekyll", "/.well-known/%2e%2e/.nojekyll"):
        assert resolve_site_file(tmp_path, refused) is None, refused


def test_unknown_paths_get_the_sites_404_page(served: tuple[ServerProcess, Path]) -> None:
    server, _output = served
    for target in ("/no-such-page/", "/news/nothing/", "/static/none.css", "/x.html"):
        status, headers, body = raw_request(server.port, "GET", target)
        assert status == 404, target
        assert headers["content-type"].startswith("text/html")
        assert b"Page not found" in body and b'class="site-header"' in body
        assert reload_script(server.port) in body


def test_reload_script_is_injected_only_into_html(served: tuple[ServerProcess, Path]) -> None:
    server, _output = served
    script = reload_script(server.port)
    status, headers, body = raw_request(server.port, "GET", "/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert body.count(script) == 1 and body.index(script) < body.index(b"</head>")
    assert int(headers["content-length"]) == len(body)
    for target in ("/static/digest.css", "/data.json", "/feed.xml", "/planted.txt"):
        status, headers, body = raw_request(server.port, "GET", target)
        assert status == 200, target
        assert b"livereload" not in body, target
        assert "html" not in headers["content-type"], target
    status, headers, body = raw_request(server.port, "HEAD", "/")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    status, _h, body = raw_request(server.port, "GET", "/livereload.js")
    assert status == 200 and b"LiveReload" in body


def test_only_get_and_head(served: tuple[ServerProcess, Path]) -> None:
    server, _output = served
    for method in ("POST", "PUT", "DELETE"):
        assert raw_request(server.port, method, "/")[0] == 405


def test_foreign_origin_cannot_open_the_reload_socket(served: tuple[ServerProcess, Path]) -> None:
    server, _output = served
    port = server.port
    assert websocket_handshake(port, origin=f"http://127.0.0.1:{port}") == 101
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null",
                   f"https://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}",
                   f"http://localhost:{port}", None):
        assert websocket_handshake(port, origin=origin) == 403, origin
    # DNS rebinding: a foreign name resolving to 127.0.0.1 sends its own Host and Origin.
    assert websocket_handshake(port, origin=f"http://evil.example:{port}",
                               host=f"evil.example:{port}") == 403


def test_requests_for_another_host_name_are_refused(served: tuple[ServerProcess, Path]) -> None:
    server, _output = served
    status, _h, body = raw_request(server.port, "GET", "/", headers={"Host": "evil.example"})
    assert status == 403 and b"<h1" not in body
    status, _h, _b = raw_request(server.port, "GET", "/",
                                 headers={"Host": f"localhost:{server.port}"})
    assert status == 200


def test_ctrl_c_leaves_a_complete_output_and_build_untouched(sample_site: Path) -> None:
    with running_server(sample_site) as server:
        story = sorted((sample_site / "content").glob("*.txt"))[0]
        story.write_text(story.read_text(encoding="utf-8") + "\n\nOne more line.\n",
                         encoding="utf-8")
        server.wait_for_line("rebuilt after content/")
        assert server.stop() == 0
    assert any("stopped; the preview" in line for line in server.lines)
    output = preview_folder(sample_site)
    assert (output / "index.html").is_file() and (output / "404.html").is_file()
    assert not [p for p in output.parent.iterdir() if "staging" in p.name or "journal" in p.name]
    assert not (sample_site / "build").exists()


# --- the rules on their own ---------------------------------------------------------------


def test_resolve_site_file(tmp_path: Path) -> None:
    root = tmp_path / "out"
    (root / "news" / "a").mkdir(parents=True)
    (root / "news" / "a" / "index.html").write_text("a")
    (root / "index.html").write_text("home")
    (tmp_path / "secret").write_text(SECRET)
    os.symlink(tmp_path / "secret", root / "link")
    assert resolve_site_file(root, "/") == (root / "index.html").resolve()
    assert resolve_site_file(root, "/news/a/") == (root / "news/a/index.html").resolve()
    assert resolve_site_file(root, "/news/a") == "/news/a/"
    for bad in ("/../secret", "/%2e%2e/secret", "/link", "secret", "/%ff", "/a\\b", "/.x"):
        assert resolve_site_file(root, bad) is None, bad


def test_injection_and_addresses() -> None:
    script = b"<script></script>"
    assert inject_reload_script(b"<HTML><HEAD></HEAD></HTML>", script) == \
        b"<HTML><HEAD><script></script></HEAD></HTML>"
    assert inject_reload_script(b"<p>x</p></body>", script) == b"<p>x</p><script></script></body>"
    assert inject_reload_script(b"<p>x</p>", script) == b"<p>x</p><script></script>"
    notice = b"<aside>!</aside>"
    assert inject_notice(b'<html><BODY class="x"><p>x</p></body>', notice) == \
        b'<html><BODY class="x"><aside>!</aside><p>x</p></body>'
    assert inject_notice(b"<p>x</p>", notice) == b"<aside>!</aside><p>x</p>"
    local = ServerAddress("127.0.0.1", 8000)
    assert not local.exposed and local.url == "http://127.0.0.1:8000/"
    assert local.allows_host("localhost:8000") and not local.allows_host("evil:8000")
    assert local.allows_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert not local.allows_origin("http://evil:8000", "evil:8000")
    assert ServerAddress("0.0.0.0", 8000).exposed
    assert ServerAddress("192.168.1.5", 80).exposed
    assert not ServerAddress("localhost", 80).exposed
    assert not ServerAddress("::1", 8000).exposed


def _hello(port: int, **fields: object) -> list[str]:
    """Open the reload socket as a page's client does, say hello (with ``fields``) and
    return the commands the server sends within a second."""
    import asyncio
    import json

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def talk() -> list[str]:
        request = HTTPRequest(f"ws://127.0.0.1:{port}/livereload",
                              headers={"Origin": f"http://127.0.0.1:{port}"})
        connection = await websocket_connect(request)
        connection.write_message(json.dumps({"command": "hello", "protocols": [], **fields}))
        commands = []
        try:
            while (message := await asyncio.wait_for(connection.read_message(), 1.0)):
                commands.append(json.loads(message)["command"])
        except TimeoutError:
            pass
        connection.close()
        return commands

    return asyncio.run(talk())


def test_a_page_served_just_before_a_rebuild_reloads_when_its_socket_connects(
    sample_site: Path,
) -> None:
    """A page can be served between a save and its rebuild, and its reload socket connect
    after the rebuild told the open tabs to reload: the page names its build, and the
    socket of an older page is told to reload as it says hello."""
    story = sample_site / "content" / "004_0d61241bf81a81b1.txt"
    with running_server(sample_site) as server:
        _status, _h, before = raw_request(server.port, "GET", "/")
        assert reload_script(server.port, 0) in before
        assert _hello(server.port, snipver=0) == ["hello"]
        start = len(server.lines)
        story.write_text(story.read_text("utf-8").replace("IBM will", "IBM shall"), "utf-8")
        server.wait_for_line("rebuilt after", after=start)
        _status, _h, after = raw_request(server.port, "GET", "/")
        assert reload_script(server.port, 1) in after and b"IBM shall" in after
        assert _hello(server.port, snipver=0) == ["hello", "reload"]  # (the page of before)
        assert _hello(server.port, snipver=1) == ["hello"]
        assert _hello(server.port) == ["hello"]  # (a client that names no build)
