"""The YAML loader builds plain documents directly, and gives exactly PyYAML's result
(or refuses exactly what PyYAML refuses) for any document."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import yaml_loaders, yamlio
from generator.yamlio import DuplicateKey, YamlProblem, load_yaml

TIMESTAMP = "tag:yaml.org,2002:timestamp"


class StandardLoader(yaml.SafeLoader):
    """PyYAML's own safe loader, timestamps left as strings (its table, not ours)."""


StandardLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def test_the_implicit_types_are_pyyamls_but_timestamps() -> None:
    """(``yamlio`` writes the table out, to load plain documents without importing PyYAML;
    the comparisons with ``StandardLoader`` below also hold it to PyYAML's behaviour.)"""
    assert StandardLoader.yaml_implicit_resolvers == yamlio.IMPLICIT_RESOLVERS
    assert list(yamlio.IMPLICIT_RESOLVERS) == list(StandardLoader.yaml_implicit_resolvers)


@pytest.mark.parametrize("word", ["yes", "Yes", "YES", "no", "No", "NO", "true", "True",
                                  "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off",
                                  "Off", "OFF", "~", "null", "Null", "NULL", ""])
def test_booleans_and_nulls_are_made_as_pyyaml_makes_them(word: str) -> None:
    tag = next((tag for tag, regexp in yamlio.IMPLICIT_RESOLVERS.get(word[:1], ())
                if regexp.match(word)), None)
    assert tag is not None
    value = yamlio.construct_other(tag, word)
    assert repr(value) == repr(yaml_loaders.construct_other(tag, word))
    assert repr(value) == repr(standard(f"v: {word}\n")[1]["v"])


def standard(text: str) -> tuple[str, Any]:
    try:
        return "ok", yaml.load(text, Loader=StandardLoader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError, IndexError,
            KeyError):
        return "error", None


def ours(text: str) -> tuple[str, Any]:
    try:
        return "ok", load_yaml(text).data
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
        assert repr(fast) == repr(load_yaml(text).data)  # (it never raises where built)
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
    "a: 1\nb: {c: 2, c: 3}\n",                       # a repeated key: the standard path says
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
    bound = yaml_loaders._Loader.__dict__["resolve"].__func__.func
    assert bound is (kernels.resolve or yamlio.resolve_python)
    assert (yaml_loaders._Loader.descend_resolver is kernels.ignore) == (kernels.ignore is not None)
    assert (yaml_loaders._construct_plain is yaml_loaders.construct_plain_python) == \
        (kernels.construct is None)
    assert (yamlio._load_compiled is None) == (kernels.load_yaml is None)


# ---- keys given twice: the last value is kept, and every repeat is reported --------------

LOADERS = ["as built", "without the compiled loader", "without the kernels"]
"""``load_yaml`` as built (compiled where it is), with the direct construction (compiled
where built) behind libyaml's parser alone, and with the Python construction alone (what a
machine without the kernels, or ``DIGEST_PURE_PYTHON``, runs)."""


@contextlib.contextmanager
def loading(how: str) -> Iterator[None]:
    compiled, construct = yamlio._load_compiled, yaml_loaders._construct_plain
    if how != "as built":
        yamlio._load_compiled = None
    if how == "without the kernels":
        yaml_loaders._construct_plain = yaml_loaders.construct_plain_python
    try:
        yield
    finally:
        yamlio._load_compiled, yaml_loaders._construct_plain = compiled, construct


def duplicates(text: str, how: str = "as built") -> list[tuple[str, str, int, int]]:
    with loading(how):
        loaded = load_yaml(text)
    assert repr(loaded.data) == repr(standard(text)[1])  # the last value, as PyYAML keeps
    return [(d.field, d.key, d.first_line, d.line) for d in loaded.duplicates]


@pytest.mark.parametrize("how", LOADERS)
def test_a_key_given_twice_keeps_its_last_value_and_is_reported_with_both_lines(
        how: str) -> None:
    text = "title: One\nexcerpt: x\nheat: 3\ntitle: Two\n"
    assert duplicates(text, how) == [("title", "title", 1, 4)]
    with loading(how):
        assert load_yaml(text).data["title"] == "Two"
    assert duplicates("a: 1\nb: 2\n", how) == []


