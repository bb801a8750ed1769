"""Stage 5, write: put rendered files into the output folder as one transaction.

New and changed files are first written to a staging folder beside the output
(``.<output>.digest-staging``, so a killed build leaves nothing inside the output
that a host would publish), side by side under names made from their paths
(``staged_name``: no folder is made and removed per page); files whose bytes did
not change are never touched, so they keep their mtimes (cheap rsync and CDN
uploads) and an incremental build writes only what changed. Once every file is
staged, a journal listing the moves and removals is committed with one atomic
rename; only then is the output changed. A build that fails or is killed before
that point leaves the previous output exactly as it was; one killed after it is
rolled forward by the next build (``recover``), so the output is always one
complete build.

Replacing a file makes the filesystem free the old one's inode and blocks, and making a
file soon after finds a free inode: on this project's machines (ext4 without a journal,
mounted with ``discard``) the first cost 165-190 us a file and the second 150 us (against
40 us when nothing was freed in the last minute). So a file a commit replaces is kept, as
a *spare*, in a folder of the cache (``spares``: the same filesystem as the output): the
next build that stages that path moves the spare to the staging folder and overwrites it
in place (20 us), and its commit links the file it replaces aside before the rename
(35-90 us): no inode is made or freed for a page that changes again, as every listing
page does when a story is added. Spares are at most a tenth of the output's files
(``spare_room``); one still linked into the output (a commit killed between the two steps)
is never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from stat import S_ISREG

from xxhash import xxh3_128_hexdigest

from . import kernels
from .diagnostics import DigestError
from .frozen import frozen
from .scan import CONTENT_DIR

MARKER = ".digest-output"
BUILT_FOR = "built for "
"""The marker's line that records the base URL the output was built for (see
``marker_text``)."""
_OURS = frozenset({MARKER})
_SAME_FOLDER = frozenset({"", "."})
"""Path parts that name no folder of their own (``a//b``, ``./a``)."""
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
_OVERWRITE_FLAGS = (os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
                    | getattr(os, "O_NONBLOCK", 0))  # (a spare that is a pipe: refused)
SPARE_SHARE = 10
"""Spares are kept for at most one file in this many of the output (at least
``SPARE_MIN``): at 10,000 stories, 1,218 of 12,184, where adding a story replaces 886."""
SPARE_MIN = 256
"""Spares kept for a small output whatever its size (a few MB)."""


def staging_folder(output: Path) -> Path:
    """Where new and changed files wait for the commit (beside the output)."""
    return output.with_name(f".{output.name}.digest-staging")


def staged_name(rel: str) -> str:
    """The name a file bound for ``rel`` is staged under: flat, so that staging makes no
    folder of its own (an incremental build after one added story at 10,000 stories
    stages 885 pages, each in its own folder: making and removing those took longer than
    writing the files)."""
    return hashlib.blake2b(rel.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def journal_file(output: Path) -> Path:
    """The commit record of a transaction (beside the output)."""
    return output.with_name(f".{output.name}.digest-journal")


@frozen
class WriteResult:
    """What writing changed."""

    written: int
    """Files whose bytes are new or changed."""
    unchanged: int
    """Files kept as they were (same bytes, same mtime)."""
    removed: int
    """Files of the previous output that are no longer produced."""


def marker_text(build_hash: str, *, built_for: str) -> str:
    """The text of the output's marker file: the build's id (``build_hash``, which names
    the files and their bytes) and the base URL the output was built for. The record
    travels with the output: a copy of the folder, or an artifact checked on another
    machine, still says where its links point (the cache beside the sources does not)."""
    return f"digest output {build_hash}\n{BUILT_FOR}{built_for}\n"


def read_built_for(output: Path) -> str | None:
    """The base URL ``output`` was built for, as its marker records it; None for an output
    without that record (built by a version before it, or not by digest)."""
    try:
        text = (output / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.splitlines()
    if not lines or not lines[0].startswith("digest output "):
        return None
    for line in lines[1:]:
        if line.startswith(BUILT_FOR) and line[len(BUILT_FOR):].strip():
            return line[len(BUILT_FOR):].strip()
    return None


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
    content = src / CONTENT_DIR
    if out == content or content in out.parents:
        raise DigestError(f"refusing to build into {out}: it is inside the content folder")
    for folder, why in _source_folders():
        inside = src / folder
        if out == inside or inside in out.parents:
            raise DigestError(f"refusing to build into {out}: it is inside the {folder}/ "
                              f"folder, {why}. Choose a folder outside it (the default is "
                              f"{src / 'build'}).")
    if out.exists() and not out.is_dir():
        raise DigestError(f"the output path {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise DigestError(
            f"refusing to replace {out}: it is not empty and was not made by digest "
            f"(no {MARKER} file). Choose an empty or new folder."
        )


def _source_folders() -> tuple[tuple[str, str], ...]:
    """The site's folders besides content/ that a build reads, and what a build put into
    each would do to the next build."""
    from .theme import ROOT_DIR, STATIC_DIR, TEMPLATES_DIR  # (theme imports this module)

    return ((TEMPLATES_DIR, "whose files override the theme's templates (the next build "
             "would render the feeds and pages it wrote as templates)"),
            (STATIC_DIR, "whose files every build publishes (the next build would publish "
             "a copy of the site inside the site)"),
            (ROOT_DIR, "whose files every build publishes (the next build would publish "
             "a copy of the site inside the site)"))


content_digest: Callable[[bytes], str] = xxh3_128_hexdigest
"""The hash the manifest keeps of an output file's bytes (and of a source file's, and a
page's fingerprint): XXH3, 128 bits, as hex. (It tells changed bytes from unchanged ones,
which needs no cryptographic hash: blake2b took 37 us for a 55 KB API page, XXH3 0.4 us;
at 100,000 stories a clean build hashes 2.5 GB of pages. The function itself, not a
wrapper: a source file, a page and a card each pass through it.)"""


def safe_relative(rel: str) -> Path:
    """An output-relative path, refusing anything that could leave the output folder."""
    return Path(_checked(rel))


def _checked(rel: str) -> str:
    """``rel``, if it names a file of the output folder that is not one of ours (checked
    on the string: a ``Path`` and its parts took 5 us, for 12,000 pages a build)."""
    parts = [part for part in rel.split("/") if part not in _SAME_FOLDER]
    if not parts or rel[0] == "/" or ".." in parts or parts[0] in _OURS:
        raise DigestError(f"refusing to write outside the output folder: {rel!r}")
    return rel


def stage_file(output: Path, rel: str, content: bytes, previous: str | None,
               *, direct: bool = False, spares: Path | None = None) -> tuple[str, bool]:
    """Stage ``content`` for ``rel`` unless the output already holds those bytes.

    ``previous`` is the digest the manifest recorded for the file (None: unknown,
    so the file on disk is compared). With ``direct`` (a fresh output, with no
    previous build to protect: see ``begin``) the file is written in place.
    ``spares`` is where replaced files are kept (see the module docstring); a spare
    of ``rel`` found there is staged into. Returns the digest and whether it was
    written. Safe to call from worker processes: each file is staged on its own.
    """
    digest = content_digest(content)
    target = f"{output}/{_checked(rel)}"
    if direct:  # the output held no file when the build began: nothing to compare
        try:
            write_file(target, content)  # (one system call where ``make_folders`` made
            # the folder already; three where it is still to make)
        except FileNotFoundError:
            _new_folder(os.path.dirname(target))
            write_file(target, content)
        return digest, True
    if previous is not None:
        if previous == digest and os.path.isfile(target):
            return digest, False
    else:
        try:
            if os.stat(target).st_size == len(content) \
                    and Path(target).read_bytes() == content:
                return digest, False
        except OSError:
            pass
    name = staged_name(rel)
    staged = staging_folder(output) / name
    if spares is None or not _overwrite_spare(spares / name, staged, content):
        write_file(staged, content)
    return digest, True


def make_folders(folders: Iterable[str], *, stop: Callable[[], bool]) -> int:
    """Make the new ``folders`` (with their parents where missing) of an output that held
    nothing (see ``begin``), until ``stop()`` says to stop (asked every ``STOP_EVERY``
    folders). Returns how many were gone through. ``stage_file`` makes any left."""
    done = 0
    for done, folder in enumerate(folders, start=1):
        if done % STOP_EVERY == 0 and stop():
            return done - 1
        _new_folder(folder)
    return done


STOP_EVERY = 64
"""``make_folders`` asks whether to stop after this many folders (a poll of a pipe, 1 us,
against 25 us for a folder)."""


def _new_folder(folder: str) -> None:
    """Make ``folder`` of an output that held nothing (its parents too, where missing).
    (``_make_folder`` is the one for a commit into an earlier build, where a file of that
    build may stand in the way.)"""
    try:
        os.mkdir(folder)  # (one system call: folders are new)
    except FileExistsError:
        pass
    except FileNotFoundError:
        Path(folder).mkdir(parents=True, exist_ok=True)


def _overwrite_spare(spare: Path, staged: Path, content: bytes) -> bool:
    """Move ``spare`` to ``staged`` and overwrite it with ``content``; False when there is
    no spare, or it is not a plain file of its own (then nothing is left at ``staged``)."""
    try:
        os.rename(spare, staged)
    except OSError:
        return False
    try:
        handle = os.open(staged, _OVERWRITE_FLAGS)
    except OSError:  # (not a file: put there by hand)
        _discard(staged)
        return False
    try:
        info = os.fstat(handle)
        if info.st_nlink != 1 or not S_ISREG(info.st_mode):  # linked into the output still
            os.unlink(staged)
            return False
        _write_all(handle, content)
        os.ftruncate(handle, len(content))
    finally:
        os.close(handle)
    return True


def _discard(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def write_file(path: str | Path, content: bytes) -> None:
    """Create or replace the file ``path`` with ``content`` (its folder exists). Three
    system calls: ``Path.write_bytes`` made three more a file (fstat, ioctl, lseek), and
    Python's file objects cost 10 us more, for 12,000 pages a build."""
    handle = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        _write_all(handle, content)
    finally:
        os.close(handle)


def _write_all(handle: int, content: bytes) -> None:
    """Write every byte of ``content`` at the open file's position."""
    view = memoryview(content)
    while view:
        view = view[os.write(handle, view):]


def begin(output: Path, marker_text: str, *, known: bool = False) -> bool:
    """Prepare the output folder: finish or discard an earlier build's transaction.

    Returns True when the output holds no earlier build (nothing to protect):
    files are then written in place, saving a rename per file. ``known`` says the
    caller knows the output holds the last build (so it need not be listed).
    """
    output.mkdir(parents=True, exist_ok=True)
    recover(output)
    marker = output / MARKER
    if not marker.exists():
        marker.write_text(marker_text, encoding="utf-8")
    if not known and not list_output_files(output):
        return True
    staging = staging_folder(output)
    staging.mkdir()
    (staging / MARKER).write_text("staging\n", encoding="utf-8")
    return False


def recover(output: Path) -> None:
    """Roll a committed journal forward; drop staging that was never committed."""
    journal = journal_file(output)
    if journal.is_file():
        plan = json.loads(journal.read_text(encoding="utf-8"))
        _apply(output, plan["moves"], plan["removes"])
        journal.unlink()
    tmp = journal.with_suffix(".tmp")
    if tmp.is_file():
        tmp.unlink()
    _remove_staging(staging_folder(output))


def _remove_staging(staging: Path) -> None:
    """Delete a staging folder, only if digest made it (it holds the marker). An empty
    one goes too: a build killed between making it and marking it left it so."""
    if staging.is_dir() and not staging.is_symlink() and not any(staging.iterdir()):
        staging.rmdir()
        return
    if staging.is_symlink() or (staging.exists() and not (staging / MARKER).is_file()):
        raise DigestError(f"refusing to delete {staging}: digest uses that name for staging, "
                          f"but this one was not made by digest. Move it away.")
    if staging.is_dir():
        shutil.rmtree(staging)


def commit(output: Path, *, keep: Iterable[str], previous: Iterable[str],
           marker_text: str, staged: Iterable[str] = (), written_in_place: int = 0,
           spares: Path | None = None, touched: bool = False) -> WriteResult:
    """Make the staged files (``staged``: the paths ``stage_file`` wrote) and the removal
    of stale ones take effect, atomically.

    ``written_in_place`` counts files a fresh build wrote directly (see ``begin``). The
    files replaced are kept in ``spares`` (see the module docstring), as room allows.
    ``touched`` says files of the output were changed by somebody else since the last
    build (see ``changed_files``): the marker is written again even if no file is, so
    that the next build does not take them as changed again.
    """
    if written_in_place:
        (output / MARKER).write_text(marker_text, encoding="utf-8")
        return WriteResult(written=written_in_place, unchanged=0, removed=0)
    staging = staging_folder(output)
    moves = sorted(set(staged))
    wanted = set(keep)
    removes = sorted(set(previous) - wanted)
    unchanged = len(wanted) - len(moves)
    marker = output / MARKER
    if not moves and not removes and not touched \
            and marker.read_text(encoding="utf-8") == marker_text:
        _remove_staging(staging)
        return WriteResult(0, unchanged, 0)
    journal = journal_file(output)
    tmp = journal.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump({"moves": moves, "removes": removes}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, journal)  # the commit point
    _apply(output, moves, removes, spares, spare_room(spares, len(wanted)) if moves else 0)
    marker.write_text(marker_text, encoding="utf-8")
    journal.unlink()
    return WriteResult(written=len(moves), unchanged=unchanged, removed=len(removes))


def list_output_files(output: Path) -> list[str]:
    """Every file of the built site (digest's own bookkeeping files excluded)."""
    if not output.is_dir():
        return []
    return [rel for rel in _files_below(output) if rel.split("/", 1)[0] not in _OURS]


def spare_room(spares: Path | None, files: int) -> int:
    """How many more spares ``spares`` may take, for an output of ``files`` files (the
    folder is made here)."""
    if spares is None:
        return 0
    try:
        spares.mkdir(exist_ok=True)
        held = len(os.listdir(spares))
    except OSError:
        return 0
    return max(SPARE_MIN, files // SPARE_SHARE) - held


def _apply(output: Path, moves: list[str], removes: list[str], spares: Path | None = None,
           room: int = 0) -> None:
    """Move the staged files into place and remove the stale ones; up to ``room`` of the
    files replaced are linked into ``spares`` first (a failed link only means none).
    A file whose plain rename fails takes ``_move_otherwise``; the others cost two system
    calls, link and rename (checking first that the staged file and the folder were there
    made it five: the commit of an add at 10,000 stories, 885 files, took 41-48 ms
    instead of 23-25)."""
    staging = staging_folder(output)
    spare_folder = str(spares) if spares is not None else ""
    for rel in moves:
        name = staged_name(rel)
        place = f"{output}/{_checked(rel)}"
        if room > 0 and spare_folder:
            try:  # (it fails for a new file, or across filesystems: no spare then)
                os.link(place, f"{spare_folder}/{name}")
                room -= 1
            except OSError:
                pass
        try:
            os.replace(f"{staging}/{name}", place)
        except OSError:
            _move_otherwise(output, staging, name, rel, removes)
    for rel in removes:
        target = output / safe_relative(rel)
        if spares is not None:
            with contextlib.suppress(OSError):
                os.unlink(spares / staged_name(rel))  # (its page is gone: no use for it)
        try:
            target.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue  # (gone already; or a page of this build, or its folder, took its
            # place or that of a folder above it: see _move_otherwise)
        _prune_empty_folders(output, target.parent)
    _remove_staging(staging)


def _move_otherwise(output: Path, staging: Path, name: str, rel: str,
                    removes: Iterable[str]) -> None:
    """Move the file staged for ``rel`` into place where a plain rename failed: its
    folder is missing, or a file of an older build stands in its way, or a folder of one
    where it goes (its files, among ``removes``, go first); or, when a commit is
    finished after an interruption, it was staged under its output path (an older
    version mirrored the output's folders) or moved already."""
    source = staging / name
    if not source.exists():
        source = staging / rel
        if not source.is_file():
            return  # moved before an interruption
    target = output / safe_relative(rel)
    _make_folder(output, target.parent)
    if target.is_dir() and not target.is_symlink():
        below = f"{rel}/"
        for stale in removes:
            if stale.startswith(below):
                path = output / safe_relative(stale)
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                _prune_empty_folders(target, path.parent)
        try:
            target.rmdir()
        except OSError:
            raise DigestError(
                f"cannot write {rel}: the output folder has a folder there that holds files "
                f"digest did not write ({target}); move them away and build again") from None
    os.replace(source, target)


def _make_folder(output: Path, folder: Path) -> None:
    """Create ``folder`` inside ``output``; a file in the way (from an older build) goes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        for parent in reversed([folder, *folder.parents]):
            if output in parent.parents and parent.is_file():
                parent.unlink()
        folder.mkdir(parents=True, exist_ok=True)


def _prune_empty_folders(output: Path, folder: Path) -> None:
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _files_below(root: Path) -> Iterable[str]:
    prefix = len(str(root)) + 1
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            yield os.path.join(folder, name)[prefix:].replace(os.sep, "/")


def changed_files(output: Path, rels: Iterable[str]) -> set[str]:
    """Which of the files ``rels`` (relative to ``output``), which the last build wrote,
    are no longer as it left them: deleted or edited since by somebody else (a build that
    trusted its record of them would never write them again). The last build wrote the
    marker after every other file, so a file whose status or bytes changed later than the
    marker's did was changed after that build (its change time: an editor, ``touch`` or
    ``cp -p`` that sets the modification time back still moves it). A ``stat`` each, from
    the output folder, compiled where ``_kernels`` is built (``kernels.changed``): 23-24 ms
    for the 12,247 files of 10,000 stories, as long as the ``access`` of each that only
    found deleted files took (``os.stat`` in Python: 37-40 ms). Without the marker, every
    file is taken as changed (its bytes are then compared)."""
    try:
        folder = os.open(output, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return set(rels)
    try:
        try:
            since = _changed_at(os.stat(MARKER, dir_fd=folder))
        except OSError:
            return set(rels)
        find = kernels.changed or changed_files_python
        return set(find(folder, rels, since))
    finally:
        os.close(folder)


def changed_files_python(folder: int, rels: Iterable[str], since: int) -> list[str]:
    """``kernels.changed``'s reference: the paths of ``rels`` (relative to the open folder
    ``folder``) that name no regular file, or one changed after ``since`` (ns)."""
    found = []
    for rel in rels:
        try:
            info = os.stat(rel, dir_fd=folder)
        except OSError:
            found.append(rel)
            continue
        if not S_ISREG(info.st_mode) or _changed_at(info) > since:
            found.append(rel)
    return found


def _changed_at(info: os.stat_result) -> int:
    """When a file last changed, its status or its bytes (ns; where a filesystem keeps no
    change time of its own, its bytes' time still counts)."""
    return max(info.st_ctime_ns, info.st_mtime_ns)


def previous_digests(manifest_pages: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Output path -> content digest, from a manifest's page table."""
    return {rel: digest for rel, (_fingerprint, digest) in manifest_pages.items()}
