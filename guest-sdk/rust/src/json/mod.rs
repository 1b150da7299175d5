//! A small JSON value type with a strict parser and a compact serializer.
//!
//! Everything the host and the guest exchange is UTF-8 JSON, so this is the one data type of the
//! SDK. [`Json`] keeps integers and floating-point numbers apart ([`Json::Int`] holds any integer
//! that fits an `i64` exactly; other numbers are [`Json::Float`]) and objects keep their keys in
//! insertion order ([`Map`]).
//!
//! ```
//! use pando_guest::{json_object, Json};
//!
//! let v = Json::parse(r#"{"name":"hall","c":21.5,"tags":["a","b"]}"#).unwrap();
//! assert_eq!(v["name"].as_str(), Some("hall"));
//! assert_eq!(v.get("c").and_then(Json::as_f64), Some(21.5));
//! assert_eq!(v["tags"][1].as_str(), Some("b"));
//! assert!(v["missing"].is_null());
//!
//! let out = json_object! { "name" => "hall", "count" => 3, "ok" => true };
//! assert_eq!(out.to_string(), r#"{"name":"hall","count":3,"ok":true}"#);
//! let same = Json::object().with("name", "hall").with("count", 3).with("ok", true);
//! assert_eq!(out, same);
//! ```

mod map;
mod parse;
#[cfg(test)]
mod tests_text;
mod write;

use core::fmt;
use core::ops::Index;
use core::str::FromStr;

pub use map::Map;
pub use parse::{ParseError, MAX_DEPTH};

/// A JSON value.
///
/// Numbers are kept as [`Json::Int`] when they are written without a fraction or exponent and fit
/// an `i64`, so integers survive a round trip exactly; every other number is a [`Json::Float`].
/// Equality is structural: `Json::Int(1) != Json::Float(1.0)` (compare with [`Json::as_f64`] when
/// that matters).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Json {
    /// `null` (the default).
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits an `i64`, e.g. `42` or `-7`.
    Int(i64),
    /// Any other number, e.g. `21.5`, `1e3` or `18446744073709551616`. Serialized in the shortest
    /// form that reads back as the same `f64`; NaN and infinities (which JSON cannot express) are
    /// written as `null`.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object; keys are unique and keep their insertion order.
    Object(Map),
}

/// Returned by the `Index` implementations for a missing key or index.
static NULL: Json = Json::Null;

impl Json {
    /// An empty object, to be filled with [`Json::with`] or [`Json::insert`].
    pub fn object() -> Json {
        Json::Object(Map::new())
    }

    /// An empty array, to be filled with [`Json::push`].
    pub fn array() -> Json {
        Json::Array(Vec::new())
    }

    /// Parses exactly one JSON value (RFC 8259) from `text`, surrounded by optional whitespace.
    ///
    /// The parser is strict: no comments, trailing commas, single quotes, leading zeros, `NaN`,
    /// unescaped control characters, invalid escapes or lone surrogates; duplicate object keys
    /// and nesting deeper than [`MAX_DEPTH`] are refused too.
    pub fn parse(text: &str) -> core::result::Result<Json, ParseError> {
        parse::parse(text.as_bytes())
    }

    /// Like [`Json::parse`], for bytes; they must be valid UTF-8.
    pub fn from_slice(bytes: &[u8]) -> core::result::Result<Json, ParseError> {
        parse::parse(bytes)
    }

