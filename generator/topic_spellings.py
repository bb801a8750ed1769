"""Topic spellings: the names the stories give each topic, and a warning where names
are one topic only by their accents.

Names that differ only in case, spacing, hyphens for spaces or the accents of Latin
letters are one topic (``slugs.topic_key``), as Hugo's taxonomies make case variants one
term: "Café", "CAFÉ" and "Cafe" get one page. Case and spacing never tell two words
apart, but an accent can ("Resume" and "Résumé"; Spanish "año" and "ano"), so a build
that makes one topic of spellings differing by accents says so, naming each spelling
and the files that give it: the publisher renames one if they are two topics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .diagnostics import Diagnostic, warning
from .frozen import frozen
from .slugs import topic_key_with_accents
from .summary import StorySummary

FILES_NAMED = 3
"""How many files a warning names for each spelling (then how many more there are)."""


@frozen
class TopicMerge:
    """A topic the stories spell in ways that differ by their accents."""

    name: str
    """The topic's name (as the config defines it, else as most of its stories spell it)."""
    path: str
    """The topic's site-relative address (``topics/<slug>/``)."""
    spellings: tuple[tuple[str, tuple[str, ...]], ...]
    """Each spelling the stories give, in code point order, with the files giving it
    (sorted)."""


def find_topic_merges(spellings: Mapping[str, Sequence[str]], named: Mapping[str, str],
                      paths: Mapping[str, str], stories: Iterable[StorySummary]
                      ) -> tuple[TopicMerge, ...]:
    """The topics of ``spellings`` (the names given each ``topic_key``) whose names
    differ by accents, ``named`` (each key's topic name) and at ``paths`` (by topic
    name); ``stories`` are read only when there is one (to name the files)."""
    merged = {key: names for key, names in spellings.items()
              if len(names) > 1 and len(set(map(topic_key_with_accents, names))) > 1}
    if not merged:
        return ()
    files: dict[str, list[str]] = {name: [] for names in merged.values() for name in names}
    for story in stories:
        for name in story.topics:
            if name in files:
                files[name].append(story.source)
    return tuple(sorted(
        (TopicMerge(named[key], paths[named[key]],
                    tuple((name, tuple(sorted(files[name]))) for name in sorted(names)))
         for key, names in merged.items()), key=lambda merge: merge.path))


def topic_merge_warnings(merges: Iterable[TopicMerge]) -> tuple[Diagnostic, ...]:
    """A warning for each topic whose spellings differ by accents, at the first file of
    a spelling other than the topic's name."""
    problems = []
    for merge in merges:
        named = ", ".join(f"{name!r} ({_files(files)})" for name, files in merge.spellings)
        problems.append(warning(
            min(files[0] for name, files in merge.spellings if name != merge.name),
            f"the topic names {named} differ only by accents (and case or spacing), so they "
            f"are one topic, {merge.name!r}, at {merge.path}", field="topics",
            hint="If they name one topic, spell it alike everywhere to silence this; if they "
                 "are two topics ('Resume' and 'Résumé'), rename one of them (names differing "
                 "only in accents, case or spacing are always one topic)."))
    return tuple(problems)


def _files(files: Sequence[str]) -> str:
    """``files`` named, the first ``FILES_NAMED`` of them and how many more."""
    shown = ", ".join(files[:FILES_NAMED])
    return shown if len(files) <= FILES_NAMED else \
        f"{shown} and {len(files) - FILES_NAMED} more"
