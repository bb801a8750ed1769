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


TYPO = ("---\ntitle: Typo field story\nexcerp: Should have been the excerpt\n"
        "publishedDateTime: 2024-05-01T10:00:00Z\ntopics: [AI]\n---\nBody.\n")


def test_warnings_are_listed_in_the_notice_apart_from_errors(sample_site: Path) -> None:
    (sample_site / "content" / "2024-05-01-typo.md").write_text(TYPO, encoding="utf-8")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    [problem] = result.warnings
    assert not result.errors and result.error_page is None and problem.field == "excerp"
    notice = (result.notice or b"").decode()
    assert 'class="preview-problems preview-warnings warning-box" role="status"' in notice
    assert "error-box" not in notice and "1 warning:" in notice and "--strict" in notice
    assert "content/2024-05-01-typo.md" in notice and problem.message in html.unescape(notice)
    story = next((sample_site / "content").glob("004_*.txt"))  # an error too: two boxes
    story.write_text(story.read_text(encoding="utf-8").replace("topics:\n", "topics: [x\n", 1),
                     encoding="utf-8")
    notice = (build_preview(sample_site, base_url=URL, drafts=False).notice or b"").decode()
    errors, warnings = notice.split('class="preview-problems preview-warnings')
    assert f"content/{story.name}" in errors and "2024-05-01-typo.md" not in errors
    assert "2024-05-01-typo.md" in warnings and story.name not in warnings


def test_the_notice_lists_at_most_so_many_warnings(sample_site: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_build, "NOTICE_WARNINGS", 2)
    for number in range(3):
        (sample_site / "content" / f"2024-05-01-typo-{number}.md").write_text(
            TYPO.replace("Typo field", f"Typo {number} field"), encoding="utf-8")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    notice = (result.notice or b"").decode()
    assert len(result.warnings) == 3 and notice.count('class="problem"') == 2
    assert "3 warnings:" in notice and "and 1 more" in notice


def test_a_warning_fixed_takes_the_notice_away(sample_site: Path) -> None:
    typo = sample_site / "content" / "2024-05-01-typo.md"
    typo.write_text(TYPO, encoding="utf-8")
    assert build_preview(sample_site, base_url=URL, drafts=False).notice
    typo.write_text(TYPO.replace("excerp:", "excerpt:"), encoding="utf-8")
    assert build_preview(sample_site, base_url=URL, drafts=False).notice is None


def test_a_published_build_never_shows_the_notice(sample_site: Path) -> None:
    from generator.build import build
    from generator.config import load_config

    (sample_site / "content" / "2024-05-01-typo.md").write_text(TYPO, encoding="utf-8")
    config, _ = load_config(sample_site, output=sample_site / "build", overrides={})
    assert build(config).warnings
    pages = [p.read_text(encoding="utf-8") for p in (sample_site / "build").rglob("*.html")]
    assert pages and not any("preview-warnings" in page or "excerp:" in page for page in pages)


def test_a_site_without_content_shows_why(sample_site: Path) -> None:
    """As ``digest build`` refuses it, not an empty site ("No stories yet")."""
    build_preview(sample_site, base_url=URL, drafts=False)
    (sample_site / "content").rename(sample_site / "elsewhere")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    [problem] = result.errors
    assert result.report is None and problem.file == "content/"
    assert "has no content/ folder" in problem.message and problem.hint
    assert b"has no content/ folder" in (result.error_page or b"")
    (sample_site / "elsewhere").rename(sample_site / "content")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert not result.errors and result.error_page is None


def test_a_mistake_in_the_site_s_translations_shows_its_file_and_line(
        sample_site: Path) -> None:
    (sample_site / "digest.yaml").write_text("language: de\n")
    (sample_site / "i18n").mkdir()
    (sample_site / "i18n/de.yaml").write_text("latest: Neu\nolder: 'Ältere {seite}'\n")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.report is None
    [problem] = result.errors
    assert (problem.file, problem.line, problem.field) == ("i18n/de.yaml", 2, "older")
    assert b"i18n/de.yaml" in (result.error_page or b"")
    (sample_site / "i18n/de.yaml").write_text("latest: Neu\nolder: Ältere →\n")
    result = build_preview(sample_site, base_url=URL, drafts=False)
    assert result.report is not None and not result.errors
    assert ">Neu</a>" in (preview_folder(sample_site) / "index.html").read_text(encoding="utf-8")
