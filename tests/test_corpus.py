"""The real corpus (``../shared/corpus``): every item builds with no error and gets a page.

The corpus is read where it lies (CI always has it); the tests skip with a
reason when it is absent, and it is never copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.build import BuildReport, build, site_for
from generator.check import check_site
from generator.config import load_config
from generator.model import Site
from generator.urls import page_path
from tests.conftest import CORPUS


def corpus_items() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("---\n"), f"{path.name} has no front matter"
    data = yaml.safe_load(text[4:].split("\n---", 1)[0])
    assert isinstance(data, dict)
    return data


def build_corpus(site: Path, output: Path, base_url: str | None = None) -> tuple[BuildReport, Site]:
    config, problems = load_config(site, output=output, overrides={"base_url": base_url})
    assert problems == ()
    report = build(config)
    model, _content = site_for(config)
    return report, model


@pytest.fixture
def corpus_build(corpus_site: Path, tmp_path: Path) -> tuple[Path, BuildReport, Site]:
    report, model = build_corpus(corpus_site, tmp_path / "out")
    return tmp_path / "out", report, model


def test_every_item_builds_without_error_and_gets_a_page(
    corpus_build: tuple[Path, BuildReport, Site],
) -> None:
    output, report, model = corpus_build
    assert [d.format() for d in report.errors] == []
    items = corpus_items()
    assert len(items) >= 60
    by_source = {a.story.source: a for a in model.articles}
    for item in items:
        article = by_source.get(f"content/{item.name}")
        assert article is not None, f"{item.name} is not an article of the site"
        assert (output / page_path(article.path)).is_file(), f"{item.name} has no page"
    assert report.stories == len(items)


def test_every_topic_gets_a_page(corpus_build: tuple[Path, BuildReport, Site]) -> None:
    output, _report, model = corpus_build
    names: set[str] = set()
    for item in corpus_items():
        topics = front_matter(item).get("topics") or []
        assert isinstance(topics, list)
        names.update(" ".join(str(t).split()) for t in topics if str(t).strip())
    assert {t.ref.name for t in model.topics} == names
    for topic in model.topics:
        page = output / page_path(topic.ref.path)
        assert page.is_file(), f"topic {topic.ref.name!r} has no page"
        assert topic.ref.name in page.read_text(encoding="utf-8")


def test_the_built_corpus_passes_the_site_check(
    corpus_build: tuple[Path, BuildReport, Site],
) -> None:
    output, _report, _model = corpus_build
    assert [p.format() for p in check_site(output)] == []


def test_the_corpus_works_under_a_sub_path(corpus_site: Path, tmp_path: Path) -> None:
    build_corpus(corpus_site, tmp_path / "sub", base_url="https://example.org/digest/")
    assert [p.format() for p in check_site(tmp_path / "sub", base_path="/digest/")] == []


def test_no_output_file_contains_a_secured_value(
    corpus_build: tuple[Path, BuildReport, Site],
) -> None:
    output, _report, _model = corpus_build
    secrets = [str(v) for item in corpus_items()
               if (v := front_matter(item).get("secured"))]
    assert secrets
    for path in output.rglob("*"):
        if path.is_file():
            data = path.read_text(encoding="utf-8", errors="replace")
            assert not any(s in data for s in secrets), f"{path} contains a secured value"
