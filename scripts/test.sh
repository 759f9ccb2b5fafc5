#!/usr/bin/env bash
# Run the test suite: installs Debian's Chromium for the browser tests if missing, installs the
# package with its test extras, then runs pytest. Arguments go to pytest (e.g. `-m "not browser"`).
# Playwright never downloads a browser of its own: the browser tests drive /usr/bin/chromium.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export NO_MKDOCS_2_WARNING=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x /usr/bin/chromium ]; then
    echo "scripts/test.sh: /usr/bin/chromium is missing; installing Debian's chromium" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    fi
    $SUDO apt-get update </dev/null
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium </dev/null
fi

python3 -m pip install --quiet -e ".[test]" </dev/null

# axe-core (npm) runs inside the browser tests' pages for the accessibility check.
if [ ! -f node_modules/axe-core/axe.min.js ]; then
    if ! command -v npm >/dev/null 2>&1; then
        SUDO=""
        if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        fi
        $SUDO apt-get update </dev/null
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm </dev/null
    fi
    npm install --no-audit --no-fund --silent </dev/null
fi

exec python3 -m pytest "$@"
