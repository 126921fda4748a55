#!/usr/bin/env bash
# What the browser's code is made of (README, "What the code is made of"): builds the front end
# as the release build does (same profile, same flags) plus v0 symbol names, into its own target
# directory, and sums its function bodies by what they implement (wasm_names.py). By hand, not
# part of scripts/bench: a cold run builds the WASM dependencies once more (several minutes).
# Usage: end2end/bench/wasm-names.sh [--top N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/setup.sh"
setup_build_tools
TARGET="$CARGO_TARGET_DIR/wasm-names"
# The flags cargo-leptos gives the split front-end build (.cargo/config.toml's, then
# --emit-relocs), and names that carry each copy's type arguments.
(cd "$ROOT" && RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs -Csymbol-mangling-version=v0" \
  cargo build --locked -q -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release --target-dir "$TARGET")
python3 "$ROOT/end2end/bench/wasm_names.py" "$TARGET/wasm32-unknown-unknown/wasm-release/frontend.wasm" "$@"
