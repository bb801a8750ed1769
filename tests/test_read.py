"""generator.read: finding content files and splitting front matter from body."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.diagnostics import Diagnostic, Severity
from generator.read import (
    FieldLines,
    Readahead,
    SourceFile,
    closing_fence,
    duplicate_key_warnings,
    find_content_files,
    read_source,
    split_source,
)
from tests.conftest import MakeSite

ZONE = ZoneInfo("UTC")


def split(text: str, rel: str = "content/a.md") -> SourceFile:
    result = split_source(rel, text)
    assert isinstance(result, SourceFile), result
    return result


def refused(result: SourceFile | Diagnostic) -> Diagnostic:
    assert isinstance(result, Diagnostic), result
    assert result.severity is Severity.ERROR
    return result


def test_finds_content_files_recursively_sorted_skipping_hidden_and_other_files(
    make_site: MakeSite,
) -> None:
    site = make_site({
        "content/b.md": "x", "content/a.txt": "x", "content/sub/c.markdown": "x",
        "content/notes.rst": "x", "content/.hidden.md": "x", "content/.git/d.md": "x",
        "content/sub/e.MD.bak": "x",
    })
    found = [p.relative_to(site / "content").as_posix()
             for p in find_content_files(site / "content")]
    assert found == ["a.txt", "b.md", "sub/c.markdown"]


def test_splits_front_matter_and_body() -> None:
    source = split("---\ntitle: Hello\ntopics:\n  - AI\n---\nThe body.\n\nMore.\n")
    assert source.has_front_matter
    assert source.front_matter == {"title": "Hello", "topics": ["AI"]}
    assert source.body == "The body.\n\nMore.\n"
    assert source.body_line == 6
    assert source.field_lines().line_of("topics") == 3
    assert source.field_lines().line_of("missing") is None


def test_a_field_is_found_at_its_own_line_else_at_its_nearest_parent() -> None:
    lines = FieldLines("title: x\nimages:\n  - url: a\n    width: 5\n  - url: b\n"
                       "    width: bad\nrelated:\n  - title: r\n    provider:\n"
                       "      name: n\n      name: m\ntopics:\n  AI: {order: 1}\n"
                       "  ML:\n    image: z\n", first=2)
    assert [lines.line_of(field) for field in (
        "title", "images[1].width", "images[1]", "related[0].provider.name",
        "topics[1].image", "topics[1]", "images[7].width", "images[0].height", "nope.x",
    )] == [2, 7, 6, 12, 16, 15, 3, 4, None]  # (a key given twice: its last, as kept)
    broken = FieldLines("images:\n  - url: [\n", first=1)
    assert broken.line_of("images[0].url") == 1  # (nodes unreadable: the top-level key's)


def test_front_matter_without_body_and_empty_front_matter() -> None:
    assert split("---\ntitle: Hello\n---\n").body == ""
    empty = split("---\n---\nbody\n")
    assert empty.front_matter == {} and empty.body == "body\n"


def test_dates_stay_text_for_validate_to_parse() -> None:
    source = split("---\npublishedDateTime: 2020-06-09T03:58:00Z\n---\n")
    assert source.front_matter == {"publishedDateTime": "2020-06-09T03:58:00Z"}


def test_a_file_without_front_matter_is_all_body() -> None:
    source = split("IBM exits facial recognition\n\nText.\n", "content/002.txt")
    assert not source.has_front_matter
    assert source.front_matter is None
    assert source.body == "IBM exits facial recognition\n\nText.\n"


LINES = st.lists(st.sampled_from(
    ["---", "...", "--- ", "...\u2028", "---x", "----", " ---", "..", "-- -", "a: 1", "",
     "b: [", "\u2029", "x---", "--- \x1c"]), max_size=12)


@given(LINES, st.booleans())
def test_the_front_matter_ends_at_the_first_fence_line_found_line_by_line(
        lines: list[str], newline_at_end: bool) -> None:
    """``closing_fence`` searches the text; it finds what going line by line finds: the
    first line after the first that is ``---`` or ``...`` but for trailing whitespace."""
    text = "\n".join(["---", *lines]) + ("\n" if newline_at_end else "")
    split_lines = text.split("\n")
    expected = next((index for index in range(1, len(split_lines))
                     if split_lines[index].rstrip() in ("---", "...")), None)
    found = closing_fence(text, text.find("\n")) if "\n" in text else None
    if expected is None:
        assert found is None
        return
    assert found is not None
    start, stop = found
    assert text.count("\n", 0, start) == expected
    assert text[start:stop] == split_lines[expected]
    result = split_source("content/a.md", text)
    if isinstance(result, SourceFile):  # (else the YAML before it is invalid)
        assert result.front_matter_text == "\n".join(split_lines[1:expected])
        assert result.body == "\n".join(split_lines[expected + 1 :])
        assert result.body_line == expected + 2


def test_unclosed_front_matter_is_an_error_on_line_1() -> None:
    problem = refused(split_source("content/a.md", "---\ntitle: x\nbody\n"))
    assert problem.line == 1
    assert "never closed" in problem.message


def test_invalid_yaml_is_an_error_with_its_line_in_the_file() -> None:
    problem = refused(split_source("content/a.md", "---\ntitle: ok\nexcerpt: [unclosed\n---\n"))
    assert problem.file == "content/a.md"
    assert "invalid YAML" in problem.message
    assert problem.line is not None and 3 <= problem.line <= 4
    assert problem.hint


def test_a_bracket_left_open_is_reported_where_noticed_saying_where_it_opened() -> None:
    problem = refused(split_source(
        "content/a.md", "---\ntitle: ok\nexcerpt: [unclosed\nheat: 3\n\nquality: 2\n---\n"))
    assert problem.line == 4  # (where the parser found a key inside the list)
    assert problem.message.endswith("while parsing a flow sequence that starts on the line "
                                    "above")


def test_keys_given_twice_are_kept_with_their_lines_in_the_front_matter_text() -> None:
    source = split("---\ntitle: One\nprovider:\n  name: A\n  name: B\ntitle: Two\n---\nBody\n")
    assert source.front_matter == {"title": "Two", "provider": {"name": "B"}}  # the last
    assert [(d.field, d.first_line, d.line) for d in source.duplicates] == [
        ("provider.name", 3, 4), ("title", 1, 5)]  # (lines of the YAML: the file's minus 1)
    assert split("---\ntitle: One\n---\n").duplicates == ()


def test_duplicate_key_warnings_give_the_files_lines() -> None:
    source = split("---\ntitle: One\nexcerpt: x\ntitle: Two\n---\nBody\n")
    [problem] = duplicate_key_warnings("content/a.md", source.duplicates, first=2)
    assert problem.format() == (
        "content/a.md:4: warning: title: 'title' is given twice, on line 2 and again on "
        "line 4; the last one is used Hint: Delete one of the two: YAML keeps only the last "
        "value.")


def test_read_source_tolerates_bom_and_crlf(make_site: MakeSite) -> None:
    site = make_site({"content/a.md": b"\xef\xbb\xbf---\r\ntitle: Hi\r\n---\r\nBody\r\n"})
    source = read_source(site / "content/a.md", site_root=site, max_bytes=1000)
    assert isinstance(source, SourceFile)
    assert source.path == "content/a.md"
    assert source.front_matter == {"title": "Hi"}
    assert source.body == "Body\n"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"---\ntitle: a\n---\n\x00\x01", "NUL byte"),
        (b"---\ntitle: caf\xe9\n---\n", "not valid UTF-8"),
        (b"  \n\n", "empty"),
        ("---\ntitle: a\n---\n".encode("utf-16"), "the file is UTF-16 text"),  # (as
        # Notepad saves "Unicode": it said "looks binary")
        ("\ufeff---\ntitle: a\n---\n".encode("utf-16-be"), "the file is UTF-16 text"),
        ("---\ntitle: a\n---\n".encode("utf-32"), "the file is UTF-32 text"),
    ],
)
def test_unreadable_files_are_errors_naming_the_file(
    make_site: MakeSite, data: bytes, words: str
) -> None:
    site = make_site({"content/bad.md": data})
    problem = refused(read_source(site / "content/bad.md", site_root=site, max_bytes=1000))
    assert problem.file == "content/bad.md"
    assert words in problem.message


@pytest.mark.parametrize(("text", "kind"), [
    ('+++\ntitle = "TOML story"\npublishedDateTime = 2024-05-01T00:00:00Z\n+++\nBody\n', "TOML"),
    ('{\n  "title": "JSON story"\n}\nBody\n', "JSON"),
    ('{"title": "JSON story"}\nBody\n', "JSON"),
])
def test_front_matter_in_toml_or_json_is_refused_not_published_as_a_story(
        text: str, kind: str) -> None:
    """Hugo reads both; here they were a story titled '+++' or '{', its front matter for a
    body, and the build said nothing (a publisher's trial)."""
    problem = split_source("content/a.md", text)
    assert isinstance(problem, Diagnostic) and problem.severity is Severity.ERROR
    assert problem.message == f"front matter in {kind} (as Hugo allows) is not read here"
    assert problem.line == 1 and "YAML between '---' lines" in (problem.hint or "")


def test_files_over_the_size_limit_are_refused(make_site: MakeSite) -> None:
    site = make_site({"content/big.md": "---\ntitle: x\n---\n" + "a" * 100})
    problem = refused(read_source(site / "content/big.md", site_root=site, max_bytes=50))
    assert "over the limit" in problem.message
    assert isinstance(read_source(site / "content/big.md", site_root=site, max_bytes=10_000),
                      SourceFile)


def test_the_seed_files_read() -> None:
    seeds = Path(__file__).resolve().parent.parent / "content"
    for path in sorted(seeds.iterdir()):
        source = read_source(path, site_root=seeds.parent, max_bytes=5_000_000)
        assert isinstance(source, SourceFile), source
        assert source.has_front_matter == (not path.name.startswith("002"))


def test_readahead_advises_each_file_in_order_and_skips_missing_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [tmp_path / f"{n}.md" for n in range(5)]
    for path in files:
        path.write_text("x")
    files.insert(2, tmp_path / "gone.md")
    advised: list[int] = []
    inodes = {os.stat(path).st_ino: path for path in files if path.exists()}

    def record(handle: int, offset: int, length: int, advice: int) -> None:
        assert (offset, length, advice) == (0, 0, os.POSIX_FADV_WILLNEED)
        advised.append(os.fstat(handle).st_ino)

    monkeypatch.setattr(os, "posix_fadvise", record)
    with Readahead(files):
        deadline = time.monotonic() + 5
        while len(advised) < 5 and time.monotonic() < deadline:  # let it reach the end
            time.sleep(0.01)
    assert [inodes[inode] for inode in advised] == [path for path in files if path.exists()]


def test_readahead_stops_when_its_block_ends(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    path.write_text("x")
    started = threading.Event()
    calls: list[int] = []

    def count(handle: int, offset: int, length: int, advice: int) -> None:
        calls.append(handle)
        started.set()

    monkeypatch.setattr(os, "posix_fadvise", count)
    with Readahead([path] * 1_000_000):
        assert started.wait(5)
    count = len(calls)
    assert 0 < count < 1_000_000  # stopped, not run to the end
    time.sleep(0.05)
    assert len(calls) == count  # and stays stopped


def test_read_file_gives_the_bytes_and_stamp_and_skips_a_file_over_the_limit(
        tmp_path: Path) -> None:
    from generator.parse import read_file

    path = tmp_path / "story.md"
    path.write_bytes(b"---\ntitle: x\n---\nbody\n" * 100)
    info = os.stat(path)
    stamp, raw = read_file(path, 10_000)
    assert raw == path.read_bytes()
    assert (stamp.size, stamp.mtime_ns) == (info.st_size, info.st_mtime_ns)
    assert read_file(path, info.st_size - 1) == (stamp, None)
    (tmp_path / "empty.md").write_bytes(b"")
    assert read_file(tmp_path / "empty.md", 10)[1] == b""


def test_read_file_reads_to_the_end_of_a_file_that_grew_after_its_stat(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import parse

    path = tmp_path / "story.md"
    content = bytes(range(256)) * 1000
    path.write_bytes(content)
    real = os.fstat

    class Shrunk:
        def __init__(self, info: os.stat_result) -> None:
            self.st_size, self.st_mtime_ns = 100, info.st_mtime_ns

    monkeypatch.setattr(parse.os, "fstat", lambda fd: Shrunk(real(fd)))
    assert parse.read_file(path, 10**9)[1] == content


def test_parse_file_takes_the_scans_strings_and_paths_alike(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.config import load_config
    from generator.parse import parse_file
    from generator.read import source_name
    from generator.scan import find_content_paths

    site = make_site({
        "content/sub/a.md": "---\ntitle: A\npublishedDateTime: 2024-01-02T03:04:05Z\n---\nx\n",
        "content/b.md": "---\ntitle: [unclosed\n---\n",
    })
    config, _ = load_config(site)
    found = find_content_paths(config.content_dir)
    assert [source_name(path, config.source) for path in found] == [
        "content/b.md", "content/sub/a.md"]
    for text in found:
        assert parse_file(text, config, ZONE) == parse_file(Path(text), config, ZONE)
    # a string outside the site folder's prefix (relative, say) goes through Path
    monkeypatch.chdir(site)
    assert source_name("content/b.md", Path(".")) == "content/b.md"
    with pytest.raises(ValueError):
        source_name(str(site.parent / "elsewhere.md"), site)


def test_a_parsed_file_survives_its_rows_with_its_summary_and_problems(
        make_site: MakeSite) -> None:
    import marshal

    from generator.config import load_config
    from generator.parse import parse_file, parsed_from_row, parsed_to_row

    site = make_site({
        "content/a.md": "---\ntitle: A\npublishedDateTime: 2024-01-02T03:04:05Z\n"
                        "images:\n  - url: https://e.org/i.jpg\n    width: wide\n---\nx\n",
        "content/b.md": "---\ntitle: [unclosed\n---\n",
        "content/c.txt": "A plain body\n\nwith two paragraphs.\n",
    })
    config, _ = load_config(site)
    for name in ("a.md", "b.md", "c.txt"):
        parsed = parse_file(site / "content" / name, config, ZONE)
        assert parsed.diagnostics or name == "c.txt"
        row = marshal.loads(marshal.dumps(parsed_to_row(parsed)))  # (plain data only)
        summary = parsed.summary and replace(parsed.summary, record_json="")  # (kept apart)
        assert parsed_from_row(row) == replace(parsed, item=None, summary=summary)


def test_a_diagnostic_survives_its_tuple() -> None:
    full = Diagnostic(Severity.WARNING, "content/a.md", "bad width", 4, "images[0].width",
                      "use a number")
    bare = Diagnostic(Severity.ERROR, "content/b.md", "no title")
    for diagnostic in (full, bare):
        assert Diagnostic.from_tuple(diagnostic.to_tuple()) == diagnostic
