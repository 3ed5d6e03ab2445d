#!/bin/sh
# Checks a hecun report.html in headless Chromium (network off): no external request, no
# console or page error; map, legend, scale bar, north arrow, township and community tables
# present and visible. Writes a screenshot of the map and one of the whole page.
#
#   tests/browser/check_report.sh REPORT.html MAP.png [FULL.png] [OPTIONS…]
#
# OPTIONS (see check_report.cjs): --search NAME, --community NAME --verdict TEXT,
# --max-load-ms, --max-paint-ms, --max-elements, --max-memory-mb, --json FILE.
#
# Needs node (>= 18) and Chromium (Debian: apt-get install chromium; or set CHROMIUM).
# playwright-core is installed on first use into HECUN_BROWSER_DEPS (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/hecun-browser-check), never into the repository.
# CI runs it through the `browser` integration test (tests/it/browser.rs). See README.md.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 REPORT.html MAP.png [FULL.png] [OPTIONS…]" >&2
    exit 2
fi
report=$1
map_png=$2
shift 2
full_png=${map_png%.png}-full.png
case "${1:-}" in
    ''|--*) ;;
    *) full_png=$1; shift ;;
esac
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

mkdir -p "$(dirname "$map_png")" "$(dirname "$full_png")"
# Debian's chromium wrapper prints a harmless shell warning on some kernels; playwright talks
# to the browser over a pipe, so stderr noise does not affect the check.
CHROMIUM=$chromium NODE_PATH="$deps/node_modules" \
    exec node "$here/check_report.cjs" "$report" "$map_png" "$full_png" "$@"
