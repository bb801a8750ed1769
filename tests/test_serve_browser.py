"""``digest serve`` end to end in real headless Chromium: edits show up without a reload.

A copy of the sample site (with a ``base_url`` on another host and sub-path, to
show that links still work at the server's own address) is served by a real
``digest serve`` subprocess. The test never reloads the page itself: every
change must arrive through the reload socket.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.serve_build import preview_folder
from tests.support.browser import launch_chromium
from tests.support.serve import running_server

STORY = "004_0d61241bf81a81b1.txt"
OLD_TITLE = "IBM will no longer develop or research facial recognition tech"
NEW_TITLE = "Preview edit: IBM drops its face recognition research"
WAIT_MS = 30_000
CONNECTED = ("() => !!(window.LiveReload && window.LiveReload.connector"
             " && window.LiveReload.connector.protocol > 0)")


def test_edits_errors_and_fixes_show_up_by_themselves(sample_site: Path) -> None:
    from playwright.sync_api import expect

    (sample_site / "digest.yaml").write_text(
        "title: Preview Test Digest\nbase_url: https://example.org/sub/path/\n", encoding="utf-8")
    story = sample_site / "content" / STORY
    original = story.read_text(encoding="utf-8")
    assert f'title: "{OLD_TITLE}"' in original

    with running_server(sample_site) as server, launch_chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        response = page.goto(server.url + "topics/computer-vision/")
        assert response is not None and response.status == 200
        main = page.locator("main")
        expect(main).to_contain_text(OLD_TITLE)
        expect(page.locator(".site-title")).to_have_text("Preview Test Digest")
        page.wait_for_function(CONNECTED)

        # 1. A new title appears without reloading by hand.
        edited = original.replace(OLD_TITLE, NEW_TITLE)
        story.write_text(edited, encoding="utf-8")
        expect(main).to_contain_text(NEW_TITLE, timeout=WAIT_MS)
        expect(main).not_to_contain_text(OLD_TITLE)
        assert page.url == server.url + "topics/computer-vision/"
        page.wait_for_function(CONNECTED)

        # 2. A YAML error: the site is shown without the story (as a build publishes
        # it), under a notice, in the site's style, that names the file and line.
        story.write_text(edited.replace("topics:\n", "topics: [unclosed\n", 1), encoding="utf-8")
        problem = page.locator(".preview-problems .problem").first
        expect(problem).to_contain_text(f"content/{STORY}", timeout=WAIT_MS)
        expect(problem.locator(".problem-line")).to_have_text(re.compile(r"^\d+$"))
        expect(main).not_to_contain_text(NEW_TITLE)
        expect(page.locator("h1")).to_have_text("Computer Vision")
        expect(page.locator(".site-title")).to_have_text("Preview Test Digest")
        assert page.evaluate("getComputedStyle(document.querySelector('.error-box'))"
                             ".borderBottomStyle") == "solid"  # the theme's CSS is applied
        page.wait_for_function(CONNECTED)

        # 3. Fixing the file brings the story back and the notice away by itself.
        story.write_text(edited, encoding="utf-8")
        expect(main).to_contain_text(NEW_TITLE, timeout=WAIT_MS)
        expect(page.locator(".problem")).to_have_count(0)
        page.wait_for_function(CONNECTED)

        # 4. A warning (a mistyped field) is listed too, apart from errors; the story stays.
        story.write_text(edited.replace("---\n", "---\nexcerp: Typo\n", 1), encoding="utf-8")
        warned = page.locator(".preview-warnings .problem")
        expect(warned).to_contain_text(f"content/{STORY}", timeout=WAIT_MS)
        expect(warned.locator(".problem-field")).to_have_text("excerp")
        expect(page.locator(".preview-warnings")).to_contain_text("1 warning")
        expect(page.locator(".error-box")).to_have_count(0)
        expect(main).to_contain_text(NEW_TITLE)
        page.wait_for_function(CONNECTED)
        story.write_text(edited, encoding="utf-8")
        expect(page.locator(".preview-warnings")).to_have_count(0, timeout=WAIT_MS)

        # Links work at the server's address, whatever base_url says.
        page.get_by_role("link", name=NEW_TITLE).first.click()
        expect(page.locator("h1")).to_have_text(NEW_TITLE)
        assert page.url.startswith(server.url + "news/")
        page.get_by_role("link", name="Topics").first.click()
        expect(page.locator("h1")).to_contain_text("Topics")
        assert page.url == server.url + "topics/"

    assert not (sample_site / "build").exists()  # the preview never touches build/
    assert (preview_folder(sample_site) / "index.html").is_file()

