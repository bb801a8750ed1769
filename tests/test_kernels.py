"""The compiled kernels (generator/_kernels.c) give exactly what their Python references give."""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import FrozenInstanceError, dataclass, fields, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from bench.bench_clusters import make_docs, make_inputs, run_inputs, with_built_keys
from generator import (
    cluster_join,
    cluster_links,
    cluster_records,
    kernels,
    model,
    output,
    related,
    relisting,
    yaml_loaders,
    yamlio,
)
from generator.cluster_engine import build_records
from generator.cluster_records import R_TIME
from generator.clusters import Cluster
from generator.diagnostics import Diagnostic, Severity
from generator.manifest import CachedFile
from generator.model import Article, TopicRef
from generator.parse import FileStamp
from generator.summary import StorySummary, link_key

PURE = bool(os.environ.get("DIGEST_PURE_PYTHON"))

weights = st.floats(min_value=-4.0, max_value=4.0, allow_nan=False, allow_subnormal=True)
terms = st.text(alphabet="abcdefgh", min_size=1, max_size=3)


def test_the_kernels_are_built_for_the_suite() -> None:
    """The test command installs the package, which compiles the kernels (this machine has
    a C compiler, and libyaml's headers for the YAML loader): without them every comparison
    below would compare Python with itself."""
    compiled = (kernels.dot, kernels.overlaps, kernels.rank, kernels.join, kernels.vectors,
                kernels.ignore, kernels.resolve, kernels.construct, kernels.plan, kernels.make,
                kernels.related_keys, kernels.heads, kernels.articles, kernels.referring,
                kernels.changed, kernels.load_yaml)
    if PURE:
        assert all(function is None for function in compiled)
    else:
        assert all(function is not None for function in compiled)


def native_only() -> None:
    if PURE:
        pytest.skip("DIGEST_PURE_PYTHON is set: the Python references run everywhere")


@settings(max_examples=300)
@given(st.dictionaries(terms, weights, max_size=12), st.dictionaries(terms, weights, max_size=12))
def test_dot_equals_the_python_sum(first: dict[str, float], second: dict[str, float]) -> None:
    native_only()
    assert kernels.dot is not None
    found = kernels.dot(first, second)
    assert isinstance(found, float)
    assert found.hex() == float(cluster_links.dot_vectors_python(first, second)).hex()


@st.composite
def signatures(draw: st.DrawFn) -> tuple[list[tuple[tuple[list[int], list[float]], int, float]],
                                         int, int, float]:
    """A story's signature entries over random postings (sorted story numbers with weights),
    a window stop, a neighbour limit and a floor."""
    story = draw(st.integers(0, 30))
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        numbers = sorted(draw(st.sets(st.integers(0, 80), max_size=40)) | {story})
        column = (numbers, [draw(weights) for _ in numbers])
        entries.append((column, numbers.index(story), draw(weights)))
    return entries, draw(st.integers(story, 90)), draw(st.integers(0, 12)), draw(weights)


@settings(max_examples=300)
@given(signatures())
def test_overlaps_equal_the_python_loop(
    case: tuple[list[tuple[tuple[list[int], list[float]], int, float]], int, int, float],
) -> None:
    native_only()
    assert kernels.overlaps is not None
    found = kernels.overlaps(*case)
    expected = cluster_links.passing_overlaps_python(*case)
    assert found == expected
    assert [value.hex() for value in found.values()] == [
        value.hex() for value in expected.values()
    ]


@pytest.mark.parametrize("size,seed,copies", [(300, 1, 1), (2000, 7, 1), (400, 3, 3)])
def test_rank_equals_the_python_ranking(size: int, seed: int, copies: int) -> None:
    """Every story's candidates, in order, on synthetic stories; ``copies`` > 1 repeats each
    story under other keys at the same time, so scores tie and only keys order them."""
    native_only()
    assert related.rank_all is not None
    docs = [with_built_keys(doc) for doc in make_docs(size, seed)]
    docs += [replace(doc, key=f"{doc.key}-copy{n}") for n in range(1, copies) for doc in docs]
    stories = build_records(docs)
    timeline = sorted(stories, key=lambda key: (stories[key][R_TIME], key))
    index = related.index_postings(stories, {}, timeline)
    found = related.rank_all(index.places, index.gains, index.times, index.keys, 5,
                             related.TERM_WEIGHT, related.NEIGHBOURS_PER_POSTING // 2,
                             related.HALF_LIFE_DAYS)
    assert found == related.rank_all_python(index, 5)


