/* Native unit tests of pando.h: allocator, formatting, UTF-8, JSON reader and writer, host wrappers. */
#define PANDO_IMPLEMENTATION
#include "pando.h"

#include "mock_host.h"

/* Parses `json` and returns its type, or -1 if it is invalid. */
static int parse_type(const char *json) {
    pando_json_value v;
    return pando_json_parse(json, (uint32_t)strlen(json), &v) == PANDO_JSON_OK ? (int)v.type : -1;
}

static uint32_t vformat_into(char *dst, uint32_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    uint32_t n = pando_vformat(dst, cap, fmt, ap);
    va_end(ap);
    return n;
}

static void test_allocator(void) {
    uint32_t a = pando_alloc(10);
    CHECK(a != 0);
    CHECK(a % 8 == 0);
    char *p = pando_malloc(3);
    char *q = pando_malloc(1);
    CHECK(p != NULL && q != NULL);
    CHECK((uintptr_t)p % 8 == 0 && (uintptr_t)q % 8 == 0);
    CHECK(q >= p + 3);
    CHECK((uintptr_t)a == (uint32_t)(uintptr_t)pando_native_last_alloc);
    CHECK(p >= (char *)pando_native_last_alloc + 10);
    /* pando_alloc resets the arena: the next call gets the same address. */
    CHECK(pando_alloc(10) == a);
    CHECK(pando_alloc(0) == a);
    /* realloc of the newest block grows in place, of an older one copies. */
    char *r = pando_malloc(4);
    memcpy(r, "abcd", 4);
    CHECK(pando_realloc(r, 4, 100) == r);
    char *s = pando_malloc(1);
    char *r2 = pando_realloc(r, 100, 200);
    CHECK(r2 != r && r2 > s && memcmp(r2, "abcd", 4) == 0);
    /* out of memory is explicit */
    CHECK(pando_malloc((size_t)PANDO_NATIVE_HEAP_SIZE + 1) == NULL);
    CHECK(pando_alloc(PANDO_NATIVE_HEAP_SIZE + 1u) == 0 && pando_native_last_alloc == NULL);
    CHECK(pando_alloc(0xFFFFFFFFu) == 0);
    CHECK(pando_alloc(16) == a); /* and the arena still works afterwards */
    /* pin keeps what was allocated so far */
    char *kept = pando_malloc(32);
    memcpy(kept, "persistent", 11);
    pando_arena_pin();
    uint32_t b = pando_alloc(8);
    CHECK((char *)pando_native_last_alloc >= kept + 32);
    CHECK(strcmp(kept, "persistent") == 0);
    CHECK(pando_alloc(8) == b);
    size_t used = pando_arena_used();
    CHECK(used >= 16 + 32 + 8);

    pando_buf c = pando_buf_copy("xyz", 3);
    CHECK_STR(c.ptr, c.len, "xyz");
    CHECK(c.ptr[3] == 0);
}

static void test_format(void) {
    pando_alloc(0);
    pando_buf b = pando_format("a%db%uc%sd%ce%%f%lldg%xh%zu", -42, 7u, "str", 'Z', (long long)INT64_MIN, 255u, (size_t)12);
    CHECK_STR(b.ptr, b.len, "a-42b7cstrdZe%f-9223372036854775808gffh12");
    b = pando_format("[%.*s]", 3, "abcdef");
    CHECK_STR(b.ptr, b.len, "[abc]");
    b = pando_format("%s|%q|%", (const char *)NULL);
    CHECK_STR(b.ptr, b.len, "(null)|%q|");
    b = pando_format("%.*s", 3, "a\0b");
    CHECK(b.len == 3 && memcmp(b.ptr, "a\0b", 3) == 0);
    b = pando_format("%llu", (unsigned long long)UINT64_MAX);
    CHECK_STR(b.ptr, b.len, "18446744073709551615");
    /* truncation like snprintf: returns the full length, writes cap - 1 bytes and a NUL */
    char small[4] = {'x', 'x', 'x', 'x'};
    CHECK(vformat_into(small, sizeof small, "hello %d", 42) == 8);
    CHECK(memcmp(small, "hel", 4) == 0);
    CHECK(vformat_into(NULL, 0, "%s", "abc") == 3);
}

