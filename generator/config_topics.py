"""A topic entry of ``digest.yaml`` that no story uses: a warning naming its line.

``topics:`` entries give topics a description, keywords, an image and an order; each
applies to the stories' topic of the same name, whatever the case and spacing of either
(``slugs.topic_key``). An entry whose name matches no story's topic (a typo, ``Computer
Vison``; a topic whose last story went) would be ignored without a word: the build
warns of it, with the closest topic the stories have as the hint. It needs the site's
topics, so the build makes it once the site is modeled (and from the names its cache
keeps, when nothing changed: ``Manifest.topics``).
"""

from __future__ import annotations

from collections.abc import Iterable

from .config import CONFIG_NAME, SiteConfig
from .diagnostics import Diagnostic, shorten, warning
from .read import FieldLines
from .slugs import topic_key

CLOSE_ENOUGH = 0.8
"""How alike (``difflib``'s ratio, 0-1) a topic's name must be to an entry's to be named
as what the entry meant (``Computer Vison`` and ``Computer Vision``: 0.97)."""


def unused_topic_warnings(config: SiteConfig, topics: Iterable[str]) -> tuple[Diagnostic, ...]:
    """A warning for each of ``config.topics`` whose name is not one of ``topics`` (the
    site's topic names), at the line of its entry in ``digest.yaml``."""
    named = {topic_key(name): name for name in topics}
    unused = [definition.name for definition in config.topics
              if topic_key(definition.name) not in named]
    if not unused:
        return ()
    from difflib import get_close_matches  # (here: most builds have no unused entry)

    try:
        lines = FieldLines((config.source / CONFIG_NAME).read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        lines = FieldLines("")
    entries = _topic_entries(lines)
    taken: set[int] = set()  # (a name given twice: each entry at its own line)
    problems = []
    for name in unused:
        index = next((i for i, (given, _line) in enumerate(entries)
                      if given == name and i not in taken), None)
        if index is not None:
            taken.add(index)
        close = get_close_matches(topic_key(name), named, n=1, cutoff=CLOSE_ENOUGH)
        hint = (f"Did you mean {named[close[0]]!r}? It is a topic of the stories (names "
                "match whatever their case, spacing and accents)." if close
                else "No story lists this topic: correct the name, or remove the entry.")
        problems.append(warning(
            CONFIG_NAME, f"the topic {shorten(name)} is not a topic of any story, so its "
            "entry is not used",
            line=entries[index][1] if index is not None else lines.line_of("topics"),
            field=f"topics[{index}].name" if index is not None else "topics", hint=hint))
    return tuple(problems)


def _topic_entries(lines: FieldLines) -> list[tuple[str | None, int | None]]:
    """The name and line of each entry of ``topics:`` in ``digest.yaml`` (``lines``), in
    order, as ``config._read_topics`` reads them (a list of ``{name: ...}``, or a mapping
    by name); ``(None, None)`` for an entry without a name (its place kept: indexes match)."""
    topics = lines.node_of("topics")
    if topics is None:
        return []
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode  # (PyYAML made ``topics``)

    if isinstance(topics, MappingNode):
        return [(key.value, key.start_mark.line + 1) if isinstance(key, ScalarNode)
                else (None, None) for key, _item in topics.value]
    if not isinstance(topics, SequenceNode):
        return []
    names = (lines.node_of(f"topics[{i}].name") for i in range(len(topics.value)))
    return [(name.value, name.start_mark.line + 1) if isinstance(name, ScalarNode)
            else (None, None) for name in names]