def test_rank_refuses_lists_that_do_not_match() -> None:
    native_only()
    assert related.rank_all is not None
    with pytest.raises(ValueError, match="differ in length"):
        related.rank_all([()], {}, [0.0, 1.0], ["a", "b"], 5, 8.0, 6, 30.0)
    with pytest.raises(IndexError, match="names no story"):
        related.rank_all([(([0, 7], [1.0, 1.0], 0),)], {}, [0.0], ["a"], 5, 8.0, 6, 30.0)


def test_a_whole_computation_is_the_same_with_or_without_the_kernels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    native_only()
    inputs = make_inputs(make_docs(3000, 11), built=True)
    compiled = run_inputs(None, inputs).to_data()
    monkeypatch.setattr(cluster_links, "dot_vectors", cluster_links.dot_vectors_python)
    monkeypatch.setattr(cluster_links, "passing_overlaps", cluster_links.passing_overlaps_python)
    monkeypatch.setattr(related, "rank_all", None)
    monkeypatch.setattr(cluster_join, "decide_joins", cluster_join.decide_joins_python)
    monkeypatch.setattr(cluster_records, "weigh_vectors", cluster_records.weigh_vectors_python)
    assert run_inputs(None, inputs).to_data() == compiled


@st.composite
def components(draw: st.DrawFn) -> tuple[Any, ...]:
    """A component's records (times within two days, small vectors, shared
    addresses and related[] keys now and then), its links best first with their scores,
    the links of stories sharing an address, and what a last computation left: touched
    stories and joined links (or none)."""
    size = draw(st.integers(2, 24))
    keys = st.sampled_from(["u1", "u2", "u3", "title:a", "title:b"])
    records = []
    times = sorted(draw(st.lists(st.floats(0.0, 2 * 86400.0), min_size=size, max_size=size)))
    for number, time in enumerate(times):
        vector = draw(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]),
                                      st.floats(0.0, 1.0), max_size=4))
        urls = tuple(sorted(draw(st.sets(keys, max_size=1))))
        own = (*urls, draw(keys))
        listed = tuple(draw(st.lists(keys, max_size=2)))
        records.append((f"d{number}", time, None, vector, urls, own, listed, None, None))
    pairs = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)),
                          min_size=size, max_size=3 * size))
    known = {a * size + b: draw(st.floats(0.0, 1.1)) for a, b in pairs if a < b}
    codes = sorted(known)
    codes.sort(key=known.__getitem__, reverse=True)
    same_url = {code for code in codes if draw(st.booleans()) and draw(st.booleans())}
    if draw(st.booleans()):
        touched = [True] * size
        joined = None
    else:
        touched = [draw(st.booleans()) for _ in range(size)]
        joined = {code for code in codes if draw(st.booleans())}
    return codes, known, same_url, records, touched, joined


@settings(max_examples=400)
@given(components(), st.sampled_from([0.1, 0.2, 0.3]), st.sampled_from([1.0, 3.0, 4.5]))
def test_join_decides_as_the_python_loop(case: tuple[Any, ...], floor: float,
                                         window_days: float) -> None:
    native_only()
    assert kernels.join is not None
    codes, known, same_url, records, touched, joined = case
    scored = dict(known)
    expected = cluster_join.decide_joins_python(
        codes, scored, same_url, records, list(touched), joined, window_days, floor
    )
    found = cluster_join.decide_joins(
        codes, known, same_url, records, list(touched), joined, window_days, floor
    )
    assert found == expected
    assert {code: score.hex() for code, score in known.items()} == {
        code: score.hex() for code, score in scored.items()
    }  # (the pairs the checks scored, and their scores to the last bit)


