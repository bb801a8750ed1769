#!/usr/bin/env python3
"""Preview-server benchmark: time from saving one story to its rebuilt page being written.

    python bench/bench_serve.py                        # N = 1000 and 10000, 7 edits each
    python bench/bench_serve.py --sizes 1000 --edits 3 # a quick run

For each N a synthetic corpus (bench/make_corpus.py, cached in WORKDIR/site-N-sSEED) is
served by a real `digest serve --port 0` subprocess. After its first build (cold the first
time, then from the preview cache), the harness edits one story's title at a time and
measures, from the moment the file is saved (written and closed) to the moment the story's
article page in the preview folder holds the new title:

    save -> page   what an editor waits for: change detection, debounce, the build, the write
    build          the server's own rebuild time, as it prints it (`... in 0.87 s`)

Edits are spaced out (each waits for its rebuild and a quiet second) and touch different
stories. Every edited story is restored afterwards. Prints one row per N and the median of
each measure; the target is save -> page under 0.5 s at 10,000 stories. Stdlib only.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
from run import DIRTY_FILE, ensure_corpus, retitle  # noqa: E402  (a sibling script)

TARGET_SECONDS = 0.5
PREVIEW = Path(".digest-cache") / "preview"


class Server:
    """A `digest serve` subprocess and the lines it prints."""

    def __init__(self, site: Path, start_timeout: float) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--source", str(site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("serving http://", start_timeout)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if text in line:
                return line
        raise SystemExit(f"bench_serve: no {text!r} from the server within {timeout} s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def article_page(site: Path, story: Path) -> Path:
    """The preview page of a story named YYYY-MM-DD-words.md."""
    return site / PREVIEW / "news" / story.stem / "index.html"


def wait_for_title(page: Path, title: str, timeout: float = 60.0) -> float:
    """Poll the page until it holds ``title``; the perf_counter time it was seen."""
    deadline = time.perf_counter() + timeout
    needle = title.encode()
    last = None
    while time.perf_counter() < deadline:
        try:
            stat = page.stat()
            key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if key != last:
                last = key
                if needle in page.read_bytes():
                    return time.perf_counter()
        except FileNotFoundError:
            pass
        time.sleep(0.002)
    raise SystemExit(f"bench_serve: {page} never showed {title!r}")


def bench_size(n: int, *, edits: int, seed: int, workdir: Path) -> dict[str, float]:
    site = workdir / f"site-{n}-s{seed}"
    made = ensure_corpus(site, n, seed)
    if made is not None:
        print(f"  corpus of {n} stories written in {made:.1f} s", flush=True)
    stories = sorted((site / "content").glob("*.md"))
    picks = [stories[(i * 7919 + 13) % len(stories)] for i in range(edits)]
    originals = {p: p.read_text(encoding="utf-8") for p in picks}
    started = time.perf_counter()
    server = Server(site, start_timeout=900)
    print(f"  server up after {time.perf_counter() - started:.1f} s (first build)", flush=True)
    saves, builds = [], []
    (site / DIRTY_FILE).write_text("edited by bench_serve\n")
    try:
        time.sleep(1.0)
        for i, story in enumerate(picks):
            page = article_page(site, story)
            if not page.is_file():
                raise SystemExit(f"bench_serve: no article page {page} for {story.name}")
            title = f"Bench serve edit {i} {time.time_ns()}"
            story.write_text(retitle(originals[story], title), encoding="utf-8")
            saved = time.perf_counter()
            seen = wait_for_title(page, title)
            saves.append(seen - saved)
            line = server.wait_for("rebuilt after", timeout=60)
            match = re.search(r"in (\d+\.\d+) s", line)
            builds.append(float(match.group(1)) if match else float("nan"))
            print(f"  edit {i + 1}: save -> page {saves[-1]:.3f} s, build {builds[-1]:.2f} s",
                  flush=True)
            time.sleep(1.0)
    finally:
        for story, text in originals.items():
            story.write_text(text, encoding="utf-8")
        try:
            server.wait_for("rebuilt after", timeout=60)
        finally:
            server.stop()
        (site / DIRTY_FILE).unlink(missing_ok=True)
    return {"n": n, "edits": edits, "save_median": statistics.median(saves),
            "save_min": min(saves), "save_max": max(saves),
            "build_median": statistics.median(builds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated story counts")
    parser.add_argument("--edits", type=int, default=7, help="edits per size (median of them)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/digest-bench-serve"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"N = {n}", flush=True)
        rows.append(bench_size(n, edits=args.edits, seed=args.seed, workdir=args.workdir))
    print()
    print(f"{'stories':>8}  {'edits':>5}  {'save->page median':>17}  {'min':>6}  {'max':>6}"
          f"  {'build median':>12}")
    for row in rows:
        print(f"{row['n']:>8}  {row['edits']:>5}  {row['save_median']:>15.3f} s"
              f"  {row['save_min']:>6.3f}  {row['save_max']:>6.3f}  {row['build_median']:>10.2f} s")
    big = [r for r in rows if r["n"] >= 10_000]
    if big:
        verdict = "met" if big[0]["save_median"] < TARGET_SECONDS else "NOT met"
        print(f"target: save -> page < {TARGET_SECONDS} s at {big[0]['n']:.0f} stories: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
