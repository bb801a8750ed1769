"""Stage 1, read: content files -> ``SourceFile`` (front matter + body) or a diagnostic.

Reading decodes the bytes (UTF-8, BOM and CRLF tolerated), splits the YAML front
matter from the body and parses the YAML. It knows nothing of the news schema:
that is ``validate``'s job.
"""

from __future__ import annotations

import codecs
import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, error, warning
from .frozen import frozen
from .scan import find_content_paths
from .yamlio import DuplicateKey, YamlProblem, compose_yaml, load_yaml

if TYPE_CHECKING:
    from yaml.nodes import Node

FENCE = "---"
FRONT_MATTER_LINE = 2
"""The file's line where front matter starts (the opening fence is line 1)."""


@frozen
class SourceFile:
    """A content file, split but not yet validated."""

    path: str
    """Path relative to the site folder, with ``/`` separators."""
    front_matter: Any
    """The parsed YAML (usually a dict), or None when the file has no front matter."""
    front_matter_text: str
    """The raw YAML text, for finding the line of a field."""
    body: str
    """The text after the front matter (or the whole text, without front matter)."""
    body_line: int
    """1-based line where the body starts."""
    mtime: float
    """Modification time of the file (seconds since the epoch)."""
    duplicates: tuple[DuplicateKey, ...] = ()
    """Keys the front matter gives twice in one mapping (lines within ``front_matter_text``):
    ``front_matter`` holds the last value of each."""

    @property
    def has_front_matter(self) -> bool:
        """True when the file starts with a ``---`` block."""
        return self.front_matter is not None

    def field_lines(self) -> FieldLines:
        """Where the front matter's fields are, as the file's lines."""
        return FieldLines(self.front_matter_text, first=FRONT_MATTER_LINE)

    def duplicate_key_warnings(self) -> tuple[Diagnostic, ...]:
        """A warning for each key the front matter gives twice, at the file's lines."""
        return duplicate_key_warnings(self.path, self.duplicates, first=FRONT_MATTER_LINE)


def key_line(text: str, key: str, *, first: int = 1) -> int | None:
    """The line of ``text`` (numbered from ``first``) where the top-level YAML key
    ``key`` is, if it can be found."""
    prefix = key + ":"
    for number, line in enumerate(text.split("\n"), start=first):
        if line.startswith(prefix):
            return number
    return None


class FieldLines:
    """Where the fields of a YAML text are written (see ``line_of``), its lines numbered
    from ``first``. A top-level key is found by a scan of the lines; a field within one
    from the document's nodes, composed once, when first needed (only fields with a
    problem are looked for)."""

    def __init__(self, text: str, *, first: int = 1) -> None:
        self.text, self.first = text, first
        self._root: Node | None = None
        self._composed_yet = False

    def line_of(self, field: str) -> int | None:
        """The line of ``field`` (``title``; ``images[1].width``: that image's ``width:``;
        ``topics[2]``: that entry), else that of the nearest of its parents found (the
        top-level key at least), if any."""
        top = top_key(field)
        if top != field:
            line = self._walk(field)[1]
            if line is not None:
                return line + self.first - 1
        return key_line(self.text, top, first=self.first)

    def node_of(self, field: str) -> Node | None:
        """The node written at ``field`` (None where there is none)."""
        node, _line, whole = self._walk(field)
        return node if whole else None

    def _walk(self, field: str) -> tuple[Node | None, int | None, bool]:
        """The node of ``field`` or of the nearest of its parents found, the line (within
        the text) where that is written, and whether it is ``field``'s own."""
        node, line = self._composed(), None
        for step in _FIELD_PART.findall(field):
            found, at = _step_into(node, step)
            if at is None:
                return node, line, False
            node, line = found, at
        return node, line, True

    def _composed(self) -> Node | None:
        if not self._composed_yet:
            self._composed_yet = True
            try:
                self._root = compose_yaml(self.text)
            except (YamlProblem, RecursionError):
                self._root = None
        return self._root


_FIELD_PART = re.compile(r"[^.\[\]]+|\[\d+\]")
"""A step of a field's path: a key, or ``[n]``."""


def _step_into(node: Node | None, step: str) -> tuple[Node | None, int | None]:
    """The node ``step`` (a key, or ``[n]``) leads to from ``node``, and the 1-based line
    where it is written (None, None where it leads nowhere). A key given twice is its last
    (the value the data keeps); ``[n]`` of a mapping (``topics:`` by name) is its n-th key."""
    if node is None:
        return None, None
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode  # (PyYAML made ``node``)

    if step.startswith("["):
        index = int(step[1:-1])
        if isinstance(node, SequenceNode) and index < len(node.value):
            item = node.value[index]
            return item, item.start_mark.line + 1
        if isinstance(node, MappingNode) and index < len(node.value):
            key, value = node.value[index]
            return value, key.start_mark.line + 1
        return None, None
    if isinstance(node, MappingNode):
        for key, value in reversed(node.value):
            if isinstance(key, ScalarNode) and key.value == step:
                return value, key.start_mark.line + 1
    return None, None


