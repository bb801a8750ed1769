"""Diagnostics: problems found in content or configuration, carried as values.

Every stage returns the diagnostics it finds instead of printing or raising, so
one bad file never stops the rest of the site from building. A diagnostic names
the file, the line (where one is known), the field, the bad value and a hint.
"""

from __future__ import annotations

import enum
from pathlib import Path

from .frozen import frozen


class Severity(enum.Enum):
    """How bad a problem is: errors drop the item, warnings keep it."""

    WARNING = "warning"
    ERROR = "error"


@frozen
class Diagnostic:
    """One problem with one input file."""

    severity: Severity
    """Whether the item was dropped (error) or kept (warning)."""
    file: str
    """Path of the file, relative to the site folder where possible."""
    message: str
    """What is wrong, quoting the bad value."""
    line: int | None = None
    """1-based line in the file, where one is known."""
    field: str | None = None
    """Front-matter field (dotted path such as ``images[0].width``), if any."""
    hint: str | None = None
    """What to do about it."""

    def format(self) -> str:
        """Render as ``file:line: severity: [field] message (hint)``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        hint = f" Hint: {self.hint}" if self.hint else ""
        return f"{where}: {self.severity.value}:{field} {self.message}{hint}"

    def to_tuple(self) -> tuple[object, ...]:
        """A ``marshal``-friendly tuple (for the cache, and from the parse workers)."""
        return (self.severity.value, self.file, self.message, self.line, self.field, self.hint)

    @classmethod
    def from_tuple(cls, values: tuple[object, ...]) -> Diagnostic:
        """Inverse of ``to_tuple`` (checked: it may come from a damaged cache)."""
        severity, file, message, line, field_name, hint = values
        return cls(Severity(severity), str(file), str(message),
                   line if isinstance(line, int) else None,
                   str(field_name) if field_name is not None else None,
                   str(hint) if hint is not None else None)


class DigestError(Exception):
    """A problem that stops the whole build (bad config, unsafe output folder)."""

    def __init__(self, message: str, *, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


def error(
    file: Path | str,
    message: str,
    *,
    line: int | None = None,
    field: str | None = None,
    hint: str | None = None,
) -> Diagnostic:
    """Make an error diagnostic."""
    return Diagnostic(Severity.ERROR, str(file), message, line, field, hint)


def warning(
    file: Path | str,
    message: str,
    *,
    line: int | None = None,
    field: str | None = None,
    hint: str | None = None,
) -> Diagnostic:
    """Make a warning diagnostic."""
    return Diagnostic(Severity.WARNING, str(file), message, line, field, hint)


def shorten(value: object, limit: int = 60) -> str:
    """Quote a bad value for a message, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