def test_join_refuses_a_code_beyond_its_stories() -> None:
    native_only()
    record = ("d", 0.0, None, {}, (), (), (), None, None)
    with pytest.raises(IndexError, match="names no pair"):
        cluster_join.decide_joins([4], {4: 1.0}, set(), [record], [True], None, 4.0, 0.2)


@st.composite
def raw_weights(draw: st.DrawFn) -> tuple[tuple[str, ...], str]:
    """A story's sorted terms and their weight codes (ties in weight are common)."""
    found = sorted(draw(st.sets(st.sampled_from("abcdefghij"), max_size=9)))
    return tuple(found), "".join(draw(st.sampled_from("1TEB")) for _ in found)


@settings(max_examples=300)
@given(st.lists(raw_weights(), max_size=6),
       st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.7, 2.9]), min_size=10, max_size=10),
       st.integers(0, 7))
def test_vectors_equal_the_python_weighing(raws: list[tuple[tuple[str, ...], str]],
                                           idfs: list[float], count: int) -> None:
    native_only()
    idf = dict(zip("abcdefghij", idfs, strict=True))
    found = cluster_records.weigh_vectors(raws, idf, count)
    expected = cluster_records.weigh_vectors_python(raws, idf, count)
    assert found == expected
    assert [[value.hex() for value in vector.values()] for vector, _ in found] == [
        [value.hex() for value in vector.values()] for vector, _ in expected
    ]


def test_vectors_name_a_term_without_idf() -> None:
    native_only()
    with pytest.raises(KeyError, match="zz"):
        cluster_records.weigh_vectors([(("zz",), "1")], {}, 6)
    with pytest.raises(ValueError, match="as many codes as terms"):
        cluster_records.weigh_vectors([(("a", "b"), "1")], {"a": 1.0, "b": 1.0}, 6)


# ---- YAML (tests/test_yamlio.py compares whole documents with PyYAML's own loader) ------

yaml_words = st.one_of(
    st.text(max_size=12),
    st.text(st.sampled_from(list("0123456789_+-:.xobeEyYnNtTrufalsoO~<*٣²")), max_size=8),
    st.sampled_from(["yes", "No", "true", "FALSE", "on", "null", "~", "", "<<", "=", ".inf",
                     "-.Inf", ".nan", "0x1F", "0o17", "1_000", "12:30:45", "1e3", "3.5"]),
)


@settings(max_examples=500, deadline=None)
@given(yaml_words, st.booleans(), st.booleans())
def test_resolve_tags_scalars_as_the_python_resolver(value: str, plain: bool,
                                                     quoted: bool) -> None:
    native_only()
    assert kernels.resolve is not None
    table, tags = yamlio.IMPLICIT_RESOLVERS, yaml_loaders._DEFAULT_TAGS
    known: dict[str, str] = {}
    kept: dict[str, str] = {}
    for kind in (ScalarNode, SequenceNode, MappingNode):
        for given_value in ((value, None) if kind is not ScalarNode else (value,)):
            expected = yamlio.resolve_python(table, tags, ScalarNode, {}, kind, given_value,
                                             (plain, quoted))
            for _ in range(2):  # (the second time from what they keep)
                assert kernels.resolve(table, tags, ScalarNode, known, kind, given_value,
                                       (plain, quoted)) == expected
                assert yamlio.resolve_python(table, tags, ScalarNode, kept, kind, given_value,
                                             (plain, quoted)) == expected
    assert known == kept


@pytest.mark.parametrize("compiled", [False, True])
def test_resolve_keeps_at_most_its_limit_of_tags(compiled: bool) -> None:
    if compiled:
        native_only()
    resolve = kernels.resolve if compiled else yamlio.resolve_python
    assert resolve is not None
    known: dict[str, str] = {}
    longest = yamlio.RESOLVE_MEMO_LONGEST
    for text in ("x" * longest, "y" * (longest + 1)):
        resolve(yamlio.IMPLICIT_RESOLVERS, yaml_loaders._DEFAULT_TAGS, ScalarNode, known,
                ScalarNode, text, (True, False))
    assert set(known) == {"x" * longest}
    full: dict[str, str] = {}
    for number in range(yamlio.RESOLVE_MEMO_MOST + 5_000):
        resolve(yamlio.IMPLICIT_RESOLVERS, yaml_loaders._DEFAULT_TAGS, ScalarNode, full,
                ScalarNode, str(number), (True, False))
    assert len(full) == yamlio.RESOLVE_MEMO_MOST
    assert full[str(yamlio.RESOLVE_MEMO_MOST - 1)] == "tag:yaml.org,2002:int"


