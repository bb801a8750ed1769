"""Stage 5, write: the only stage that touches the disk.

The new site is assembled in a staging folder beside the output and swapped in
only when complete, so a failed or killed build leaves the previous output as it
was. Files whose bytes did not change are hard-linked from the previous output:
they keep their mtimes (cheap rsync and CDN uploads) and cost no write.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import DigestError

MARKER = ".digest-output"
MARKER_TEXT = b"This folder is written by digest; it is replaced on every build.\n"


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What writing changed."""

    written: int
    """Files whose bytes are new or changed."""
    unchanged: int
    """Files kept as they were (same bytes, same mtime)."""
    removed: int
    """Files of the previous output that are no longer produced."""


def check_output_folder(output: Path, *, source: Path) -> None:
    """Refuse output folders that a build must never replace."""
    out = output.resolve()
    src = source.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor):
        raise DigestError(f"refusing to build into the filesystem root {out}")
    if out == home:
        raise DigestError(f"refusing to build into the home directory {out}")
    if out == src or out in src.parents:
        raise DigestError(f"refusing to build into {out}: it holds the site's sources")
    content = src / "content"
    if out == content or content in out.parents:
        raise DigestError(f"refusing to build into {out}: it is inside the content folder")
    if out.exists() and not out.is_dir():
        raise DigestError(f"the output path {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise DigestError(
            f"refusing to replace {out}: it is not empty and was not made by digest "
            f"(no {MARKER} file). Choose an empty or new folder."
        )


def write_site(output: Path, files: Mapping[str, bytes | Path]) -> WriteResult:
    """Replace ``output`` with exactly ``files`` (bytes, or a file to copy), atomically."""
    output = output.resolve()
    recover_interrupted_swap(output)
    staging = output.with_name(f".{output.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    written = unchanged = 0
    made_dirs: set[Path] = {staging}
    for rel in sorted(files):
        target = staging / _safe_relative(rel)
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        content = files[rel]
        previous = output / rel
        if _same_content(previous, content):
            os.link(previous, target)
            unchanged += 1
        else:
            _write_new(target, content)
            written += 1
    (staging / MARKER).write_bytes(MARKER_TEXT)
    removed = sum(1 for rel in _existing_files(output) if rel not in files)
    _swap_in(staging, output)
    return WriteResult(written=written, unchanged=unchanged, removed=removed)


def recover_interrupted_swap(output: Path) -> None:
    """Finish or undo a swap that a killed build left half done."""
    retired = output.with_name(f".{output.name}.old")
    if retired.exists():
        if output.exists():
            shutil.rmtree(retired)
        else:
            retired.rename(output)


def _swap_in(staging: Path, output: Path) -> None:
    retired = output.with_name(f".{output.name}.old")
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    if retired.exists():
        shutil.rmtree(retired)


def _safe_relative(rel: str) -> Path:
    path = Path(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise DigestError(f"refusing to write outside the output folder: {rel!r}")
    return path


def _same_content(previous: Path, content: bytes | Path) -> bool:
    try:
        stat = previous.stat()
    except OSError:
        return False
    if isinstance(content, Path):
        other = content.stat()
        return stat.st_size == other.st_size and previous.read_bytes() == content.read_bytes()
    return stat.st_size == len(content) and previous.read_bytes() == content


def _write_new(target: Path, content: bytes | Path) -> None:
    if isinstance(content, Path):
        shutil.copyfile(content, target)
    else:
        target.write_bytes(content)


def _existing_files(output: Path) -> Iterable[str]:
    if not output.is_dir():
        return
    for root, _dirs, names in os.walk(output):
        for name in names:
            rel = (Path(root) / name).relative_to(output).as_posix()
            if rel != MARKER:
                yield rel
