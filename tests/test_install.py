"""A plain, non-editable ``pip install`` into a fresh virtual environment builds the sample.

This is what a newcomer does. The package is installed from a copy of the files a
wheel is built from, so the test shows the default templates and CSS ship as package
data (and are found without the repository's ``templates/`` folder). Slow (~30-60 s,
dependencies come from the package index); it runs in the normal suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.check import check_site
from tests.conftest import ROOT, SAMPLE_CONTENT

pytestmark = pytest.mark.install

PACKAGE_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "generator", "templates")
OPTIONAL_FILES = ("README.md", "LICENSE")


def run(*args: str | Path, cwd: Path, extra_env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(extra_env or {})
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def copy_package_sources(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in PACKAGE_FILES + OPTIONAL_FILES:
        source = ROOT / name
        if name in OPTIONAL_FILES and not source.exists():
            continue
        assert source.exists(), f"{name} is missing from the repository; pip install needs it"
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so"))
        else:
            shutil.copy(source, target / name)
    return target


def test_pip_install_then_digest_build_uses_the_packaged_theme(tmp_path: Path) -> None:
    source = copy_package_sources(tmp_path / "src")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    run(bindir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        source, cwd=tmp_path)
    shutil.rmtree(source)  # nothing may come from the source tree any more
    compiled = run(bindir / "python", "-c", KERNELS_BUILT, cwd=tmp_path).stdout.strip()
    assert compiled == "True True"  # (this machine has a C compiler and libyaml's headers)

    site = tmp_path / "site"
    shutil.copytree(SAMPLE_CONTENT, site / "content")
    result = run(bindir / "digest", "build", "--source", site, "--output", tmp_path / "out",
                 "--base-url", "https://example.org/", cwd=tmp_path)  # (a sitemap wants a host)
    assert "built 4 stories, 3 topics" in result.stdout

    theme = run(bindir / "python", "-c",
                "from generator.theme import default_theme_dir; print(default_theme_dir())",
                cwd=tmp_path).stdout.strip()
    assert Path(theme).resolve().is_relative_to(venv.resolve()), theme
    assert (Path(theme) / "static" / "digest.css").is_file()

    out = tmp_path / "out"
    assert (out / "static" / "digest.css").read_bytes() == \
        (ROOT / "templates" / "static" / "digest.css").read_bytes()
    assert (out / "topics" / "computer-vision" / "index.html").is_file()
    checked = run(bindir / "digest", "check", "--output", out, cwd=tmp_path)  # (what it
    # parses HTML with is a dependency of the package, not of its tests)
    assert "0 problem(s)" in checked.stdout
    run(bindir / "python", "-m", "generator", "build", "--source", site,
        "--output", tmp_path / "out2", "--quiet", cwd=tmp_path)
    assert (tmp_path / "out2" / "index.html").is_file()


KERNELS_BUILT = ("from generator import kernels; "
                 "print(kernels.rank is not None, kernels.load_yaml is not None)")


def test_without_a_c_compiler_the_install_succeeds_and_builds_in_python(tmp_path: Path) -> None:
    """The compiled kernels are optional (setup.py): a machine without a working C compiler
    gets the Python loops, and the same site."""
    source = copy_package_sources(tmp_path / "src")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet",
        "--disable-pip-version-check", source, cwd=tmp_path, extra_env={"CC": "/bin/false"})
    compiled = run(venv / "bin" / "python", "-c", KERNELS_BUILT, cwd=tmp_path).stdout.strip()
    assert compiled == "False False"
    site = tmp_path / "site"
    shutil.copytree(SAMPLE_CONTENT, site / "content")
    result = run(venv / "bin" / "digest", "build", "--source", site, "--output",
                 tmp_path / "out", "--base-url", "https://example.org/", cwd=tmp_path)
    assert "built 4 stories, 3 topics" in result.stdout
    assert [p.format() for p in check_site(tmp_path / "out")] == []


def test_the_readme_quick_start_builds_the_sample_in_the_clone(tmp_path: Path) -> None:
    """`python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/digest build`, run in
    the repository itself: pip's build must not leave a folder digest refuses as build/."""
    clone = copy_package_sources(tmp_path / "clone")
    shutil.copytree(SAMPLE_CONTENT, clone / "content")
    run(sys.executable, "-m", "venv", ".venv", cwd=clone)
    run(clone / ".venv/bin/pip", "install", "--quiet", "--disable-pip-version-check", ".",
        cwd=clone)
    result = run(clone / ".venv/bin/digest", "build", cwd=clone)
    assert "built 4 stories, 3 topics" in result.stdout
    assert (clone / "build" / "topics" / "ibm-ai" / "index.html").is_file()
