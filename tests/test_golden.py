"""Golden test: a fresh build of the sample site matches ``tests/golden/sample/`` byte for byte.

After a deliberate change to templates, CSS or rendering, refresh the golden copy
with one command from the repository root and commit it with the change::

    python -m tests.golden_refresh

then review ``git diff tests/golden``.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.golden_refresh import GOLDEN_DIR, REFRESH_COMMAND, build_sample, golden_files

HINT = (f"If the change is intended, refresh the golden copy with `{REFRESH_COMMAND}` "
        "and commit tests/golden/ with it.")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return golden_files(build_sample(tmp_path_factory.mktemp("golden")))


def golden() -> dict[str, Path]:
    if not GOLDEN_DIR.is_dir():
        pytest.fail(f"no golden copy at {GOLDEN_DIR}. {HINT}")
    return golden_files(GOLDEN_DIR)


def test_the_same_files_are_built(fresh: dict[str, Path]) -> None:
    expected, actual = sorted(golden()), sorted(fresh)
    if expected != actual:
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        pytest.fail(f"the sample builds different files.\n  no longer built: {missing}\n"
                    f"  newly built: {extra}\n{HINT}")


@pytest.mark.parametrize("rel", sorted(golden_files(GOLDEN_DIR)) if GOLDEN_DIR.is_dir() else [])
def test_each_file_matches_its_golden_copy(fresh: dict[str, Path], rel: str) -> None:
    if rel not in fresh:
        pytest.fail(f"{rel} is no longer built. {HINT}")
    expected = (GOLDEN_DIR / rel).read_text(encoding="utf-8")
    actual = fresh[rel].read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{rel}", tofile=f"built/{rel}", n=2))
        lines = diff.splitlines()
        shown = "\n".join(lines[:80]) + (f"\n... ({len(lines) - 80} more diff lines)"
                                         if len(lines) > 80 else "")
        pytest.fail(f"{rel} differs from its golden copy:\n{shown}\n{HINT}", pytrace=False)
