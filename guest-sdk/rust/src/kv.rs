//! The plugin's scoped view of the KV store.
//!
//! Every key is checked by the host against the manifest's `kv.read` / `kv.write` prefixes (a
//! plugin always has its own `/_plugins/<id>`); a key outside them fails with
//! [`ErrorCode::Forbidden`], a malformed one with [`ErrorCode::BadRequest`]. Keys must be
//! canonical: absolute, no empty, `.` or `..` segments.
//!
//! ```
//! use pando_guest::{kv, ErrorCode, Json};
//!
//! # fn main() -> pando_guest::Result<()> {
//! let rev = kv::set("/_plugins/demo/a", &Json::from(1))?;
//! let entry = kv::get("/_plugins/demo/a")?.expect("just written");
//! assert_eq!((entry.value.as_i64(), entry.revision), (Some(1), rev));
//!
//! // Compare-and-set: only if nobody wrote in between.
//! kv::set_if("/_plugins/demo/a", &Json::from(2), rev)?;
//! let stale = kv::set_if("/_plugins/demo/a", &Json::from(3), rev).unwrap_err();
//! assert_eq!(stale.code(), ErrorCode::Conflict);
//!
//! for entry in kv::scan_all("/_plugins/demo") {
//!     let entry = entry?;
//!     assert_eq!(entry.key, "/_plugins/demo/a");
//! }
//! assert!(kv::delete("/_plugins/demo/a")?);
//! assert!(kv::get("/_plugins/demo/a")?.is_none());
//! # Ok(())
//! # }
//! ```

use crate::error::{Error, ErrorCode, Result};
use crate::host::{check, json_result};
use crate::json::Json;
use crate::sys;
use std::collections::VecDeque;

/// The largest page [`scan`] accepts.
pub const MAX_SCAN_LIMIT: u32 = 1000;

/// The page size [`scan_all`] uses unless told otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// A stored value and its metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key, e.g. `/sensors/t1`.
    pub key: String,
    /// The value.
    pub value: Json,
    /// The revision of this write; pass it to [`set_if`] for compare-and-set.
    pub revision: u64,
    /// When it was written, Unix milliseconds.
    pub timestamp: i64,
    /// The node the write came from (`local` for this one).
    pub origin: String,
    /// Who wrote it, e.g. `user:alice` or `plugin:counter`.
    pub writer: String,
}

impl Entry {
    /// Reads the entry JSON of ABI v1, `{"key","value","revision","timestamp","origin","writer"}`.
    pub fn from_json(json: &Json) -> Result<Entry> {
        let malformed =
            || Error::plugin_failed(format!("malformed KV entry from the host: {json}"));
        Ok(Entry {
            key: json["key"].as_str().ok_or_else(malformed)?.to_owned(),
            value: json.get("value").cloned().unwrap_or(Json::Null),
            revision: json["revision"].as_u64().ok_or_else(malformed)?,
            timestamp: json["timestamp"].as_i64().unwrap_or(0),
            origin: json["origin"].as_str().unwrap_or_default().to_owned(),
            writer: json["writer"].as_str().unwrap_or_default().to_owned(),
        })
    }
}

/// One page of a [`scan`].
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The entries, in key order.
    pub entries: Vec<Entry>,
    /// The token to pass as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// The entry at `key`, or `None` if there is none.
