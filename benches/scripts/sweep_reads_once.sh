#!/usr/bin/env bash
# A plan run with a width sweep, two hecun binaries alternating: the medians of the sweep,
# load and total timings from their run manifests (issue 11 §6: the sweep starts from the
# layers the run prepared instead of reading them again).
#
#   benches/scripts/sweep_reads_once.sh OLD_HECUN NEW_HECUN PLAN SWEEP [RUNS]
#   e.g. ... target/release/hecun PLAN.toml ring=50..300/25 10
set -euo pipefail
old=$1 new=$2 plan=$3 sweep=$4 runs=${5:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for _ in $(seq "$runs"); do
  for b in old new; do
    bin=${!b}
    rm -rf "$tmp/out"
    "$bin" run "$plan" --out "$tmp/out" --sweep "$sweep" -q >/dev/null
    python3 -c '
import json, sys
m = json.load(open(sys.argv[2]))["timings_s"]
print(sys.argv[1], m["sweep"], m["load"], m["total"])' "$b" "$tmp/out/run_manifest.json" >>"$tmp/t"
  done
done
python3 - "$tmp/t" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    b, *v = line.split()
    rows.setdefault(b, []).append([float(x) for x in v])
for b in ("old", "new"):
    v = rows[b]
    med = [statistics.median(x[i] for x in v) for i in range(3)]
    print(f"{b}: sweep {med[0]:.3f} s, load {med[1]:.3f} s, total {med[2]:.3f} s (medians of {len(v)})")
PY
