#!/usr/bin/env bash
# Builds and tests the guest SDKs and the example plugins, then packs and signs each example
# with the pando CLI, the way a plugin author does. Maven runs it before the integration tests
# (guest-sdk/pom.xml); it also runs by hand:
#
#   guest-sdk/build.sh OUT_DIR PANDO_JAR
#
# OUT_DIR gets raw/<name>.wasm (compiler output), plugins/<name>.wasm (signed bundles),
# keys/examples.key(.pub) (a throwaway key made for this build), toolchain.env (the tools
# found) and, for a toolchain that is missing, skipped/<rust|c> holding the reason. Without a
# toolchain the script still succeeds, says loudly what was not built, and the tests that need
# it skip; PANDO_GUEST_REQUIRED=1 (set by .ci/run) turns a missing toolchain into a failure.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 OUT_DIR PANDO_JAR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
jar=$2
required=${PANDO_GUEST_REQUIRED:-0}

rust_examples=(counter thermostat)
c_examples=(greeter)

say() { echo "[guest-sdk] $*"; }

rm -rf "$out/raw" "$out/plugins" "$out/skipped" "$out/toolchain.env"
mkdir -p "$out/raw" "$out/plugins" "$out/skipped" "$out/keys"

# A missing toolchain: fail under PANDO_GUEST_REQUIRED=1, else record it and shout.
skip() {
  local lang=$1 reason=$2 covers=$3 enable=$4
  if [ "$required" = 1 ]; then
    echo "[guest-sdk] ERROR: $reason, and PANDO_GUEST_REQUIRED=1. Install: $enable" >&2
    exit 1
  fi
  printf '%s\n' "$reason; install: $enable" > "$out/skipped/$lang"
  cat >&2 <<EOF
[guest-sdk] ============================================================================
[guest-sdk] WARNING: $reason.
[guest-sdk]   NOT built or tested: $covers.
[guest-sdk]   Their integration tests will be reported as skipped.
[guest-sdk]   To enable: $enable
[guest-sdk] ============================================================================
EOF
}

# A cargo whose rustc has the wasm32-unknown-unknown standard library. Debian's toolchain
# (/usr/bin) has it; a rustup toolchain earlier on PATH may not, so each candidate is checked.
find_rust() {
  local cargo rustc sysroot
  for cargo in ${CARGO:-} cargo /usr/bin/cargo; do
    cargo=$(command -v "$cargo" 2>/dev/null) || continue
    rustc=${RUSTC:-$(dirname "$cargo")/rustc}
    [ -x "$rustc" ] || continue
    sysroot=$("$rustc" --print sysroot 2>/dev/null) || continue
    if [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ]; then
      # rustdoc (doc tests) must be the same version as rustc.
      export CARGO=$cargo RUSTC=$rustc RUSTDOC=${RUSTDOC:-$(dirname "$rustc")/rustdoc}
      return 0
    fi
  done
  return 1
}

# clang that can compile and link a wasm32 module (needs lld's wasm-ld).
find_clang() {
  local clang probe
  probe=$(mktemp -d)
  for clang in ${CLANG:-} clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
    clang=$(command -v "$clang" 2>/dev/null) || continue
    echo 'int probe(void) { return 1; }' > "$probe/p.c"
    if "$clang" --target=wasm32 -nostdlib -Wl,--no-entry -Wl,--export=probe -o "$probe/p.wasm" "$probe/p.c" 2>/dev/null; then
      export CLANG=$clang
      rm -rf "$probe"
      return 0
    fi
  done
  rm -rf "$probe"
  return 1
}

built=()

if find_rust; then
  say "Rust: $("$CARGO" --version), $("$RUSTC" --version)"
  printf 'CARGO=%s\nRUSTC=%s\nRUSTDOC=%s\n' "$CARGO" "$RUSTC" "$RUSTDOC" >> "$out/toolchain.env"
  export CARGO_TARGET_DIR="$out/cargo"
  say "testing the Rust SDK natively (cargo test: unit and doc tests)"
  "$CARGO" test --quiet --manifest-path "$here/rust/Cargo.toml"
  for name in "${rust_examples[@]}"; do
    say "building $name (Rust)"
    bash "$here/examples/$name/build.sh" "$out/raw/$name.wasm"
    built+=("$name")
  done
else
  skip rust "no Rust toolchain with the wasm32-unknown-unknown target" \
    "the Rust SDK's tests and the Rust examples (${rust_examples[*]}), and the plugin guide walk-through" \
    "apt-get install rustc cargo libstd-rust-dev-wasm32 (or: rustup target add wasm32-unknown-unknown)"
fi

if find_clang; then
  say "C: $("$CLANG" --version | head -n 1)"
  printf 'CLANG=%s\n' "$CLANG" >> "$out/toolchain.env"
  say "testing the C SDK natively"
  bash "$here/c/test/run.sh"
  for name in "${c_examples[@]}"; do
    say "building $name (C)"
    bash "$here/examples/$name/build.sh" "$out/raw/$name.wasm"
    built+=("$name")
  done
else
  skip c "no clang able to build wasm32 modules" \
    "the C SDK's tests and the C examples (${c_examples[*]})" \
    "apt-get install clang lld wasi-libc"
fi

if [ ${#built[@]} -eq 0 ]; then
  exit 0
fi

if [ ! -f "$jar" ]; then
  echo "[guest-sdk] ERROR: $jar does not exist; build the node first (mvn -B -DskipTests package)" >&2
  exit 1
fi
pando() { java -jar "$jar" "$@"; }

say "signing with a throwaway key: $out/keys/examples.key"
pando keygen --force -o "$out/keys/examples.key" >/dev/null
for name in "${built[@]}"; do
  pando plugin pack --manifest "$here/examples/$name/manifest.json" --key "$out/keys/examples.key" \
    "$out/raw/$name.wasm" -o "$out/plugins/$name.wasm" >/dev/null
  say "packed $(pando plugin verify --trusted "$out/keys/examples.key.pub" "$out/plugins/$name.wasm")"
done
