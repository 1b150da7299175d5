//! Typed errors: what an op or listener reports to the host, and what host functions report back.

use crate::json::ParseError;
use core::fmt;

/// The error codes a guest may report (ABI v1, "Typed errors"), which are also the codes of the
/// host's negative statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `BAD_REQUEST`: the caller's input is wrong (host status `-1`).
    BadRequest,
    /// `FORBIDDEN`: not allowed, e.g. a key outside the manifest's prefixes (host status `-2`).
    Forbidden,
    /// `NOT_FOUND`: something does not exist (host status `-3`).
    NotFound,
    /// `CONFLICT`: a compare-and-set lost, or the state does not allow it (host status `-4`).
    Conflict,
    /// `TOO_LARGE`: input or output above the host's limit (host status `-5`).
    TooLarge,
    /// `UNAVAILABLE`: cannot be served now; the caller may retry (host status `-6`).
    Unavailable,
    /// `PLUGIN_FAILED`: the plugin itself failed. Also what a host failure (status `-7`) or an
    /// unknown status becomes, since guests cannot report the host's own failure code.
    PluginFailed,
}

impl ErrorCode {
    /// Every code, in ABI order.
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::BadRequest,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::TooLarge,
        ErrorCode::Unavailable,
        ErrorCode::PluginFailed,
    ];

    /// The wire name, e.g. `"BAD_REQUEST"`, as passed to `pando.error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::TooLarge => "TOO_LARGE",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::PluginFailed => "PLUGIN_FAILED",
        }
    }

    /// The code named `name` (as [`ErrorCode::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// The code of a host function's negative status: `-1` BAD_REQUEST … `-6` UNAVAILABLE;
    /// `-7` (the host's FAILED) and anything else negative are [`ErrorCode::PluginFailed`].
    /// `None` for a non-negative value, which is not a status.
    pub fn from_status(status: i64) -> Option<ErrorCode> {
        Some(match status {
            s if s >= 0 => return None,
            -1 => ErrorCode::BadRequest,
            -2 => ErrorCode::Forbidden,
            -3 => ErrorCode::NotFound,
            -4 => ErrorCode::Conflict,
            -5 => ErrorCode::TooLarge,
            -6 => ErrorCode::Unavailable,
            _ => ErrorCode::PluginFailed,
        })
    }

    /// The host status with this code (`-1` … `-6`; `-7` for [`ErrorCode::PluginFailed`]).
    pub fn status(self) -> i32 {
        match self {
            ErrorCode::BadRequest => -1,
            ErrorCode::Forbidden => -2,
            ErrorCode::NotFound => -3,
            ErrorCode::Conflict => -4,
            ErrorCode::TooLarge => -5,
            ErrorCode::Unavailable => -6,
            ErrorCode::PluginFailed => -7,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a code and a message.
///
/// Returned from an op handler (see [`export_op!`](crate::export_op)), it fails the call with
/// `{ok:false, error:{code, message}}`; host functions return it when the host answers with a
/// negative status, with the host's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

/// The SDK's result type.
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
        }
    }

    /// A [`ErrorCode::BadRequest`] error.
    pub fn bad_request(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::BadRequest, message)
    }

    /// A [`ErrorCode::Forbidden`] error.
    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Forbidden, message)
    }

    /// A [`ErrorCode::NotFound`] error.
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::NotFound, message)
    }

    /// A [`ErrorCode::Conflict`] error.
    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Conflict, message)
    }

    /// A [`ErrorCode::TooLarge`] error.
    pub fn too_large(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::TooLarge, message)
    }

    /// A [`ErrorCode::Unavailable`] error.
    pub fn unavailable(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Unavailable, message)
    }

    /// A [`ErrorCode::PluginFailed`] error.
    pub fn plugin_failed(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::PluginFailed, message)
    }

    /// The code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the code is `code`: `if e.is(ErrorCode::Conflict) { retry }`.
    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == code
    }
}

/// `CODE: message`, as the Pando CLI prints errors.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Invalid JSON from a caller is a bad request.
impl From<ParseError> for Error {
    fn from(e: ParseError) -> Error {
        Error::bad_request(format!("invalid JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_statuses() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
            assert_eq!(ErrorCode::from_status(i64::from(code.status())), Some(code));
        }
        assert_eq!(ErrorCode::from_name("INTERNAL"), None);
        assert_eq!(ErrorCode::from_status(0), None);
        assert_eq!(ErrorCode::from_status(5), None);
        assert_eq!(ErrorCode::from_status(-7), Some(ErrorCode::PluginFailed));
        assert_eq!(ErrorCode::from_status(-99), Some(ErrorCode::PluginFailed));
        assert_eq!(ErrorCode::from_status(-4), Some(ErrorCode::Conflict));
    }

    #[test]
    fn constructors() {
        let e = Error::bad_request("name must be a string");
        assert_eq!(e.code(), ErrorCode::BadRequest);
        assert!(e.is(ErrorCode::BadRequest));
        assert_eq!(e.message(), "name must be a string");
        assert_eq!(e.to_string(), "BAD_REQUEST: name must be a string");
        assert_eq!(Error::forbidden("x").code(), ErrorCode::Forbidden);
        assert_eq!(Error::not_found("x").code(), ErrorCode::NotFound);
        assert_eq!(Error::conflict("x").code(), ErrorCode::Conflict);
        assert_eq!(Error::too_large("x").code(), ErrorCode::TooLarge);
        assert_eq!(Error::unavailable("x").code(), ErrorCode::Unavailable);
        assert_eq!(Error::plugin_failed("x").code(), ErrorCode::PluginFailed);
        let parse: Error = crate::Json::parse("[").unwrap_err().into();
        assert_eq!(parse.code(), ErrorCode::BadRequest);
    }
}
