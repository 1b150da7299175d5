#!/usr/bin/env python3
"""List a WebAssembly module's imports, exports and memory, and check them against Pando ABI v1.

Usage: guest-sdk/tools/wasm-abi-check.py MODULE.wasm [--allow PERM ...]

Prints one line per import and export. Exits 1 if the module imports anything outside module
`pando`, imports a gated function (publish/log/clock_ms/random) whose permission is not given
with --allow (publish, log, clock, random), or lacks the `memory` / `pando_alloc` exports.
Standard library only; no wasm-objdump needed.
"""
import sys

GATED = {"publish": "publish", "log": "log", "clock_ms": "clock", "random": "random"}
UNGATED = {"kv_get", "kv_set", "kv_delete", "kv_scan", "result_len", "result_read", "error",
           "caller", "caller_may", "config"}
KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uleb(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def name(self):
        n = self.uleb()
        s = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s

    def limits(self):
        flags = self.byte()
        lo = self.uleb()
        hi = self.uleb() if flags & 1 else None
        return lo, hi


def parse(data):
    if data[:8] != b"\0asm\x01\0\0\0":
        raise SystemExit("not a WebAssembly 1.0 module")
    r = Reader(data, 8)
    types, imports, exports, memories, func_types = [], [], [], [], []
    while r.pos < len(data):
        sid = r.byte()
        size = r.uleb()
        end = r.pos + size
        s = Reader(data, r.pos)
        if sid == 1:  # types
            for _ in range(s.uleb()):
                assert s.byte() == 0x60
                params = [s.byte() for _ in range(s.uleb())]
                results = [s.byte() for _ in range(s.uleb())]
                types.append((params, results))
        elif sid == 2:  # imports
            for _ in range(s.uleb()):
                mod, nm, kind = s.name(), s.name(), s.byte()
                desc = None
                if kind == 0:
                    desc = s.uleb()
                elif kind == 1:
                    s.byte(); s.limits()
                elif kind == 2:
                    desc = s.limits()
                elif kind == 3:
                    s.byte(); s.byte()
                imports.append((mod, nm, KINDS.get(kind, kind), desc))
        elif sid == 3:  # functions
            func_types = [s.uleb() for _ in range(s.uleb())]
        elif sid == 5:  # memories
            memories = [s.limits() for _ in range(s.uleb())]
        elif sid == 7:  # exports
            for _ in range(s.uleb()):
                nm, kind, idx = s.name(), s.byte(), s.uleb()
                exports.append((nm, KINDS.get(kind, kind), idx))
        r.pos = end
    return types, imports, exports, memories, func_types


VT = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}


def sig(t):
    p, res = t
    return "(%s) -> %s" % (", ".join(VT.get(x, hex(x)) for x in p),
                           ", ".join(VT.get(x, hex(x)) for x in res) or "()")


def main(argv):
    if not argv or argv[0].startswith("-"):
        raise SystemExit(__doc__)
    path, allowed = argv[0], set()
    i = 1
    while i < len(argv):
        if argv[i] == "--allow" and i + 1 < len(argv):
            allowed.add(argv[i + 1]); i += 2
        else:
            raise SystemExit(__doc__)
    with open(path, "rb") as f:
        types, imports, exports, memories, func_types = parse(f.read())
    problems = []
    n_func_imports = 0
    func_sigs = []
    for mod, nm, kind, desc in imports:
        s = sig(types[desc]) if kind == "func" else ""
        print("import %s.%s %s %s" % (mod, nm, kind, s))
        if kind == "func":
            n_func_imports += 1
            func_sigs.append(types[desc])
        if mod != "pando" or kind != "func":
            problems.append("imports %s %s.%s (only functions from module pando are allowed)" % (kind, mod, nm))
        elif nm in GATED and GATED[nm] not in allowed:
            problems.append("imports pando.%s, which needs permission %r" % (nm, GATED[nm]))
        elif nm not in GATED and nm not in UNGATED:
            problems.append("imports pando.%s, which the host does not provide" % nm)
    func_sigs += [types[t] for t in func_types]
    names = set()
    for nm, kind, idx in exports:
        names.add(nm)
        extra = sig(func_sigs[idx]) if kind == "func" else ""
        print("export %s %s %s" % (nm, kind, extra))
    for lo, hi in memories:
        print("memory initial=%d pages maximum=%s" % (lo, hi))
    for required in ("memory", "pando_alloc"):
        if required not in names:
            problems.append("does not export %s" % required)
    for p in problems:
        print("PROBLEM: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
