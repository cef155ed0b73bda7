//! Turning resolved [`Node`]s into text: JSON text, the plain text of a scalar parameter, and
//! percent-encoding of URL components and cookie values.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use super::node::{Node, is_json_number};

/// Everything but RFC 3986 unreserved characters is encoded inside a path segment or query part.
pub const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment, query name or query value (the same text as
/// `utf8_percent_encode(text, COMPONENT)`, built in one pass into one allocation: values can be
/// tens of kilobytes and this runs for every request).
pub fn component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 4);
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        push_escape(&mut out, b);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    String::from_utf8(out).expect("percent-encoded text is ASCII")
}

fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
}

/// Raw bytes placed in a URL as they are (pre-encoded payloads such as `%0d%0a` or `..%2f`), except
/// bytes that would end or corrupt the request target: controls, space, non-ASCII, `#`, `extra`, and
/// the characters RFC 3986 allows nowhere in a URI (`"<>\^`{|}`), which strict HTTP parsers reject
/// with a 400 and a closed connection before the application sees the request (the application
/// gets the same text from the escaped form).
pub fn verbatim(bytes: &[u8], extra: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if (0x21..0x7f).contains(&b) && !b"#\"<>\\^`{|}".contains(&b) && !extra.contains(&b) {
            out.push(b);
        } else {
            push_escape(&mut out, b);
        }
    }
    String::from_utf8(out).expect("escaped text is ASCII")
}

/// Makes a header value safe to put on the wire: control characters (CR, LF, NUL, …) are
/// percent-encoded so a value can never end the header or the request early.
pub fn header_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes a header name a valid token: characters outside the token set become `-`; empty → `X`.
pub fn header_name(name: &str) -> String {
    let token: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if token.is_empty() {
        "X".to_owned()
    } else {
        token
    }
}

/// The text of a value used as a parameter: scalars as their plain text, containers as JSON.
pub fn scalar_text(node: &Node) -> String {
    match node {
        Node::Null => String::new(),
        Node::Bool(b) => b.to_string(),
        Node::Number(text) | Node::String(text) => text.clone(),
        Node::Raw(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Node::Ref(_) => scalar_text(&Node::fallback()),
        Node::Array(_) | Node::Object(_) => String::from_utf8_lossy(&json_bytes(node)).into_owned(),
    }
}

/// The JSON text of a value. A number whose text is not a JSON number is written as a string; raw
/// bytes are written as they are (so the result may be malformed JSON on purpose).
pub fn json_bytes(node: &Node) -> Vec<u8> {
    let mut out = Vec::new();
    write_json(node, &mut out);
    out
}

fn write_json(node: &Node, out: &mut Vec<u8>) {
    match node {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Node::Number(text) if is_json_number(text) => out.extend_from_slice(text.as_bytes()),
        Node::Number(text) | Node::String(text) => write_json_string(text, out),
        Node::Raw(bytes) => out.extend_from_slice(bytes),
        Node::Ref(_) => write_json(&Node::fallback(), out),
        Node::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(item, out);
            }
            out.push(b']');
        }
        Node::Object(members) => {
            out.push(b'{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(key, out);
                out.push(b':');
                write_json(value, out);
            }
            out.push(b'}');
        }
    }
}

fn write_json_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::utf8_percent_encode;
    use serde_json::json;

    #[test]
    fn component_matches_the_percent_encoding_crate() {
        for text in [
            "",
            "plain-._~",
            "a b&c=d/é?#%",
            "\u{0}\u{7f}\u{10ffff}",
            "{\"x\":[1]}",
        ] {
            assert_eq!(
                component(text),
                utf8_percent_encode(text, COMPONENT).to_string(),
                "{text:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn component_is_the_reference_encoding(text in "\\PC{0,64}|[ -~]{0,64}") {
            proptest::prop_assert_eq!(
                component(&text),
                utf8_percent_encode(&text, COMPONENT).to_string()
            );
        }
    }

    #[test]
    fn json_text_parses_back() {
        let v = json!({"a": "q\"\\\n\u{1}é", "b": [1, -2.5e3, null, false], "c": {}});
        let text = json_bytes(&Node::from(&v));
        let back: serde_json::Value = serde_json::from_slice(&text).expect("valid JSON");
        assert_eq!(back, v);
    }

    #[test]
    fn huge_number_is_verbatim_and_odd_number_is_quoted() {
        let big = "1".repeat(60);
        assert_eq!(json_bytes(&Node::Number(big.clone())), big.as_bytes());
        assert_eq!(json_bytes(&Node::Number("1x".into())), b"\"1x\"");
    }

    #[test]
    fn encodings() {
        assert_eq!(component("a b/c?&é"), "a%20b%2Fc%3F%26%C3%A9");
        assert_eq!(header_value("x\r\ny"), "x%0D%0Ay");
        assert_eq!(verbatim(b"..%2f a#?\xff", b"?"), "..%2f%20a%23%3F%FF");
        assert_eq!(verbatim(b"a>{b}|", b""), "a%3E%7Bb%7D%7C");
        assert_eq!(verbatim(b"%0d%0a';--", b""), "%0d%0a';--");
        assert_eq!(header_name("X Bad:Name"), "X-Bad-Name");
        assert_eq!(header_name(""), "X");
        assert_eq!(scalar_text(&Node::Array(vec![Node::number(1)])), "[1]");
    }
}
