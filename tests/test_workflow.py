"""The example GitHub Pages workflow: installs, builds with --strict, checks, deploys."""

from __future__ import annotations

import os
import subprocess
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


def _build_step_script() -> str:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    [step] = [step for step in workflow["jobs"]["build"]["steps"]
              if "digest build" in step.get("run", "")]
    return str(step["run"])


@pytest.mark.parametrize(("event", "expected"), [("push", "commit"), ("schedule", "now")])
def test_a_scheduled_run_builds_at_its_own_time_a_push_at_the_commits(
        event: str, expected: str, tmp_path: Path) -> None:
    """The build step's script, run by bash with ``git``, ``date`` and ``digest`` stubs:
    the hourly run publishes the stories dated since the last commit, a push builds as
    its commit was."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow[True]["schedule"] == [{"cron": "17 * * * *"}]  # (YAML 1.1 reads on: as True)
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, body in [("git", 'echo 1700000000'), ("date", 'echo 1800000000'),
                       ("digest", 'echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH $*"')]:
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (stubs / name).chmod(0o755)
    script = _build_step_script().replace("${{ steps.pages.outputs.base_url }}",
                                          "https://someone.github.io/news-digest")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True,
                          text=True, check=True,
                          env={**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}",
                               "GITHUB_EVENT_NAME": event})
    epoch = {"commit": "1700000000", "now": "1800000000"}[expected]
    assert done.stdout.startswith(f"SOURCE_DATE_EPOCH={epoch} build --strict"), done.stdout
