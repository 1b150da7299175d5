/*
 * pando.h - C SDK for Pando WASM plugins, ABI version 1 (docs/plugin-abi.md).
 *
 * A single header in the "stb" style: include it anywhere for the declarations, and in exactly
 * ONE .c file of the plugin write
 *
 *     #define PANDO_IMPLEMENTATION
 *     #include "pando.h"
 *
 * to get the definitions, including the exported `pando_alloc` the host requires. Nothing else
 * is needed: no libc, no WASI. Build a plugin with
 *
 *     clang --target=wasm32 -O2 -std=c11 -ffreestanding -nostdlib \
 *           -Wl,--no-entry -I guest-sdk/c -o plugin.wasm plugin.c
 *
 * The linker keeps only the host imports the plugin's code really uses, so a plugin that never
 * calls pando_log() does not import `pando.log` and needs no `log` permission.
 *
 * Memory model: one bump arena. The host calls `pando_alloc` exactly once before each entry point
 * (op or pando_on_event); the SDK's pando_alloc resets the arena there. So everything allocated
 * with pando_malloc() (and every buffer the SDK hands out) lives until the entry point returns
 * and the host has copied the result, then it is reused: there is nothing to free. Memory that
 * must outlive calls goes in static variables, or is allocated in pando_init and kept with
 * pando_arena_pin(). Running out of memory is explicit: pando_malloc() returns NULL, the
 * wrappers return PANDO_NO_MEMORY, and the exported pando_alloc returns 0, as the ABI says.
 * `pando_free` is not exported (the ABI makes it optional; an arena has nothing to take back).
 *
 * Compiled natively (no __wasm__), the imports become ordinary extern functions a test can
 * define, the arena is a static array and no export attributes are used; see test/run.sh.
 *
 * Strings: inputs are NUL-terminated UTF-8 unless a function takes an explicit length (the
 * `_n` variants). Outputs are `pando_buf`s in the arena, NUL-terminated for convenience (the
 * terminator is not counted in `len`; the data itself may contain NULs, e.g. from "\u0000").
 */
#ifndef PANDO_H
#define PANDO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* ABI constants                                                                              */
/* ------------------------------------------------------------------------------------------ */

/** The ABI version this header implements (the manifest's apiVersion). */
#define PANDO_ABI_VERSION 1

/* Status codes returned by host functions (negative), and by the SDK wrappers. */
#define PANDO_OK 0
/** Malformed key, pattern or topic; invalid JSON or UTF-8; a pointer/length outside memory. */
#define PANDO_BAD_REQUEST (-1)
/** Key outside the manifest's prefixes. */
#define PANDO_FORBIDDEN (-2)
/** kv_get of a key that does not exist; caller() outside an op call. */
#define PANDO_NOT_FOUND (-3)
/** kv_set whose if_revision did not match. */
#define PANDO_CONFLICT (-4)
/** Input or output above the host's maxOutputBytes. */
#define PANDO_TOO_LARGE (-5)
/** The node cannot serve the request now. */
#define PANDO_UNAVAILABLE (-6)
/** Any other host failure. */
#define PANDO_FAILED (-7)
/** Not an ABI status: the SDK could not get memory from its arena (guest-side). */
#define PANDO_NO_MEMORY (-100)

/* Typed error codes for pando_fail() / pando_host_error(). */
#define PANDO_ERR_BAD_REQUEST "BAD_REQUEST"
#define PANDO_ERR_FORBIDDEN "FORBIDDEN"
#define PANDO_ERR_NOT_FOUND "NOT_FOUND"
#define PANDO_ERR_CONFLICT "CONFLICT"
#define PANDO_ERR_TOO_LARGE "TOO_LARGE"
#define PANDO_ERR_UNAVAILABLE "UNAVAILABLE"
#define PANDO_ERR_PLUGIN_FAILED "PLUGIN_FAILED"

/* Log levels for pando_log(). */
#define PANDO_LOG_TRACE 0
#define PANDO_LOG_DEBUG 1
#define PANDO_LOG_INFO 2
#define PANDO_LOG_WARN 3
#define PANDO_LOG_ERROR 4

/* Access levels for pando_caller_may(). */
#define PANDO_ACCESS_READ 1
#define PANDO_ACCESS_WRITE 2
#define PANDO_ACCESS_ADMIN 3
#define PANDO_ACCESS_SUBSCRIBE 4
#define PANDO_ACCESS_PUBLISH 5

/* if_revision values for pando_kv_set(); any value > 0 is a compare-and-set. */
/** Plain, unconditional write. */
#define PANDO_ANY_REVISION (-1)
/** The key must not exist yet. */
#define PANDO_MUST_NOT_EXIST 0

#ifdef __wasm__
#define PANDO_IMPORT(name) __attribute__((import_module("pando"), import_name(name)))
/** Marks a function as a module export: `PANDO_EXPORT("incr") int64_t incr(const char *a, uint32_t n)`. */
#define PANDO_EXPORT(name) __attribute__((export_name(name)))
#else
#define PANDO_IMPORT(name)
#define PANDO_EXPORT(name)
#endif

/* ------------------------------------------------------------------------------------------ */
/* Raw host imports (module "pando"), exactly as the ABI defines them                         */
/* ------------------------------------------------------------------------------------------ */

/** kv_get: length of the entry JSON now in the result buffer, or a status (PANDO_NOT_FOUND, ...). */
PANDO_IMPORT("kv_get") int32_t pando_host_kv_get(const char *key, uint32_t key_len);
/** kv_set: the new revision (> 0), or a status. if_revision: -1 plain, 0 must not exist, n CAS. */
PANDO_IMPORT("kv_set") int64_t pando_host_kv_set(const char *key, uint32_t key_len, const char *value,
                                                 uint32_t value_len, int64_t if_revision);
/** kv_delete: 1 deleted, 0 did not exist, or a status. */
PANDO_IMPORT("kv_delete") int32_t pando_host_kv_delete(const char *key, uint32_t key_len);
/** kv_scan: length of the page JSON in the result buffer, or a status. after_len 0: from the start. */
PANDO_IMPORT("kv_scan") int32_t pando_host_kv_scan(const char *query, uint32_t query_len, const char *after,
                                                   uint32_t after_len, int32_t limit);
/** result_len: length of the host-side result buffer. */
PANDO_IMPORT("result_len") int32_t pando_host_result_len(void);
/** result_read: copies min(len, result_len()) bytes to ptr; returns that count or -1. */
PANDO_IMPORT("result_read") int32_t pando_host_result_read(void *ptr, uint32_t len);
/** error: makes the current entry point fail with a typed error (the last call wins). */
PANDO_IMPORT("error") void pando_host_error(const char *code, uint32_t code_len, const char *msg, uint32_t msg_len);
/** caller: length of {"name":..,"authenticated":..} in the result buffer, or -3 outside an op. */
PANDO_IMPORT("caller") int32_t pando_host_caller(void);
/** caller_may: 1 if the caller holds `level` (1 read, 2 write, 3 admin, 4 subscribe, 5 publish) on key, 0 if not, or a status. */
PANDO_IMPORT("caller_may") int32_t pando_host_caller_may(int32_t level, const char *key, uint32_t key_len);
/** config: length of the plugin's merged configuration object in the result buffer. */
PANDO_IMPORT("config") int32_t pando_host_config(void);
/** publish (permission "publish"): 0 or a status. */
PANDO_IMPORT("publish") int32_t pando_host_publish(const char *topic, uint32_t topic_len, const char *payload,
                                                   uint32_t payload_len);
