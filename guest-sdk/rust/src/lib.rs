//! # pando-guest: write Pando WASM plugins in safe Rust
//!
//! This crate wraps Pando's WASM plugin ABI v1 (`docs/plugin-abi.md`) for modules built for
//! `wasm32-unknown-unknown`. It has no dependencies and builds with Rust 1.63 or newer.
//!
//! * **Ops**: [`export_op!`] exports a handler `fn(&Call) -> Result<Json>` under the name the
//!   manifest's `export` gives (default: the verb). Args arrive as [`Json`]; an `Err` fails the
//!   call with its [`ErrorCode`] and message (`error: BAD_REQUEST: ...` in the CLI).
//! * **Listeners**: [`on_event!`] exports `pando_on_event` for an `fn(Event) -> Result<()>`;
//!   [`init!`] exports `pando_init`.
//! * **Host services**: [`kv`] (get, set, compare-and-set, delete, paged scans), [`publish`],
//!   [`log`], [`clock_ms`], [`random`], [`config`], [`caller`] and [`caller_may`].
//! * **Memory**: the crate itself exports the allocator functions `pando_alloc` and
//!   `pando_free` from every plugin that links it, using Rust's global allocator.
//!
//! Only host functions a plugin actually calls end up imported by its module (the linker drops
//! the rest). That matters: a module importing `publish`, `log`, `clock_ms` or `random` without
//! the matching manifest permission (`publish`, `log`, `clock`, `random`) is refused at load.
//!
//! ## Example
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [package]
//! name = "counter"
//! version = "1.0.0"
//! edition = "2021"
//!
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! pando-guest = { path = "../pando/guest-sdk/rust" }
//!
//! [profile.release]
//! opt-level = "s"
//! lto = true
//! panic = "abort"
//! codegen-units = 1
//! ```
//!
//! `manifest.json` (packed into the module by `pando plugin pack`):
//!
//! ```json
//! {"id": "counter", "version": "1.0.0", "apiVersion": 1,
//!  "ops": [{"name": "counter.incr", "scope": "write"}],
//!  "listens": {"changes": ["/_plugins/counter/**"]}}
//! ```
//!
//! `src/lib.rs`:
//!
//! ```
//! use pando_guest::{export_op, kv, on_event, Call, Error, Event, Json, Result};
//!
//! /// counter.incr: `{"name"?: string}` → `{"name": name, "value": n}`.
//! fn incr(call: &Call) -> Result<Json> {
//!     let name = call.opt_str("name")?.unwrap_or("default");
//!     if name.is_empty() || name.contains('/') {
//!         return Err(Error::bad_request("'name' must be a non-empty segment"));
//!     }
//!     let key = format!("/_plugins/counter/{name}");
//!     let current = kv::get(&key)?;
//!     let value = match &current {
//!         Some(entry) => entry.value.as_i64().unwrap_or(0) + 1,
//!         None => 1,
//!     };
//!     // Compare-and-set: fails with CONFLICT if another call wrote in between.
//!     kv::set_if(&key, &Json::from(value), current.map_or(0, |e| e.revision))?;
//!     Ok(Json::object().with("name", name).with("value", value))
//! }
//!
//! fn changed(event: Event) -> Result<()> {
//!     if let Event::Change { key, value: None, .. } = event {
//!         // A counter was deleted; `key` says which.
//!         let _ = key;
//!     }
//!     Ok(())
//! }
//!
//! export_op!(incr => incr);
//! on_event!(changed);
//!
//! // Natively (`cargo test`), handlers run against the SDK's in-memory fake host:
//! use pando_guest::testing;
//! let out = testing::call_op(incr, &Json::parse(r#"{"name":"hits"}"#).unwrap()).unwrap();
//! assert_eq!(out.to_string(), r#"{"name":"hits","value":1}"#);
//! let err = testing::call_op(incr, &Json::parse(r#"{"name":7}"#).unwrap()).unwrap_err();
//! assert_eq!(err.to_string(), "BAD_REQUEST: 'name' must be a string, not an integer");
//! ```
//!
//! Build with `cargo build --release --target wasm32-unknown-unknown`; the module is
//! `target/wasm32-unknown-unknown/release/counter.wasm`.
//!
//! ## Native tests
//!
//! Off `wasm32`, the host functions are served by an in-memory fake host (module `testing`), so
//! `cargo test` runs a plugin's handlers on the build machine.
//!
//! ## Panics
//!
//! Build plugins with `panic = "abort"`: a panic then traps, and the host fails that call with
//! `PLUGIN_FAILED` and replaces the instance. Return an [`Error`] for anything a caller should see.

