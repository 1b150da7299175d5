#!/usr/bin/env python3
"""Lists a WebAssembly module's imports, exports and memory, to check a plugin before packing it.

Usage: wasm-info.py MODULE.wasm

A Pando ABI v1 module may import functions from module `pando` only, and the gated ones
(publish, log, clock_ms, random) only with the matching manifest permission.
"""
import sys

KINDS = {0: "func", 1: "table", 2: "memory", 3: "global"}
GATED = {"publish": "publish", "log": "log", "clock_ms": "clock", "random": "random"}


def leb(b, i):
    result = shift = 0
    while True:
        x = b[i]
        i += 1
        result |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return result, i


def name(b, i):
    n, i = leb(b, i)
    return b[i:i + n].decode("utf-8"), i + n


def skip_import_desc(b, kind, i):
    if kind == 0:
        return leb(b, i)[1]
    if kind == 1:
        i += 1  # element type
    elif kind == 3:
        return i + 2  # value type, mutability
    flags = b[i]
    i = leb(b, i + 1)[1]
    return leb(b, i)[1] if flags & 1 else i


def main(path):
    b = open(path, "rb").read()
    if b[:4] != b"\0asm":
        sys.exit(f"{path}: not a WebAssembly module")
    i = 8
    while i < len(b):
        section = b[i]
        size, i = leb(b, i + 1)
        end = i + size
        if section == 2:
            count, j = leb(b, i)
            for _ in range(count):
                module, j = name(b, j)
                field, j = name(b, j)
                kind = b[j]
                j = skip_import_desc(b, kind, j + 1)
                note = ""
                if module != "pando" or kind != 0:
                    note = "  <- refused: only functions from 'pando' may be imported"
                elif field in GATED:
                    note = f"  (needs permission '{GATED[field]}')"
                print(f"import {module}.{field} ({KINDS.get(kind, kind)}){note}")
        elif section == 5:
            count, j = leb(b, i)
            for _ in range(count):
                flags = b[j]
                initial, j = leb(b, j + 1)
                maximum = None
                if flags & 1:
                    maximum, j = leb(b, j)
                print(f"memory initial {initial} pages, maximum {maximum if maximum is not None else 'none'}")
        elif section == 7:
            count, j = leb(b, i)
            for _ in range(count):
                field, j = name(b, j)
                kind = b[j]
                _, j = leb(b, j + 1)
                print(f"export {field} ({KINDS.get(kind, kind)})")
        elif section == 0:
            section_name, _ = name(b, i)
            print(f"custom section {section_name} ({size} bytes)")
        i = end


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: wasm-info.py MODULE.wasm")
    main(sys.argv[1])
