//! Parser and serializer tests: what is accepted, what is refused, and round trips.

use super::{Json, MAX_DEPTH};

fn ok(text: &str) -> Json {
    Json::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn bad(text: &str) -> String {
    match Json::parse(text) {
        Ok(v) => panic!("{text:?} should be refused, parsed as {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn scalars() {
    assert_eq!(ok("null"), Json::Null);
    assert_eq!(ok("true"), Json::Bool(true));
    assert_eq!(ok(" \t\r\nfalse \n"), Json::Bool(false));
    assert_eq!(ok("0"), Json::Int(0));
    assert_eq!(ok("-0"), Json::Int(0));
    assert_eq!(ok("42"), Json::Int(42));
    assert_eq!(ok("-17"), Json::Int(-17));
    assert_eq!(ok("\"\""), Json::String(String::new()));
}

#[test]
fn numbers_keep_integers_exact() {
    assert_eq!(ok("9223372036854775807"), Json::Int(i64::MAX));
    assert_eq!(ok("-9223372036854775808"), Json::Int(i64::MIN));
    assert_eq!(
        ok("9223372036854775808"),
        Json::Float(9223372036854775808.0)
    );
    assert_eq!(ok("1.5"), Json::Float(1.5));
    assert_eq!(ok("-0.25"), Json::Float(-0.25));
    assert_eq!(ok("2.0"), Json::Float(2.0));
    assert_eq!(ok("1e3"), Json::Float(1000.0));
    assert_eq!(ok("1E+3"), Json::Float(1000.0));
    assert_eq!(ok("25e-1"), Json::Float(2.5));
    assert_eq!(ok("0.1"), Json::Float(0.1));
    assert_eq!(ok("1.7976931348623157e308"), Json::Float(f64::MAX));
    assert_eq!(ok("5e-324"), Json::Float(5e-324));
    assert_eq!(ok("1e-400"), Json::Float(0.0));
}

#[test]
fn invalid_numbers_are_refused() {
    for text in [
        "01",
        "-01",
        "00",
        "+1",
        "-",
        ".5",
        "1.",
        "1.e3",
        "1e",
        "1e+",
        "1E-",
        "0x10",
        "1_000",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "-1e400",
        "1.5.2",
        "--1",
        "- 1",
    ] {
        bad(text);
    }
}

#[test]
fn strings_and_escapes() {
    assert_eq!(ok(r#""a\"b\\c\/d""#).as_str(), Some("a\"b\\c/d"));
    assert_eq!(ok(r#""\b\f\n\r\t""#).as_str(), Some("\u{8}\u{c}\n\r\t"));
    assert_eq!(ok(r#""\u0041\u00e9\u20AC""#).as_str(), Some("Aé€"));
    assert_eq!(ok(r#""\u0000""#).as_str(), Some("\0"));
    // A surrogate pair, in either case of hex digits.
    assert_eq!(ok(r#""\uD83D\uDE00""#).as_str(), Some("😀"));
    assert_eq!(ok(r#""\ud83d\ude00x""#).as_str(), Some("😀x"));
    // Raw UTF-8 passes through.
    assert_eq!(ok("\"héllo 😀 ∑\"").as_str(), Some("héllo 😀 ∑"));
    // DEL and U+2028 need no escape.
    assert_eq!(ok("\"\u{7f}\u{2028}\"").as_str(), Some("\u{7f}\u{2028}"));
}

#[test]
fn invalid_strings_are_refused() {
    for text in [
        "\"abc",
        "\"abc\\",
        "\"\\x\"",
        "\"\\U0041\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"\\uD83D\"",
        "\"\\uD83Dx\"",
        "\"\\uD83D\\u0041\"",
        "\"\\uDE00\"",
        "\"\\uDE00\\uD83D\"",
        "\"tab\there\"",
        "\"new\nline\"",
        "\"\u{1}\"",
        "'single'",
    ] {
        bad(text);
    }
    // Invalid UTF-8 inside and outside strings.
    assert!(Json::from_slice(b"\"\xff\"").is_err());
    assert!(Json::from_slice(b"\"\xc3\"").is_err());
    assert!(Json::from_slice(b"\"\xed\xa0\x80\"").is_err()); // an encoded surrogate
    assert!(Json::from_slice(b"[\xc3\xa9]").is_err());
    assert_eq!(
        Json::from_slice("\"é\"".as_bytes()).unwrap().as_str(),
        Some("é")
    );
}

#[test]
fn structures() {
    assert_eq!(ok("[]"), Json::Array(vec![]));
    assert_eq!(ok("{}"), Json::object());
    assert_eq!(
        ok(" [ 1 , [ ] , { } ] "),
        Json::Array(vec![Json::Int(1), Json::array(), Json::object()])
    );
    let v = ok(r#"{"z":1,"a":{"b":[true,null]},"m":"x"}"#);
    assert_eq!(
        v.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["z", "a", "m"]
    );
    assert_eq!(v["a"]["b"][0], Json::Bool(true));
    // Escaped keys are compared decoded.
    assert_eq!(ok(r#"{"\u0061":1}"#)["a"], Json::Int(1));
}

#[test]
fn invalid_structures_are_refused() {
    for text in [
        "",
        " ",
        "[",
        "]",
        "{",
        "}",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\" 1}",
        "{a:1}",
        "{1:1}",
        "{\"a\":1 \"b\":2}",
        "[1]]",
        "{}{}",
        "1 2",
        "nul",
        "truex",
        "tru",
        "null,",
        "[1]x",
        "// c\n1",
        "/* c */ 1",
        "[1,/*x*/2]",
        "\u{feff}1",
        "[\u{a0}1]",
        "{\"a\":1,\"a\":2}",
    ] {
        bad(text);
    }
    assert!(bad("{\"a\":1,\"b\":2,\"a\":3}").contains("duplicate key \"a\""));
    // Many keys: the sorted duplicate check.
    let mut text = String::from("{");
    for i in 0..40 {
        text.push_str(&format!("\"k{i}\":{i},"));
    }
    let unique = format!("{}\"last\":0}}", text);
    assert_eq!(ok(&unique).as_object().unwrap().len(), 41);
    let dup = format!("{}\"k7\":0}}", text);
    assert!(bad(&dup).contains("duplicate key \"k7\""));
}

#[test]
fn error_positions() {
    let e = Json::parse("[1, 2, x]").unwrap_err();
    assert_eq!(e.offset(), 7);
    assert!(e.message().contains("'x'"), "{e}");
    assert_eq!(
        Json::parse("[1] 2").unwrap_err().to_string(),
        "unexpected data after the JSON value at byte 4"
    );
    assert_eq!(Json::parse("\"ab").unwrap_err().offset(), 3);
}

#[test]
fn depth_limit() {
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(Json::parse(&nested(MAX_DEPTH)).is_ok());
    assert!(bad(&nested(MAX_DEPTH + 1)).contains("nesting deeper"));
    let objects = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    assert!(Json::parse(&objects(MAX_DEPTH)).is_ok());
    bad(&objects(MAX_DEPTH + 1));
    // Far deeper input is refused quickly, without exhausting the stack.
    bad(&"[".repeat(100_000));
}

#[test]
fn serializes_compactly_with_escapes() {
    let v = Json::object()
        .with("s", "quote\" backslash\\ slash/ nl\n cr\r tab\t bs\u{8} ff\u{c} nul\0 us\u{1f} del\u{7f} é 😀")
        .with("a", vec![Json::Null, Json::Bool(true), Json::Int(-5)])
        .with("o", Json::object());
    assert_eq!(
        v.to_string(),
        "{\"s\":\"quote\\\" backslash\\\\ slash/ nl\\n cr\\r tab\\t bs\\b ff\\f nul\\u0000 us\\u001f del\u{7f} é 😀\",\
         \"a\":[null,true,-5],\"o\":{}}"
    );
    assert_eq!(v.to_vec(), v.to_string().into_bytes());
}

#[test]
fn serializes_floats() {
    let cases: [(f64, &str); 12] = [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (2.0, "2.0"),
        (21.5, "21.5"),
        (0.1, "0.1"),
        (-3.25, "-3.25"),
        (1e20, "100000000000000000000.0"),
        (1e21, "1e21"),
        (1.5e300, "1.5e300"),
        (1e-6, "0.000001"),
        (1.5e-7, "1.5e-7"),
        (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
    ];
    for (f, text) in cases {
        assert_eq!(Json::Float(f).to_string(), text);
        assert_eq!(ok(text), Json::Float(f), "{text} reads back");
    }
    assert_eq!(Json::Float(f64::NAN).to_string(), "null");
    assert_eq!(Json::Float(f64::INFINITY).to_string(), "null");
    assert_eq!(Json::Int(i64::MIN).to_string(), "-9223372036854775808");
}

#[test]
fn round_trips() {
    for text in [
        "null",
        "[1,-2,3.5,1e-7,true,false,null,\"\"]",
        r#"{"key":"/sensors/t1","value":{"c":21.5},"revision":7,"timestamp":1000,"origin":"local","writer":"user:x"}"#,
        r#"{"a":{"b":{"c":[[],{},[{}]]}},"z":"\u0001\"\\"}"#,
        r#"{"emoji":"😀","esc":"\n\t"}"#,
    ] {
        let v = ok(text);
        let again = ok(&v.to_string());
        assert_eq!(v, again, "{text}");
        assert_eq!(v.to_string(), again.to_string());
    }
    // Every float survives print-then-parse exactly.
    let mut x: f64 = 1.0;
    for i in 0..2000 {
        x = x * -1.37 + (i as f64) * 1e-3;
        if !x.is_finite() {
            x = 0.5;
        }
        assert_eq!(ok(&Json::Float(x).to_string()), Json::Float(x));
    }
    // Every char (except surrogates, which Rust strings cannot hold) survives both ways.
    let all: String = (0u32..0x11_0000)
        .step_by(7)
        .filter_map(char::from_u32)
        .collect();
    let v = Json::String(all.clone());
    assert_eq!(ok(&v.to_string()).as_str(), Some(all.as_str()));
}
