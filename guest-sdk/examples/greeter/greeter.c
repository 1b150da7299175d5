/*
 * greeter: a Pando WASM plugin in C, built on guest-sdk/c/pando.h.
 *
 * Op greeter.greet (export "greet"), args {"name": string, "shout"?: bool}:
 *   - name is required: a string of 1..100 characters, counted in Unicode code points;
 *   - shout, when present, must be true or false (null is not accepted);
 *   - result {"greeting": "Hello, <name>!"}, upper-cased (ASCII letters only) when shout is true;
 *   - logs "greeted <name>" at info level (permission "log").
 * Invalid args fail the call with a BAD_REQUEST error whose message names the field; so does
 * an unknown one (a misspelt "Shout" is refused, not ignored).
 */
#define PANDO_IMPLEMENTATION
#include "pando.h"

#define NAME_MAX_CHARS 100

PANDO_EXPORT("greet") int64_t greet(const char *args, uint32_t args_len) {
    pando_json_value doc, name_v, shout_v;
    if (pando_json_parse(args, args_len, &doc) != PANDO_JSON_OK || doc.type != PANDO_JT_OBJECT) {
        return pando_fail(PANDO_ERR_BAD_REQUEST, "args must be a JSON object with a string field 'name'");
    }
    static const char *const ARGS[] = {"name", "shout", NULL};
    if (!pando_args_only(args, args_len, ARGS)) return 0;

    int rc = pando_json_field(&doc, "name", &name_v);
    if (rc == PANDO_JSON_MISSING) return pando_fail(PANDO_ERR_BAD_REQUEST, "'name' is required");
    if (rc != PANDO_JSON_OK) return pando_fail(PANDO_ERR_BAD_REQUEST, "'name' is given more than once");
    if (name_v.type != PANDO_JT_STRING) return pando_fail(PANDO_ERR_BAD_REQUEST, "'name' must be a string");
    pando_buf name;
    if (pando_json_as_string(&name_v, &name) != PANDO_JSON_OK) {
        return pando_fail(PANDO_ERR_PLUGIN_FAILED, "out of memory reading 'name'");
    }
    int32_t chars = pando_utf8_count(name.ptr, name.len);
    if (chars <= 0) return pando_fail(PANDO_ERR_BAD_REQUEST, "'name' must not be empty");
    if (chars > NAME_MAX_CHARS) {
        return pando_failf(PANDO_ERR_BAD_REQUEST, "'name' must be at most %d characters, not %d", NAME_MAX_CHARS,
                           (int)chars);
    }

    bool shout = false;
    rc = pando_json_field(&doc, "shout", &shout_v);
    if (rc == PANDO_JSON_OK) {
        if (pando_json_as_bool(&shout_v, &shout) != PANDO_JSON_OK) {
            return pando_fail(PANDO_ERR_BAD_REQUEST, "'shout' must be a boolean");
        }
    } else if (rc != PANDO_JSON_MISSING) {
        return pando_fail(PANDO_ERR_BAD_REQUEST, "'shout' is given more than once");
    }

    pando_buf greeting = pando_format("Hello, %.*s!", (int)name.len, name.ptr);
    if (greeting.ptr == NULL) return pando_fail(PANDO_ERR_PLUGIN_FAILED, "out of memory");
    if (shout) {
        for (uint32_t i = 0; i < greeting.len; i++) {
            char c = greeting.ptr[i];
            if (c >= 'a' && c <= 'z') greeting.ptr[i] = (char)(c - 'a' + 'A');
        }
    }

    pando_logf(PANDO_LOG_INFO, "greeted %.*s", (int)name.len, name.ptr);

    pando_jw w;
    pando_jw_init(&w);
    pando_jw_begin_object(&w);
    pando_jw_key(&w, "greeting");
    pando_jw_string_n(&w, greeting.ptr, greeting.len);
    pando_jw_end_object(&w);
    return pando_return_jw(&w);
}
