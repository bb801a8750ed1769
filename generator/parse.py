"""Read and validate one content file, and summarize it: the unit of parallel work.

``parse_file`` is what a worker process runs for each file of a cold build, and
what the main process runs for the few files an incremental build finds changed.
"""

from __future__ import annotations

import os
from dataclasses import field
from datetime import tzinfo
from pathlib import Path

from .config import SiteConfig
from .diagnostics import Diagnostic
from .frozen import frozen
from .output import content_digest
from .read import decode_text, read_source, source_name, split_source
from .records import Story, TextBody
from .scan import is_draft_path
from .site_images import SiteFiles, SiteFileStamp
from .summary import StorySummary, summarize_body_file, summarize_story
from .validate import validate_source


@frozen
class FileStamp:
    """How a content file looked when it was read: a change to any field means re-read."""

    size: int
    """Size in bytes."""
    mtime_ns: int
    """Modification time in nanoseconds."""


@frozen
class ParsedFile:
    """The outcome of reading one content file."""

    source: str
    """Path relative to the site folder."""
    stamp: FileStamp
    """Size and mtime when read."""
    summary: StorySummary | None
    """The story's summary, or None when the file was refused (or is a draft left out)."""
    item: Story | TextBody | None
    """The full story or plain-text body (not cached: re-read when its page renders)."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems found in the file."""
    row: tuple[object, ...] | None = field(default=None, compare=False, repr=False)
    """The summary's stored form (``StorySummary.to_tuple``) when it came in that form
    from a parse worker: the cache stores it as is."""
    site_files: tuple[SiteFileStamp, ...] = ()
    """The files of the site (``static/``, ``root/``) that its images name, and how each
    looked when it was read: one that changes has it read again (``site_images``)."""
    held: float | None = None
    """A story held back (``summary`` None): its date, in seconds since 1970, which is
    after the build's time; the first build at or after it publishes the story."""


def stamp_of(path: Path) -> FileStamp:
    """The current size and mtime of a file."""
    stat = os.stat(path)
    return FileStamp(stat.st_size, stat.st_mtime_ns)


def read_file(path: str | Path, limit: int) -> tuple[FileStamp, bytes | None]:
    """A file's stamp and bytes (None when it is over ``limit`` bytes), through one open
    file: four system calls, where ``os.stat`` and ``Path.read_bytes`` made eight (and
    Python's file objects cost 10 us a file more)."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        stat = os.fstat(handle)
        stamp = FileStamp(stat.st_size, stat.st_mtime_ns)
        if stat.st_size > limit:
            return stamp, None
        raw = os.read(handle, stat.st_size + 1)  # (one byte more: a file that grew)
        if len(raw) > stat.st_size:
            parts = [raw]
            while part := os.read(handle, 1 << 16):
                parts.append(part)
            raw = b"".join(parts)
        return stamp, raw
    finally:
        os.close(handle)


def parse_file(path: str | Path, config: SiteConfig, zone: tzinfo, *,
               held_after: float | None = None) -> ParsedFile:
    """Read, validate and summarize one file (a path in the site folder, as the scan gives
    it: a string is taken as is, with no ``Path`` made). Never raises for bad content.

    ``held_after``: a story dated after this time (the build's, in seconds since 1970) is
    held back as a draft is (``ParsedFile.held`` says until when); None holds none back
    (``--future``, or the full story of a page to render). A plain-text body file is never
    held back: whether it stands alone, and so is dated at all, is known only once the
    site is modeled."""
    rel = source_name(path, config.source)
    try:
        stamp, raw = read_file(path, config.max_file_bytes)
    except OSError:
        stamp, raw = FileStamp(-1, -1), None
    if not config.drafts and is_draft_path(rel):
        return ParsedFile(rel, stamp, None, None, ())  # (a draft, as Jekyll's, need not
        # be finished: no date, say; it is not looked at)
    if raw is None:  # too large or unreadable: read_source words the diagnostic
        outcome = read_source(Path(path), site_root=config.source,
                              max_bytes=config.max_file_bytes)
        problems = (outcome,) if isinstance(outcome, Diagnostic) else ()
        return ParsedFile(rel, stamp, None, None, problems)
    digest = content_digest(raw)  # (the file's bytes, hashed as an output file's)
    text = decode_text(rel, raw)
    source = text if isinstance(text, Diagnostic) else split_source(rel, text,
                                                                    mtime=stamp.mtime_ns / 1e9)
    if isinstance(source, Diagnostic):
        return ParsedFile(rel, stamp, None, None, (source,))
    site_files = SiteFiles(config.source, config.base_path)
    result = validate_source(source, timezone=zone, site_files=site_files)
    if site_files.found:  # (what its images' files are is in what its pages show)
        digest = f"{digest}+{site_files.outcome()}"
    item = result.item
    if isinstance(item, Story):
        if item.draft and not config.drafts:
            return ParsedFile(rel, stamp, None, None, result.diagnostics)
        if held_after is not None and (due := item.published.timestamp()) > held_after:
            return ParsedFile(rel, stamp, None, None, result.diagnostics, held=due)
        date_prefix = item.published.astimezone(zone).strftime("%Y-%m-%d")
        summary = summarize_story(item, digest, date_prefix=date_prefix)
    elif isinstance(item, TextBody):
        summary = summarize_body_file(item, digest, zone=zone)
    else:
        summary = None
    return ParsedFile(rel, stamp, summary, item, result.diagnostics,
                      site_files=site_files.stamps())


ParsedRow = tuple[str, int, int, "tuple[object, ...] | None", tuple[tuple[object, ...], ...],
                  tuple[SiteFileStamp, ...], "float | None"]
"""A parsed file as plain tuples: source, size, mtime, summary row, diagnostic rows, site
files, and the date a held-back story is held until."""


def parsed_to_row(parsed: ParsedFile) -> ParsedRow:
    """A parsed file, without its full story, as plain tuples (a parse worker sends
    these: ``pickle`` dumps them in 6.5 us a file and loads them in 4.6 us, against 19
    and 12 us for the dataclasses; ``parsed_from_row`` then takes 4.5 us)."""
    summary, stamp = parsed.summary, parsed.stamp
    return (parsed.source, stamp.size, stamp.mtime_ns,
            summary.to_tuple() if summary is not None else None,
            tuple(d.to_tuple() for d in parsed.diagnostics), parsed.site_files,
            parsed.held)


def parsed_from_row(row: ParsedRow) -> ParsedFile:
    """Inverse of ``parsed_to_row`` (``item`` is None; ``row`` is the summary's row)."""
    source, size, mtime_ns, summary, diagnostics, site_files, held = row
    return ParsedFile(source, FileStamp(size, mtime_ns),
                      StorySummary.from_tuple(summary) if summary is not None else None,
                      None, tuple(map(Diagnostic.from_tuple, diagnostics)), summary,
                      site_files, held)
