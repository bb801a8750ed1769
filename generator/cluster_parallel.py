"""Run one per-story loop of the clustering engine on two cores: half in a forked process.

The engine's heaviest stages (finding links, ranking related stories) do the same work for
every story, each story's result depending only on data already computed. For a large run,
:func:`run_split` forks: the child computes the second half of the items over the parent's
memory (copy-on-write, nothing is sent to it) and hands its result back through a pipe as
``marshal`` bytes, while the parent computes the first half. The result is the one a single
process would compute, split or not; small runs, and systems without ``fork`` or without a
second core, stay in one process.

If the child fails in any way, the parent computes the second half itself, so a real error
is raised where it happens, with its own traceback, and nothing is swallowed.
"""

from __future__ import annotations

import gc
import marshal
import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

MIN_SPLIT_ITEMS = 3000
"""Fewer items than this run in one process: forking costs more than it saves."""


def count_cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def run_split(work: Callable[[int, int], T], count: int) -> list[T]:
    """``work(start, stop)`` over items ``0 .. count``, as one part or as two parts in order
    (each part's result must survive ``marshal``)."""
    if count < MIN_SPLIT_ITEMS or not hasattr(os, "fork") or count_cores() < 2:
        return [work(0, count)]
    middle = count // 2
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the forked process)
        _run_child(work, middle, count, reading, writing)
    os.close(writing)
    try:
        first = work(0, middle)
    finally:
        with os.fdopen(reading, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(child, 0)
    if status != 0:
        return [first, work(middle, count)]  # the child failed: see the real error here
    second: T = marshal.loads(data)
    return [first, second]


def _run_child(work: Callable[[int, int], object], start: int, stop: int, reading: int,
               writing: int) -> None:  # pragma: no cover (runs in the forked process)
    """Compute ``work(start, stop)``, write it to ``writing`` and exit (1 on any failure)."""
    status = 1
    try:
        os.close(reading)
        gc.disable()  # a collection would touch, and so copy, every page of the parent's heap
        data = marshal.dumps(work(start, stop))  # type: ignore[arg-type]
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)
