"""Serve a built site with a real nginx, the way static hosting would.

Usage::

    from tests.support.nginx import serve_with_nginx

    with serve_with_nginx(site_dir, prefix="/news-digest/") as base_url:
        # base_url == "http://127.0.0.1:PORT/news-digest/"
        ...

The nginx binary comes from Debian (``scripts/install-test-deps.sh``); when it
is missing, :class:`MissingTestDependency` is raised so the test fails with a
message saying what to run (tests are never skipped for a missing part).

Each call runs its own nginx in the foreground (``daemon off``) on a free port
of 127.0.0.1, with its configuration, pid file, logs and temp paths inside a
private temporary directory, and stops it on exit. It works as root and as a
normal user.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

NGINX_BIN = "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"
INSTALL_HINT = "run `scripts/install-test-deps.sh` (as root) to install it"

__all__ = [
    "MissingTestDependency",
    "NginxError",
    "NGINX_BIN",
    "serve_with_nginx",
    "free_port",
    "normalize_prefix",
    "render_nginx_conf",
]


class MissingTestDependency(RuntimeError):
    """A system program the tests need is not installed."""


class NginxError(RuntimeError):
    """nginx did not start (or did not answer) as expected."""


def normalize_prefix(prefix: str) -> str:
    """Return ``prefix`` as a URL path that starts and ends with ``/``."""
    if any(c in prefix for c in "\"'\\;{}\n\r\t ?#"):
        raise ValueError(f"unsupported characters in URL prefix: {prefix!r}")
    parts = [p for p in prefix.split("/") if p]
    return "/" + "".join(p + "/" for p in parts)


def _quote(value: str) -> str:
    """Quote a string for nginx.conf."""
    if any(c in value for c in "\n\r\0"):
        raise ValueError(f"unsupported characters in nginx value: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free right now."""
    return _free_port()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render_nginx_conf(
    root_dir: Path,
    *,
    prefix: str,
    port: int,
    workdir: Path,
    with_404_page: bool,
) -> str:
    """Build the nginx.conf text (exposed for inspection in tests)."""
    root = str(Path(root_dir).resolve())
    prefix = normalize_prefix(prefix)
    w = Path(workdir)

    lines = []
    if os.geteuid() == 0:
        # As root, nginx would otherwise drop workers to "nobody", which cannot
        # read a private temp dir such as pytest's tmp_path (mode 0700).
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        lines.append(f"user {user} {group};")
    lines += [
        "daemon off;",
        "master_process on;",
        "worker_processes 1;",
        f"pid {_quote(str(w / 'nginx.pid'))};",
        f"error_log {_quote(str(w / 'error.log'))} warn;",
        "events { worker_connections 128; }",
        "http {",
        f"    include {_quote(MIME_TYPES)};",
        "    default_type application/octet-stream;",
        "    charset utf-8;",
        "    charset_types text/html text/plain text/css text/xml"
        " application/javascript application/json application/rss+xml"
        " application/atom+xml image/svg+xml;",
        f"    access_log {_quote(str(w / 'access.log'))};",
        f"    client_body_temp_path {_quote(str(w / 'client_body'))};",
        f"    proxy_temp_path {_quote(str(w / 'proxy'))};",
        f"    fastcgi_temp_path {_quote(str(w / 'fastcgi'))};",
        f"    uwsgi_temp_path {_quote(str(w / 'uwsgi'))};",
        f"    scgi_temp_path {_quote(str(w / 'scgi'))};",
        "    sendfile on;",
        # Redirects (e.g. /dir -> /dir/) keep a relative Location header.
        "    absolute_redirect off;",
        "    server_tokens off;",
        "    server {",
        f"        listen 127.0.0.1:{port};",
        "        server_name localhost;",
        "        index index.html;",
    ]
    if with_404_page:
        lines.append(f"        error_page 404 {prefix}404.html;")
    lines.append(f"        location {prefix} {{ alias {_quote(root + '/')}; }}")
    if prefix != "/":
        # The bare prefix without its slash goes to the site; anything outside
        # the prefix is not part of the site.
        lines.append(f"        location = {prefix[:-1]} {{ return 301 {prefix}; }}")
        lines.append("        location / { return 404; }")
    lines += ["    }", "}", ""]
    return "\n".join(lines)


def _wait_for_port(
    proc: subprocess.Popen[bytes], port: int, pid_file: Path, timeout: float
) -> None:
    # nginx writes its pid file only after it has bound its sockets, so a
    # port that answers while the pid file exists is our nginx, not a stranger.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise NginxError(f"nginx exited early with status {proc.returncode}")
        if pid_file.exists():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    if proc.poll() is None:
                        return
            except OSError:
                pass
        time.sleep(0.05)
    raise NginxError(f"nginx did not answer on 127.0.0.1:{port} within {timeout}s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGQUIT)  # graceful shutdown
    try:
        proc.wait(timeout=5)
        return
    except subprocess.TimeoutExpired:
        pass
    proc.terminate()  # fast shutdown
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


@contextlib.contextmanager
def serve_with_nginx(
    root_dir: str | os.PathLike[str],
    *,
    prefix: str = "/",
    startup_timeout: float = 10.0,
    port: int | None = None,
) -> Iterator[str]:
    """Serve ``root_dir`` with nginx under URL ``prefix``; yield the base URL.

    ``prefix="/news-digest/"`` maps ``http://127.0.0.1:PORT/news-digest/x.html``
    to ``root_dir/x.html`` (via ``alias``). ``index.html`` is the directory
    index. If ``root_dir/404.html`` exists when the server starts, it is the
    body of every 404 response (status stays 404), as on static hosting.
    MIME types come from the system's ``/etc/nginx/mime.types``.

    ``port`` fixes the port (for a site built for a known URL; pick one with
    :func:`free_port`); by default a free one is chosen, retrying if it is taken.
    """
    if not os.access(NGINX_BIN, os.X_OK):
        raise MissingTestDependency(f"nginx not found at {NGINX_BIN}: {INSTALL_HINT}")
    if not os.path.isfile(MIME_TYPES):
        raise MissingTestDependency(f"{MIME_TYPES} not found: {INSTALL_HINT}")
    root = Path(root_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"site directory does not exist: {root}")
    prefix = normalize_prefix(prefix)
    with_404 = (root / "404.html").is_file()

    workdir = Path(tempfile.mkdtemp(prefix="digest-nginx-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        last_error = ""
        fixed_port = port
        for _attempt in range(1 if fixed_port is not None else 5):  # a free port may be taken
            port = fixed_port if fixed_port is not None else _free_port()
            conf = workdir / "nginx.conf"
            conf.write_text(
                render_nginx_conf(
                    root, prefix=prefix, port=port, workdir=workdir, with_404_page=with_404
                )
            )
            (workdir / "error.log").write_text("")
            (workdir / "nginx.pid").unlink(missing_ok=True)
            with open(workdir / "nginx.out", "wb") as out:
                proc = subprocess.Popen(
                    [
                        NGINX_BIN,
                        "-p",
                        str(workdir) + "/",
                        "-c",
                        str(conf),
                        "-e",
                        str(workdir / "error.log"),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                _wait_for_port(proc, port, workdir / "nginx.pid", startup_timeout)
                break
            except NginxError as exc:
                _stop(proc)
                log = _read(workdir / "error.log") + _read(workdir / "nginx.out")
                last_error = f"{exc}\n--- nginx.conf ---\n{conf.read_text()}\n--- log ---\n{log}"
                proc = None
                if "Address already in use" not in log:
                    break
        if proc is None:
            raise NginxError(last_error)
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)
