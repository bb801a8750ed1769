"""YAML loading: safe, fast (libyaml when present), with line numbers on errors.

Front matter comes from scrapers and strangers, so loading is bounded: nesting
deeper than ``MAX_DEPTH`` and aliases that expand to more than
``MAX_ALIAS_NODES`` nodes ("billion laughs") are refused with a ``YamlProblem``
instead of exhausting the stack, memory or time of the build.

A key given twice in one mapping keeps its last value, as in PyYAML (and Hugo, and
Jekyll), but is not silent: ``load_yaml`` returns it with the data, as a ``DuplicateKey``
for the caller to warn about. The fast paths build no node tree, so they only notice that
a mapping came out smaller than it was written and leave the document to PyYAML's
constructor, which finds the repeated keys in the nodes first (``_DuplicateFinding``).

Where the compiled loader is built (``generator.kernels``), it loads plain documents
(every story of a real site) without PyYAML, which this module then does not import:
PyYAML's loaders (``yaml_loaders``) take 13-16 ms to import (11 of its modules, one of
them compiling a regular expression of all of Unicode's printable characters for its
pure-Python reader), 4-5% of a fresh ``digest build`` after an edit at 10,000 stories.
For that, the resolver's table of implicit types (``IMPLICIT_TYPES``) is written here;
``tests/test_yamlio.py`` checks that it is PyYAML's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from generator import kernels

from .frozen import frozen

if TYPE_CHECKING:
    from yaml.nodes import Node

MAX_DEPTH = 50
"""Deepest nesting of lists and mappings accepted (real front matter uses about 7)."""
MAX_ALIAS_NODES = 10_000
"""Most nodes that ``*alias`` references may add to a document, counted expanded."""


@frozen
class YamlProblem(Exception):
    """YAML that cannot be loaded."""

    problem: str
    """What the parser said."""
    line: int | None = None
    """1-based line within the YAML text."""
    hint: str | None = None
    """What to do about it, when the problem is not a plain syntax error."""

    def __str__(self) -> str:
        return self.problem


@frozen
class DuplicateKey:
    """A key given again in a mapping that already has it: the data holds the last value."""

    field: str
    """Where the key is, named as fields are in diagnostics (``provider.name``,
    ``images[1].url``; the key alone at the top level)."""
    key: str
    """The key as written the second time."""
    first_line: int
    """1-based line within the YAML text where the key is first given."""
    line: int
    """1-based line within the YAML text where it is given again."""


@frozen
class LoadedYaml:
    """What ``load_yaml`` makes of a document."""

    data: Any
    """The document's value (None for an empty document)."""
    duplicates: tuple[DuplicateKey, ...] = ()
    """Every key given again in its mapping, in the order of their lines."""


STR_TAG, INT_TAG, SEQ_TAG, MAP_TAG, MERGE_TAG, VALUE_TAG = (
    f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "seq", "map", "merge", "value"))
_BOOL_TAG, _NULL_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"

IMPLICIT_TYPES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    (_BOOL_TAG, re.compile(r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X), tuple("yYnNtTfFoO")),
    ("tag:yaml.org,2002:float", re.compile(r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X), tuple("-+0123456789.")),
    (INT_TAG, re.compile(r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X), tuple("-+0123456789")),
    (MERGE_TAG, re.compile(r'^(?:<<)$'), ("<",)),
    (_NULL_TAG, re.compile(r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X), ("~", "n", "N", "")),
    (VALUE_TAG, re.compile(r'^(?:=)$'), ("=",)),
    ("tag:yaml.org,2002:yaml", re.compile(r'^(?:!|&|\*)$'), tuple("!&*")),
)
"""YAML 1.1's implicit types as PyYAML's safe loader resolves plain scalars to them
(``yaml.resolver``; tests/test_yamlio.py compares the two tables), in its order: (tag,
regular expression, the first characters it is tried for: "" for the empty scalar).
Timestamps are left out: they stay strings, for ``validate`` parses dates itself, so that
an impossible date is a diagnostic for one field, not a crash."""


def _by_first_character(types: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]
                        ) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, regexp, firsts in types:
        for first in firsts:
            table.setdefault(first, []).append((tag, regexp))
    return table


IMPLICIT_RESOLVERS = _by_first_character(IMPLICIT_TYPES)
"""``IMPLICIT_TYPES`` as PyYAML's loaders hold them (``yaml_implicit_resolvers``): the
(tag, regular expression) pairs to try for each first character of a plain scalar."""

