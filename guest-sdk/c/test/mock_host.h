/* A fake host for native tests: the `pando` imports as plain C functions with a result buffer. */
#ifndef MOCK_HOST_H
#define MOCK_HOST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pando.h"

static int mock_failures;
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            mock_failures++;                                                          \
        }                                                                             \
    } while (0)
#define CHECK_STR(ptr, len, expected) check_str(__FILE__, __LINE__, (ptr), (len), (expected))

static void check_str(const char *file, int line, const char *ptr, size_t len, const char *expected) {
    size_t n = strlen(expected);
    if (ptr == NULL || len != n || memcmp(ptr, expected, n) != 0) {
        fprintf(stderr, "%s:%d: expected [%s], got [%.*s]\n", file, line, expected, ptr ? (int)len : 6,
                ptr ? ptr : "(null)");
        mock_failures++;
    }
}

/* The host-side state. */
static char mock_result[4096];
static uint32_t mock_result_n;
static char mock_error_code[64], mock_error_msg[2048];
static int mock_error_calls;
static int32_t mock_log_level = -1;
static char mock_log_msg[2048];
static uint32_t mock_log_len;
static char mock_last_key[256], mock_last_value[1024], mock_last_after[256], mock_last_topic[256];
static int64_t mock_last_if_revision;
static int32_t mock_last_limit, mock_last_level;

static void mock_copy(char *dst, size_t cap, const char *src, uint32_t n) {
    if (n >= cap) n = (uint32_t)cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static int32_t mock_set_result(const char *s) {
    mock_result_n = (uint32_t)strlen(s);
    memcpy(mock_result, s, mock_result_n);
    return (int32_t)mock_result_n;
}

static int32_t mock_fail(int32_t status, const char *msg) {
    mock_set_result(msg);
    return status;
}

static void mock_reset(void) {
    mock_result_n = 0;
    mock_error_code[0] = mock_error_msg[0] = 0;
    mock_error_calls = 0;
    mock_log_level = -1;
    mock_log_msg[0] = 0;
    mock_log_len = 0;
}

int32_t pando_host_kv_get(const char *key, uint32_t key_len) {
    mock_copy(mock_last_key, sizeof mock_last_key, key, key_len);
    if (strcmp(mock_last_key, "/_plugins/t/a") == 0)
        return mock_set_result("{\"key\":\"/_plugins/t/a\",\"value\":{\"n\":1},\"revision\":3}");
    return mock_fail(PANDO_NOT_FOUND, "no entry at the key");
}
int64_t pando_host_kv_set(const char *key, uint32_t key_len, const char *value, uint32_t value_len, int64_t if_revision) {
    mock_copy(mock_last_key, sizeof mock_last_key, key, key_len);
    mock_copy(mock_last_value, sizeof mock_last_value, value, value_len);
    mock_last_if_revision = if_revision;
    mock_result_n = 0;
    return if_revision == 5 ? mock_fail(PANDO_CONFLICT, "revision mismatch") : 9;
}
int32_t pando_host_kv_delete(const char *key, uint32_t key_len) {
    mock_copy(mock_last_key, sizeof mock_last_key, key, key_len);
    mock_result_n = 0;
    return 1;
}
int32_t pando_host_kv_scan(const char *query, uint32_t query_len, const char *after, uint32_t after_len, int32_t limit) {
    mock_copy(mock_last_key, sizeof mock_last_key, query, query_len);
    mock_copy(mock_last_after, sizeof mock_last_after, after, after_len);
    mock_last_limit = limit;
    return mock_set_result("{\"entries\":[{\"key\":\"/_plugins/t/a\",\"value\":1},{\"key\":\"/_plugins/t/b\",\"value\":2}],\"next\":null}");
}
int32_t pando_host_result_len(void) { return (int32_t)mock_result_n; }
int32_t pando_host_result_read(void *ptr, uint32_t len) {
    uint32_t n = len < mock_result_n ? len : mock_result_n;
    memcpy(ptr, mock_result, n);
    return (int32_t)n;
}
void pando_host_error(const char *code, uint32_t code_len, const char *msg, uint32_t msg_len) {
    mock_copy(mock_error_code, sizeof mock_error_code, code, code_len);
    mock_copy(mock_error_msg, sizeof mock_error_msg, msg, msg_len);
    mock_error_calls++;
}
int32_t pando_host_caller(void) { return mock_set_result("{\"name\":\"user:ada\",\"authenticated\":true}"); }
int32_t pando_host_caller_may(int32_t level, const char *key, uint32_t key_len) {
    mock_copy(mock_last_key, sizeof mock_last_key, key, key_len);
    mock_last_level = level;
    mock_result_n = 0;
    return level == PANDO_ACCESS_READ ? 1 : 0;
}
int32_t pando_host_config(void) { return mock_set_result("{\"step\":2}"); }
int32_t pando_host_publish(const char *topic, uint32_t topic_len, const char *payload, uint32_t payload_len) {
    mock_copy(mock_last_topic, sizeof mock_last_topic, topic, topic_len);
    mock_copy(mock_last_value, sizeof mock_last_value, payload, payload_len);
    mock_result_n = 0;
    return 0;
}
void pando_host_log(int32_t level, const char *msg, uint32_t msg_len) {
    mock_log_level = level;
    mock_copy(mock_log_msg, sizeof mock_log_msg, msg, msg_len);
    mock_log_len = msg_len;
}
int64_t pando_host_clock_ms(void) { return 1700000000123LL; }
int32_t pando_host_random(void *ptr, uint32_t len) {
    memset(ptr, 0xAB, len);
    mock_result_n = 0;
    return 0;
}

#endif
