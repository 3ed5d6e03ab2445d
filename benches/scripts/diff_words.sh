#!/usr/bin/env bash
# Writes, into OUT, the outputs whose words must not change when the wording code moves:
# `hecun run` of the demo in both languages, and `hecun diff` (text and JSON, both languages)
# between the demo and variants that exercise every kind of reason (villages in and out, class
# widths, site scores and terms, exclusions, top-per-township, launch and standard verdicts).
#
#   benches/scripts/diff_words.sh path/to/hecun OUT
#
# Run it with the binary before and after a change and compare the two OUTs; only the
# timings_s of each run_manifest.json may differ:
#   diff -r -I '^ *"[a-z]*": [0-9.e-]*,\?$' OUT1 OUT2
# Since `hecun diff --json` is in no language, each diff-*.zh-CN.json equals its diff-*.en.json.
set -euo pipefail
bin=$(realpath "$1")
out=$(realpath -m "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out"
# The copies live in OUT so that run_manifest.json's working_folder is the same in every OUT.
work="$out/src"

copy() { # a copy of the demo and its plugins in $work/$1
    mkdir -p "$work/$1/gis-data" "$work/$1/plugins"
    cp -r "$repo/gis-data/demo" "$work/$1/gis-data/"
    for p in launch-criteria planning-standard site-score; do
        cp -r "$repo/plugins/$p" "$work/$1/plugins/"
    done
}
run() { # run COPY NAME [FLAGS...]: the demo in copy COPY, into $out/run-NAME
    local copy=$1 name=$2
    shift 2
    (cd "$work/$copy" && "$bin" run gis-data/demo/plan.toml --out "$out/run-$name" --quiet "$@")
}

copy base
run base base
run base base-en --lang en
run base sweep --sweep ring=50..150/50
run base wide --width ring=150
run base narrow --width 环线=50
copy strict
sed -i 's/^min_population = 2000$/min_population = 6000/' "$work/strict/plugins/planning-standard/plugin.toml"
run strict strict
copy weights
sed -i 's/^w_town = 0.4 /w_town = 0.1 /; s/^w_road = 0.3 /w_road = 0.6 /' "$work/weights/plugins/site-score/plugin.toml"
run weights weights
copy farmland
sed -i 's/^max_farmland_share = 0.0$/max_farmland_share = 1.0/' "$work/farmland/plugins/site-score/plugin.toml"
run farmland farmland
copy started
sed -i 's/"基础设施开工":false/"基础设施开工":true/g; s/"安置房开工":false/"安置房开工":true/g; s/"方案通过":false/"方案通过":true/g; s/"新建建筑":true/"新建建筑":false/g' "$work/started/gis-data/demo/villages.geojson"
run started started

pairs="base:wide wide:base base:narrow narrow:base base:strict strict:base base:weights weights:base base:farmland farmland:base base:started started:base base:base"
for pair in $pairs; do
    a=${pair%%:*}
    b=${pair##*:}
    for lang in zh-CN en; do
        "$bin" diff "$out/run-$a" "$out/run-$b" --lang "$lang" | sed "s|$out/||g" >"$out/diff-$a-$b.$lang.txt"
        "$bin" diff "$out/run-$a" "$out/run-$b" --lang "$lang" --json | sed "s|$out/||g" >"$out/diff-$a-$b.$lang.json"
    done
done
cd "$work/base"
for lang in zh-CN en; do
    "$bin" diff gis-data/demo/plan.toml --top 1 --lang "$lang" --quiet >"$out/diff-top1.$lang.txt"
    "$bin" diff gis-data/demo/plan.toml --top 1 --lang "$lang" --quiet --json >"$out/diff-top1.$lang.json"
    "$bin" diff gis-data/demo/plan.toml --width ring=150 --lang "$lang" --quiet >"$out/diff-ring150.$lang.txt"
    "$bin" diff gis-data/demo/plan.toml --width ring=150 --lang "$lang" --quiet --json >"$out/diff-ring150.$lang.json"
done
