"""Reading one file's fields (generator.field_checker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.field_checker import code_points, holds_not_text
from tests.support.fields import field_checker


def test_each_problem_names_the_file_the_field_and_its_line(tmp_path: Path) -> None:
    check, data = field_checker(tmp_path, "title: T\nquality: lots\nwebUrl: ftp://x.org/a\n"
                                    "heat: [1]\n")
    assert check.number(data, "quality") is None
    assert check.url(data, "webUrl") == ""
    assert check.text(data, "heat") == ""
    assert check.text(data, "title") == "T" and check.number({"n": "7"}, "n") == 7
    assert [(p.file, p.line, p.field) for p in check.problems] == [
        ("content/a.md", 3, "quality"), ("content/a.md", 4, "webUrl"),
        ("content/a.md", 5, "heat")]
    assert "'lots'" in check.problems[0].message
    assert "not an http(s) URL" in check.problems[1].message


def test_text_loses_the_characters_no_page_may_hold_with_a_warning(tmp_path: Path) -> None:
    check, data = field_checker(tmp_path, 'title: "A\\x0bB\\uFFFE"\n')
    assert check.text(data, "title") == "AB"
    [problem] = check.problems
    assert problem.line == 2 and "U+000B, U+FFFE" in problem.message


@pytest.mark.parametrize(("text", "held"), [
    ("plain ascii\n\ttabbed\r\n", False), ("été, 日本, \u00a0no-break", False),
    ("bell\x07", True), ("wide\x0b and é", True), ("\ufdd0", True)])
def test_holds_not_text_agrees_with_the_characters_it_names(text: str, held: bool) -> None:
    assert holds_not_text(text) is held
    assert bool(code_points(text)) is held
