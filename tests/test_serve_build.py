"""Preview builds: built for the server's address, and every failure turned into an error page."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from generator import serve_build
from generator.serve_build import build_preview, preview_folder

URL = "http://127.0.0.1:8123/"


def test_a_clean_preview_goes_into_the_cache_at_the_servers_address(sample_site: Path) -> None:
    (sample_site / "digest.yaml").write_text("base_url: https://example.org/sub/\n")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.report is not None and not result.errors and result.error_page is None
    output = preview_folder(sample_site)
    assert output == sample_site.resolve() / ".digest-cache" / "preview"
    home = (output / "index.html").read_text(encoding="utf-8")
    assert 'href="/topics/"' in home and "/sub/" not in home
    assert not (sample_site / "build").exists()
    again = build_preview(sample_site, base_url=URL, drafts=False)
    assert again.report is not None and again.report.rendered == 0  # incremental


def test_a_content_error_names_file_line_and_hint(sample_site: Path) -> None:
    story = next((sample_site / "content").glob("004_*.txt"))
    story.write_text(story.read_text(encoding="utf-8").replace("topics:\n", "topics: [x\n", 1),
                     encoding="utf-8")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.report is not None  # the rest of the site still built, and is shown
    [problem] = result.errors
    assert problem.file == f"content/{story.name}" and problem.line and problem.hint
    assert result.error_page is None
    notice = (result.notice or b"").decode()  # (atop every page: see SiteHandler)
    assert f"content/{story.name}" in notice and f">{problem.line}<" in notice
    assert 'class="preview-problems error-box"' in notice and "<html" not in notice
    assert problem.message in html.unescape(notice)


def test_a_broken_notice_template_still_gives_a_plain_notice(sample_site: Path) -> None:
    (sample_site / "templates").mkdir()
    (sample_site / "templates/preview-problems.html").write_text("{% if %}\n")
    story = next((sample_site / "content").glob("004_*.txt"))
    story.write_text(story.read_text(encoding="utf-8").replace("topics:\n", "topics: [x\n", 1),
                     encoding="utf-8")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.report is not None and result.error_page is None
    notice = (result.notice or b"").decode()
    assert notice.startswith('<aside role="alert"') and f"content/{story.name}" in notice


def test_a_config_error_builds_nothing_and_shows_the_field(sample_site: Path) -> None:
    (sample_site / "digest.yaml").write_text("page_size: many\n")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.report is None
    [problem] = result.errors
    assert (problem.file, problem.field) == ("digest.yaml", "page_size")
    assert b"page_size" in (result.error_page or b"")


def test_a_template_syntax_error_is_reported_with_its_line(sample_site: Path) -> None:
    templates = sample_site / "templates"
    templates.mkdir()
    (templates / "topic.html").write_text('{% extends "base.html" %}\n{% block main %}\n'
                                          "{% if %}\n{% endblock %}\n")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    [problem] = result.errors
    assert problem.file == "templates/topic.html" and problem.line == 3
    assert b'class="site-header"' in (result.error_page or b"")  # base.html still works


def test_a_broken_base_template_still_gives_a_plain_error_page(sample_site: Path) -> None:
    templates = sample_site / "templates"
    templates.mkdir()
    (templates / "base.html").write_text("<html>{% block main %}\n")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.errors and result.errors[0].file == "templates/base.html"
    page = (result.error_page or b"").decode()
    assert "Build failed" in page and "templates/base.html" in page


def test_an_unexpected_failure_is_shown_not_raised(sample_site: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_config: object, **_options: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(serve_build, "build", explode)
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.report is None
    assert "internal error: RuntimeError: boom" in result.errors[0].message
    assert b"boom" in (result.error_page or b"")
