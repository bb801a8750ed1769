"""What became of the plain-text body files, as reported and cached
(generator.body_placements)."""

from __future__ import annotations

from generator.body_placements import (
    BodyPlacement,
    placement_pairs,
    placement_warnings,
    stored_placements,
)
from generator.manifest import Manifest

PLACEMENTS = (
    BodyPlacement("content/2021-01-02-body.txt", "content/2021-01-02-story.md"),
    BodyPlacement("content/2021-01-03-typo.txt", "content/2021-01-03-story.md",
                  titles=("Robots learn to walk", "Robots learn to wlak")),
    BodyPlacement("content/2021-01-04-second.txt", None, taken="content/2021-01-04-story.md"),
    BodyPlacement("content/undated-notes.txt", None),
)


def test_the_cache_keeps_them_as_they_were() -> None:
    pairs = placement_pairs(PLACEMENTS)
    assert pairs[0] == ("content/2021-01-02-body.txt", "content/2021-01-02-story.md", "",
                        "", "")
    assert stored_placements(Manifest(placements=pairs)) == PLACEMENTS


def test_only_the_doubtful_ones_are_warned_of() -> None:
    found = placement_warnings(PLACEMENTS)
    assert [(d.file, d.line) for d in found] == [
        ("content/2021-01-03-typo.txt", 1), ("content/2021-01-04-second.txt", 1),
        ("content/undated-notes.txt", 1)]
    typo, taken, undated = (d.message for d in found)
    assert "'Robots learn to wlak'" in typo and "differs from it by one word" in typo
    assert "matches content/2021-01-04-story.md, whose body is already another file" in taken
    assert "dated by the file's modification time" in undated
