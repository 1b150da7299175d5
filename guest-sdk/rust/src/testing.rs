//! Native testing against an in-memory fake host (not available on `wasm32`).
//!
//! When a plugin crate is compiled for the machine running `cargo test`, the SDK's host
//! functions are served by a fake host: a KV map with revisions and compare-and-set, a result
//! buffer, recorded publishes and logs, a settable clock, config and caller. Its state is
//! thread-local, and the test harness runs each test on its own thread, so tests start from an
//! empty host and do not interfere.
//!
//! [`call_op`], [`deliver`] and [`run_init`] drive handlers through the same code as the exports
//! the macros generate (JSON in, `pando.error` for failures, JSON out):
//!
//! ```
//! use pando_guest::{kv, testing, Call, ErrorCode, Json, Result};
//!
//! fn put(call: &Call) -> Result<Json> {
//!     let key = format!("/_plugins/test/{}", call.str("name")?);
//!     let revision = kv::set(&key, call.args())?;
//!     Ok(Json::from(revision))
//! }
//!
//! let args = Json::object().with("name", "a");
//! assert!(testing::call_op(put, &args).unwrap().as_i64().is_some());
//! assert_eq!(testing::kv_value("/_plugins/test/a"), Some(args));
//! let err = testing::call_op(put, &Json::object()).unwrap_err();
//! assert_eq!((err.code(), err.message()), (ErrorCode::BadRequest, "'name' is required"));
//! ```

use crate::__private as private;
use crate::error::{Error, ErrorCode, Result};
use crate::event::Event;
use crate::fake::{self, FakeHost};
use crate::json::Json;
use crate::kv::Entry;
use crate::log::Level;
use crate::op::{Access, Call};

/// Forgets everything: KV, config, clock, caller, publishes and logs.
pub fn reset() {
    fake::with(|h| *h = FakeHost::default());
}

/// Calls `handler` as the host calls an op export with `args`, as the caller set by
/// [`set_caller`] (default `user:test`, authenticated). Returns the result, or the error the
/// handler reported, with the code the real host would give it.
pub fn call_op<F, R>(handler: F, args: &Json) -> Result<Json>
where
    F: FnOnce(&Call) -> Result<R>,
    R: Into<Json>,
{
    call_op_bytes(handler, &args.to_vec())
}

/// Like [`call_op`] with raw argument bytes, e.g. to see how a handler copes with invalid JSON.
pub fn call_op_bytes<F, R>(handler: F, args: &[u8]) -> Result<Json>
where
    F: FnOnce(&Call) -> Result<R>,
    R: Into<Json>,
{
    begin_entry_point(true);
    let out = private::run_op(args, handler);
    fake::with(|h| h.caller = None);
    if let Some(e) = take_reported() {
        return Err(e);
    }
    let bytes = out.expect("run_op returns None only after reporting an error");
    if bytes.is_empty() {
        return Ok(Json::Null);
    }
    Json::from_slice(&bytes)
        .map_err(|e| Error::plugin_failed(format!("the op returned invalid JSON: {e}")))
}

/// Delivers `delivery` (the JSON the host passes to `pando_on_event`, e.g. from [`change`]) to
/// `handler`. Returns the error the handler reported, if any.
pub fn deliver<F>(handler: F, delivery: &Json) -> Result<()>
where
    F: FnOnce(Event) -> Result<()>,
{
    begin_entry_point(false);
    let rc = private::run_event(&delivery.to_vec(), handler);
    if let Some(e) = take_reported() {
        return Err(e);
    }
    match rc {
        0 => Ok(()),
        rc => Err(Error::plugin_failed(format!(
            "pando_on_event returned {rc}"
        ))),
    }
}

/// Runs an init handler as the host runs `pando_init`.
pub fn run_init<F>(handler: F) -> Result<()>
where
    F: FnOnce() -> Result<()>,
{
    begin_entry_point(false);
    let rc = private::init_entry(handler);
    match take_reported() {
        Some(e) => Err(Error::plugin_failed(format!(
            "pando_init failed: {}",
            e.message()
        ))),
        None if rc != 0 => Err(Error::plugin_failed(format!("pando_init returned {rc}"))),
        None => Ok(()),
    }
}