/** log (permission "log"): level 0 trace .. 4 error. */
PANDO_IMPORT("log") void pando_host_log(int32_t level, const char *msg, uint32_t msg_len);
/** clock_ms (permission "clock"): wall clock, Unix milliseconds. */
PANDO_IMPORT("clock_ms") int64_t pando_host_clock_ms(void);
/** random (permission "random"): fills len bytes from a SecureRandom; 0 or a status. */
PANDO_IMPORT("random") int32_t pando_host_random(void *ptr, uint32_t len);

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** A byte buffer: `len` bytes at `ptr`, followed by a NUL that `len` does not count. */
typedef struct {
    char *ptr;
    uint32_t len;
} pando_buf;

/** The exported allocator the host calls before each entry point; resets the arena. 0 = no memory. */
uint32_t pando_alloc(uint32_t len);
#ifndef __wasm__
/** Native builds only (tests): the full pointer of the last pando_alloc, whose return value is truncated to 32 bits. */
extern void *pando_native_last_alloc;
#endif
/** `n` bytes from the arena, 8-byte aligned, valid until the current entry point returns. NULL if out of memory. */
void *pando_malloc(size_t n);
/** Resizes the arena block `p` (old size `old_n`) to `n` bytes; in place if it is the newest block. NULL if out of memory. */
void *pando_realloc(void *p, size_t old_n, size_t n);
/** Makes everything allocated so far permanent (not reset by pando_alloc); call at the end of pando_init. */
void pando_arena_pin(void);
/** Bytes currently allocated from the arena (pinned ones included). */
size_t pando_arena_used(void);
/** A NUL-terminated copy of `len` bytes in the arena; ptr NULL if out of memory. */
pando_buf pando_buf_copy(const void *data, uint32_t len);

/* ------------------------------------------------------------------------------------------ */
/* Host functions, friendlier                                                                 */
/* ------------------------------------------------------------------------------------------ */

/** Human-readable name of a status ("BAD_REQUEST", ..., "FAILED", "NO_MEMORY", "OK"). */
const char *pando_status_name(int64_t status);
/** Copies `len` bytes of the host's result buffer into the arena (what the last host call left there). */
pando_buf pando_result_take(uint32_t len);
/** The whole result buffer: after a failed host call, its error message. Empty buf if none. */
pando_buf pando_message(void);

/** Reads `key`. 0 and *entry = {"key","value","revision","timestamp","origin","writer"} JSON, or a status. */
int32_t pando_kv_get(const char *key, pando_buf *entry);
/** Writes `json` (one JSON value) at `key`. Returns the new revision (> 0) or a status. */
int64_t pando_kv_set(const char *key, const char *json, int64_t if_revision);
/** pando_kv_set with an explicit value length (e.g. a pando_jw_finish() buffer). */
int64_t pando_kv_set_n(const char *key, const char *json, uint32_t json_len, int64_t if_revision);
/** Deletes `key`: 1 deleted, 0 did not exist, or a status. */
int32_t pando_kv_delete(const char *key);
/**
 * One page of a scan: `query` is a prefix (/a/b) or a pattern (/a/x/c with * segments); `after`
 * is NULL or "" for the first page, else the previous page's "next" token; limit 1..1000.
 * 0 and *page = {"entries":[entry,...],"next":token|null}, or a status.
 */
int32_t pando_kv_scan(const char *query, const char *after, int32_t limit, pando_buf *page);
/** Publishes `json` on `topic` (permission "publish"). 0 or a status. */
int32_t pando_publish(const char *topic, const char *json);
/** pando_publish with an explicit payload length. */
int32_t pando_publish_n(const char *topic, const char *json, uint32_t json_len);
/** Logs `msg` at `level` (PANDO_LOG_*; permission "log"). */
void pando_log(int32_t level, const char *msg);
/** pando_log with an explicit length. */
void pando_log_n(int32_t level, const char *msg, uint32_t len);
/** Logs a message formatted like pando_format() (permission "log"); drops it if out of memory. */
void pando_logf(int32_t level, const char *fmt, ...);
/** Wall clock, Unix milliseconds (permission "clock"). */
int64_t pando_clock_ms(void);
/** Fills `len` bytes at `buf` with secure random bytes (permission "random"). 0 or a status. */
int32_t pando_random(void *buf, uint32_t len);
/** 0 and *config = the plugin's configuration object (manifest config + operator overrides), or a status. */
int32_t pando_config(pando_buf *config);
/** 0 and *caller = {"name":..,"authenticated":..}, or PANDO_NOT_FOUND outside an op call. */
int32_t pando_caller(pando_buf *caller);
/** 1 if the caller holds `level` (PANDO_ACCESS_*) on `key`, 0 if not, or a status. */
int32_t pando_caller_may(int32_t level, const char *key);

/* ------------------------------------------------------------------------------------------ */
/* Returning from an op                                                                       */
/* ------------------------------------------------------------------------------------------ */

/** The op's return value for the `len` bytes of JSON at `json`: (ptr << 32) | len. len 0 means null. */
int64_t pando_return(const char *json, uint32_t len);
/** pando_return for a NUL-terminated JSON text (e.g. a literal: `return pando_return_str("{}")`). */
int64_t pando_return_str(const char *json);
/** pando_return for a buffer. */
int64_t pando_return_buf(pando_buf json);
#ifndef __wasm__
/** Native builds only (tests): what the last pando_return* call returned, since a native pointer does not fit the i64. */
extern pando_buf pando_native_last_return;
#endif
/** The op's return value for a null result. */
int64_t pando_return_null(void);
/**
 * Fails the current call with a typed error: `code` is one of PANDO_ERR_* (anything else becomes
 * PLUGIN_FAILED), `msg` the message (the host keeps 1024 characters). Returns 0, so an op can
 * `return pando_fail(PANDO_ERR_BAD_REQUEST, "name is required");` (in pando_on_event, the
 * error alone already marks the delivery failed).
 */
int64_t pando_fail(const char *code, const char *msg);
/** pando_fail with a message formatted like pando_format(). */
int64_t pando_failf(const char *code, const char *fmt, ...);

/* ------------------------------------------------------------------------------------------ */
/* Formatting and UTF-8                                                                       */
/* ------------------------------------------------------------------------------------------ */

/**
 * A small printf: %% %c %s %.*s %d %i %u %x with the length modifiers l, ll, z (so %lld for
 * int64_t, %zu for size_t). No floating point, no width/flags. `%.*s` takes an int length and
 * copies exactly that many bytes (NULs included); `%s` of NULL prints "(null)". Writes at most
 * `cap - 1` bytes plus a NUL to `dst` (if cap > 0) and returns the full length, like vsnprintf.
 */
uint32_t pando_vformat(char *dst, uint32_t cap, const char *fmt, va_list ap);
/** pando_vformat into a fresh arena buffer; ptr NULL if out of memory. */
pando_buf pando_format(const char *fmt, ...);
/** Number of Unicode code points in `len` bytes of UTF-8, or -1 if they are not valid UTF-8. */
int32_t pando_utf8_count(const char *s, uint32_t len);
/** strlen without libc. */
size_t pando_strlen(const char *s);

/* ------------------------------------------------------------------------------------------ */
/* JSON reading                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Result codes of the JSON functions (not ABI statuses). */
#define PANDO_JSON_OK 0
/** The field is absent (or an iterator is at its end). */
#define PANDO_JSON_MISSING 1
/** The value is of another type (null included), or a number is not an integer for _int. */
#define PANDO_JSON_WRONG_TYPE 2
/** Malformed JSON (or a field that occurs twice, or a lone surrogate escape, or invalid UTF-8). */
#define PANDO_JSON_INVALID 3
/** A number outside the target type's range. */
#define PANDO_JSON_RANGE 4
/** The arena is out of memory. */
#define PANDO_JSON_NO_MEMORY 5