def construct_both(text: str) -> tuple[Any, Any]:
    """What the compiled and the Python direct construction make of a document's nodes
    (each an outcome: ("ok", data) or ("refused", exception class name))."""
    outcomes = []
    for construct in (yaml_loaders._construct_plain, yaml_loaders.construct_plain_python):
        loader = yaml_loaders._FastLoader(text)
        try:
            node = loader.get_single_node()
            outcomes.append(("ok", construct(loader, node, 1)) if node is not None else None)
        except Exception as exc:  # noqa: BLE001 - the outcome compared is the exception
            outcomes.append(("refused", type(exc).__name__))
        finally:
            loader.dispose()
    return outcomes[0], outcomes[1]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a: ", "b: ", "- ", "\n", "\n  ", "<<: ", "&x ", "*x",
                                 "!!str ", "!!int ", "!!float ", "? ", "[", "]", "{", "}",
                                 ", ", "1", "01", "-1", "x", "yes", "~", "٣", "²"]),
                max_size=14))
def test_construct_builds_nodes_as_the_python_construction(parts: list[str]) -> None:
    native_only()
    compiled, python = construct_both("".join(parts))
    assert repr(compiled) == repr(python)  # (1 == True: compare types too)


def test_construct_refuses_what_it_leaves_to_the_standard_constructor() -> None:
    native_only()
    deep = "a: " + "[" * (yamlio.MAX_DEPTH + 1) + "]" * (yamlio.MAX_DEPTH + 1) + "\n"
    for text in ("? [a]\n: b\n", "a: &x {b: 1}\nc:\n  <<: *x\n", "a: !!set {b}\n", deep,
                 "a: 1\nb: {c: 2, c: 3}\n", "1: x\n1.0: y\n"):  # (keys given twice)
        assert construct_both(text) == (("refused", "_NotPlain"), ("refused", "_NotPlain"))


@dataclass(frozen=True, slots=True)
class Three:
    first: object
    second: object = None
    third: object = ()


@dataclass(frozen=True, slots=True)
class Checked:
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


@dataclass(frozen=True)
class NoSlots:
    value: object


anything = st.recursive(st.none() | st.integers() | st.floats(allow_nan=False) | st.text(),
                        lambda inner: st.tuples(inner, inner) | st.tuples(inner),
                        max_leaves=6)


@settings(max_examples=200)
@given(st.tuples(anything, anything, anything), st.booleans())
def test_maker_makes_what_the_class_makes(values: tuple[Any, ...], as_list: bool) -> None:
    make = kernels.maker(Three)
    made = make(list(values) if as_list else values)
    expected = Three(*values)
    assert type(made) is Three
    assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    with pytest.raises(FrozenInstanceError):
        made.first = 1  # type: ignore[misc]


def test_maker_holds_its_values() -> None:
    """The instance owns references to its values: they outlive the tuple they came in."""
    value = object()
    before = sys.getrefcount(value)
    made = kernels.maker(Three)((value, [value], "x"))
    gc.collect()
    assert made.first is value and made.second == [value]
    assert sys.getrefcount(value) == before + 2
    del made
    gc.collect()
    assert sys.getrefcount(value) == before


def test_maker_makes_the_classes_of_the_build() -> None:
    stamp = FileStamp(120, 1_700_000_000_123_456_789)
    diagnostic = Diagnostic(Severity.WARNING, "content/a.md", "odd", line=3)
    summary = StorySummary(*(f"v{i}" for i in range(len(fields(StorySummary)))))  # type: ignore[arg-type]
    entries = [
        (FileStamp, (120, 1_700_000_000_123_456_789)),
        (CachedFile, (stamp, summary, (diagnostic,), True, ("row",))),
        (StorySummary, tuple(f"w{i}" for i in range(len(fields(StorySummary))))),
        (Article, (summary, "a-slug", (TopicRef("AI", "ai"),), ("b", None), None, "e1",
                   ("c",), ("d", "e"))),
    ]
    for cls, values in entries:
        made = kernels.maker(cls)(values)
        assert type(made) is cls and made == cls(*values) and repr(made) == repr(cls(*values))


