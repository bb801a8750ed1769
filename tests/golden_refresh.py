"""Refresh the golden copy of the sample site: ``python -m tests.golden_refresh``.

Builds the shipped sample (``content/``, default theme, default config) and
replaces ``tests/golden/sample/`` with its pages and CSS. Run it after a deliberate
change to templates, CSS or rendering, look at ``git diff tests/golden``, and
commit the golden files with the change that caused them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden" / "sample"
SAMPLE_CONTENT = ROOT / "content"
GOLDEN_SUFFIXES = (".html", ".css", ".xml", ".json", ".txt")
"""Output files kept in the golden copy (pages, styles, feeds, API, sitemap, robots)."""
REFRESH_COMMAND = "python -m tests.golden_refresh"


def build_sample(workdir: Path) -> Path:
    """Build a copy of the sample site in ``workdir``; return the output folder."""
    from generator.build import build
    from generator.config import load_config

    site = workdir / "site"
    shutil.copytree(SAMPLE_CONTENT, site / "content")
    config, problems = load_config(site, output=workdir / "out")
    if problems:
        raise RuntimeError("; ".join(p.format() for p in problems))
    report = build(config)
    if report.diagnostics:
        raise RuntimeError("; ".join(p.format() for p in report.diagnostics))
    return config.output


def golden_files(folder: Path) -> dict[str, Path]:
    """The files of a built site that belong in the golden copy, by relative path."""
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in GOLDEN_SUFFIXES
    }


def refresh(golden: Path = GOLDEN_DIR) -> list[str]:
    """Rebuild the sample and replace ``golden`` with its files; return their paths."""
    with tempfile.TemporaryDirectory(prefix="digest-golden-") as tmp:
        files = golden_files(build_sample(Path(tmp)))
        if golden.exists():
            shutil.rmtree(golden)
        for rel, path in files.items():
            target = golden / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return sorted(files)


def main() -> int:
    written = refresh()
    print(f"wrote {len(written)} files to {GOLDEN_DIR.relative_to(ROOT)}/; "
          "review them with: git diff --stat tests/golden")
    return 0


if __name__ == "__main__":
    sys.exit(main())
