//! The raw `pando` host functions of ABI v1, behind slice-based signatures.
//!
//! On `wasm32` these are the real imports from module `pando`. Only functions that live code
//! calls end up imported (the linker drops the rest), which matters: a module importing a gated
//! function (`publish`, `log`, `clock_ms`, `random`) without the manifest permission is refused.
//! Everywhere else they are served by the in-memory fake host in `crate::fake`, so the SDK and
//! plugins built on it can be tested natively.
//!
//! Every function here returns what the host returns; statuses are turned into errors by the
//! callers (see `host::check`).

#[cfg(target_arch = "wasm32")]
mod imp {
    mod raw {
        #[link(wasm_import_module = "pando")]
        extern "C" {
            pub fn kv_get(key_ptr: *const u8, key_len: usize) -> i32;
            pub fn kv_set(
                key_ptr: *const u8,
                key_len: usize,
                value_ptr: *const u8,
                value_len: usize,
                if_revision: i64,
            ) -> i64;
            pub fn kv_delete(key_ptr: *const u8, key_len: usize) -> i32;
            pub fn kv_scan(
                query_ptr: *const u8,
                query_len: usize,
                after_ptr: *const u8,
                after_len: usize,
                limit: i32,
            ) -> i32;
            pub fn result_len() -> i32;
            pub fn result_read(ptr: *mut u8, len: usize) -> i32;
            pub fn error(code_ptr: *const u8, code_len: usize, msg_ptr: *const u8, msg_len: usize);
            pub fn caller() -> i32;
            pub fn caller_may(level: i32, key_ptr: *const u8, key_len: usize) -> i32;
            pub fn config() -> i32;
            pub fn publish(
                topic_ptr: *const u8,
                topic_len: usize,
                payload_ptr: *const u8,
                payload_len: usize,
            ) -> i32;
            pub fn log(level: i32, msg_ptr: *const u8, msg_len: usize);
            pub fn clock_ms() -> i64;
            pub fn random(ptr: *mut u8, len: usize) -> i32;
        }
    }

    // SAFETY (all below): every pointer/length pair comes from a live Rust slice, and the host
    // reads or writes only within the given bounds (ABI v1), returning a status otherwise.

    pub fn kv_get(key: &str) -> i32 {
        unsafe { raw::kv_get(key.as_ptr(), key.len()) }
    }

    pub fn kv_set(key: &str, value: &[u8], if_revision: i64) -> i64 {
        unsafe {
            raw::kv_set(
                key.as_ptr(),
                key.len(),
                value.as_ptr(),
                value.len(),
                if_revision,
            )
        }
    }

    pub fn kv_delete(key: &str) -> i32 {
        unsafe { raw::kv_delete(key.as_ptr(), key.len()) }
    }

    pub fn kv_scan(query: &str, after: &str, limit: i32) -> i32 {
        unsafe {
            raw::kv_scan(
                query.as_ptr(),
                query.len(),
                after.as_ptr(),
                after.len(),
                limit,
            )
        }
    }

    pub fn result_len() -> i32 {
        unsafe { raw::result_len() }
    }

    pub fn result_read(buf: &mut [u8]) -> i32 {
        unsafe { raw::result_read(buf.as_mut_ptr(), buf.len()) }
    }

    pub fn error(code: &str, message: &str) {
        unsafe { raw::error(code.as_ptr(), code.len(), message.as_ptr(), message.len()) }
    }

    pub fn caller() -> i32 {
        unsafe { raw::caller() }
    }

    pub fn caller_may(level: i32, key: &str) -> i32 {
        unsafe { raw::caller_may(level, key.as_ptr(), key.len()) }
    }

    pub fn config() -> i32 {
        unsafe { raw::config() }
    }

    pub fn publish(topic: &str, payload: &[u8]) -> i32 {
        unsafe { raw::publish(topic.as_ptr(), topic.len(), payload.as_ptr(), payload.len()) }
    }

    pub fn log(level: i32, message: &str) {
        unsafe { raw::log(level, message.as_ptr(), message.len()) }
    }

    pub fn clock_ms() -> i64 {
        unsafe { raw::clock_ms() }
    }

    pub fn random(buf: &mut [u8]) -> i32 {
        unsafe { raw::random(buf.as_mut_ptr(), buf.len()) }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub use crate::fake::{
        caller, caller_may, clock_ms, config, error, kv_delete, kv_get, kv_scan, kv_set, log,
        publish, random, result_len, result_read,
    };
}

pub(crate) use imp::*;