static void test_utf8(void) {
    CHECK(pando_utf8_count("", 0) == 0);
    CHECK(pando_utf8_count("abc", 3) == 3);
    CHECK(pando_utf8_count("Zo\xc3\xab", 4) == 3);
    CHECK(pando_utf8_count("\xf0\x9f\x98\x80", 4) == 1);
    CHECK(pando_utf8_count("\xe2\x82\xac", 3) == 1);
    CHECK(pando_utf8_count("\xc3", 1) == -1);         /* truncated */
    CHECK(pando_utf8_count("\xc0\x80", 2) == -1);     /* overlong */
    CHECK(pando_utf8_count("\xed\xa0\x80", 3) == -1); /* encoded surrogate */
    CHECK(pando_utf8_count("\xf4\x90\x80\x80", 4) == -1); /* > U+10FFFF */
    CHECK(pando_utf8_count("\x80", 1) == -1);
}

static void test_json_parse(void) {
    CHECK(parse_type("{}") == PANDO_JT_OBJECT);
    CHECK(parse_type(" [ ] ") == PANDO_JT_ARRAY);
    CHECK(parse_type("null") == PANDO_JT_NULL);
    CHECK(parse_type("true") == PANDO_JT_BOOL);
    CHECK(parse_type("-0.5e+10") == PANDO_JT_NUMBER);
    CHECK(parse_type("\"a\\u00e9\\n\"") == PANDO_JT_STRING);
    CHECK(parse_type("{\"a\":[1,2,{\"b\":null}],\"c\":\"\\\"}\"}") == PANDO_JT_OBJECT);
    const char *bad[] = {"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[,1]", "{a:1}",
                         "{'a':1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "True", "{}x", "{} {}",
                         "\"abc", "\"a\x01\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
                         "\"\\ud800\\u0041\"", "\"\xc3\"", "\"\xff\"", "[1 2]", "{\"a\":1 \"b\":2}", "NaN",
                         "Infinity", "[\"a\",]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_type(bad[i]) != -1) {
            fprintf(stderr, "accepted malformed JSON [%s]\n", bad[i]);
            mock_failures++;
        }
    }
    /* nesting limit */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    CHECK(pando_json_parse(deep, 200, NULL) == PANDO_JSON_INVALID);
    CHECK(pando_json_parse(deep + 100 - PANDO_JSON_MAX_DEPTH, 2 * PANDO_JSON_MAX_DEPTH, NULL) == PANDO_JSON_OK);
    /* explicit length: the bytes after len are not read */
    CHECK(pando_json_parse("{}garbage", 2, NULL) == PANDO_JSON_OK);
}