/// Writes `value` at `key` as a user (`user:test`) would, bypassing the plugin, and returns the
/// change delivery the host would send a listener (pass it to [`deliver`]). `None` deletes.
pub fn change(key: &str, value: Option<Json>) -> Json {
    fake::with(|h| {
        let (revision, timestamp) = match &value {
            Some(v) => {
                let revision = h.write(key, v.clone(), "user:test".into());
                (revision, h.clock)
            }
            None => {
                h.kv.remove(key);
                h.revision += 1;
                (h.revision, h.clock)
            }
        };
        Json::object()
            .with("kind", "change")
            .with("key", key)
            .with("value", value)
            .with("revision", revision)
            .with("timestamp", timestamp)
            .with("origin", "local")
            .with("writer", "user:test")
    })
}

/// The delivery of an event published by someone else on `topic`.
pub fn event(topic: &str, payload: Json) -> Json {
    let timestamp = fake::with(|h| h.clock);
    Json::object()
        .with("kind", "event")
        .with("topic", topic)
        .with("payload", payload)
        .with("publisher", "user:test")
        .with("timestamp", timestamp)
}

/// Writes `value` at `key` as `user:test`, bypassing the plugin; returns the revision.
pub fn kv_put(key: &str, value: impl Into<Json>) -> u64 {
    fake::with(|h| h.write(key, value.into(), "user:test".into()))
}

/// The value at `key`, if any.
pub fn kv_value(key: &str) -> Option<Json> {
    fake::with(|h| h.kv.get(key).map(|s| s.value.clone()))
}

/// Every stored entry, in key order.
pub fn kv_entries() -> Vec<Entry> {
    fake::with(|h| {
        h.kv.iter()
            .map(|(k, s)| Entry {
                key: k.clone(),
                value: s.value.clone(),
                revision: s.revision,
                timestamp: s.timestamp,
                origin: "local".into(),
                writer: s.writer.clone(),
            })
            .collect()
    })
}

/// Sets what [`crate::config`] returns (default `{}`).
pub fn set_config(config: Json) {
    fake::with(|h| h.config = config);
}

/// Sets what [`crate::clock_ms`] returns, which is also the timestamp of writes.
pub fn set_clock(ms: i64) {
    fake::with(|h| h.clock = ms);
}

/// Sets the caller of the following [`call_op`]s.
pub fn set_caller(name: &str, authenticated: bool) {
    fake::with(|h| h.next_caller = (name.to_owned(), authenticated));
}

/// Decides what [`crate::caller_may`] answers (default: always `true`).
pub fn set_caller_may(policy: impl Fn(Access, &str) -> bool + 'static) {
    fake::with(|h| h.caller_may = Box::new(policy));
}

/// Sets the plugin id, which shows in writers as `plugin:<id>` (default `test`).
pub fn set_plugin_id(id: &str) {
    fake::with(|h| h.plugin_id = id.to_owned());
}

/// Makes the next `n` conditional writes ([`crate::kv::set_if`]) fail with `CONFLICT`, as if
/// someone else had written in between, to exercise retry loops.
pub fn inject_conflicts(n: u32) {
    fake::with(|h| h.conflicts_to_inject = n);
}

/// Everything published so far, as `(topic, payload)`.
pub fn published() -> Vec<(String, Json)> {
    fake::with(|h| h.published.clone())
}

/// Everything published so far, forgetting it.
pub fn take_published() -> Vec<(String, Json)> {
    fake::with(|h| std::mem::take(&mut h.published))
}

/// Everything logged so far, as `(level, message)`.
pub fn logs() -> Vec<(Level, String)> {
    fake::with(|h| {
        h.logs
            .iter()
            .map(|(l, m)| (Level::from_i32(*l).unwrap_or(Level::Info), m.clone()))
            .collect()
    })
}

/// The host clears the result buffer and any reported error before each entry point; during an
/// op the caller is known.
fn begin_entry_point(op: bool) {
    fake::with(|h| {
        h.result.clear();
        h.reported = None;
        h.caller = if op {
            Some(h.next_caller.clone())
        } else {
            None
        };
    });
}

