"""The preview server's HTTP side: site files, the reload script and the reload socket.

livereload's own ``Server`` is not used as is, because it falls short of what a
server left open all day on an editor's machine must guarantee:

- its ``LiveReloadHandler.check_origin`` accepts every Origin, so any web page
  the editor visits could open the reload socket;
- its ``StaticFileHandler`` (Tornado's) checks the *unresolved* path, so a symlink
  inside the folder serves files from outside it, and unknown paths get
  Tornado's error page instead of the site's 404 page;
- it throttles reloads (a reload within 3 s of the previous one is dropped, so
  the browser can keep showing a stale page) and keeps its sockets and watcher
  in class attributes (global state).

What is used from livereload: its browser client (``livereload.js``, served by
its ``LiveReloadJSHandler``), its reload protocol, and its polling ``Watcher``
as the fallback of ``serve_watch``. The rules enforced here:

- only ``GET`` and ``HEAD``; on a loopback address only requests whose ``Host``
  header names this server (so a DNS-rebinding page cannot read the preview);
- only regular files whose *resolved* path is inside the output folder: ``..``,
  ``%2e%2e``, dot-files, absolute paths and symlinks out all give 404;
- unknown paths get the site's own ``404.html`` with status 404;
- the reload script is injected only into ``text/html`` responses;
- the reload socket accepts only this server's own Origin.
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from livereload.handlers import LiveReloadJSHandler
from tornado.web import HTTPError, RequestHandler
from tornado.websocket import WebSocketHandler

from .frozen import frozen
from .output import MARKER

RELOAD_SOCKET = "/livereload"
"""Where browsers open the reload WebSocket (livereload.js's fixed path)."""
RELOAD_SCRIPT = "/livereload.js"
"""Where the livereload browser client is served."""
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_PROTOCOL = "http://livereload.com/protocols/official-7"


@frozen
class ServerAddress:
    """Where the server listens, and the names and origins it answers to."""

    host: str
    """The address bound (``127.0.0.1`` unless ``--host``)."""
    port: int
    """The port bound."""

    @property
    def exposed(self) -> bool:
        """Whether other machines may reach the server (not a loopback address)."""
        if self.host == "localhost":
            return False
        try:
            return not ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return True  # a host name: assume it is reachable from outside

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host = self.host
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        elif ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def allows_host(self, host_header: str) -> bool:
        """Whether a request's ``Host`` header names this server.

        On a loopback address only the loopback names are accepted. When the
        user exposed the server with ``--host`` the names it is reached by are
        not known, so any is accepted (the CLI warns about exposing it).
        """
        if self.exposed:
            return True
        names = {f"{name}:{self.port}" for name in _LOOPBACK_NAMES}
        if self.port == 80:
            names.update(_LOOPBACK_NAMES)
        return host_header.lower() in names

    def allows_origin(self, origin: str | None, host_header: str) -> bool:
        """Whether a page from ``origin`` may open the reload socket: only our own pages."""
        return (origin is not None and self.allows_host(host_header)
                and origin.lower() == f"http://{host_header.lower()}")


def resolve_site_file(root: Path, request_path: str) -> Path | str | None:
    """The file a request path names inside ``root``.

    Returns the resolved file; a string, the location to redirect to (a folder
    asked for without its trailing slash); or None when the path names nothing
    servable: a missing file, ``..`` or ``.`` segments (also percent-encoded), digest's
    own marker file (``output.MARKER``: the site's dot-files, copied from its root/
    folder, are served, ``.well-known/security.txt``), a NUL or backslash, or a file
    whose real path (symlinks followed) is outside ``root``.
    """
    if not request_path.startswith("/"):
        return None  # absolute-form or garbage request targets
    try:
        decoded = unquote(request_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\0" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts) or parts[:1] == [MARKER]:
        return None  # (other dot-files are the site's, from root/: .well-known/...)
    top = os.path.realpath(root)
    found = _inside(top, os.path.join(top, *parts))
    if found is not None and os.path.isdir(found):
        if not request_path.endswith("/"):
            return "/" + "".join(quote(part) + "/" for part in parts)
        found = _inside(top, os.path.join(found, "index.html"))
    if found is None or not os.path.isfile(found):
        return None
    return Path(found)


def _inside(top: str, path: str) -> str | None:
    real = os.path.realpath(path)
    return real if real == top or real.startswith(top + os.sep) else None


def inject_reload_script(page: bytes, script: bytes) -> bytes:
    """``page`` with ``script`` before ``</head>`` (or ``</body>``, or at the end)."""
    lowered = page.lower()
    for tag in (b"</head>", b"</body>"):
        at = lowered.find(tag)
        if at >= 0:
            return page[:at] + script + page[at:]
    return page + script


def inject_notice(page: bytes, notice: bytes) -> bytes:
    """``page`` with ``notice`` first in its ``<body>`` (or first of all)."""
    at = page.lower().find(b"<body")
    end = page.find(b">", at) + 1 if at >= 0 else 0
    return page[:end] + notice + page[end:]


def reload_script(port: int, build: int = 0) -> bytes:
    """The tag that loads the livereload client from this server, for a page of the
    ``build``-th preview that changed what tabs show.

    The client sends its script's ``snipver`` back in its hello, so the socket learns
    which build its page came from: a page served just before a rebuild, whose socket
    connects only after the rebuild told the open tabs to reload, is told then (see
    ``ReloadSocket``)."""
    return f'<script src="{RELOAD_SCRIPT}?port={port}&amp;snipver={build}"></script>'.encode()


def content_type(path: Path) -> str:
    """The Content-Type a site file is served with."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "application/xml",
                                            "application/javascript"):
        return kind + "; charset=utf-8"
    return kind


class _HostChecked(RequestHandler):
    """Refuses requests whose Host header does not name this server."""

    address: ServerAddress

    def prepare(self) -> None:
        if not self.address.allows_host(self.request.host):
            raise HTTPError(403, "unexpected Host header")

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def compute_etag(self) -> None:
        return None  # every response is fresh (no-store): no conditional requests

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


class SiteHandler(_HostChecked):
    """Serves the built preview; shows the error page while the last build failed, and
    its notice atop each page of a site built without some files."""

    SUPPORTED_METHODS = ("GET", "HEAD")

    def initialize(self, *, address: ServerAddress, root: Path,
                   error_page: Callable[[], bytes | None], build: Callable[[], int],
                   notice: Callable[[], bytes | None]) -> None:
        self.address = address
        self.root = root
        self.error_page = error_page
        self.build = build
        self.notice = notice

    def get(self) -> None:
        self._respond(body=True)

    def head(self) -> None:
        self._respond(body=False)

    def _respond(self, *, body: bool) -> None:
        found = resolve_site_file(self.root, self.request.path)
        if isinstance(found, str):
            self.redirect(found + (f"?{self.request.query}" if self.request.query else ""))
            return
        status = 200
        if found is None:
            status, not_found = 404, resolve_site_file(self.root, "/404.html")
            found = not_found if isinstance(not_found, Path) else None
        if found is None:
            data, kind = b"<!DOCTYPE html><title>Not found</title>", "text/html"
        else:
            data, kind = found.read_bytes(), content_type(found)
        if kind.startswith("text/html"):
            failed = self.error_page()
            if failed is not None:
                status, data = 500, failed
            elif (notice := self.notice()) is not None:
                data = inject_notice(data, notice)
            data = inject_reload_script(data, reload_script(self.address.port, self.build()))
            kind = "text/html; charset=utf-8"
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Content-Length", str(len(data)))
        if body:
            self.write(data)
        self.finish()


class ReloadScriptHandler(_HostChecked, LiveReloadJSHandler):  # type: ignore[misc]
    """livereload's browser client, behind the Host check."""

    def initialize(self, *, address: ServerAddress) -> None:
        self.address = address


class ReloadSocket(WebSocketHandler):
    """The livereload protocol's WebSocket: told to reload after each rebuild.

    Only pages served by this server may connect: the Origin header must be
    present and name this server; anything else is refused with 403 before the
    WebSocket handshake.
    """

    def initialize(self, *, address: ServerAddress, sockets: set[ReloadSocket],
                   build: Callable[[], int]) -> None:
        self.address = address
        self.sockets = sockets
        self.build = build

    def prepare(self) -> None:
        origin = self.request.headers.get("Origin")
        if not self.address.allows_origin(origin, self.request.host):
            raise HTTPError(403, "this socket is only for pages of the preview server")

    def check_origin(self, origin: str) -> bool:
        return self.address.allows_origin(origin, self.request.host)

    def on_message(self, message: str | bytes) -> None:
        try:
            hello = json.loads(message)
            command = hello.get("command")
        except (ValueError, AttributeError):
            return  # not the livereload protocol: ignore the message, keep the socket
        if command == "hello":
            self.write_message({"command": "hello", "protocols": [_PROTOCOL],
                                "serverName": "digest"})
            self.sockets.add(self)
            served = hello.get("snipver")  # (the build its page came from: see reload_script)
            if served is not None and str(served) != str(self.build()):
                self.send_reload()

    def on_close(self) -> None:
        self.sockets.discard(self)

    def send_reload(self) -> None:
        """Tell the page to reload itself."""
        self.write_message({"command": "reload", "path": "*", "liveCSS": False,
                            "liveImg": False})
