//! Request body encoding: JSON, `application/x-www-form-urlencoded`, `multipart/form-data`,
//! plain text and raw bytes, chosen by the body's media type.

use super::encode::{component, json_bytes, scalar_text};
use super::node::Node;

/// The multipart boundary; a numeric suffix is added if a part happens to contain it.
const BOUNDARY: &str = "shrike-boundary-5f3a9c";

/// An encoded body: the `Content-Type` header value and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedBody {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Encodes a resolved (reference-free) value as the given media type.
pub fn encode(media_type: &str, value: &Node) -> EncodedBody {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if let Node::Raw(bytes) = value {
        return EncodedBody {
            content_type: media_type.to_owned(),
            bytes: bytes.clone(),
        };
    }
    let bytes = if essence == "application/x-www-form-urlencoded" {
        form_urlencoded(value).into_bytes()
    } else if essence == "multipart/form-data" {
        let (boundary, bytes) = multipart(value);
        return EncodedBody {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            bytes,
        };
    } else if essence.ends_with("json") || essence.ends_with("+json") {
        json_bytes(value)
    } else {
        match value {
            Node::String(s) => s.clone().into_bytes(),
            other => json_bytes(other),
        }
    };
    EncodedBody {
        content_type: media_type.to_owned(),
        bytes,
    }
}

/// `a=1&b=x%20y`; arrays repeat the key, nested objects are sent as JSON text. A non-object value
/// becomes the whole body text, encoded.
fn form_urlencoded(value: &Node) -> String {
    match value {
        Node::Object(members) => {
            let mut pairs = Vec::new();
            for (key, v) in members {
                match v {
                    Node::Array(items) => {
                        for item in items {
                            pairs.push(format!(
                                "{}={}",
                                component(key),
                                component(&scalar_text(item))
                            ));
                        }
                    }
                    other => pairs.push(format!(
                        "{}={}",
                        component(key),
                        component(&scalar_text(other))
                    )),
                }
            }
            pairs.join("&")
        }
        other => component(&scalar_text(other)),
    }
}

/// One part per object member (arrays: one part per item). Raw values become file parts.
fn multipart(value: &Node) -> (String, Vec<u8>) {
    let parts: Vec<(String, &Node)> = match value {
        Node::Object(members) => members
            .iter()
            .flat_map(|(k, v)| match v {
                Node::Array(items) => items.iter().map(|i| (k.clone(), i)).collect::<Vec<_>>(),
                other => vec![(k.clone(), other)],
            })
            .collect(),
        other => vec![("value".to_owned(), other)],
    };
    let encoded: Vec<(String, Option<&'static str>, Vec<u8>)> = parts
        .into_iter()
        .map(|(name, node)| match node {
            Node::Raw(bytes) => (name, Some("application/octet-stream"), bytes.clone()),
            Node::Array(_) | Node::Object(_) => (name, Some("application/json"), json_bytes(node)),
            other => (name, None, scalar_text(other).into_bytes()),
        })
        .collect();
    let boundary = pick_boundary(&encoded);
    let mut out = Vec::new();
    for (name, content_type, bytes) in &encoded {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let name = quoted(name);
        match content_type {
            Some(ct @ "application/octet-stream") => out.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{name}.bin\"\r\nContent-Type: {ct}\r\n"
                )
                .as_bytes(),
            ),
            Some(ct) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {ct}\r\n")
                    .as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
            ),
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (boundary, out)
}

fn pick_boundary(parts: &[(String, Option<&'static str>, Vec<u8>)]) -> String {
    let clashes = |b: &str| {
        parts
            .iter()
            .any(|(_, _, bytes)| bytes.windows(b.len()).any(|w| w == b.as_bytes()))
    };
    let mut boundary = BOUNDARY.to_owned();
    let mut n = 0u32;
    while clashes(&boundary) && n < 1000 {
        n += 1;
        boundary = format!("{BOUNDARY}-{n}");
    }
    boundary
}

/// A part name inside `name="…"`: quotes, backslashes and control characters are escaped.
fn quoted(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '"' => "%22".to_owned(),
            '\\' => "%5C".to_owned(),
            c if c.is_control() => format!("%{:02X}", c as u32 & 0xff),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(v: serde_json::Value) -> Node {
        Node::from(&v)
    }

    #[test]
    fn json_body() {
        let b = encode("application/json", &node(json!({"a": 1})));
        assert_eq!(b.bytes, br#"{"a":1}"#);
        assert_eq!(b.content_type, "application/json");
    }

    #[test]
    fn form_body() {
        let b = encode(
            "application/x-www-form-urlencoded",
            &node(json!({"user": "a b", "tags": ["x", "y"], "n": {"k": 1}})),
        );
        assert_eq!(
            String::from_utf8(b.bytes).expect("utf8"),
            "user=a%20b&tags=x&tags=y&n=%7B%22k%22%3A1%7D"
        );
    }

    #[test]
    fn multipart_body_has_boundary_and_parts() {
        let value = Node::Object(vec![
            ("title".into(), Node::string("hi")),
            ("file".into(), Node::Raw(vec![0, 1, 2])),
        ]);
        let b = encode("multipart/form-data", &value);
        assert_eq!(
            b.content_type,
            format!("multipart/form-data; boundary={BOUNDARY}")
        );
        let text = String::from_utf8_lossy(&b.bytes).into_owned();
        assert!(text.starts_with(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n"
        )));
        assert!(text.contains("filename=\"file.bin\""));
        assert!(text.ends_with(&format!("--{BOUNDARY}--\r\n")));
    }

    #[test]
    fn multipart_boundary_avoids_content() {
        let value = Node::Object(vec![("a".into(), Node::string(BOUNDARY))]);
        let b = encode("multipart/form-data", &value);
        assert!(b.content_type.ends_with(&format!("{BOUNDARY}-1")));
    }

    #[test]
    fn text_and_raw() {
        assert_eq!(
            encode("text/plain", &Node::string("hé")).bytes,
            "hé".as_bytes()
        );
        let raw = encode("application/json", &Node::Raw(b"{bad".to_vec()));
        assert_eq!(raw.bytes, b"{bad");
    }
}