static void test_json_fields(void) {
    pando_alloc(0);
    const char *doc = "{\"name\":\"Zo\\u00eb \\\"Z\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\ud83d\\ude00\",\"n\":-12,\"big\":9223372036854775807,"
                      "\"over\":9223372036854775808,\"min\":-9223372036854775808,\"f\":1.5,\"e\":2e3,\"t\":true,"
                      "\"no\":false,\"nil\":null,\"obj\":{\"inner\":\"x\"},\"arr\":[1,\"two\",[3]],\"n\\u0061me2\":\"esc\"}";
    uint32_t len = (uint32_t)strlen(doc);
    pando_buf s;
    CHECK(pando_json_get_string(doc, len, "name", &s) == PANDO_JSON_OK);
    CHECK_STR(s.ptr, s.len, "Zo\xc3\xab \"Z\" \\ / \b\f\n\r\t \xf0\x9f\x98\x80");
    CHECK(s.ptr[s.len] == 0);
    int64_t i = 0;
    CHECK(pando_json_get_int(doc, len, "n", &i) == PANDO_JSON_OK && i == -12);
    CHECK(pando_json_get_int(doc, len, "big", &i) == PANDO_JSON_OK && i == INT64_MAX);
    CHECK(pando_json_get_int(doc, len, "min", &i) == PANDO_JSON_OK && i == INT64_MIN);
    CHECK(pando_json_get_int(doc, len, "over", &i) == PANDO_JSON_RANGE);
    CHECK(pando_json_get_int(doc, len, "f", &i) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_int(doc, len, "e", &i) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_int(doc, len, "name", &i) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_int(doc, len, "absent", &i) == PANDO_JSON_MISSING);
    double d = 0;
    CHECK(pando_json_get_double(doc, len, "f", &d) == PANDO_JSON_OK && d == 1.5);
    CHECK(pando_json_get_double(doc, len, "e", &d) == PANDO_JSON_OK && d == 2000.0);
    CHECK(pando_json_get_double(doc, len, "n", &d) == PANDO_JSON_OK && d == -12.0);
    CHECK(pando_json_get_double(doc, len, "t", &d) == PANDO_JSON_WRONG_TYPE);
    bool b = false;
    CHECK(pando_json_get_bool(doc, len, "t", &b) == PANDO_JSON_OK && b);
    CHECK(pando_json_get_bool(doc, len, "no", &b) == PANDO_JSON_OK && !b);
    CHECK(pando_json_get_bool(doc, len, "nil", &b) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_bool(doc, len, "n", &b) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_string(doc, len, "nil", &s) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_string(doc, len, "name2", &s) == PANDO_JSON_OK);
    CHECK_STR(s.ptr, s.len, "esc");
    CHECK(pando_json_get_string(doc, len, "inner", &s) == PANDO_JSON_MISSING); /* top level only */

    pando_json_value v, inner;
    CHECK(pando_json_get(doc, len, "nil", &v) == PANDO_JSON_OK && v.type == PANDO_JT_NULL);
    CHECK(pando_json_get(doc, len, "obj", &v) == PANDO_JSON_OK && v.type == PANDO_JT_OBJECT);
    CHECK(pando_json_field(&v, "inner", &inner) == PANDO_JSON_OK);
    CHECK(pando_json_as_string(&inner, &s) == PANDO_JSON_OK);
    CHECK_STR(s.ptr, s.len, "x");
    CHECK(pando_json_get(doc, len, "absent", &v) == PANDO_JSON_MISSING && v.type == PANDO_JT_NONE);

    /* array iteration */
    CHECK(pando_json_get(doc, len, "arr", &v) == PANDO_JSON_OK && v.type == PANDO_JT_ARRAY);
    pando_json_iter it;
    pando_json_value e;
    int count = 0;
    CHECK(pando_json_iter_init(&it, &v) == PANDO_JSON_OK);
    while (pando_json_next(&it, NULL, &e) == PANDO_JSON_OK) {
        if (count == 0) CHECK(e.type == PANDO_JT_NUMBER);
        if (count == 1) CHECK(pando_json_string_equals(&e, "two"));
        if (count == 2) CHECK(e.type == PANDO_JT_ARRAY && e.len == 3);
        count++;
    }
    CHECK(count == 3);
    /* object iteration */
    pando_json_value doc_v, k;
    CHECK(pando_json_parse("{ \"a\" : 1 , \"b\":{} }", 20, &doc_v) == PANDO_JSON_OK);
    CHECK(pando_json_iter_init(&it, &doc_v) == PANDO_JSON_OK);
    CHECK(pando_json_next(&it, &k, &e) == PANDO_JSON_OK && pando_json_string_equals(&k, "a") && e.type == PANDO_JT_NUMBER);
    CHECK(pando_json_next(&it, &k, &e) == PANDO_JSON_OK && pando_json_string_equals(&k, "b") && e.type == PANDO_JT_OBJECT);
    CHECK(pando_json_next(&it, &k, &e) == PANDO_JSON_MISSING);
    CHECK(pando_json_iter_init(&it, &inner) == PANDO_JSON_WRONG_TYPE);

    /* not an object, malformed, duplicates */
    CHECK(pando_json_get_string("[1]", 3, "name", &s) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_string("\"name\"", 6, "name", &s) == PANDO_JSON_WRONG_TYPE);
    CHECK(pando_json_get_string("{\"name\":\"a\"", 11, "name", &s) == PANDO_JSON_INVALID);
    CHECK(pando_json_get_string("{\"name\":\"a\",\"name\":\"b\"}", 23, "name", &s) == PANDO_JSON_INVALID);
    CHECK(pando_json_get_string("{\"name\":\"a\",\"nam\\u0065\":\"b\"}", 28, "name", &s) == PANDO_JSON_INVALID);
    CHECK(pando_json_get_string("{\"x\":1,\"name\":\"a\" ,\"y\":[]}", 26, "name", &s) == PANDO_JSON_OK);
    CHECK_STR(s.ptr, s.len, "a");
    /* a key with \u0000 never matches a C string */
    CHECK(pando_json_get_string("{\"a\\u0000\":\"x\"}", 15, "a", &s) == PANDO_JSON_MISSING);
    /* strings with NUL decode with the right length */
    CHECK(pando_json_get_string("{\"a\":\"x\\u0000y\"}", 16, "a", &s) == PANDO_JSON_OK);
    CHECK(s.len == 3 && memcmp(s.ptr, "x\0y", 3) == 0);
    /* empty string */
    CHECK(pando_json_get_string("{\"a\":\"\"}", 8, "a", &s) == PANDO_JSON_OK && s.len == 0 && s.ptr[0] == 0);

    /* doubles */
    struct { const char *text; double want; } nums[] = {
        {"0", 0.0}, {"-0", -0.0}, {"0.1", 0.1}, {"123.456", 123.456}, {"1e22", 1e22}, {"1E-5", 1e-5},
        {"-2.5e-3", -2.5e-3}, {"9007199254740993", 9007199254740992.0}, {"1e-400", 0.0}, {"3.0", 3.0}};
    for (size_t n = 0; n < sizeof nums / sizeof nums[0]; n++) {
        CHECK(pando_json_parse(nums[n].text, (uint32_t)strlen(nums[n].text), &v) == PANDO_JSON_OK);
        CHECK(pando_json_as_double(&v, &d) == PANDO_JSON_OK);
        if (d != nums[n].want) {
            fprintf(stderr, "double %s: got %.17g, want %.17g\n", nums[n].text, d, nums[n].want);
            mock_failures++;
        }
    }
    CHECK(pando_json_parse("1e400", 5, &v) == PANDO_JSON_OK && pando_json_as_double(&v, &d) == PANDO_JSON_RANGE);
    CHECK(pando_json_parse("-0", 2, &v) == PANDO_JSON_OK && pando_json_as_int(&v, &i) == PANDO_JSON_OK && i == 0);
}

