//! Producer inference: which operation creates the resource a path parameter names, and where its
//! response carries the identifier.
//!
//! Deliberately simple (a later issue refines it with OpenAPI links and response shapes):
//! 1. `POST /orders` (or `PUT`) produces for `/orders/{orderId}`: the value is the response's `id`
//!    field, else a field named like the parameter, else the last segment of `Location`.
//! 2. Any other operation whose success response has a top-level field named exactly like the
//!    parameter produces it from that field.
//! 3. A `POST`/`PUT` whose path ends in a segment named like the parameter (`/shop/orders` for
//!    `orderId`) and whose response has an `id` field produces it from `id`.

use serde_json::Value;

use crate::generate::Generator;
use crate::input::RefSource;
use crate::spec::{Method, Model, Operation, StatusKey};

/// One way to obtain a value for a consumer's path parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Producer {
    /// Index of the producing operation in `model.operations`.
    pub op: usize,
    /// The consumer's path parameter this feeds.
    pub param: String,
    /// Where in the producer's response the value is.
    pub source: RefSource,
}

/// Producers per consumer operation (indexed like `model.operations`).
#[derive(Debug, Clone, Default)]
pub struct Producers {
    by_consumer: Vec<Vec<Producer>>,
}

impl Producers {
    pub fn infer(model: &Model, generator: &Generator) -> Producers {
        let fields: Vec<Vec<String>> = model
            .operations
            .iter()
            .map(|op| response_fields(op, generator))
            .collect();
        let by_consumer = model
            .operations
            .iter()
            .enumerate()
            .map(|(ci, consumer)| {
                let mut found = Vec::new();
                for param in path_params(consumer) {
                    for (pi, producer) in model.operations.iter().enumerate() {
                        if pi == ci {
                            continue;
                        }
                        if let Some(source) = source_for(consumer, producer, param, &fields[pi]) {
                            found.push(Producer {
                                op: pi,
                                param: param.to_owned(),
                                source,
                            });
                        }
                    }
                }
                found
            })
            .collect();
        Producers { by_consumer }
    }

    /// Every producer of every path parameter of operation `consumer`.
    pub fn for_consumer(&self, consumer: usize) -> &[Producer] {
        self.by_consumer.get(consumer).map_or(&[], Vec::as_slice)
    }

    /// Producers for one parameter of `consumer`.
    pub fn for_param<'a>(
        &'a self,
        consumer: usize,
        param: &'a str,
    ) -> impl Iterator<Item = &'a Producer> {
        self.for_consumer(consumer)
            .iter()
            .filter(move |p| p.param == param)
    }

    /// `(consumer, producer)` pairs where operation `producer_op` feeds `consumer`.
    pub fn consumers_of(&self, producer_op: usize) -> impl Iterator<Item = (usize, &Producer)> {
        self.by_consumer
            .iter()
            .enumerate()
            .flat_map(move |(ci, ps)| {
                ps.iter()
                    .filter(move |p| p.op == producer_op)
                    .map(move |p| (ci, p))
            })
    }
}

/// Names of the path parameters in the order they appear in the template.
fn path_params(op: &Operation) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

fn source_for(
    consumer: &Operation,
    producer: &Operation,
    param: &str,
    fields: &[String],
) -> Option<RefSource> {
    let marker = format!("/{{{param}}}");
    let collection = consumer.path.find(&marker).map(|at| &consumer.path[..at]);
    let creates = matches!(producer.method, Method::Post | Method::Put);
    if creates && collection.is_some_and(|c| c == producer.path.trim_end_matches('/')) {
        let source = if fields.iter().any(|f| f == "id") {
            RefSource::Body("/id".to_owned())
        } else if fields.iter().any(|f| f == param) {
            RefSource::Body(pointer(param))
        } else {
            RefSource::Header {
                name: "Location".to_owned(),
                last_segment: true,
            }
        };
        return Some(source);
    }
    if fields.iter().any(|f| f == param) {
        return Some(RefSource::Body(pointer(param)));
    }
    let named_alike =
        last_literal_segment(&producer.path).is_some_and(|seg| names_match(seg, param));
    (creates && named_alike && fields.iter().any(|f| f == "id"))
        .then(|| RefSource::Body("/id".to_owned()))
}

/// The last path segment when it is not a `{template}` (a collection), e.g. `orders` for
/// `/shop/orders`, `None` for `/orders/{id}`.
fn last_literal_segment(path: &str) -> Option<&str> {
    path.split('/')
        .rev()
        .find(|s| !s.is_empty())
        .filter(|s| !s.starts_with('{'))
}

/// `orders` names the resource of `orderId`, `order_id`, `order-id` or `order`.
fn names_match(segment: &str, param: &str) -> bool {
    let param = param.to_ascii_lowercase();
    let stem = param
        .strip_suffix("id")
        .map(|s| s.trim_end_matches(['_', '-']))
        .unwrap_or(&param);
    let segment = segment.to_ascii_lowercase();
    !stem.is_empty()
        && [stem.to_owned(), format!("{stem}s"), format!("{stem}es")].contains(&segment)
}

/// A JSON pointer to a top-level field (`~` and `/` escaped).
pub fn pointer(field: &str) -> String {
    format!("/{}", field.replace('~', "~0").replace('/', "~1"))
}

/// Top-level property names of the operation's first success response schema (2xx, lowest code).
pub fn response_fields(op: &Operation, generator: &Generator) -> Vec<String> {
    let success = op.responses.iter().find(|(k, _)| match k {
        StatusKey::Code(c) => (200..300).contains(c),
        StatusKey::Range(r) => *r == 2,
        StatusKey::Default => false,
    });
    let Some((_, response)) = success else {
        return Vec::new();
    };
    let Some(media) = response.content.first() else {
        return Vec::new();
    };
    object_properties(generator, &media.schema)
        .into_iter()
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Declared properties of an object schema, including those of `allOf`/`oneOf`/`anyOf` branches.
pub fn object_properties<'a>(
    generator: &'a Generator,
    schema: &'a Value,
) -> Vec<(&'a str, &'a Value)> {
    let mut out: Vec<(&str, &Value)> = Vec::new();
    collect_properties(generator, schema, &mut out, 0);
    out
}

fn collect_properties<'a>(
    generator: &'a Generator,
    schema: &'a Value,
    out: &mut Vec<(&'a str, &'a Value)>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let schema = generator.resolve(schema);
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, sub) in props {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.as_str(), sub));
            }
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            for branch in branches {
                collect_properties(generator, branch, out, depth + 1);
            }
        }
    }
}

/// Names an object schema requires (its own `required` and those of its `allOf` branches).
pub fn required_properties<'a>(generator: &'a Generator, schema: &'a Value) -> Vec<&'a str> {
    let schema = generator.resolve(schema);
    let mut out: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        for branch in branches {
            let branch = generator.resolve(branch);
            if let Some(Value::Array(r)) = branch.get("required") {
                out.extend(r.iter().filter_map(Value::as_str));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_match_parameters() {
        assert!(names_match("orders", "orderId"));
        assert!(names_match("order", "order_id"));
        assert!(names_match("Boxes", "box-id"));
        assert!(!names_match("orders", "userId"));
        assert!(!names_match("ids", "id"));
        assert_eq!(last_literal_segment("/shop/orders/"), Some("orders"));
        assert_eq!(last_literal_segment("/shop/orders/{x}"), None);
        assert_eq!(last_literal_segment("/{x}"), None);
    }
}
