//! An in-memory stand-in for the host, used when the crate is not built for `wasm32`.
//!
//! It implements the `pando` host functions with the statuses and result-buffer rules of ABI v1
//! over thread-local state, so every test thread starts with its own empty host. Plugins reach it
//! through [`crate::testing`].

use crate::json::Json;
use crate::op::Access;
use std::cell::RefCell;
use std::collections::BTreeMap;

const BAD_REQUEST: i32 = -1;
const NOT_FOUND: i32 = -3;
const CONFLICT: i32 = -4;

/// One stored value.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub value: Json,
    pub revision: u64,
    pub timestamp: i64,
    pub writer: String,
}

/// Decides what `caller_may` answers.
pub(crate) type CallerPolicy = Box<dyn Fn(Access, &str) -> bool>;

pub(crate) struct FakeHost {
    pub plugin_id: String,
    pub kv: BTreeMap<String, Stored>,
    pub revision: u64,
    pub result: Vec<u8>,
    pub reported: Option<(String, String)>,
    pub published: Vec<(String, Json)>,
    pub logs: Vec<(i32, String)>,
    pub clock: i64,
    pub config: Json,
    /// Set while an op runs, as on the real host; `None` outside op calls.
    pub caller: Option<(String, bool)>,
    pub next_caller: (String, bool),
    pub caller_may: CallerPolicy,
    pub conflicts_to_inject: u32,
    pub random_state: u64,
}

impl Default for FakeHost {
    fn default() -> FakeHost {
        FakeHost {
            plugin_id: "test".into(),
            kv: BTreeMap::new(),
            revision: 0,
            result: Vec::new(),
            reported: None,
            published: Vec::new(),
            logs: Vec::new(),
            clock: 1_700_000_000_000,
            config: Json::object(),
            caller: None,
            next_caller: ("user:test".into(), true),
            caller_may: Box::new(|_, _| true),
            conflicts_to_inject: 0,
            random_state: 0x9E37_79B9_7F4A_7C15,
        }
    }
}

thread_local! {
    static HOST: RefCell<FakeHost> = RefCell::new(FakeHost::default());
}

/// Runs `f` on this thread's fake host.
pub(crate) fn with<T>(f: impl FnOnce(&mut FakeHost) -> T) -> T {
    HOST.with(|h| f(&mut h.borrow_mut()))
}

impl FakeHost {
    /// Fails with `status`, leaving `message` in the result buffer.
    fn fail(&mut self, status: i32, message: impl Into<String>) -> i32 {
        self.result = message.into().into_bytes();
        status
    }

    fn ok_with(&mut self, bytes: Vec<u8>) -> i32 {
        self.result = bytes;
        self.result.len() as i32
    }

    /// Stores `value` as the node would, returning the new revision.
    pub fn write(&mut self, key: &str, value: Json, writer: String) -> u64 {
        self.revision += 1;
        let stored = Stored {
            value,
            revision: self.revision,
            timestamp: self.clock,
            writer,
        };
        self.kv.insert(key.to_owned(), stored);
        self.revision
    }

    pub fn entry_json(key: &str, s: &Stored) -> Json {
        Json::object()
            .with("key", key)
            .with("value", s.value.clone())
            .with("revision", s.revision)
            .with("timestamp", s.timestamp)
            .with("origin", "local")
            .with("writer", s.writer.as_str())
    }
}

/// A canonical key: absolute, no empty, `.` or `..` segments, no `*`, no control characters.
fn check_key(key: &str) -> Result<(), String> {
    let valid = key.len() > 1
        && key.len() <= 1024
        && key.starts_with('/')
        && key[1..]
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('*'))
        && !key.chars().any(char::is_control);
    if valid {
        Ok(())
    } else {
        Err(format!("invalid key '{key}'"))
    }
}

/// Whether `key` is matched by a scan query: a prefix (segment-wise) or a pattern where `*`
/// stands for one segment and a final `**` for any number.
fn scan_matches(query: &str, key: &str) -> bool {
    if !query.contains('*') {
        let prefix = query.trim_end_matches('/');
        return prefix.is_empty()
            || key == prefix
            || key
                .strip_prefix(prefix)
                .map_or(false, |r| r.starts_with('/'));
    }
    let pattern: Vec<&str> = query[1..].split('/').collect();
    let segments: Vec<&str> = key[1..].split('/').collect();
    for (i, p) in pattern.iter().enumerate() {
        if *p == "**" && i == pattern.len() - 1 {
            return segments.len() >= i;
        }
        match segments.get(i) {
            Some(s) if *p == "*" || p == s => {}
            _ => return false,
        }
    }
    segments.len() == pattern.len()
}

pub fn kv_get(key: &str) -> i32 {
    with(|h| {
        if let Err(e) = check_key(key) {
            return h.fail(BAD_REQUEST, e);
        }
        match h.kv.get(key).cloned() {
            Some(s) => h.ok_with(FakeHost::entry_json(key, &s).to_vec()),
            None => h.fail(NOT_FOUND, format!("no entry at '{key}'")),
        }
    })
}