/* Builds a string with the writer, parses it back and checks it decodes to the original. */
static void roundtrip(const char *s, uint32_t len, const char *expected_json) {
    pando_jw w;
    pando_buf out, back;
    pando_json_value v;
    pando_jw_init(&w);
    pando_jw_string_n(&w, s, len);
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_OK);
    if (expected_json) CHECK_STR(out.ptr, out.len, expected_json);
    CHECK(pando_json_parse(out.ptr, out.len, &v) == PANDO_JSON_OK && v.type == PANDO_JT_STRING);
    CHECK(pando_json_as_string(&v, &back) == PANDO_JSON_OK);
    CHECK(back.len == len && memcmp(back.ptr, s, len) == 0);
}

static void test_json_writer(void) {
    pando_alloc(0);
    pando_jw w;
    pando_buf out;
    pando_jw_init(&w);
    pando_jw_begin_object(&w);
    pando_jw_field_string(&w, "s", "a\"b\\c\n\x01\x1f\x7f\xc3\xab/");
    pando_jw_field_int(&w, "i", INT64_MIN);
    pando_jw_key(&w, "u");
    pando_jw_uint(&w, UINT64_MAX);
    pando_jw_field_bool(&w, "t", true);
    pando_jw_key(&w, "k\"ey");
    pando_jw_begin_array(&w);
    pando_jw_null(&w);
    pando_jw_bool(&w, false);
    pando_jw_raw(&w, " {\"x\": [1]} ", 12);
    pando_jw_begin_object(&w);
    pando_jw_end_object(&w);
    pando_jw_begin_array(&w);
    pando_jw_end_array(&w);
    pando_jw_string(&w, NULL);
    pando_jw_end_array(&w);
    pando_jw_end_object(&w);
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_OK);
    CHECK_STR(out.ptr, out.len,
              "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u001f\x7f\xc3\xab/\",\"i\":-9223372036854775808,\"u\":18446744073709551615,"
              "\"t\":true,\"k\\\"ey\":[null,false,{\"x\": [1]},{},[],null]}");
    CHECK(out.ptr[out.len] == 0);
    CHECK(pando_json_parse(out.ptr, out.len, NULL) == PANDO_JSON_OK);

    roundtrip("Zo\xc3\xab \"Z\"", 8, "\"Zo\xc3\xab \\\"Z\\\"\"");
    roundtrip("\\\b\f\n\r\t\x00 \xf0\x9f\x98\x80", 12, "\"\\\\\\b\\f\\n\\r\\t\\u0000 \xf0\x9f\x98\x80\"");
    roundtrip("", 0, "\"\"");
    /* invalid UTF-8 becomes U+FFFD */
    pando_jw_init(&w);
    pando_jw_string_n(&w, "a\xff" "b\xc3", 4);
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_OK);
    CHECK_STR(out.ptr, out.len, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");

    /* a long string forces the buffer to grow */
    char big[5000];
    for (int n = 0; n < 5000; n++) big[n] = (char)('a' + n % 26);
    roundtrip(big, 5000, NULL);
    /* growing while other allocations happen in between */
    pando_jw_init(&w);
    pando_jw_begin_array(&w);
    for (int n = 0; n < 300; n++) {
        pando_malloc(1);
        pando_jw_int(&w, n);
    }
    pando_jw_end_array(&w);
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_OK);
    CHECK(pando_json_parse(out.ptr, out.len, NULL) == PANDO_JSON_OK);
    CHECK(out.len > 1000 && strncmp(out.ptr, "[0,1,2,", 7) == 0 && strcmp(out.ptr + out.len - 5, ",299]") == 0);

    /* misuse */
    pando_jw_init(&w);
    pando_jw_begin_object(&w);
    pando_jw_int(&w, 1); /* value without a key */
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID && out.ptr == NULL);
    pando_jw_init(&w);
    pando_jw_begin_array(&w);
    pando_jw_key(&w, "k"); /* key in an array */
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID);
    pando_jw_init(&w);
    pando_jw_begin_object(&w);
    pando_jw_end_array(&w); /* wrong close */
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID);
    pando_jw_init(&w);
    pando_jw_begin_object(&w); /* unclosed */
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID);
    pando_jw_init(&w);
    pando_jw_int(&w, 1);
    pando_jw_int(&w, 2); /* two top-level values */
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID);
    pando_jw_init(&w);
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID); /* nothing */
    pando_jw_init(&w);
    pando_jw_begin_object(&w);
    pando_jw_key(&w, "a");
    pando_jw_end_object(&w); /* key without value */
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID);
    pando_jw_init(&w);
    pando_jw_raw(&w, "{bad}", 5);
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_INVALID);
    /* a failed build fails the op with PLUGIN_FAILED */
    mock_reset();
    CHECK(pando_return_jw(&w) == 0);
    CHECK(strcmp(mock_error_code, "PLUGIN_FAILED") == 0);
    /* out of memory is reported, not a crash */
    pando_alloc(PANDO_NATIVE_HEAP_SIZE - 64);
    pando_jw_init(&w);
    pando_jw_string_n(&w, big, 5000);
    CHECK(pando_jw_finish(&w, &out) == PANDO_JSON_NO_MEMORY);
    pando_alloc(0);
}