    /// The compact serialization (no whitespace) as UTF-8 bytes; the same text as `to_string()`.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = String::new();
        write::write(&mut out, self);
        out.into_bytes()
    }

    /// Builder: `self` with `key` set to `value` (replacing an earlier value of that key in place).
    ///
    /// # Panics
    ///
    /// If `self` is not an object.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Json>) -> Json {
        match &mut self {
            Json::Object(map) => {
                map.insert(key, value);
            }
            other => panic!("Json::with on {}, not an object", other.type_name()),
        }
        self
    }

    /// Sets `key` to `value` in an object, returning the previous value of `key`.
    ///
    /// # Panics
    ///
    /// If `self` is not an object.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Json>) -> Option<Json> {
        match self {
            Json::Object(map) => map.insert(key, value),
            other => panic!("Json::insert on {}, not an object", other.type_name()),
        }
    }

    /// Appends `value` to an array.
    ///
    /// # Panics
    ///
    /// If `self` is not an array.
    pub fn push(&mut self, value: impl Into<Json>) {
        match self {
            Json::Array(items) => items.push(value.into()),
            other => panic!("Json::push on {}, not an array", other.type_name()),
        }
    }

    /// The value of `key` if `self` is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object().and_then(|map| map.get(key))
    }

    /// Mutable access to the value of `key` if `self` is an object that has it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.as_object_mut().and_then(|map| map.get_mut(key))
    }

    /// Item `index` if `self` is an array that long.
    pub fn at(&self, index: usize) -> Option<&Json> {
        self.as_array().and_then(|items| items.get(index))
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Whether this is a number ([`Json::Int`] or [`Json::Float`]).
    pub fn is_number(&self) -> bool {
        matches!(self, Json::Int(_) | Json::Float(_))
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is a [`Json::Int`]. A float is not converted, even `2.0`: use
    /// [`Json::as_f64`] to accept any number.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The integer, if this is a non-negative [`Json::Int`].
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i64().and_then(|i| u64::try_from(i).ok())
    }

    /// Any number as an `f64` (integers beyond 2^53 are rounded).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Int(i) => Some(*i as f64),
            Json::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Mutable items, if this is an array.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Json>> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The map, if this is an object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Json::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The mutable map, if this is an object.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Json::Object(map) => Some(map),
            _ => None,
        }
    }

    /// `"null"`, `"boolean"`, `"integer"`, `"number"`, `"string"`, `"array"` or `"object"`: for
    /// error messages such as "'by' must be an integer, not a string".
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Int(_) => "integer",
            Json::Float(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

/// The compact JSON text, e.g. `{"a":[1,2.5,"x"]}`.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write::write(&mut out, self);
        f.write_str(&out)
    }
}

impl FromStr for Json {
    type Err = ParseError;

    fn from_str(s: &str) -> core::result::Result<Json, ParseError> {
        Json::parse(s)
    }
}

