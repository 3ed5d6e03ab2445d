#!/bin/sh
# Checks the canvas map of a large hecun report.html (over 5,000 villages) in headless
# Chromium (network off): loads without errors or requests, labels inside their features,
# search zooms to what it finds. Writes a screenshot of the map.
#
#   tests/browser/check_atlas.sh REPORT.html MAP.png
#
# Needs node (>= 18) and Chromium (Debian: apt-get install chromium; or set CHROMIUM).
# playwright-core is installed on first use into HECUN_BROWSER_DEPS (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/hecun-browser-check), never into the repository.
# Not part of CI. See README.md.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 REPORT.html MAP.png" >&2
    exit 2
fi
report=$1
map_png=$2
[ -f "$report" ] || { echo "no such file: $report" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
deps=${HECUN_BROWSER_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/hecun-browser-check}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "no Chromium at $chromium (apt-get install chromium, or set CHROMIUM)" >&2; exit 2; }

version=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$here/package.json")
if [ ! -f "$deps/node_modules/playwright-core/package.json" ]; then
    mkdir -p "$deps"
    npm install --silent --no-audit --no-fund --prefix "$deps" "playwright-core@$version" >&2
fi

mkdir -p "$(dirname "$map_png")"
# Debian's chromium wrapper prints a harmless shell warning on some kernels; playwright talks
# to the browser over a pipe, so stderr noise does not affect the check.
CHROMIUM=$chromium NODE_PATH="$deps/node_modules" \
    exec node "$here/check_atlas.cjs" "$report" "$map_png"
