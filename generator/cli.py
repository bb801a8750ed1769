"""The command line: ``digest build`` and friends. The only module that prints.

Exit codes: 0 ok, 1 content or configuration errors (or warnings with --strict),
2 usage errors.

Each command imports the parts of digest it needs when it runs: ``digest build`` first
forks the child that lists the content files (``scan.start_scan``), so that the child
works while this process imports the build (0.1 s).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .scan import CONTENT_DIR, EarlyScan, start_scan

if TYPE_CHECKING:
    from .build import BuildReport
    from .diagnostics import Diagnostic
    from .serve import ServeEvent
    from .serve_build import PreviewBuild

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def port_number(text: str) -> int:
    """A TCP port, 0-65535 (argparse's ``type``: anything else is a usage error; a larger
    number was taken modulo 65536 by the socket, 99999 serving on 34463)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0 picks a free one)")
    return port


def make_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="digest", description="Build a topic news digest.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    _add_site_options(build_cmd)
    build_cmd.add_argument("--strict", action="store_true", help="fail (exit 1) on any warning")
    build_cmd.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    build_cmd.add_argument("--report", type=Path, default=None, metavar="FILE.json",
                           help="also write a JSON build report (counts, diagnostics, timings)")
    build_cmd.add_argument("--accept-moves", action="store_true",
                           help="stop warning of the pages moved since an earlier build "
                                "that the last build warned of: the moves were meant")
    _add_serve_parser(commands)
    _add_check_parser(commands)
    _add_clusters_parser(commands)
    for command in commands.choices.values():
        command.set_defaults(command_parser=command)
    return parser


def _add_site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", type=Path, default=Path("."),
                        help="site folder holding content/ (default: .)")
    parser.add_argument("--output", type=Path, default=None,
                        help="output folder (default: <source>/build)")
    parser.add_argument("--base-url", default=None,
                        help="where the site is hosted, e.g. https://example.org/digest/")
    parser.add_argument("--drafts", action="store_true", help="include stories with draft: true")
    parser.add_argument("--future", action="store_true", help=FUTURE_HELP)


FUTURE_HELP = ("publish the stories dated after the build's time now (by default they are "
               "held back until then)")


def run() -> None:
    """The ``digest`` command (and ``python -m generator``): :func:`main`, then exit
    without tearing the heap down. Freeing every object a build made is all a normal
    exit would add: 0.04 s after one edit at 10,000 stories. Nothing is left to clean up
    by then: the build closes its workers, files and children itself, and commits each
    database write. An exception still ends the process the usual way, with its
    traceback. What the build would free as it returns is kept until then (see
    ``build``'s ``retain``)."""
    retained: list[object] = []
    code = main(retain=retained)
    with contextlib.suppress(OSError):  # (a reader that went away: nothing more to say)
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None, *, retain: list[object] | None = None) -> int:
    """Run the CLI; returns the exit code. ``retain``: see :func:`run`."""
    args, unknown = make_parser().parse_known_args(argv)
    if unknown:  # (said with the command's own usage, not the top-level one)
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "build":
        return run_build(args, out=sys.stdout, err=sys.stderr, retain=retain)
    if args.command == "serve":
        return run_serve(args, out=sys.stdout, err=sys.stderr)
    if args.command == "check":
        return run_check(args, out=sys.stdout, err=sys.stderr)
    if args.command == "clusters":
        return run_clusters(args, out=sys.stdout, err=sys.stderr)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


def has_content_folder(source: Path, err: TextIO) -> bool:
    """Whether ``source`` is a site folder; says what to do when it is not."""
    if (source / CONTENT_DIR).is_dir():
        return True
    where = source.resolve()
    what = (f"no content/ folder in {where}" if source.is_dir() else
            f"{where} is not a folder" if source.exists() else f"the folder {where} does not exist")
    print(f"digest: {what}; pass --source with the site folder", file=err)
    return False


def run_build(args: argparse.Namespace, *, out: TextIO, err: TextIO,
              retain: list[object] | None = None) -> int:
    """``digest build`` (``retain``: see :func:`run`)."""
    if not has_content_folder(args.source, err):
        return EXIT_USAGE
    scan = start_scan(args.source)
    try:
        return _run_build(args, out=out, err=err, retain=retain, scan=scan)
    finally:
        if scan is not None:
            scan.cancel()  # (nothing happens if the build took its result)


