#!/usr/bin/env bash
# Install everything the project needs into a project virtual environment
# (.venv), then build the bundled site into public/.
#
#   bash scripts/setup.sh
#
# Works with Debian's and Ubuntu's own python3 (PEP 668: nothing is installed
# into the system interpreter; python3-venv is installed when missing), with
# pyenv, and with any other Python 3.11+. Safe to run again: Debian packages
# that are already installed are skipped, an existing .venv is reused, and pip
# only installs what changed. Works without a terminal (CI=true, no stdin) on a
# fresh Debian machine as root.
# Environment:
#   PYTHON            interpreter that creates .venv (default: python3; 3.11 or newer)
#   VENV              where the virtual environment goes (default: .venv)
#   SKIP_APT=1        never touch Debian packages
#   SKIP_BUILD=1      install only, do not run `disclose build`
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
APT_PACKAGES=(chromium chromium-driver fonts-noto-cjk)

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }

# Browsers come from Debian only; no tool may download its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PUPPETEER_SKIP_DOWNLOAD=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_ROOT_USER_ACTION=ignore
export DEBIAN_FRONTEND=noninteractive

# --- 1. Debian packages: Chromium (browser tests) and a CJK font ------------
# root_cmd sets as_root to the prefix that runs a command as root, or fails.
root_cmd() {
    if [[ $(id -u) -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    else
        return 1
    fi
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [[ "${SKIP_APT:-}" == 1 ]]; then
    say "SKIP_APT=1: not checking Debian packages"
elif ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian system: install ${APT_PACKAGES[*]} (or equivalents) yourself"
else
    missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        say "Debian packages present: ${APT_PACKAGES[*]}"
    else
        if ! root_cmd; then
            msg="missing Debian packages: ${missing[*]}; as root run: apt-get update && apt-get install -y ${missing[*]}"
            # CI must have them (browser tests fail without Chromium); locally, carry on.
            [[ "${CI:-}" == true ]] && die "$msg"
            say "WARNING: $msg (browser tests will be skipped)"
            as_root=(false)
        fi
        if [[ "${as_root[*]-}" != false ]]; then
            say "installing Debian packages: ${missing[*]}"
            "${as_root[@]}" apt-get update -q
            "${as_root[@]}" apt-get install -y -q "${missing[@]}"
        fi
    fi
fi

# --- 2. A project virtual environment with the package and test tools -----------
"$PYTHON" - <<'PY' || die "Python 3.11 or newer is required ($PYTHON is too old or missing; set PYTHON=/path/to/python3.11)"
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

# Debian and Ubuntu ship venv without ensurepip unless python3-venv (or the
# versioned python3.X-venv) is installed: install it rather than fail.
venv_works() { "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; }
if [[ ! -x "$VENV/bin/python" ]] && ! venv_works; then
    version="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    if [[ "${SKIP_APT:-}" != 1 ]] && command -v apt-get >/dev/null 2>&1 && root_cmd; then
        say "installing Debian's python${version}-venv (venv cannot create environments without it)"
        "${as_root[@]}" apt-get update -q
        "${as_root[@]}" apt-get install -y -q "python${version}-venv" || "${as_root[@]}" apt-get install -y -q python3-venv
    fi
    venv_works || die "$PYTHON cannot create a virtual environment: install python${version}-venv (as root: apt-get install python${version}-venv)"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating the virtual environment $VENV ($("$PYTHON" --version))"
    "$PYTHON" -m venv "$VENV"
fi
venv_python="$VENV/bin/python"
say "pip install -e '.[test]' into $VENV ($("$venv_python" --version))"
"$venv_python" -m pip install --quiet --upgrade-strategy only-if-needed -e '.[test]'

# --- 3. JavaScript tools, only if the project declares any ---------------------
if [[ -f package.json ]]; then
    if [[ -f package-lock.json ]]; then
        say "npm ci"
        npm ci --no-audit --no-fund --ignore-scripts
    else
        say "npm install"
        npm install --no-audit --no-fund --ignore-scripts
    fi
fi

# --- 4. Build the bundled site ----------------------------------------------------
disclose=("$VENV/bin/disclose")
if [[ "${SKIP_BUILD:-}" == 1 ]]; then
    say "SKIP_BUILD=1: not building"
else
    say "disclose build"
    "${disclose[@]}" build
fi
say "done. Run disclose from the virtual environment:"
say "  $VENV/bin/disclose check | build | serve     (or: source $VENV/bin/activate, then disclose …)"
[[ "${SKIP_BUILD:-}" == 1 ]] || say "the bundled site is in public/: open public/index.html"