@pytest.mark.parametrize("how", LOADERS)
def test_keys_repeated_at_any_depth_are_named_as_fields(how: str) -> None:
    text = ("title: T\n"                      # 1
            "provider:\n"                     # 2
            "  name: A\n"                     # 3
            "  domain: a.example\n"           # 4
            "  name: B\n"                     # 5
            "images:\n"                       # 6
            "  - url: https://a/1.jpg\n"      # 7
            "  - url: https://a/2.jpg\n"      # 8
            "    width: 10\n"                 # 9
            "    url: https://a/3.jpg\n"      # 10
            "related:\n"                      # 11
            "  - title: R\n"                  # 12
            "    provider: {name: P, name: Q}\n")  # 13
    assert duplicates(text, how) == [("provider.name", "name", 3, 5),
                                     ("images[1].url", "url", 8, 10),
                                     ("related[0].provider.name", "name", 13, 13)]


@pytest.mark.parametrize("how", LOADERS)
def test_a_key_given_three_times_is_reported_twice(how: str) -> None:
    assert duplicates("a: 1\nb: 2\na: 3\na: 4\n", how) == [("a", "a", 1, 3), ("a", "a", 1, 4)]


@pytest.mark.parametrize("how", LOADERS)
def test_keys_are_the_same_when_their_values_are(how: str) -> None:
    """As the dict compares them: 1, 1.0 and true are one key; '1' is another."""
    assert duplicates("1: a\n'1': b\n1.0: c\ntrue: d\n", how) == [("1.0", "1.0", 1, 3),
                                                                  ("true", "true", 1, 4)]


@pytest.mark.parametrize("how", LOADERS)
def test_overriding_a_merged_key_is_not_a_repeat(how: str) -> None:
    text = ("base: &base\n"          # 1
            "  name: A\n"            # 2
            "  domain: a.example\n"  # 3
            "provider:\n"            # 4
            "  <<: *base\n"          # 5
            "  name: B\n"            # 6
            "other:\n"               # 7
            "  <<: [*base, {x: 1, x: 2}]\n"  # 8: a merged mapping repeating its own key
            "  x: 3\n")              # 9
    assert duplicates(text, how) == [("other.x", "x", 8, 8)]
    with loading(how):
        data = load_yaml(text).data
    assert data["provider"] == {"name": "B", "domain": "a.example"}
    assert data["other"]["x"] == 3


def test_a_document_with_an_alias_is_checked_on_the_guarded_path() -> None:
    """(A ``*`` sends the text to the guarded loader; a mapping an alias repeats is
    reported once, where it is written.)"""
    text = ("base: &b\n"       # 1
            "  url: x\n"       # 2
            "  url: y\n"       # 3
            "images: [*b, *b]\n"  # 4
            "title: A\n"       # 5
            "title: B\n")      # 6
    assert yaml_loaders._needs_guard(text)
    assert duplicates(text) == [("base.url", "url", 2, 3), ("title", "title", 5, 6)]


def test_a_document_only_pyyaml_parses_is_checked_too() -> None:
    """(libyaml refuses ``[? ]``; PyYAML's own parser reads it: ``_PureGuardedLoader``.)"""
    assert duplicates("a: [? ]\nb: {c: 1, c: 2}\n") == [("b.c", "c", 2, 2)]


def test_the_fast_paths_leave_a_repeated_key_to_pyyaml() -> None:
    """Neither the compiled loader nor the direct construction build a mapping that came
    out smaller than written: a repeated key is found only from the nodes."""
    text = "a: 1\nb:\n  c: 2\n  c: 3\n"
    if yamlio._load_compiled is not None:
        assert yamlio._load_compiled(text) is yamlio._FALLBACK
    for construct in {yaml_loaders._construct_plain, yaml_loaders.construct_plain_python}:
        loader = yaml_loaders._FastLoader(text)
        try:
            with pytest.raises(yaml_loaders._NotPlain):
                construct(loader, loader.get_single_node(), 1)
        finally:
            loader.dispose()