pub fn get(key: &str) -> Result<Option<Entry>> {
    match json_result(sys::kv_get(key), "kv_get") {
        Ok(json) => Entry::from_json(&json).map(Some),
        Err(e) if e.is(ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Just the value at `key`, or `None` if there is none.
pub fn get_value(key: &str) -> Result<Option<Json>> {
    Ok(get(key)?.map(|e| e.value))
}

/// Writes `value` at `key` unconditionally; returns the new revision.
pub fn set(key: &str, value: &Json) -> Result<u64> {
    write(key, value, -1)
}

/// Writes `value` at `key` only if the key is at revision `if_revision`, where `0` means "only if
/// the key does not exist". Returns the new revision, or fails with [`ErrorCode::Conflict`] when
/// the key has moved on (re-read and retry).
pub fn set_if(key: &str, value: &Json, if_revision: u64) -> Result<u64> {
    let if_revision = i64::try_from(if_revision)
        .map_err(|_| Error::bad_request("if_revision is out of range"))?;
    write(key, value, if_revision)
}

fn write(key: &str, value: &Json, if_revision: i64) -> Result<u64> {
    check(sys::kv_set(key, &value.to_vec(), if_revision)).map(|rev| rev as u64)
}

/// Deletes `key`; `true` if it existed.
pub fn delete(key: &str) -> Result<bool> {
    check(i64::from(sys::kv_delete(key))).map(|n| n == 1)
}

/// One page of the entries under a prefix (`/a/b`: the key itself and everything below it) or
/// matching a pattern (`/a/*/c`), in key order. `after` is the previous page's
/// [`Page::next`] (`None` for the first page); `limit` is 1..=[`MAX_SCAN_LIMIT`].
pub fn scan(prefix_or_pattern: &str, after: Option<&str>, limit: u32) -> Result<Page> {
    if !(1..=MAX_SCAN_LIMIT).contains(&limit) {
        return Err(Error::bad_request(format!(
            "scan limit must be 1..{MAX_SCAN_LIMIT}, got {limit}"
        )));
    }
    let json = json_result(
        sys::kv_scan(prefix_or_pattern, after.unwrap_or(""), limit as i32),
        "kv_scan",
    )?;
    let items = json["entries"].as_array().ok_or_else(|| {
        Error::plugin_failed(format!("malformed scan page from the host: {json}"))
    })?;
    let entries = items
        .iter()
        .map(Entry::from_json)
        .collect::<Result<Vec<_>>>()?;
    let next = json["next"].as_str().map(str::to_owned);
    Ok(Page { entries, next })
}

/// Every entry of a scan, fetching pages of [`DEFAULT_PAGE_SIZE`] as needed (see [`Scan`]).
pub fn scan_all(prefix_or_pattern: &str) -> Scan {
    Scan {
        query: prefix_or_pattern.to_owned(),
        page_size: DEFAULT_PAGE_SIZE,
        buffered: VecDeque::new(),
        after: None,
        done: false,
    }
}

/// An iterator over all entries of a scan, page by page. It yields `Err` once if a page fails
/// and then ends; `collect::<Result<Vec<_>>>()` gathers everything or the first error.
#[derive(Debug)]
pub struct Scan {
    query: String,
    page_size: u32,
    buffered: VecDeque<Entry>,
    after: Option<String>,
    done: bool,
}

impl Scan {
    /// Fetches `page_size` entries per host call (clamped to 1..=[`MAX_SCAN_LIMIT`]).
    #[must_use]
    pub fn page_size(mut self, page_size: u32) -> Scan {
        self.page_size = page_size.clamp(1, MAX_SCAN_LIMIT);
        self
    }
}

impl Iterator for Scan {
    type Item = Result<Entry>;

    fn next(&mut self) -> Option<Result<Entry>> {
        loop {
            if let Some(entry) = self.buffered.pop_front() {
                return Some(Ok(entry));
            }
            if self.done {
                return None;
            }
            match scan(&self.query, self.after.as_deref(), self.page_size) {
                Ok(page) => {
                    self.buffered.extend(page.entries);
                    self.done = page.next.is_none();
                    self.after = page.next;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn get_set_delete() {
        assert_eq!(get("/_plugins/test/a").unwrap(), None);
        let r1 = set("/_plugins/test/a", &Json::from("x")).unwrap();
        let e = get("/_plugins/test/a").unwrap().unwrap();
        assert_eq!(e.key, "/_plugins/test/a");
        assert_eq!(e.value, Json::from("x"));
        assert_eq!(e.revision, r1);
        assert_eq!(e.writer, "plugin:test");
        assert_eq!(e.origin, "local");
        let r2 = set("/_plugins/test/a", &Json::from(2)).unwrap();
        assert!(r2 > r1);
        assert_eq!(get_value("/_plugins/test/a").unwrap(), Some(Json::Int(2)));
        assert!(delete("/_plugins/test/a").unwrap());
        assert!(!delete("/_plugins/test/a").unwrap());
        assert_eq!(get_value("/_plugins/test/a").unwrap(), None);
    }

    #[test]
    fn compare_and_set() {
        let r = set_if("/k", &Json::from(1), 0).unwrap();
        let e = set_if("/k", &Json::from(1), 0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert!(e.message().contains("revision"), "{e}");
        let r2 = set_if("/k", &Json::from(2), r).unwrap();
        assert_eq!(
            set_if("/k", &Json::from(3), r).unwrap_err().code(),
            ErrorCode::Conflict
        );
        assert_eq!(
            set_if("/k", &Json::from(3), r2 + 5).unwrap_err().code(),
            ErrorCode::Conflict
        );
        assert_eq!(
            set_if("/k", &Json::Null, u64::MAX).unwrap_err().code(),
            ErrorCode::BadRequest
        );
        assert_eq!(get_value("/k").unwrap(), Some(Json::Int(2)));
    }

    #[test]
    fn bad_keys_are_bad_requests() {
        for key in ["", "rel", "/a//b", "/a/../b"] {
            assert_eq!(get(key).unwrap_err().code(), ErrorCode::BadRequest, "{key}");
            assert_eq!(
                set(key, &Json::Null).unwrap_err().code(),
                ErrorCode::BadRequest
            );
            assert_eq!(delete(key).unwrap_err().code(), ErrorCode::BadRequest);
        }
    }

    #[test]
    fn scan_pages() {
        for i in 0..25 {
            testing::kv_put(&format!("/s/k{i:02}"), i);
        }
        testing::kv_put("/other", 0);
        testing::kv_put("/sx", 0);
        let first = scan("/s", None, 10).unwrap();
        assert_eq!(first.entries.len(), 10);
        assert_eq!(first.entries[0].key, "/s/k00");
        let second = scan("/s", first.next.as_deref(), 10).unwrap();
        assert_eq!(second.entries[0].key, "/s/k10");
        let third = scan("/s", second.next.as_deref(), 10).unwrap();
        assert_eq!(third.entries.len(), 5);
        assert_eq!(third.next, None);
        assert_eq!(
            scan("/s", None, 0).unwrap_err().code(),
            ErrorCode::BadRequest
        );
        assert_eq!(
            scan("/s", None, 1001).unwrap_err().code(),
            ErrorCode::BadRequest
        );

        let all: Vec<Entry> = scan_all("/s").page_size(7).collect::<Result<_>>().unwrap();
        assert_eq!(all.len(), 25);
        assert_eq!(
            all.iter().map(|e| e.value.as_i64().unwrap()).sum::<i64>(),
            (0..25).sum()
        );
        assert_eq!(scan_all("/nothing").count(), 0);
        assert_eq!(scan_all("/s/*").count(), 25);
        let mut failing = scan_all("bad");
        assert_eq!(
            failing.next().unwrap().unwrap_err().code(),
            ErrorCode::BadRequest
        );
        assert!(failing.next().is_none());
    }
}
