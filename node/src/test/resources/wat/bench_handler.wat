;; bench_handler: the small handler of the plugin benchmarks (docs/benchmarks.md, "Plugins"), the
;; same work as the native BenchHandler in dev.pando.node.bench.jmh.BenchPlugins.
;; Op "handle" takes {"key": "<k>", "n": N} (key: plain characters, no escapes), reads the number
;; stored at /_plugins/bench/<k> (0 when absent), stores the sum with N there and returns
;; {"key": "<k>", "total": sum}. Missing fields and host failures are typed errors.
(module
  (import "pando" "kv_get" (func $kv_get (param i32 i32) (result i32)))
  (import "pando" "kv_set" (func $kv_set (param i32 i32 i32 i32 i64) (result i64)))
  (import "pando" "result_read" (func $result_read (param i32 i32) (result i32)))
  (import "pando" "error" (func $error (param i32 i32 i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "/_plugins/bench/")        ;; 16: the plugin's prefix, with the separator
  (data (i32.const 16) "\22key\22:\22")           ;; "key":"    7
  (data (i32.const 24) "\22n\22:")                ;; "n":       4
  (data (i32.const 32) "\22value\22:")            ;; "value":   8
  (data (i32.const 48) "{\22key\22:\22")          ;; {"key":"   8
  (data (i32.const 64) "\22,\22total\22:")        ;; ","total": 10
  (data (i32.const 80) "BAD_REQUEST")             ;; 11
  (data (i32.const 96) "args need a string key and a number n") ;; 37
  (data (i32.const 144) "UNAVAILABLE")            ;; 11
  (data (i32.const 160) "cannot update the total") ;; 23

  ;; ---- arena allocator and output helpers (as in plugin-host's test modules) ----
  (global $heap (mut i32) (i32.const 1024))
  (global $w (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))

  ;; The host calls pando_alloc exactly once before each entry point, so the arena restarts here.
  (func (export "pando_alloc") (param $len i32) (result i32)
    (global.set $heap (i32.const 1024))
    (call $bump (local.get $len)))

  (func $bump (param $len i32) (result i32)
    (local $ptr i32) (local $end i32) (local $have i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.lt_u (local.get $end) (local.get $ptr)) (then (return (i32.const 0))))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535))
                                            (i32.const 16)))
                    (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))

  (func $out_begin (param $cap i32) (result i32)
    (global.set $out (call $bump (local.get $cap)))
    (global.set $w (global.get $out))
    (global.get $out))

  (func $put (param $src i32) (param $len i32)
    (memory.copy (global.get $w) (local.get $src) (local.get $len))
    (global.set $w (i32.add (global.get $w) (local.get $len))))

  (func $put_byte (param $b i32)
    (i32.store8 (global.get $w) (local.get $b))
    (global.set $w (i32.add (global.get $w) (i32.const 1))))

  ;; Decimal digits of $v, built backwards in the scratch bytes 992..1023.
  (func $put_int (param $v i64)
    (local $i i32)
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then (call $put_byte (i32.const 45)) (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (local.set $i (i32.const 1024))
    (loop $digit
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (call $put (local.get $i) (i32.sub (i32.const 1024) (local.get $i))))

  (func $out_end (result i64)
    (call $pack (global.get $out) (i32.sub (global.get $w) (global.get $out))))

  ;; ---- JSON scraps: find a needle, read a number or a plain string after it ----

  ;; Index just past the first occurrence of needle in haystack, or -1.
  (func $find (param $h i32) (param $hl i32) (param $n i32) (param $nl i32) (result i32)
    (local $i i32) (local $j i32)
    (loop $outer
      (if (i32.gt_s (i32.add (local.get $i) (local.get $nl)) (local.get $hl)) (then (return (i32.const -1))))
      (local.set $j (i32.const 0))
      (block $next
        (loop $inner
          (if (i32.eq (local.get $j) (local.get $nl)) (then (return (i32.add (local.get $i) (local.get $nl)))))
          (br_if $next (i32.ne (i32.load8_u (i32.add (local.get $h) (i32.add (local.get $i) (local.get $j))))
                               (i32.load8_u (i32.add (local.get $n) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $inner)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $outer))
    (unreachable))

  ;; The integer starting at $p (optional spaces, optional '-'), stopping at $end or a non-digit.
  (func $atoi (param $p i32) (param $end i32) (result i64)
    (local $v i64) (local $neg i32) (local $c i32)
    (block $start
      (loop $space
        (br_if $start (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $start (i32.ne (i32.load8_u (local.get $p)) (i32.const 32)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $space)))
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 45))
          (then (local.set $neg (i32.const 1)) (local.set $p (i32.add (local.get $p) (i32.const 1)))))))
    (block $done
      (loop $digit
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digit)))
    (if (result i64) (local.get $neg)
      (then (i64.sub (i64.const 0) (local.get $v)))
      (else (local.get $v))))

  ;; Length of the string starting at $p, up to the next double quote or $end.
  (func $strlen (param $p i32) (param $end i32) (result i32)
    (local $n i32)
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (i32.add (local.get $p) (local.get $n)) (local.get $end)))
        (br_if $done (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.const 34)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $scan)))
    (local.get $n))

  (func $bad_args (result i64)
    (call $error (i32.const 80) (i32.const 11) (i32.const 96) (i32.const 37))
    (i64.const 0))

  (func $unavailable (result i64)
    (call $error (i32.const 144) (i32.const 11) (i32.const 160) (i32.const 23))
    (i64.const 0))

  (func (export "handle") (param $args i32) (param $len i32) (result i64)
    (local $end i32) (local $p i32) (local $kp i32) (local $kl i32) (local $n i64)
    (local $full i32) (local $fl i32) (local $st i32) (local $buf i32) (local $total i64) (local $val i32)
    (local.set $end (i32.add (local.get $args) (local.get $len)))

    ;; "key":"<k>": point at the key's bytes in the args buffer.
    (local.set $p (call $find (local.get $args) (local.get $len) (i32.const 16) (i32.const 7)))
    (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (call $bad_args))))
    (local.set $kp (i32.add (local.get $args) (local.get $p)))
    (local.set $kl (call $strlen (local.get $kp) (local.get $end)))
    (if (i32.eqz (local.get $kl)) (then (return (call $bad_args))))

    ;; "n":N
    (local.set $p (call $find (local.get $args) (local.get $len) (i32.const 24) (i32.const 4)))
    (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (call $bad_args))))
    (local.set $n (call $atoi (i32.add (local.get $args) (local.get $p)) (local.get $end)))

    ;; The full key: /_plugins/bench/ + <k>, copied into the arena.
    (local.set $fl (i32.add (i32.const 16) (local.get $kl)))
    (local.set $full (call $bump (local.get $fl)))
    (memory.copy (local.get $full) (i32.const 0) (i32.const 16))
    (memory.copy (i32.add (local.get $full) (i32.const 16)) (local.get $kp) (local.get $kl))

    ;; kv_get leaves {"key":..,"value":N,...} in the result buffer; -3: no entry yet.
    (local.set $st (call $kv_get (local.get $full) (local.get $fl)))
    (if (i32.ge_s (local.get $st) (i32.const 0))
      (then
        (local.set $buf (call $bump (local.get $st)))
        (drop (call $result_read (local.get $buf) (local.get $st)))
        (local.set $p (call $find (local.get $buf) (local.get $st) (i32.const 32) (i32.const 8)))
        (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (call $unavailable))))
        (local.set $total (call $atoi (i32.add (local.get $buf) (local.get $p)) (i32.add (local.get $buf) (local.get $st)))))
      (else
        (if (i32.ne (local.get $st) (i32.const -3)) (then (return (call $unavailable))))))
    (local.set $total (i64.add (local.get $total) (local.get $n)))

    ;; kv_set(full key, digits of total, plain write)
    (local.set $val (call $out_begin (i32.const 24)))
    (call $put_int (local.get $total))
    (if (i64.lt_s (call $kv_set (local.get $full) (local.get $fl) (local.get $val) (i32.sub (global.get $w) (local.get $val))
                               (i64.const -1))
                  (i64.const 0))
      (then (return (call $unavailable))))

    ;; {"key":"<k>","total":T}
    (drop (call $out_begin (i32.add (local.get $kl) (i32.const 48))))
    (call $put (i32.const 48) (i32.const 8))
    (call $put (local.get $kp) (local.get $kl))
    (call $put (i32.const 64) (i32.const 10))
    (call $put_int (local.get $total))
    (call $put_byte (i32.const 125))
    (call $out_end)))