def test_a_repeated_key_that_cannot_be_built_is_left_to_the_constructor() -> None:
    with pytest.raises(YamlProblem, match="unreadable value"):
        load_yaml("!!int x: 1\n!!int x: 2\n")


KEYS = st.sampled_from(["a", "b", "title", "url", "1", "'a'"])
LEAVES = st.one_of(st.integers(0, 9), st.sampled_from(["one", "two", "'3'", "~"]))
Mapping = tuple[tuple[str, Any], ...]
"""A mapping as written: its (key, value) pairs in order, repeats and all; a value is a
leaf, a mapping (a tuple) or a list of mappings."""
MAPPINGS = st.recursive(
    st.lists(st.tuples(KEYS, LEAVES), min_size=1, max_size=5).map(tuple),
    lambda inner: st.lists(st.tuples(KEYS, st.one_of(LEAVES, inner, st.lists(inner, min_size=1,
                                                                               max_size=3))),
                           min_size=1, max_size=5).map(tuple),
    max_leaves=20)


def write_mapping(mapping: Mapping, *, indent: int, where: str, lines: list[str],
                  repeats: list[DuplicateKey]) -> None:
    """Append ``mapping`` as block YAML to ``lines``, and each key it repeats to
    ``repeats``."""
    firsts: dict[str, int] = {}
    for key, value in mapping:
        written = key.strip("'")
        field = f"{where}.{written}" if where else written
        lines.append(" " * indent + f"{key}:" + (f" {value}" if not isinstance(value, (tuple, list))
                                                   else ""))
        if written in firsts:
            repeats.append(DuplicateKey(field, written, firsts[written], len(lines)))
        firsts.setdefault(written, len(lines))
        if isinstance(value, tuple):
            write_mapping(value, indent=indent + 2, where=field, lines=lines, repeats=repeats)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                lines.append(" " * (indent + 2) + "-")
                write_mapping(item, indent=indent + 4, where=f"{field}[{i}]", lines=lines,
                              repeats=repeats)


@settings(max_examples=300, deadline=None)
@given(MAPPINGS)
def test_mappings_with_repeated_keys_load_as_pyyaml_loads_them_and_report_the_repeats(
        mapping: Mapping) -> None:
    lines: list[str] = []
    repeats: list[DuplicateKey] = []
    write_mapping(mapping, indent=0, where="", lines=lines, repeats=repeats)
    text = "\n".join(lines) + "\n"
    for how in LOADERS:
        with loading(how):
            loaded = load_yaml(text)
        assert repr(loaded.data) == repr(yaml.safe_load(text))
        assert loaded.duplicates == tuple(sorted(repeats, key=lambda repeat: repeat.line))


def test_a_build_of_plain_stories_never_imports_pyyaml(corpus_site: Path) -> None:
    """Where the compiled loader is built, the real corpus and a digest.yaml load without
    PyYAML's loaders (``yaml_loaders``), which a fresh build would spend 13-16 ms
    importing; a bad file still gets them, for its line."""
    if yamlio._load_compiled is None:
        pytest.skip("the compiled loader is not built (DIGEST_PURE_PYTHON, or no libyaml)")
    (corpus_site / "digest.yaml").write_text(
        "title: Plain\nlanguage: en\npage_size: 10\nfeeds: true\ntopics:\n"
        "  - name: AI\n    description: ~\n", encoding="utf-8")
    script = ("import sys\nfrom generator.cli import main\ncode = main(sys.argv[1:])\n"
              "print('yaml' in sys.modules, code)\n")
    build = [sys.executable, "-c", script, "build", "--source", str(corpus_site),
             "--output", str(corpus_site / "out"), "--quiet"]
    done = subprocess.run(build, capture_output=True, text=True, check=True)
    assert done.stdout.split()[-2:] == ["False", "0"], done.stderr
    (corpus_site / "content" / "zz-bad.md").write_text("---\ntitle: [unclosed\n---\n",
                                                        encoding="utf-8")
    done = subprocess.run(build, capture_output=True, text=True, check=False)
    assert done.stdout.split()[-2:] == ["True", "1"], done.stderr
    assert "zz-bad.md:2" in done.stderr
