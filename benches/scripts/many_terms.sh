#!/usr/bin/env bash
# `hecun score` on the demo (40 sites) with a site-score plugin that emits TERMS uniquely named
# terms per site (the output-size case of the sandbox): prints the wall seconds and the peak
# resident memory, and checks that the site table has a column per distinct term.
#
#   cargo build --release -p hecun-cli
#   benches/scripts/many_terms.sh [TERMS] [HECUN]
#
# TERMS defaults to 5000 (the plugin raises max_terms to it); HECUN to target/release/hecun.
# With TERMS above the ceiling of max_terms (10000) every site fails with a named error.
# BEFORE_LIMITS=1: a hecun from before the output limits (its manifests have no max_terms).
set -euo pipefail
terms=${1:-5000}
root=$(cd "$(dirname "$0")/../.." && pwd)
hecun=${2:-"$root/target/release/hecun"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/plugin"
cat > "$work/plugin/plugin.toml" <<TOML
name = "many-terms"
version = "1.0.0"
contract = 1
kind = "site-score"
script = "score.rhai"

[limits]
$([ "${BEFORE_LIMITS:-}" = 1 ] || echo "max_terms = $terms")
max_operations = 10_000_000
max_millis = 60_000
TOML
cat > "$work/plugin/score.rhai" <<RHAI
fn score(site, params) {
    let s = 0.0;
    for i in 0..$terms { s += term(\`\${site.id}-\${i}\`, 1.0, 1.0); }
    s
}
RHAI

start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" "$hecun" score "$root/gis-data/demo/plan.toml" \
  --plugin "$work/plugin" --out "$work/out" --quiet || echo "exit code $?"
end=$(date +%s.%N)
columns=$(head -1 "$work/out/sites_scored.csv" | tr ',' '\n' | grep -c '^term:' || true)
awk -v a="$start" -v b="$end" -v rss="$(tail -1 "$work/rss")" -v c="$columns" -v t="$terms" \
  'BEGIN { printf "%d terms per site: %.2f s wall, %.0f MB peak RSS, %d term columns\n", t, b - a, rss / 1024, c }'
