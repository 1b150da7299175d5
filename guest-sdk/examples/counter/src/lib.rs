//! `counter`: named counters in the plugin's own KV prefix, `/_plugins/counter/<name>`.
//!
//! * `counter.incr` `{"name"?: string, "by"?: integer}` → `{"name", "value"}` (compare-and-set,
//!   retried on conflict)
//! * `counter.get` `{"name"?: string}` → `{"name", "value"}` (0 for a counter never incremented)
//! * `counter.list` `{}` → `{"counters": {"<name>": value, ...}}`
//!
//! Names default to `default` and must match `[A-Za-z0-9_-]{1,64}`. The plugin needs no
//! permissions, so its module imports only KV and result-buffer functions.

use pando_guest::kv::{self, Entry};
use pando_guest::{export_op, json_object, Call, Error, ErrorCode, Json, Map, Result};

/// Where the counters live: the plugin's own prefix.
const PREFIX: &str = "/_plugins/counter";
/// How many times `incr` re-reads and retries after losing a compare-and-set.
const MAX_ATTEMPTS: usize = 16;

export_op!(incr => incr, get => get, list => list);

/// `counter.incr`: adds `by` (default 1) to the counter and returns its new value.
fn incr(call: &Call) -> Result<Json> {
    // Like the node's own ops, refuse a misspelt argument rather than ignore it.
    call.only(&["name", "by"])?;
    let name = name_arg(call)?;
    let by = call.opt_i64("by")?.unwrap_or(1);
    let key = key(name);
    for _ in 0..MAX_ATTEMPTS {
        let current = kv::get(&key)?;
        // Revision 0 asks the host to write only if the key still does not exist.
        let (value, revision) = match &current {
            Some(entry) => (stored_value(entry)?, entry.revision),
            None => (0, 0),
        };
        let updated = value.checked_add(by).ok_or_else(|| {
            Error::bad_request(format!("counter '{name}' would overflow: {value} + {by}"))
        })?;
        match kv::set_if(&key, &Json::from(updated), revision) {
            Ok(_) => return Ok(counter(name, updated)),
            Err(e) if e.is(ErrorCode::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::unavailable(format!(
        "counter '{name}' is too busy: {MAX_ATTEMPTS} concurrent updates won in a row, try again"
    )))
}

/// `counter.get`: the counter's value, 0 if it was never incremented.
fn get(call: &Call) -> Result<Json> {
    call.only(&["name"])?;
    let name = name_arg(call)?;
    let value = match kv::get(&key(name))? {
        Some(entry) => stored_value(&entry)?,
        None => 0,
    };
    Ok(counter(name, value))
}

/// `counter.list`: every counter, by name.
fn list(call: &Call) -> Result<Json> {
    call.only(&[])?;
    let mut counters = Map::new();
    for entry in kv::scan_all(PREFIX) {
        let entry = entry?;
        // Only keys this plugin writes: one valid name below the prefix, an integer value.
        let name = match entry
            .key
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.strip_prefix('/'))
        {
            Some(name) if valid_name(name) => name,
            _ => continue,
        };
        if let Some(value) = entry.value.as_i64() {
            counters.insert(name, value);
        }
    }
    Ok(json_object! { "counters" => counters })
}

fn name_arg(call: &Call) -> Result<&str> {
    let name = call.opt_str("name")?.unwrap_or("default");
    if valid_name(name) {
        Ok(name)
    } else {
        Err(Error::bad_request(format!(
            "'name' must match [A-Za-z0-9_-]{{1,64}}, got {}",
            Json::from(name)
        )))
    }
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn key(name: &str) -> String {
    format!("{PREFIX}/{name}")
}

fn stored_value(entry: &Entry) -> Result<i64> {
    entry.value.as_i64().ok_or_else(|| {
        Error::plugin_failed(format!(
            "{} holds {}, not an integer",
            entry.key, entry.value
        ))
    })
}

fn counter(name: &str, value: i64) -> Json {
    json_object! { "name" => name, "value" => value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pando_guest::testing;

    fn args(text: &str) -> Json {
        Json::parse(text).unwrap()
    }

    fn call(handler: fn(&Call) -> Result<Json>, text: &str) -> Result<String> {
        testing::call_op(handler, &args(text)).map(|v| v.to_string())
    }

    fn code(handler: fn(&Call) -> Result<Json>, text: &str) -> ErrorCode {
        testing::call_op(handler, &args(text)).unwrap_err().code()
    }

    #[test]
    fn incr_get_list() {
        assert_eq!(call(get, "{}").unwrap(), r#"{"name":"default","value":0}"#);
        assert_eq!(call(incr, "{}").unwrap(), r#"{"name":"default","value":1}"#);
        assert_eq!(
            call(incr, r#"{"by":5}"#).unwrap(),
            r#"{"name":"default","value":6}"#
        );
        assert_eq!(
            call(incr, r#"{"name":"hits","by":-2}"#).unwrap(),
            r#"{"name":"hits","value":-2}"#
        );
        assert_eq!(
            call(incr, r#"{"name":"a-b_C9","by":null}"#).unwrap(),
            r#"{"name":"a-b_C9","value":1}"#
        );
        assert_eq!(
            call(get, r#"{"name":"hits"}"#).unwrap(),
            r#"{"name":"hits","value":-2}"#
        );
        assert_eq!(
            testing::kv_value("/_plugins/counter/default"),
            Some(Json::Int(6))
        );
        // Keys the plugin did not write are skipped.
        testing::kv_put("/_plugins/counter/deep/er", 1);
        testing::kv_put("/_plugins/counter/text", "x");
        assert_eq!(
            call(list, "{}").unwrap(),
            r#"{"counters":{"a-b_C9":1,"default":6,"hits":-2}}"#
        );
    }

    #[test]
    fn list_reads_every_page() {
        for i in 0..250 {
            testing::kv_put(&format!("/_plugins/counter/c{i:03}"), i);
        }
        let all = testing::call_op(list, &Json::object()).unwrap();
        let counters = all["counters"].as_object().unwrap();
        assert_eq!(counters.len(), 250);
        assert_eq!(counters.get("c249"), Some(&Json::Int(249)));
        assert_eq!(call(list, "{}").map(|s| s.len() > 10), Ok(true));
    }

    #[test]
    fn empty_list() {
        assert_eq!(call(list, "{}").unwrap(), r#"{"counters":{}}"#);
    }

    #[test]
    fn bad_requests() {
        for text in [
            r#"{"name":""}"#,
            r#"{"name":"a/b"}"#,
            r#"{"name":"a b"}"#,
            r#"{"name":"é"}"#,
            r#"{"name":7}"#,
            r#"{"by":1.5}"#,
            r#"{"by":"2"}"#,
            r#"{"by":2.0}"#,
        ] {
            assert_eq!(code(incr, text), ErrorCode::BadRequest, "{text}");
        }
        let long = format!(r#"{{"name":"{}"}}"#, "x".repeat(65));
        assert_eq!(code(get, &long), ErrorCode::BadRequest);
        assert!(call(get, &format!(r#"{{"name":"{}"}}"#, "x".repeat(64))).is_ok());
        for (handler, text) in [
            (incr as fn(&Call) -> Result<Json>, r#"{"N":1}"#),
            (incr, r#"{"name":"a","By":2}"#),
            (get, r#"{"nam":"a"}"#),
            (list, r#"{"all":true}"#),
        ] {
            assert_eq!(code(handler, text), ErrorCode::BadRequest, "{text}");
        }
        let e = testing::call_op(incr, &args(r#"{"N":1}"#)).unwrap_err();
        assert_eq!(e.message(), "unknown argument 'N' (expected name, by)");
        let e = testing::call_op(incr, &args(r#"{"by":"2"}"#)).unwrap_err();
        assert!(e.message().contains("'by'"), "{e}");
        let e = testing::call_op(incr, &args(r#"{"name":"a/b"}"#)).unwrap_err();
        assert_eq!(
            e.message(),
            r#"'name' must match [A-Za-z0-9_-]{1,64}, got "a/b""#
        );
    }

    #[test]
    fn overflow_is_a_bad_request() {
        call(incr, &format!(r#"{{"by":{}}}"#, i64::MAX)).unwrap();
        assert_eq!(code(incr, "{}"), ErrorCode::BadRequest);
        assert_eq!(
            call(get, "{}").unwrap(),
            format!(r#"{{"name":"default","value":{}}}"#, i64::MAX)
        );
    }

    #[test]
    fn retries_conflicts_then_gives_up() {
        testing::inject_conflicts(MAX_ATTEMPTS as u32 - 1);
        assert_eq!(call(incr, "{}").unwrap(), r#"{"name":"default","value":1}"#);
        testing::inject_conflicts(MAX_ATTEMPTS as u32);
        assert_eq!(code(incr, "{}"), ErrorCode::Unavailable);
        assert_eq!(call(get, "{}").unwrap(), r#"{"name":"default","value":1}"#);
    }

    #[test]
    fn a_foreign_value_is_reported() {
        testing::kv_put("/_plugins/counter/default", "seven");
        assert_eq!(code(incr, "{}"), ErrorCode::PluginFailed);
        assert_eq!(code(get, "{}"), ErrorCode::PluginFailed);
    }
}