def _run_build(args: argparse.Namespace, *, out: TextIO, err: TextIO,
               retain: list[object] | None, scan: EarlyScan | None) -> int:
    from .build import build
    from .config import build_time, load_config
    from .diagnostics import DigestError, Severity
    from .report import report_json
    from .seo import base_url_warnings

    overrides: dict[str, Any] = {"base_url": args.base_url, "drafts": args.drafts or None,
                                 "future": args.future or None}
    config, problems = load_config(args.source, output=args.output, overrides=overrides)
    if args.strict:  # feeds and the sitemap want an absolute base_url (see seo.py)
        problems = (*problems, *base_url_warnings(config, given=args.base_url is not None))
    for problem in problems:
        print(problem.format(), file=err)

    def write_report(built: BuildReport | None, problems: Sequence[Diagnostic]) -> bool:
        """Write the report asked for, if any (its folder made where missing); False
        (said on ``err``) if it cannot be written."""
        if args.report is None:
            return True
        try:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            args.report.write_text(report_json(built, config_problems=problems,
                                               strict=args.strict), encoding="utf-8")
        except OSError as exc:
            print(f"digest: cannot write the report to {args.report}: "
                  f"{exc.strerror or exc}", file=err)
            return False
        return True

    if any(p.severity is Severity.ERROR for p in problems):
        print("digest: the configuration has errors; nothing was built", file=err)
        return EXIT_CONTENT if write_report(None, problems) else EXIT_USAGE
    bar = ProgressBar(err) if show_progress(err, quiet=args.quiet) else None
    try:
        report = build(config, now=build_time(config), progress=bar.update if bar else None,
                       scan=scan, retain=retain, accept_moves=args.accept_moves)
    except DigestError as exc:
        for problem in exc.diagnostics:
            print(problem.format(), file=err)
        print(f"digest: {exc}", file=err)
        return EXIT_CONTENT if write_report(None, (*problems, *exc.diagnostics)) \
            else EXIT_USAGE
    finally:
        if bar:
            bar.close()
    settings_warnings = sum(p.severity is Severity.WARNING for p in problems)
    print_report(report, out=out, err=err, quiet=args.quiet, also_warned=settings_warnings,
                 accepting=args.accept_moves)
    if not write_report(report, problems):
        return EXIT_USAGE
    warnings = len(report.warnings) + settings_warnings
    if report.errors or (args.strict and warnings):
        if args.strict and warnings and not report.errors:
            print("digest: --strict: warnings count as errors", file=err)
        return EXIT_CONTENT
    return EXIT_OK


def show_progress(stream: TextIO, *, quiet: bool) -> bool:
    """A progress bar only on an interactive terminal, never in CI or with --quiet."""
    return not quiet and stream.isatty() and not os.environ.get("CI")


