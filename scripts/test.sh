#!/usr/bin/env bash
# The whole test suite, from a fresh machine: system packages (Chromium, nginx),
# a virtual environment with the test extras, then pytest. Extra arguments go
# to pytest, e.g. `bash scripts/test.sh -k golden`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip 'setuptools>=77'  # (pyproject.toml's
# license expression: for `setup.py build_ext --inplace` in this venv; pip builds with its own)
.venv/bin/python -m pip install --quiet -e '.[test]'

.venv/bin/python -m ruff check generator tests bench
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest -q "$@"