def with_field_lines(problems: Sequence[Diagnostic], path: Path, name: str,
                     text: str | None = None) -> tuple[Diagnostic, ...]:
    """``problems``, those of the YAML file at ``path`` (``name`` in them) that name a
    field but no line given the line of their field (``topics[2].image``: that entry's
    ``image:``), as content files' are (``text``: the file's, if already read)."""
    if not any(p.file == name and p.line is None and p.field for p in problems):
        return tuple(problems)
    try:
        lines = FieldLines(text if text is not None else path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return tuple(problems)
    return tuple(replace(p, line=lines.line_of(p.field))
                 if p.file == name and p.line is None and p.field else p
                 for p in problems)


def duplicate_key_warnings(file: str, duplicates: Sequence[DuplicateKey], *, first: int = 1
                           ) -> tuple[Diagnostic, ...]:
    """A warning for each key given twice (lines of its YAML text, numbered from ``first``
    in the file): content files' front matter and ``digest.yaml`` word them alike."""
    shift = first - 1
    return tuple(warning(file, f"{item.key!r} is given twice, on line "
                         f"{item.first_line + shift} and again on line {item.line + shift}; "
                         "the last one is used", line=item.line + shift, field=item.field,
                         hint="Delete one of the two: YAML keeps only the last value.")
                 for item in duplicates)


def read_yaml_mapping(path: Path, name: str, problems: list[Diagnostic], *, what: str,
                      mapping: str, hint: str | None = None
                      ) -> tuple[dict[Any, Any] | None, str]:
    """The mapping a site's YAML file ``path`` (named ``name`` in diagnostics: digest.yaml,
    ``i18n/<language>.yaml``) holds, and its text: None (with an error in ``problems``)
    for a file that cannot be read (``what`` it is, in the message), is not YAML, or holds
    something other than ``mapping`` (``hint``: what to write); an empty file holds None.
    A key given twice is a warning in ``problems``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        loaded = load_yaml(text)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(error(name, f"cannot read {what}: {exc}"))
        return None, ""
    except YamlProblem as exc:
        problems.append(error(name, f"invalid YAML: {exc.problem}", line=exc.line,
                              hint="Check indentation and quoting near that line."))
        return None, ""
    problems.extend(duplicate_key_warnings(name, loaded.duplicates))
    data = loaded.data
    if data is not None and not isinstance(data, dict):
        problems.append(error(name, f"{mapping}, got {type(data).__name__}", hint=hint))
        return None, text
    return data, text


def top_key(field: str) -> str:
    """The top-level key of a field's path (``images[0].width``: ``images``)."""
    return _FIELD_STEP.split(field, maxsplit=1)[0]


_FIELD_STEP = re.compile(r"[.\[]")


def find_content_files(content_dir: Path) -> list[Path]:
    """All content files below ``content_dir``, sorted, hidden files skipped."""
    return [Path(path) for path in find_content_paths(content_dir)]


class Readahead:
    """Asks the kernel to bring files into the page cache, in order, from a background
    thread of a process that is otherwise waiting (the build's main process while its
    workers parse): then the workers find the files in memory instead of waiting for the
    disk. It matters on large archives, whose files are rarely all cached: at 100,000
    stories with the files out of the cache, each of two parse workers spent 4 s more in
    the kernel and 2.5 s blocked on the disk than with them cached. Use it as a context
    manager; it stops at its exit even if it has not reached the end."""

    def __init__(self, paths: Sequence[str | Path]) -> None:
        self._paths = paths
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="digest-readahead",
                                        daemon=True)

    def __enter__(self) -> Readahead:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        advise = getattr(os, "posix_fadvise", None)  # (not on macOS: read the file instead)
        for path in self._paths:
            if self._stop.is_set():
                return
            try:
                handle = os.open(path, os.O_RDONLY)
            except OSError:
                continue  # the parser reports it
            try:
                if advise is not None:
                    advise(handle, 0, 0, os.POSIX_FADV_WILLNEED)  # starts the reads, no wait
                else:  # pragma: no cover - platforms without posix_fadvise
                    while os.read(handle, 1 << 16):
                        pass
            except OSError:
                pass
            finally:
                os.close(handle)


def source_name(path: str | Path, source: Path) -> str:
    """The path of a file of the site folder ``source``, relative to it, with ``/``: for
    a string by slicing off the folder (the scan's paths begin with ``str(source)``; a
    ``Path`` made and compared for each of 100,000 files cost 0.3 s in each of the
    processes that sent, received and read them)."""
    text, folder = os.fspath(path), os.fspath(source) + os.sep
    if isinstance(path, str) and text.startswith(folder):
        return text[len(folder):].replace(os.sep, "/")
    return Path(path).relative_to(source).as_posix()


