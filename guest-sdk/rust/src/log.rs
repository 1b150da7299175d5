//! Logging to the node's log, attributed to the plugin.
//!
//! Needs the `log` permission: calling any function here makes the module import `pando.log`,
//! and a module importing it without the permission is refused at load.
//!
//! ```
//! use pando_guest::log;
//!
//! log::info("started");
//! log::warn(format!("ignoring reading {}", "abc"));
//! log::log(log::Level::Debug, "details");
//! ```

/// A log level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Finest detail.
    Trace = 0,
    /// Debugging detail.
    Debug = 1,
    /// Normal operation.
    Info = 2,
    /// Something unexpected that the plugin handled.
    Warn = 3,
    /// A failure.
    Error = 4,
}

impl Level {
    /// The level with ABI number `n` (`0` trace … `4` error).
    pub fn from_i32(n: i32) -> Option<Level> {
        [
            Level::Trace,
            Level::Debug,
            Level::Info,
            Level::Warn,
            Level::Error,
        ]
        .get(usize::try_from(n).ok()?)
        .copied()
    }
}

/// Logs `message` at `level`.
pub fn log(level: Level, message: impl AsRef<str>) {
    crate::sys::log(level as i32, message.as_ref());
}

/// Logs at [`Level::Trace`].
pub fn trace(message: impl AsRef<str>) {
    log(Level::Trace, message);
}

/// Logs at [`Level::Debug`].
pub fn debug(message: impl AsRef<str>) {
    log(Level::Debug, message);
}

/// Logs at [`Level::Info`].
pub fn info(message: impl AsRef<str>) {
    log(Level::Info, message);
}

/// Logs at [`Level::Warn`].
pub fn warn(message: impl AsRef<str>) {
    log(Level::Warn, message);
}

/// Logs at [`Level::Error`].
pub fn error(message: impl AsRef<str>) {
    log(Level::Error, message);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn levels() {
        trace("t");
        debug("d");
        info(String::from("i"));
        warn("w");
        error("e");
        let levels: Vec<Level> = testing::logs().into_iter().map(|(l, _)| l).collect();
        assert_eq!(
            levels,
            [
                Level::Trace,
                Level::Debug,
                Level::Info,
                Level::Warn,
                Level::Error
            ]
        );
        assert_eq!(Level::from_i32(3), Some(Level::Warn));
        assert_eq!(Level::from_i32(5), None);
        assert_eq!(Level::from_i32(-1), None);
    }
}
