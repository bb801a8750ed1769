"""The build cache: what the last build read and wrote, kept outside the output.

It remembers, for each content file, its size, mtime, summary and diagnostics;
for each output file, the fingerprint of the inputs it was rendered from and
the hash of its bytes. A rebuild re-reads only files whose size or mtime moved
and re-renders only pages whose fingerprint moved. It is stored with
``marshal`` (plain tuples and dicts), which loads 10,000 stories in milliseconds.
A missing, old or damaged cache only makes the next build a cold one.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, Severity
from .parse import FileStamp, ParsedFile
from .summary import StorySummary

FORMAT = 5
CACHE_DIR = ".digest-cache"


@dataclass(frozen=True, slots=True)
class CachedFile:
    """What the last build learned from one content file."""

    stamp: FileStamp
    """Size and mtime when read."""
    summary: StorySummary | None
    """Its summary (None when refused)."""
    diagnostics: tuple[Diagnostic, ...]
    """Its problems, reported again on every build until fixed."""
    row: tuple[object, ...] | None = field(default=None, compare=False, repr=False)
    """The stored form it was loaded from (saved again as is)."""


@dataclass(slots=True)
class Manifest:
    """The cache of one output folder."""

    settings: str = ""
    """Hash of everything that affects every page: config, templates, generator version."""
    build_id: str = ""
    """Written into the output's marker file; a mismatch means the output was replaced."""
    files: dict[str, CachedFile] = field(default_factory=dict)
    """Content files by source path."""
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Output files by path: (input fingerprint, content digest)."""
    reader: str = ""
    """Hash of the settings that reading depends on; another value voids ``files``."""
    events: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Events of the last build (id, member sources), for reports of unchanged builds."""
    placements: tuple[tuple[str, str], ...] = ()
    """Plain-text body files and the article each became the body of ('' = none)."""


def cache_path(source: Path, output: Path) -> Path:
    """Where the manifest of this site and output folder lives."""
    key = hashlib.blake2b(str(output.resolve()).encode(), digest_size=6).hexdigest()
    return source / CACHE_DIR / f"manifest-{key}.bin"


def load_manifest(path: Path) -> Manifest:
    """The stored manifest, or an empty one when missing, old or damaged."""
    try:
        data = marshal.loads(path.read_bytes())
        if data[0] != FORMAT:
            return Manifest()
        _version, settings, build_id, files, pages, reader, events, placements = data
        return Manifest(
            settings=settings,
            build_id=build_id,
            files={src: CachedFile(FileStamp(row[0], row[1]),
                                   StorySummary.from_tuple(row[2]) if row[2] else None,
                                   tuple(_diagnostic(d) for d in row[3]), row)
                   for src, row in files.items()},
            pages=pages,
            reader=reader,
            events=events,
            placements=placements,
        )
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
        return Manifest()


def save_manifest(path: Path, manifest: Manifest) -> None:
    """Store the manifest (atomically: a reader never sees half a file)."""
    files = {
        src: entry.row or (entry.stamp.size, entry.stamp.mtime_ns,
                           entry.summary.to_tuple() if entry.summary else None,
                           tuple(_diagnostic_tuple(d) for d in entry.diagnostics))
        for src, entry in manifest.files.items()
    }
    data = marshal.dumps((FORMAT, manifest.settings, manifest.build_id, files, manifest.pages,
                          manifest.reader, manifest.events, manifest.placements))
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def cached_file(parsed: ParsedFile) -> CachedFile:
    """The cache entry of a freshly parsed file."""
    return CachedFile(parsed.stamp, parsed.summary, parsed.diagnostics)


def _diagnostic_tuple(d: Diagnostic) -> tuple[object, ...]:
    return (d.severity.value, d.file, d.message, d.line, d.field, d.hint)


def _diagnostic(values: tuple[object, ...]) -> Diagnostic:
    severity, file, message, line, field_name, hint = values
    return Diagnostic(Severity(severity), str(file), str(message),
                      line if isinstance(line, int) else None,
                      str(field_name) if field_name is not None else None,
                      str(hint) if hint is not None else None)