/** The type of a pando_json_value. */
typedef enum {
    PANDO_JT_NONE = 0, /* absent */
    PANDO_JT_NULL,
    PANDO_JT_BOOL,
    PANDO_JT_NUMBER,
    PANDO_JT_STRING,
    PANDO_JT_ARRAY,
    PANDO_JT_OBJECT
} pando_json_type;

/** One JSON value: its type and its raw text (`len` bytes at `ptr`, not copied, not decoded). */
typedef struct {
    pando_json_type type;
    const char *ptr;
    uint32_t len;
} pando_json_value;

/** An iterator over an array's elements or an object's members (see pando_json_next). */
typedef struct {
    const char *pos;
    const char *end;
    bool object;
    bool first;
} pando_json_iter;

/** Nesting deeper than this is reported as PANDO_JSON_INVALID. */
#define PANDO_JSON_MAX_DEPTH 64

/** Name of a PANDO_JSON_* result code ("OK", "MISSING", ...). */
const char *pando_json_error_name(int rc);
/**
 * Checks that `len` bytes are exactly one JSON value (RFC 8259, strictly: no trailing bytes,
 * valid escapes, valid UTF-8, no lone surrogates) and describes it in *out. OK or INVALID.
 */
int pando_json_parse(const char *json, uint32_t len, pando_json_value *out);
/**
 * Finds member `name` of object `obj`. OK (found), MISSING (absent: out->type = PANDO_JT_NONE),
 * WRONG_TYPE (obj is not an object) or INVALID (malformed object, or `name` occurs twice).
 * Names are compared after unescaping, so "n\u0061me" matches "name".
 */
int pando_json_field(const pando_json_value *obj, const char *name, pando_json_value *out);
/** Starts iterating an array or object value. WRONG_TYPE if it is neither. */
int pando_json_iter_init(pando_json_iter *it, const pando_json_value *v);
/** Next element (arrays; `key` may be NULL) or member (objects; *key = its name as a string value). OK, MISSING at the end, or INVALID. */
int pando_json_next(pando_json_iter *it, pando_json_value *key, pando_json_value *value);
/** Decodes a string value into a NUL-terminated UTF-8 arena buffer (\uXXXX and surrogate pairs included). */
int pando_json_as_string(const pando_json_value *v, pando_buf *out);
/** True if string value `v` equals the NUL-terminated UTF-8 `s` after unescaping (no allocation). */
bool pando_json_string_equals(const pando_json_value *v, const char *s);
/** An integer (no fraction, no exponent: "1.0" and "1e2" are WRONG_TYPE). RANGE outside int64_t. */
int pando_json_as_int(const pando_json_value *v, int64_t *out);
/** Any number as a double (exact for integers up to 2^53 and short decimals; not always correctly rounded beyond). RANGE if infinite. */
int pando_json_as_double(const pando_json_value *v, double *out);
/** true or false. */
int pando_json_as_bool(const pando_json_value *v, bool *out);

/* Shortcuts on a whole document: parse `json`, which must be an object, and read one field.
 * They return OK, MISSING, WRONG_TYPE (also when the document is not an object) or INVALID. */
/** Field `name` as a raw value. */
int pando_json_get(const char *json, uint32_t len, const char *name, pando_json_value *out);
/** Field `name` as a decoded string. */
int pando_json_get_string(const char *json, uint32_t len, const char *name, pando_buf *out);
/** Field `name` as an int64_t. */
int pando_json_get_int(const char *json, uint32_t len, const char *name, int64_t *out);
/** Field `name` as a double. */
int pando_json_get_double(const char *json, uint32_t len, const char *name, double *out);
/** Field `name` as a bool. */
int pando_json_get_bool(const char *json, uint32_t len, const char *name, bool *out);

/**
 * Refuses arguments other than `allowed` (a NULL-terminated list of member names), as the
 * node's core ops do, so a misspelt field ({"N":1} for n) is not silently ignored. Returns true
 * if `json` is an object with only allowed members (empty or `null` arguments count as {}).
 * Otherwise it records BAD_REQUEST naming the unknown member (like pando_fail) and returns
 * false, so an op starts with:
 *
 *     static const char *const ARGS[] = {"n", "by", NULL};
 *     if (!pando_args_only(args, args_len, ARGS)) return 0;
 */
bool pando_args_only(const char *json, uint32_t len, const char *const *allowed);

/* ------------------------------------------------------------------------------------------ */
/* JSON writing                                                                               */
/* ------------------------------------------------------------------------------------------ */

/**
 * A JSON builder writing into the arena. Zero it (or pando_jw_init) and call the functions in
 * document order; commas and colons are added for you. Misuse (a value without a key inside an
 * object, a key inside an array, unbalanced ends, two top-level values) and running out of
 * memory are remembered in `err` (PANDO_JSON_INVALID / PANDO_JSON_NO_MEMORY) and reported by
 * pando_jw_finish; later calls then do nothing. Strings are escaped (quote, backslash, control
 * characters); invalid UTF-8 in them is replaced by U+FFFD, so the output is always valid JSON.
 * Floating-point numbers are not supported: use pando_jw_raw with your own text.
 */
typedef struct {
    char *buf;
    uint32_t len, cap;
    int err;
    uint32_t depth;
    uint64_t objects; /* bit d set: level d+1 is an object */
    bool need_comma;
    bool after_key;
    bool done;
} pando_jw;

/** Resets a builder. */
void pando_jw_init(pando_jw *w);
/** Opens an object `{`. */
void pando_jw_begin_object(pando_jw *w);
/** Closes the current object `}`. */
void pando_jw_end_object(pando_jw *w);
/** Opens an array `[`. */
void pando_jw_begin_array(pando_jw *w);
/** Closes the current array `]`. */
void pando_jw_end_array(pando_jw *w);
/** A member name inside an object (NUL-terminated UTF-8). */
void pando_jw_key(pando_jw *w, const char *key);
/** A member name with an explicit length. */
void pando_jw_key_n(pando_jw *w, const char *key, uint32_t len);
/** A string value (NUL-terminated UTF-8); NULL writes null. */
void pando_jw_string(pando_jw *w, const char *s);
/** A string value with an explicit length (may contain NULs, written as \u0000). */
void pando_jw_string_n(pando_jw *w, const char *s, uint32_t len);
/** An integer value. */
void pando_jw_int(pando_jw *w, int64_t v);
/** An unsigned integer value. */
void pando_jw_uint(pando_jw *w, uint64_t v);
/** true or false. */
void pando_jw_bool(pando_jw *w, bool v);
/** null. */
void pando_jw_null(pando_jw *w);
/** A ready-made JSON value (checked with pando_json_parse; invalid text sets err). */
void pando_jw_raw(pando_jw *w, const char *json, uint32_t len);
/** Shortcut: key + string. */
void pando_jw_field_string(pando_jw *w, const char *key, const char *s);
/** Shortcut: key + integer. */
void pando_jw_field_int(pando_jw *w, const char *key, int64_t v);
/** Shortcut: key + bool. */
void pando_jw_field_bool(pando_jw *w, const char *key, bool v);
/** The finished document in *out (NUL-terminated). OK, or INVALID (misuse/incomplete) / NO_MEMORY. */
int pando_jw_finish(pando_jw *w, pando_buf *out);
/** Returns the finished document from an op, or fails the call with PLUGIN_FAILED if building it failed. */
int64_t pando_return_jw(pando_jw *w);

#ifdef __cplusplus
}
#endif

#endif /* PANDO_H */

/* ========================================================================================== */
/* Implementation                                                                             */
/* ========================================================================================== */