static void test_wrappers(void) {
    pando_alloc(0);
    mock_reset();
    pando_buf b;
    CHECK(pando_kv_get("/_plugins/t/a", &b) == PANDO_OK);
    CHECK(strcmp(mock_last_key, "/_plugins/t/a") == 0);
    int64_t n = 0;
    CHECK(pando_json_get_int(b.ptr, b.len, "revision", &n) == PANDO_JSON_OK && n == 3);
    CHECK(pando_kv_get("/_plugins/t/zzz", &b) == PANDO_NOT_FOUND && b.ptr == NULL);
    b = pando_message();
    CHECK_STR(b.ptr, b.len, "no entry at the key");
    CHECK(strcmp(pando_status_name(PANDO_NOT_FOUND), "NOT_FOUND") == 0);
    CHECK(strcmp(pando_status_name(PANDO_FAILED), "FAILED") == 0);
    CHECK(strcmp(pando_status_name(PANDO_NO_MEMORY), "NO_MEMORY") == 0);

    CHECK(pando_kv_set("/_plugins/t/a", "{\"n\":2}", PANDO_ANY_REVISION) == 9);
    CHECK(strcmp(mock_last_value, "{\"n\":2}") == 0 && mock_last_if_revision == -1);
    CHECK(pando_kv_set_n("/_plugins/t/a", "[1]xx", 3, 5) == PANDO_CONFLICT);
    CHECK(strcmp(mock_last_value, "[1]") == 0 && mock_last_if_revision == 5);
    CHECK(pando_kv_delete("/_plugins/t/a") == 1);

    CHECK(pando_kv_scan("/_plugins/t", NULL, 10, &b) == PANDO_OK);
    CHECK(strcmp(mock_last_after, "") == 0 && mock_last_limit == 10);
    pando_json_value entries, e;
    pando_json_iter it;
    CHECK(pando_json_get(b.ptr, b.len, "entries", &entries) == PANDO_JSON_OK);
    CHECK(pando_json_iter_init(&it, &entries) == PANDO_JSON_OK);
    int count = 0;
    while (pando_json_next(&it, NULL, &e) == PANDO_JSON_OK) count++;
    CHECK(count == 2);
    CHECK(pando_kv_scan("/_plugins/t", "tok", 10, &b) == PANDO_OK && strcmp(mock_last_after, "tok") == 0);

    CHECK(pando_publish("/t/x", "{\"a\":1}") == 0);
    CHECK(strcmp(mock_last_topic, "/t/x") == 0 && strcmp(mock_last_value, "{\"a\":1}") == 0);
    pando_log(PANDO_LOG_WARN, "careful");
    CHECK(mock_log_level == 3 && strcmp(mock_log_msg, "careful") == 0);
    pando_logf(PANDO_LOG_INFO, "n=%d s=%s", 5, "x");
    CHECK(mock_log_level == 2 && strcmp(mock_log_msg, "n=5 s=x") == 0);
    pando_log_n(PANDO_LOG_ERROR, "abcdef", 2);
    CHECK(mock_log_level == 4 && strcmp(mock_log_msg, "ab") == 0);
    CHECK(pando_clock_ms() == 1700000000123LL);
    unsigned char rnd[4] = {0};
    CHECK(pando_random(rnd, 4) == 0 && rnd[3] == 0xAB);
    CHECK(pando_config(&b) == PANDO_OK);
    CHECK_STR(b.ptr, b.len, "{\"step\":2}");
    CHECK(pando_caller(&b) == PANDO_OK);
    CHECK(pando_json_get_string(b.ptr, b.len, "name", &b) == PANDO_JSON_OK);
    CHECK_STR(b.ptr, b.len, "user:ada");
    CHECK(pando_caller_may(PANDO_ACCESS_READ, "/a") == 1 && mock_last_level == 1);
    CHECK(pando_caller_may(PANDO_ACCESS_WRITE, "/a") == 0);

    /* returning */
    const char *json = "{\"ok\":1}";
    int64_t r = pando_return_str(json);
    CHECK((r & 0xFFFFFFFF) == 8);
    CHECK(pando_native_last_return.ptr == json && pando_native_last_return.len == 8);
    CHECK(pando_return_null() == 0 && pando_native_last_return.ptr == NULL);
    CHECK(pando_return("x", 0) == 0);

    mock_reset();
    CHECK(pando_fail(PANDO_ERR_NOT_FOUND, "no such thing") == 0);
    CHECK(strcmp(mock_error_code, "NOT_FOUND") == 0 && strcmp(mock_error_msg, "no such thing") == 0);
    CHECK(pando_failf(PANDO_ERR_BAD_REQUEST, "'%s' must be at most %d", "name", 100) == 0);
    CHECK(strcmp(mock_error_code, "BAD_REQUEST") == 0 && strcmp(mock_error_msg, "'name' must be at most 100") == 0);
}

