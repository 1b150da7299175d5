;; kvprobe: hands whatever key it is given to the KV host functions and reports what the host
;; said. Args: {"key": "<key>"} (no escapes); for apply, the kv_apply document itself. Result: {"status": S, "result": R} where S is the
;; host function's return value and R is the result buffer: the data on success (null if
;; empty), the error message as a string on failure.
(module
  (import "pando" "kv_get" (func $kv_get (param i32 i32) (result i32)))
  (import "pando" "kv_set" (func $kv_set (param i32 i32 i32 i32 i64) (result i64)))
  (import "pando" "kv_delete" (func $kv_delete (param i32 i32) (result i32)))
  (import "pando" "kv_scan" (func $kv_scan (param i32 i32 i32 i32 i32) (result i32)))
  (import "pando" "kv_apply" (func $kv_apply (param i32 i32) (result i32)))
  (import "pando" "result_len" (func $result_len (result i32)))
  (import "pando" "result_read" (func $result_read (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "\22key\22:\22")           ;; "key":"     7
  (data (i32.const 16) "{\22status\22:")         ;; {"status":  10
  (data (i32.const 32) ",\22result\22:")         ;; ,"result":  10
  (data (i32.const 48) "1")                       ;; the value every set writes
  (data (i32.const 52) "null")                    ;; 4
  (data (i32.const 64) "/\ff\fe")                 ;; a key that is not UTF-8, 3
  ;; values the node's JSON rules refuse (below the arena at 1024, except the long one)
  (data (i32.const 80) "\22\c0\af\22")           ;; 4: overlong '/'
  (data (i32.const 96) "1e999999")                ;; 8: overflows a double
  (data (i32.const 112) "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]") ;; 131: 65 deep
  (data (i32.const 32768) "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]") ;; 1999: 999 deep

  (global $kp (mut i32) (i32.const 0))
  (global $kl (mut i32) (i32.const 0))

  ;; ---- arena allocator and output helpers (shared by the test modules) ----
  (global $heap (mut i32) (i32.const 1024))
  (global $w (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))

  ;; The host calls pando_alloc exactly once before each entry point, so every earlier buffer is
  ;; dead by then and the arena can start over.
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

  ;; Sets $kp/$kl to the key string in the args (up to the next double quote); empty if absent.
  (func $key (param $args i32) (param $len i32)
    (local $p i32) (local $end i32)
    (global.set $kl (i32.const 0))
    (local.set $p (call $find (local.get $args) (local.get $len) (i32.const 0) (i32.const 7)))
    (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return)))
    (global.set $kp (i32.add (local.get $args) (local.get $p)))
    (local.set $end (i32.add (local.get $args) (local.get $len)))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (i32.add (global.get $kp) (global.get $kl)) (local.get $end)))
        (br_if $done (i32.eq (i32.load8_u (i32.add (global.get $kp) (global.get $kl))) (i32.const 34)))
        (global.set $kl (i32.add (global.get $kl) (i32.const 1)))
        (br $scan))))

  (func $report (param $status i64) (result i64)
    (local $n i32) (local $failed i32)
    (local.set $n (call $result_len))
    (local.set $failed (i64.lt_s (local.get $status) (i64.const 0)))
    (drop (call $out_begin (i32.add (local.get $n) (i32.const 64))))
    (call $put (i32.const 16) (i32.const 10))
    (call $put_int (local.get $status))
    (call $put (i32.const 32) (i32.const 10))
    (if (i32.eqz (local.get $n))
      (then (call $put (i32.const 52) (i32.const 4)))
      (else
        (if (local.get $failed) (then (call $put_byte (i32.const 34))))
        (drop (call $result_read (global.get $w) (local.get $n)))
        (global.set $w (i32.add (global.get $w) (local.get $n)))
        (if (local.get $failed) (then (call $put_byte (i32.const 34))))))
    (call $put_byte (i32.const 125))
    (call $out_end))

  (func (export "get") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (i64.extend_i32_s (call $kv_get (global.get $kp) (global.get $kl)))))

  (func (export "set") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (call $kv_set (global.get $kp) (global.get $kl) (i32.const 48) (i32.const 1) (i64.const -1))))

  (func (export "set_overlong") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (call $kv_set (global.get $kp) (global.get $kl) (i32.const 80) (i32.const 4) (i64.const -1))))
  (func (export "set_inf") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (call $kv_set (global.get $kp) (global.get $kl) (i32.const 96) (i32.const 8) (i64.const -1))))
  (func (export "set_limit_plus_one") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (call $kv_set (global.get $kp) (global.get $kl) (i32.const 112) (i32.const 131) (i64.const -1))))
  (func (export "set_deep") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (call $kv_set (global.get $kp) (global.get $kl) (i32.const 32768) (i32.const 1999) (i64.const -1))))

  ;; Compare-and-set with if_revision 0: succeeds only if the key does not exist yet.
  (func (export "create") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (call $kv_set (global.get $kp) (global.get $kl) (i32.const 48) (i32.const 1) (i64.const 0))))

  (func (export "delete") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (i64.extend_i32_s (call $kv_delete (global.get $kp) (global.get $kl)))))

  (func (export "scan") (param $args i32) (param $len i32) (result i64)
    (call $key (local.get $args) (local.get $len))
    (call $report (i64.extend_i32_s (call $kv_scan (global.get $kp) (global.get $kl) (i32.const 0) (i32.const 0) (i32.const 10)))))

  ;; The args are handed to kv_apply as its document, unchanged.
  (func (export "apply") (param $args i32) (param $len i32) (result i64)
    (call $report (i64.extend_i32_s (call $kv_apply (local.get $args) (local.get $len)))))

  ;; A key pointer far outside memory: the host must answer, not trap.
  (func (export "bad_ptr") (param i32 i32) (result i64)
    (call $report (i64.extend_i32_s (call $kv_get (i32.const -256) (i32.const 64)))))

  (func (export "bad_utf8") (param i32 i32) (result i64)
    (call $report (i64.extend_i32_s (call $kv_get (i32.const 64) (i32.const 3))))))