/// The error a handler reported with `pando.error`, as the host would turn it into one.
fn take_reported() -> Option<Error> {
    let (code, message) = fake::with(|h| h.reported.take())?;
    Some(match ErrorCode::from_name(&code.to_ascii_uppercase()) {
        Some(code) => Error::new(code, message),
        None => Error::plugin_failed(format!(
            "plugin reported unsupported error code '{code}': {message}"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{caller, caller_may, kv};

    fn echo(call: &Call) -> Result<Json> {
        Ok(call.args().clone())
    }

    #[test]
    fn ops_round_trip_and_report_errors() {
        let args = Json::object().with("x", vec![1, 2]);
        assert_eq!(call_op(echo, &args).unwrap(), args);
        assert_eq!(
            call_op(|_: &Call| Ok(Json::Null), &args).unwrap(),
            Json::Null
        );
        assert_eq!(call_op(|_: &Call| Ok(5), &args).unwrap(), Json::Int(5));
        let e = call_op(
            |_: &Call| -> Result<Json> { Err(Error::conflict("busy")) },
            &args,
        )
        .unwrap_err();
        assert_eq!(e, Error::conflict("busy"));
        let e = call_op_bytes(echo, b"{oops").unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadRequest);
        assert!(e.message().starts_with("args are not valid JSON"), "{e}");
        // A host error passed on with `?` keeps its code.
        let e = call_op(|_: &Call| kv::set("/a//b", &Json::Null), &args).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadRequest);
    }

    #[test]
    fn caller_inside_ops() {
        set_caller("user:alice", false);
        set_caller_may(|access, key| access == Access::Read && key.starts_with("/pub"));
        let who = call_op(
            |call: &Call| {
                let c = call.caller()?;
                let may = call.caller_may(Access::Read, "/pub/x")?;
                let may_not = caller_may(Access::Write, "/pub/x")?;
                Ok(Json::object()
                    .with("name", c.name)
                    .with("auth", c.authenticated)
                    .with("may", may)
                    .with("w", may_not))
            },
            &Json::object(),
        )
        .unwrap();
        assert_eq!(
            who.to_string(),
            r#"{"name":"user:alice","auth":false,"may":true,"w":false}"#
        );
        assert_eq!(caller().unwrap_err().code(), ErrorCode::NotFound);
    }

    #[test]
    fn deliveries_and_init() {
        let seen = std::cell::RefCell::new(Vec::new());
        let record = |e| {
            seen.borrow_mut().push(e);
            Ok(())
        };
        deliver(record, &change("/s/a", Some(Json::from(1)))).unwrap();
        deliver(record, &change("/s/a", None)).unwrap();
        deliver(record, &event("/t", Json::from("p"))).unwrap();
        deliver(
            |_| panic!("unknown kinds are not delivered"),
            &Json::object().with("kind", "x"),
        )
        .unwrap();
        let seen = seen.into_inner();
        assert!(
            matches!(&seen[0], Event::Change { key, value: Some(Json::Int(1)), .. } if key == "/s/a")
        );
        assert!(matches!(&seen[1], Event::Change { value: None, .. }));
        assert!(matches!(&seen[2], Event::Published { topic, .. } if topic == "/t"));
        let e = deliver(
            |_| Err(Error::unavailable("later")),
            &event("/t", Json::Null),
        )
        .unwrap_err();
        assert_eq!(e, Error::unavailable("later"));
        assert!(deliver(|_| Ok(()), &Json::from(3)).is_err());

        assert!(run_init(|| Ok(())).is_ok());
        let e = run_init(|| Err(Error::bad_request("no config"))).unwrap_err();
        assert_eq!(e.message(), "pando_init failed: no config");
    }

    #[test]
    fn state_helpers() {
        kv_put("/a", 1);
        set_plugin_id("p");
        kv::set("/b", &Json::from(2)).unwrap();
        let entries = kv_entries();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].writer, "plugin:p");
        inject_conflicts(1);
        assert_eq!(
            kv::set_if("/c", &Json::Null, 0).unwrap_err().code(),
            ErrorCode::Conflict
        );
        kv::set_if("/c", &Json::Null, 0).unwrap();
        crate::publish("/t", &Json::Null).unwrap();
        assert_eq!(take_published().len(), 1);
        assert!(published().is_empty());
        reset();
        assert!(kv_entries().is_empty());
    }
}
