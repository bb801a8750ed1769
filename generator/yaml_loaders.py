"""PyYAML's loaders, for what ``yamlio`` leaves to them: documents the compiled loader
does not build (aliases, anchors, tags, merge keys, complex keys, repeated keys, deep
nesting, errors), all of them where it is not built, and the node trees ``compose_yaml``
gives (see ``yamlio``, whose names these use, for why this is a module apart)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator import kernels

from .yamlio import (
    IMPLICIT_RESOLVERS,
    INT_TAG,
    KNOWN_TAGS,
    MAP_TAG,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MERGE_TAG,
    SEQ_TAG,
    STR_TAG,
    VALUE_TAG,
    DuplicateKey,
    LoadedYaml,
    YamlProblem,
    resolve_python,
)

_FAST_PATH_INDICATORS = 5_000
"""Below this many ``[{-:?`` characters the C composer cannot overflow its stack."""

_SIMPLIFY = ("Story fields are nested a few levels at most; write values out "
             "instead of nesting them deeper or repeating them with aliases.")

try:  # libyaml's C parser is ~10x faster; fall back to pure Python when absent
    from yaml import CSafeLoader as _Fast
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Fast  # type: ignore[assignment]
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]


class _DuplicateFinding(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, finding the keys given twice in the document's nodes
    before it builds them (building merges ``<<`` keys into the nodes), for every loader
    here that builds a document with it: that is every document the compiled loader and
    the direct construction leave to PyYAML, among them every one with a repeated key."""

    duplicates: tuple[DuplicateKey, ...] = ()
    """The keys the last document built by this loader repeats."""

    def construct_document(self, node: Node) -> Any:
        self.duplicates = find_duplicate_keys(node)
        return super().construct_document(node)


class _FastLoader(_DuplicateFinding, _Fast):
    """A safe loader that leaves timestamps as strings: ``validate`` parses dates
    itself, so that an impossible date is a diagnostic for one field, not a crash.

    Most of a story's nodes are plain mappings, lists and strings; those are built
    directly (a third of the loading time) and every other node by the standard
    constructor. Anything unusual (merge keys, complex keys, odd tags, an error)
    starts the document again with the standard constructor alone, so the result and
    every error are exactly PyYAML's. A mapping that comes out with fewer keys than its
    node has pairs repeats a key: that too is left to the standard constructor, which
    finds the repeated keys (``_DuplicateFinding``)."""

    plain = False
    """Whether the document was built directly (then it is nested ``MAX_DEPTH`` at most)."""

    def construct_document(self, node: Node) -> Any:
        try:
            data = _construct_plain(self, node, 1)
        except Exception:  # noqa: BLE001 - the standard constructor gives the verdict
            self.constructed_objects, self.recursive_objects = {}, {}
            return super().construct_document(node)
        self.plain = True
        return data


_DEFAULT_TAGS: dict[type[Node], str] = {ScalarNode: STR_TAG, SequenceNode: SEQ_TAG,
                                        MappingNode: MAP_TAG}


class _NotPlain(Exception):
    """A node the direct construction leaves to the standard constructor."""


def construct_plain_python(loader: yaml.constructor.SafeConstructor, node: Node,
                           depth: int) -> Any:
    """A node made of mappings with scalar keys, none repeated, lists and scalars, built
    directly (``_NotPlain`` for anything else, or nesting deeper than ``MAX_DEPTH``)."""
    tag = node.tag
    if isinstance(node, ScalarNode):
        if tag == STR_TAG:
            return node.value
        value = node.value
        if tag == INT_TAG and value.isdigit() and (value[0] != "0" or len(value) == 1):
            return int(value)  # (what construct_yaml_int makes of plain decimal digits)
        return loader.construct_object(node, deep=True)
    if depth > MAX_DEPTH:
        raise _NotPlain
    if tag == SEQ_TAG and isinstance(node, SequenceNode):
        return [construct_plain_python(loader, child, depth + 1) for child in node.value]
    if tag == MAP_TAG and isinstance(node, MappingNode):
        result = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == MERGE_TAG:
                raise _NotPlain
            result[construct_plain_python(loader, key_node, depth + 1)] = \
                construct_plain_python(loader, value_node, depth + 1)
        if len(result) != len(node.value):  # a repeated key: found by _DuplicateFinding
            raise _NotPlain
        return result
    raise _NotPlain


_PLAIN_CONSTANTS = (MAX_DEPTH, STR_TAG, INT_TAG, SEQ_TAG, MAP_TAG, MERGE_TAG, ScalarNode,
                    SequenceNode, MappingNode, _NotPlain)
"""What ``construct_plain_python`` reads, in the order the compiled twin takes them."""
_construct_plain = construct_plain_python if kernels.construct is None \
    else partial(kernels.construct, _PLAIN_CONSTANTS)
""":func:`construct_plain_python`, compiled where it is built (``generator.kernels``)."""


class _GuardedComposer(Composer):
    """The pure-Python composer, counting depth and alias expansion as it goes."""

    def compose_document(self) -> Node | None:
        self.depth = 0
        self.expanded = 0
        self.alias_nodes = 0
        self.sizes: dict[str, int] = {}
        return super().compose_document()

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]  # from the parser mixin
        if isinstance(event, AliasEvent):
            size = self.sizes.get(event.anchor or "", 1)
            self.expanded += size
            self.alias_nodes += size
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise YamlProblem(
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} values "
                    f"(at *{event.anchor}); refusing a possible 'billion laughs' document",
                    _line(event), _SIMPLIFY)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep",
                              _line(event), _SIMPLIFY)
        before = self.expanded
        node = super().compose_node(parent, index)
        self.expanded += 1
        self.depth -= 1
        if event.anchor is not None:  # what each later *alias to it will add, expanded
            self.sizes[event.anchor] = self.expanded - before
        return node


