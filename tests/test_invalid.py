"""Broken content: every case in ``tests/invalid/`` gives exactly its expected diagnostics.

Each folder of ``tests/invalid/`` is a tiny site: ``content/`` (and, when the case
needs one, ``digest.yaml``) plus ``expected.txt``. ``expected.txt`` starts with
``# stories: N`` (articles that still get a page) followed by the exact diagnostic
lines, in file order, as ``digest build`` prints them. Cases that are tolerated
(a BOM, CRLF, clashing or non-Latin slugs) expect no diagnostic and are checked
further below. Each case is built alone, mixed into the sample site, and through
the CLI with and without ``--strict``.

To add a case: make ``tests/invalid/<case>/content/...``, run the build, read the
diagnostics, and write ``expected.txt`` only once they are the ones you want.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import BuildReport, build
from generator.cli import main
from generator.config import load_config
from generator.read import read_source

INVALID = Path(__file__).resolve().parent / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if (p / "expected.txt").is_file())
MakeSite = Callable[[dict[str, str | bytes]], Path]
SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def read_expected(case: str) -> tuple[int, list[str]]:
    """(stories still built, exact diagnostic lines) for one case."""
    lines = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    header = re.fullmatch(r"# stories: (\d+)", lines[0])
    assert header, f"{case}/expected.txt must start with '# stories: N'"
    return int(header.group(1)), lines[1:]


def copy_case(case: str, site: Path, *, into: str = "") -> None:
    """Copy a case's content (into ``content/<into>/`` when given) and its config."""
    shutil.copytree(INVALID / case / "content", site / "content" / into, dirs_exist_ok=True)
    if (INVALID / case / "digest.yaml").is_file():
        shutil.copy(INVALID / case / "digest.yaml", site / "digest.yaml")


def build_site_at(site: Path, output: Path) -> BuildReport:
    config, problems = load_config(site, output=output)
    assert not problems, [p.format() for p in problems]
    return build(config)


def article_slugs(output: Path) -> list[str]:
    return sorted(p.parent.name for p in output.glob("news/*/index.html"))


def topic_slugs(output: Path) -> list[str]:
    return sorted(p.parent.name for p in output.glob("topics/*/index.html"))


def test_there_is_a_case_for_every_kind_of_broken_input() -> None:
    assert len(CASES) >= 30, CASES


@pytest.mark.parametrize("case", CASES)
def test_case_alone_gives_exactly_the_expected_diagnostics(case: str, tmp_path: Path) -> None:
    stories, expected = read_expected(case)
    site = tmp_path / "site"
    copy_case(case, site)
    report = build_site_at(site, tmp_path / "out")
    assert [d.format() for d in report.diagnostics] == expected
    assert report.stories == stories
    assert len(article_slugs(tmp_path / "out")) == stories
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.mark.parametrize("case", CASES)
def test_case_mixed_into_the_sample_site_leaves_the_rest_built(
    case: str, sample_site: Path, tmp_path: Path
) -> None:
    baseline = build_site_at(sample_site, tmp_path / "baseline")
    assert baseline.diagnostics == ()
    stories, expected = read_expected(case)
    copy_case(case, sample_site, into=case)
    report = build_site_at(sample_site, tmp_path / "out")
    assert [_unsuffixed(d.format()) for d in report.diagnostics] == [
        _unsuffixed(line.replace("content/", f"content/{case}/")) for line in expected
    ]  # (every path: a warning may name two files, as a slug clash does)
    assert report.stories == baseline.stories + stories
    assert set(article_slugs(tmp_path / "baseline")) <= set(article_slugs(tmp_path / "out"))
    assert set(topic_slugs(tmp_path / "baseline")) <= set(topic_slugs(tmp_path / "out"))


def _unsuffixed(line: str) -> str:
    """``line`` with the suffixes of de-duplicated addresses masked: they are made from the
    story's path (``slugs.assign_unique``), which moves with the case's folder."""
    return re.sub(r"(news/[\w-]+)-[0-9a-f]{6}/", r"\1-?/", line)


