"""Splitting a per-story loop across a forked process gives what one process computes."""

from __future__ import annotations

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


def test_the_engine_gives_the_same_result_split_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = make_inputs(make_docs(400, 3), built=True)
    serial = run_inputs(None, inputs)
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 10)
    split = run_inputs(None, inputs)
    assert list_clusters(split) == list_clusters(serial)
    assert split.related == serial.related
    assert split.forward == serial.forward


def test_related_lists_run_short_are_ranked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = make_inputs(make_docs(400, 4), built=True)
    serial = run_inputs(None, inputs)
    monkeypatch.setattr(cluster_parallel, "MIN_SPLIT_ITEMS", 10)
    monkeypatch.setattr(cluster_steps, "SPARE_CANDIDATES", 0)  # every story in a cluster
    # of two or more has its list run short
    assert run_inputs(None, inputs).related == serial.related