def test_maker_refuses_the_wrong_number_of_values() -> None:
    make = kernels.maker(Three)
    for values in [(), (1, 2), (1, 2, 3, 4)]:
        with pytest.raises(TypeError):
            make(values)


def test_maker_runs_the_class_where_filling_slots_would_not_do() -> None:
    """``__post_init__`` runs, and a class without slots of its own is made as usual."""
    with pytest.raises(ValueError):
        kernels.maker(Checked)((-1,))
    assert kernels.maker(NoSlots)((5,)) == NoSlots(5)


def test_make_takes_only_a_plan() -> None:
    native_only()
    assert kernels.make is not None and kernels.plan is not None
    with pytest.raises((TypeError, ValueError)):
        kernels.make(object(), (1, 2, 3))
    with pytest.raises(TypeError):
        kernels.plan(Three, ("first", "missing"))
    with pytest.raises(TypeError):
        kernels.plan(NoSlots, ("value",))



keys = st.sampled_from(["", "k1", "k2", "k3", "k4"])
names = st.sampled_from(["a", "b", "c", "d", "e", "f"])


@st.composite
def placed_stories(draw: st.DrawFn) -> tuple[Any, ...]:
    """Stories with topics and related[] keys, and what ``lay_out`` resolves them with:
    keys may be empty, resolve by address, by title, both or neither; stories may have
    a body file; events may lead with the story or not."""
    count = draw(st.integers(min_value=0, max_value=8))
    sources = [f"content/s{i}.md" for i in range(count)]
    stories = [StorySummary(
        source, "d", f"T{i}", float(i), f"s{i}",
        topics=tuple(draw(st.lists(names, max_size=3))),
        related_keys=tuple(draw(st.lists(st.tuples(keys, keys), max_size=4))))
        for i, source in enumerate(sources)]
    slugs = {source: f"s{i}" for i, source in enumerate(sources)}
    refs = {name: TopicRef(name, name) for name in "abcdef"}
    by_url = draw(st.dictionaries(keys, st.sampled_from(list(slugs.values()) or ["x"])))
    by_title = draw(st.dictionaries(keys, st.sampled_from(list(slugs.values()) or ["x"])))
    body_of = {source: stories[0] for source in draw(st.lists(st.sampled_from(sources)))} \
        if sources else {}
    order = draw(st.permutations(list(slugs.values())))
    cluster_of: dict[str, Cluster] = {}
    for start in range(0, len(order), 3):
        members = tuple(order[start:start + draw(st.integers(min_value=1, max_value=3))])
        cluster = Cluster(f"evt-{start}", members, ())
        cluster_of.update(dict.fromkeys(members, cluster))
    related = {slug: tuple(draw(st.lists(st.sampled_from(order), max_size=3)))
               for slug in draw(st.lists(st.sampled_from(order)))} if order else {}
    return stories, slugs, refs, by_url, by_title, body_of, cluster_of, related


@settings(max_examples=300)
@given(placed_stories())
def test_heads_and_articles_are_the_python_ones(case: tuple[Any, ...]) -> None:
    stories, slugs, refs, by_url, by_title, body_of, cluster_of, related = case
    heads = model.make_heads(stories, slugs, refs, by_url, by_title, body_of)
    assert heads == model.heads_python(stories, slugs, refs, by_url, by_title, body_of)
    made = model.make_articles(heads, cluster_of, related)
    expected = model.articles_python(heads, cluster_of, related)
    assert made == expected and [type(a) for a in made] == [Article] * len(expected)