class _GuardedLoader(_GuardedComposer, _Parser, _DuplicateFinding, yaml.resolver.Resolver):
    """libyaml's event parser (no recursion) feeding the guarded composer."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        _DuplicateFinding.__init__(self)
        yaml.resolver.Resolver.__init__(self)


class _PureGuardedLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                         _GuardedComposer, _DuplicateFinding, yaml.resolver.Resolver):
    """PyYAML's own pure-Python parser (a state machine: no recursion either) feeding the
    guarded composer, asked only once libyaml has refused a document: the two parsers
    differ on a few odd documents, where PyYAML's reads what libyaml refuses (an entry of
    a flow sequence that is an explicit empty key, ``[? ]``: ``[{None: None}]``)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        Composer.__init__(self)
        _DuplicateFinding.__init__(self)
        yaml.resolver.Resolver.__init__(self)


_FastLoader.yaml_implicit_resolvers = IMPLICIT_RESOLVERS
_GuardedLoader.yaml_implicit_resolvers = IMPLICIT_RESOLVERS
_PureGuardedLoader.yaml_implicit_resolvers = IMPLICIT_RESOLVERS


_RESOLVE = partial(kernels.resolve or resolve_python, IMPLICIT_RESOLVERS, _DEFAULT_TAGS,
                   ScalarNode, KNOWN_TAGS)
"""The tag of a node: ``resolve_python`` (or its compiled twin) bound to the loaders' tables
and the memo the compiled loader's resolver keeps too (``yamlio._RESOLVE``)."""


def _hooked_loader(resolver: Callable[[type, str | None, Any], str],
                   ignorer: Callable[..., None] | None) -> type[_FastLoader]:
    """``_FastLoader`` whose ``resolve`` is ``resolver`` and whose path hooks are
    ``ignorer`` (if any): both stand in for PyYAML's, which look for path resolvers at
    every node. (Parameters named apart from the attributes: a class body does not see
    a function's names it assigns itself.)"""

    class _HookedLoader(_FastLoader):
        resolve = staticmethod(resolver)
        if ignorer is not None:
            descend_resolver = staticmethod(ignorer)
            ascend_resolver = staticmethod(ignorer)

    return _HookedLoader


_Loader = _FastLoader if _FastLoader.yaml_path_resolvers else _hooked_loader(
    _RESOLVE, kernels.ignore)
"""The loader ``load_yaml`` uses: ``_FastLoader`` with its per-node hooks bound, compiled
where the kernels are built (see ``generator.kernels``)."""


def load_with_pyyaml(text: str) -> LoadedYaml:
    """``yamlio.load_yaml`` by PyYAML's loaders (what the compiled loader leaves to them,
    or all where it is not built)."""
    try:
        if _needs_guard(text):
            return _load_guarded(text)
        loader = _Loader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
        if loader.plain or _depth(data) <= MAX_DEPTH:
            return LoadedYaml(data, loader.duplicates)
        return _load_guarded(text)  # raises, with the line
    except yaml.MarkedYAMLError as exc:
        refused = _syntax_problem(exc, text)
    except yaml.YAMLError as exc:
        raise YamlProblem(str(exc)) from None
    except (ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
        # a constructor refused a value (PyYAML raises IndexError for an empty ``!!int``)
        raise YamlProblem(f"unreadable value: {exc or type(exc).__name__}") from None
    except RecursionError:
        raise YamlProblem("the YAML is nested too deeply") from None
    try:  # (what PyYAML's own parser reads, libyaml's may refuse: see _PureGuardedLoader)
        return _load_guarded(text, _PureGuardedLoader)
    except YamlProblem as guarded:  # nesting or aliases past the guard's limits: said so
        # (libyaml 0.2.6 refuses nesting past 1,000 levels before the guard counts them)
        raise guarded from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, IndexError, KeyError,
            RecursionError):
        raise refused from None  # (libyaml's complaint, as before)


