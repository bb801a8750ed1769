"""The YAML loader builds plain documents directly, and gives exactly PyYAML's result
(or refuses exactly what PyYAML refuses) for any document."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import yamlio
from generator.yamlio import YamlProblem, load_yaml


class StandardLoader(yaml.SafeLoader):
    """PyYAML's own safe loader, with the same resolvers (timestamps left as strings)."""


StandardLoader.yaml_implicit_resolvers = yamlio._NO_TIMESTAMPS


def standard(text: str) -> tuple[str, Any]:
    try:
        return "ok", yaml.load(text, Loader=StandardLoader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError, IndexError,
            KeyError):
        return "error", None


def ours(text: str) -> tuple[str, Any]:
    try:
        return "ok", load_yaml(text)
    except YamlProblem:
        return "error", None


scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                    st.floats(allow_nan=False), st.sampled_from(["2020-06-09T10:00:00Z", "yes",
                                                                 "0o17", "1e3", "~", "<<"]))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=25)
FRAGMENTS = ["a: ", "b: ", "- ", "\n", "\n  ", "<<: ", "*x", "&x ", "!!str ", "!!map ",
             "!!int ", "!!binary ", "? ", "[", "]", "{", "}", ", ", '"', "'", "1", "x",
             "2020-13-45", "!tag ", "null", "~", "#c"]


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_dumped_documents_load_as_pyyaml_loads_them(data: Any, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert repr(ours(text)) == repr(standard(text))  # (1 == True == 1.0: compare types too)
    if yamlio._load_compiled is not None:  # no anchor, tag or deep nesting: built directly
        assert repr(yamlio._load_compiled(text)) == repr(standard(text)[1])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
@example(["[", "? ", "]"])  # (libyaml refuses it, PyYAML's own parser reads [{None: None}])
@example(["[", "? ", "x", "]"])
def test_odd_documents_load_or_fail_as_pyyaml_does(parts: list[str]) -> None:
    text = "".join(parts)
    assert repr(ours(text)) == repr(standard(text))
    if yamlio._load_compiled is not None:  # built directly, or left to PyYAML
        fast = yamlio._load_compiled(text)
        assert fast is yamlio._FALLBACK or repr(("ok", fast)) == repr(standard(text))


@pytest.mark.parametrize("text", [
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",      # merge keys (and an alias)
    "? [a, b]\n: complex key\n",                          # a key that is not a scalar
    "title: !!str 42\nn: !!float 3\n",                    # explicit tags
    "a: 1\na: 2\n",                                       # a repeated key: the last wins
])
def test_documents_left_to_the_standard_constructor(text: str) -> None:
    assert ours(text) == standard(text)


MORE_FRAGMENTS = ["\t", "|\n  ", ">\n  ", "-1", "+5", "0x1F", "1_0", ".5", "1e3", "true", "! ",
                  "%YAML 1.1\n---\n", "---\n", "...\n", "é", "😀", "=", "\n  key: "]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS + MORE_FRAGMENTS), max_size=16))
def test_the_compiled_loader_builds_what_the_libyaml_path_builds(parts: list[str]) -> None:
    """Against the path it stands in front of (libyaml's C parser with PyYAML's composer
    and constructor), which is what every build used before it: libyaml and PyYAML's
    pure-Python parser disagree on a few texts (a tab in a plain scalar's next line)."""
    if yamlio._load_compiled is None:
        pytest.skip("the compiled loader is not built (DIGEST_PURE_PYTHON, or no libyaml)")
    text = "".join(parts)
    fast = yamlio._load_compiled(text)
    if fast is yamlio._FALLBACK:
        return
    compiled, yamlio._load_compiled = yamlio._load_compiled, None
    try:
        assert repr(fast) == repr(load_yaml(text))  # (it never raises where fast built)
    finally:
        yamlio._load_compiled = compiled


