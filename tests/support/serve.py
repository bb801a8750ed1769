"""Run ``digest serve`` as a real subprocess for tests, and talk to it over raw sockets.

Usage::

    from tests.support.serve import running_server, raw_request

    with running_server(site) as server:
        status, headers, body = raw_request(server.port, "GET", "/%2e%2e/secret")
        server.wait_for_line("rebuilt after")

The server binds 127.0.0.1 on a port the kernel picks (``--port 0``); its
address is read from the ``serving`` line it prints. Every wait is bounded, and
the server is always stopped on exit: SIGINT (as Ctrl-C), then SIGKILL if it
does not exit within 15 s.
"""

from __future__ import annotations

import base64
import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 60.0


@dataclass
class ServerProcess:
    """A running ``digest serve`` and everything it printed so far."""

    process: subprocess.Popen[str]
    url: str = ""
    port: int = 0
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def wait_for_line(self, text: str, *, timeout: float = 30.0, after: int = 0) -> str:
        """The first printed line (from index ``after``) containing ``text``; waits for it."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines[after:]:
                if text in line:
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line with {text!r} within {timeout} s; got:\n"
                                     + "".join(self.lines))
            try:
                got = self._queue.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if got is None:
                raise AssertionError(f"the server exited before printing {text!r}:\n"
                                     + "".join(self.lines))
            self.lines.append(got)

    def drain(self, seconds: float) -> None:
        """Collect whatever is printed during the next ``seconds``."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                return
            if line is None:
                return
            self.lines.append(line)

    def stop(self) -> int:
        """Ctrl-C the server and wait for it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.drain(0.2)
        return self.process.returncode


@contextlib.contextmanager
def running_server(site: Path, *args: str) -> Iterator[ServerProcess]:
    """Start ``digest serve --source site --port 0 ARGS``; stop it on exit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--source", str(site), "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )
    server = ServerProcess(process)
    reader = threading.Thread(target=_read_lines, args=(process, server._queue), daemon=True)
    reader.start()
    try:
        line = server.wait_for_line("serving http://", timeout=START_TIMEOUT)
        match = re.search(r"serving (http://127\.0\.0\.1:(\d+)/)", line)
        assert match, line
        server.url, server.port = match.group(1), int(match.group(2))
        yield server
    finally:
        server.stop()
        reader.join(timeout=5)


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def raw_request(port: int, method: str, target: str, *, headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Send one request exactly as written (no client-side path normalization)."""
    head = {"Host": f"127.0.0.1:{port}", "Connection": "close", **(headers or {})}
    request = f"{method} {target} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if method == "GET" and b"\r\n\r\n" in data and _complete(data):
                break
    return _parse_response(data)


def websocket_handshake(port: int, *, origin: str | None, host: str | None = None,
                        timeout: float = 10.0) -> int:
    """Open the reload socket with a raw handshake; the HTTP status of the answer."""
    key = base64.b64encode(os.urandom(16)).decode()
    headers = {"Host": host or f"127.0.0.1:{port}", "Upgrade": "websocket",
               "Connection": "Upgrade", "Sec-WebSocket-Key": key,
               "Sec-WebSocket-Version": "13"}
    if origin is not None:
        headers["Origin"] = origin
    request = "GET /livereload HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request.encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return match is not None and len(body) >= int(match.group(1))


def _parse_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body