def test_heads_refuse_what_the_python_refuses() -> None:
    """A story without a slug, or with a topic without a ref, is a KeyError either way."""
    story = StorySummary("content/a.md", "d", "A", 1.0, "a", topics=("AI",))
    for slugs, refs in (({}, {"AI": TopicRef("AI", "ai")}), ({"content/a.md": "a"}, {})):
        for heads in (model.make_heads, model.heads_python):
            with pytest.raises(KeyError):
                heads([story], slugs, refs, {}, {}, {})


@settings(max_examples=300)
@given(placed_stories(), st.frozensets(st.sampled_from(["s0", "s1", "s2", "s5", "x"])),
       st.frozensets(keys), st.frozensets(st.sampled_from(["s1", "s3", "s4", "y"])))
def test_referring_is_the_python_pass(case: tuple[Any, ...], slugs: frozenset[str],
                                      watched: frozenset[str], also: frozenset[str]) -> None:
    stories, slugs_of, refs, by_url, by_title, body_of, cluster_of, related = case
    articles = model.make_articles(
        model.make_heads(stories, slugs_of, refs, by_url, by_title, body_of), cluster_of, related)
    found = relisting.referring(articles, slugs, watched, also)
    assert found == relisting.referring_python(articles, slugs, watched, also)
    assert all(found[i] is not found[j] for i in range(len(found)) for j in range(i))


@settings(max_examples=300)
@given(st.lists(st.tuples(st.lists(keys, max_size=3), st.sampled_from(["", "T", "U"]),
                          st.sampled_from(["", "k1", "k2"])), max_size=8))
def test_related_keys_are_the_python_ones(drawn: list[tuple[list[str], str, str]]) -> None:
    """Each story's slug by its URL keys and title key, first come first kept; a summary
    without its ``title_link`` gets the key of its ``title_key``."""
    stories = [StorySummary(f"content/s{i}.md", "d", "T", float(i), f"s{i}", url_keys=tuple(urls),
                            title_key=title, title_link=link)
               for i, (urls, title, link) in enumerate(drawn)]
    slugs = {story.source: story.wanted_slug for story in stories}
    found = model._related_keys(stories, slugs, link_key)
    assert found == model.related_keys_python(stories, slugs, link_key)
    assert [list(d) for d in found] == [list(d) for d in
                                        model.related_keys_python(stories, slugs, link_key)]
    if stories:  # (a story without a slug)
        with pytest.raises(KeyError):
            model._related_keys(stories, {}, link_key)


def test_changed_finds_what_the_python_stat_finds(tmp_path: Path) -> None:
    """Missing files, folders and links where a file was, and files changed after the time
    given (their bytes' time set later, or their status changed since), in order."""
    native_only()
    assert kernels.changed is not None
    (tmp_path / "a").mkdir()
    for name in ("kept.html", "a/kept.html", "later.html", "a/status.html", "caf\u00e9.html"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    os.symlink("kept.html", tmp_path / "link.html")
    os.symlink("gone.html", tmp_path / "dangling.html")
    (tmp_path / "folder.html").mkdir()
    since = max((tmp_path / name).stat().st_ctime_ns
                for name in ("kept.html", "a/kept.html", "caf\u00e9.html"))
    os.utime(tmp_path / "later.html", ns=(since, since + 10**9))
    status = (tmp_path / "a/status.html").stat()
    os.utime(tmp_path / "a/status.html", ns=(status.st_atime_ns, since - 10**9))  # (but now)
    rels = ["kept.html", "a/kept.html", "missing.html", "a/missing/x.html", "later.html",
            "a/status.html", "link.html", "dangling.html", "folder.html", "caf\u00e9.html",
            "kept.html/x", "caf\udce9.html"]
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        found = kernels.changed(folder, iter(rels), since)
        assert found == output.changed_files_python(folder, rels, since)
        expected = ["missing.html", "a/missing/x.html", "later.html", "dangling.html",
                    "folder.html", "kept.html/x", "caf\udce9.html"]
        if (tmp_path / "a/status.html").stat().st_ctime_ns > since:  # (the clock ticked)
            expected.insert(3, "a/status.html")
        assert found == expected
        with pytest.raises(TypeError):
            kernels.changed(folder, [b"kept.html"], since)
    finally:
        os.close(folder)
