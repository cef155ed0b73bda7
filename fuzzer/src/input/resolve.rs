//! Reference resolution: replaces every [`Node::Ref`] with the value it reads from an earlier
//! response. Total: anything missing (no such call, no response, not JSON, no such pointer or header)
//! gives a deterministic fallback value.

use super::node::{Node, RefSource, Reference};
use crate::http::HttpResponse;

/// Deepest nesting a resolved response value may have; deeper parts become `null`.
const MAX_DEPTH: usize = 64;

/// A copy of `node` without references, read from `earlier` (indexed by call).
pub fn resolve(node: &Node, earlier: &[Option<HttpResponse>]) -> Node {
    match node {
        Node::Ref(r) => resolve_ref(r, earlier).unwrap_or_else(Node::fallback),
        Node::Array(items) => Node::Array(items.iter().map(|n| resolve(n, earlier)).collect()),
        Node::Object(members) => Node::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), resolve(v, earlier)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The value a reference reads, or `None` when it cannot be read.
pub fn resolve_ref(r: &Reference, earlier: &[Option<HttpResponse>]) -> Option<Node> {
    let response = earlier.get(r.call)?.as_ref()?;
    match &r.source {
        RefSource::Status => Some(Node::number(i64::from(response.status))),
        RefSource::Header { name, last_segment } => {
            let value = response.header(name)?;
            if *last_segment {
                Some(Node::string(last_path_segment(value)))
            } else {
                Some(Node::string(value))
            }
        }
        RefSource::Body(pointer) => {
            let json = response.json()?;
            let found = json.pointer(pointer)?;
            Some(limit_depth(Node::from(found), MAX_DEPTH))
        }
    }
}

/// The text after the last `/` of a URL or path, without query or fragment: `/orders/42?x` → `42`.
pub fn last_path_segment(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let path = url[..end].trim_end_matches('/');
    path.rsplit('/').next().unwrap_or(path)
}

fn limit_depth(node: Node, depth: usize) -> Node {
    match node {
        Node::Array(_) | Node::Object(_) if depth == 0 => Node::Null,
        Node::Array(items) => Node::Array(
            items
                .into_iter()
                .map(|n| limit_depth(n, depth - 1))
                .collect(),
        ),
        Node::Object(members) => Node::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, limit_depth(v, depth - 1)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn response(body: &str, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: 201,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            latency: Duration::ZERO,
        }
    }

    fn r(call: usize, source: RefSource) -> Node {
        Node::Ref(Reference { call, source })
    }

    #[test]
    fn reads_body_header_and_status() {
        let earlier = vec![Some(response(
            r#"{"id": 42, "items": [{"sku": "a"}]}"#,
            &[("Location", "/orders/42?x=1")],
        ))];
        let node = Node::Array(vec![
            r(0, RefSource::Body("/id".into())),
            r(0, RefSource::Body("/items/0/sku".into())),
            r(
                0,
                RefSource::Header {
                    name: "location".into(),
                    last_segment: true,
                },
            ),
            r(0, RefSource::Status),
        ]);
        let expected = Node::Array(vec![
            Node::number(42),
            Node::string("a"),
            Node::string("42"),
            Node::number(201),
        ]);
        assert_eq!(resolve(&node, &earlier), expected);
    }

    #[test]
    fn missing_things_fall_back() {
        let earlier = vec![None, Some(response("not json", &[]))];
        for node in [
            r(0, RefSource::Status),
            r(1, RefSource::Body("/id".into())),
            r(5, RefSource::Status),
            r(
                1,
                RefSource::Header {
                    name: "Location".into(),
                    last_segment: false,
                },
            ),
        ] {
            assert_eq!(resolve(&node, &earlier), Node::fallback());
        }
    }

    #[test]
    fn last_segment_cases() {
        assert_eq!(last_path_segment("http://h/a/b/"), "b");
        assert_eq!(last_path_segment("7"), "7");
        assert_eq!(last_path_segment(""), "");
        assert_eq!(last_path_segment("/x#frag"), "x");
    }
}