static bool args_only(const char *json, const char *const *allowed) {
    mock_reset();
    return pando_args_only(json, (uint32_t)strlen(json), allowed);
}

static void test_args_only(void) {
    static const char *const N_BY[] = {"n", "by", NULL};
    static const char *const NONE[] = {NULL};
    CHECK(args_only("{\"n\":1,\"by\":2}", N_BY) && mock_error_calls == 0);
    CHECK(args_only(" { \"n\" : {\"deep\":[1]} } ", N_BY) && mock_error_calls == 0);
    CHECK(args_only("{}", NONE) && args_only("", NONE) && args_only("null", N_BY) && mock_error_calls == 0);
    CHECK(args_only("{\"b\\u0079\":1}", N_BY)); /* names compare unescaped */

    CHECK(!args_only("{\"n\":1,\"N\":1}", N_BY));
    CHECK(strcmp(mock_error_code, "BAD_REQUEST") == 0);
    CHECK(strcmp(mock_error_msg, "unknown argument 'N' (expected n, by)") == 0);
    CHECK(!args_only("{\"x\":1}", NONE));
    CHECK(strcmp(mock_error_msg, "unknown argument 'x' (this op takes no arguments)") == 0);
    CHECK(!args_only("[1]", N_BY));
    CHECK(strcmp(mock_error_code, "BAD_REQUEST") == 0 && strcmp(mock_error_msg, "the arguments must be a JSON object") == 0);
    CHECK(!args_only("{\"n\":", N_BY));
    CHECK(strcmp(mock_error_code, "BAD_REQUEST") == 0 && strcmp(mock_error_msg, "the arguments are not valid JSON") == 0);
}

int main(void) {
    test_allocator();
    test_args_only();
    test_format();
    test_utf8();
    test_json_parse();
    test_json_fields();
    test_json_writer();
    test_wrappers();
    if (mock_failures) {
        fprintf(stderr, "test_pando: %d check(s) failed\n", mock_failures);
        return 1;
    }
    printf("test_pando: all checks passed\n");
    return 0;
}