@pytest.mark.parametrize("text", [
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",  # an anchor, an alias, a merge key
    "a: &x 1\n",                                     # an anchor alone
    "<<: {x: 1}\n",                                  # a merge key alone
    "? [a, b]\n: complex key\n",                    # a key that is not a scalar
    "title: !!str 42\n", "n: !x 3\n", "! a\n",     # tags, even the non-specific one
    "a: 1\n---\nb: 2\n",                           # two documents
    "a: [1, 2\n", "a: 'open\n", "a: b: c\n",       # syntax errors
    "v: =\n",                                        # a tag PyYAML cannot construct
])
def test_the_compiled_loader_leaves_the_unusual_to_pyyaml(text: str) -> None:
    """(``load_yaml`` then loads it, or words the problem, the standard way.)"""
    if yamlio._load_compiled is None:
        pytest.skip("the compiled loader is not built (DIGEST_PURE_PYTHON, or no libyaml)")
    assert yamlio._load_compiled(text) is yamlio._FALLBACK
    assert repr(ours(text)) == repr(standard(text))


@pytest.mark.parametrize(("text", "expected"), [
    ("", None), ("# only a comment\n", None), ("---\n...\n", None), ("x\n", "x"),
    ("n: -1\nm: +5\nz: -0\nq: '7'\nf: 1.5\nb: yes\nnil: ~\ne:\n",
     {"n": -1, "m": 5, "z": 0, "q": "7", "f": 1.5, "b": True, "nil": None, "e": None}),
    ("d: 2021-02-26T03:11:11Z\nl: |\n  two\n  lines\n",
     {"d": "2021-02-26T03:11:11Z", "l": "two\nlines\n"}),
    ("1: one\n2.5: x\nnull: z\n", {1: "one", 2.5: "x", None: "z"}),
])
def test_the_compiled_loader_builds_plain_documents(text: str, expected: Any) -> None:
    if yamlio._load_compiled is None:
        pytest.skip("the compiled loader is not built (DIGEST_PURE_PYTHON, or no libyaml)")
    assert repr(yamlio._load_compiled(text)) == repr(expected)
    assert repr(ours(text)) == repr(standard(text)) == repr(("ok", expected))


def test_an_empty_tagged_number_is_a_problem_not_a_crash() -> None:
    with pytest.raises(YamlProblem, match="unreadable value"):
        load_yaml("quality: !!int \n")


def test_deep_nesting_is_refused_with_its_line() -> None:
    text = "a: " + "[" * (yamlio.MAX_DEPTH + 1) + "]" * (yamlio.MAX_DEPTH + 1) + "\n"
    with pytest.raises(YamlProblem, match="nested more than"):
        load_yaml(text)
    if yamlio._load_compiled is not None:
        assert yamlio._load_compiled(text) is yamlio._FALLBACK
    fine = "a: " + "[" * (yamlio.MAX_DEPTH - 1) + "]" * (yamlio.MAX_DEPTH - 1) + "\n"
    assert ours(fine) == standard(fine)


NUMBERISH = st.text(st.sampled_from(list("0123456789_+-:.xob٣²e")), min_size=1, max_size=8)


@settings(max_examples=500, deadline=None)
@given(NUMBERISH)
def test_number_like_scalars_load_to_the_same_value_and_type(word: str) -> None:
    text = f"width: {word}\nlist: [{word}, '{word}']\n"
    assert repr(ours(text)) == repr(standard(text))  # (1 == True == 1.0: compare types too)


@pytest.mark.parametrize("word", ["0", "00", "012", "123", "1_000", "+5", "-5", "12:30",
                                  "0x1f", "0b11", "٣", "²", "9" * 30, "", "~", "yes", "1.5"])
def test_known_number_like_scalars(word: str) -> None:
    text = f"n: {word}\n"
    assert repr(ours(text)) == repr(standard(text))


def test_the_compiled_hooks_are_used_where_the_kernels_are_built() -> None:
    """(Then every comparison with PyYAML above runs through them; without the kernels,
    through the same loader with the Python resolver.)"""
    from generator import kernels
    bound = yamlio._Loader.__dict__["resolve"].__func__.func
    assert bound is (kernels.resolve or yamlio.resolve_python)
    assert (yamlio._Loader.descend_resolver is kernels.ignore) == (kernels.ignore is not None)
    assert (yamlio._construct_plain is yamlio.construct_plain_python) == \
        (kernels.construct is None)
    assert (yamlio._load_compiled is None) == (kernels.load_yaml is None)
