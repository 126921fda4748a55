# Shared by scripts/run and scripts/test: installs what is missing, idempotently, and sets PATH.
# Sourced, not executed. Everything installed lives outside the checkout, under $STEWARD_CACHE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STEWARD_CACHE="${STEWARD_CACHE:-$HOME/.cache/steward}"
TOOLS="$STEWARD_CACHE/tools"
# Build products outside the checkout, so a fresh clone reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$STEWARD_CACHE/target}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

CARGO_LEPTOS_VERSION=0.3.10
# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# cargo-leptos and wasm-bindgen first, then npm's wasm-opt (binaryen 132; Debian's 108 breaks
# hydration). cargo-leptos is built with no_downloads: a missing tool fails loudly.
export PATH="$TOOLS/bin:$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

setup_build_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # The tools are built without link-time optimisation, with parallel code generation and at
  # optimisation level 1: cargo-leptos's own release profile (fat LTO, one codegen unit, level
  # 3) made its install a third of a cold run on 2 cores, for build tools whose own speed is a
  # few seconds of a build (README, "Timings").
  local fast_build=(env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1)
  if ! cargo-leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (once; the longest step of a cold run)"
    "${fast_build[@]}" cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads --root "$TOOLS"
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    "${fast_build[@]}" cargo install wasm-bindgen-cli --locked --version "=$WASM_BINDGEN_VERSION" --root "$TOOLS"
  fi
  if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "Installing node packages (binaryen, Playwright, axe-core)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The built site (WASM, JS, CSS, precompressed copies) also lives outside the checkout: a fresh
# clone with the same front-end sources reuses it. Read by cargo-leptos and by the server.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$STEWARD_CACHE/site}"

# What the browser's part of the build depends on: its sources, the lock file, the build
# settings and the tools. Same fingerprint as the last successful build: the front-end steps
# (cargo for wasm32, wasm-bindgen, wasm-opt, hashing, precompression) are skipped.
front_fingerprint() {
  (
    cd "$ROOT"
    find app frontend style public -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock Leptos.toml scripts/setup.sh scripts/name-by-content.mjs
    rustc --version
    cargo-leptos --version
    wasm-bindgen --version
    wasm-opt --version
    # Settings from the environment change the output as much as the sources do.
    env | grep -E '^(RUSTFLAGS|CARGO_ENCODED_RUSTFLAGS|CARGO_PROFILE_|LEPTOS_)' | sort
  ) | sha256sum | cut -d' ' -f1
}

# Whether the built site is whole: every file hash.txt (beside the server binary) names is there.
site_complete() {
  local hashes="$CARGO_TARGET_DIR/release/hash.txt" kind hash
  [ -f "$hashes" ] || return 1
  while read -r kind hash; do
    [ -n "$hash" ] || continue
    compgen -G "$LEPTOS_SITE_ROOT/pkg/*.$hash.*" >/dev/null || return 1
  done <"$hashes"
}

# The front end in release (WASM, JS, CSS), unless its inputs are unchanged (see above).
# --precompress writes .br and .gz beside every static file; the server sends those as they are.
# --split cuts the WASM where the code says (app::routes): the sign-in page, then everything else.
# Writes hash.txt (the built files' names) beside the release server binary.
build_front_end() {
  local stamp="$LEPTOS_SITE_ROOT/.front-inputs" fingerprint
  fingerprint="$(front_fingerprint)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && site_complete; then
    say "The front end is unchanged: its release build is reused"
    return 0
  fi
  say "Building the front end (release)"
  rm -f "$stamp"
  (cd "$ROOT" && cargo leptos build --release --precompress --split --frontend-only)
  # Every file's name the hash of its final content, so browsers keep them all (see the script).
  node "$ROOT/scripts/name-by-content.mjs" "$LEPTOS_SITE_ROOT/pkg" "$CARGO_TARGET_DIR/release/hash.txt"
  echo "$fingerprint" >"$stamp"
}

# Release build: the front end (above), then the server at full optimisation.
build_release() {
  build_front_end
  say "Building the server (release)"
  (cd "$ROOT" && cargo leptos build --release --server-only)
}

# A real SMTP server for the tests (Python's aiosmtpd from PyPI), in a venv under the cache.
AIOSMTPD_VERSION=1.4.6
setup_smtp_test_server() {
  local venv="$STEWARD_CACHE/venv"
  if ! "$venv/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    say "Installing aiosmtpd $AIOSMTPD_VERSION (test SMTP server)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
  fi
  SMTP_PYTHON="$venv/bin/python"
}
