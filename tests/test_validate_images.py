"""The images of one file (generator.validate_images)."""

from __future__ import annotations

from pathlib import Path

from generator.validate_images import listed_images, story_images
from tests.support.fields import field_checker


def test_a_story_whose_images_have_no_size_is_told_it_is_shown_without_one(
        tmp_path: Path) -> None:
    check, data = field_checker(tmp_path, "images:\n  - url: https://x.org/a.png\n")
    [image] = story_images(check, data["images"])
    assert image.url == "https://x.org/a.png" and image.width is None
    [problem] = check.problems
    assert (problem.line, problem.field) == (2, "images")
    assert "shown without a picture" in problem.message


def test_a_scheme_relative_url_and_a_site_path_naming_no_file_are_left_out(
        tmp_path: Path) -> None:
    check, data = field_checker(tmp_path, "images:\n  - url: //cdn.x.org/a.png\n"
                                    "  - url: /static/img/gone.png\n    width: 10\n"
                                    "  - url: https://x.org/b.png\n    width: 640px\n")
    [kept] = listed_images(check, data["images"], "images")
    assert kept.url == "https://x.org/b.png" and kept.width is None
    assert [(p.line, p.field) for p in check.problems] == [
        (3, "images[0].url"), (4, "images[1].url"), (7, "images[2].width")]
    assert "'https://cdn.x.org/a.png'" in check.problems[0].hint
    assert "Add the file as static/img/gone.png" in check.problems[1].hint


def test_provider_logos_given_as_paths_are_left_out_silently(tmp_path: Path) -> None:
    check, data = field_checker(tmp_path, "logos:\n  - url: /logo.png\n")
    assert listed_images(check, data["logos"], "logos", paths_allowed=True) == ()
    assert check.problems == []
