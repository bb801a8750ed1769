"""The example GitHub Pages workflow: installs, builds with --strict, checks, deploys."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.cli import main
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def test_the_workflow_builds_strictly_checks_and_deploys() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    build_steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in build_steps)
    uses = [step.get("uses", "") for step in build_steps]
    assert "pip install ." in runs
    assert "digest build --strict --base-url" in runs and "SOURCE_DATE_EPOCH" in runs
    assert "digest check --output build --base-url" in runs
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_the_workflow_commands_pass_on_the_sample(sample_site: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    base_url = "https://someone.github.io/news-digest/"  # what configure-pages gives, plus /
    out = str(sample_site / "build")
    assert main(["build", "--source", str(sample_site), "--strict", "--base-url", base_url,
                 "--output", out, "--report", str(sample_site / "report.json")]) == 0
    assert main(["check", "--source", str(sample_site), "--output", out,
                 "--base-url", base_url]) == 0
    assert "0 problem(s)" in capsys.readouterr().out
