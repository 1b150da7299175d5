;; capabilities: uses every permission-gated host function once. Op "stamp" returns
;; {"clock": clock_ms(), "publish": status, "random": status, "nonzero": random bytes != 0,
;;  "wildcard": status of publishing to a pattern}.
(module
  (import "pando" "publish" (func $publish (param i32 i32 i32 i32) (result i32)))
  (import "pando" "log" (func $log (param i32 i32 i32)))
  (import "pando" "clock_ms" (func $clock_ms (result i64)))
  (import "pando" "random" (func $random (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "/alerts/caps")             ;; 12
  (data (i32.const 16) "{\22n\22:1}")            ;; {"n":1}  7
  (data (i32.const 32) "hello from caps")         ;; 15
  (data (i32.const 48) "{\22clock\22:")          ;; 9
  (data (i32.const 64) ",\22publish\22:")        ;; 11
  (data (i32.const 80) ",\22random\22:")         ;; 10
  (data (i32.const 96) ",\22nonzero\22:")        ;; 11
  (data (i32.const 112) "/alerts/*")              ;; 9
  (data (i32.const 128) ",\22wildcard\22:")      ;; 12

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

  (func (export "stamp") (param i32 i32) (result i64)
    (local $clock i64) (local $pub i32) (local $rnd i32) (local $nonzero i32) (local $wild i32) (local $i i32)
    (local.set $clock (call $clock_ms))
    (local.set $pub (call $publish (i32.const 0) (i32.const 12) (i32.const 16) (i32.const 7)))
    (call $log (i32.const 2) (i32.const 32) (i32.const 15))
    ;; 32 random bytes at 512..543; count the non-zero ones
    (local.set $rnd (call $random (i32.const 512) (i32.const 32)))
    (block $done
      (loop $count
        (br_if $done (i32.ge_u (local.get $i) (i32.const 32)))
        (if (i32.load8_u (i32.add (i32.const 512) (local.get $i)))
          (then (local.set $nonzero (i32.add (local.get $nonzero) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $count)))
    (local.set $wild (call $publish (i32.const 112) (i32.const 9) (i32.const 16) (i32.const 7)))

    (drop (call $out_begin (i32.const 128)))
    (call $put (i32.const 48) (i32.const 9))
    (call $put_int (local.get $clock))
    (call $put (i32.const 64) (i32.const 11))
    (call $put_int (i64.extend_i32_s (local.get $pub)))
    (call $put (i32.const 80) (i32.const 10))
    (call $put_int (i64.extend_i32_s (local.get $rnd)))
    (call $put (i32.const 96) (i32.const 11))
    (call $put_int (i64.extend_i32_s (local.get $nonzero)))
    (call $put (i32.const 128) (i32.const 12))
    (call $put_int (i64.extend_i32_s (local.get $wild)))
    (call $put_byte (i32.const 125))
    (call $out_end)))
