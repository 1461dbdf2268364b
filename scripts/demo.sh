#!/bin/sh
# Run casetrail: a virtualenv in .venv, the package installed, an SQLite database in ./data,
# the demo jurisdiction loaded on first run, served on http://127.0.0.1:8000.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_venv
pip_install -e .
# PDFs render without it, but about ten times slower (docs/decisions/0009).
if ! has_harfbuzz_subset; then
    if [ "$(id -u)" = 0 ]; then
        echo "==> installing from Debian: libharfbuzz-subset0"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null
    else
        echo "!!  libharfbuzz-subset0 is not installed: documents render, but slowly" >&2
    fi
fi
exec .venv/bin/casetrail demo "$@"