pub fn kv_set(key: &str, value: &[u8], if_revision: i64) -> i64 {
    with(|h| {
        if let Err(e) = check_key(key) {
            return i64::from(h.fail(BAD_REQUEST, e));
        }
        let value = match Json::from_slice(value) {
            Ok(v) => v,
            Err(e) => {
                return i64::from(h.fail(BAD_REQUEST, format!("value is not valid JSON: {e}")))
            }
        };
        if if_revision != -1 {
            let current = h.kv.get(key).map_or(0, |s| s.revision as i64);
            if h.conflicts_to_inject > 0 {
                h.conflicts_to_inject -= 1;
                return i64::from(
                    h.fail(CONFLICT, format!("'{key}' changed concurrently (injected)")),
                );
            }
            if current != if_revision {
                return i64::from(h.fail(
                    CONFLICT,
                    format!("'{key}' is at revision {current}, not {if_revision}"),
                ));
            }
        }
        let writer = format!("plugin:{}", h.plugin_id);
        h.result.clear();
        h.write(key, value, writer) as i64
    })
}

pub fn kv_delete(key: &str) -> i32 {
    with(|h| {
        if let Err(e) = check_key(key) {
            return h.fail(BAD_REQUEST, e);
        }
        h.result.clear();
        i32::from(h.kv.remove(key).is_some())
    })
}

pub fn kv_scan(query: &str, after: &str, limit: i32) -> i32 {
    with(|h| {
        if !query.starts_with('/') || query.contains("//") {
            return h.fail(BAD_REQUEST, format!("invalid prefix or pattern '{query}'"));
        }
        if !(1..=1000).contains(&limit) {
            return h.fail(BAD_REQUEST, format!("limit must be 1..1000, got {limit}"));
        }
        let mut matching =
            h.kv.iter()
                .filter(|(k, _)| after.is_empty() || k.as_str() > after)
                .filter(|(k, _)| scan_matches(query, k));
        let mut entries = Vec::new();
        let mut last = None;
        for (k, s) in matching.by_ref().take(limit as usize) {
            entries.push(FakeHost::entry_json(k, s));
            last = Some(k.clone());
        }
        let next = if matching.next().is_some() {
            last
        } else {
            None
        };
        let page = Json::object().with("entries", entries).with("next", next);
        h.ok_with(page.to_vec())
    })
}

pub fn result_len() -> i32 {
    with(|h| h.result.len() as i32)
}

pub fn result_read(buf: &mut [u8]) -> i32 {
    with(|h| {
        let n = buf.len().min(h.result.len());
        buf[..n].copy_from_slice(&h.result[..n]);
        n as i32
    })
}

pub fn error(code: &str, message: &str) {
    with(|h| h.reported = Some((code.to_owned(), message.to_owned())));
}

pub fn caller() -> i32 {
    with(|h| match h.caller.clone() {
        Some((name, authenticated)) => {
            let json = Json::object()
                .with("name", name)
                .with("authenticated", authenticated);
            h.ok_with(json.to_vec())
        }
        None => h.fail(NOT_FOUND, "there is no caller outside an op call"),
    })
}

pub fn caller_may(level: i32, key: &str) -> i32 {
    with(|h| {
        let access = match level {
            1 => Access::Read,
            2 => Access::Write,
            3 => Access::Admin,
            4 => Access::Subscribe,
            5 => Access::Publish,
            _ => {
                return h.fail(
                    BAD_REQUEST,
                    format!("caller_may level must be 1 to 5, got {level}"),
                )
            }
        };
        if let Err(e) = check_key(key) {
            return h.fail(BAD_REQUEST, e);
        }
        if h.caller.is_none() {
            return h.fail(NOT_FOUND, "there is no caller outside an op call");
        }
        let may = (h.caller_may)(access, key);
        h.result.clear();
        i32::from(may)
    })
}

pub fn config() -> i32 {
    with(|h| {
        let bytes = h.config.to_vec();
        h.ok_with(bytes)
    })
}

pub fn publish(topic: &str, payload: &[u8]) -> i32 {
    with(|h| {
        if check_key(topic).is_err() {
            return h.fail(BAD_REQUEST, format!("invalid topic '{topic}'"));
        }
        match Json::from_slice(payload) {
            Ok(p) => {
                h.published.push((topic.to_owned(), p));
                h.result.clear();
                0
            }
            Err(e) => h.fail(BAD_REQUEST, format!("payload is not valid JSON: {e}")),
        }
    })
}

pub fn log(level: i32, message: &str) {
    with(|h| h.logs.push((level, message.to_owned())));
}

pub fn clock_ms() -> i64 {
    with(|h| h.clock)
}

pub fn random(buf: &mut [u8]) -> i32 {
    with(|h| {
        for b in buf.iter_mut() {
            // xorshift64: deterministic, which is what a test wants.
            h.random_state ^= h.random_state << 13;
            h.random_state ^= h.random_state >> 7;
            h.random_state ^= h.random_state << 17;
            *b = h.random_state as u8;
        }
        h.result.clear();
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_patterns() {
        assert!(check_key("/a/b").is_ok());
        for bad in [
            "", "/", "a", "/a/", "//a", "/a//b", "/a/./b", "/a/../b", "/a/*", "/a\nb",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        assert!(scan_matches("/a", "/a"));
        assert!(scan_matches("/a", "/a/b/c"));
        assert!(!scan_matches("/a", "/ab"));
        assert!(scan_matches("/", "/ab"));
        assert!(scan_matches("/a/*/c", "/a/x/c"));
        assert!(!scan_matches("/a/*/c", "/a/x/y/c"));
        assert!(!scan_matches("/a/*", "/a"));
        assert!(scan_matches("/a/**", "/a/x/y"));
    }
}