#if defined(PANDO_IMPLEMENTATION) && !defined(PANDO_IMPLEMENTATION_DONE)
#define PANDO_IMPLEMENTATION_DONE

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__wasm__) && !defined(PANDO_NO_MEMFUNCS)
/* Without libc, clang still emits calls to these for struct copies and some loops. They are
 * marked no_builtin so the optimiser cannot turn their loops back into calls to themselves.
 * Define PANDO_NO_MEMFUNCS if you link a libc that provides them. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

__attribute__((no_builtin)) void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n--) *d++ = *s++;
    return dst;
}
__attribute__((no_builtin)) void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else if (d > s) {
        while (n) { n--; d[n] = s[n]; }
    }
    return dst;
}
__attribute__((no_builtin)) void *memset(void *dst, int c, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}
__attribute__((no_builtin)) int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}
#elif !defined(__wasm__)
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif

size_t pando_strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

/* ---- arena ---------------------------------------------------------------------------- */

#ifdef __wasm__
extern unsigned char __heap_base;
#define PANDO__HEAP_START ((uint64_t)(uintptr_t)&__heap_base)
#else
#ifndef PANDO_NATIVE_HEAP_SIZE
#define PANDO_NATIVE_HEAP_SIZE (4u << 20)
#endif
static unsigned char pando__native_heap[PANDO_NATIVE_HEAP_SIZE] __attribute__((aligned(16)));
#define PANDO__HEAP_START ((uint64_t)(uintptr_t)pando__native_heap)
#endif

static uint64_t pando__floor; /* reset point; 0 until first use */
static uint64_t pando__top;   /* next free byte */
static uint64_t pando__last;  /* start of the newest block (for in-place realloc) */

static void pando__arena_init(void) {
    if (pando__floor == 0) {
        pando__floor = pando__top = pando__last = (PANDO__HEAP_START + 7u) & ~(uint64_t)7u;
    }
}

/* Makes [.., end) usable; false if memory cannot grow that far. */
static bool pando__ensure(uint64_t end) {
#ifdef __wasm__
    uint64_t have = (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
    if (end <= have) return true;
    if (end > ((uint64_t)1 << 32)) return false;
    uint64_t pages = (end - have + 65535u) / 65536u;
    return __builtin_wasm_memory_grow(0, (size_t)pages) != (size_t)-1;
#else
    return end <= PANDO__HEAP_START + PANDO_NATIVE_HEAP_SIZE;
#endif
}

void *pando_malloc(size_t n) {
    pando__arena_init();
    uint64_t start = pando__top;
    uint64_t end = start + (uint64_t)n;
    if ((uint64_t)n > ((uint64_t)1 << 32) || !pando__ensure(end)) return NULL;
    pando__last = start;
    pando__top = (end + 7u) & ~(uint64_t)7u;
    return (void *)(uintptr_t)start;
}

void *pando_realloc(void *p, size_t old_n, size_t n) {
    if (p == NULL) return pando_malloc(n);
    uint64_t at = (uint64_t)(uintptr_t)p;
    if (at == pando__last && at >= pando__floor) {
        uint64_t end = at + (uint64_t)n;
        if ((uint64_t)n > ((uint64_t)1 << 32) || !pando__ensure(end)) return NULL;
        pando__top = (end + 7u) & ~(uint64_t)7u;
        return p;
    }
    void *q = pando_malloc(n);
    if (q != NULL) memcpy(q, p, old_n < n ? old_n : n);
    return q;
}

void pando_arena_pin(void) {
    pando__arena_init();
    pando__floor = pando__last = pando__top;
}

size_t pando_arena_used(void) {
    pando__arena_init();
    return (size_t)(pando__top - ((PANDO__HEAP_START + 7u) & ~(uint64_t)7u));
}

#ifndef __wasm__
void *pando_native_last_alloc;
#endif

PANDO_EXPORT("pando_alloc") uint32_t pando_alloc(uint32_t len) {
    pando__arena_init();
    pando__top = pando__last = pando__floor;
    void *p = pando_malloc(len);
#ifndef __wasm__
    pando_native_last_alloc = p;
#endif
    return p == NULL ? 0 : (uint32_t)(uintptr_t)p;
}

pando_buf pando_buf_copy(const void *data, uint32_t len) {
    pando_buf b = {NULL, 0};
    char *p = (char *)pando_malloc((size_t)len + 1);
    if (p == NULL) return b;
    if (len) memcpy(p, data, len);
    p[len] = 0;
    b.ptr = p;
    b.len = len;
    return b;
}

/* ---- host wrappers ------------------------------------------------------------------- */

const char *pando_status_name(int64_t status) {
    switch (status) {
    case PANDO_OK: return "OK";
    case PANDO_BAD_REQUEST: return "BAD_REQUEST";
    case PANDO_FORBIDDEN: return "FORBIDDEN";
    case PANDO_NOT_FOUND: return "NOT_FOUND";
    case PANDO_CONFLICT: return "CONFLICT";
    case PANDO_TOO_LARGE: return "TOO_LARGE";
    case PANDO_UNAVAILABLE: return "UNAVAILABLE";
    case PANDO_FAILED: return "FAILED";
    case PANDO_NO_MEMORY: return "NO_MEMORY";
    default: return status > 0 ? "OK" : "UNKNOWN";
    }
}

pando_buf pando_result_take(uint32_t len) {
    pando_buf b = {NULL, 0};
    char *p = (char *)pando_malloc((size_t)len + 1);
    if (p == NULL) return b;
    int32_t got = pando_host_result_read(p, len);
    if (got < 0) got = 0;
    if ((uint32_t)got > len) got = (int32_t)len;
    p[got] = 0;
    b.ptr = p;
    b.len = (uint32_t)got;
    return b;
}

pando_buf pando_message(void) {
    int32_t n = pando_host_result_len();
    return pando_result_take(n > 0 ? (uint32_t)n : 0);
}

/* n >= 0: take n bytes of the result buffer into *out. */
static int32_t pando__take(int32_t n, pando_buf *out) {
    pando_buf empty = {NULL, 0};
    if (n < 0) {
        if (out) *out = empty;
        return n;
    }
    pando_buf b = pando_result_take((uint32_t)n);
    if (out) *out = b;
    return b.ptr == NULL ? PANDO_NO_MEMORY : PANDO_OK;
}

int32_t pando_kv_get(const char *key, pando_buf *entry) {
    return pando__take(pando_host_kv_get(key, (uint32_t)pando_strlen(key)), entry);
}

int64_t pando_kv_set(const char *key, const char *json, int64_t if_revision) {
    return pando_kv_set_n(key, json, (uint32_t)pando_strlen(json), if_revision);
}

int64_t pando_kv_set_n(const char *key, const char *json, uint32_t json_len, int64_t if_revision) {
    return pando_host_kv_set(key, (uint32_t)pando_strlen(key), json, json_len, if_revision);
}

int32_t pando_kv_delete(const char *key) {
    return pando_host_kv_delete(key, (uint32_t)pando_strlen(key));
}

int32_t pando_kv_scan(const char *query, const char *after, int32_t limit, pando_buf *page) {
    uint32_t after_len = after ? (uint32_t)pando_strlen(after) : 0;
    return pando__take(pando_host_kv_scan(query, (uint32_t)pando_strlen(query), after_len ? after : "", after_len, limit),
                       page);
}

int32_t pando_publish(const char *topic, const char *json) {
    return pando_publish_n(topic, json, (uint32_t)pando_strlen(json));
}

int32_t pando_publish_n(const char *topic, const char *json, uint32_t json_len) {
    return pando_host_publish(topic, (uint32_t)pando_strlen(topic), json, json_len);
}

void pando_log(int32_t level, const char *msg) {
    pando_host_log(level, msg, (uint32_t)pando_strlen(msg));
}

void pando_log_n(int32_t level, const char *msg, uint32_t len) {
    pando_host_log(level, msg, len);
}

static pando_buf pando__vformat_buf(const char *fmt, va_list ap) {
    pando_buf b = {NULL, 0};
    va_list ap2;
    va_copy(ap2, ap);
    uint32_t n = pando_vformat(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *p = (char *)pando_malloc((size_t)n + 1);
    if (p == NULL) return b;
    pando_vformat(p, n + 1, fmt, ap);
    b.ptr = p;
    b.len = n;
    return b;
}

pando_buf pando_format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pando_buf b = pando__vformat_buf(fmt, ap);
    va_end(ap);
    return b;
}

void pando_logf(int32_t level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pando_buf b = pando__vformat_buf(fmt, ap);
    va_end(ap);
    if (b.ptr != NULL) pando_host_log(level, b.ptr, b.len);
}

int64_t pando_clock_ms(void) {
    return pando_host_clock_ms();
}

int32_t pando_random(void *buf, uint32_t len) {
    return pando_host_random(buf, len);
}

int32_t pando_config(pando_buf *config) {
    return pando__take(pando_host_config(), config);
}

int32_t pando_caller(pando_buf *caller) {
    return pando__take(pando_host_caller(), caller);
}

int32_t pando_caller_may(int32_t level, const char *key) {
    return pando_host_caller_may(level, key, (uint32_t)pando_strlen(key));
}

/* ---- returning ------------------------------------------------------------------------ */

#ifndef __wasm__
pando_buf pando_native_last_return;
#endif

int64_t pando_return(const char *json, uint32_t len) {
#ifndef __wasm__
    pando_native_last_return.ptr = (char *)json;
    pando_native_last_return.len = json ? len : 0;
#endif
    if (json == NULL || len == 0) return 0;
    return (int64_t)(((uint64_t)(uint32_t)(uintptr_t)json << 32) | (uint64_t)len);
}

int64_t pando_return_str(const char *json) {
    return pando_return(json, json ? (uint32_t)pando_strlen(json) : 0);
}

int64_t pando_return_buf(pando_buf json) {
    return pando_return(json.ptr, json.len);
}

int64_t pando_return_null(void) {
    return pando_return(NULL, 0);
}

int64_t pando_fail(const char *code, const char *msg) {
    pando_host_error(code, (uint32_t)pando_strlen(code), msg, (uint32_t)pando_strlen(msg));
    return 0;
}

int64_t pando_failf(const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pando_buf b = pando__vformat_buf(fmt, ap);
    va_end(ap);
    if (b.ptr == NULL) return pando_fail(code, fmt);
    pando_host_error(code, (uint32_t)pando_strlen(code), b.ptr, b.len);
    return 0;
}

/* ---- formatting ----------------------------------------------------------------------- */

typedef struct {
    char *dst;
    uint32_t cap;
    uint32_t n;
} pando__sink;

static void pando__put(pando__sink *s, const char *p, uint32_t len) {
    for (uint32_t i = 0; i < len; i++, s->n++)
        if (s->dst != NULL && s->n + 1 < s->cap) s->dst[s->n] = p[i];
}

/* Decimal (base 10) or hex (base 16) digits of v into the end of buf[24]; returns the start. */
static char *pando__utoa(uint64_t v, unsigned base, char *buf_end) {
    char *p = buf_end;
    do {
        unsigned d = (unsigned)(v % base);
        *--p = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    return p;
}

uint32_t pando_vformat(char *dst, uint32_t cap, const char *fmt, va_list ap) {
    pando__sink s = {dst, cap, 0};
    char num[24];
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            pando__put(&s, f, 1);
            continue;
        }
        const char *spec = f++;
        if (*f == '%') {
            pando__put(&s, "%", 1);
            continue;
        }
        if (f[0] == '.' && f[1] == '*' && f[2] == 's') {
            int n = va_arg(ap, int);
            const char *str = va_arg(ap, const char *);
            if (n > 0 && str != NULL) pando__put(&s, str, (uint32_t)n);
            f += 2;
            continue;
        }
        int lng = 0; /* 0 int, 1 long, 2 long long, 3 size_t */
        if (*f == 'l') {
            lng = 1;
            f++;
            if (*f == 'l') { lng = 2; f++; }
        } else if (*f == 'z') {
            lng = 3;
            f++;
        }
        char c = *f;
        if (c == 'd' || c == 'i') {
            int64_t v = lng == 0 ? va_arg(ap, int) : lng == 1 ? va_arg(ap, long) : lng == 2 ? va_arg(ap, long long)
                                                                                          : (int64_t)va_arg(ap, ptrdiff_t);
            uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            char *p = pando__utoa(u, 10, num + sizeof num);
            if (v < 0) *--p = '-';
            pando__put(&s, p, (uint32_t)(num + sizeof num - p));
        } else if (c == 'u' || c == 'x') {
            uint64_t v = lng == 0 ? va_arg(ap, unsigned) : lng == 1 ? va_arg(ap, unsigned long)
                                                     : lng == 2 ? va_arg(ap, unsigned long long)
                                                                : (uint64_t)va_arg(ap, size_t);
            char *p = pando__utoa(v, c == 'u' ? 10 : 16, num + sizeof num);
            pando__put(&s, p, (uint32_t)(num + sizeof num - p));
        } else if (c == 'c' && lng == 0) {
            char ch = (char)va_arg(ap, int);
            pando__put(&s, &ch, 1);
        } else if (c == 's' && lng == 0) {
            const char *str = va_arg(ap, const char *);
            if (str == NULL) str = "(null)";
            pando__put(&s, str, (uint32_t)pando_strlen(str));
        } else {
            /* unknown conversion: copy it literally */
            if (c == 0) f--;
            pando__put(&s, spec, (uint32_t)(f - spec + (c != 0)));
        }
    }
    if (dst != NULL && cap > 0) dst[s.n < cap ? s.n : cap - 1] = 0;
    return s.n;
}

