"""Shared fixtures: small sites written inline, the shipped sample, the real corpus."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONTENT = ROOT / "content"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"

MakeSite = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site from ``{relative path: text}`` and return its folder.

    Text is dedented, so tests can write files inline. Bytes are written as-is.
    """

    def make(files: dict[str, str | bytes]) -> Path:
        site = tmp_path / "site"
        (site / "content").mkdir(parents=True, exist_ok=True)
        for rel, data in files.items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
        return site

    return make


@pytest.fixture(params=[False, True])
def forked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run a test twice: as it is, and with each build's events made by a forked child
    (``cluster_parallel.MIN_SPLIT_ITEMS`` 1: the listings are then relisted, see
    ``relisting``)."""
    if request.param:
        from generator import cluster_parallel

        monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 1)
    return bool(request.param)


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    """A copy of the shipped sample site (content/ only: the default theme is used)."""
    site = tmp_path / "sample"
    shutil.copytree(SAMPLE_CONTENT, site / "content")
    return site


@pytest.fixture
def corpus_site(tmp_path: Path) -> Path:
    """A site made of the 65 real items in ../shared/corpus (skips when absent)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS} (CI always has it)")
    site = tmp_path / "corpus"
    (site / "content").mkdir(parents=True)
    for path in sorted(CORPUS.glob("*.md")):
        if path.name != "README.md":
            shutil.copy(path, site / "content" / path.name)
    return site
