# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run).
PYTHON="${PYTHON:-python3}"

ensure_venv() {
    if ! "$PYTHON" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info < (3, 14) else 1)'; then
        echo "casetrail needs Python 3.11 to 3.13; set PYTHON=/path/to/python3.11" >&2
        exit 2
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "==> creating .venv"
        "$PYTHON" -m venv .venv
        .venv/bin/python -m pip install -q --upgrade pip
    fi
}

pip_install() {
    .venv/bin/python -m pip install -q --disable-pip-version-check -c requirements/constraints.txt "$@"
}
