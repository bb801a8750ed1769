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
from functools import partial
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_SPLIT_ITEMS = 3000
"""Fewer items than this run in one process: forking costs more than it saves."""


def count_cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Forked(Generic[T]):
    """A result being computed in a forked child: :meth:`result` waits for it."""

    def __init__(self, work: Callable[[], T], child: int, reading: int) -> None:
        self._work = work
        """What the child computes (computed again here if the child fails)."""
        self._child = child
        """The child's process id (0 once it has been waited for)."""
        self._reading = reading
        """The pipe end its result comes through."""

    def result(self) -> T:
        """The child's result (its failure makes this process compute it instead)."""
        with os.fdopen(self._reading, "rb") as pipe:
            data = pipe.read()
        status = self._wait()
        if status != 0:
            return self._work()  # the child failed: see the real error here
        found: T = marshal.loads(data)
        return found

    def cancel(self) -> None:
        """Stop waiting for the result (the child, if still writing, ends on a broken pipe)."""
        if self._child:
            os.close(self._reading)
            self._wait()

    def _wait(self) -> int:
        """Reap the child; its exit status."""
        _, status = os.waitpid(self._child, 0)
        self._child = 0
        return status


def start_forked(work: Callable[[], T], *, items: int) -> Forked[T] | None:
    """``work()`` over ``items`` items started in a forked child (its result must survive
    ``marshal``), or None for fewer than ``MIN_SPLIT_ITEMS``, no ``fork`` or one core."""
    if items < MIN_SPLIT_ITEMS or not hasattr(os, "fork") or count_cores() < 2:
        return None
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the forked process)
        _run_child(work, reading, writing)
    os.close(writing)
    return Forked(work, child, reading)


def run_split(work: Callable[[int, int], T], count: int) -> list[T]:
    """``work(start, stop)`` over items ``0 .. count``, as one part or as two parts in order
    (each part's result must survive ``marshal``)."""
    middle = count // 2
    forked = start_forked(partial(work, middle, count), items=count)
    if forked is None:
        return [work(0, count)]
    try:
        first = work(0, middle)
    except BaseException:
        forked.cancel()
        raise
    return [first, forked.result()]


def _run_child(work: Callable[[], object], reading: int, writing: int
               ) -> None:  # pragma: no cover (runs in the forked process)
    """Compute ``work()``, write it to ``writing`` and exit (1 on any failure)."""
    status = 1
    try:
        os.close(reading)
        gc.disable()  # a collection would touch, and so copy, every page of the parent's heap
        data = marshal.dumps(work())  # type: ignore[arg-type]
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)
