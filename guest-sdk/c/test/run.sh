#!/usr/bin/env bash
# Native unit tests of the C SDK (no wasm needed): builds test_pando.c and test_greeter.c with
# ${CC:-cc} and runs them; exits non-zero on the first failure. If clang and wasm-ld can build
# wasm32 modules, it also builds the greeter example and checks its imports and exports.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sdk="$here/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cc="${CC:-cc}"
flags=(-std=c11 -O1 -g -Wall -Wextra -Werror -I "$sdk")
# Sanitizers when the compiler has them.
if echo 'int main(void){return 0;}' | "$cc" -x c - -fsanitize=address,undefined -o "$out/probe" 2>/dev/null; then
    flags+=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
fi
for t in test_pando test_greeter; do
    "$cc" "${flags[@]}" -o "$out/$t" "$here/$t.c"
    "$out/$t"
done

clang="${CLANG:-clang}"
if command -v "$clang" >/dev/null && command -v wasm-ld >/dev/null; then
    CLANG="$clang" "$sdk/../examples/greeter/build.sh" "$out/greeter.wasm"
    python3 "$sdk/../tools/wasm-abi-check.py" "$out/greeter.wasm" --allow log > "$out/abi.txt"
    expected=$'import pando.log func (i32, i32, i32) -> ()\nimport pando.error func (i32, i32, i32, i32) -> ()\nexport memory memory \nexport pando_alloc func (i32) -> i32\nexport greet func (i32, i32) -> i64'
    if [ "$(grep -v '^memory' "$out/abi.txt")" != "$expected" ]; then
        echo "greeter.wasm imports/exports differ from the expected ones:" >&2
        cat "$out/abi.txt" >&2
        exit 1
    fi
    echo "greeter.wasm: imports and exports as expected"
else
    echo "skipping the wasm build check (no $clang or wasm-ld)"
fi
echo "all C SDK tests passed"
