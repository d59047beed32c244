#!/usr/bin/env bash
# Run the whole test suite: the linter, then every test (browser tests included).
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -m 'not browser' -x   # extra arguments go to pytest
#
# Exit status is pytest's (ruff failing stops before pytest). Run scripts/setup.sh first:
# the tests run in its virtual environment (.venv), or with $PYTHON when set.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "${VENV:-.venv}/bin/python" ]]; then PYTHON="${VENV:-.venv}/bin/python"; else PYTHON=python3; fi
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PYTHONDONTWRITEBYTECODE=1

start=$SECONDS

echo "==> ruff check ."
"$PYTHON" -m ruff check .

# JavaScript unit tests, only if the project declares them.
if [[ -f package.json ]] && node -e 'process.exit(require("./package.json").scripts?.test ? 0 : 1)' 2>/dev/null; then
    echo "==> npm test"
    npm test --silent
fi

echo "==> pytest $*"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
"$PYTHON" -m pytest "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# pytest's own summary line ("=== 120 passed, 1 skipped in 95.2s ==="), repeated last so it is easy to find.
summary="$(grep -E '(passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?|no tests ran) in [0-9.]+s' "$log" \
    | tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true)"
echo
echo "pytest: ${summary:-no summary line (exit status $status)}"
echo "scripts/test.sh: exit status $status, $((SECONDS - start)) s in all"
exit "$status"
