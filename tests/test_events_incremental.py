"""Incremental event computation: after any edit, addition or deletion, the result of an
update from the previous state equals a computation from nothing, and the state survives
``marshal``."""

from __future__ import annotations

import hashlib
import marshal
import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.bench_clusters import PROVIDERS, START, TOPICS, make_docs, make_title, sentence
from generator.cluster_engine import EngineState, empty_state, list_clusters, update_engine
from generator.cluster_records import R_TIME
from generator.clusters import ClusterDoc
from generator.events import (
    EventState,
    events_of,
    find_events,
    packed_events,
    related_changes,
    update_events,
)
from generator.events_child import _unpack as unpack_events
from generator.summary import StorySummary

THRESHOLD = 0.36
WINDOW = 4.0
RELATED = 4


def roundtrip(data: Any) -> Any:
    """``data`` after a trip through ``marshal``."""
    return marshal.loads(marshal.dumps(data))


def run(previous: EngineState | None, docs: list[ClusterDoc]) -> EngineState:
    """The engine over ``docs``, reusing ``previous``."""
    inputs = [(d.key, hashlib.sha1(repr(d).encode()).hexdigest(), lambda d=d: d) for d in docs]
    return update_engine(previous, inputs, threshold=THRESHOLD, window_days=WINDOW,
                         related_count=RELATED)


def assert_same_result(incremental: EngineState, docs: list[ClusterDoc]) -> None:
    """The incremental state gives the clusters and related lists of a clean run."""
    clean = run(None, docs)
    assert list_clusters(incremental) == list_clusters(clean)
    assert incremental.related == clean.related
    assert set(incremental.related) == {d.key for d in docs}


def dense_docs(count: int, seed: int, days: int) -> list[ClusterDoc]:
    """Synthetic stories squeezed into ``days`` days, so windows and events overlap."""
    docs = make_docs(count, seed)
    rng = random.Random(seed)
    return [
        replace(d, published=START + timedelta(minutes=rng.randrange(days * 24 * 60)))
        for d in docs
    ]


def edit(rng: random.Random, doc: ClusterDoc, others: list[ClusterDoc]) -> ClusterDoc:
    """One random change to a story's clustering inputs."""
    kind = rng.randrange(7)
    if kind == 0:
        return replace(doc, title=make_title(rng))
    if kind == 1:
        return replace(doc, title=rng.choice(others).title if others else doc.title)
    if kind == 2:
        return replace(doc, text=sentence(rng, 10, 30))
    if kind == 3:
        return replace(doc, published=doc.published + timedelta(hours=rng.randint(-96, 96)))
    if kind == 4:
        return replace(doc, topics=tuple(rng.sample(TOPICS, rng.randint(1, 3))))
    if kind == 5:
        return replace(doc, override=rng.choice([None, "none", "team-x"]))
    other = rng.choice(others) if others else doc
    return replace(doc, urls=(*doc.urls, other.urls[0]), provider=rng.choice(PROVIDERS))


def step(rng: random.Random, docs: list[ClusterDoc], serial: int) -> list[ClusterDoc]:
    """Edit, add or delete one or a few stories."""
    docs = list(docs)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        action = rng.randrange(3) if docs else 1
        if action == 0:
            at = rng.randrange(len(docs))
            docs[at] = edit(rng, docs[at], docs)
        elif action == 1:
            base = rng.choice(docs) if docs and rng.random() < 0.5 else make_docs(1, serial)[0]
            key = f"new-{serial}-{rng.randrange(10**6)}"
            docs.append(replace(base, key=key, urls=(f"https://example.com/{key}",),
                                published=base.published + timedelta(hours=rng.randint(0, 30))))
        else:
            docs.pop(rng.randrange(len(docs)))
    return docs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), steps=st.integers(1, 8), days=st.integers(2, 40))
def test_random_changes_give_the_clean_result(seed: int, steps: int, days: int) -> None:
    rng = random.Random(seed)
    docs = dense_docs(rng.randint(0, 60), seed, days)
    state = run(None, docs)
    for serial in range(steps):
        docs = step(rng, docs, serial)
        state = run(state, docs)
        assert_same_result(state, docs)


def test_a_larger_corpus_stays_exact_through_many_changes() -> None:
    rng = random.Random(5)
    docs = dense_docs(1500, 5, 120)
    state = run(None, docs)
    for serial in range(12):
        docs = step(rng, docs, serial)
        state = EngineState.from_data(roundtrip(state.to_data()))
        state = run(state, docs)
    assert_same_result(state, docs)


def test_nothing_changed_reuses_everything() -> None:
    docs = dense_docs(200, 2, 20)
    state = run(None, docs)
    again = run(state, docs)
    assert again.stories == state.stories
    assert list_clusters(again) == list_clusters(state)
    assert again.related == state.related


def summary(index: int, title: str, day: int, topics: tuple[str, ...]) -> StorySummary:
    """A small story summary as the site model keeps it."""
    return StorySummary(
        source=f"content/s{index}.md", digest=str(index), title=title,
        timestamp=(START + timedelta(days=day)).timestamp(), wanted_slug=f"s{index}",
        excerpt=f"{title}. Analysts said the move surprised the industry.",
        provider=f"provider {index % 3}", provider_domain=f"p{index % 3}.com",
        topics=topics, url_keys=(f"url{index}",), title_key=f"t{index}",
    )


