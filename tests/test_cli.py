"""generator.cli: ``digest build``: exit codes 0/1/2, --strict, --drafts, the summary line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT, SAMPLE_CONTENT, MakeSite

SUMMARY = re.compile(
    r"^built (\d+) stories, (\d+) topics, (\d+) pages \(.*\), (\d+) warnings, (\d+) errors "
    r"in \d+\.\d+ s$", re.MULTILINE)
STORY = """
    ---
    title: {title}
    publishedDateTime: 2021-03-04T10:00:00Z
    topics: [AI]
    {extra}
    ---
    """


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def build_args(site: Path, *more: str) -> list[str]:
    return ["build", "--source", str(site), "--output", str(site.parent / "out"), *more]


def warns_and_strict_fails(site: Path, capsys: pytest.CaptureFixture[str], *more: str
                           ) -> tuple[str, str]:
    """Build ``site`` (exit 0 with warnings), then with --strict (exit 1, saying why);
    the first build's output and errors."""
    code, out, err = run(build_args(site, *more), capsys)
    assert code == 0, err
    code, _out, strict_err = run(build_args(site, *more, "--strict"), capsys)
    assert code == 1 and "digest: --strict: warnings count as errors" in strict_err
    return out, err


def test_the_sample_builds_with_exit_0_and_one_summary_line(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(build_args(sample_site), capsys)
    assert (code, err) == (0, "")
    summaries = SUMMARY.findall(out)
    assert len(summaries) == 1
    stories, topics, pages, warnings, errors = map(int, summaries[0])
    assert (stories, topics, warnings, errors) == (4, 3, 0, 0)
    assert pages >= 10
    assert ("body: content/002_b227e8eca072cde8.txt is the body of "
            "content/000_07ceffb361487906.txt") in out
    assert (sample_site.parent / "out" / "index.html").is_file()


def test_a_build_hands_what_it_would_free_to_a_caller_that_keeps_it(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``run`` (the ``digest`` command) exits without freeing the build's manifest: the
    build puts it in the list ``main`` is given, and the site is the same either way."""
    from generator.manifest import Manifest

    kept: list[object] = []
    assert main(build_args(sample_site, "--quiet"), retain=kept) == 0
    assert any(isinstance(item, tuple) and isinstance(item[1], Manifest) for item in kept)
    assert len(next(i for i in kept if isinstance(i, tuple))[1].files) == 5
    capsys.readouterr()


def test_quiet_prints_nothing_when_all_is_well(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(build_args(sample_site, "--quiet"), capsys) == (0, "", "")


def test_content_errors_exit_1_but_the_rest_of_the_site_builds(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/good.md": STORY.format(title="Good", extra=""),
                      "content/bad.md": "---\nexcerpt: no title\n---\n"})
    code, out, err = run(build_args(site), capsys)
    assert code == 1
    assert "content/bad.md" in err and "error" in err
    assert SUMMARY.search(out) and "built 1 stories" in out
    assert (site.parent / "out" / "topics" / "ai" / "index.html").is_file()


def test_warnings_pass_unless_strict(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/a.md": STORY.format(title="A", extra="exerpt: red")})
    out, err = warns_and_strict_fails(site, capsys)
    assert "content/a.md:5: warning: exerpt: unknown field 'exerpt'" in err
    assert ", 1 warnings, 0 errors" in out


def test_config_errors_exit_1_and_config_warnings_count_for_strict(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/a.md": STORY.format(title="A", extra=""),
                      "digest.yaml": "page_size: 0\n"})
    code, out, err = run(build_args(site), capsys)
    assert code == 1 and "page_size" in err and out == ""
    (site / "digest.yaml").write_text("colour: red\n")
    assert run(build_args(site), capsys)[0] == 0
    assert run(build_args(site, "--strict"), capsys)[0] == 1


def test_keys_given_twice_are_warnings_that_strict_fails_on(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/a.md": STORY.format(title="A", extra="title: B"),
                      "digest.yaml": "title: One\ntitle: Two\n"})
    out, err = warns_and_strict_fails(site, capsys)
    assert ("digest.yaml:2: warning: title: 'title' is given twice, on line 1 and again on "
            "line 2; the last one is used") in err
    assert ("content/a.md:5: warning: title: 'title' is given twice, on line 2 and again on "
            "line 5; the last one is used") in err
    assert ", 2 warnings, 0 errors" in out  # (the config's and the story's)
    (site / "digest.yaml").write_text("title: Two\n")
    assert run(build_args(site, "--strict"), capsys)[0] == 1  # (the story's still counts)


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["build", "--source", str(tmp_path)], capsys)
    assert code == 2 and f"no content/ folder in {tmp_path.resolve()}" in err
    code, _out, err = run(["build", "--source", str(tmp_path / "nowhere")], capsys)
    assert code == 2 and f"the folder {tmp_path.resolve() / 'nowhere'} does not exist" in err
    (tmp_path / "file").write_text("x")
    code, _out, err = run(["serve", "--source", str(tmp_path / "file")], capsys)
    assert code == 2 and f"{tmp_path.resolve() / 'file'} is not a folder" in err
    for argv in (["build", "--no-such-option"], ["frobnicate"], []):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2


def test_refusing_an_unsafe_output_folder_exits_1(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["build", "--source", str(sample_site), "--output", str(sample_site)],
                          capsys)
    assert code == 1 and "refusing" in err


def test_drafts_are_left_out_unless_asked_for(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/a.md": STORY.format(title="Public", extra=""),
                      "content/b.md": STORY.format(title="Secret plan", extra="draft: true")})
    out_dir = site.parent / "out"
    assert run(build_args(site), capsys)[0] == 0
    pages = "".join(p.read_text() for p in out_dir.rglob("*.html"))
    assert "Public" in pages and "Secret plan" not in pages
    code, out, _err = run(build_args(site, "--drafts"), capsys)
    assert code == 0 and "built 2 stories" in out
    assert "Secret plan" in (out_dir / "index.html").read_text()


def test_base_url_option_prefixes_links(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(build_args(sample_site, "--base-url", "https://example.org/digest/"), capsys)[0] == 0
    home = (sample_site.parent / "out" / "index.html").read_text()
    assert 'href="/digest/topics/"' in home


def test_stories_wanting_one_address_are_warnings_that_strict_fails_on(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({"content/2021-03-04-foo.md": STORY.format(title="Foo", extra=""),
                      "content/x.md": STORY.format(title="Foo", extra="")})
    out, err = warns_and_strict_fails(site, capsys, "--base-url", PUBLIC)
    assert ", 1 warnings, 0 errors" in out
    assert err.startswith("content/x.md: warning: content/2021-03-04-foo.md wants the same "
                          "address and has it, news/2021-03-04-foo/")
    (site / "content/x.md").rename(site / "content/2021-03-04-foo-again.md")
    assert run(build_args(site, "--base-url", PUBLIC, "--strict"), capsys)[0] == 0


def test_stories_sharing_a_web_url_are_warnings_in_the_report_that_strict_fails_on(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed imported twice: two files, one webUrl (up to a tracking parameter)."""
    site = make_site({
        "content/2021-03-04-foo.md": STORY.format(title="Foo",
                                                  extra="webUrl: https://news.example/foo"),
        "content/import/2021-03-04-foo-again.md": STORY.format(
            title="Foo", extra="webUrl: https://news.example/foo?utm_source=rss")})
    report_file = site.parent / "report.json"
    out, err = warns_and_strict_fails(site, capsys, "--base-url", PUBLIC,
                                      "--report", str(report_file))
    assert ", 1 warnings, 0 errors" in out
    assert err.startswith(
        "content/import/2021-03-04-foo-again.md:5: warning: webUrl: "
        "'https://news.example/foo?utm_source=rss' is also the webUrl of "
        "content/2021-03-04-foo.md (line 5: 'https://news.example/foo'), one page but for "
        "tracking parameters")
    said = json.loads(report_file.read_text(encoding="utf-8"))["diagnostics"]
    assert [(d["severity"], d["file"], d["line"], d["field"]) for d in said] == [
        ("warning", "content/import/2021-03-04-foo-again.md", 5, "webUrl")]
    (site / "content/import/2021-03-04-foo-again.md").unlink()
    assert run(build_args(site, "--base-url", PUBLIC, "--strict"), capsys)[0] == 0


def test_python_dash_m_generator_runs_the_cli(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "site" / "content")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--source", "site", "--output", "out"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert SUMMARY.search(result.stdout)
    bad = subprocess.run([sys.executable, "-m", "generator", "build", "--bogus"], cwd=tmp_path,
                         capture_output=True, text=True, check=False,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert bad.returncode == 2 and "usage: digest build [-h]" in bad.stderr
    assert "digest build: error: unrecognized arguments: --bogus" in bad.stderr


# --- digest check, --report, --strict and base_url ----------------------------------------

PUBLIC = "https://example.org/news-digest/"


def built_and_checked(site: Path, capsys: pytest.CaptureFixture[str]
                      ) -> tuple[Path, list[str]]:
    """Build ``site`` for ``PUBLIC`` into ``out`` beside it and check it, which passes:
    the output folder and the check's arguments, to check it again."""
    out = site.parent / "out"
    assert run(build_args(site, "--base-url", PUBLIC), capsys)[0] == 0
    check = ["check", "--source", str(site), "--output", str(out), "--base-url", PUBLIC]
    code, stdout, err = run(check, capsys)
    assert (code, err) == (0, "") and "0 problem(s)" in stdout
    return out, check


def test_check_passes_a_fresh_build_and_lists_a_planted_broken_link(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, check = built_and_checked(sample_site, capsys)
    page = out / "topics" / "ai" / "index.html"
    page.write_text(page.read_text().replace(
        "</main>", '<a href="/news-digest/news/not-built/">x</a>\n</main>'))
    (out / "atom.xml").write_text("<feed>")
    code, stdout, err = run(check, capsys)
    assert code == 1 and "2 problem(s)" in stdout
    assert "topics/ai/index.html:" in err
    assert "no built file 'news/not-built/index.html'" in err
    assert "atom.xml:1: XML parse error" in err


def test_check_checks_the_output_for_the_url_it_was_built_for(
    sample_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The site has no base_url of its own: only the build was told where it is hosted
    (as Hugo users pass --baseURL to the build alone). The output records it, so that a
    check without --base-url, of the output or of a copy of it, checks it there."""
    out = sample_site.parent / "out"
    assert run(build_args(sample_site, "--base-url", PUBLIC), capsys)[0] == 0
    assert (out / ".digest-output").read_text("utf-8").endswith(f"\nbuilt for {PUBLIC}\n")
    code, stdout, err = run(["check", "--source", str(sample_site), "--output", str(out)], capsys)
    assert (code, err) == (0, "") and f"for {PUBLIC}: 0 problem(s)" in stdout
    copy = tmp_path / "elsewhere" / "artifact"
    shutil.copytree(out, copy)
    code, stdout, err = run(["check", "--output", str(copy)], capsys)
    assert (code, err) == (0, "") and "0 problem(s)" in stdout
    same = PUBLIC.upper().replace("/NEWS-DIGEST/", "/news-digest")  # (host's case, slash)
    code, stdout, err = run(["check", "--output", str(copy), "--base-url", same], capsys)
    assert (code, err) == (0, "") and "0 problem(s)" in stdout


def test_a_base_url_of_other_letters_is_percent_encoded_in_every_url_and_checks_clean(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A publisher's trial: --base-url https://EXAMPLE.org/ünï/ gave canonical, sitemap and
    feed URLs with the raw letters and the host's capitals, which sitemap readers refuse.
    Every URL has the host in lowercase and the path percent-encoded, and the output
    checks clean for the URL as given."""
    out = sample_site.parent / "out"
    given = "https://EXAMPLE.org/ünï/"
    assert run(build_args(sample_site, "--base-url", given, "--strict"), capsys)[0] == 0
    encoded = "https://example.org/%C3%BCn%C3%AF/"
    texts = {rel: (out / rel).read_text("utf-8") for rel in (
        "sitemap.xml", "sitemap-pages.xml", "atom.xml", "feed.json", "index.html",
        "topics/ai/index.html")}
    assert all(encoded in text and "ünï" not in text and "EXAMPLE" not in text
               for text in texts.values()), [rel for rel, text in texts.items()
                                             if encoded not in text or "ünï" in text]
    assert f"<loc>{encoded}</loc>" in texts["sitemap-pages.xml"]
    assert f"<loc>{encoded}sitemap-pages.xml</loc>" in texts["sitemap.xml"]
    assert f'<link rel="canonical" href="{encoded}">' in texts["index.html"]
    assert 'href="/%C3%BCn%C3%AF/topics/"' in texts["index.html"]
    for base_url in (given, encoded, None):
        check = ["check", "--source", str(sample_site), "--output", str(out)]
        code, stdout, err = run(check + (["--base-url", base_url] if base_url else []), capsys)
        assert (code, err) == (0, "") and f"for {encoded}: 0 problem(s)" in stdout


def test_check_for_another_url_than_the_build_says_so_once(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = sample_site.parent / "out"
    assert run(build_args(sample_site, "--base-url", PUBLIC), capsys)[0] == 0
    for other in ("https://example.org/other/", "/news-digest/"):
        code, stdout, err = run(["check", "--source", str(sample_site), "--output", str(out),
                                 "--base-url", other], capsys)
        assert (code, stdout) == (2, "")
        assert err == (f"digest: {out} was built for {PUBLIC}, not for {other} (--base-url): "
                       f"its links point there, so nothing was checked. Check it without "
                       f"--base-url (it is checked for the URL it was built for), or build it "
                       f"again with --base-url {other} first.\n")
    (sample_site / "digest.yaml").write_text("base_url: https://example.org/other/\n")
    code, stdout, err = run(["check", "--source", str(sample_site), "--output", str(out)],
                            capsys)  # (the output's record wins over digest.yaml's)
    assert (code, err) == (0, "") and f"for {PUBLIC}: 0 problem(s)" in stdout


@pytest.mark.parametrize("marker", ["digest output 0123456789abcdef\n", "made by hand\n", None])
def test_check_of_an_output_without_the_record_takes_the_url_as_before(
    sample_site: Path, capsys: pytest.CaptureFixture[str], marker: str | None
) -> None:
    """An output built by a version that did not record its URL (or not by digest) is
    checked for --base-url, else digest.yaml's base_url, as before."""
    out = sample_site.parent / "out"
    assert run(build_args(sample_site, "--base-url", PUBLIC), capsys)[0] == 0
    if marker is None:
        (out / ".digest-output").unlink()
    else:
        (out / ".digest-output").write_text(marker, encoding="utf-8")
    check = ["check", "--source", str(sample_site), "--output", str(out)]
    code, stdout, err = run(check, capsys)
    assert code == 1 and "no built file" in err and "for /: " in stdout
    code, stdout, err = run([*check, "--base-url", PUBLIC], capsys)
    assert (code, err) == (0, "") and f"for {PUBLIC}: 0 problem(s)" in stdout


def test_check_passes_a_build_with_files_published_from_root(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files of root/ are the publisher's, published as they are: a search engine's
    verification file (one line, not HTML) is not checked as a page, nor looked for in the
    sitemap (no crawler should index it); links to them are checked like any link. A file
    root/ holds that the build left out (it collides) is the generated one's place, so
    the generated file there is checked as ever."""
    files = {"root/google123.html": "google-site-verification: google123.html\n",
             "root/about/index.html": "<p>not a page of the site</p>\n",
             "root/.well-known/assetlinks.json": "[]\n", "root/ads.txt": "ads\n",
             "root/BingSiteAuth.xml": '<?xml version="1.0"?><users><user>X</user></users>\n',
             "root/robots.txt": f"User-agent: *\nSitemap: {PUBLIC}sitemap.xml\n"}
    for rel, text in files.items():
        (sample_site / rel).parent.mkdir(parents=True, exist_ok=True)
        (sample_site / rel).write_text(text, encoding="utf-8")
    out, check = built_and_checked(sample_site, capsys)
    page = out / "topics" / "ai" / "index.html"
    page.write_text(page.read_text().replace(
        "</main>", '<a href="/news-digest/ads.txt">ads</a><a href="/news-digest/no.txt">x</a>'
                   "\n</main>"))
    (out / "google123.html").write_text("changed by hand")  # (no longer root/'s: a page)
    code, stdout, err = run(check, capsys)
    assert code == 1 and "no built file 'no.txt'" in err and "ads.txt" not in err
    assert "google123.html: the page has no <title>" in err


def test_control_characters_in_bodies_and_fields_leave_a_build_that_check_passes(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text copied out of Word or a PDF: each file's problem is a warning at its line, and
    no page, feed or API file holds the characters (check failed at "line 1" of pages)."""
    (sample_site / "content" / "ctrl.md").write_text(
        '---\ntitle: "Ctrl \\x0b title"\npublishedDateTime: 2024-05-01T10:00:00Z\n'
        "webUrl: https://example.com/ctrl\ntopics: [AI]\n---\nBody \x0b with \x08 bs.\n",
        encoding="utf-8")
    (sample_site / "content" / "2024-05-02-plain.txt").write_text(
        "Plain \x1f title\n\nText \x0c body.\n", encoding="utf-8")
    code, _, err = run(build_args(sample_site, "--base-url", PUBLIC), capsys)
    out = sample_site.parent / "out"
    assert code == 0
    for found in ("content/ctrl.md:2: warning: title:", "content/ctrl.md:7: warning: body:",
                  "content/2024-05-02-plain.txt:1: warning: body:"):
        assert found in err
    for page in out.rglob("*"):
        if page.suffix in {".html", ".xml", ".json"}:
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", page.read_text()), page
    code, stdout, err = run(["check", "--source", str(sample_site), "--output", str(out),
                             "--base-url", PUBLIC], capsys)
    assert (code, err) == (0, "") and "0 problem(s)" in stdout


def test_check_without_a_build_is_a_usage_error(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["check", "--source", str(sample_site)], capsys)
    assert code == 2 and "run digest build first" in err


def test_check_of_an_empty_or_wrong_folder_fails_saying_where_it_looked(
    sample_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong --output (the sources, an empty folder a build never filled) is not a site
    with 0 problems: a CI step checking it went green."""
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder, what in ((empty, "it is empty"),
                         (sample_site / "content", "no .digest-output marker and no index.html")):
        code, out, err = run(["check", "--source", str(sample_site), "--output", str(folder)],
                             capsys)
        assert (code, out) == (2, "")
        assert err.startswith(f"digest: {folder.resolve()} does not look like a site digest "
                              "built: ") and what in err
        assert "Pass --output with the folder digest build wrote" in err


def test_check_quiet_prints_only_problems(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check -q`` as ``build -q``: no summary line; the exit code says how it went."""
    out = sample_site.parent / "out"
    assert run(build_args(sample_site, "--base-url", PUBLIC), capsys)[0] == 0
    for quiet in ("-q", "--quiet"):
        assert run(["check", "--source", str(sample_site), "--output", str(out), quiet],
                   capsys) == (0, "", "")
    (out / "atom.xml").write_text("<feed>")
    code, stdout, err = run(["check", "--source", str(sample_site), "--output", str(out), "-q"],
                            capsys)
    assert (code, stdout) == (1, "") and err.startswith("atom.xml:1: XML parse error")


def test_strict_fails_without_an_absolute_base_url(
    sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(build_args(sample_site, "--strict"), capsys)
    assert code == 1
    assert ("digest build: warning: base_url: base_url '/' (the default: neither --base-url "
            "nor digest.yaml sets it) has no scheme") in err  # (no digest.yaml to name)
    (sample_site / "digest.yaml").write_text("title: T\n", encoding="utf-8")
    assert "digest build: warning: base_url: base_url '/' (the default" in \
        run(build_args(sample_site, "--strict"), capsys)[2]
    assert ", 1 warnings, 0 errors" in out  # (the settings' warning counts too)
    code, out, err = run(build_args(sample_site, "--strict", "--base-url", "/sub/"), capsys)
    assert code == 1 and "--base-url: warning: base_url: base_url '/sub/' has no" in err
    assert ", 1 warnings, 0 errors" in out
    (sample_site / "digest.yaml").write_text("title: T\nbase_url: /sub/\n", encoding="utf-8")
    code, out, err = run(build_args(sample_site, "--strict"), capsys)
    assert "digest.yaml:2: warning: base_url: base_url '/sub/' has no scheme" in err
    (sample_site / "digest.yaml").unlink()
    assert run(build_args(sample_site, "--strict", "--base-url", PUBLIC), capsys)[0] == 0
    assert run(build_args(sample_site), capsys)[0] == 0  # a local build needs no host


def test_a_report_is_written_into_a_new_folder_and_when_the_config_stops_the_build(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI collects the report to annotate problems: a missing folder was a traceback, and
    a configuration error left no report at all (a publisher's trial)."""
    site = make_site({"content/a.md": STORY.format(title="Fine", extra="")})
    report_file = site.parent / "reports" / "today" / "report.json"
    code, _out, err = run(build_args(site, "--report", str(report_file)), capsys)
    assert code == 0 and "Traceback" not in err
    assert json.loads(report_file.read_text(encoding="utf-8"))["ok"] is True
    (site / "digest.yaml").write_text("page_size: x\n", encoding="utf-8")
    code, _out, err = run(build_args(site, "--report", str(report_file)), capsys)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert code == 1 and report["ok"] is False and report["counts"]["stories"] == 0
    assert [(d["file"], d["line"], d["field"]) for d in report["diagnostics"]] == [
        ("digest.yaml", 1, "page_size")]
    unwritable = site / "content" / "a.md" / "report.json"  # (a file stands in the way)
    code, _out, err = run(build_args(site, "--report", str(unwritable)), capsys)
    assert code == 2 and f"digest: cannot write the report to {unwritable}: " in err


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]
                                              ) -> None:
    with pytest.raises(SystemExit) as exited:  # (99999 served on 34463: modulo 65536)
        main(["serve", "--port", port])
    assert exited.value.code == 2
    assert f"{port!r} is not a port (0-65535" in capsys.readouterr().err


def test_report_file_has_counts_diagnostics_with_lines_and_timings(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site({
        "content/a.md": STORY.format(title="Fine", extra=""),
        "content/b.md": STORY.format(title="Odd", extra="exerpt: blue"),
    })
    report_file = site.parent / "report.json"
    code, _out, _err = run(build_args(site, "--report", str(report_file)), capsys)
    assert code == 0
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["ok"] is True and report["strict"] is False
    assert report["counts"]["stories"] == 2 and report["counts"]["warnings"] >= 1
    assert report["counts"]["pages"] >= 5 and report["counts"]["files"] > report["counts"]["pages"]
    [warning] = [d for d in report["diagnostics"] if d["file"] == "content/b.md"]
    assert warning["severity"] == "warning" and warning["line"] == 5
    assert set(report["timings"]) >= {"read", "render", "write"}
    code, _out, _err = run(build_args(site, "--strict", "--report", str(report_file)), capsys)
    assert code == 1 and json.loads(report_file.read_text())["ok"] is False
    # each field on a line of its own, and each diagnostic (each event) on one line too
    lines = report_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and '  "version": 1,' in lines
    items = [json.loads(line.strip().rstrip(",")) for line in lines
             if line.startswith('    {"severity"')]
    assert items == json.loads(report_file.read_text())["diagnostics"] and items
