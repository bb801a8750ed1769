"""The machine-readable build report (``digest build --report FILE.json``).

The same facts as the summary line and the diagnostics the CLI prints, as JSON
for CI and tools: counts, every diagnostic with its file and line, what writing
changed, and seconds per stage. (Timings differ between runs; the site's own
output never holds them.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from .build import BuildReport
from .diagnostics import Diagnostic
from .output import WriteResult

REPORT_VERSION = 1
"""Bumped when a field changes meaning or goes away."""


def report_json(report: BuildReport | None, *, config_problems: Sequence[Diagnostic] = (),
                strict: bool = False) -> str:
    """The report as JSON text (configuration problems first, then the content's); for a
    build that did not run or stopped (``report`` None: ``config_problems`` then holds
    why), nothing counted."""
    if report is None:
        report = BuildReport(stories=0, topics=0, pages=0, rendered=0, files=0,
                             diagnostics=(), body_matches=(), clusters=(),
                             write=WriteResult(0, 0, 0))
    diagnostics = [*config_problems, *report.diagnostics]
    failed = any(d.severity.value == "error" for d in diagnostics) or (
        strict and any(d.severity.value == "warning" for d in diagnostics))
    document: dict[str, Any] = {
        "version": REPORT_VERSION,
        "ok": not failed,
        "strict": strict,
        "counts": {
            "stories": report.stories, "topics": report.topics, "pages": report.pages,
            "rendered": report.rendered, "files": report.files,
            "written": report.write.written, "unchanged": report.write.unchanged,
            "removed": report.write.removed,
            "errors": sum(d.severity.value == "error" for d in diagnostics),
            "warnings": sum(d.severity.value == "warning" for d in diagnostics),
            "heldBack": report.held,
        },
        "heldUntil": None if report.held_until is None
        else datetime.fromtimestamp(report.held_until, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "diagnostics": [diagnostic_record(d) for d in diagnostics],
        "bodies": [{"body": m.body, "article": m.article, "taken": m.taken}
                   for m in report.body_matches],
        "acceptedMoves": [{"file": move.source, "from": move.old_address,
                           "to": move.new_address} for move in report.accepted_moves],
        "clusters": [{"id": event, "stories": list(members)}
                     for event, members in report.clusters if len(members) > 1],
        "singleStories": sum(1 for _event, members in report.clusters if len(members) == 1),
        "timings": dict(sorted(report.timings.items())),
        "seconds": round(report.seconds, 4),
    }
    return _layout(document)


_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
"""Encodes one value on one line, in C (with ``indent``, ``json`` encodes in Python: the
790 KB report of a build after one edit at 10,000 stories took 11-23 ms so, more than
the pages that build rendered)."""


def _layout(document: dict[str, Any]) -> str:
    """``document`` as JSON text: each field on a line of its own, and each item of a
    list (a diagnostic, an event) on a line of its own too."""
    fields = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            text = "[\n    " + ",\n    ".join(map(_LINE.encode, value)) + "\n  ]"
        else:
            text = _LINE.encode(value)
        fields.append(f"  {_LINE.encode(key)}: {text}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def diagnostic_record(diagnostic: Diagnostic) -> dict[str, Any]:
    """One diagnostic as a JSON object."""
    return {
        "severity": diagnostic.severity.value,
        "file": diagnostic.file,
        "line": diagnostic.line,
        "field": diagnostic.field,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }
