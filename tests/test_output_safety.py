"""The output folder: nothing lost, nothing written or deleted where it must not be.

A build killed midway (SIGKILL, on a corpus of a few thousand stories generated
here) leaves the previous output complete, byte for byte and mtime for mtime, and
the next build recovers. Every folder the build must refuse is refused before
anything is written, and left untouched. Nothing outside the output folder is
ever deleted, whatever the content says or the output folder holds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.build import build
from generator.cli import main
from generator.config import load_config
from generator.diagnostics import DigestError
from generator.output import MARKER, safe_relative, stage_file

ROOT = Path(__file__).resolve().parent.parent
MakeSite = Callable[[dict[str, str | bytes]], Path]
Snapshot = dict[str, tuple[bytes, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file below ``folder`` (hidden ones too) with its bytes and mtime."""
    found: Snapshot = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            stat = path.lstat()
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            found[path.relative_to(folder).as_posix()] = (data, stat.st_mtime_ns)
    return found


def write_corpus(site: Path, count: int, *, word: str) -> None:
    content = site / "content"
    content.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        day = i % 28 + 1
        (content / f"2020-06-{day:02d}-story-{i}.md").write_text(
            f"---\ntitle: Story {i} about {word}\n"
            f"publishedDateTime: 2020-06-{day:02d}T03:58:00Z\n"
            f"topics:\n  - Topic {i % 40}\n  - AI\nexcerpt: What story {i} says of {word}.\n"
            f"---\nThe body of story {i}, about {word}.\n\nA second paragraph.\n",
            encoding="utf-8",
        )


def digest(site: Path, out: Path) -> subprocess.Popen[bytes]:
    """``digest build`` in its own process group, so a kill takes any workers with it."""
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--source", str(site), "--output",
         str(out), "--quiet"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    assert process.poll() is None, "the build finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def previous_output(out: Path, before: Snapshot) -> Snapshot:
    """The output as a reader sees it: the writer's own ``.digest-*`` work files, which
    the next build clears away, are left out unless the previous output had them."""
    return {rel: value for rel, value in snapshot(out).items()
            if rel in before or not rel.startswith(".digest-")}


def listing(*folders: Path) -> list[str]:
    return sorted(f"{folder}/{name}" for folder in folders for name in os.listdir(folder))


