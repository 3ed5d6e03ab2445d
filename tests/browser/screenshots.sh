#!/bin/sh
# Makes the screenshots in docs/screenshots: the demo's and the generated province's
# report.html, in zh-CN and English, each checked by check_report.sh (which takes them) —
# the map as it opens, and the top of the page as it opens (title, build line, summary).
#
#   tests/browser/screenshots.sh [OUT_DIR]      (default docs/screenshots)
#
# Run from the repository's root. Builds the release binaries; generating and running the
# province takes about half a minute, the four browser checks about a minute. ImageMagick's
# `convert` turns the PNGs into smaller JPEGs when it is there; otherwise the PNGs are kept.
set -eu

out=${1:-docs/screenshots}
work=${TMPDIR:-/tmp}/hecun-screenshots
rm -rf "$work"
mkdir -p "$out" "$work"
deps=${HECUN_BROWSER_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/hecun-browser-check}

cargo build --release -q -p hecun-cli -p hecun-gis-data
convert=convert
[ -x /usr/bin/convert ] && convert=/usr/bin/convert
./target/release/gen-demo --scale province "$work/province" >/dev/null

for lang in zh en; do
    flag=""
    [ "$lang" = en ] && flag="--lang en"
    # shellcheck disable=SC2086 # $flag is empty or two words
    ./target/release/hecun run gis-data/demo/plan.toml --out "$work/demo-$lang" --quiet $flag
    # shellcheck disable=SC2086
    ./target/release/hecun run "$work/province/plan.toml" --out "$work/province-$lang" --quiet $flag
    for scale in demo province; do
        name=$scale-$lang
        sh tests/browser/check_report.sh "$work/$name/report.html" "$work/$name-map.png" \
            "$work/$name-page.png" | sed -n 's/^\(timing\|memory\|size\|OK\|FAIL\).*/'"$name"': &/p'
        if "$convert" -version 2>/dev/null | grep -q ImageMagick; then
            "$convert" "$work/$name-map.png" -quality 82 "$out/$name-map.jpg"
        else
            cp "$work/$name-map.png" "$out/$name-map.png"
        fi
        # The top of the page as it opens: what a reader sees first.
        CHROMIUM=${CHROMIUM:-/usr/bin/chromium} NODE_PATH="$deps/node_modules" node -e '
            const { chromium } = require("playwright-core");
            (async () => {
              const b = await chromium.launch({ executablePath: process.env.CHROMIUM,
                args: ["--no-sandbox", "--disable-gpu"] });
              const p = await b.newPage({ viewport: { width: 1280, height: 1300 } });
              await p.goto("file://" + process.argv[1], { waitUntil: "load" });
              await p.waitForTimeout(2500);
              await p.screenshot({ path: process.argv[2], type: "jpeg", quality: 82 });
              await b.close();
            })().catch((e) => { console.error(e); process.exit(1); });' \
            "$(cd "$work/$name" && pwd)/report.html" "$out/$name-page.jpg"
    done
done
ls -l "$out"
