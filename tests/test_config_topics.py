"""generator.config_topics: a topic entry of digest.yaml that no story uses is warned of,
at its line, with the closest topic of the stories as the hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from generator.config import SiteConfig, TopicDefinition, load_config
from generator.config_topics import unused_topic_warnings
from generator.diagnostics import Severity
from tests.conftest import MakeSite

STORY = """\
---
title: {title}
publishedDateTime: 2021-03-04T10:00:00Z
topics: [{topics}]
---
"""

TOPICS = ["Computer Vision", "AI", "Robotics"]
"""The site's topics (as ``Site.topics`` names them)."""


def warned(make_site: MakeSite, yaml: str, topics: list[str] = TOPICS
           ) -> list[tuple[int | None, str | None, str, str]]:
    """(line, field, message, hint) of each warning, for the config ``yaml``."""
    config, problems = load_config(make_site({"digest.yaml": yaml}))
    assert problems == ()
    found = unused_topic_warnings(config, topics)
    assert all(p.severity is Severity.WARNING and p.file == "digest.yaml" for p in found)
    return [(p.line, p.field, p.message, p.hint or "") for p in found]


def test_a_misspelt_entry_is_named_at_its_line_with_the_topic_it_meant(
        make_site: MakeSite) -> None:
    [(line, field, message, hint)] = warned(make_site, (
        "title: Mine\n"
        "topics:\n"
        "  - name: AI\n"
        "    order: 1\n"
        "  - description: Machines that see.\n"
        "    name: Computer Vison\n"))
    assert (line, field) == (6, "topics[1].name")
    assert message == ("the topic 'Computer Vison' is not a topic of any story, so its "
                       "entry is not used")
    assert hint.startswith("Did you mean 'Computer Vision'?")


def test_an_entry_like_no_topic_says_no_story_lists_it(make_site: MakeSite) -> None:
    [(line, field, _message, hint)] = warned(make_site, "topics:\n  - name: Quantum\n")
    assert (line, field) == (2, "topics[0].name")
    assert hint == "No story lists this topic: correct the name, or remove the entry."


def test_names_match_whatever_their_case_and_spacing(make_site: MakeSite) -> None:
    assert warned(make_site, "topics:\n  - name: computer  VISION\n  - name: ai\n") == []
    assert warned(make_site, "topics:\n  - name: Robotics\n", topics=[]) != []  # (no story)


def test_each_unused_entry_is_named_at_its_own_line(make_site: MakeSite) -> None:
    """The same name twice, and an entry without a name (an error of its own, see
    test_config) before them, which keeps its place in the indexes."""
    site = make_site({"digest.yaml": "topics:\n  - description: none\n  - name: Robotcs\n"
                                     "  - name: AI\n  - name: Robotcs\n"})
    config, problems = load_config(site)
    assert [p.field for p in problems] == ["topics[0]"]
    found = unused_topic_warnings(config, TOPICS)
    assert [(p.line, p.field) for p in found] == [(3, "topics[1].name"), (5, "topics[3].name")]
    assert all((p.hint or "").startswith("Did you mean 'Robotics'?") for p in found)


def test_topics_given_as_a_mapping_are_named_at_their_key(make_site: MakeSite) -> None:
    [(line, field, _message, hint)] = warned(
        make_site, "topics:\n  AI:\n    order: 1\n  Robotix:\n    description: x\n")
    assert (line, field) == (4, "topics[1].name")
    assert "'Robotics'" in hint


def test_without_the_file_the_warning_names_the_topics(tmp_path: Path) -> None:
    """(A config made in code, not read from a file: no line to give.)"""
    config = SiteConfig(source=tmp_path, output=tmp_path / "out",
                        topics=(TopicDefinition("Drones"),))
    [problem] = unused_topic_warnings(config, TOPICS)
    assert (problem.file, problem.line, problem.field) == ("digest.yaml", None, "topics")


def test_a_build_warns_and_strict_fails_on_it(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/a.md": STORY.format(title="A", topics="Computer Vision, AI"),
                      "digest.yaml": "topics:\n  - name: Computer Vison\n"})
    config, _ = load_config(site, output=site.parent / "out")
    [problem] = build(config).diagnostics
    assert (problem.file, problem.line, problem.field) == ("digest.yaml", 2, "topics[0].name")
    args = ["build", "--source", str(site), "--output", str(site.parent / "out"),
            "--base-url", "https://example.org/", "--strict"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "digest.yaml:2: warning: topics[0].name: the topic 'Computer Vison'" in err
    assert "Hint: Did you mean 'Computer Vision'?" in err
    (site / "digest.yaml").write_text("topics:\n  - name: Computer Vision\n")
    assert main(args) == 0