def test_a_killed_build_leaves_the_previous_output_complete(tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    write_corpus(site, 2000, word="cats")
    started = time.monotonic()
    first = digest(site, out)
    assert first.wait(timeout=600) == 0, first.stderr.read() if first.stderr else ""
    duration = time.monotonic() - started
    before = snapshot(out)
    assert len(before) > 2000
    write_corpus(site, 2000, word="dogs")  # every page changes

    # 1. Killed while reading and rendering.
    process = digest(site, out)
    time.sleep(duration * 0.25)
    kill(process)
    assert previous_output(out, before) == before

    # 2. Killed as soon as the writer touches the disk (a staging folder or file appears).
    quiet = listing(tmp_path, out)
    process = digest(site, out)
    deadline = time.monotonic() + 600
    while listing(tmp_path, out) == quiet and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    kill(process)
    assert previous_output(out, before) == before

    # 3. The next build recovers: complete new output, nothing left over.
    final = digest(site, out)
    assert final.wait(timeout=600) == 0, final.stderr.read() if final.stderr else ""
    after = snapshot(out)
    assert sorted(after) == sorted(before)
    assert sorted(os.listdir(tmp_path)) == ["out", "site"]
    page = next(rel for rel in after if rel.startswith("news/") and rel.endswith(".html")
                and rel != "news/index.html")  # (a story's page, not the redirect)
    assert b"dogs" in after[page][0] and b"cats" not in after[page][0]


# -- refused output folders -------------------------------------------------------------


def sample(make_site: MakeSite) -> Path:
    return make_site({"content/2020-06-09-a.md": (
        "---\ntitle: A story\npublishedDateTime: 2020-06-09T03:58:00Z\n---\nBody.\n")})


def assert_refused(site: Path, output: Path, capsys: pytest.CaptureFixture[str],
                   watch: Path | None = None) -> None:
    """``output`` is refused by ``build`` and the CLI, and ``watch`` is left untouched."""
    watch = watch or output
    before = snapshot(watch) if watch.is_dir() else None
    around = sorted(os.listdir(watch.parent)) if watch.parent.is_dir() else None
    config, _ = load_config(site, output=output)
    with pytest.raises(DigestError, match="refusing|not a folder"):
        build(config)
    assert main(["build", "--source", str(site), "--output", str(output), "--quiet"]) == 1
    assert "digest: " in capsys.readouterr().err
    if before is not None:
        assert snapshot(watch) == before
    if around is not None:
        assert sorted(os.listdir(watch.parent)) == around


def test_the_source_folder_is_refused(make_site: MakeSite, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    site = sample(make_site)
    assert_refused(site, site, capsys)


def test_a_folder_containing_the_source_is_refused(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sample(make_site)
    assert_refused(site, site.parent, capsys)


def test_the_content_folder_is_refused(make_site: MakeSite, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    site = sample(make_site)
    assert_refused(site, site / "content", capsys, watch=site)


@pytest.mark.parametrize(("rel", "folder"), [
    ("templates", "templates/"), ("templates/out", "templates/"), ("static/out", "static/"),
    ("root", "root/"), ("root/a/b", "root/")])
def test_folders_the_build_reads_are_refused(make_site: MakeSite, rel: str, folder: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A build into templates/ would override the theme's feed and sitemap templates with
    its own output, freezing them; into static/ or root/, every later build would publish a
    copy of the site inside itself. (Whether the folder exists yet or not.)"""
    site = sample(make_site)
    (site / "static").mkdir()
    assert_refused(site, site / rel, capsys, watch=site)
    config, _ = load_config(site, output=site / rel)
    with pytest.raises(DigestError, match=f"it is inside the {folder} folder") as refused:
        build(config)
    assert "Choose a folder outside it" in str(refused.value)
    assert not (site / "templates").exists() and not (site / "root").exists()


def test_look_alike_folder_names_are_accepted(make_site: MakeSite) -> None:
    site = sample(make_site)
    for rel in ("templates-out", "static-site", "build/static"):
        config, _ = load_config(site, output=site / rel)
        assert build(config).stories == 1


def test_the_filesystem_root_is_refused(make_site: MakeSite,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    site = sample(make_site)
    root = Path(Path.cwd().anchor)
    before = sorted(os.listdir(root))
    config, _ = load_config(site, output=root)
    with pytest.raises(DigestError, match="filesystem root"):
        build(config)
    assert main(["build", "--source", str(site), "--output", str(root), "--quiet"]) == 1
    assert sorted(os.listdir(root)) == before


def test_the_home_folder_is_refused(make_site: MakeSite, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    site = sample(make_site)
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    (home / ".config" / "settings").write_text("keep me\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    assert Path.home() == home
    assert_refused(site, home, capsys)
    (home / ".config" / "settings").unlink()
    (home / ".config").rmdir()
    assert_refused(site, home, capsys)  # even when empty


def test_a_non_empty_folder_digest_did_not_make_is_refused(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sample(make_site)
    theirs = tmp_path / "thesis"
    (theirs / "chapters").mkdir(parents=True)
    (theirs / "chapters" / "one.tex").write_text("precious\n", encoding="utf-8")
    (theirs / "index.html").write_text("<p>mine</p>\n", encoding="utf-8")
    assert_refused(site, theirs, capsys)


def test_a_file_or_a_link_to_the_source_is_refused(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sample(make_site)
    file = tmp_path / "notes.txt"
    file.write_text("keep\n", encoding="utf-8")
    assert_refused(site, file, capsys, watch=tmp_path)
    assert file.read_text(encoding="utf-8") == "keep\n"
    link = tmp_path / "link"
    link.symlink_to(site, target_is_directory=True)
    assert_refused(site, link, capsys, watch=site)


def test_empty_and_digest_made_folders_are_accepted(make_site: MakeSite, tmp_path: Path) -> None:
    site = sample(make_site)
    empty = tmp_path / "empty"
    empty.mkdir()
    config, _ = load_config(site, output=empty)
    build(config)
    assert (empty / ".digest-output").is_file() and (empty / "index.html").is_file()
    build(config)  # now it carries the marker: accepted again
    assert (empty / "index.html").is_file()


# -- nothing deleted or written outside the output -------------------------------------------


@given(st.lists(st.sampled_from(["a", "b.html", ".", "..", "", "...", MARKER, ".digest"]),
                max_size=5).map("/".join))
def test_output_paths_are_refused_as_their_path_parts_say(rel: str) -> None:
    path = Path(rel)
    leaves = not rel or path.is_absolute() or not path.parts or ".." in path.parts \
        or path.parts[0] == MARKER
    if leaves:
        with pytest.raises(DigestError, match="outside the output folder"):
            safe_relative(rel)
    else:
        assert safe_relative(rel) == path


@pytest.mark.parametrize("rel", ["../x.html", "/etc/x", "a/../../x", "./.digest-output", ""])
def test_a_page_bound_outside_the_output_is_never_written(tmp_path: Path, rel: str) -> None:
    output = tmp_path / "area" / "out"
    output.mkdir(parents=True)
    for direct in (True, False):
        with pytest.raises(DigestError, match="outside the output folder"):
            stage_file(output, rel, b"x", None, direct=direct)
    assert snapshot(tmp_path) == {}


def test_look_alike_folders_beside_the_output_are_never_deleted(make_site: MakeSite,
                                                                 tmp_path: Path) -> None:
    site = sample(make_site)
    area = tmp_path / "area"
    for name in ("precious.txt", ".out.staging/keep.txt", ".out.old/keep.txt",
                 ".digest-staging/keep.txt"):
        (area / name).parent.mkdir(parents=True, exist_ok=True)
        (area / name).write_text("keep\n", encoding="utf-8")
    before = snapshot(area)
    config, _ = load_config(site, output=area / "out")
    for _ in range(2):
        try:
            build(config)
        except DigestError as refused:  # refusing to clobber a look-alike is fine
            assert "refusing" in str(refused)
    now = snapshot(area)
    assert {rel: now.get(rel) for rel in before} == before
    assert all(rel.startswith("out/") for rel in set(now) - set(before)), sorted(now)


def test_no_content_value_writes_or_deletes_outside_the_output(make_site: MakeSite,
                                                               tmp_path: Path) -> None:
    hostile = ["../../escape", "/etc/passwd", "..", ".", "~", "..\\..\\win", "%2e%2e%2f"]
    files: dict[str, str | bytes] = {"content/2020-06-09-a.md": (
        "---\ntitle: ../../../../tmp/evil\npublishedDateTime: 2020-06-09T03:58:00Z\n"
        "topics:\n" + "".join(f"  - {t!r}\n" for t in hostile) + "---\nBody.\n")}
    for i, stem in enumerate(["..", "...", ".hidden", "con", "a..b", "-", "~"]):
        files[f"content/{stem}.md"] = (f"---\ntitle: '../{i}'\n"
                                       "publishedDateTime: 2020-06-09T03:58:00Z\n---\n")
    site = make_site(files)
    area = tmp_path / "area"
    (area / "outside").mkdir(parents=True)
    (area / "outside" / "keep.txt").write_text("keep\n", encoding="utf-8")
    out = area / "out"
    before_site = snapshot(site)
    config, _ = load_config(site, output=out)
    report = build(config)
    assert report.stories == 5  # "..", "..." and ".hidden" start with a dot: hidden, skipped
    # A link inside the output to a folder outside it: replacing the output must
    # remove the link, never what it points to.
    (out / "link").symlink_to(area / "outside", target_is_directory=True)
    build(config)
    assert {rel: v for rel, v in snapshot(site).items()
            if not rel.startswith(".digest-")} == before_site  # a build cache may be kept
    assert snapshot(area / "outside") == {"keep.txt": snapshot(area / "outside")["keep.txt"]}
    assert sorted(os.listdir(area)) == ["out", "outside"]
    assert sorted(os.listdir(tmp_path)) == ["area", "site"]
    for path in out.rglob("*"):
        if path != out / "link":
            assert path.resolve().is_relative_to(out.resolve()), path



# -- the transaction itself -----------------------------------------------------------------


def built_once(out: Path, files: dict[str, bytes]) -> dict[str, str]:
    """``out`` as a first build leaves it (a fresh output: files go straight in); returns
    the files' digests."""
    import generator.output as output

    assert output.begin(out, "first\n")
    digests = {rel: output.stage_file(out, rel, data, None, direct=True)[0]
               for rel, data in files.items()}
    output.commit(out, keep=files, previous=(), marker_text="first\n",
                  written_in_place=len(files))
    return digests


def test_a_commit_cut_short_after_its_journal_is_finished_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.output as output

    out = tmp_path / "out"
    old = {"a/index.html": b"old a", "b/c/index.html": b"old c", "gone.html": b"stale"}
    digests = built_once(out, old)

    assert not output.begin(out, "first\n", known=True)
    staged = [rel for rel, data in {"a/index.html": b"new a", "b/c/index.html": b"old c",
                                    "d/e/f/index.html": b"new f"}.items()
              if output.stage_file(out, rel, data, digests.get(rel))[1]]
    assert staged == ["a/index.html", "d/e/f/index.html"]  # the unchanged file is not staged
    assert not [p for p in output.staging_folder(out).iterdir() if p.is_dir()]  # (flat)
    assert (out / "a/index.html").read_bytes() == b"old a"  # nothing changed before the commit

    def cut(*_args: object) -> None:
        raise KeyboardInterrupt  # as if killed right after the commit point

    monkeypatch.setattr(output, "_apply", cut)
    with pytest.raises(KeyboardInterrupt):
        output.commit(out, keep=["a/index.html", "b/c/index.html", "d/e/f/index.html"],
                      previous=old, marker_text="second\n", staged=staged)
    assert output.journal_file(out).is_file()
    assert (out / "a/index.html").read_bytes() == b"old a"
    monkeypatch.undo()

    output.recover(out)  # what the next build's ``begin`` does first
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name != output.MARKER} == {
        "a/index.html": b"new a", "b/c/index.html": b"old c", "d/e/f/index.html": b"new f"}
    assert not output.staging_folder(out).exists() and not output.journal_file(out).exists()


def test_a_journal_left_by_a_version_that_staged_in_folders_is_finished(
    tmp_path: Path
) -> None:
    import json

    import generator.output as output

    out = tmp_path / "out"
    built_once(out, {"a/index.html": b"old"})
    staging = output.staging_folder(out)
    (staging / "a").mkdir(parents=True)  # as earlier versions staged: the output's folders
    (staging / output.MARKER).write_text("staging\n", encoding="utf-8")
    (staging / "a" / "index.html").write_bytes(b"new")
    output.journal_file(out).write_text(json.dumps({"moves": ["a/index.html"], "removes": []}),
                                        encoding="utf-8")
    output.recover(out)
    assert (out / "a" / "index.html").read_bytes() == b"new"
    assert not staging.exists() and not output.journal_file(out).exists()


def test_an_empty_staging_folder_left_by_a_kill_is_cleared_but_a_filled_one_is_refused(
    tmp_path: Path
) -> None:
    import generator.output as output

    out = tmp_path / "out"
    built_once(out, {"a.html": b"a"})
    staging = output.staging_folder(out)
    staging.mkdir()  # killed between making the staging folder and marking it as ours
    assert not output.begin(out, "first\n", known=True)
    assert (staging / output.MARKER).is_file()  # the next build cleared it and made its own
    output.recover(out)
    (staging / "keep.txt").parent.mkdir()
    (staging / "keep.txt").write_text("not ours\n", encoding="utf-8")
    with pytest.raises(DigestError, match="not made by digest"):
        output.begin(out, "first\n", known=True)
    assert (staging / "keep.txt").read_text(encoding="utf-8") == "not ours\n"


# -- spare files: a replaced file is written into by the next build -------------------------


def rebuilt(out: Path, spares: Path, files: dict[str, bytes], before: dict[str, str],
            marker: str) -> dict[str, str]:
    """One more incremental build of ``files`` into ``out`` (the previous one's digests in
    ``before``), keeping spares in ``spares``; returns the new digests."""
    import generator.output as output

    assert not output.begin(out, marker, known=True)
    results = {rel: output.stage_file(out, rel, data, before.get(rel), spares=spares)
               for rel, data in files.items()}
    output.commit(out, keep=files, previous=before, marker_text=marker, spares=spares,
                  staged=[rel for rel, (_digest, changed) in results.items() if changed])
    return {rel: digest for rel, (digest, _changed) in results.items()}


def test_a_replaced_file_is_kept_as_a_spare_and_the_next_build_writes_into_it(
    tmp_path: Path
) -> None:
    import generator.output as output

    out, spares = tmp_path / "out", tmp_path / "cache" / "spares"
    spares.parent.mkdir()
    digests = built_once(out, {"a/index.html": b"first a", "b.html": b"b"})
    first = (out / "a/index.html").stat().st_ino
    spare = spares / output.staged_name("a/index.html")

    digests = rebuilt(out, spares, {"a/index.html": b"second a, longer", "b.html": b"b"},
                      digests, "second\n")
    assert (out / "a/index.html").read_bytes() == b"second a, longer"
    assert spare.read_bytes() == b"first a"  # the replaced file, kept
    assert spare.stat().st_ino == first and spare.stat().st_nlink == 1
    assert sorted(os.listdir(spares)) == [spare.name]  # (b.html did not change)
    second = (out / "a/index.html").stat().st_ino

    rebuilt(out, spares, {"a/index.html": b"third", "b.html": b"b"}, digests, "third\n")
    assert (out / "a/index.html").read_bytes() == b"third"  # shorter: the rest is cut
    assert (out / "a/index.html").stat().st_ino == first  # written into the spare
    assert spare.stat().st_ino == second and spare.read_bytes() == b"second a, longer"
    assert not output.staging_folder(out).exists()


def test_a_spare_still_linked_into_the_output_is_never_written_into(tmp_path: Path) -> None:
    import generator.output as output

    out, spares = tmp_path / "out", tmp_path / "spares"
    digests = built_once(out, {"a.html": b"live a", "b.html": b"live b"})
    spares.mkdir()
    # As a commit killed between linking the file it replaces aside and the rename
    # leaves it: the spare is the live page.
    os.link(out / "a.html", spares / output.staged_name("a.html"))
    # Spares put there by hand: a link to a file outside, a folder.
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    (spares / output.staged_name("b.html")).symlink_to(outside)
    (spares / output.staged_name("c.html")).mkdir()
    os.mkfifo(spares / output.staged_name("d.html"))  # (opening it to write would wait)

    assert not output.begin(out, "second\n", known=True)
    files = {"a.html": b"new a", "b.html": b"new b", "c.html": b"new c", "d.html": b"new d"}
    staged = [rel for rel, data in files.items()
              if output.stage_file(out, rel, data, digests.get(rel), spares=spares)[1]]
    assert (out / "a.html").read_bytes() == b"live a"  # untouched until the commit
    output.commit(out, keep=files, previous=digests, marker_text="second\n", staged=staged,
                  spares=spares)
    assert {rel: (out / rel).read_bytes() for rel in files} == files
    assert outside.read_bytes() == b"keep"


def test_spares_are_kept_for_a_tenth_of_the_output_and_dropped_with_their_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.output as output

    monkeypatch.setattr(output, "SPARE_MIN", 2)
    monkeypatch.setattr(output, "SPARE_SHARE", 1000)
    out, spares = tmp_path / "out", tmp_path / "spares"
    old = {f"p{n}.html": b"old" for n in range(5)}
    digests = built_once(out, old)
    digests = rebuilt(out, spares, {rel: b"new" for rel in old}, digests, "second\n")
    assert len(os.listdir(spares)) == 2  # room for two: the other three were freed
    kept = [rel for rel in old if (spares / output.staged_name(rel)).exists()]

    rebuilt(out, spares, {rel: b"new" for rel in old if rel not in kept}, digests, "third\n")
    assert os.listdir(spares) == []  # the removed pages' spares went with them
    assert sorted(os.listdir(out)) == sorted([output.MARKER, *set(old) - set(kept)])


def test_a_commit_cut_short_between_keeping_a_spare_and_the_rename_is_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.output as output

    out, spares = tmp_path / "out", tmp_path / "spares"
    digests = built_once(out, {"a.html": b"old a", "b.html": b"old b"})
    assert not output.begin(out, "second\n", known=True)
    files = {"a.html": b"new a", "b.html": b"new b"}
    staged = [rel for rel, data in files.items()
              if output.stage_file(out, rel, data, digests.get(rel), spares=spares)[1]]
    real_replace = os.replace

    def killed(source: object, target: object) -> None:
        if str(target).endswith("b.html"):
            raise KeyboardInterrupt  # b's old file is linked aside; b is not yet replaced
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(output.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        output.commit(out, keep=files, previous=digests, marker_text="second\n",
                      staged=staged, spares=spares)
    monkeypatch.undo()
    spare_b = spares / output.staged_name("b.html")
    assert spare_b.stat().st_ino == (out / "b.html").stat().st_ino  # one file, two names

    rebuilt(out, spares, {"a.html": b"third a", "b.html": b"third b"},
            {rel: output.content_digest(data) for rel, data in files.items()}, "third\n")
    assert (out / "a.html").read_bytes() == b"third a"
    assert (out / "b.html").read_bytes() == b"third b"
    assert not output.journal_file(out).exists()


def test_spares_on_another_filesystem_than_the_output_are_only_left_out(
    tmp_path: Path
) -> None:
    import tempfile

    out = tmp_path / "out"
    with tempfile.TemporaryDirectory(dir="/dev/shm") as elsewhere:  # (tmpfs: another device)
        spares = Path(elsewhere) / "spares"
        assert os.stat(elsewhere).st_dev != os.stat(tmp_path).st_dev
        digests = built_once(out, {"a.html": b"old a"})
        for text in (b"new a", b"newer a"):
            digests = rebuilt(out, spares, {"a.html": text}, digests, text.decode() + "\n")
            assert (out / "a.html").read_bytes() == text
        assert os.listdir(spares) == []  # (a file cannot be linked across file systems)


def test_folders_made_ahead_are_written_into_and_missing_ones_made_by_the_page(
        tmp_path: Path) -> None:
    """A fresh output's article folders may be made ahead (``make_folders``, by a worker
    while the site is modeled); a page whose folder is not made yet makes it itself."""
    import generator.output as output

    out = tmp_path / "out"
    assert output.begin(out, "first\n")
    ahead = [f"{out}/news/a-{i}" for i in range(200)]
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) == 2  # (asked every STOP_EVERY folders: stop at the second time)

    done = output.make_folders(ahead, stop=stop)
    assert done == 2 * output.STOP_EVERY - 1
    assert sorted(p.name for p in (out / "news").iterdir()) == sorted(
        f"a-{i}" for i in range(done))
    for i in (0, done - 1, done, 199):  # made ahead, and not
        rel = f"news/a-{i}/index.html"
        assert output.stage_file(out, rel, b"page %d" % i, None, direct=True)[1]
        assert (out / rel).read_bytes() == b"page %d" % i
    rel = "topics/t/page/2/index.html"  # (its parents missing too)
    output.stage_file(out, rel, b"t2", None, direct=True)
    assert (out / rel).read_bytes() == b"t2"
    assert output.make_folders([], stop=lambda: True) == 0


def test_a_commit_makes_missing_folders_and_clears_a_file_in_the_way(tmp_path: Path) -> None:
    """An incremental commit moves a page whose folder is new (its parents too), and one
    whose folder stands where the last build had a file; the replaced pages are kept as
    spares, the new ones have none."""
    import generator.output as output

    out, spares = tmp_path / "out", tmp_path / "spares"
    spares.mkdir()
    digests = built_once(out, {"index.html": b"home", "feed": b"old feed"})
    files = {"index.html": b"home 2", "feed/index.html": b"new feed",
             "topics/t/page/2/index.html": b"t2"}
    rebuilt(out, spares, files, digests, "second\n")
    assert {rel: (out / rel).read_bytes() for rel in files} == files
    assert sorted(output.list_output_files(out)) == sorted(files)
    assert sorted(os.listdir(spares)) == [output.staged_name("index.html")]
    assert not output.staging_folder(out).exists()


def test_a_commit_puts_a_file_where_the_last_build_had_a_folder_of_pages(
        tmp_path: Path) -> None:
    import generator.output as output

    out, spares = tmp_path / "out", tmp_path / "spares"
    spares.mkdir()
    digests = built_once(out, {"index.html": b"home", "feed/index.html": b"feed page",
                               "feed/page/2/index.html": b"feed page 2"})
    files = {"index.html": b"home", "feed": b"a feed file"}
    rebuilt(out, spares, files, digests, "second\n")
    assert sorted(output.list_output_files(out)) == ["feed", "index.html"]
    assert (out / "feed").read_bytes() == b"a feed file"


def test_a_folder_holding_files_digest_did_not_write_is_named_not_deleted(
        tmp_path: Path) -> None:
    from generator.diagnostics import DigestError

    out, spares = tmp_path / "out", tmp_path / "spares"
    spares.mkdir()
    digests = built_once(out, {"feed/index.html": b"feed page"})
    (out / "feed" / "notes.txt").write_bytes(b"mine")
    with pytest.raises(DigestError, match="cannot write feed: .*move them away"):
        rebuilt(out, spares, {"feed": b"a feed file"}, digests, "second\n")
    assert (out / "feed" / "notes.txt").read_bytes() == b"mine"
