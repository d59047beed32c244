#!/usr/bin/env bash
# Install everything the project needs, then build the bundled site into public/.
#
#   bash scripts/setup.sh
#
# Safe to run again: Debian packages that are already installed are skipped
# (no apt-get update), and pip only installs what changed.
# Works without a terminal (CI=true, no stdin) on a fresh Debian machine as root.
# Environment:
#   PYTHON            interpreter to use (default: python3; needs 3.11 or newer)
#   SKIP_APT=1        never touch Debian packages
#   SKIP_BUILD=1      install only, do not run `disclose build`
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
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
        if [[ $(id -u) -eq 0 ]]; then
            as_root=()
        elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            as_root=(sudo -n)
        else
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

# --- 2. Python package and test tools ----------------------------------------
"$PYTHON" - <<'PY' || die "Python 3.11 or newer is required ($PYTHON is too old or missing)"
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
say "pip install -e '.[test]' ($("$PYTHON" --version))"
"$PYTHON" -m pip install --quiet --upgrade-strategy only-if-needed -e '.[test]'

# pyenv only sees new console scripts after a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash >/dev/null 2>&1 || true; fi

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
# Use the disclose script of the interpreter we just installed into, whatever PATH says.
scripts_dir="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
if [[ -x "$scripts_dir/disclose" ]]; then
    disclose=("$scripts_dir/disclose")
else
    disclose=("$PYTHON" -m generator)
fi
if [[ "${SKIP_BUILD:-}" == 1 ]]; then
    say "SKIP_BUILD=1: not building"
else
    say "disclose build"
    "${disclose[@]}" build
    say "done: open public/index.html, or run: disclose serve"
fi
