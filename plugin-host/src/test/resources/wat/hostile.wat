;; hostile: one op per way a guest can misbehave, plus "ok" to show the plugin survives each.
;; Also checks the host's side of the ABI: pando_free traps unless it is handed exactly the
;; buffer the last op returned, and pando_init must have run before any op.
(module
  (import "pando" "error" (func $error (param i32 i32 i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "{\22ok\22:true}")         ;; 11
  (data (i32.const 16) "not json")                ;; 8
  (data (i32.const 32) "{\22a\22:1} x")          ;; 9
  (data (i32.const 48) "CONFLICT")                ;; 8
  (data (i32.const 64) "counter moved")           ;; 13
  (data (i32.const 80) "TEAPOT")                  ;; 6
  (data (i32.const 96) "short and stout")         ;; 15
  (data (i32.const 112) "{\22inited\22:true}")   ;; 15
  (data (i32.const 128) "{\22inited\22:false}")  ;; 16
  (data (i32.const 160) "{\22grown\22:")         ;; 9
  (data (i32.const 176) ",\22pages\22:")         ;; 9
  (data (i32.const 192) ",\22huge\22:")          ;; 8
  (data (i32.const 208) "{\22frees\22:")         ;; 9
  ;; JSON the node's rules refuse (below the arena at 1024, except the long one)
  (data (i32.const 224) "\22\c0\af\22")           ;; 4: overlong '/'
  (data (i32.const 232) "\22\ed\a0\80\22")       ;; 5: encoded surrogate
  (data (i32.const 240) "{\22a\22:1,\22a\22:2}")  ;; 13: duplicate key
  (data (i32.const 256) "1e999999")                ;; 8: overflows a double
  (data (i32.const 272) "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]") ;; 131: 65 deep
  (data (i32.const 32768) "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]") ;; 1999: 999 deep

  (global $inited (mut i32) (i32.const 0))
  (global $frees (mut i32) (i32.const 0))
  (global $last_ptr (mut i32) (i32.const -1))
  (global $last_len (mut i32) (i32.const -1))

  (func (export "pando_init") (result i32)
    (global.set $inited (i32.const 1))
    (i32.const 0))

  (func (export "pando_free") (param $ptr i32) (param $len i32)
    (if (i32.or (i32.ne (local.get $ptr) (global.get $last_ptr)) (i32.ne (local.get $len) (global.get $last_len)))
      (then (unreachable)))
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))

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

  ;; Packs a result and remembers it, so pando_free can check it gets exactly this buffer back.
  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (global.set $last_ptr (local.get $ptr))
    (global.set $last_len (local.get $len))
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

  ;; ---- well-behaved ops ----

  (func (export "ok") (param i32 i32) (result i64)
    (call $pack (i32.const 0) (i32.const 11)))

  (func (export "inited") (param i32 i32) (result i64)
    (if (result i64) (global.get $inited)
      (then (call $pack (i32.const 112) (i32.const 15)))
      (else (call $pack (i32.const 128) (i32.const 16)))))

  ;; {"frees": N}: how many results the host has handed back through pando_free.
  (func (export "frees") (param i32 i32) (result i64)
    (drop (call $out_begin (i32.const 32)))
    (call $put (i32.const 208) (i32.const 9))
    (call $put_int (i64.extend_i32_u (global.get $frees)))
    (call $put_byte (i32.const 125))
    (call $out_end))

  ;; Grows one page at a time until memory.grow refuses, then asks for 65536 pages at once.
  ;; {"grown": pages added, "pages": final size, "huge": what the big request returned}
  (func (export "grow") (param i32 i32) (result i64)
    (local $grown i32) (local $huge i32)
    (block $full
      (loop $more
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $grown (i32.add (local.get $grown) (i32.const 1)))
        (br $more)))
    (local.set $huge (memory.grow (i32.const 65536)))
    (drop (call $out_begin (i32.const 64)))
    (call $put (i32.const 160) (i32.const 9))
    (call $put_int (i64.extend_i32_u (local.get $grown)))
    (call $put (i32.const 176) (i32.const 9))
    (call $put_int (i64.extend_i32_u (memory.size)))
    (call $put (i32.const 192) (i32.const 8))
    (call $put_int (i64.extend_i32_s (local.get $huge)))
    (call $put_byte (i32.const 125))
    (call $out_end))

  ;; ---- typed errors ----

  (func (export "typed_error") (param i32 i32) (result i64)
    (call $error (i32.const 48) (i32.const 8) (i32.const 64) (i32.const 13))
    (i64.const 0))

  (func (export "unknown_error") (param i32 i32) (result i64)
    (call $error (i32.const 80) (i32.const 6) (i32.const 96) (i32.const 15))
    (i64.const 0))

  ;; ---- runaway guests ----

  (func (export "spin") (param i32 i32) (result i64)
    (loop $forever (br $forever))
    (i64.const 0))

  (func (export "spin_br_if") (param i32 i32) (result i64)
    (loop $forever (br_if $forever (i32.const 1)))
    (i64.const 0))

  (func (export "spin_br_table") (param i32 i32) (result i64)
    (loop $forever (br_table $forever $forever (i32.const 0)))
    (i64.const 0))

  (func $deeper (param $n i32) (result i32)
    (i32.add (call $deeper (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func (export "recurse") (param i32 i32) (result i64)
    (drop (call $deeper (i32.const 0)))
    (i64.const 0))

  ;; ---- traps ----

  (func (export "trap") (param i32 i32) (result i64)
    (unreachable))

  (func (export "oob_load") (param i32 i32) (result i64)
    (i64.extend_i32_u (i32.load (i32.const -4))))

  ;; ---- bad results ----

  ;; ptr 0xFFFFFFF0, len 100
  (func (export "bad_ptr") (param i32 i32) (result i64)
    (call $pack (i32.const -16) (i32.const 100)))

  ;; 20 bytes starting 10 bytes before the end of memory
  (func (export "past_end") (param i32 i32) (result i64)
    (call $pack (i32.sub (i32.shl (memory.size) (i32.const 16)) (i32.const 10)) (i32.const 20)))

  ;; len 0x7FFFFFFF
  (func (export "bad_len") (param i32 i32) (result i64)
    (call $pack (i32.const 16) (i32.const 0x7FFFFFFF)))

  ;; 1 MiB + 1 bytes, all inside memory: only the output cap stops it.
  (func (export "huge") (param i32 i32) (result i64)
    (if (i32.lt_u (memory.size) (i32.const 17))
      (then (drop (memory.grow (i32.sub (i32.const 17) (memory.size))))))
    (call $pack (i32.const 0) (i32.const 1048577)))

  (func (export "bad_json") (param i32 i32) (result i64)
    (call $pack (i32.const 16) (i32.const 8)))

  (func (export "trailing_json") (param i32 i32) (result i64)
    (call $pack (i32.const 32) (i32.const 9)))

  (func (export "overlong_json") (param i32 i32) (result i64)
    (call $pack (i32.const 224) (i32.const 4)))
  (func (export "surrogate_json") (param i32 i32) (result i64)
    (call $pack (i32.const 232) (i32.const 5)))
  (func (export "dup_json") (param i32 i32) (result i64)
    (call $pack (i32.const 240) (i32.const 13)))
  (func (export "inf_json") (param i32 i32) (result i64)
    (call $pack (i32.const 256) (i32.const 8)))
  (func (export "limit_json") (param i32 i32) (result i64)
    (call $pack (i32.const 272) (i32.const 131)))
  (func (export "deep_json") (param i32 i32) (result i64)
    (call $pack (i32.const 32768) (i32.const 1999))))