#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

mod error;
mod event;
#[cfg(not(target_arch = "wasm32"))]
mod fake;
mod host;
pub mod json;
pub mod kv;
pub mod log;
mod mem;
mod op;
mod sys;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use error::{Error, ErrorCode, Result};
pub use event::Event;
pub use host::{caller, caller_may, clock_ms, config, publish, random};
pub use json::{Json, Map};
pub use op::{Access, Call, Caller};

/// Exports op handlers: `export_op!(incr => handle_incr, get => handle_get);`.
///
/// Each `export => handler` pair defines the WASM export `export` (an identifier, or a string
/// literal for names that are not identifiers) with the ABI's op signature
/// `(args_ptr i32, args_len i32) -> i64`. The name must match the op's `export` in the manifest,
/// which defaults to the verb (`counter.incr` → `incr`). The export names live in their own
/// namespace: a handler may have the same name as its export.
///
/// The handler is any `FnOnce(&Call) -> Result<T>` with `T: Into<Json>`, usually a function
/// `fn(call: &Call) -> Result<Json>`. The generated export takes over the args buffer, parses it,
/// calls the handler and returns its result serialized (a `null` result is returned as length
/// 0), or reports the handler's error through `pando.error`.
///
/// ```
/// use pando_guest::{export_op, Call, Json, Result};
///
/// fn get(call: &Call) -> Result<Json> {
///     Ok(Json::from(call.opt_str("name")?.unwrap_or("default")))
/// }
///
/// export_op!(get => get, "get-all" => |_call: &Call| Ok(Json::array()));
/// ```
#[macro_export]
macro_rules! export_op {
    () => {};
    ($export:ident => $handler:expr $(, $($rest:tt)*)?) => {
        $crate::__export_op!(::core::stringify!($export), $handler);
        $($crate::export_op!($($rest)*);)?
    };
    ($export:literal => $handler:expr $(, $($rest:tt)*)?) => {
        $crate::__export_op!($export, $handler);
        $($crate::export_op!($($rest)*);)?
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __export_op {
    ($name:expr, $handler:expr) => {
        const _: () = {
            #[export_name = $name]
            extern "C" fn __pando_op(args_ptr: *mut u8, args_len: usize) -> i64 {
                // SAFETY: the host calls op exports with a buffer from `pando_alloc`.
                unsafe { $crate::__private::op_entry(args_ptr, args_len, $handler) }
            }
        };
    };
}

/// Exports `pando_on_event`, delivering changes and events (manifest `listens`) to a handler
/// `FnOnce(Event) -> Result<()>`. An `Err` is reported as a failed delivery with its message.
///
/// ```
/// use pando_guest::{on_event, Event, Result};
///
/// fn deliver(event: Event) -> Result<()> {
///     match event {
///         Event::Change { key, value: Some(value), .. } => { let _ = (key, value); }
///         Event::Change { key, value: None, .. } => { let _ = key; } // deleted
///         Event::Published { topic, payload, .. } => { let _ = (topic, payload); }
///     }
///     Ok(())
/// }
///
/// on_event!(deliver);
/// ```
#[macro_export]
macro_rules! on_event {
    ($handler:expr $(,)?) => {
        const _: () = {
            #[export_name = "pando_on_event"]
            extern "C" fn __pando_on_event(ptr: *mut u8, len: usize) -> i32 {
                // SAFETY: the host delivers in a buffer from `pando_alloc`.
                unsafe { $crate::__private::event_entry(ptr, len, $handler) }
            }
        };
    };
}

/// Exports `pando_init`, run once per instance before any op or delivery, for a handler
/// `FnOnce() -> Result<()>`. An `Err` fails the instance (and the load, for the first one).
///
/// ```
/// use pando_guest::{config, init, Error, Result};
///
/// fn check_config() -> Result<()> {
///     match config()?.get("threshold") {
///         Some(t) if !t.is_number() => Err(Error::bad_request("threshold must be a number")),
///         _ => Ok(()),
///     }
/// }
///
/// init!(check_config);
/// ```
#[macro_export]
macro_rules! init {
    ($handler:expr $(,)?) => {
        const _: () = {
            #[export_name = "pando_init"]
            extern "C" fn __pando_init() -> i32 {
                $crate::__private::init_entry($handler)
            }
        };
    };
}
