"""Splitting a per-story loop across a forked process gives what one process computes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_clusters import make_docs, make_inputs, run_inputs
from generator import cluster_parallel, cluster_steps
from generator.cluster_engine import list_clusters
from generator.cluster_parallel import run_split


def squares(start: int, stop: int) -> list[int]:
    return [n * n for n in range(start, stop)]


def test_a_split_run_gives_the_parts_in_order() -> None:
    count = cluster_parallel.MIN_SPLIT_ITEMS + 11
    parts = run_split(squares, count)
    assert [n for part in parts for n in part] == squares(0, count)


def test_a_failing_child_leaves_the_error_to_the_parent() -> None:
    count = cluster_parallel.MIN_SPLIT_ITEMS + 1

    def fail_late(start: int, stop: int) -> list[int]:
        if stop == count:
            raise KeyError("second half")
        return squares(start, stop)

    with pytest.raises(KeyError, match="second half"):
        run_split(fail_late, count)


def test_a_child_goes_on_to_its_next_work_before_its_first_result_is_read(
    tmp_path: Path,
) -> None:
    """The first result fills the pipe many times over, and the parent reads it only once
    the second work has run (as the engine reads the links once it has found its own). A
    child that wrote its first result itself would wait on the pipe, the second work not
    begun."""
    import marshal
    import time

    big = list(range(600_000))  # about 3 MB of marshal bytes: more than a pipe holds, even
    assert len(marshal.dumps(big)) > 2 * cluster_parallel.PIPE_BYTES  # one enlarged
    marker = tmp_path / "second-work-ran"

    def second() -> list[int]:
        marker.write_text("ran")
        return squares(0, 10)

    forked = cluster_parallel.start_forked(
        [lambda: big, second], items=cluster_parallel.MIN_SPLIT_ITEMS
    )
    if forked is None:
        pytest.skip("this system cannot fork a second process")
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    ran = marker.exists()
    assert forked[0].result() == big
    assert forked[1].result() == squares(0, 10)
    assert ran, "the child waited for its first result to be read"


def test_the_engine_gives_the_same_result_split_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = make_inputs(make_docs(400, 3), built=True)
    serial = run_inputs(None, inputs)
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 10)
    split = run_inputs(None, inputs)
    assert list_clusters(split) == list_clusters(serial)
    assert split.related == serial.related
    assert split.forward == serial.forward
    assert split.postings == serial.postings  # (made by the child that ranks, when split)


def test_related_lists_run_short_are_ranked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = make_inputs(make_docs(400, 4), built=True)
    serial = run_inputs(None, inputs)
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 10)
    monkeypatch.setattr(cluster_steps, "SPARE_CANDIDATES", 0)  # every story in a cluster
    # of two or more has its list run short
    assert run_inputs(None, inputs).related == serial.related


def test_forward_links_score_pairs_as_score_unshared_pair_does() -> None:
    """find_forward_links writes the pair score out (a hot loop); it must stay the same
    operations as score_unshared_pair, so the same floats."""
    from dataclasses import replace

    from bench.bench_clusters import with_built_keys
    from generator.cluster_engine import build_records
    from generator.cluster_links import LinkIndex, find_forward_links, score_unshared_pair
    from generator.cluster_records import R_TIME

    docs = sorted(make_docs(1500, 5), key=lambda doc: doc.published)
    for number in range(0, 600, 6):  # some stories list the next one in related[]
        docs[number] = replace(docs[number], related_titles=(docs[number + 1].title,))
    stories = build_records([with_built_keys(doc) for doc in docs])
    timeline = sorted(stories, key=lambda key: (stories[key][R_TIME], key))
    index = LinkIndex(stories, timeline, window_days=4.0)
    checked = linked = 0
    for key in index.keys:
        for other, score, related in find_forward_links(key, index, threshold=0.0,
                                                        window_days=4.0):
            assert score == score_unshared_pair(stories[key], stories[other], related=related,
                                                window_days=4.0)
            checked += 1
            linked += related
    assert checked > 1000 and linked > 0
