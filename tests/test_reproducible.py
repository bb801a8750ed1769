"""Reproducible output: the same input builds byte-identical files on every run and machine.

The sample and the real corpus are each built twice by the CLI, in different temporary
folders, with different ``PYTHONHASHSEED`` values (so set and dict ordering by hash
would show), and every output file is compared.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.published import publish


def build_copy(site: Path, workdir: Path, seed: str) -> dict[str, bytes]:
    copy = workdir / "somewhere" / seed / "site"
    shutil.copytree(site, copy)
    out = workdir / f"out-{seed}"
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--source", str(copy), "--output", str(out),
         "--base-url", "https://example.org/news-digest/", "--quiet"],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("which", ["sample", "corpus"])
def test_two_builds_are_byte_identical(which: str, request: pytest.FixtureRequest,
                                       tmp_path: Path) -> None:
    site: Path = request.getfixturevalue(f"{which}_site")
    first = build_copy(site, tmp_path / "a", "1")
    second = build_copy(site, tmp_path / "b", "4242")
    assert sorted(first) == sorted(second)
    different = [rel for rel in first if first[rel] != second[rel]]
    assert different == []
    assert {"atom.xml", "rss.xml", "feed.json", "sitemap.xml", "robots.txt",
            "api/news/index.json", "api/topics/index.json"} <= set(first)


def test_no_output_names_the_build_folder_or_date(sample_site: Path, tmp_path: Path) -> None:
    files = build_copy(sample_site, tmp_path, "7")
    today = datetime.now(UTC).strftime("%Y-%m-%d").encode()
    for rel, data in files.items():
        assert str(tmp_path).encode() not in data, rel
        assert b"somewhere" not in data, rel
        assert today not in data, rel


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_an_incremental_build_after_an_edit_equals_a_clean_build(
    corpus_site: Path, tmp_path: Path
) -> None:
    """Feeds, API pages, sitemap and meta follow an edited title exactly as a clean build."""
    first = publish(corpus_site, tmp_path / "out")
    article = first.site.articles[3]
    source = corpus_site / article.summary.source
    text = source.read_text(encoding="utf-8")
    new_title = "An edited headline & <more>"
    edited = text.replace(f"title: {article.title}", f"title: '{new_title}'", 1)
    if edited == text:
        edited = re.sub(r"(?m)^title:.*$", f"title: '{new_title}'", text, count=1)
    source.write_text(edited, encoding="utf-8")
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    publish(corpus_site, tmp_path / "out")
    clean_site = tmp_path / "clean-site"
    shutil.copytree(corpus_site, clean_site, ignore=shutil.ignore_patterns(".digest-cache"))
    publish(clean_site, tmp_path / "clean-out")
    incremental, clean = tree(tmp_path / "out"), tree(tmp_path / "clean-out")
    assert sorted(incremental) == sorted(clean)
    assert [rel for rel in clean if incremental[rel] != clean[rel]] == []
    assert "An edited headline" in (tmp_path / "out" / "atom.xml").read_text(encoding="utf-8")
    assert "An edited headline" in (tmp_path / "out" / "api/news/index.json").read_text("utf-8")
