#!/bin/sh
# Run casetrail: a virtualenv in .venv, the package installed, an SQLite database in ./data,
# the demo jurisdiction loaded on first run, served on http://127.0.0.1:8000.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_venv
pip_install -e .
exec .venv/bin/casetrail demo "$@"