@pytest.mark.parametrize("case", [c for c in CASES if read_expected(c)[1]])
def test_strict_turns_each_problem_into_exit_1(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    copy_case(case, site)
    _, expected = read_expected(case)
    has_error = any(": error: " in line for line in expected)
    args = ["build", "--source", str(site), "--output", str(tmp_path / "out"), "--quiet"]
    assert main(args) == (1 if has_error else 0)
    assert main([*args, "--strict"]) == 1
    assert (tmp_path / "out" / "index.html").is_file(), "the rest of the site is still built"
    printed = capsys.readouterr().err.splitlines()
    for line in expected:
        assert line in printed


def test_the_size_limit_defaults_to_5_mb(tmp_path: Path) -> None:
    site = tmp_path / "site"
    content = site / "content"
    content.mkdir(parents=True)
    head = "---\ntitle: Big\npublishedDateTime: 2020-06-09T03:58:00Z\n---\n"
    (content / "big.md").write_text(head + "x" * (5_000_001 - len(head)), encoding="utf-8")
    (content / "fits.md").write_text(head + "x" * (4_999_000 - len(head)), encoding="utf-8")
    config, _ = load_config(site, output=tmp_path / "out")
    assert config.max_file_bytes == 5_000_000
    refused = read_source(content / "big.md", site_root=site, max_bytes=config.max_file_bytes)
    assert not hasattr(refused, "front_matter")
    assert refused.format() == (  # type: ignore[union-attr]
        "content/big.md: error: file is 5,000,001 bytes, over the limit of 5,000,000 "
        "Hint: Split it, or raise max_file_bytes in digest.yaml."
    )
    fits = read_source(content / "fits.md", site_root=site, max_bytes=config.max_file_bytes)
    assert hasattr(fits, "front_matter")


# Cases that are tolerated: what the reader gets instead of a diagnostic.


def built_case(case: str, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    copy_case(case, site)
    build_site_at(site, tmp_path / "out")
    return tmp_path / "out"


def page_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("case", "title"), [
    ("bom", "A story saved with a BOM"),
    ("crlf", "A story with Windows line endings"),
])
def test_bom_and_crlf_read_like_plain_utf8(case: str, title: str, tmp_path: Path) -> None:
    out = built_case(case, tmp_path)
    [slug] = article_slugs(out)
    html = page_text(out / "news" / slug / "index.html")
    assert f">{title}</h1>" in html
    assert "\ufeff" not in html and "\r" not in html
    assert "A short body." in html
    if case == "crlf":
        assert topic_slugs(out) == ["ai"]


def test_topics_that_slug_alike_get_unique_readable_urls(tmp_path: Path) -> None:
    out = built_case("topic-slug-clash", tmp_path)
    slugs = topic_slugs(out)
    assert len(slugs) == 3  # "C++", "C#" and "C" (also spelt "c": one topic) are three
    assert all(SAFE_SEGMENT.match(s) and s.startswith("c") for s in slugs)
    assert "c" in slugs  # the topic with the most stories keeps the plain slug
    topics_index = page_text(out / "topics" / "index.html")
    for name in ("C++", "C#"):
        assert f">{name}<" in topics_index


def test_stories_whose_slugs_collide_all_get_pages(tmp_path: Path) -> None:
    out = built_case("story-slug-clash", tmp_path)
    slugs = article_slugs(out)
    assert len(slugs) == len(set(slugs)) == 4
    assert all(SAFE_SEGMENT.match(s) for s in slugs)
    assert sum(s.startswith("2020-06-09-same-name") for s in slugs) == 2
    assert sum(s.startswith("2020-06-09-same-title-same-day") for s in slugs) == 2
    titles = [page_text(out / "news" / s / "index.html") for s in slugs]
    assert sum(">First story</h1>" in t for t in titles) == 1
    assert sum(">Second story</h1>" in t for t in titles) == 1


def test_non_latin_titles_get_readable_unique_urls(tmp_path: Path) -> None:
    out = built_case("non-latin-titles", tmp_path)
    slugs = article_slugs(out)
    assert len(slugs) == len(set(slugs)) == 4
    assert all(SAFE_SEGMENT.match(s) for s in slugs)
    assert "2020-06-09-ren-gong-zhi-neng-gai-bian-shi-jie" in slugs  # transliterated Chinese
    arabic = [s for s in slugs if "aldhk" in s or "ldhk" in s]
    assert len(arabic) == 1, slugs  # transliterated Arabic
    emoji = [s for s in slugs if s.startswith("2020-06-09-story-")]
    assert len(emoji) == 2, slugs  # nothing to transliterate: a short hash keeps them apart
    pages = "".join(page_text(out / "news" / s / "index.html") for s in slugs)
    for title in ("人工智能改变世界", "الذكاء الاصطناعي يغير العالم", "🚀🤖🎉", "🔥🔥"):
        assert f">{title}</h1>" in pages


def test_a_site_with_thousands_of_topics_builds(make_site: MakeSite, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    for i in range(500):
        topics = "".join(f"  - Topic {i}-{k}\n" for k in range(4))
        files[f"content/s{i:04d}.md"] = (
            f"---\ntitle: Story {i}\npublishedDateTime: 2020-06-09T03:58:00Z\n"
            f"topics:\n{topics}  - Shared\n---\nBody.\n"
        )
    site = make_site(files)
    report = build_site_at(site, tmp_path / "out")
    assert report.diagnostics == ()
    assert report.topics == 2001
    slugs = topic_slugs(tmp_path / "out")
    assert len(slugs) == len(set(slugs)) == 2001
    assert all(SAFE_SEGMENT.match(s) for s in slugs)
    shared = tmp_path / "out" / "topics" / "shared"
    assert (shared / "page" / "24" / "index.html").is_file()  # 500 stories, 20 a page:
    assert not (shared / "page" / "25").exists()  # the first page and 24 older ones

