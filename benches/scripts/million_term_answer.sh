#!/usr/bin/env bash
# `hecun score` on the demo (40 sites) with a WebAssembly guest (WebAssembly text) that
# answers each site with 1,000,000 terms (21 MB per answer): prints the wall seconds and the
# peak resident memory. The host refuses the answer by its length (max_answer_bytes) before
# reading it, so every site fails with a named error and the command exits 3.
#
#   cargo build --release -p hecun-cli
#   benches/scripts/million_term_answer.sh [HECUN]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
hecun=${1:-"$root/target/release/hecun"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/plugin"
cat > "$work/plugin/plugin.toml" <<'TOML'
name = "million-terms"
version = "1.0.0"
contract = 1
kind = "site-score"
module = "g.wat"
TOML
cat > "$work/plugin/g.wat" <<'WAT'
(module
  (memory (export "memory") 512)
  (global (export "hecun_progress") i32 (i32.const 16))
  (func (export "hecun_abi_version") (result i32) i32.const 1)
  (func (export "hecun_alloc") (param i32) (result i32) i32.const 65536)
  (func (export "hecun_init") (param i32 i32) (result i64) i64.const 0)
  (func (export "hecun_run") (param i32 i32 i32) (result i64) (local $t i32) (local $at i32)
    (local.set $at (i32.const 4194304))
    (i32.store8 (local.get $at) (i32.const 0))
    (f64.store (i32.add (local.get $at) (i32.const 1)) (f64.const 1))
    (i32.store (i32.add (local.get $at) (i32.const 9)) (i32.const 1000000))
    (local.set $at (i32.add (local.get $at) (i32.const 13)))
    (block $tdone (loop $tl
      (br_if $tdone (i32.ge_u (local.get $t) (i32.const 1000000)))
      (i32.store (local.get $at) (i32.const 1))
      (i32.store8 (i32.add (local.get $at) (i32.const 4)) (i32.const 116))
      (f64.store (i32.add (local.get $at) (i32.const 5)) (f64.const 0))
      (f64.store (i32.add (local.get $at) (i32.const 13)) (f64.const 0))
      (local.set $at (i32.add (local.get $at) (i32.const 21)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tl)))
    (i64.or (i64.shl (i64.const 4194304) (i64.const 32))
            (i64.extend_i32_u (i32.sub (local.get $at) (i32.const 4194304)))))
)
WAT
/usr/bin/time -f "%e s wall, %M KB peak RSS" "$hecun" score "$root/gis-data/demo/plan.toml" \
  --plugin "$work/plugin" --out "$work/out" --quiet || echo "exit code $?"