class ProgressBar:
    """One self-overwriting line: ``rendering  4,200/10,930 [=====     ] 38%``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = False

    def update(self, stage: str, done: int, total: int) -> None:
        """Redraw the bar."""
        width = 30
        filled = width * done // max(total, 1)
        line = f"{stage:>10} {done:>7,}/{total:,} [{'=' * filled}{' ' * (width - filled)}] " \
               f"{100 * done // max(total, 1):>3}%"
        self._stream.write("\r" + line)
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """Clear the line."""
        if self._shown:
            self._stream.write("\r\033[K")
            self._stream.flush()


def print_report(report: BuildReport, *, out: TextIO, err: TextIO, quiet: bool,
                 also_warned: int = 0, accepting: bool = False) -> None:
    """Diagnostics to stderr; body matches, with ``accepting`` (``--accept-moves``) the
    moves accepted, and one summary line to stdout, whose count of warnings holds
    ``also_warned`` more (those of the settings, printed before the build)."""
    for problem in report.diagnostics:
        print(problem.format(), file=err)
    if quiet:
        return
    for match in report.body_matches:
        if match.article:
            print(f"body: {match.body} is the body of {match.article}", file=out)
        elif match.taken:
            print(f"body: {match.body} matches {match.taken}, whose body is another file; "
                  "it is an article of its own", file=out)
        else:
            print(f"body: {match.body} matches no article; it is an article of its own",
                  file=out)
    if accepting:
        for move in report.accepted_moves:
            print(f"accepted: {move.source}: {move.describe()}; no redirect is made", file=out)
        if not report.accepted_moves:
            print("nothing to accept: no page is warned of as moved since an earlier build",
                  file=out)
    if report.held_until is not None:
        print(held_back_line(report.held, report.held_until), file=out)
    print(
        f"built {report.stories} stories, {report.topics} topics, {report.pages} pages "
        f"({report.write.written} written, {report.write.unchanged} unchanged, "
        f"{report.write.removed} removed), {len(report.warnings) + also_warned} warnings, "
        f"{len(report.errors)} errors in {report.seconds:.2f} s",
        file=out,
    )


def held_back_line(count: int, until: float) -> str:
    """The line saying that ``count`` stories dated after the build's time were held back,
    the first until ``until`` (seconds since 1970): not a problem, so not a warning."""
    from datetime import UTC, datetime

    stories = "story" if count == 1 else "stories"
    return (f"held back {count} {stories} dated after the build's time, the first until "
            f"{datetime.fromtimestamp(until, UTC):%Y-%m-%d %H:%M} UTC (--future, or future: "
            "true in digest.yaml, publishes them now)")


# --- digest serve -------------------------------------------------------------------------


def _add_serve_parser(commands: Any) -> None:
    serve_cmd = commands.add_parser("serve", help="preview the site, rebuilding on every change")
    serve_cmd.add_argument("--source", type=Path, default=Path("."),
                           help="site folder holding content/ (default: .)")
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this machine only)")
    serve_cmd.add_argument("--port", type=port_number, default=8000,
                           help="port to listen on (default: 8000; 0 picks a free one)")
    serve_cmd.add_argument("--drafts", action="store_true", help="include stories with draft: true")
    serve_cmd.add_argument("--future", action="store_true", help=FUTURE_HELP)
    serve_cmd.add_argument("--open", action="store_true", help="open the preview in a browser")
    serve_cmd.add_argument("--poll", action="store_true", help=argparse.SUPPRESS)


def run_serve(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """``digest serve``: runs until Ctrl-C."""
    from .serve import ServeOptions, serve  # Tornado is imported only to serve

    if not has_content_folder(args.source, err):
        return EXIT_USAGE
    options = ServeOptions(source=args.source, host=args.host, port=args.port,
                           drafts=args.drafts, future=args.future, open_browser=args.open,
                           poll=args.poll)

    def report(event: ServeEvent) -> None:
        print_serve_event(event, out=out, err=err)

    try:
        serve(options, report)
    except OSError as exc:
        print(f"digest: cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
              "(another server? stop it, or choose another port: --port 0 picks a free one)",
              file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("digest: aborted during a build; the next build repairs the preview", file=err)
        return 130
    return EXIT_OK


def print_serve_event(event: ServeEvent, *, out: TextIO, err: TextIO) -> None:
    """One line per server event (and the errors of a failed build)."""
    from .serve import Building, Listening, Rebuilt, Stopped

    if isinstance(event, Building):
        print(f"digest: building the preview of {event.source}", file=out, flush=True)
    elif isinstance(event, Listening):
        for problem in event.build.problems:
            print(problem.format(), file=err)
        print(f"first build: {_preview_counts(event.build)}", file=out)
        if event.exposed:
            print("digest: warning: the preview is reachable from other machines "
                  "(--host); anyone who can reach this address can read it", file=err)
        print(f"serving {event.url} (from {event.output}; watching with {event.watcher}); "
              "Ctrl-C to stop", file=out, flush=True)
    elif isinstance(event, Rebuilt):
        cause = event.changed[0] + (f" and {len(event.changed) - 1} more"
                                    if len(event.changed) > 1 else "") if event.changed \
            else "the date of a held-back story came"
        print(f"rebuilt after {cause}: {_preview_counts(event.build)}; "
              f"{event.reloaded} tab(s) reloaded", file=out, flush=True)
        for problem in (*event.build.errors, *event.new_warnings):
            print(f"  {problem.format()}", file=err, flush=True)
        for problem in event.fixed[:FIXED_LINES]:
            print(f"  fixed: {_without_hint(problem)}", file=out, flush=True)
        if len(event.fixed) > FIXED_LINES:
            print(f"  fixed: {len(event.fixed) - FIXED_LINES} more", file=out, flush=True)
    elif isinstance(event, Stopped):
        print(f"stopped; the preview in {event.output} is complete", file=out, flush=True)


FIXED_LINES = 10
"""How many fixed problems a rebuild names (deleting a file can fix hundreds)."""


def _without_hint(problem: Diagnostic) -> str:
    """``problem`` as ``Diagnostic.format`` says it, without its hint."""
    return problem.format().removesuffix(f" Hint: {problem.hint}" if problem.hint else "")


def _preview_counts(build: PreviewBuild) -> str:
    warnings = build.warnings if build.report is not None else ()  # (the error page: errors)
    shown = [f"{len(found)} {kind}(s)" for found, kind in ((build.errors, "error"),
                                                            (warnings, "warning")) if found]
    errors = f", {' and '.join(shown)} shown in the browser" if shown else ""
    if build.report is None:
        return f"nothing built in {build.seconds:.2f} s{errors}"
    write = build.report.write
    return (f"{build.report.rendered} files rendered, {write.written} written, "
            f"{write.removed} removed in {build.seconds:.2f} s{errors}")


# --- digest check -------------------------------------------------------------------------


def _add_check_parser(commands: Any) -> None:
    check_cmd = commands.add_parser("check", help="check a built site: links, titles, images, "
                                    "feeds, sitemap")
    check_cmd.add_argument("--source", type=Path, default=Path("."),
                           help="site folder, for digest.yaml's base_url (default: .)")
    check_cmd.add_argument("--output", type=Path, default=None,
                           help="the built site to check (default: <source>/build)")
    check_cmd.add_argument("--base-url", default=None,
                           help="where the site is hosted (default: the URL the output was built "
                           "for; for an output that does not say, base_url from digest.yaml)")
    check_cmd.add_argument("--quiet", "-q", action="store_true",
                           help="print only problems (no summary line)")


def run_check(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """``digest check``: exit 1 listing each problem, 0 when there is none."""
    from dataclasses import replace

    from .check import (
        BaseUrlMismatch,
        check_site,
        checked_base_url,
        copied_from_root,
        not_a_build,
    )
    from .config import load_config
    from .diagnostics import Severity

    config, problems = load_config(args.source, output=args.output,
                                   overrides={"base_url": args.base_url})
    if any(p.severity is Severity.ERROR for p in problems):
        for problem in problems:
            print(problem.format(), file=err)
        return EXIT_USAGE
    if not config.output.is_dir():
        print(f"digest: no built site in {config.output}; run digest build first", file=err)
        return EXIT_USAGE
    elsewhere = not_a_build(config.output)
    if elsewhere:
        print(f"digest: {elsewhere}", file=err)
        return EXIT_USAGE
    try:
        base_url = checked_base_url(config.output, given=args.base_url,
                                    configured=config.base_url)
    except BaseUrlMismatch as exc:
        print(f"digest: {exc}", file=err)
        return EXIT_USAGE
    config = replace(config, base_url=base_url)
    found = check_site(config.output, base_path=config.base_path,
                       site_url=config.site_url if config.has_host else "",
                       copied=copied_from_root(config.output, config.source))
    for found_problem in found:
        print(found_problem.format(), file=err)
    if not args.quiet:
        print(f"checked {config.output} for {config.site_url}: {len(found)} problem(s)",
              file=out)
    return EXIT_CONTENT if found else EXIT_OK


# --- digest clusters ----------------------------------------------------------------------


def _add_clusters_parser(commands: Any) -> None:
    clusters_cmd = commands.add_parser(
        "clusters", help="list the events: stories that report the same thing, and why")
    clusters_cmd.add_argument("--source", type=Path, default=Path("."),
                              help="site folder holding content/ (default: .)")
    clusters_cmd.add_argument("--drafts", action="store_true",
                              help="include stories with draft: true")
    clusters_cmd.add_argument("--future", action="store_true", help=FUTURE_HELP)
    clusters_cmd.add_argument("--all", action="store_true",
                              help="also list stories that stand alone")


def run_clusters(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """``digest clusters``: each event with its stories (lead first) and the evidence."""
    from .build import site_for
    from .cluster_report import describe_clusters
    from .config import build_time, load_config
    from .diagnostics import Severity

    if not has_content_folder(args.source, err):
        return EXIT_USAGE
    config, problems = load_config(args.source, overrides={"drafts": args.drafts or None,
                                                           "future": args.future or None})
    if any(p.severity is Severity.ERROR for p in problems):
        for problem in problems:
            print(problem.format(), file=err)
        return EXIT_CONTENT
    site, _diagnostics = site_for(config, now=build_time(config))
    for line in describe_clusters(site, include_single=args.all):
        print(line, file=out)
    return EXIT_OK
