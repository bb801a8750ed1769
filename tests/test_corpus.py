"""The real corpus (``../shared/corpus``): every item builds with no error and gets a page.

The corpus is read where it lies (CI always has it); the tests skip with a
reason when it is absent, and it is never copied into the project. Expectations
come from the items' front matter read with PyYAML; results are read from the
built files, so the tests hold whatever the model looks like inside.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import BuildReport, build
from generator.check import check_site
from generator.config import load_config
from tests.conftest import CORPUS
from tests.htmlread import parse_html, text_of


def corpus_items() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("---\n"), f"{path.name} has no front matter"
    data = yaml.safe_load(text[4:].split("\n---", 1)[0])
    assert isinstance(data, dict)
    return data


def headlines(folder: Path) -> Counter[str]:
    """The <h1> of every ``<folder>/*/index.html``."""
    found: Counter[str] = Counter()
    for page in folder.glob("*/index.html"):
        heading = parse_html(page).find(".//h1")
        assert heading is not None, f"{page} has no <h1>"
        found[text_of(heading)] += 1
    return found


def build_corpus(site: Path, output: Path, base_url: str | None = None) -> BuildReport:
    config, problems = load_config(site, output=output, overrides={"base_url": base_url})
    assert problems == ()
    return build(config)


@pytest.fixture
def corpus_build(corpus_site: Path, tmp_path: Path) -> tuple[Path, BuildReport]:
    return tmp_path / "out", build_corpus(corpus_site, tmp_path / "out")


def test_every_item_builds_without_error_and_gets_a_page(
    corpus_build: tuple[Path, BuildReport],
) -> None:
    output, report = corpus_build
    assert [d.format() for d in report.errors] == []
    items = corpus_items()
    assert len(items) >= 60
    assert report.stories == len(items)
    titles = Counter(" ".join(str(front_matter(item)["title"]).split()) for item in items)
    assert headlines(output / "news") == titles


def test_every_topic_gets_a_page(corpus_build: tuple[Path, BuildReport]) -> None:
    output, report = corpus_build
    names: set[str] = set()
    for item in corpus_items():
        topics = front_matter(item).get("topics") or []
        assert isinstance(topics, list)
        names.update(" ".join(str(t).split()) for t in topics)
    names.discard("")
    assert len(names) > 10
    assert set(headlines(output / "topics")) == names
    assert report.topics == len(names)


def test_the_built_corpus_passes_the_site_check(corpus_build: tuple[Path, BuildReport]) -> None:
    output, _report = corpus_build
    problems = [p.format() for p in check_site(output)]  # (a local build: base_url /,
    # so the sitemap's URLs are paths, which the sitemap protocol does not allow)
    assert len(problems) == 1 and "<loc> URL(s) are site-relative" in problems[0], problems


def test_the_corpus_works_under_a_sub_path(corpus_site: Path, tmp_path: Path) -> None:
    build_corpus(corpus_site, tmp_path / "sub", base_url="https://example.org/digest/")
    assert [p.format() for p in check_site(tmp_path / "sub", base_path="/digest/")] == []


def test_no_output_file_contains_a_secured_value(corpus_build: tuple[Path, BuildReport]) -> None:
    output, _report = corpus_build
    secrets = [str(v) for item in corpus_items() if (v := front_matter(item).get("secured"))]
    assert secrets
    for path in output.rglob("*"):
        if path.is_file():
            data = path.read_text(encoding="utf-8", errors="replace")
            assert not any(s in data for s in secrets), f"{path} contains a secured value"
