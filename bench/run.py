#!/usr/bin/env python3
"""Archive-scale benchmark: time the real `digest` CLI (and optionally Hugo) on synthetic corpora.

    python bench/run.py                      # N = 1000, 10000, 100000; 3 repeats each
    python bench/run.py --quick              # N = 1000, 1 repeat: a smoke test
    python bench/run.py --sizes 10000 --hugo --json /tmp/bench-10k.json

For each N the corpus (bench/make_corpus.py) is generated once into WORKDIR/site-N-sSEED and
reused by later runs.  Every build is a fresh process:

    <cmd> build --source SITE --output OUT --quiet --report LOGS/LABEL.json
                                          (cmd defaults to `python -m generator`)

Measures, each repeated --repeats times (state restored between repeats, untimed):
  cold    SITE/.digest-cache and OUT moved aside first (deleted once the whole run is
          timed: see SETTLE_SECONDS)
  warm    nothing changed since the previous build (should write no file)
  edit    one story's title changed (the new title must appear in its article page)
  spread  (with --spread K) edit, once each, for K stories spread over the corpus: how
          much an edit's time depends on the story (the edit measure retitles one)
  add     one new story, newer than every other one
  delete  one story removed (no output path may still carry its slug)

Reported per measure: median/min/max wall time, peak RSS of the child (largest over repeats;
os.wait4's ru_maxrss, i.e. the largest single process of the child's tree), files written
(new or mtime changed in OUT) and files deleted from OUT.  Stdlib only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
HUGO_DIR = REPO_ROOT.parent / "shared" / "bench" / "hugo"
sys.path.insert(0, str(BENCH_DIR))

import make_corpus  # noqa: E402  (a sibling script, not a package)

CACHE_FOLDER = ".digest-cache"
STAMP_FILE = ".bench-corpus.json"
DIRTY_FILE = ".bench-dirty"  # present while the harness has edited SITE/content
MEASURES = ("cold", "warm", "edit", "add", "delete")
ASIDE_FOLDER = "set-aside"  # in WORKDIR: outputs a cold build replaces, deleted later
DELETED_STAMP = ".last-deletion"  # in WORKDIR: touched whenever the harness deletes many files
SETTLE_SECONDS = 365.0
"""How long after deleting many files (and syncing) a timed build waits. ext4 without a
journal (this machine's /) passes over inodes freed in the last 60 s when it allocates new
ones, and over those freed in the last 360 s whose inode-table block is dirty: once a build
has taken one inode of such a block, the block is dirty, so its freed neighbours are passed
over, each allocation scanning again from the group's start (fs/ext4/ialloc.c,
``recently_deleted``). Deleting the last output just before a cold build made it spend
3.5-4 s more in the kernel (digest at 10,000 stories: sys 5.5-6.0 s against 2.0 s) and
Hugo 5-7 s more (sys 8.6-9.3 s against 2.5-3.6 s; wall 10.0-11.1 s against 6.2-6.7 s);
70 s after deleting two outputs (230,000 files), 35% of a 100k cold build's samples (perf)
were that scan. So a run deletes nothing between its builds: what they leave is set aside
and deleted once the run is over (``empty_aside``)."""


class BenchError(Exception):
    """A failed build or an unusable setup; printed and turned into exit status 1."""


@dataclass(slots=True)
class Run:
    """One timed child process."""

    seconds: float
    cpu_seconds: float  # user + system time of the child and its reaped descendants
    max_rss_kb: int
    files_written: int
    files_deleted: int
    on_disk_seconds: float | None = None  # until the last page written or removed (landed)


@dataclass(slots=True)
class Measure:
    """All repeats of one measure at one corpus size."""

    tool: str
    n: int
    measure: str
    runs: list[Run] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # "" when the check passed

    @property
    def times(self) -> list[float]:
        return [run.seconds for run in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def median_cpu(self) -> float:
        return statistics.median(run.cpu_seconds for run in self.runs)

    @property
    def median_on_disk(self) -> float | None:
        landed_after = [run.on_disk_seconds for run in self.runs
                        if run.on_disk_seconds is not None]
        return statistics.median(landed_after) if landed_after else None

    @property
    def peak_rss_mb(self) -> float:
        return max(run.max_rss_kb for run in self.runs) / 1024

    @property
    def written(self) -> str:
        """Files written per run; distinct counts joined by "/" when repeats differ."""
        return "/".join(str(count) for count in sorted({run.files_written for run in self.runs}))

    @property
    def deleted(self) -> str:
        return "/".join(str(count) for count in sorted({run.files_deleted for run in self.runs}))

    @property
    def check(self) -> str:
        failures = [check for check in self.checks if check]
        return failures[0] if failures else ("ok" if self.checks else "-")

    def as_json(self) -> dict[str, object]:
        return {"tool": self.tool, "n": self.n, "measure": self.measure,
                "median_s": self.median, "min_s": min(self.times), "max_s": max(self.times),
                "median_cpu_s": self.median_cpu, "median_on_disk_s": self.median_on_disk,
                "peak_rss_mb": round(self.peak_rss_mb, 1),
                "runs": [asdict(run) for run in self.runs], "checks": self.checks}


# --- child processes -------------------------------------------------------------------------

COARSE_CLOCK = 5  # CLOCK_REALTIME_COARSE (Linux): the clock file times are taken from


def coarse_now_ns() -> int:
    """The wall clock as the file system stamps files with it (falls back to the fine one)."""
    try:
        return time.clock_gettime_ns(COARSE_CLOCK)
    except OSError:
        return time.time_ns()


def run_timed(argv: list[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None
              ) -> tuple[float, float, int]:
    """Run ARGV to completion; return (wall s, CPU s, ru_maxrss KB) or raise BenchError."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as log_file:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                 stdout=log_file, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if child.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BenchError(f"`{shlex.join(argv)}` (in {cwd}) exited with {child.returncode}; "
                         f"output tail ({log}):\n{tail}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Map each file under FOLDER (relative path) to (inode, mtime_ns)."""
    files: dict[str, tuple[int, int]] = {}
    stack = [str(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                info = entry.stat(follow_symlinks=False)
                files[os.path.relpath(entry.path, folder)] = (info.st_ino, info.st_mtime_ns)
    return files


def landed(folder: Path, written: list[str], removed: list[str], since_ns: int
           ) -> float | None:
    """Seconds from SINCE_NS (``coarse_now_ns``) until the last page that changed was in
    place, by the latest status-change time (ctime) of the files WRITTEN (set by a write
    and by a rename into place) and, for the files REMOVED, of the nearest folder above
    each that is still there (set when an entry goes). Hidden files (the output marker)
    are not pages. None when no page changed. File times tick with the coarse clock (a
    few ms), so this is as exact as that, and never early: SINCE_NS is taken from it."""
    changed = [folder / rel for rel in written if not Path(rel).name.startswith(".")]
    for rel in removed:
        above = (folder / rel).parent
        while not above.exists() and above != folder:
            above = above.parent
        changed.append(above)
    if not changed:
        return None
    return max(0, max(path.stat().st_ctime_ns for path in changed) - since_ns) / 1e9


def diff_snapshots(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
                   ) -> tuple[list[str], list[str]]:
    """Return (files new or modified, files removed)."""
    written = [path for path, stamp in after.items() if before.get(path) != stamp]
    removed = [path for path in before if path not in after]
    return written, removed


# --- the digest side -------------------------------------------------------------------------

@dataclass(slots=True)
class DigestSite:
    """A corpus folder and the way to build it."""

    cmd: list[str]
    site: Path
    out: Path
    logs: Path
    env: dict[str, str]
    last_written: list[str] = field(default_factory=list)  # paths written by the last build

    def build(self, label: str) -> Run:
        before = snapshot(self.out)
        argv = [*self.cmd, "build", "--source", str(self.site), "--output", str(self.out),
                "--quiet", "--report", str(self.logs / f"{label}.json")]  # (stage timings)
        since = coarse_now_ns()
        seconds, cpu, rss = run_timed(argv, cwd=REPO_ROOT, log=self.logs / f"{label}.log",
                                      env=self.env)
        written, removed = diff_snapshots(before, snapshot(self.out))
        self.last_written = written
        return Run(seconds, cpu, rss, len(written), len(removed),
                   landed(self.out, written, removed, since))


def set_aside(folder: Path, workdir: Path) -> None:
    """Move FOLDER (if it exists) out of the way without deleting it (see SETTLE_SECONDS);
    ``empty_aside`` deletes what was set aside."""
    if folder.exists():
        aside = workdir / ASIDE_FOLDER
        aside.mkdir(parents=True, exist_ok=True)
        os.replace(folder, aside / f"{folder.name}-{time.time_ns()}")


def empty_aside(workdir: Path) -> None:
    """Delete what ``set_aside`` moved, noting when (see ``settle``)."""
    aside = workdir / ASIDE_FOLDER
    if aside.exists():
        shutil.rmtree(aside)
        note_deletion(workdir)


def note_deletion(workdir: Path) -> None:
    """Write the deletions back to disk (so the 60 s window of SETTLE_SECONDS applies, not
    the 360 s one) and note when they happened, for ``settle``."""
    os.sync()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / DELETED_STAMP).touch()


def settle(workdir: Path) -> None:
    """Wait until SETTLE_SECONDS have passed since the harness last deleted many files."""
    try:
        since = time.time() - (workdir / DELETED_STAMP).stat().st_mtime
    except FileNotFoundError:
        return
    if since < SETTLE_SECONDS:
        time.sleep(SETTLE_SECONDS - since)


def corpus_stamp(n: int, seed: int) -> dict[str, object]:
    source = (BENCH_DIR / "make_corpus.py").read_bytes()
    return {"n": n, "seed": seed, "corpus_version": make_corpus.CORPUS_VERSION,
            "make_corpus_sha256": hashlib.sha256(source).hexdigest()}


def ensure_corpus(site: Path, n: int, seed: int) -> float | None:
    """Generate the corpus unless a clean copy is cached; return generation seconds or None."""
    stamp = corpus_stamp(n, seed)
    stamp_path = site / STAMP_FILE
    if (stamp_path.exists() and not (site / DIRTY_FILE).exists()
            and json.loads(stamp_path.read_text()) == stamp):
        return None
    started = time.perf_counter()
    stamp_path.unlink(missing_ok=True)
    shutil.rmtree(site / CACHE_FOLDER, ignore_errors=True)
    make_corpus.write_corpus(count=n, seed=seed, site=str(site))
    (site / DIRTY_FILE).unlink(missing_ok=True)
    stamp_path.write_text(json.dumps(stamp))
    return time.perf_counter() - started


def names_story(path: str, file_name: str) -> bool:
    """Whether a path segment of PATH is the story's slug or file stem (YYYY-MM-DD-slug),
    maybe with an extension; `slug-2` or `slug-extra` do not count."""
    names = (file_name[:-len(".md")], slug_of(file_name))
    return any(part in names or part.rsplit(".", 1)[0] in names for part in path.split(os.sep))


def pages_for(out: Path, paths: list[str], file_name: str) -> list[Path]:
    """The HTML files among PATHS (relative to OUT) named after the story in FILE_NAME."""
    return [out / path for path in paths
            if path.endswith(".html") and names_story(path, file_name)]


def contains(pages: list[Path], text: str) -> bool:
    return any(text in page.read_text(encoding="utf-8", errors="replace") for page in pages)


def check_page(out: Path, written: list[str], file_name: str, title: str) -> str:
    """"" if TITLE is in a freshly written article page of the story, else why not."""
    if contains(pages_for(out, written, file_name), title):
        return ""
    anywhere = [out / path for path in written if path.endswith(".html")]
    where = "some written page, but none named after the story" if contains(anywhere, title) \
        else "no written page"
    return f"title {title!r} of {file_name} found in {where}"


def retitle(text: str, title: str) -> str:
    """TEXT with its front-matter `title:` line replaced."""
    head, sep, rest = text.partition("\ntitle: ")
    if not sep:
        raise BenchError("story has no `title:` line")
    return f"{head}\ntitle: \"{title}\"\n{rest.partition(chr(10))[2]}"


def slug_of(file_name: str) -> str:
    return file_name[len("YYYY-MM-DD-"):-len(".md")]


def bench_cold(digest: DigestSite | None, hugo: HugoSite | None, n: int, repeats: int,
               workdir: Path) -> list[Measure]:
    """Cold builds of digest and of Hugo (either may be None), alternated, and which of the
    two goes first alternates too: both meet the file system in the same state. (Run one
    after the other, the first tool's builds met the inodes the harness had freed shortly
    before: digest's cold builds at 10,000 stories took 2-5 CPU-s more, in the kernel.)"""
    measures: list[tuple[Measure, Callable[[int], Run]]] = []
    if digest is not None:
        measures.append((Measure("digest", n, "cold"), partial(cold_digest, digest, n)))
    if hugo is not None:
        measures.append((Measure("hugo", n, "cold"), hugo.cold))
    empty_aside(workdir)  # (what an interrupted run left)
    settle(workdir)
    for r in range(repeats):
        for measure, build in measures if r % 2 == 0 else measures[::-1]:
            measure.runs.append(build(r))
    return [measure for measure, _build in measures]


def cold_digest(digest: DigestSite, n: int, r: int) -> Run:
    """One cold build of digest: no output, no cache (both set aside, see SETTLE_SECONDS)."""
    set_aside(digest.out, digest.logs.parent)
    set_aside(digest.site / CACHE_FOLDER, digest.logs.parent)  # (it holds spare pages, too)
    return digest.build(f"{n}-cold-{r}")


def bench_digest(digest: DigestSite, n: int, repeats: int, say: Callable[[Measure], None],
                 spread: int = 0) -> list[Measure]:
    """The measures after the cold builds (see ``bench_cold``) for one corpus size, from the
    output and cache the last cold build left; each is passed to SAY as soon as it is done.
    SPREAD: how many stories the spread measure edits (0: none)."""
    content = digest.site / "content"
    stories = sorted(os.listdir(content))
    results = {name: Measure("digest", n, name) for name in MEASURES if name != "cold"}

    for r in range(repeats):  # (b) warm, nothing changed
        run = digest.build(f"{n}-warm-{r}")
        results["warm"].runs.append(run)
        results["warm"].checks.append(
            "" if run.files_written == run.files_deleted == 0
            else f"{run.files_written} written, {run.files_deleted} deleted, "
                 f"e.g. {(digest.last_written or ['(a deletion)'])[0]}")
    say(results["warm"])

    (digest.site / DIRTY_FILE).write_text("content edited by bench/run.py\n")
    bench_edits(digest, content / stories[len(stories) // 2], repeats,  # (c) edit a title
                results["edit"])
    say(results["edit"])
    if spread:
        spread_edits = Measure("digest", n, "spread")
        for k, index in enumerate(spread_picks(len(stories), spread)):
            bench_edits(digest, content / stories[index], 1, spread_edits, label=f"spread-{k}")
        say(spread_edits)

    newest_text = (content / stories[-1]).read_text(encoding="utf-8")  # (d) add a story
    for r in range(repeats):
        title = f"Benchmark added story {r} qzx{n}"
        file_name, text = make_newer_story(newest_text, title=title, slug=f"benchmark-added-{r}")
        added = content / file_name
        added.write_text(text, encoding="utf-8")
        try:
            results["add"].runs.append(digest.build(f"{n}-add-{r}"))
            results["add"].checks.append(
                check_page(digest.out, digest.last_written, added.name, title))
        finally:
            added.unlink()
        digest.build(f"{n}-add-restore-{r}")
    say(results["add"])

    trash = digest.logs.parent / "trash"  # (e) delete a story
    trash.mkdir(parents=True, exist_ok=True)
    for r in range(repeats):
        victim = content / stories[len(stories) // 3 + r]
        parked = trash / victim.name
        os.replace(victim, parked)
        try:
            results["delete"].runs.append(digest.build(f"{n}-delete-{r}"))
            leftovers = [path for path in snapshot(digest.out)
                         if names_story(path, victim.name)]
            results["delete"].checks.append(
                f"{len(leftovers)} stale output file(s), e.g. {leftovers[0]}" if leftovers else "")
        finally:
            os.replace(parked, victim)  # keeps the original mtime
        digest.build(f"{n}-delete-restore-{r}")
    say(results["delete"])
    (digest.site / DIRTY_FILE).unlink()
    return list(results.values())


def spread_picks(count: int, k: int) -> list[int]:
    """K indices spread evenly over COUNT items (the middle of each K-th), distinct when
    K <= COUNT."""
    return [count * (2 * i + 1) // (2 * k) for i in range(k)]


def bench_edits(digest: DigestSite, target: Path, repeats: int, measure: Measure, *,
                label: str = "edit") -> None:
    """Retitle the story TARGET and build, REPEATS times, into MEASURE; then restore it
    (its bytes and mtime) and build again, untimed."""
    n = measure.n
    original = target.read_bytes()
    original_stat = target.stat()
    try:
        for r in range(repeats):
            title = f"Benchmark retitled story {r} qzx{n}"
            target.write_bytes(retitle(original.decode("utf-8"), title).encode("utf-8"))
            measure.runs.append(digest.build(f"{n}-{label}-{r}"))
            measure.checks.append(check_page(digest.out, digest.last_written, target.name, title))
    finally:
        target.write_bytes(original)
        os.utime(target, ns=(original_stat.st_atime_ns, original_stat.st_mtime_ns))
    digest.build(f"{n}-{label}-restore")


def make_newer_story(template: str, *, title: str, slug: str) -> tuple[str, str]:
    """A copy of TEMPLATE retitled, at addresses of its own (SLUG ends its webUrl and AMP
    URLs: a copy at the template's would be the same news item twice, which a build warns
    about) and published one hour later: (file name, text)."""
    key = "\npublishedDateTime: "
    head, _, rest = _readdressed(retitle(template, title), slug).partition(key)
    stamp, _, tail = rest.partition("\n")
    later = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") + timedelta(hours=1)
    return f"{later:%Y-%m-%d}-{slug}.md", f"{head}{key}{later:%Y-%m-%dT%H:%M:%SZ}\n{tail}"


_STORY_URL = re.compile(r'^((?:webUrl|ampWebUrl|cdnAmpWebUrl): "[^"\n]*/)[^/"\n]*"', re.M)
"""A story's own URL in the corpus (``make_corpus``), up to its last path segment."""


def _readdressed(text: str, slug: str) -> str:
    return _STORY_URL.sub(lambda found: f'{found.group(1)}{slug}"', text)


# --- the Hugo side ---------------------------------------------------------------------------

def hugo_version() -> str:
    if shutil.which("hugo") is None:
        raise BenchError("--hugo: `hugo` is not on PATH (install it: apt-get install -y hugo)")
    if not (HUGO_DIR / "build.sh").is_file():
        raise BenchError(f"--hugo: the reference Hugo site is missing: expected {HUGO_DIR} "
                         "(../shared/bench/hugo from the repository root)")
    done = subprocess.run(["bash", str(HUGO_DIR / "version.sh")], capture_output=True,
                          text=True, check=False)
    return done.stdout.strip() or "unknown"


@dataclass(slots=True)
class HugoSite:
    """The reference Hugo site over a corpus's content (a copy, prepared by ``prepare``)."""

    site: Path
    logs: Path
    n: int

    @classmethod
    def prepare(cls, corpus: Path, n: int, workdir: Path) -> HugoSite:
        hugo = cls(workdir / f"hugo-{n}", workdir / "logs", n)
        run_timed(["bash", str(HUGO_DIR / "prepare.sh"), str(hugo.site), str(corpus / "content")],
                  cwd=workdir, log=hugo.logs / f"hugo-{n}-prepare.log")
        return hugo

    def cold(self, r: int) -> Run:
        """One clean build (its last output set aside first: see SETTLE_SECONDS)."""
        set_aside(self.site / "_out", self.logs.parent)
        run_timed(["bash", str(HUGO_DIR / "clean.sh")], cwd=self.site,
                  log=self.logs / f"hugo-{self.n}-clean.log")
        seconds, cpu, rss = run_timed(["bash", str(HUGO_DIR / "build.sh")], cwd=self.site,
                                      log=self.logs / f"hugo-{self.n}-cold-{r}.log")
        return Run(seconds, cpu, rss, len(snapshot(self.site / "_out")), 0)

    def remove(self) -> None:
        """Set the copy of the corpus and what the builds left aside (deleted once the
        run is over: see SETTLE_SECONDS)."""
        set_aside(self.site, self.logs.parent)


# --- report ----------------------------------------------------------------------------------

HEADER = (f"{'N':>7}  {'tool':<6} {'measure':<7} {'median s':>9} {'min':>8} {'max':>8} "
          f"{'cpu s':>8} {'on disk':>8} {'RSS MB':>7} {'written':>9} {'deleted':>7}  check")


def format_row(m: Measure) -> str:
    on_disk = m.median_on_disk
    landed_after = "-" if on_disk is None else f"{on_disk:.3f}"
    return (f"{m.n:>7}  {m.tool:<6} {m.measure:<7} {m.median:>9.3f} {min(m.times):>8.3f} "
            f"{max(m.times):>8.3f} {m.median_cpu:>8.3f} {landed_after:>8} "
            f"{m.peak_rss_mb:>7.0f} {m.written:>9} {m.deleted:>7}  {m.check}")


def find(results: list[Measure], tool: str, n: int, measure: str) -> Measure | None:
    for m in results:
        if (m.tool, m.n, m.measure) == (tool, n, measure):
            return m
    return None


def evaluate_targets(results: list[Measure]) -> list[dict[str, object]]:
    """The targets of bench/README.md that these results can speak to."""
    targets: list[dict[str, object]] = []

    def add(name: str, value: str, ok: bool) -> None:
        targets.append({"target": name, "value": value, "ok": ok})

    cold10, hugo10 = find(results, "digest", 10000, "cold"), find(results, "hugo", 10000, "cold")
    if cold10 and hugo10:
        add("cold 10k <= Hugo cold 10k", f"{cold10.median:.2f} s vs {hugo10.median:.2f} s",
            cold10.median <= hugo10.median)
    warm10 = find(results, "digest", 10000, "warm")
    if warm10:
        add("warm 10k < 0.5 s, no file written",
            f"{warm10.median:.3f} s, {warm10.written} written",
            warm10.median < 0.5 and warm10.check == "ok")
    for name in ("edit", "add", "delete"):
        m = find(results, "digest", 10000, name)
        if m:
            on_disk = m.median_on_disk
            add(f"{name} 10k < 0.3 s (process exit)", f"{m.median:.3f} s" + (
                f"; every changed page on disk after {on_disk:.3f} s" if on_disk is not None
                else ""), m.median < 0.3 and m.check == "ok")
    big = [m for m in results if m.tool == "digest" and m.n == 100000]
    if big:
        peak = max(m.peak_rss_mb for m in big)
        add("100k peak RSS < 1.5 GB", f"{peak:.0f} MB", peak < 1536)
    cold100 = find(results, "digest", 100000, "cold")
    if cold100 and cold10:
        add("cold 100k <= 11 x cold 10k", f"{cold100.median / cold10.median:.1f} x",
            cold100.median <= 11 * cold10.median)
    return targets


def print_report(results: list[Measure], targets: list[dict[str, object]]) -> None:
    print("\n" + HEADER)
    for m in results:
        print(format_row(m))
    for n in sorted({m.n for m in results}):
        digest, hugo = find(results, "digest", n, "cold"), find(results, "hugo", n, "cold")
        if digest and hugo:
            print(f"cold N={n}: digest {digest.median:.2f} s / hugo {hugo.median:.2f} s "
                  f"= {digest.median / hugo.median:.2f}")
    if targets:
        print("\ntargets (bench/README.md):")
        for target in targets:
            print(f"  {'PASS' if target['ok'] else 'FAIL'}  {target['target']}: {target['value']}")


# --- main ------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See bench/README.md for the meaning of each figure.")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated corpus sizes (default 1000,10000,100000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--workdir", default="/tmp/digest-bench",
                        help="corpora, outputs and logs (default /tmp/digest-bench)")
    parser.add_argument("--cmd", default=f"{shlex.quote(sys.executable)} -m generator",
                        help="the digest command, run from the repository root "
                             "(default: this Python with -m generator)")
    parser.add_argument("--hugo", action="store_true",
                        help="also time the reference Hugo site (cold builds)")
    parser.add_argument("--hugo-only", action="store_true",
                        help="time only Hugo (implies --hugo); digest is not run")
    parser.add_argument("--spread", type=int, default=0, metavar="K",
                        help="also edit K stories spread over each corpus, once each "
                             "(the spread measure; default 0: none)")
    parser.add_argument("--json", metavar="FILE", help="also write all figures to FILE")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: N=1000, one repeat (overrides --sizes/--repeats)")
    args = parser.parse_args(argv)
    args.hugo = args.hugo or args.hugo_only
    if args.quick:
        args.sizes, args.repeats = "1000", 1
    try:
        args.size_list = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if args.repeats < 1 or min(args.size_list) < 1:
        parser.error("--repeats and every size must be at least 1")
    if args.spread < 0:
        parser.error("--spread must be 0 or more")
    return args


def compile_package(env: dict[str, str]) -> None:
    """Compile the repository's ``generator`` package to bytecode before any timed build,
    as ``pip install`` does for an installed copy: with PYTHONDONTWRITEBYTECODE set (as in
    some shells) and no bytecode, every build compiled its ~60 modules again, 40-50 ms of
    each build after one edit at 10,000 stories (and a stale file is compiled again by
    every build that imports it)."""
    done = subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "generator")],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"compiling {REPO_ROOT / 'generator'} failed:\n{done.stdout}{done.stderr}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(args.workdir).resolve()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # (the builds run from bytecode, as an installed
    # package does: see compile_package)
    meta: dict[str, object] = {
        "cmd": args.cmd, "repeats": args.repeats, "spread": args.spread, "seed": args.seed,
        "sizes": args.size_list,
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "machine": platform.platform(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    load = os.getloadavg()[0]
    meta["load_average_1min"] = load
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"bench: warning: load average {load:.1f} on {os.cpu_count()} CPUs; wall times "
              "will be inflated (compare the cpu s column)", file=sys.stderr)
    results: list[Measure] = []
    corpora: dict[str, object] = {}
    try:
        compile_package(env)
        if args.hugo:
            meta["hugo"] = hugo_version()
        print(HEADER, flush=True)

        def say(measure: Measure) -> None:
            results.append(measure)
            print(format_row(measure), flush=True)

        for n in args.size_list:
            site = workdir / f"site-{n}-s{args.seed}"
            generated = ensure_corpus(site, n, args.seed)
            corpora[str(n)] = {"site": str(site), "generate_s": generated}
            if generated is not None:  # (it replaced the files of any corpus there before)
                note_deletion(workdir)
                print(f"# generated corpus N={n} in {generated:.1f} s ({site})", flush=True)
            digest = DigestSite(cmd=shlex.split(args.cmd), site=site, out=workdir / f"out-{n}",
                                logs=workdir / "logs", env=env)
            hugo = HugoSite.prepare(site, n, workdir) if args.hugo else None
            for measure in bench_cold(None if args.hugo_only else digest, hugo, n,
                                      args.repeats, workdir):
                say(measure)
            if hugo is not None:
                hugo.remove()
            if not args.hugo_only:
                bench_digest(digest, n, args.repeats, say, min(args.spread, n))
        empty_aside(workdir)  # (once every build is timed: see SETTLE_SECONDS)
    except BenchError as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted (corpora being edited are regenerated next time)",
              file=sys.stderr)
        return 130
    targets = evaluate_targets(results)
    print_report(results, targets)
    failed_checks = [m for m in results if m.check not in ("ok", "-")]
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"meta": meta, "corpora": corpora, "results": [m.as_json() for m in results],
             "targets": targets}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    if failed_checks:
        print(f"bench: {len(failed_checks)} check(s) failed: "
              + ", ".join(f"{m.measure} N={m.n}" for m in failed_checks), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