def test_update_events_equals_find_events_and_its_state_survives_marshal() -> None:
    titles = ["IBM exits facial recognition business", "IBM quits facial recognition",
              "Amazon pauses police use of Rekognition", "Nvidia unveils AI chip",
              "Nvidia launches new AI chip for data centres"]
    stories = [(f"s{i}", summary(i, t, i % 3, ("AI",))) for i, t in enumerate(titles)]
    events, state = update_events(None, stories, threshold=THRESHOLD, related_count=3)
    assert events == find_events(stories, threshold=THRESHOLD, related_count=3)
    stored = EventState.from_data(roundtrip(state.to_data()))
    changed = [*stories[:4], ("s9", summary(9, "IBM leaves facial recognition", 0, ("AI",)))]
    updated, _ = update_events(stored, changed, threshold=THRESHOLD, related_count=3)
    assert updated == find_events(changed, threshold=THRESHOLD, related_count=3)
    assert updated.cluster_of["s9"] is updated.cluster_of["s0"]


def test_an_edit_rescores_only_the_groups_it_touches(monkeypatch: Any) -> None:
    """In a dense corpus nearly every story is in one link component; re-joining it after
    one edit takes the last decisions of the groups the edit cannot reach (cluster_join.
    Replay) and scores only the others, with the result of a clean run."""
    from generator import cluster_join

    checks: list[int] = []
    real = cluster_join._are_close_on_average

    def counted(*args: Any, **kwargs: Any) -> bool:
        checks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cluster_join, "_are_close_on_average", counted)
    # (counted in the Python join; the compiled one takes the same decisions with the same
    # replays: tests/test_kernels.py)
    monkeypatch.setattr(cluster_join, "decide_joins", cluster_join.decide_joins_python)
    docs = dense_docs(1500, 7, 30)
    state = run(None, docs)
    clean_checks = len(checks)
    assert clean_checks > 300  # (the corpus is dense enough for the count to mean something)
    rng = random.Random(7)
    for serial in range(6):  # (a story moved in time: its terms, so every other story's
        # vector, stay the same; a change of vocabulary can move the vectors of many)
        docs = list(docs)
        at = rng.randrange(len(docs))
        docs[at] = replace(docs[at], published=docs[at].published
                           + timedelta(hours=rng.choice((-30, -5, 5, 30))))
        checks.clear()
        state = run(state, docs)
        assert len(checks) * 10 < clean_checks, (serial, len(checks), clean_checks)
        assert_same_result(state, docs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=1, max_value=400), st.integers(min_value=0, max_value=10**6),
       st.booleans())
def test_clusters_are_listed_by_their_earliest_story(size: int, seed: int,
                                                     updated: bool) -> None:
    """``list_clusters`` orders the events by the (time, key) of their earliest member,
    then id, with or without their evidence; also after an update that moved stories."""
    from bench.bench_clusters import make_inputs, run_inputs

    docs = make_docs(size, seed)
    state = run_inputs(None, make_inputs(docs))
    if updated:
        rng = random.Random(seed)
        moved = [replace(d, published=d.published + timedelta(hours=rng.randint(-48, 48)))
                 if rng.random() < 0.2 else d for d in docs]
        state = run_inputs(state, make_inputs(moved[: max(1, size - size // 10)]))
    earliest = {group: min((state.stories[key][R_TIME], key) for key in members)
                for group, (members, _evidence) in state.events.items()}
    expected = sorted(earliest, key=lambda group: (earliest[group], group))
    assert [c.id for c in list_clusters(state, evidence=False)] == expected
    listed = list_clusters(state)
    assert [c.id for c in listed] == expected
    assert [c.members for c in listed] == [state.events[g][0] for g in expected]


def test_related_changes_names_every_story_whose_related_stories_differ() -> None:
    """Kept tuples, equal tuples made again, changed ones, stories that came and went."""
    kept, same = ("b", "c"), ("c",)
    before = {"a": kept, "b": same, "c": ("a",), "gone": ("a",)}
    after = {"a": kept, "b": tuple(list(same)), "c": ("b",), "new": ("a",)}

    def state(related: dict[str, tuple[str, ...]]) -> EventState:
        return EventState(replace(empty_state((0.3, 3.0, 6, 1)), related=related), None)

    assert related_changes(state(before), state(after)) == {"c", "gone", "new"}
    assert related_changes(state(before), state(dict(before))) == frozenset()
    assert related_changes(None, state(after)) is None


def test_the_packed_events_are_the_events_of_the_state() -> None:
    """What an events child sends (``packed_events``: no cluster objects made) gives, once
    unpacked, the events ``update_events_of`` makes of the same state."""
    docs = dense_docs(300, 4, 20)
    state = EventState(run(None, docs), None)
    members, related = packed_events(state)
    events = events_of(list_clusters(state.engine, evidence=False), state.engine.related)
    assert len(members) > 1 and any(len(m) > 1 for _id, m in members)
    assert unpack_events((members, related)) == events