RESOLVE_MEMO_MOST = 20_000
"""Most plain scalars whose tags a loader keeps (``resolve_python``'s ``known``)."""
RESOLVE_MEMO_LONGEST = 64
"""Longest plain scalar whose tag is kept (a story's keys and short values recur)."""


def resolve_python(resolvers: dict[str, list[tuple[str, Any]]], default_tags: dict[type, str],
                   scalar_kind: type, known: dict[str, str], kind: type, value: str | None,
                   implicit: Any) -> str:
    """The tag of a node (``BaseResolver.resolve`` without path resolvers): the first of
    the implicit ``resolvers`` listed under a plain scalar's first character whose regexp
    matches it, else the default tag of the node's ``kind``. The C parser asks for the
    tag of every node, 150 a story; ``known`` keeps the tags of plain scalars of at most
    ``RESOLVE_MEMO_LONGEST`` characters, up to ``RESOLVE_MEMO_MOST`` of them."""
    if kind is scalar_kind and implicit[0] and value is not None:
        tag = known.get(value)
        if tag is not None:
            return tag
        tag = default_tags[kind]
        for candidate, regexp in resolvers.get(value[:1], ()):
            if regexp.match(value):
                tag = str(candidate)
                break
        if type(value) is str and len(value) <= RESOLVE_MEMO_LONGEST \
                and len(known) < RESOLVE_MEMO_MOST:
            known[value] = tag
        return tag
    return default_tags[kind]


KNOWN_TAGS: dict[str, str] = {}
"""The memo of every resolver here (``resolve_python``'s ``known``): the compiled
loader's and PyYAML's loaders' (``yaml_loaders``), whose tables are the same."""


class _PlainScalar:
    """What the compiled loader tells its resolver a scalar node is (PyYAML's loaders
    tell theirs ``yaml.nodes.ScalarNode``)."""


_RESOLVE = partial(kernels.resolve or resolve_python, IMPLICIT_RESOLVERS,
                   {_PlainScalar: STR_TAG}, _PlainScalar, KNOWN_TAGS)
"""The tag of a scalar the compiled loader reads: ``resolve_python`` (or its compiled
twin) bound to the table and the memo."""


class _Fallback:
    """What ``kernels.load_yaml`` returns for a document it leaves to PyYAML."""


_FALLBACK = _Fallback()

_BOOLEANS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
"""A YAML 1.1 boolean's value, by its spelling in lower case (PyYAML's ``bool_values``)."""


def construct_other(tag: str, value: str) -> Any:
    """A plain scalar's value for a tag other than str and plain decimal int, as PyYAML's
    safe constructor makes it: booleans and nulls here (the only ones stories hold: 3 a
    story), the rest (floats, other ints) by PyYAML."""
    if tag == _BOOL_TAG:
        return _BOOLEANS[value.lower()]
    if tag == _NULL_TAG:
        return None
    from .yaml_loaders import construct_other as by_pyyaml

    return by_pyyaml(tag, value)


def _compiled_loader() -> Callable[[str], Any] | None:
    """``kernels.load_yaml`` bound to the resolver (it looks in the resolver's memo itself
    before asking it), or None where it is not built."""
    if kernels.load_yaml is None:
        return None
    constants = (MAX_DEPTH, KNOWN_TAGS, _RESOLVE, _PlainScalar, (True, False),
                 construct_other, STR_TAG, INT_TAG, _FALLBACK)
    return partial(kernels.load_yaml, constants)


_load_compiled = _compiled_loader()
"""Front matter straight from libyaml's events, where built: it gives what PyYAML's
fast loader (``yaml_loaders``) gives, or ``_FALLBACK`` for whatever it leaves to it
(aliases, anchors, tags, merge keys, complex keys, repeated keys, deep nesting, errors): a
bench story's front matter in 0.06 ms instead of 0.19."""


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document safely, with the keys it repeats; raise ``YamlProblem``
    with the line on failure."""
    if _load_compiled is not None:
        data = _load_compiled(text)
        if data is not _FALLBACK:
            return LoadedYaml(data)
    from .yaml_loaders import load_with_pyyaml

    return load_with_pyyaml(text)


def compose_yaml(text: str) -> Node | None:
    """The node tree of one YAML document, each node with its place (``start_mark``), made
    under ``load_yaml``'s guard (depth, aliases): for finding where a value is written.
    Raises ``YamlProblem`` on YAML that cannot be loaded."""
    from .yaml_loaders import compose_guarded

    return compose_guarded(text)
