//! What an op handler receives: the call's arguments and access to its caller.

use crate::error::{Error, Result};
use crate::json::Json;

/// An access level on a key, as checked by [`Call::caller_may`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// May read.
    Read = 1,
    /// May write.
    Write = 2,
    /// May administer.
    Admin = 3,
    /// May receive events published on the topic.
    Subscribe = 4,
    /// May publish on the topic.
    Publish = 5,
}

/// Who called an op.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The caller's name, e.g. `user:alice` or `anonymous`.
    pub name: String,
    /// Whether the caller presented valid credentials.
    pub authenticated: bool,
}

/// One call of an op: its arguments (the JSON object the client sent) and its caller.
///
/// The typed accessors treat a member that is absent or `null` alike and fail with a
/// `BAD_REQUEST` naming the member when it has the wrong type:
///
/// ```
/// use pando_guest::{Call, Json, Result};
///
/// fn handle(call: &Call) -> Result<Json> {
///     let name = call.opt_str("name")?.unwrap_or("default");
///     let by = call.opt_i64("by")?.unwrap_or(1);
///     Ok(Json::object().with("name", name).with("by", by))
/// }
/// # let out = pando_guest::testing::call_op(handle, &Json::parse(r#"{"by":2}"#).unwrap());
/// # assert_eq!(out.unwrap().to_string(), r#"{"name":"default","by":2}"#);
/// # let err = pando_guest::testing::call_op(handle, &Json::parse(r#"{"by":"2"}"#).unwrap());
/// # assert_eq!(err.unwrap_err().to_string(), "BAD_REQUEST: 'by' must be an integer, not a string");
/// ```
#[derive(Clone, Debug)]
pub struct Call {
    args: Json,
}

impl Call {
    /// A call with `args`: what the SDK builds for each op invocation, and handy in tests.
    pub fn new(args: Json) -> Call {
        Call { args }
    }

    /// All arguments (normally an object).
    pub fn args(&self) -> &Json {
        &self.args
    }

    /// Takes the arguments out of the call.
    pub fn into_args(self) -> Json {
        self.args
    }

    /// Refuses arguments other than `allowed`, as the node's core ops do: a misspelt field
    /// (`{"N":1}` for `n`) fails with `BAD_REQUEST` naming it instead of being silently ignored.
    /// Arguments that are not an object (absent or `null` counts as `{}`) are refused too.
    /// Returns the call, so it chains: `let n = call.only(&["n", "by"])?.i64("n")?;`.
    ///
    /// ```
    /// use pando_guest::{Call, Json, Result};
    ///
    /// fn incr(call: &Call) -> Result<Json> {
    ///     call.only(&["n", "by"])?;
    ///     Ok(Json::from(call.i64("n")? + call.opt_i64("by")?.unwrap_or(1)))
    /// }
    /// # let err = pando_guest::testing::call_op(incr, &Json::parse(r#"{"N":1}"#).unwrap());
    /// # assert_eq!(err.unwrap_err().to_string(), "BAD_REQUEST: unknown argument 'N' (expected n, by)");
    /// ```
    pub fn only(&self, allowed: &[&str]) -> Result<&Call> {
        let fields = match &self.args {
            Json::Null => return Ok(self),
            Json::Object(map) => map,
            other => {
                return Err(Error::bad_request(format!(
                    "the arguments must be a JSON object, not {} {}",
                    article(other),
                    other.type_name()
                )))
            }
        };
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(k)) {
            let expected = if allowed.is_empty() {
                "this op takes no arguments".to_string()
            } else {
                format!("expected {}", allowed.join(", "))
            };
            return Err(Error::bad_request(format!(
                "unknown argument '{unknown}' ({expected})"
            )));
        }
        Ok(self)
    }

    /// Member `name` of the arguments, unless it is absent or `null`.
    pub fn arg(&self, name: &str) -> Option<&Json> {
        self.args.get(name).filter(|v| !v.is_null())
    }

    /// Member `name` as a string, if present.
    pub fn opt_str(&self, name: &str) -> Result<Option<&str>> {
        self.typed(name, "a string", Json::as_str)
    }

    /// Member `name` as an integer, if present (a float such as `2.5` or `2.0` is refused).
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>> {
        self.typed(name, "an integer", Json::as_i64)
    }

    /// Member `name` as a number, if present.
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>> {
        self.typed(name, "a number", Json::as_f64)
    }

    /// Member `name` as a boolean, if present.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>> {
        self.typed(name, "a boolean", Json::as_bool)
    }

    /// Member `name` as a string; `BAD_REQUEST` when it is missing.
    pub fn str(&self, name: &str) -> Result<&str> {
        self.opt_str(name)?.ok_or_else(|| missing(name))
    }

    /// Member `name` as an integer; `BAD_REQUEST` when it is missing.
    pub fn i64(&self, name: &str) -> Result<i64> {
        self.opt_i64(name)?.ok_or_else(|| missing(name))
    }

    /// Member `name` as a number; `BAD_REQUEST` when it is missing.
    pub fn f64(&self, name: &str) -> Result<f64> {
        self.opt_f64(name)?.ok_or_else(|| missing(name))
    }

    /// Member `name` as a boolean; `BAD_REQUEST` when it is missing.
    pub fn bool(&self, name: &str) -> Result<bool> {
        self.opt_bool(name)?.ok_or_else(|| missing(name))
    }

    /// Who made this call (see [`crate::caller`]).
    pub fn caller(&self) -> Result<Caller> {
        crate::host::caller()
    }

    /// Whether the caller holds `access` on `key` (see [`crate::caller_may`]).
    pub fn caller_may(&self, access: Access, key: &str) -> Result<bool> {
        crate::host::caller_may(access, key)
    }

    fn typed<'a, T>(
        &'a self,
        name: &str,
        expected: &str,
        get: impl Fn(&'a Json) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.arg(name) {
            None => Ok(None),
            Some(v) => match get(v) {
                Some(t) => Ok(Some(t)),
                None => Err(Error::bad_request(format!(
                    "'{name}' must be {expected}, not {} {}",
                    article(v),
                    v.type_name()
                ))),
            },
        }
    }
}

