//! The value tree stored in a [`RequestSeq`](super::RequestSeq): JSON-like values plus references to
//! earlier responses and raw bytes.
//!
//! `serde_json::Value` cannot travel through postcard (LibAFL's corpus and multi-core format), so inputs
//! keep their values in [`Node`]. Numbers keep their exact text, so huge or unusual numbers survive and
//! the tree is `Hash + Eq`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A value inside a call: a parameter value or a body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Node {
    Null,
    Bool(bool),
    /// The exact number text, e.g. `12`, `-0.5`, `1e400`, `123456789012345678901234567890`.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Object members in order (duplicates allowed: a mutator may send them on purpose).
    Object(Vec<(String, Node)>),
    /// A value taken from an earlier call's response when the sequence runs.
    Ref(Reference),
    /// Bytes sent as they are: in a body, malformed JSON, a file upload or a wrong content type; in
    /// a path or query parameter, a pre-encoded payload such as `..%2f` (only bytes that would break
    /// the request line are escaped). Stored as base64 text in human-readable formats (case
    /// files), as bytes in postcard.
    Raw(#[serde(with = "raw_bytes")] Vec<u8>),
}

/// Serde for raw bytes: base64 text where a person may read it, plain bytes elsewhere.
mod raw_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&STANDARD.encode(bytes))
        } else {
            s.serialize_bytes(bytes)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            STANDARD.decode(text).map_err(serde::de::Error::custom)
        } else {
            Vec::<u8>::deserialize(d)
        }
    }
}

/// A pointer to part of an earlier call's response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    /// Index of an earlier call in the same sequence.
    pub call: usize,
    pub source: RefSource,
}

/// Which part of the response a [`Reference`] reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefSource {
    /// A JSON pointer into the response body (`""` is the whole body).
    Body(String),
    /// A response header. With `last_segment`, only the text after the last `/` (for `Location:
    /// /orders/42` that is `42`), without any query string.
    Header { name: String, last_segment: bool },
    /// The response status code, as a number.
    Status,
}

impl Node {
    /// The literal put in place of a reference that cannot be kept (its call was removed).
    pub fn fallback() -> Node {
        Node::Number("1".to_owned())
    }

    pub fn number(n: i64) -> Node {
        Node::Number(n.to_string())
    }

    pub fn string(s: impl Into<String>) -> Node {
        Node::String(s.into())
    }

    /// True for values without children (everything but arrays and objects).
    pub fn is_leaf(&self) -> bool {
        !matches!(self, Node::Array(_) | Node::Object(_))
    }

    /// Every reference in this tree, depth first.
    pub fn refs(&self) -> Vec<&Reference> {
        let mut out = Vec::new();
        self.visit(&mut |n| {
            if let Node::Ref(r) = n {
                out.push(r);
            }
        });
        out
    }

    fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match self {
            Node::Array(items) => items.iter().for_each(|n| n.visit(f)),
            Node::Object(members) => members.iter().for_each(|(_, n)| n.visit(f)),
            _ => {}
        }
    }

    /// Applies `f` to every node of the tree, parents before children.
    pub fn visit_mut(&mut self, f: &mut impl FnMut(&mut Node)) {
        f(self);
        match self {
            Node::Array(items) => items.iter_mut().for_each(|n| n.visit_mut(f)),
            Node::Object(members) => members.iter_mut().for_each(|(_, n)| n.visit_mut(f)),
            _ => {}
        }
    }

    /// Number of nodes in the tree (a size measure for limits).
    pub fn size(&self) -> usize {
        let mut n = 0;
        self.visit(&mut |_| n += 1);
        n
    }

    /// Converts to JSON. References become `null` (resolve them first to get their value); raw
    /// bytes become a string (lossy UTF-8); a number whose text is not a JSON number becomes a string.
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null | Node::Ref(_) => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(text) => match serde_json::from_str::<serde_json::Number>(text) {
                Ok(n) if is_json_number(text) => Value::Number(n),
                _ => Value::String(text.clone()),
            },
            Node::String(s) => Value::String(s.clone()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
            Node::Raw(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

/// Values nested deeper than this become [`Node::Raw`] JSON text: deep trees (an attack payload
/// nesting thousands of levels) would make every recursive walk over the input — mutators,
/// serialisation, case files — a stack-overflow risk in Shrike itself, and `case.json` must stay
/// within serde_json's default nesting limit (each node level is two JSON levels).
pub const MAX_TREE_DEPTH: usize = 32;

/// The nesting depth of a JSON value, computed without recursion.
pub fn json_depth(value: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(map) => stack.extend(map.values().map(|i| (i, d + 1))),
            _ => {}
        }
    }
    max
}

impl From<&Value> for Node {
    fn from(value: &Value) -> Node {
        if json_depth(value) > MAX_TREE_DEPTH {
            return Node::Raw(serde_json::to_vec(value).unwrap_or_default());
        }
        Node::from_shallow(value)
    }
}

impl Node {
    /// Converts a value known to be at most [`MAX_TREE_DEPTH`] deep.
    fn from_shallow(value: &Value) -> Node {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.to_string()),
            Value::String(s) => Node::String(s.clone()),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_shallow).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from_shallow(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for Node {
    fn from(value: Value) -> Node {
        Node::from(&value)
    }
}

/// True when `text` follows the JSON number grammar (`-? int frac? exp?`), whatever its magnitude.
pub fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(c) if c.is_ascii_digit() => i = skip_digits(b, i),
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        let end = skip_digits(b, i + 1);
        if end == i + 1 {
            return false;
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = skip_digits(b, i);
        if end == i {
            return false;
        }
        i = end;
    }
    i == b.len()
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_values_become_raw_json_text() {
        let mut deep = Value::from(0);
        for _ in 0..5_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(json_depth(&deep), 5_001);
        let Node::Raw(bytes) = Node::from(&deep) else {
            panic!("expected raw")
        };
        assert!(bytes.starts_with(b"[[[[") && bytes.ends_with(b"]]]]"));
        assert_eq!(bytes[5_000], b'0');
        assert_eq!(bytes.len(), 10_001);
        let shallow = serde_json::json!({"a": [1, {"b": null}]});
        assert_eq!(Node::from(&shallow).to_value(), shallow);
    }
    use serde_json::json;

    #[test]
    fn json_number_grammar() {
        for ok in [
            "0",
            "-0",
            "12",
            "-1.5",
            "1e9",
            "1E+400",
            "123456789012345678901234567890",
        ] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "NaN", "1 ", "+1", "0x10"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn value_round_trip_keeps_order_and_numbers() {
        let v = json!({"b": [1, 2.5, null, true], "a": {"x": "y"}});
        let node = Node::from(&v);
        assert_eq!(node.to_value(), v);
        let Node::Object(members) = &node else {
            panic!("object expected")
        };
        assert_eq!(members[0].0, "b");
    }

    #[test]
    fn odd_number_text_becomes_string() {
        assert_eq!(Node::Number("abc".into()).to_value(), json!("abc"));
        assert_eq!(Node::Number("7".into()).to_value(), json!(7));
    }

    #[test]
    fn refs_are_collected_depth_first() {
        let r = |call| {
            Node::Ref(Reference {
                call,
                source: RefSource::Status,
            })
        };
        let node = Node::Object(vec![
            ("a".into(), r(0)),
            ("b".into(), Node::Array(vec![r(2)])),
        ]);
        let calls: Vec<usize> = node.refs().iter().map(|r| r.call).collect();
        assert_eq!(calls, vec![0, 2]);
        assert_eq!(node.size(), 4);
    }
}