def construct_other(tag: str, value: str) -> Any:
    """A plain scalar's value for a tag other than str and plain decimal int (bool, null,
    float, other ints), by PyYAML's safe constructor, as ``_FastLoader`` constructs it."""
    constructor = yaml.constructor.SafeConstructor()
    return constructor.construct_object(ScalarNode(tag, value), deep=True)


def compose_guarded(text: str) -> Node | None:
    """``yamlio.compose_yaml``."""
    loader = _GuardedLoader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    except yaml.YAMLError as exc:
        raise YamlProblem(str(exc)) from None
    finally:
        loader.dispose()


def _load_guarded(text: str, kind: type[_GuardedLoader | _PureGuardedLoader] = _GuardedLoader
                  ) -> LoadedYaml:
    loader = kind(text)
    try:
        return LoadedYaml(loader.get_single_data(), loader.duplicates)
    finally:
        loader.dispose()


def find_duplicate_keys(root: Node) -> tuple[DuplicateKey, ...]:
    """The keys of ``root``'s mappings given again in the same mapping, in the order of
    their lines. Keys are compared by value, as the built dict compares them (``1`` and
    ``1.0`` are one key, ``'1'`` another); a ``<<`` merge key is not a key of its mapping
    (the keys it brings may be given again: that is how a merge is overridden), and a
    key that cannot be built is left to the constructor to refuse. A node that aliases
    make part of the document several times is looked at once, where it first appears."""
    found: list[DuplicateKey] = []
    seen: set[int] = set()
    stack: list[tuple[Node, str]] = [(root, "")]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children: list[tuple[Node, str]] = []
        if isinstance(node, SequenceNode):
            children = [(child, f"{where}[{i}]") for i, child in enumerate(node.value)]
        elif isinstance(node, MappingNode):
            firsts: dict[Any, ScalarNode] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    continue  # (a complex key: the constructor refuses it)
                if key_node.tag == MERGE_TAG:  # (the mappings it merges, a list of them)
                    merged = value_node.value if isinstance(value_node, SequenceNode) \
                        else [value_node]
                    children.extend((mapping, where) for mapping in merged)
                    continue
                field = f"{where}.{key_node.value}" if where else str(key_node.value)
                children.append((value_node, field))
                first = _first_of_key(firsts, key_node)
                if first is not None:
                    found.append(DuplicateKey(field, key_node.value, _node_line(first),
                                              _node_line(key_node)))
        stack.extend(reversed(children))  # (in document order: aliases after their anchor)
    return tuple(sorted(found, key=lambda duplicate: duplicate.line))


_UNBUILT = object()
"""A key that cannot be built (the constructor then refuses the document)."""


def _first_of_key(firsts: dict[Any, ScalarNode], key_node: ScalarNode) -> ScalarNode | None:
    """The key node in ``firsts`` whose key equals ``key_node``'s (None, after adding
    ``key_node``, where none does)."""
    key = key_node.value if key_node.tag in (STR_TAG, VALUE_TAG) else _built_key(key_node)
    if key is _UNBUILT:
        return None
    try:
        first = firsts.setdefault(key, key_node)
    except TypeError:  # (unhashable: the constructor refuses it)
        return None
    return first if first is not key_node else None


def _built_key(key_node: ScalarNode) -> Any:
    try:
        return construct_other(key_node.tag, key_node.value)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, IndexError, KeyError):
        return _UNBUILT


def _node_line(node: Node) -> int:
    return node.start_mark.line + 1


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    """The parser's complaint, at the line where the broken construct starts when
    the parser only noticed at the end of the text (an unclosed quote or bracket);
    noticed on a later line, at that line, saying how far above the construct starts."""
    problem = " ".join(part for part in (exc.problem, exc.context) if part) or "invalid YAML"
    mark, start = exc.problem_mark, exc.context_mark
    at_end = mark is None or mark.index >= len(text.rstrip())
    if start is not None and at_end:
        mark = start
    elif start is not None and mark is not None and exc.context and start.line < mark.line:
        above = mark.line - start.line  # (said apart from the line: the callers count
        # the lines of the file the YAML text stands in)
        problem += (" that starts on the line above" if above == 1
                    else f" that starts {above} lines above")
    return YamlProblem(problem, mark.line + 1 if mark is not None else None)


def _line(event: Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


def _needs_guard(text: str) -> bool:
    """True unless the text can hold neither an alias nor deep enough nesting to
    overflow libyaml's recursive C composer: then the faster C path is safe."""
    if "*" in text:
        return True
    indicators = sum(text.count(char) for char in "[{-:?")
    return indicators > _FAST_PATH_INDICATORS


def _depth(data: object) -> int:
    """Nesting depth of loaded (alias-free, so tree-shaped) YAML data."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for pair in value.items() for child in pair)
        elif isinstance(value, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in value)
    return deepest