fn missing(name: &str) -> Error {
    Error::bad_request(format!("'{name}' is required"))
}

fn article(v: &Json) -> &'static str {
    match v {
        Json::Int(_) | Json::Array(_) | Json::Object(_) => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn call(text: &str) -> Call {
        Call::new(Json::parse(text).unwrap())
    }

    #[test]
    fn typed_args() {
        let c = call(r#"{"s":"x","i":3,"f":1.5,"b":true,"n":null}"#);
        assert_eq!(c.opt_str("s").unwrap(), Some("x"));
        assert_eq!(c.str("s").unwrap(), "x");
        assert_eq!(c.i64("i").unwrap(), 3);
        assert_eq!(c.f64("i").unwrap(), 3.0);
        assert_eq!(c.f64("f").unwrap(), 1.5);
        assert!(c.bool("b").unwrap());
        assert_eq!(c.opt_str("n").unwrap(), None);
        assert_eq!(c.opt_i64("absent").unwrap(), None);
        assert!(c.arg("n").is_none());
        assert_eq!(c.args()["i"], Json::Int(3));
        let e = c.i64("f").unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadRequest);
        assert_eq!(e.message(), "'f' must be an integer, not a number");
        assert_eq!(
            c.str("i").unwrap_err().message(),
            "'i' must be a string, not an integer"
        );
        assert_eq!(
            c.bool("s").unwrap_err().message(),
            "'s' must be a boolean, not a string"
        );
        assert_eq!(c.str("n").unwrap_err().message(), "'n' is required");
        assert_eq!(c.into_args()["s"], Json::from("x"));
    }

    #[test]
    fn only_refuses_unknown_arguments_by_name() {
        assert!(call(r#"{"n":1,"by":2}"#).only(&["n", "by"]).is_ok());
        assert!(call(r#"{"n":1}"#).only(&["n", "by"]).is_ok());
        assert!(call("{}").only(&[]).is_ok());
        assert!(call("null").only(&["n"]).is_ok());
        let e = call(r#"{"N":1}"#).only(&["n", "by"]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadRequest);
        assert_eq!(e.message(), "unknown argument 'N' (expected n, by)");
        assert_eq!(
            call(r#"{"x":1}"#).only(&[]).unwrap_err().message(),
            "unknown argument 'x' (this op takes no arguments)"
        );
        assert_eq!(
            call("[1]").only(&["n"]).unwrap_err().message(),
            "the arguments must be a JSON object, not an array"
        );
        // Chains into the typed accessors.
        assert_eq!(call(r#"{"n":4}"#).only(&["n"]).unwrap().i64("n").unwrap(), 4);
    }
}
