//! Addressing one string value inside a call (a parameter, or a field of the body), so the
//! injection check can send the same call with only that value changed, and recognise such pairs
//! of calls when it judges a run.

use std::fmt;

use crate::input::{Call, Node};
use crate::spec::ParamLocation;

/// Where a string value sits in a call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LeafPath {
    /// The parameter holding it, or `None` for the body.
    pub param: Option<(String, ParamLocation)>,
    /// JSON pointer of the value inside the parameter value or body (`""`: the whole value).
    pub pointer: String,
}

impl fmt::Display for LeafPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.param {
            Some((name, location)) => {
                let loc = match location {
                    ParamLocation::Path => "path",
                    ParamLocation::Query => "query",
                    ParamLocation::Header => "header",
                    ParamLocation::Cookie => "cookie",
                };
                write!(f, "{loc} parameter {name}{}", self.pointer)
            }
            None => write!(f, "body field {}", self.pointer),
        }
    }
}

impl LeafPath {
    /// The injection point the value reaches on the server, for a finding's signature: a
    /// parameter as a whole (an array of one string and the string itself are the same query
    /// value on the wire), a body field with its array indices as `*`.
    pub fn point(&self) -> String {
        match &self.param {
            Some(_) => LeafPath {
                pointer: String::new(),
                ..self.clone()
            }
            .to_string(),
            None => {
                let tokens: Vec<&str> = self
                    .pointer
                    .split('/')
                    .map(|t| {
                        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                            "*"
                        } else {
                            t
                        }
                    })
                    .collect();
                format!("body field {}", tokens.join("/"))
            }
        }
    }
}

/// Escapes one JSON pointer token (RFC 6901).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every literal string of a value tree, with its pointer (references and raw bytes are skipped).
fn strings_in<'a>(node: &'a Node, pointer: String, out: &mut Vec<(String, &'a str)>) {
    match node {
        Node::String(s) => out.push((pointer, s.as_str())),
        Node::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings_in(item, format!("{pointer}/{i}"), out);
            }
        }
        Node::Object(members) => {
            for (key, value) in members {
                strings_in(value, format!("{pointer}/{}", token(key)), out);
            }
        }
        _ => {}
    }
}

/// Every literal string value of a call, parameters first, then the body.
pub fn string_leaves(call: &Call) -> Vec<(LeafPath, &str)> {
    let mut out = Vec::new();
    for param in &call.params {
        let Some(value) = &param.value else { continue };
        let mut found = Vec::new();
        strings_in(value, String::new(), &mut found);
        out.extend(found.into_iter().map(|(pointer, s)| {
            (
                LeafPath {
                    param: Some((param.name.clone(), param.location)),
                    pointer,
                },
                s,
            )
        }));
    }
    if let Some(body) = &call.body {
        let mut found = Vec::new();
        strings_in(&body.value, String::new(), &mut found);
        out.extend(found.into_iter().map(|(pointer, s)| {
            (
                LeafPath {
                    param: None,
                    pointer,
                },
                s,
            )
        }));
    }
    out
}

/// The node a pointer designates inside a tree.
fn node_at_mut<'a>(node: &'a mut Node, pointer: &str) -> Option<&'a mut Node> {
    if pointer.is_empty() {
        return Some(node);
    }
    let (first, rest) = match pointer[1..].find('/') {
        Some(i) => (&pointer[1..=i], &pointer[i + 1..]),
        None => (&pointer[1..], ""),
    };
    let key = first.replace("~1", "/").replace("~0", "~");
    let child = match node {
        Node::Array(items) => items.get_mut(key.parse::<usize>().ok()?)?,
        Node::Object(members) => members
            .iter_mut()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)?,
        _ => return None,
    };
    node_at_mut(child, rest)
}

/// The tree a leaf path starts in.
fn root_mut<'a>(call: &'a mut Call, leaf: &LeafPath) -> Option<&'a mut Node> {
    match &leaf.param {
        Some((name, location)) => call
            .params
            .iter_mut()
            .find(|p| p.name == *name && p.location == *location)
            .and_then(|p| p.value.as_mut()),
        None => call.body.as_mut().map(|b| &mut b.value),
    }
}

/// The string at `leaf`, when there is one.
pub fn leaf_value<'a>(call: &'a Call, leaf: &LeafPath) -> Option<&'a str> {
    string_leaves(call)
        .into_iter()
        .find(|(path, _)| path == leaf)
        .map(|(_, s)| s)
}

