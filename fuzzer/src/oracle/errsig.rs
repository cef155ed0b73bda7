//! Error signatures: a response body reduced to what identifies *which* error it is.
//!
//! Numbers, ids, timestamps, quoted text and words the request itself contained (input echoed back)
//! are removed, so "order 17 not found" and "order 99 not found" share a signature while "order not
//! found" and "quantity out of range" do not. In a JSON body, code-like values (`"error":
//! "unknown_campaign"`) are kept whole and free-text messages only by their first words, where the
//! kind of error is named (what follows is mostly the offending input). The result is hashed with
//! FNV-1a, which is stable across runs and Rust versions (signatures name case folders on disk).

/// How much of a body takes part in its signature.
const MAX_BODY: usize = 2048;
/// Words shorter than this are never treated as echoed input.
const MIN_ECHO: usize = 5;

/// The normalised text of a body (exposed for tests and for people reading a case).
pub fn normalise(body: &[u8], request: &[u8]) -> String {
    let body = &body[..body.len().min(MAX_BODY)];
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '`' | '"' => {
                // A quoted fragment inside a message: the quoted text is data, not the message.
                flush(&mut word, &mut out, request);
                for q in chars.by_ref() {
                    if q == c {
                        break;
                    }
                }
                out.push('Q');
            }
            '\\' if chars.peek() == Some(&'"') => {
                // An escaped double quote inside a JSON string: same treatment.
                chars.next();
                flush(&mut word, &mut out, request);
                while let Some(q) = chars.next() {
                    if q == '\\' && chars.peek() == Some(&'"') {
                        chars.next();
                        break;
                    }
                }
                out.push('Q');
            }
            c if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' => word.push(c),
            c => {
                flush(&mut word, &mut out, request);
                if !c.is_whitespace() || !out.ends_with(' ') {
                    out.push(if c.is_whitespace() { ' ' } else { c });
                }
            }
        }
    }
    flush(&mut word, &mut out, request);
    out
}

/// Appends a word, or a placeholder when it is a number, an id or echoed input.
fn flush(word: &mut String, out: &mut String, request: &[u8]) {
    if word.is_empty() {
        return;
    }
    let digits = word.chars().filter(char::is_ascii_digit).count();
    if digits > 0 && (digits * 3 >= word.len() || word.len() >= 16) {
        out.push('#');
    } else if looks_like_data(word) && contains(request, word.as_bytes()) {
        out.push('~');
    } else {
        out.push_str(&word.to_lowercase());
    }
    word.clear();
}

/// Words that can be echoed input: long enough, and not a plain lower-case word (message text
/// such as "discount" or "shipping" stays part of the signature even when the request happens to
/// contain it, so equal messages sign equally whatever the request held).
fn looks_like_data(word: &str) -> bool {
    word.len() >= MIN_ECHO && (word.len() >= 16 || !word.chars().all(|c| c.is_ascii_lowercase()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Words of a free-text message that take part in a signature.
const MESSAGE_WORDS: usize = 4;
/// Words of a non-JSON body that take part in a signature.
const TEXT_WORDS: usize = 12;

/// The 64-bit signature of a body given the request that produced it. A body that leaks a
/// database error is signed as one family whatever the engine and the query (every malformed
/// query reaching the database is one bug); other families (stack traces) likewise.
pub fn error_signature(body: &[u8], request: &[u8]) -> u64 {
    error_signature_parsed(body, None, request)
}

/// [`error_signature`] for a body the caller already parsed as JSON (`json`: the whole body's
/// value, `None` when it was not parsed or is not JSON), so a response is parsed once per exchange.
pub fn error_signature_parsed(
    body: &[u8],
    json: Option<&serde_json::Value>,
    request: &[u8],
) -> u64 {
    match super::families::classify(body) {
        Some(family) if family.is_database() => fnv1a(b"database-error"),
        Some(family) => fnv1a(family.slug().as_bytes()),
        None => fnv1a(signature_text_parsed(body, json, request).as_bytes()),
    }
}

/// The text an error signature hashes (exposed for tests and for people reading a case).
pub fn signature_text(body: &[u8], request: &[u8]) -> String {
    signature_text_parsed(body, None, request)
}

/// Only the first [`MAX_BODY`] bytes of a body take part, so a parsed value stands for the body
/// only when the body is no longer than that; otherwise (or without one) the cut text is parsed.
fn signature_text_parsed(body: &[u8], json: Option<&serde_json::Value>, request: &[u8]) -> String {
    let cut = &body[..body.len().min(MAX_BODY)];
    let parsed;
    let value = match json {
        Some(value) if body.len() <= MAX_BODY => Some(value),
        _ => {
            parsed = serde_json::from_slice::<serde_json::Value>(cut).ok();
            parsed.as_ref()
        }
    };
    match value {
        Some(value) => {
            let mut out = String::new();
            json_text(value, request, 0, &mut out);
            out
        }
        None => first_words(&normalise(cut, request), TEXT_WORDS),
    }
}

fn json_text(value: &serde_json::Value, request: &[u8], depth: usize, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) if depth < 3 => {
            out.push('{');
            for (k, v) in map {
                out.push_str(k);
                out.push('=');
                json_text(v, request, depth + 1, out);
                out.push(';');
            }
            out.push('}');
        }
        Value::Array(items) if depth < 3 => {
            out.push('[');
            if let Some(first) = items.first() {
                json_text(first, request, depth + 1, out);
            }
            out.push(']');
        }
        Value::String(s) if is_code(s) => out.push_str(&normalise(s.as_bytes(), request)),
        Value::String(s) => out.push_str(&first_words(
            &normalise(s.as_bytes(), request),
            MESSAGE_WORDS,
        )),
        Value::Number(_) => out.push('#'),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
        _ => out.push('…'),
    }
}

/// A machine-readable code rather than a message: short, no spaces.
fn is_code(s: &str) -> bool {
    s.len() <= 40
        && !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c))
}

