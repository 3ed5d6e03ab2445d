#!/usr/bin/env bash
# Builds the shipped WebAssembly plugins and puts each module in its plugin's folder
# (plugins/<rule>/wasm/<crate>.wasm), where its plugin.toml names it: a plugin may only read
# files in its own folder. Run from anywhere; the modules themselves are not committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/target"
cargo build --release --target wasm32-unknown-unknown \
  --manifest-path "$here/Cargo.toml" --target-dir "$target"
for manifest in "$here"/*/wasm/plugin.toml; do
  dir="$(dirname "$manifest")"
  # The module each manifest names: `module = "<crate>.wasm"`.
  module="$(sed -n 's/^module *= *"\([^"/]*\.wasm\)".*/\1/p' "$manifest")"
  if [ -z "$module" ]; then
    echo "$manifest: no module = \"<name>.wasm\" line" >&2
    exit 1
  fi
  cp "$target/wasm32-unknown-unknown/release/$module" "$dir/$module"
done
