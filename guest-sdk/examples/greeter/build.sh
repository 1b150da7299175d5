#!/usr/bin/env bash
# Builds the greeter plugin module: build.sh OUT.wasm
# Pack it with: pando plugin pack --manifest manifest.json --key KEY OUT.wasm -o greeter.wasm
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 OUT.wasm" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sdk="$here/../../c"
"${CLANG:-clang}" --target=wasm32 -O2 -std=c11 -ffreestanding -nostdlib \
    -Wall -Wextra -Werror \
    -Wl,--no-entry \
    -I "$sdk" -o "$1" "$here/greeter.c"
