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
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

MIN_SPLIT_ITEMS = 3000
"""Fewer items than this run in one process: forking costs more than it saves."""
PIPE_BYTES = 1 << 20
"""What each result pipe is asked to hold (Linux: ``F_SETPIPE_SZ``; 1 MiB is the default
most a process may ask for), so that most results are written at once (see _run_child)."""


def count_cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Child:
    """A forked child process, waited for once."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        """Its process id (0 once it has been waited for)."""

    def reap(self) -> None:
        """Wait for the child to end (at once if it has already)."""
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0


class Forked(Generic[T]):
    """A result being computed in a forked child: :meth:`result` waits for it."""

    def __init__(self, work: Callable[[], T], child: _Child, reading: int, *, last: bool
                 ) -> None:
        self._work = work
        """What the child computes (computed again here if the child fails)."""
        self._child = child
        """The child computing it."""
        self._reading = reading
        """The pipe end its result comes through (-1 once read or closed)."""
        self._last = last
        """Whether it is the child's last result (the child is reaped after it)."""

    def result(self) -> T:
        """The child's result (its failure makes this process compute it instead)."""
        with os.fdopen(self._reading, "rb") as pipe:
            data = pipe.read()
        self._reading = -1
        if self._last:
            self._child.reap()
        if len(data) < 8 or int.from_bytes(data[:8], "little") != len(data) - 8:
            return self._work()  # the child failed: see the real error here
        found: T = marshal.loads(memoryview(data)[8:])
        return found

    def cancel(self) -> None:
        """Stop waiting for the result (the child, if still writing, ends on a broken pipe)."""
        if self._reading >= 0:
            os.close(self._reading)
            self._reading = -1
        if self._last:
            self._child.reap()


def start_forked(works: Sequence[Callable[[], Any]], *, items: int | None,
                 fallbacks: Sequence[Callable[[], Any]] | None = None,
                 awaited: bool = False) -> list[Forked[Any]] | None:
    """``works``, one after the other, started in a forked child (their results must survive
    ``marshal``); or None for fewer than ``MIN_SPLIT_ITEMS`` items (``items=None``: however
    many), no ``fork`` or one core.
    Each result comes through a pipe of its own, as soon as it is made. A result the child
    fails to give is computed here by the work itself, or by its ``fallbacks`` entry.
    ``awaited``: this process waits for each result as it comes, so the child writes each
    one whole before its next work (see ``_run_child``)."""
    if (items is not None and items < MIN_SPLIT_ITEMS) or not hasattr(os, "fork") \
            or count_cores() < 2:
        return None
    pipes = [os.pipe() for _ in works]
    for _, writing in pipes:
        _enlarge(writing)
    pid = os.fork()
    if pid == 0:  # pragma: no cover (runs in the forked process)
        _run_child(works, pipes, awaited=awaited)
    child = _Child(pid)
    for _, writing in pipes:
        os.close(writing)
    return [Forked(work, child, reading, last=number == len(works) - 1)
            for number, (work, (reading, _)) in enumerate(zip(fallbacks or works, pipes,
                                                               strict=True))]


def run_split(work: Callable[[int, int], T], count: int) -> list[T]:
    """``work(start, stop)`` over items ``0 .. count``, as one part or as two parts in order
    (each part's result must survive ``marshal``)."""
    return run_split_then(work, count, None)[0]


def run_split_then(work: Callable[[int, int], T], count: int, then: Callable[[], U] | None,
                   *, share: float = 0.5) -> tuple[list[T], Forked[U] | None]:
    """:func:`run_split`, the child taking the last ``share`` of the items (none at all for
    0.0); and, when it forks, ``then()`` started in the same child after its part (None when
    it does not fork)."""
    middle = count - int(count * share)
    works: list[Callable[[], Any]] = [partial(work, middle, count)] if middle < count else []
    if then is not None:
        works.append(then)
    forked = start_forked(works, items=count) if works else None
    if forked is None:
        return [work(0, count)], None
    try:
        first = work(0, middle)
        parts = [first, forked[0].result()] if middle < count else [first]
    except BaseException:
        for handle in forked:
            handle.cancel()
        raise
    return parts, forked[-1] if then is not None else None


def _run_child(works: Sequence[Callable[[], object]], pipes: Sequence[tuple[int, int]],
               *, awaited: bool = False) -> None:  # pragma: no cover (in the forked process)
    """Compute each of ``works``, write each result (its length first) to its pipe, and exit
    (1 on any failure).

    A result with more work after it is written at once when its pipe holds it all, else
    by a thread, so that the next work starts at once either way (the parent reads a result
    only when it is ready for it: on the 100k bench the child's links waited up to 0.6 s
    for the parent, its ranking with them). The thread is only the fallback: it can close
    its pipe only once it gets the interpreter lock back, which ``marshal`` in the next work
    never gives up, and the parent waits for that close (0.12 s of a fresh build after one
    edit at 10,000 stories, whose child fingerprints half the pages, then saves the event
    state and the stories). With ``awaited``, every result is written whole before the next
    work: its parent is waiting for it (a build's events, which its child follows by storing
    the event state: written by a thread, they came 0.08 s after they were made)."""
    status = 1
    writers: list[Any] = []
    try:
        for reading, _ in pipes:
            os.close(reading)
        gc.disable()  # a collection would touch, and so copy, every page of the parent's heap
        for number, (work, (_, writing)) in enumerate(zip(works, pipes, strict=True)):
            data = marshal.dumps(work())  # type: ignore[arg-type]
            if awaited or number == len(works) - 1 or len(data) + 8 <= _capacity(writing):
                _write_result(writing, data)  # (into an empty pipe that holds it: at once)
            else:
                import threading  # (here: only a child with work after a result needs it)

                writer = threading.Thread(target=_write_result, args=(writing, data))
                writer.start()
                writers.append(writer)
        for writer in writers:
            writer.join()
        status = 0
    finally:
        os._exit(status)


def _enlarge(writing: int) -> None:
    """Ask for a pipe of ``PIPE_BYTES`` (where the system allows it)."""
    try:
        import fcntl

        fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # (not Linux, or over the system's limit)
        pass


def _capacity(writing: int) -> int:  # pragma: no cover (in the child)
    """How many bytes the pipe holds (64 KiB where the system cannot say)."""
    try:
        import fcntl

        return int(fcntl.fcntl(writing, fcntl.F_GETPIPE_SZ))
    except (ImportError, AttributeError, OSError):
        return 1 << 16


def _write_result(writing: int, data: bytes) -> None:  # pragma: no cover (in the child)
    """Write one result to its pipe: its length, then its bytes (a broken pipe, from a parent
    that stopped waiting, ends the writing)."""
    with os.fdopen(writing, "wb") as pipe:
        pipe.write(len(data).to_bytes(8, "little"))
        pipe.write(data)
