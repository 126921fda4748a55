#!/usr/bin/env bash
# The framework's floor (run by scripts/bench): builds end2end/bench/floor in its two shapes the
# way Steward's front end is built (same crate versions and size profile, the same wasm-bindgen
# and wasm-opt -Oz) and prints what a browser fetches for each: the WASM and its loader, raw,
# gzip and brotli (quality 11, as the server's precompressed files). Needs setup.sh's tools.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mktemp -d "${TMPDIR:-/tmp}/steward-floor.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT
TARGET="${CARGO_TARGET_DIR:-$HERE/floor/target}/floor"
for shape in counter form; do
  features=()
  [ "$shape" = form ] && features=(--features form)
  cargo build --quiet --locked --release --lib --target wasm32-unknown-unknown \
    --manifest-path "$HERE/floor/Cargo.toml" --target-dir "$TARGET" "${features[@]}"
  wasm-bindgen --target web --no-typescript --out-dir "$OUT/$shape" --out-name floor \
    "$TARGET/wasm32-unknown-unknown/release/floor.wasm"
  # cargo-leptos's own arguments for wasm-opt (0.3.10, src/compile/front.rs).
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$OUT/$shape/floor_bg.wasm" -o "$OUT/$shape/floor_bg.wasm"
  node - "$shape" "$OUT/$shape/floor_bg.wasm" "$OUT/$shape/floor.js" <<'JS'
const fs = require("fs"), zlib = require("zlib");
const [shape, ...files] = process.argv.slice(2);
const kb = (n) => (n / 1000).toFixed(1);
let total = { raw: 0, gzip: 0, brotli: 0 };
for (const file of files) {
  const body = fs.readFileSync(file);
  const size = {
    raw: body.length,
    gzip: zlib.gzipSync(body, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  for (const k in total) total[k] += size[k];
}
const what = shape === "counter"
  ? "a hydrated counter (reactive system + DOM renderer)"
  : "router + one form calling a server function (the sign-in page's shape)";
console.log(`  floor, ${what}: WASM + loader raw ${kb(total.raw)} KB, gzip ${kb(total.gzip)} KB, brotli ${kb(total.brotli)} KB`);
JS
done
