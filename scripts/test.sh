#!/bin/sh
# The whole test suite: lint, types, import contracts, migrations, deploy checks, then the
# tests on SQLite (with the browser tests in headless Chromium) and on a throwaway PostgreSQL
# cluster started here. As root it installs Debian's postgresql and chromium if missing, and
# what the document tests use (scripts/lib.sh: poppler-utils, zbar-tools, HarfBuzz's subsetter);
# otherwise it says what it had to skip.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_venv
echo "==> installing casetrail and its test tools"
pip_install -e '.[dev]'
export PATH="$PWD/.venv/bin:$PATH"

SKIPPED=""
need_apt=""
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
[ -n "$(pg_bin)" ] || need_apt="$need_apt postgresql"
command -v chromium >/dev/null 2>&1 || need_apt="$need_apt chromium"
# GNU gettext: tests/test_translations.py checks the catalogue with scripts/translations.py.
command -v xgettext >/dev/null 2>&1 || need_apt="$need_apt gettext"
need_apt="$need_apt$(document_packages_missing)"
if [ -n "$need_apt" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "==> installing from Debian:$need_apt"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_apt fonts-noto-cjk >/dev/null
    else
        echo "!!  not root: cannot install$need_apt; those tests will be skipped" >&2
    fi
fi

echo "==> ruff"
ruff check src tests benchmarks scripts
ruff format --check src tests benchmarks scripts
echo "==> mypy"
mypy src
echo "==> import contracts"
lint-imports
echo "==> migrations are current"
DJANGO_SETTINGS_MODULE=casetrail.config.settings.test django-admin makemigrations --check --dry-run
echo "==> rules reference is current"
python -m casetrail.procedure.docgen --check
echo "==> documents reference is current"
python -m casetrail.documents.docgen --check
echo "==> deploy checks on production settings"
CASETRAIL_SECRET_KEY="check-deploy-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
CASETRAIL_ALLOWED_HOSTS=casetrail.example \
DJANGO_SETTINGS_MODULE=casetrail.config.settings.production \
    django-admin check --deploy --fail-level WARNING

PYTEST_ARGS="-p no:cacheprovider -q"
if command -v chromium >/dev/null 2>&1; then
    export CASETRAIL_CHROMIUM="$(command -v chromium)"
else
    SKIPPED="$SKIPPED browser-tests"
    PYTEST_ARGS="$PYTEST_ARGS --deselect tests/e2e"
fi

# Every test runs on a frozen clock (tests/conftest.py); each run below picks another instant,
# so a test that depends on the hour, the day or the year fails here and not at 20:00 some day:
# an early UTC hour, a late one (already the next day in Shanghai), and a New Year's Eve years
# ahead of every fixed date in the code.
EARLY="2026-03-10T03:00:00+00:00"
LATE="2026-07-15T20:30:00+00:00"
FAR="2031-12-31T20:00:00+00:00"

# Coverage is measured on the SQLite run at EARLY and the PostgreSQL run (each database takes
# branches the other does not) and gated at the end (pyproject.toml [tool.coverage.report]).
rm -f .coverage .coverage.*
echo "==> tests on SQLite at $EARLY (measuring coverage)"
unset DATABASE_URL || true
CASETRAIL_TEST_NOW="$EARLY" pytest $PYTEST_ARGS -n 2 --dist loadfile --cov --cov-report= --cov-fail-under=0
echo "==> tests on SQLite at $FAR"
# The route walker (tests/test_routes.py and tests/test_routes_sealed.py) builds its site at
# fixed instants of its own (the evening of tests/routes.py), whatever the frozen clock says: at
# another instant it would walk the same site again, a third of this run's time for nothing.
CASETRAIL_TEST_NOW="$FAR" pytest $PYTEST_ARGS -n 2 --dist loadfile --ignore=tests/test_routes.py --ignore=tests/test_routes_sealed.py

PGBIN="$(pg_bin)"
if [ -n "$PGBIN" ]; then
    PGTMP="$(mktemp -d /tmp/casetrail-pg.XXXXXX)"
    RUN=""
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$PGTMP" 2>/dev/null || { useradd -r postgres && chown postgres "$PGTMP"; }
        RUN="runuser -u postgres --"
    fi
    cleanup() { $RUN "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGTMP"; }
    trap cleanup EXIT INT TERM
    echo "==> starting a throwaway PostgreSQL in $PGTMP"
    $RUN "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    $RUN "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
        -o "-k $PGTMP -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    export DATABASE_URL="postgres://postgres@/postgres?host=$PGTMP"
    echo "==> tests on PostgreSQL at $LATE (measuring coverage)"
    CASETRAIL_TEST_NOW="$LATE" pytest $PYTEST_ARGS -n 2 --dist loadfile --deselect tests/e2e \
        --cov --cov-append --cov-report= --cov-fail-under=0
else
    SKIPPED="$SKIPPED postgresql-tests"
fi

echo "==> branch coverage of procedure/, the ledger's core, every actions and access module"
if [ -n "$PGBIN" ]; then
    coverage report
else
    coverage report --fail-under=0 || true
    echo "!!  coverage not gated: the PostgreSQL run's branches were not measured" >&2
fi

if [ -n "$SKIPPED" ]; then
    echo "!!  skipped:$SKIPPED (run as root, or install them, to run everything)" >&2
fi
