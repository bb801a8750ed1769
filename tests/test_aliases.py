"""Aliases: a story's old addresses become pages sending readers on to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import BuildMemory, build
from generator.config import load_config
from generator.manifest import cache_path, load_manifest
from tests.conftest import MakeSite
from tests.test_incremental import clean_build, run, story, touch_later, tree

UNDATED = """\
---
title: "{title}"
publishedDateTime: 2024-05-01T10:00:00Z
topics: [AI]
{aliases}---
"""


def undated(title: str, aliases: str = "") -> str:
    return UNDATED.format(title=title, aliases=aliases)


def messages(report_diagnostics: object) -> list[str]:
    return [f"{d.file}: {d.message}" for d in report_diagnostics]  # type: ignore[attr-defined]


def test_a_fixed_headline_keeps_its_old_address_as_a_redirect(make_site: MakeSite) -> None:
    site = make_site({"content/story.md": undated(
        "Google unveils new model",
        "aliases: [/news/2024-05-01-googel-unveils-new-model/]\nredirect_from: /old.html\n")})
    report = run(site, site / "build")
    assert not report.diagnostics
    out = site / "build"
    for rel in ("news/2024-05-01-googel-unveils-new-model/index.html", "old.html"):
        page = (out / rel).read_text()
        assert 'url=/news/2024-05-01-google-unveils-new-model/"' in page
        assert '<meta name="robots" content="noindex">' in page
        assert "<title>Google unveils new model ·" in page
    assert "googel" not in (out / "sitemap.xml").read_text()


def test_an_alias_taken_by_a_page_or_another_alias_is_warned_about_on_every_build(
        make_site: MakeSite) -> None:
    site = make_site({
        "content/a.md": undated("Alpha", "aliases: [/news/2024-05-01-beta/, /topics/ai/, "
                                         "/shared/, /news/2024-05-01-alpha/]\n"),
        "content/b.md": undated("Beta", "aliases: [/shared/]\n"),
    })
    expected = [
        "content/a.md: alias /news/2024-05-01-beta/ is taken by content/b.md (its page, or "
        "an alias of it); no redirect to this story is made there",
        "content/a.md: alias /topics/ai/ is the address of the page /topics/ai/; no "
        "redirect is made there",
        "content/a.md: alias /news/2024-05-01-alpha/ is the story's own address; it is "
        "ignored",
        "content/b.md: alias /shared/ is taken by content/a.md (its page, or an alias of "
        "it); no redirect to this story is made there",
    ]
    first = run(site, site / "build")
    assert messages(first.diagnostics) == expected
    again = run(site, site / "build")  # (unchanged: from the cache)
    assert again.rendered == 0 and messages(again.diagnostics) == expected
    assert 'url=/news/2024-05-01-alpha/"' in (site / "build/shared/index.html").read_text()
    assert "Beta" in (site / "build/news/2024-05-01-beta/index.html").read_text()


def add_alias(root: Path) -> None:
    path = root / "content/2021-03-02-story-2.md"
    path.write_text(path.read_text().replace("topics:", "aliases: [/old-2/]\ntopics:", 1))
    touch_later(path)


def change_alias(root: Path) -> None:
    path = root / "content/2021-03-02-story-2.md"
    path.write_text(path.read_text().replace("/old-2/", "/older-2/"))
    touch_later(path)


def drop_alias(root: Path) -> None:
    path = root / "content/2021-03-02-story-2.md"
    path.write_text(path.read_text().replace("aliases: [/older-2/]\n", ""))
    touch_later(path)


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({f"content/2021-03-{n:02d}-story-{n}.md": story(n) for n in range(1, 7)})


def test_adding_changing_and_removing_an_alias_equals_a_clean_build(
        site: Path, tmp_path: Path, forked: bool) -> None:
    out = site.parent / "out"
    run(site, out)
    for change, present in ((add_alias, "old-2"), (change_alias, "older-2"),
                            (drop_alias, None)):
        change(site)
        run(site, out)
        assert tree(out) == clean_build(site, tmp_path)
        assert {rel for rel in tree(out) if rel.startswith("old")} == \
            ({f"{present}/index.html"} if present else set())
    recorded = load_manifest(cache_path(site, out)).pages
    assert not any(fp.startswith("alias:") for fp, _digest in recorded.values())


def test_the_preview_server_s_builds_follow_aliases(site: Path, tmp_path: Path) -> None:
    config, _ = load_config(site, output=site.parent / "out")
    memory = BuildMemory()
    build(config, memory=memory)
    for change in (add_alias, change_alias, drop_alias):
        change(site)
        build(config, memory=memory)
        assert tree(site.parent / "out") == clean_build(site, tmp_path)
    path = site / "content/2021-03-02-story-2.md"  # an edit keeping the alias patches
    path.write_text(path.read_text().replace("topics:", "aliases: [/old-2/]\ntopics:", 1))
    touch_later(path)
    build(config, memory=memory)
    path.write_text(path.read_text().replace("Body of", "New body of"))
    touch_later(path)
    build(config, memory=memory)
    assert tree(site.parent / "out") == clean_build(site, tmp_path)
    assert (site.parent / "out/old-2/index.html").is_file()


def test_a_topic_s_old_addresses_in_digest_yaml_redirect_to_its_page(make_site: MakeSite) -> None:
    """A topic whose address moved (C# was at topics/c-<hash>/ before its slug was spelled
    out, c-sharp) keeps its old links working with ``aliases:`` in its digest.yaml entry,
    as a story does in its front matter; a clash and a path that is no address are warned
    about, and an entry no story's topic has makes no page. Each build equals a clean one."""
    site = make_site({
        "content/a.md": undated("Alpha").replace("topics: [AI]", "topics: ['C#', AI]"),
        "digest.yaml": "topics:\n  - name: 'C#'\n    aliases: [/topics/c-e4bc4b/, 'http://x/']\n",
    })
    problems = load_config(site, output=site.parent / "out")[1]
    assert [(p.field, p.line) for p in problems] == [("topics[0].aliases[1]", 3)]
    assert "is a URL, not a path on this site" in problems[0].message
    (site / "digest.yaml").write_text(
        "topics:\n  - name: 'C#'\n    aliases: [/topics/c-e4bc4b/, /topics/ai/]\n"
        "  - name: Unused\n    redirect_from: /topics/unused-old/\n", encoding="utf-8")
    report = run(site, site.parent / "out")
    assert messages(report.warnings) == [
        "digest.yaml: alias /topics/ai/ is the address of the page /topics/ai/; no redirect "
        "is made there",
        "digest.yaml: the topic 'Unused' is not a topic of any story, so its entry is not used"]
    assert report.warnings[0].field == "topics[0].aliases"
    out = site.parent / "out"
    page = (out / "topics/c-e4bc4b/index.html").read_text(encoding="utf-8")
    assert 'url=/topics/c-sharp/"' in page and "<title>C# ·" in page
    assert not (out / "topics/unused-old").exists()
    assert "c-e4bc4b" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert tree(out) == clean_build(site, site.parent)
    (site / "digest.yaml").write_text("topics:\n  - name: 'C#'\n", encoding="utf-8")
    touch_later(site / "digest.yaml")
    run(site, out)
    assert not (out / "topics/c-e4bc4b").exists()
    assert tree(out) == clean_build(site, site.parent)
