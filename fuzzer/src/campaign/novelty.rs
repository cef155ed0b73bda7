//! Black-box novelty keys: what about an exchange counts as "new behaviour" for the corpus.
//!
//! Each exchange contributes a few keys, hashed into a small byte map that LibAFL's map feedback
//! watches: (operation, status, error signature), (operation, latency bucket), (operation, response
//! shape) and (producer operation and status class, this operation and status class) for a call
//! that uses an earlier call's output — the last one rewards sequences that reach new states (a
//! read after a delete, an update after a create) without rewarding every unrelated pair of calls.

use crate::oracle::errsig::fnv1a;

/// Map size: a few thousand keys are plenty for black-box signals, and a small map is cheap to reset
/// and compare on every execution.
pub const MAP_SIZE: usize = 1 << 14;

/// The facts about one exchange that novelty is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExchangeFacts {
    pub op: usize,
    /// 0 when there was no response.
    pub status: u16,
    pub error_sig: u64,
    pub latency_us: u64,
    pub shape: u64,
    /// The facts of the earlier exchange whose response this call's request referenced
    /// (producer → consumer), as (operation, status).
    pub producer: Option<(usize, u16)>,
}

/// The map indices one exchange sets.
pub fn keys(facts: &ExchangeFacts) -> [usize; 4] {
    let op = facts.op as u64;
    let status = u64::from(facts.status);
    let prev = facts
        .producer
        .map_or(u64::MAX, |(p, s)| (p as u64) << 8 | u64::from(s / 100));
    [
        slot(&[1, op, status, facts.error_sig]),
        slot(&[2, op, latency_bucket(facts.latency_us)]),
        slot(&[3, op, status, facts.shape]),
        slot(&[4, prev, op, status / 100]),
    ]
}

/// Log-2 buckets of milliseconds, with everything under 16 ms in bucket 0: jitter on a fast
/// target must not make inputs "new" (that would make the corpus depend on machine load), while a
/// path that is slow by tens of milliseconds or more does.
pub fn latency_bucket(latency_us: u64) -> u64 {
    let ms = latency_us / 1000;
    if ms < 16 {
        0
    } else {
        60 - u64::from(ms.leading_zeros())
    }
}

fn slot(parts: &[u64]) -> usize {
    let mut bytes = [0u8; 32];
    for (chunk, part) in bytes.chunks_mut(8).zip(parts) {
        chunk.copy_from_slice(&part.to_le_bytes());
    }
    (fnv1a(&bytes[..parts.len() * 8]) as usize) % MAP_SIZE
}

/// A hash of a JSON body's shape: object keys and value types, arrays reduced to their first
/// element. Bodies that are not JSON hash their length class instead.
pub fn shape_hash(body: &[u8]) -> u64 {
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    shape_hash_parsed(body, json.as_ref())
}

/// [`shape_hash`] of a body the caller already parsed (`json`: `None` when it is not JSON).
pub fn shape_hash_parsed(body: &[u8], json: Option<&serde_json::Value>) -> u64 {
    match json {
        Some(value) => {
            let mut text = String::with_capacity(64);
            shape(value, &mut text, 0);
            fnv1a(text.as_bytes())
        }
        None => u64::from(body.is_empty()),
    }
}

fn shape(value: &serde_json::Value, out: &mut String, depth: usize) {
    use serde_json::Value;
    // Two levels: the keys and value types of the body (or of its list items) and of the
    // objects directly inside; deeper levels are often free-form data (metadata maps) whose
    // every variant would look like a new shape.
    if depth > 1 {
        out.push('…');
        return;
    }
    match value {
        Value::Null => out.push('n'),
        Value::Bool(_) => out.push('b'),
        Value::Number(_) => out.push('#'),
        Value::String(_) => out.push('s'),
        Value::Array(items) => {
            out.push('[');
            if let Some(first) = items.first() {
                shape(first, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let mut keys: Vec<_> = map.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(b.0));
            for (k, v) in keys {
                out.push_str(k);
                out.push(':');
                shape(v, out, depth + 1);
                out.push(',');
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(op: usize, status: u16) -> ExchangeFacts {
        ExchangeFacts {
            op,
            status,
            error_sig: 7,
            latency_us: 300,
            shape: 1,
            producer: None,
        }
    }

    #[test]
    fn shapes_ignore_values_and_key_order() {
        assert_eq!(
            shape_hash(br#"{"id":1,"name":"a"}"#),
            shape_hash(br#"{"name":"zz","id":99}"#)
        );
        assert_ne!(shape_hash(br#"{"id":1}"#), shape_hash(br#"{"id":"1"}"#));
        assert_eq!(shape_hash(b"[1,2,3]"), shape_hash(b"[4]"));
        assert_ne!(shape_hash(b"not json"), shape_hash(b""));
        let body = br#"{"items":[{"id":1}],"next":null}"#;
        let value = serde_json::from_slice(body).unwrap();
        assert_eq!(shape_hash_parsed(body, Some(&value)), shape_hash(body));
        assert_eq!(shape_hash_parsed(b"", None), shape_hash(b""));
    }

    #[test]
    fn latency_buckets_are_logarithmic() {
        assert_eq!(latency_bucket(999), 0);
        assert_eq!(latency_bucket(15_999), 0);
        assert_eq!(latency_bucket(16_000), 1);
        assert_eq!(latency_bucket(40_000), 2);
        assert_eq!(latency_bucket(1_000_000), 6);
    }

    #[test]
    fn keys_depend_on_status_and_context() {
        let a = keys(&facts(0, 200));
        let b = keys(&facts(0, 404));
        assert_ne!(a[0], b[0]);
        assert_eq!(a[1], b[1], "same latency bucket");
        let after_delete = keys(&ExchangeFacts {
            producer: Some((3, 204)),
            ..facts(0, 404)
        });
        assert_ne!(after_delete[3], b[3]);
        assert!(a.iter().all(|&k| k < MAP_SIZE));
    }
}
