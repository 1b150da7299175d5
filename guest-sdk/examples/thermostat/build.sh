#!/usr/bin/env bash
# Builds the plugin module: build.sh OUT.wasm
# Honours CARGO (default: cargo), RUSTC and CARGO_TARGET_DIR (default: this crate's target/).
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 OUT.wasm" >&2
    exit 2
fi

crate=thermostat
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
target_dir=${CARGO_TARGET_DIR:-$here/target}
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac

(cd "$here" && CARGO_TARGET_DIR="$target_dir" "${CARGO:-cargo}" build --release --target wasm32-unknown-unknown)
cp "$target_dir/wasm32-unknown-unknown/release/$crate.wasm" "$out"