fn first_words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// FNV-1a, 64 bit.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_ids_and_timestamps_vanish() {
        let a = normalise(
            br#"{"error":"not_found","message":"order 17 not found at 2026-01-02T10:00:00Z"}"#,
            b"",
        );
        let b = normalise(
            br#"{"error":"not_found","message":"order 99 not found at 2025-12-31T23:59:59Z"}"#,
            b"",
        );
        assert_eq!(a, b);
        let c = normalise(b"id 550e8400-e29b-41d4-a716-446655440000 gone", b"");
        let d = normalise(b"id 123e4567-e89b-12d3-a456-426614174000 gone", b"");
        assert_eq!(c, d);
    }

    #[test]
    fn quoted_and_echoed_input_vanishes() {
        let a = normalise(br#"{"message":"near 'xyz': syntax error"}"#, b"");
        let b = normalise(br#"{"message":"near 'abc OR 1=1': syntax error"}"#, b"");
        assert_eq!(a, b);
        let a = normalise(
            br#"{"message":"unknown code HELLO"}"#,
            br#"{"code":"HELLO"}"#,
        );
        let b = normalise(
            br#"{"message":"unknown code WORLD"}"#,
            br#"{"code":"WORLD"}"#,
        );
        assert_eq!(a, b);
        let e = signature_text(br#"{"message":"near \"abc\": syntax error"}"#, b"");
        let f = signature_text(br#"{"message":"near \"d e f\": syntax error"}"#, b"");
        assert_eq!(e, f);
        assert_eq!(
            normalise(b"expected \"x y\" here", b""),
            normalise(b"expected \"z\" here", b"")
        );
    }

    #[test]
    fn json_signatures_keep_codes_and_the_head_of_messages() {
        let a = signature_text(
            br#"{"error":"unknown_campaign","message":"no campaign is called WINTER"}"#,
            b"",
        );
        let b = signature_text(
            br#"{"error":"unknown_campaign","message":"no campaign is called SUMMER, sorry"}"#,
            b"",
        );
        assert_eq!(a, b);
        let c = signature_text(
            br#"{"error":"campaign_expired","message":"no campaign is called WINTER"}"#,
            b"",
        );
        assert_ne!(a, c);
        assert_eq!(
            error_signature(br#"{"message":"database error: no such column: x"}"#, b""),
            error_signature(br#"{"message":"ERROR: syntax error at or near "'""}"#, b""),
            "every leaked database error is one family"
        );
    }

    #[test]
    fn different_messages_differ() {
        let a = error_signature(br#"{"message":"code must start with VIP"}"#, b"{}");
        let b = error_signature(br#"{"message":"quantity out of range"}"#, b"{}");
        assert_ne!(a, b);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn a_parsed_body_signs_like_the_raw_body() {
        let request = br#"{"code":"HELLO"}"#;
        let long = format!(r#"{{"error":"bad","pad":"{}"}}"#, "x".repeat(3000));
        for body in [
            &br#"{"error":"unknown_campaign","message":"no campaign HELLO"}"#[..],
            br#"[{"message":"quantity 7 out of range"}]"#,
            br#""just a string""#,
            long.as_bytes(),
        ] {
            let value: serde_json::Value = serde_json::from_slice(body).unwrap();
            assert_eq!(
                error_signature_parsed(body, Some(&value), request),
                error_signature(body, request),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(
            error_signature_parsed(b"plain text error 42", None, b""),
            error_signature(b"plain text error 42", b"")
        );
    }

    #[test]
    fn total_on_any_bytes() {
        for body in [&b"\xff\xfe'unterminated"[..], b"\\\"", b"", b"'''", b"\\"] {
            let _ = error_signature(body, body);
        }
    }
}
