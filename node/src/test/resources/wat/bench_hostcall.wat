;; bench_hostcall: measures the cost of one host-function call (docs/benchmarks.md, "Plugins").
;; Each export runs the same loop of 1000 iterations (the benchmarks' OPS_PER_CALL), adding to an
;; i64 accumulator either the loop counter ("loop_none", the baseline) or what one host function
;; returned: clock_ms, result_len, or kv_get of a key that does not exist (status -3, with the
;; host's message left in the result buffer). Args are ignored; the result is the accumulator.
(module
  (import "pando" "clock_ms" (func $clock_ms (result i64)))
  (import "pando" "result_len" (func $result_len (result i32)))
  (import "pando" "kv_get" (func $kv_get (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "/_plugins/hostcall/missing") ;; 26

  (global $heap (mut i32) (i32.const 1024))

  (func (export "pando_alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 32768)) (then (return (i32.const 0))))
    (i32.const 1024))

  ;; The accumulator as decimal digits ending at the top of memory; returns (ptr << 32) | len.
  (func $result (param $v i64) (result i64)
    (local $i i32) (local $neg i32)
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then (local.set $neg (i32.const 1)) (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (local.set $i (i32.const 65536))
    (loop $digit
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (if (local.get $neg)
      (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (i32.store8 (local.get $i) (i32.const 45))))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $i)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (i32.const 65536) (local.get $i)))))

  (func (export "loop_none") (param i32 i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
    (call $result (local.get $acc)))

  (func (export "loop_clock_ms") (param i32 i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (call $clock_ms)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
    (call $result (local.get $acc)))

  (func (export "loop_result_len") (param i32 i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (call $result_len))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
    (call $result (local.get $acc)))

  (func (export "loop_kv_get_missing") (param i32 i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_s (call $kv_get (i32.const 0) (i32.const 26)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
    (call $result (local.get $acc))))
