"""Stage 2, in part: reading one file's fields, and what their text may hold.

``FieldChecker`` is what the validation of a file (``validate``, ``validate_images``) reads
its front matter with: it gives each problem the file, the line of its field and the
field's name, and reads text, whole numbers and http(s) URLs, warning of what it drops.
Text that no page may hold (control characters, non-characters) is removed with a
warning, from fields here and from bodies (``holds_not_text``, ``code_points``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic, error, shorten, warning
from .read import FieldLines, SourceFile
from .site_images import SiteFiles
from .urls import safe_http_url

NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef" + "".join(
    chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)) + "]")
"""Characters no page may hold: the control characters but tab, newline and carriage
return (HTML parsers report each, XML 1.0 forbids most) and Unicode's non-characters
(U+FFFE...). Text copied out of Word or a PDF, or scraped, brings them (``\\x0b``,
``\\x08``); they are removed from a story's text fields (``FieldChecker.clean``) and from
bodies (``validate._clean_body``)."""
_ASCII_TEXT = bytes(range(0x20, 0x7F)) + b"\t\n\r"
"""The ASCII characters a page may hold."""
NOT_TEXT_HINT = ("Delete them from the source (text copied out of a Word or PDF document, or "
                 "scraped, brings them).")


class FieldChecker:
    """Collects the diagnostics of one file while its fields are read: each at the line of
    its field (``FieldLines``), with the field's name; and reads text, numbers and URLs
    out of front matter, warning of what it cannot use."""

    def __init__(self, source: SourceFile, site_files: SiteFiles | None = None) -> None:
        self.source = source
        self.problems: list[Diagnostic] = []
        self.lines: FieldLines | None = None
        self.site_files = site_files if site_files is not None else SiteFiles(None)

    def line_of(self, field: str) -> int | None:
        """Line of ``field`` (``images[1].width``: that image's ``width:``)."""
        if self.lines is None:
            self.lines = self.source.field_lines()
        return self.lines.line_of(field)

    def warn(self, field: str, message: str, hint: str | None = None) -> None:
        self.problems.append(warning(self.source.path, message, line=self.line_of(field),
                                     field=field, hint=hint))

    def fail(self, field: str | None, message: str, hint: str | None = None) -> None:
        line = self.line_of(field) if field else None
        self.problems.append(error(self.source.path, message, line=line, field=field, hint=hint))

    def clean(self, where: str, value: str) -> str:
        """``value`` without the characters no page may hold (``NOT_TEXT``), and a
        warning for the field ``where`` if it had some."""
        if value.isprintable() or NOT_TEXT.search(value) is None:  # (each character
            # of NOT_TEXT is unprintable: the test is 2-10x faster than the search)
            return value
        self.warn(where, f"{shorten(value)} holds control characters or non-characters "
                  f"({code_points(value)}), which HTML and XML do not allow; they were removed",
                  NOT_TEXT_HINT)
        return NOT_TEXT.sub("", value)

    def text(self, data: dict[str, Any], key: str, *, where: str | None = None) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return self.clean(where or key, value).strip()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.warn(where or key, f"expected text, got {type(value).__name__} {shorten(value)}",
                  "The value was ignored.")
        return ""

    def number(self, data: dict[str, Any], key: str, *, where: str | None = None,
               hint: str = "Write a plain whole number, such as 3.") -> int | None:
        value = data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        self.warn(where or key, f"expected a whole number, got {shorten(value)}", hint)
        return None

    def mappings(self, value: object, field: str, *, listed: str, each: str
                 ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(field[i], item)`` for each mapping of the list ``value`` (None: none); a
        warning for a value that is no list (``listed``: "images should be a list") and for
        each item that is no mapping (``each``: "an image must be a mapping with a url")."""
        if value is None:
            return
        if not isinstance(value, list):
            self.warn(field, f"{listed}, got {shorten(value)}", "It was ignored.")
            return
        for index, item in enumerate(value):
            here = f"{field}[{index}]"
            if isinstance(item, dict):
                yield here, item
            else:
                self.warn(here, f"{each}, got {shorten(item)}")

    def url(self, data: dict[str, Any], key: str, *, where: str | None = None) -> str:
        value = self.text(data, key, where=where)
        if not value:
            return ""
        safe = safe_http_url(value)
        if safe is None:
            self.warn(where or key, f"{shorten(value)} is not an http(s) URL; it is not linked",
                      "Only http:// and https:// URLs are used in links and images.")
            return ""
        return safe


def code_points(text: str) -> str:
    """The characters of ``NOT_TEXT`` in ``text``, as ``U+000B, U+0008``."""
    return ", ".join(sorted({f"U+{ord(char):04X}" for char in NOT_TEXT.findall(text)}))


def holds_not_text(text: str) -> bool:
    """Whether a body holds a character of ``NOT_TEXT``. The cheap tests come first (a
    body of 3 kB: 1.3 us when it is ASCII, 12 us otherwise, against 90 us for the
    search, which only text holding unprintable characters, such as a no-break space,
    gets)."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ASCII_TEXT))
    if text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        return False
    return NOT_TEXT.search(text) is not None
