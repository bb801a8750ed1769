"""Headless Chromium for tests, driven by Playwright's sync API.

Usage::

    from tests.support.browser import launch_chromium, screenshot_url

    with launch_chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        ...

    screenshot_url(url, tmp_path / "home.png")

The browser is Debian's ``/usr/bin/chromium`` (``scripts/install-test-deps.sh``
installs it); Playwright's own browser download is never used. When Chromium or
the ``playwright`` package is missing, :class:`MissingTestDependency` is raised
so the test fails with a message saying what to install (tests are never
skipped for a missing part).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .nginx import MissingTestDependency

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM_BIN = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_BIN",
    "MissingTestDependency",
    "launch_chromium",
    "screenshot_url",
]


def _check_deps() -> None:
    if not os.access(CHROMIUM_BIN, os.X_OK):
        raise MissingTestDependency(
            f"Chromium not found at {CHROMIUM_BIN}: run `scripts/install-test-deps.sh` "
            "(as root) to install it"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        raise MissingTestDependency(
            "the Python package `playwright` is not installed: "
            "run `pip install -e '.[test]'` (never `playwright install`; "
            "the tests use the system Chromium)"
        ) from exc


# Playwright's sync API allows one running driver per thread: a second
# `sync_playwright()` while one is active fails ("Sync API inside the asyncio
# loop"). Nested launch_chromium() calls (e.g. a module-scoped browser fixture
# plus screenshot_url() without browser=) therefore share one driver per thread,
# started by the outermost call and stopped when the last one exits.
_local = threading.local()


@contextlib.contextmanager
def _playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    if getattr(_local, "users", 0) == 0:
        _local.pw = sync_playwright().start()
        _local.users = 0
    _local.users += 1
    try:
        yield _local.pw
    finally:
        _local.users -= 1
        if _local.users == 0:
            pw, _local.pw = _local.pw, None
            pw.stop()


@contextlib.contextmanager
def launch_chromium(**launch_kwargs: Any) -> Iterator[Browser]:
    """Start headless system Chromium and yield a Playwright ``Browser``.

    Extra keyword arguments go to ``chromium.launch()`` (e.g. ``slow_mo``);
    ``args`` given there are appended to :data:`CHROMIUM_ARGS`. The browser and
    the Playwright driver are shut down on exit.
    """
    _check_deps()
    extra_args = list(launch_kwargs.pop("args", []))
    launch_kwargs.setdefault("timeout", 30_000)
    with _playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM_BIN,
            headless=True,
            args=CHROMIUM_ARGS + extra_args,
            **launch_kwargs,
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot_url(
    url: str,
    png_path: str | os.PathLike[str],
    *,
    width: int = 1280,
    height: int = 800,
    full_page: bool = True,
    browser: Browser | None = None,
    wait_until: str = "load",
) -> Path:
    """Open ``url`` and save a PNG screenshot to ``png_path``; return the path.

    Uses ``browser`` when given, else launches (and closes) its own Chromium.
    Raises if the page answers with an HTTP error status (>= 400).
    """
    png = Path(png_path)
    png.parent.mkdir(parents=True, exist_ok=True)

    def shoot(b: Browser) -> None:
        context = b.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            response = page.goto(url, wait_until=wait_until)  # type: ignore[arg-type]
            if response is not None and response.status >= 400:
                raise AssertionError(f"{url} answered HTTP {response.status}")
            page.screenshot(path=str(png), full_page=full_page)
        finally:
            context.close()

    if browser is not None:
        shoot(browser)
    else:
        with launch_chromium() as b:
            shoot(b)
    return png
