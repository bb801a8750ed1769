"""The stories' schema records (JSON), kept in the cache and fetched one by one.

A story's record is most of what a summary weighs (its related[] list), yet only
the JSON API shows it. So the cache keeps records apart, in SQLite (random
access; an edit rewrites one row), and a rebuild fetches just the records of the
API pages it renders again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MAP_BYTES = 64 << 20
"""How much of the database ``get_many`` reads through a memory map rather than by a
system call and a copy per page: the 9,440 records of the 471 JSON API pages a delete
renders at 10,000 stories (a 40 MB file) came in 25 ms instead of 34. Only there, and
bounded: the pages read so count in the process's resident memory. (With 256 MB mapped
from the first connection on, a cold build of 100,000 stories, whose workers write the
records, peaked at 1,304 MB, 1,328 in the benchmark, against 1,218 unmapped; mapped in
``get_many`` alone, 1,233.)"""


class RecordStore:
    """Schema JSON of each story, by source path. Pickles as its path (for workers)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._mapped = False

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._db = None
        self._mapped = False

    def reopened(self) -> RecordStore:
        """The same store for a forked process: it must open its own connection (one
        inherited across ``fork`` must not be used, nor closed)."""
        return RecordStore(self.path)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=120)  # workers write in turn
            self._db.execute("CREATE TABLE IF NOT EXISTS records "
                             "(source TEXT PRIMARY KEY, digest TEXT, json TEXT)")
        return self._db

    def usable(self) -> bool:
        """Whether the store can be read; a damaged one is deleted (and False returned:
        the caller must then read every file again to refill it)."""
        try:
            self._connection().execute("SELECT count(*) FROM records").fetchone()
            return True
        except sqlite3.DatabaseError:
            self.close()
            self.path.unlink(missing_ok=True)
            return False

    def get_many(self, wanted: Iterable[tuple[str, str]]) -> dict[str, bytes]:
        """Records of many ``(source, digest)`` pairs at once (missing ones left out), as
        UTF-8 bytes: the API pages they go into are bytes too (at 10,000 stories its 1,349
        pages took 0.16-0.20 s so, against 0.26-0.29 s as text decoded and encoded again)."""
        pairs = dict(wanted)
        if not pairs:
            return {}
        marks = ",".join("?" * len(pairs))
        db = self._connection()
        if not self._mapped:
            db.execute(f"PRAGMA mmap_size = {MAP_BYTES}")
            self._mapped = True
        rows = db.execute(
            f"SELECT source, digest, CAST(json AS BLOB) FROM records "  # noqa: S608
            f"WHERE source IN ({marks})", tuple(pairs))
        return {source: data for source, digest, data in rows if pairs[source] == digest}

    def update(self, records: Iterable[tuple[str, str, str]], *, removed: Iterable[str],
               fresh: bool = False) -> None:
        """Store ``(source, digest, json)`` records and forget ``removed`` sources
        (``fresh``: forget every record first)."""
        db = self._connection()
        with db:
            if fresh:
                db.execute("DELETE FROM records")
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", records)
            db.executemany("DELETE FROM records WHERE source = ?", ((s,) for s in removed))

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None
            self._mapped = False