/* Decodes one UTF-8 sequence at *p (< end): the code point, or -1 (and advances by one byte). */
static int32_t pando__utf8_next(const unsigned char **p, const unsigned char *end) {
    const unsigned char *s = *p;
    unsigned c = s[0];
    if (c < 0x80) {
        *p = s + 1;
        return (int32_t)c;
    }
    int n;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
    else { *p = s + 1; return -1; }
    if (end - s <= n) { *p = s + 1; return -1; }
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) { *p = s + 1; return -1; }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { *p = s + 1; return -1; }
    *p = s + n + 1;
    return (int32_t)cp;
}

int32_t pando_utf8_count(const char *s, uint32_t len) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    int32_t n = 0;
    while (p < end) {
        if (pando__utf8_next(&p, end) < 0) return -1;
        n++;
    }
    return n;
}

static uint32_t pando__utf8_put(uint32_t cp, unsigned char *out) {
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { out[0] = (unsigned char)(0xC0 | (cp >> 6)); out[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- JSON reading ---------------------------------------------------------------------- */

const char *pando_json_error_name(int rc) {
    switch (rc) {
    case PANDO_JSON_OK: return "OK";
    case PANDO_JSON_MISSING: return "MISSING";
    case PANDO_JSON_WRONG_TYPE: return "WRONG_TYPE";
    case PANDO_JSON_INVALID: return "INVALID";
    case PANDO_JSON_RANGE: return "RANGE";
    case PANDO_JSON_NO_MEMORY: return "NO_MEMORY";
    default: return "UNKNOWN";
    }
}

static const char *pando__ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static int pando__hex4(const char *p, const char *end, uint32_t *out) {
    if (end - p < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/*
 * Reads one code point of a JSON string body at *p (after the opening quote, before the closing
 * one). Returns the code point, -1 if malformed, -2 at the closing quote (then *p is past it).
 */
static int32_t pando__jstr_next(const char **p, const char *end) {
    const char *s = *p;
    if (s >= end) return -1;
    unsigned char c = (unsigned char)*s;
    if (c == '"') { *p = s + 1; return -2; }
    if (c < 0x20) return -1;
    if (c != '\\') {
        const unsigned char *u = (const unsigned char *)s;
        int32_t cp = pando__utf8_next(&u, (const unsigned char *)end);
        *p = (const char *)u;
        return cp;
    }
    if (end - s < 2) return -1;
    char e = s[1];
    *p = s + 2;
    switch (e) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'u': {
        uint32_t hi, lo;
        if (!pando__hex4(s + 2, end, &hi)) return -1;
        *p = s + 6;
        if (hi >= 0xDC00 && hi <= 0xDFFF) return -1; /* lone low surrogate */
        if (hi < 0xD800 || hi > 0xDBFF) return (int32_t)hi;
        if (end - (s + 6) < 6 || s[6] != '\\' || s[7] != 'u' || !pando__hex4(s + 8, end, &lo)) return -1;
        if (lo < 0xDC00 || lo > 0xDFFF) return -1;
        *p = s + 12;
        return (int32_t)(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
    }
    default: return -1;
    }
}

/* Skips a string starting at its opening quote; NULL if malformed. */
static const char *pando__skip_string(const char *p, const char *end) {
    if (p >= end || *p != '"') return NULL;
    p++;
    for (;;) {
        int32_t cp = pando__jstr_next(&p, end);
        if (cp == -2) return p;
        if (cp < 0) return NULL;
    }
}

static bool pando__digit(char c) { return c >= '0' && c <= '9'; }

static const char *pando__skip_number(const char *p, const char *end) {
    if (p < end && *p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < end && pando__digit(*p)) p++;
    else return NULL;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !pando__digit(*p)) return NULL;
        while (p < end && pando__digit(*p)) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || !pando__digit(*p)) return NULL;
        while (p < end && pando__digit(*p)) p++;
    }
    return p;
}

static const char *pando__skip_literal(const char *p, const char *end, const char *lit) {
    size_t n = pando_strlen(lit);
    if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0) return NULL;
    return p + n;
}

/* Skips one value at p (no leading whitespace); sets *type; NULL if malformed. */
static const char *pando__skip_value(const char *p, const char *end, int depth, pando_json_type *type) {
    if (p >= end) return NULL;
    switch (*p) {
    case '"': *type = PANDO_JT_STRING; return pando__skip_string(p, end);
    case 't': *type = PANDO_JT_BOOL; return pando__skip_literal(p, end, "true");
    case 'f': *type = PANDO_JT_BOOL; return pando__skip_literal(p, end, "false");
    case 'n': *type = PANDO_JT_NULL; return pando__skip_literal(p, end, "null");
    case '[':
    case '{': {
        bool obj = *p == '{';
        char close = obj ? '}' : ']';
        pando_json_type t;
        *type = obj ? PANDO_JT_OBJECT : PANDO_JT_ARRAY;
        if (depth >= PANDO_JSON_MAX_DEPTH) return NULL;
        p = pando__ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (obj) {
                p = pando__skip_string(p, end);
                if (p == NULL) return NULL;
                p = pando__ws(p, end);
                if (p >= end || *p != ':') return NULL;
                p = pando__ws(p + 1, end);
            }
            p = pando__skip_value(p, end, depth + 1, &t);
            if (p == NULL) return NULL;
            p = pando__ws(p, end);
            if (p >= end) return NULL;
            if (*p == close) return p + 1;
            if (*p != ',') return NULL;
            p = pando__ws(p + 1, end);
        }
    }
    default:
        *type = PANDO_JT_NUMBER;
        return pando__skip_number(p, end);
    }
}