/// `value["key"]`: the key's value, or `Json::Null` when `value` is not an object or lacks it.
impl Index<&str> for Json {
    type Output = Json;

    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value[i]`: the item, or `Json::Null` when `value` is not an array or is shorter.
impl Index<usize> for Json {
    type Output = Json;

    fn index(&self, index: usize) -> &Json {
        self.at(index).unwrap_or(&NULL)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Json {
            fn from(i: $t) -> Json {
                Json::Int(i64::from(i))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<u64> for Json {
    /// An `Int` when it fits an `i64`, otherwise a (rounded) `Float`.
    fn from(u: u64) -> Json {
        match i64::try_from(u) {
            Ok(i) => Json::Int(i),
            Err(_) => Json::Float(u as f64),
        }
    }
}

impl From<usize> for Json {
    fn from(u: usize) -> Json {
        Json::from(u as u64)
    }
}

impl From<isize> for Json {
    fn from(i: isize) -> Json {
        Json::Int(i as i64)
    }
}

impl From<f64> for Json {
    fn from(f: f64) -> Json {
        Json::Float(f)
    }
}

impl From<f32> for Json {
    fn from(f: f32) -> Json {
        Json::Float(f64::from(f))
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::String(s)
    }
}

impl From<&String> for Json {
    fn from(s: &String) -> Json {
        Json::String(s.clone())
    }
}

impl From<&Json> for Json {
    fn from(v: &Json) -> Json {
        v.clone()
    }
}

impl From<Map> for Json {
    fn from(map: Map) -> Json {
        Json::Object(map)
    }
}

impl<T: Into<Json>> From<Vec<T>> for Json {
    fn from(items: Vec<T>) -> Json {
        Json::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    /// `None` is `null`.
    fn from(v: Option<T>) -> Json {
        v.map_or(Json::Null, Into::into)
    }
}

impl<T: Into<Json>> FromIterator<T> for Json {
    /// Collects into an array.
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Json {
        Json::Array(iter.into_iter().map(Into::into).collect())
    }
}

/// Builds a [`Json`] object from `key => value` pairs, in order; keys are anything
/// `Into<String>`, values anything `Into<Json>`.
///
/// ```
/// use pando_guest::{json_object, Json};
///
/// let reading: Option<f64> = None;
/// let v = json_object! { "sensor" => "/sensors/t1", "c" => reading, "tags" => vec!["a", "b"] };
/// assert_eq!(v.to_string(), r#"{"sensor":"/sensors/t1","c":null,"tags":["a","b"]}"#);
/// assert_eq!(json_object! {}, Json::object());
/// ```
#[macro_export]
macro_rules! json_object {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut object = $crate::json::Map::new();
        $( object.insert($key, $value); )*
        $crate::Json::Object(object)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors() {
        let v = Json::parse(r#"{"s":"x","i":-3,"f":2.5,"b":false,"n":null,"a":[1,{"k":"v"}]}"#)
            .unwrap();
        assert_eq!(v.get("s").and_then(Json::as_str), Some("x"));
        assert_eq!(v["i"].as_i64(), Some(-3));
        assert_eq!(v["i"].as_u64(), None);
        assert_eq!(v["i"].as_f64(), Some(-3.0));
        assert_eq!(v["f"].as_f64(), Some(2.5));
        assert_eq!(v["f"].as_i64(), None);
        assert_eq!(v["b"].as_bool(), Some(false));
        assert!(v["n"].is_null());
        assert!(v.get("n").is_some());
        assert!(v.get("zzz").is_none());
        assert!(v["zzz"].is_null());
        assert_eq!(v["a"][1]["k"].as_str(), Some("v"));
        assert!(v["a"][7].is_null());
        assert!(v["s"]["not-an-object"].is_null());
        assert_eq!(v["a"].as_array().map(Vec::len), Some(2));
        assert_eq!(v.as_object().map(Map::len), Some(6));
        assert_eq!(v["a"].type_name(), "array");
        assert_eq!(v["f"].type_name(), "number");
        assert_eq!(v["i"].type_name(), "integer");
        assert!(v["f"].is_number() && v["i"].is_number() && !v["s"].is_number());
    }

    #[test]
    fn builders_and_from() {
        let mut v = Json::object().with("a", 1).with("b", "two").with("a", 3u8);
        assert_eq!(v.to_string(), r#"{"a":3,"b":"two"}"#);
        assert_eq!(v.insert("c", vec![1.5, 2.0]), None);
        assert_eq!(v.insert("b", Json::Null), Some(Json::from("two")));
        assert_eq!(v.to_string(), r#"{"a":3,"b":null,"c":[1.5,2.0]}"#);
        *v.get_mut("a").unwrap() = Json::from(u64::MAX);
        assert_eq!(v["a"], Json::Float(18446744073709551615.0));
        assert_eq!(Json::from(i64::MIN), Json::Int(i64::MIN));
        assert_eq!(Json::from(7usize), Json::Int(7));
        assert_eq!(Json::from(None::<i32>), Json::Null);
        assert_eq!(Json::from(Some("x")), Json::String("x".into()));
        let mut arr: Json = (1..=3).collect();
        arr.push("four");
        assert_eq!(arr.to_string(), r#"[1,2,3,"four"]"#);
        assert_eq!(Json::default(), Json::Null);
        assert_eq!(
            "[true]".parse::<Json>().unwrap(),
            Json::Array(vec![Json::Bool(true)])
        );
    }

    #[test]
    fn json_object_macro() {
        let name = String::from("n");
        let v = json_object! { "name" => &name, "value" => 5, };
        assert_eq!(v.to_string(), r#"{"name":"n","value":5}"#);
        let nested = json_object! { "inner" => json_object! { "x" => Json::Null } };
        assert_eq!(nested.to_string(), r#"{"inner":{"x":null}}"#);
    }

    #[test]
    #[should_panic(expected = "not an object")]
    fn with_on_array_panics() {
        let _ = Json::array().with("a", 1);
    }
}