/// A copy of `call` with the string at `leaf` replaced by `value` (`None` when there is no string
/// at `leaf`).
pub fn with_leaf(call: &Call, leaf: &LeafPath, value: &str) -> Option<Call> {
    let mut copy = call.clone();
    let node = node_at_mut(root_mut(&mut copy, leaf)?, &leaf.pointer)?;
    if !matches!(node, Node::String(_)) {
        return None;
    }
    *node = Node::String(value.to_owned());
    Some(copy)
}

/// The one string value in which `b` differs from `a`, when they are otherwise the same call
/// (same operation, identity, parameters and body). Linear in the size of the calls.
pub fn differs_only_at(a: &Call, b: &Call) -> Option<LeafPath> {
    if a.operation != b.operation || a.identity != b.identity || a == b {
        return None;
    }
    let (la, lb) = (string_leaves(a), string_leaves(b));
    if la.len() != lb.len() {
        return None;
    }
    let mut differing = None;
    for ((pa, va), (pb, vb)) in la.iter().zip(&lb) {
        if pa != pb {
            return None;
        }
        if va != vb {
            if differing.is_some() {
                return None;
            }
            differing = Some((pb, *vb));
        }
    }
    let (leaf, value) = differing?;
    (with_leaf(a, leaf, value).as_ref() == Some(b)).then(|| leaf.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Body, ParamValue};
    use crate::spec::OperationId;

    fn call(category: &str, name: &str) -> Call {
        let mut c = Call::new(OperationId("listProducts".into()));
        c.params.push(ParamValue {
            name: "category".into(),
            location: ParamLocation::Query,
            value: Some(Node::string(category)),
        });
        c.body = Some(Body {
            media_type: "application/json".into(),
            value: Node::Object(vec![
                ("a/b".into(), Node::Array(vec![Node::string(name)])),
                ("n".into(), Node::number(3)),
            ]),
        });
        c
    }

    #[test]
    fn leaves_are_found_and_replaced() {
        let c = call("books", "x");
        let leaves = string_leaves(&c);
        assert_eq!(leaves.len(), 2);
        assert_eq!(leaves[0].0.to_string(), "query parameter category");
        assert_eq!(leaves[1].0.pointer, "/a~1b/0");
        let changed = with_leaf(&c, &leaves[1].0, "y").unwrap();
        assert_eq!(changed, call("books", "y"));
        assert_eq!(leaf_value(&changed, &leaves[1].0), Some("y"));
        let query = |pointer: &str| LeafPath {
            param: Some(("category".into(), ParamLocation::Query)),
            pointer: pointer.into(),
        };
        assert_eq!(query("").point(), query("/0").point());
        let body = |pointer: &str| LeafPath {
            param: None,
            pointer: pointer.into(),
        };
        assert_eq!(body("/items/0/name").point(), body("/items/3/name").point());
        assert_ne!(body("/items/0/name").point(), body("/items/0/note").point());
        assert_ne!(query("").point(), body("/category").point());
        let number = LeafPath {
            param: None,
            pointer: "/n".into(),
        };
        assert!(with_leaf(&c, &number, "z").is_none());
    }

    #[test]
    fn pairs_differing_in_one_value_are_recognised() {
        let a = call("books", "x");
        let b = call("books'", "x");
        assert_eq!(
            differs_only_at(&a, &b).map(|l| l.to_string()),
            Some("query parameter category".into())
        );
        assert!(differs_only_at(&a, &a).is_none());
        assert!(differs_only_at(&a, &call("books'", "y")).is_none());
        let mut other = b.clone();
        other.identity = Some("bob".into());
        assert!(differs_only_at(&a, &other).is_none());
    }

    #[test]
    fn large_calls_are_compared_in_linear_time() {
        let many = |last: &str| {
            let mut c = Call::new(OperationId("bulk".into()));
            let mut items: Vec<Node> = (0..50_000).map(|i| Node::string(i.to_string())).collect();
            items.push(Node::string(last));
            c.body = Some(Body {
                media_type: "application/json".into(),
                value: Node::Array(items),
            });
            c
        };
        let leaf = differs_only_at(&many("a"), &many("b")).expect("one difference");
        assert_eq!(leaf.pointer, "/50000");
    }
}