int pando_json_parse(const char *json, uint32_t len, pando_json_value *out) {
    pando_json_value none = {PANDO_JT_NONE, NULL, 0};
    if (out) *out = none;
    if (json == NULL) return PANDO_JSON_INVALID;
    const char *end = json + len;
    const char *p = pando__ws(json, end);
    pando_json_type t;
    const char *q = pando__skip_value(p, end, 0, &t);
    if (q == NULL || pando__ws(q, end) != end) return PANDO_JSON_INVALID;
    if (out) {
        out->type = t;
        out->ptr = p;
        out->len = (uint32_t)(q - p);
    }
    return PANDO_JSON_OK;
}

int pando_json_iter_init(pando_json_iter *it, const pando_json_value *v) {
    if (v == NULL || (v->type != PANDO_JT_ARRAY && v->type != PANDO_JT_OBJECT) || v->len < 2) return PANDO_JSON_WRONG_TYPE;
    it->object = v->type == PANDO_JT_OBJECT;
    it->pos = v->ptr + 1;
    it->end = v->ptr + v->len - 1; /* the closing bracket */
    it->first = true;
    return PANDO_JSON_OK;
}

int pando_json_next(pando_json_iter *it, pando_json_value *key, pando_json_value *value) {
    const char *p = pando__ws(it->pos, it->end);
    pando_json_value none = {PANDO_JT_NONE, NULL, 0};
    if (key) *key = none;
    if (value) *value = none;
    if (p >= it->end) {
        it->pos = p;
        return PANDO_JSON_MISSING;
    }
    if (!it->first) {
        if (*p != ',') return PANDO_JSON_INVALID;
        p = pando__ws(p + 1, it->end);
    }
    if (it->object) {
        const char *k = p;
        p = pando__skip_string(p, it->end);
        if (p == NULL) return PANDO_JSON_INVALID;
        if (key) {
            key->type = PANDO_JT_STRING;
            key->ptr = k;
            key->len = (uint32_t)(p - k);
        }
        p = pando__ws(p, it->end);
        if (p >= it->end || *p != ':') return PANDO_JSON_INVALID;
        p = pando__ws(p + 1, it->end);
    }
    pando_json_type t;
    const char *v = p;
    p = pando__skip_value(p, it->end, 1, &t);
    if (p == NULL) return PANDO_JSON_INVALID;
    if (value) {
        value->type = t;
        value->ptr = v;
        value->len = (uint32_t)(p - v);
    }
    it->pos = p;
    it->first = false;
    return PANDO_JSON_OK;
}

bool pando_json_string_equals(const pando_json_value *v, const char *s) {
    if (v == NULL || v->type != PANDO_JT_STRING || v->len < 2) return false;
    const char *p = v->ptr + 1, *end = v->ptr + v->len;
    const unsigned char *q = (const unsigned char *)s;
    unsigned char enc[4];
    for (;;) {
        int32_t cp = pando__jstr_next(&p, end);
        if (cp == -2) return *q == 0;
        if (cp < 0) return false;
        if (cp == 0) return false; /* s, NUL-terminated, cannot contain NUL */
        uint32_t n = pando__utf8_put((uint32_t)cp, enc);
        for (uint32_t i = 0; i < n; i++, q++)
            if (*q != enc[i]) return false; /* also stops at the end of s: enc[i] != 0 */
    }
}

int pando_json_field(const pando_json_value *obj, const char *name, pando_json_value *out) {
    pando_json_value none = {PANDO_JT_NONE, NULL, 0}, k, v;
    pando_json_iter it;
    bool found = false;
    int rc;
    if (out) *out = none;
    if (obj == NULL || obj->type != PANDO_JT_OBJECT) return PANDO_JSON_WRONG_TYPE;
    if (pando_json_iter_init(&it, obj) != PANDO_JSON_OK) return PANDO_JSON_INVALID;
    while ((rc = pando_json_next(&it, &k, &v)) == PANDO_JSON_OK) {
        if (pando_json_string_equals(&k, name)) {
            if (found) return PANDO_JSON_INVALID;
            found = true;
            if (out) *out = v;
        }
    }
    if (rc != PANDO_JSON_MISSING) return rc;
    return found ? PANDO_JSON_OK : PANDO_JSON_MISSING;
}

