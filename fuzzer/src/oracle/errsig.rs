//! Error signatures: a response body reduced to what identifies *which* error it is.
//!
//! Numbers, ids, timestamps, quoted text and words the request itself contained (input echoed back)
//! are removed, so "order 17 not found" and "order 99 not found" share a signature while "order not
//! found" and "quantity out of range" do not. The result is hashed with FNV-1a, which is stable
//! across runs and Rust versions (signatures name case folders on disk).

/// How much of a body takes part in its signature.
const MAX_BODY: usize = 2048;
/// Words shorter than this are never treated as echoed input.
const MIN_ECHO: usize = 3;

/// The normalised text of a body (exposed for tests and for people reading a case).
pub fn normalise(body: &[u8], request: &[u8]) -> String {
    let body = &body[..body.len().min(MAX_BODY)];
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '`' => {
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
    } else if word.len() >= MIN_ECHO && contains(request, word.as_bytes()) {
        out.push('~');
    } else {
        out.push_str(&word.to_lowercase());
    }
    word.clear();
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The 64-bit signature of a body given the request that produced it. A body that belongs to a
/// known error family (a leaked SQL error, a stack trace) is signed by its family alone.
pub fn error_signature(body: &[u8], request: &[u8]) -> u64 {
    match super::families::classify(body) {
        Some(family) => fnv1a(family.slug().as_bytes()),
        None => fnv1a(normalise(body, request).as_bytes()),
    }
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
        let e = normalise(br#"{"message":"near \"abc\": syntax error"}"#, b"");
        let f = normalise(br#"{"message":"near \"d e f\": syntax error"}"#, b"");
        assert_eq!(e, f);
    }

    #[test]
    fn different_messages_differ() {
        let a = error_signature(br#"{"message":"code must start with VIP"}"#, b"{}");
        let b = error_signature(br#"{"message":"quantity out of range"}"#, b"{}");
        assert_ne!(a, b);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn total_on_any_bytes() {
        for body in [&b"\xff\xfe'unterminated"[..], b"\\\"", b"", b"'''", b"\\"] {
            let _ = error_signature(body, body);
        }
    }
}
