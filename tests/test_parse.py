"""generator.parse: one content file read, validated and summarized (drafts left out)."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import BuildMemory, BuildReport, build
from generator.config import load_config
from tests.test_incremental import tree

STORY = "---\ntitle: {title}\npublishedDateTime: 2024-05-0{day}T10:00:00Z\ntopics: [AI]\n---\n"


def _build(site: Path, *, drafts: bool = False, memory: BuildMemory | None = None,
           touched: tuple[str, ...] | None = None) -> BuildReport:
    config, problems = load_config(site, output=site / "out",
                                   overrides={"drafts": drafts or None})
    assert problems == ()
    return build(config, memory=memory, touched=touched)


def _site(root: Path) -> Path:
    site = root / "site"
    (site / "content" / "_drafts").mkdir(parents=True)
    (site / "content" / "2024-05-01-public.md").write_text(STORY.format(title="Public", day=1))
    (site / "content" / "_drafts" / "2024-05-05-plan.md").write_text(
        STORY.format(title="In underscore drafts", day=5))
    (site / "content" / "_drafts" / "unfinished.md").write_text(
        "---\ntitle: No date yet\n---\n")  # (a Jekyll draft has none)
    (site / "content" / "_drafts" / "2024-05-06-notes.txt").write_text("Draft notes\n\nText.\n")
    return site


def test_the_files_of_a_drafts_folder_are_left_out_unless_drafts_are_asked_for(
        tmp_path: Path) -> None:
    """``content/_drafts/`` (Jekyll's drafts folder) was published (a publisher's trial):
    its files are drafts, not even read without ``--drafts`` (an unfinished one is no
    error), and published as the others with it."""
    site = _site(tmp_path)
    report = _build(site)
    assert (report.stories, report.diagnostics) == (1, ())
    assert sorted(p.name for p in (site / "out" / "news").iterdir() if p.is_dir()) == [
        "2024-05-01-public"]
    drafted = _build(site, drafts=True)
    assert drafted.stories == 3  # (and the undated one is an error, as anywhere else)
    assert [(d.file, d.severity.value) for d in drafted.diagnostics] == [
        ("content/_drafts/unfinished.md", "error")]
    assert (site / "out" / "news" / "2024-05-05-plan").is_dir()


def test_a_draft_moved_out_of_the_drafts_folder_is_built_as_a_clean_build_would(
        tmp_path: Path) -> None:
    """(As the preview server builds: told which files changed.)"""
    site, memory = _site(tmp_path), BuildMemory()
    _build(site, memory=memory)
    moved = site / "content" / "2024-05-05-plan.md"
    (site / "content" / "_drafts" / "2024-05-05-plan.md").rename(moved)
    report = _build(site, memory=memory, touched=("content/_drafts/2024-05-05-plan.md",
                                   "content/2024-05-05-plan.md"))
    assert report.stories == 2
    (site / "content" / "_drafts" / "later.md").write_text(STORY.format(title="Later", day=7))
    (site / "content" / "_notes.md").write_text(STORY.format(title="Aside", day=8))
    assert _build(site, memory=memory, touched=("content/_drafts/later.md",
                                                "content/_notes.md")).stories == 2
    clean = tmp_path / "clean"
    shutil.copytree(site / "content", clean / "content")
    _build(clean)
    assert tree(site / "out") == tree(clean / "out")