def read_source(path: Path, *, site_root: Path, max_bytes: int) -> SourceFile | Diagnostic:
    """Read and split one content file."""
    rel = source_name(path, site_root)
    try:
        stat = path.stat()
        if stat.st_size > max_bytes:
            return error(rel, f"file is {stat.st_size:,} bytes, over the limit of {max_bytes:,}",
                         hint="Split it, or raise max_file_bytes in digest.yaml.")
        raw = path.read_bytes()
    except OSError as exc:
        return error(rel, f"cannot read the file: {exc.strerror or exc}")
    text_or_problem = decode_text(rel, raw)
    if isinstance(text_or_problem, Diagnostic):
        return text_or_problem
    return split_source(rel, text_or_problem, mtime=stat.st_mtime)


_OTHER_BOMS = (("UTF-32", codecs.BOM_UTF32_LE), ("UTF-32", codecs.BOM_UTF32_BE),
               ("UTF-16", codecs.BOM_UTF16_LE), ("UTF-16", codecs.BOM_UTF16_BE))
"""Byte-order marks of the encodings a text editor may save in besides UTF-8 (UTF-32's
first: its little-endian mark begins with UTF-16's)."""
_OTHER_BOM_STARTS = tuple({mark[:1] for _name, mark in _OTHER_BOMS})
"""The first bytes of those marks."""


def decode_text(rel: str, raw: bytes) -> str | Diagnostic:
    """Bytes -> text with ``\\n`` line endings, refusing binary and non-UTF-8 files."""
    encoding = next((name for name, mark in _OTHER_BOMS if raw.startswith(mark)), None) \
        if raw.startswith(_OTHER_BOM_STARTS) else None  # (one test for most files)
    if encoding is not None:  # (else it "looks binary": its NUL bytes said nothing of why)
        return error(rel, f"the file is {encoding} text (it starts with a {encoding} "
                          "byte-order mark)", line=1,
                     hint="Save it as UTF-8 (in Notepad: Save as, Encoding: UTF-8).")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return error(rel, "the file contains a NUL byte; it looks binary", line=line,
                     hint="Content files must be UTF-8 text.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return error(rel, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                     line=line, hint="Save the file as UTF-8.")
    if not text or text.isspace():  # (no copy of it made)
        return error(rel, "the file is empty", hint="Add front matter with a title, or delete it.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_source(rel: str, text: str, *, mtime: float = 0.0) -> SourceFile | Diagnostic:
    """Split text into front matter and body and parse the front matter."""
    first = text.find("\n")  # (the text is searched, not split into lines and joined
    # again: 11 us a story of the bench corpus instead of 17-18)
    opening = (text if first < 0 else text[:first]).rstrip()
    if opening != FENCE:
        if opening == "+++" or opening == "{" or opening.startswith('{"'):
            return error(rel, f"front matter in {'TOML' if opening == '+++' else 'JSON'} "
                         "(as Hugo allows) is not read here", line=1,
                         hint="Write it as YAML between '---' lines (title: ..., one field "
                              "a line); it would otherwise be a story titled "
                              f"{opening!r}.")
        return SourceFile(rel, None, "", text, 1, mtime)
    fence = closing_fence(text, first) if first >= 0 else None
    if fence is None:
        return error(rel, "front matter starts with '---' on line 1 but is never closed", line=1,
                     hint="Add a line '---' after the last front-matter field.")
    start, stop = fence
    end = text.count("\n", 0, start)  # (the fence's line, counted from 0)
    yaml_text = text[first + 1 : start - 1]
    try:
        loaded = load_yaml(yaml_text)
    except YamlProblem as exc:
        line = min(exc.line + 1, end) if exc.line is not None else None  # not past the fence
        return error(rel, f"invalid YAML in front matter: {exc.problem}", line=line,
                     hint=exc.hint or "Check indentation and quoting near that line; "
                     "quote values with ':'.")
    body, data = text[stop + 1 :], loaded.data
    return SourceFile(rel, data if data is not None else {}, yaml_text, body, end + 2, mtime,
                      loaded.duplicates)


def closing_fence(text: str, first: int) -> tuple[int, int] | None:
    """Where the line that closes front matter starts and ends (the index of its first
    character, and of the newline after it or the text's length): the first line after
    the one that ends at ``first`` that is ``---`` or ``...`` but for trailing space."""
    found = [at for at in (_fence_line(text, first, FENCE), _fence_line(text, first, "..."))
             if at is not None]
    return min(found) if found else None


def _fence_line(text: str, first: int, fence: str) -> tuple[int, int] | None:
    mark = "\n" + fence
    at = text.find(mark, first)
    while at >= 0:
        stop = text.find("\n", at + 1)
        if stop < 0:
            stop = len(text)
        if text[at + 1 : stop].rstrip() == fence:
            return at + 1, stop
        at = text.find(mark, stop)
    return None


def iter_sources(
    paths: list[Path], *, site_root: Path, max_bytes: int
) -> Iterator[SourceFile | Diagnostic]:
    """Read many files in order."""
    for path in paths:
        yield read_source(path, site_root=site_root, max_bytes=max_bytes)
