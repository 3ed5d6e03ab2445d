#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the other on one core,
# and appends a line per target to fuzz/LOG.md: the record of fuzzing hours.
#
#   fuzz/run-all.sh SECONDS [TARGET...]         fuzz, minimize the corpus, log
#   fuzz/run-all.sh --ci SECONDS [TARGET...]    CI: build, fuzz into a scratch corpus, no log
#
# Needs a nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`,
# `cargo install cargo-fuzz`). A crash, an out-of-memory or a timeout stops that target's run;
# the input is in fuzz/artifacts/TARGET/ (the log's "crashes" counts them): fix it, add the input
# as a regression test, and run again. The script exits non-zero if any target found one.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=0
if [[ "${1:-}" == "--ci" ]]; then
  ci=1
  shift
fi
seconds="${1:?usage: fuzz/run-all.sh [--ci] SECONDS [TARGET...]}"
shift
all=(geojson plan_toml plugin_toml wasm_answer grid_spec)
targets=("${@:-${all[@]}}")

# Longest input per target: the seeds' size, with room to grow, and no more (a reader's time is
# linear in the input; longer inputs only slow the search).
max_len() {
  case "$1" in
    geojson | wasm_answer) echo 65536 ;;
    plan_toml | plugin_toml) echo 16384 ;;
    grid_spec) echo 1024 ;;
  esac
}
dict() {
  case "$1" in
    geojson) echo fuzz/dict/geojson.dict ;;
    plan_toml | plugin_toml) echo fuzz/dict/toml.dict ;;
    grid_spec) echo fuzz/dict/grid.dict ;;
  esac
}

# The readers are safe Rust: no sanitizer, for speed; overflow checks and debug assertions on.
fuzz=(cargo +nightly fuzz)
build=(-s none)
if [[ "${targets[*]}" == "${all[*]}" ]]; then
  "${fuzz[@]}" build "${build[@]}"
else
  for t in "${targets[@]}"; do "${fuzz[@]}" build "${build[@]}" "$t"; done
fi

found_any=0
scratch=""
trap '[[ -n "$scratch" ]] && rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  corpus=(fuzz/corpus/"$t")
  if ((ci)); then
    # New inputs go to a scratch folder: CI leaves the checked-in corpus as it is.
    scratch="$(mktemp -d)"
    corpus=("$scratch" fuzz/corpus/"$t")
  fi
  mkdir -p fuzz/artifacts/"$t"
  opts=(-max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1)
  d="$(dict "$t")"
  [[ -n "$d" ]] && opts+=(-dict="$d")
  before=$(find fuzz/artifacts/"$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  log="$(mktemp)"
  # `nice`: the machine may be shared. One process (libFuzzer's default; its -jobs would
  # start worker processes).
  nice -n 19 "${fuzz[@]}" run "${build[@]}" "$t" "${corpus[@]}" -- \
    "${opts[@]}" -max_total_time="$seconds" >"$log" 2>&1 || true
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  after=$(find fuzz/artifacts/"$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  crashes=$((after - before))
  if ((crashes > 0)); then
    grep -m 3 -A 2 'panicked at\|ERROR: libFuzzer\|Test unit written' "$log" >&2 || true
  elif [[ -z "$execs" ]]; then
    # Neither statistics nor a finding: the fuzzer did not run. Nothing is logged.
    tail -n 20 "$log" >&2
    rm -f "$log"
    exit 2
  fi
  rm -f "$log"
  ((crashes > 0)) && found_any=1
  printf '%s: %s s, %s executions, %s crashes\n' "$t" "$seconds" "$execs" "$crashes"
  if ((ci)); then
    rm -rf "$scratch"
    scratch=""
  else
    # Keep the checked-in corpus small: only inputs that add coverage stay.
    # By edges only (-use_counters=0): with hit counts, every mutation of the large seeds
    # kept itself, megabytes in seconds.
    nice -n 19 "${fuzz[@]}" cmin "${build[@]}" "$t" fuzz/corpus/"$t" -- -max_len="$(max_len "$t")" \
      -use_counters=0 >/dev/null 2>&1 || echo "cmin $t failed: corpus left as it is" >&2
    printf '| %s | %s | %s | %s | %s | %s |\n' "$(date -u '+%Y-%m-%d %H:%M')" "$t" "$seconds" \
      "${execs:-?}" "$crashes" "$(git rev-parse --short HEAD)" >>fuzz/LOG.md
  fi
done
exit "$found_any"
