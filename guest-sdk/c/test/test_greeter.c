/* Native test of the greeter example (guest-sdk/examples/greeter/greeter.c) against the mock host. */
#include "../../examples/greeter/greeter.c"

#include "mock_host.h"

/* Calls greet like the host does: pando_alloc, copy the args, call the export. */
static void call(const char *args) {
    mock_reset();
    uint32_t len = (uint32_t)strlen(args);
    CHECK(pando_alloc(len) != 0);
    char *p = (char *)pando_native_last_alloc;
    memcpy(p, args, len);
    pando_native_last_return.ptr = NULL;
    pando_native_last_return.len = 0;
    int64_t r = greet(p, len);
    CHECK(mock_error_calls > 0 ? r == 0 : (uint32_t)(r & 0xFFFFFFFF) == pando_native_last_return.len);
}

static void expect_ok(const char *args, const char *result, const char *log) {
    call(args);
    CHECK(mock_error_calls == 0);
    CHECK_STR(pando_native_last_return.ptr, pando_native_last_return.len, result);
    CHECK(mock_log_level == PANDO_LOG_INFO);
    CHECK_STR(mock_log_msg, mock_log_len, log);
}

static void expect_bad(const char *args, const char *field) {
    call(args);
    CHECK(mock_error_calls == 1);
    CHECK(strcmp(mock_error_code, "BAD_REQUEST") == 0);
    if (strstr(mock_error_msg, field) == NULL) {
        fprintf(stderr, "args %s: message [%s] does not name %s\n", args, mock_error_msg, field);
        mock_failures++;
    }
    CHECK(mock_log_level == -1);
}

int main(void) {
    expect_ok("{\"name\":\"Ada\"}", "{\"greeting\":\"Hello, Ada!\"}", "greeted Ada");
    expect_ok("{\"name\":\"Ada\",\"shout\":true}", "{\"greeting\":\"HELLO, ADA!\"}", "greeted Ada");
    expect_ok("{\"name\":\"Ada\",\"shout\":false}", "{\"greeting\":\"Hello, Ada!\"}", "greeted Ada");
    expect_ok("{\"shout\":false,\"name\":\"Ada\"}", "{\"greeting\":\"Hello, Ada!\"}", "greeted Ada");
    expect_bad("{\"shout\":false,\"extra\":[1,{}],\"name\":\"Ada\"}", "unknown argument 'extra' (expected name, shout)");
    expect_bad("{\"name\":\"Ada\",\"Shout\":true}", "'Shout'");
    expect_ok("{\"name\":\"Zo\xc3\xab \\\"Z\\\"\"}", "{\"greeting\":\"Hello, Zo\xc3\xab \\\"Z\\\"!\"}", "greeted Zo\xc3\xab \"Z\"");
    expect_ok("{\"name\":\"Zo\\u00eb \\\\ \\n\",\"shout\":true}", "{\"greeting\":\"HELLO, ZO\xc3\xab \\\\ \\n!\"}",
              "greeted Zo\xc3\xab \\ \n");
    expect_ok("{\"name\":\"\\ud83d\\ude00\"}", "{\"greeting\":\"Hello, \xf0\x9f\x98\x80!\"}", "greeted \xf0\x9f\x98\x80");

    /* 100 code points (200 bytes) is fine, 101 is not */
    char args[512], want[512];
    strcpy(args, "{\"name\":\"");
    for (int i = 0; i < 100; i++) strcat(args, "\xc3\xa9");
    strcat(args, "\"}");
    call(args);
    CHECK(mock_error_calls == 0 && pando_native_last_return.len == strlen("{\"greeting\":\"Hello, !\"}") + 200);
    strcpy(args + strlen(args) - 2, "x\"}");
    expect_bad(args, "name");
    (void)want;

    expect_bad("{}", "name");
    expect_bad("{\"name\":\"\"}", "name");
    expect_bad("{\"name\":null}", "name");
    expect_bad("{\"name\":42}", "name");
    expect_bad("{\"name\":[\"Ada\"]}", "name");
    expect_bad("{\"Name\":\"Ada\"}", "name");
    expect_bad("[\"Ada\"]", "name");
    expect_bad("{\"name\":\"Ada\"", "name");
    expect_bad("{\"name\":\"Ada\",\"shout\":\"yes\"}", "shout");
    expect_bad("{\"name\":\"Ada\",\"shout\":1}", "shout");
    expect_bad("{\"name\":\"Ada\",\"shout\":null}", "shout");

    if (mock_failures) {
        fprintf(stderr, "test_greeter: %d check(s) failed\n", mock_failures);
        return 1;
    }
    printf("test_greeter: all checks passed\n");
    return 0;
}
