//! Host services other than KV: configuration, publishing, the clock, randomness, the caller.

use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use crate::op::{Access, Caller};
use crate::sys;

/// Turns a host function's return value into `Ok(value)` or, for a negative status, the error
/// with the message the host left in the result buffer.
pub(crate) fn check(value: i64) -> Result<i64> {
    match ErrorCode::from_status(value) {
        None => Ok(value),
        Some(code) => {
            let message = String::from_utf8_lossy(&read_result(sys::result_len())).into_owned();
            Err(Error::new(code, message))
        }
    }
}

/// Copies the first `len` bytes of the result buffer into guest memory.
pub(crate) fn read_result(len: i32) -> Vec<u8> {
    let len = usize::try_from(len).unwrap_or(0);
    let mut buf = vec![0u8; len];
    let n = sys::result_read(&mut buf);
    buf.truncate(usize::try_from(n).unwrap_or(0));
    buf
}

/// Runs a host function that leaves JSON in the result buffer and parses that JSON.
pub(crate) fn json_result(status: i32, what: &str) -> Result<Json> {
    let len = check(i64::from(status))?;
    let bytes = read_result(len as i32);
    if (bytes.len() as i64) < len {
        return Err(Error::plugin_failed(format!(
            "{what}: could only read {} of {len} bytes",
            bytes.len()
        )));
    }
    Json::from_slice(&bytes)
        .map_err(|e| Error::plugin_failed(format!("{what}: the host sent invalid JSON: {e}")))
}

/// The plugin's configuration: the manifest's `config` object with the operator's
/// `<plugins-dir>/<id>.config.json` fields laid over it (`{}` if neither has any).
///
/// Needs no permission.
pub fn config() -> Result<Json> {
    json_result(sys::config(), "config")
}

/// Publishes `payload` on `topic` (e.g. `/thermostat/alerts`). Needs the `publish` permission;
/// using this function makes the module import `pando.publish`.
pub fn publish(topic: &str, payload: &Json) -> Result<()> {
    check(i64::from(sys::publish(topic, &payload.to_vec()))).map(|_| ())
}

/// The wall clock in Unix milliseconds. Needs the `clock` permission; using this function makes
/// the module import `pando.clock_ms`.
pub fn clock_ms() -> i64 {
    sys::clock_ms()
}

/// Fills `buf` with bytes from the host's `SecureRandom`. Needs the `random` permission; using
/// this function makes the module import `pando.random`.
pub fn random(buf: &mut [u8]) -> Result<()> {
    check(i64::from(sys::random(buf))).map(|_| ())
}

/// Who called the op being served. Fails with [`ErrorCode::NotFound`] outside an op call (in a
/// listener or `init`).
pub fn caller() -> Result<Caller> {
    let json = json_result(sys::caller(), "caller")?;
    let name = json["name"]
        .as_str()
        .ok_or_else(|| Error::plugin_failed("caller: the host sent no name"))?;
    Ok(Caller {
        name: name.to_owned(),
        authenticated: json["authenticated"].as_bool().unwrap_or(false),
    })
}

/// Whether the op's caller holds `access` on `key` on the node, so an op can refuse to act where
/// its caller could not. Fails with [`ErrorCode::NotFound`] outside an op call and
/// [`ErrorCode::BadRequest`] for an invalid key.
pub fn caller_may(access: Access, key: &str) -> Result<bool> {
    check(i64::from(sys::caller_may(access as i32, key))).map(|v| v == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn config_defaults_to_an_empty_object() {
        assert_eq!(config().unwrap(), Json::object());
        testing::set_config(Json::object().with("threshold", 30));
        assert_eq!(config().unwrap()["threshold"], Json::Int(30));
    }

    #[test]
    fn publish_clock_random() {
        publish("/t/a", &Json::from(1)).unwrap();
        let e = publish("not-a-topic", &Json::Null).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadRequest);
        assert!(e.message().contains("not-a-topic"));
        assert_eq!(
            testing::published(),
            vec![("/t/a".to_string(), Json::Int(1))]
        );
        testing::set_clock(42);
        assert_eq!(clock_ms(), 42);
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        random(&mut a).unwrap();
        random(&mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn caller_only_inside_an_op() {
        assert_eq!(caller().unwrap_err().code(), ErrorCode::NotFound);
        assert_eq!(
            caller_may(Access::Read, "/a").unwrap_err().code(),
            ErrorCode::NotFound
        );
    }
}