int pando_json_as_string(const pando_json_value *v, pando_buf *out) {
    pando_buf empty = {NULL, 0};
    if (out) *out = empty;
    if (v == NULL || v->type != PANDO_JT_STRING) return PANDO_JSON_WRONG_TYPE;
    if (v->len < 2) return PANDO_JSON_INVALID;
    /* The decoded form is never longer than the raw one. */
    char *buf = (char *)pando_malloc(v->len);
    if (buf == NULL) return PANDO_JSON_NO_MEMORY;
    const char *p = v->ptr + 1, *end = v->ptr + v->len;
    uint32_t n = 0;
    for (;;) {
        int32_t cp = pando__jstr_next(&p, end);
        if (cp == -2) break;
        if (cp < 0) return PANDO_JSON_INVALID;
        n += pando__utf8_put((uint32_t)cp, (unsigned char *)buf + n);
    }
    if (p != end) return PANDO_JSON_INVALID;
    buf[n] = 0;
    if (out) {
        out->ptr = buf;
        out->len = n;
    }
    return PANDO_JSON_OK;
}

int pando_json_as_int(const pando_json_value *v, int64_t *out) {
    if (v == NULL || v->type != PANDO_JT_NUMBER) return PANDO_JSON_WRONG_TYPE;
    const char *p = v->ptr, *end = v->ptr + v->len;
    if (pando__skip_number(p, end) != end) return PANDO_JSON_INVALID;
    bool neg = *p == '-';
    if (neg) p++;
    uint64_t acc = 0;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    bool overflow = false;
    for (; p < end && pando__digit(*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (acc > (limit - d) / 10u) overflow = true;
        else acc = acc * 10u + d;
    }
    if (p != end) return PANDO_JSON_WRONG_TYPE; /* fraction or exponent */
    if (overflow) return PANDO_JSON_RANGE;
    if (out) *out = neg ? (int64_t)((uint64_t)0 - acc) : (int64_t)acc;
    return PANDO_JSON_OK;
}

int pando_json_as_double(const pando_json_value *v, double *out) {
    static const double pando__pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (v == NULL || v->type != PANDO_JT_NUMBER) return PANDO_JSON_WRONG_TYPE;
    const char *p = v->ptr, *end = v->ptr + v->len;
    if (pando__skip_number(p, end) != end) return PANDO_JSON_INVALID;
    bool neg = *p == '-';
    if (neg) p++;
    uint64_t mant = 0;
    int digits = 0;
    int64_t exp10 = 0;
    for (; p < end && pando__digit(*p); p++) {
        if (digits < 19) { mant = mant * 10u + (uint64_t)(*p - '0'); if (mant) digits++; }
        else exp10++;
    }
    if (p < end && *p == '.') {
        for (p++; p < end && pando__digit(*p); p++) {
            if (digits < 19) { mant = mant * 10u + (uint64_t)(*p - '0'); if (mant) digits++; exp10--; }
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (*p == '+' || *p == '-') eneg = *p++ == '-';
        int64_t e = 0;
        for (; p < end && pando__digit(*p); p++)
            if (e < 100000) e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    double d = (double)mant;
    if (mant != 0) {
        if (exp10 < -400) d = 0.0;
        else if (exp10 > 400) return PANDO_JSON_RANGE;
        else {
            while (exp10 > 22) { d *= 1e22; exp10 -= 22; }
            while (exp10 < -22) { d /= 1e22; exp10 += 22; }
            if (exp10 > 0) d *= pando__pow10[exp10];
            else if (exp10 < 0) d /= pando__pow10[-exp10];
        }
        if (d > 1.7976931348623157e308) return PANDO_JSON_RANGE;
    }
    if (out) *out = neg ? -d : d;
    return PANDO_JSON_OK;
}

int pando_json_as_bool(const pando_json_value *v, bool *out) {
    if (v == NULL || v->type != PANDO_JT_BOOL) return PANDO_JSON_WRONG_TYPE;
    if (out) *out = v->ptr[0] == 't';
    return PANDO_JSON_OK;
}

int pando_json_get(const char *json, uint32_t len, const char *name, pando_json_value *out) {
    pando_json_value doc;
    pando_json_value none = {PANDO_JT_NONE, NULL, 0};
    if (out) *out = none;
    int rc = pando_json_parse(json, len, &doc);
    if (rc != PANDO_JSON_OK) return rc;
    return pando_json_field(&doc, name, out);
}

int pando_json_get_string(const char *json, uint32_t len, const char *name, pando_buf *out) {
    pando_json_value v;
    int rc = pando_json_get(json, len, name, &v);
    return rc != PANDO_JSON_OK ? rc : pando_json_as_string(&v, out);
}

int pando_json_get_int(const char *json, uint32_t len, const char *name, int64_t *out) {
    pando_json_value v;
    int rc = pando_json_get(json, len, name, &v);
    return rc != PANDO_JSON_OK ? rc : pando_json_as_int(&v, out);
}

int pando_json_get_double(const char *json, uint32_t len, const char *name, double *out) {
    pando_json_value v;
    int rc = pando_json_get(json, len, name, &v);
    return rc != PANDO_JSON_OK ? rc : pando_json_as_double(&v, out);
}

int pando_json_get_bool(const char *json, uint32_t len, const char *name, bool *out) {
    pando_json_value v;
    int rc = pando_json_get(json, len, name, &v);
    return rc != PANDO_JSON_OK ? rc : pando_json_as_bool(&v, out);
}

bool pando_args_only(const char *json, uint32_t len, const char *const *allowed) {
    pando_json_value doc;
    if (len == 0) return true;
    if (pando_json_parse(json, len, &doc) != PANDO_JSON_OK) {
        pando_fail(PANDO_ERR_BAD_REQUEST, "the arguments are not valid JSON");
        return false;
    }
    if (doc.type == PANDO_JT_NULL) return true;
    if (doc.type != PANDO_JT_OBJECT) {
        pando_fail(PANDO_ERR_BAD_REQUEST, "the arguments must be a JSON object");
        return false;
    }
    pando_json_iter it;
    pando_json_value key;
    if (pando_json_iter_init(&it, &doc) != PANDO_JSON_OK) return true; /* "{}" */
    int rc;
    while ((rc = pando_json_next(&it, &key, NULL)) == PANDO_JSON_OK) {
        bool known = false;
        for (const char *const *a = allowed; *a != NULL && !known; a++) known = pando_json_string_equals(&key, *a);
        if (known) continue;
        pando_buf decoded;
        const char *name = key.ptr; /* raw, if it cannot be decoded */
        uint32_t name_len = key.len;
        if (pando_json_as_string(&key, &decoded) == PANDO_JSON_OK) {
            name = decoded.ptr;
            name_len = decoded.len;
        }
        if (allowed[0] == NULL) {
            pando_failf(PANDO_ERR_BAD_REQUEST, "unknown argument '%.*s' (this op takes no arguments)", (int)name_len, name);
            return false;
        }
        pando_buf list = pando_format("%s", allowed[0]);
        for (const char *const *a = allowed + 1; *a != NULL && list.ptr != NULL; a++) {
            list = pando_format("%.*s, %s", (int)list.len, list.ptr, *a);
        }
        if (list.ptr == NULL) {
            pando_failf(PANDO_ERR_BAD_REQUEST, "unknown argument '%.*s'", (int)name_len, name);
            return false;
        }
        pando_failf(PANDO_ERR_BAD_REQUEST, "unknown argument '%.*s' (expected %.*s)", (int)name_len, name, (int)list.len, list.ptr);
        return false;
    }
    return true;
}

/* ---- JSON writing ---------------------------------------------------------------------- */

void pando_jw_init(pando_jw *w) {
    memset(w, 0, sizeof *w);
}

static void pando__jw_write(pando_jw *w, const char *s, uint32_t n) {
    if (w->err) return;
    if ((uint64_t)w->len + n + 1 > w->cap) {
        uint64_t cap = w->cap ? (uint64_t)w->cap * 2 : 256;
        while (cap < (uint64_t)w->len + n + 1) cap *= 2;
        if (cap > 0xFFFFFFFFu) { w->err = PANDO_JSON_NO_MEMORY; return; }
        char *b = (char *)pando_realloc(w->buf, w->cap, (size_t)cap);
        if (b == NULL) { w->err = PANDO_JSON_NO_MEMORY; return; }
        w->buf = b;
        w->cap = (uint32_t)cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static bool pando__jw_in_object(const pando_jw *w) {
    return w->depth > 0 && ((w->objects >> (w->depth - 1)) & 1u);
}

/* Before a value: checks the position and writes the comma. */
static bool pando__jw_value(pando_jw *w) {
    if (w->err) return false;
    if (w->depth == 0) {
        if (w->done) { w->err = PANDO_JSON_INVALID; return false; }
    } else if (pando__jw_in_object(w)) {
        if (!w->after_key) { w->err = PANDO_JSON_INVALID; return false; }
    } else if (w->need_comma) {
        pando__jw_write(w, ",", 1);
    }
    w->after_key = false;
    return !w->err;
}

/* After a complete value. */
static void pando__jw_after(pando_jw *w) {
    w->need_comma = true;
    if (w->depth == 0) w->done = true;
}

static void pando__jw_begin(pando_jw *w, bool object) {
    if (!pando__jw_value(w)) return;
    if (w->depth >= 64) { w->err = PANDO_JSON_INVALID; return; }
    pando__jw_write(w, object ? "{" : "[", 1);
    if (object) w->objects |= (uint64_t)1 << w->depth;
    else w->objects &= ~((uint64_t)1 << w->depth);
    w->depth++;
    w->need_comma = false;
}

static void pando__jw_end(pando_jw *w, bool object) {
    if (w->err) return;
    if (w->depth == 0 || pando__jw_in_object(w) != object || w->after_key) { w->err = PANDO_JSON_INVALID; return; }
    pando__jw_write(w, object ? "}" : "]", 1);
    w->depth--;
    pando__jw_after(w);
}

void pando_jw_begin_object(pando_jw *w) { pando__jw_begin(w, true); }
void pando_jw_end_object(pando_jw *w) { pando__jw_end(w, true); }
void pando_jw_begin_array(pando_jw *w) { pando__jw_begin(w, false); }
void pando_jw_end_array(pando_jw *w) { pando__jw_end(w, false); }

static void pando__jw_escaped(pando_jw *w, const char *s, uint32_t len) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    pando__jw_write(w, "\"", 1);
    while (p < end && !w->err) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
        if (p > run) pando__jw_write(w, (const char *)run, (uint32_t)(p - run));
        if (p >= end) break;
        unsigned char c = *p;
        if (c >= 0x80) {
            const unsigned char *q = p;
            if (pando__utf8_next(&q, end) < 0) pando__jw_write(w, "\xEF\xBF\xBD", 3);
            else pando__jw_write(w, (const char *)p, (uint32_t)(q - p));
            p = q;
            continue;
        }
        p++;
        switch (c) {
        case '"': pando__jw_write(w, "\\\"", 2); break;
        case '\\': pando__jw_write(w, "\\\\", 2); break;
        case '\n': pando__jw_write(w, "\\n", 2); break;
        case '\r': pando__jw_write(w, "\\r", 2); break;
        case '\t': pando__jw_write(w, "\\t", 2); break;
        case '\b': pando__jw_write(w, "\\b", 2); break;
        case '\f': pando__jw_write(w, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            pando__jw_write(w, u, 6);
        }
        }
    }
    pando__jw_write(w, "\"", 1);
}

void pando_jw_key_n(pando_jw *w, const char *key, uint32_t len) {
    if (w->err) return;
    if (!pando__jw_in_object(w) || w->after_key) { w->err = PANDO_JSON_INVALID; return; }
    if (w->need_comma) pando__jw_write(w, ",", 1);
    pando__jw_escaped(w, key, len);
    pando__jw_write(w, ":", 1);
    w->after_key = true;
}

void pando_jw_key(pando_jw *w, const char *key) { pando_jw_key_n(w, key, (uint32_t)pando_strlen(key)); }

void pando_jw_string_n(pando_jw *w, const char *s, uint32_t len) {
    if (!pando__jw_value(w)) return;
    pando__jw_escaped(w, s, len);
    pando__jw_after(w);
}

void pando_jw_string(pando_jw *w, const char *s) {
    if (s == NULL) pando_jw_null(w);
    else pando_jw_string_n(w, s, (uint32_t)pando_strlen(s));
}

void pando_jw_uint(pando_jw *w, uint64_t v) {
    char num[24];
    if (!pando__jw_value(w)) return;
    char *p = pando__utoa(v, 10, num + sizeof num);
    pando__jw_write(w, p, (uint32_t)(num + sizeof num - p));
    pando__jw_after(w);
}

void pando_jw_int(pando_jw *w, int64_t v) {
    char num[24];
    if (!pando__jw_value(w)) return;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = pando__utoa(u, 10, num + sizeof num);
    if (v < 0) *--p = '-';
    pando__jw_write(w, p, (uint32_t)(num + sizeof num - p));
    pando__jw_after(w);
}

void pando_jw_bool(pando_jw *w, bool v) {
    if (!pando__jw_value(w)) return;
    pando__jw_write(w, v ? "true" : "false", v ? 4 : 5);
    pando__jw_after(w);
}

void pando_jw_null(pando_jw *w) {
    if (!pando__jw_value(w)) return;
    pando__jw_write(w, "null", 4);
    pando__jw_after(w);
}

void pando_jw_raw(pando_jw *w, const char *json, uint32_t len) {
    pando_json_value v;
    if (w->err) return;
    if (pando_json_parse(json, len, &v) != PANDO_JSON_OK) { w->err = PANDO_JSON_INVALID; return; }
    if (!pando__jw_value(w)) return;
    pando__jw_write(w, v.ptr, v.len);
    pando__jw_after(w);
}

void pando_jw_field_string(pando_jw *w, const char *key, const char *s) { pando_jw_key(w, key); pando_jw_string(w, s); }
void pando_jw_field_int(pando_jw *w, const char *key, int64_t v) { pando_jw_key(w, key); pando_jw_int(w, v); }
void pando_jw_field_bool(pando_jw *w, const char *key, bool v) { pando_jw_key(w, key); pando_jw_bool(w, v); }

int pando_jw_finish(pando_jw *w, pando_buf *out) {
    pando_buf empty = {NULL, 0};
    if (out) *out = empty;
    if (w->err) return w->err;
    if (w->depth != 0 || !w->done) return PANDO_JSON_INVALID;
    w->buf[w->len] = 0; /* room for it is always reserved */
    if (out) {
        out->ptr = w->buf;
        out->len = w->len;
    }
    return PANDO_JSON_OK;
}

int64_t pando_return_jw(pando_jw *w) {
    pando_buf b;
    int rc = pando_jw_finish(w, &b);
    if (rc != PANDO_JSON_OK) {
        return pando_fail(PANDO_ERR_PLUGIN_FAILED, rc == PANDO_JSON_NO_MEMORY ? "out of memory building the result"
                                                                             : "the result JSON was built incorrectly");
    }
    return pando_return_buf(b);
}

#ifdef __cplusplus
}
#endif

#endif /* PANDO_IMPLEMENTATION */
