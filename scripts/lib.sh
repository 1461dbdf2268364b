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

# Debian packages the documents need and the machine lacks, each with a leading space:
# HarfBuzz's subsetter (WeasyPrint embeds only the glyphs a PDF uses with it, in a tenth of the
# time fontTools takes: docs/decisions/0009), and for the tests pdftotext and pdfsig
# (poppler-utils) and zbarimg (zbar-tools) to read PDFs and QR codes back.
has_harfbuzz_subset() {
    PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0'
}

document_packages_missing() {
    has_harfbuzz_subset || printf ' libharfbuzz-subset0'
    command -v pdftotext >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1 || printf ' poppler-utils'
    command -v zbarimg >/dev/null 2>&1 || printf ' zbar-tools'
}
