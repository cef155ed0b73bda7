//! [`DepGraph::infer`]: the edges the spec alone shows (links, path structure, names, lists).

use serde_json::Value;

use super::names::{
    collection_of, created_resource, field_resource, is_generic, last_literal_segment,
    param_resource, path_params, schema_resource, singular, squash,
};
use super::{DepGraph, Edge, Slot, Via};
use crate::generate::Generator;
use crate::input::RefSource;
use crate::mutate::producers::{object_properties, pointer};
use crate::spec::{Method, Model, Operation, ParamLocation, StatusKey};

/// What the inference needs to know about one operation's success response.
struct Produced {
    /// Top-level property names of the success body.
    fields: Vec<String>,
    /// The resource the body is named after (`Order` schema → `order`).
    schema_resource: Option<String>,
    /// Pointer to the `id` of the first item of a list body (`/items/0/id`, `/0/id`).
    first_item_id: Option<String>,
}

impl DepGraph {
    /// The edges the spec shows. Deterministic: edges come in operation order.
    pub fn infer(model: &Model, generator: &Generator) -> DepGraph {
        let produced: Vec<Produced> = model
            .operations
            .iter()
            .map(|op| produced(op, generator))
            .collect();
        let mut graph = DepGraph::default();
        for (ci, consumer) in model.operations.iter().enumerate() {
            for param in path_params(&consumer.path) {
                for (pi, producer) in model.operations.iter().enumerate() {
                    if pi == ci {
                        continue;
                    }
                    if let Some(edge) =
                        param_edge((ci, consumer), (pi, producer), param, &produced[pi])
                    {
                        graph.push(edge);
                    }
                }
            }
        }
        let path_edges = graph.edges.clone();
        for (ci, consumer) in model.operations.iter().enumerate() {
            for field in body_id_fields(consumer, generator) {
                let Some(resource) = field_resource(&field) else {
                    continue;
                };
                // Only producers that bring the resource into being (or list it): a review's
                // `product_id` names a product, but making a review needs one first.
                let makes = |e: &Edge| match (&e.via, &e.source) {
                    (Via::Link | Via::Path | Via::List, _) => true,
                    (Via::Name, RefSource::Body(ptr)) => ptr == "/id",
                    (Via::Name, _) => false,
                };
                for edge in path_edges.iter().filter(|e| {
                    e.producer != ci && e.resource.as_deref() == Some(resource.as_str()) && makes(e)
                }) {
                    graph.push(Edge {
                        producer: edge.producer,
                        consumer: ci,
                        slot: Slot::BodyField {
                            name: field.clone(),
                        },
                        source: edge.source.clone(),
                        via: edge.via,
                        resource: Some(resource.clone()),
                    });
                }
            }
        }
        graph
    }
}

/// The edge from `producer` to path parameter `param` of `consumer`, strongest evidence first.
fn param_edge(
    (ci, consumer): (usize, &Operation),
    (pi, producer): (usize, &Operation),
    param: &str,
    out: &Produced,
) -> Option<Edge> {
    let resource = param_resource(consumer, param);
    let edge = |source: RefSource, via: Via| Edge {
        producer: pi,
        consumer: ci,
        slot: Slot::Param {
            name: param.to_owned(),
            location: ParamLocation::Path,
        },
        source,
        via,
        resource: resource.clone(),
    };
    if let Some(source) = link_source(producer, consumer, param) {
        return Some(edge(source, Via::Link));
    }
    let creates = matches!(producer.method, Method::Post | Method::Put);
    let collection = collection_of(&consumer.path, param);
    if creates && collection.is_some_and(|c| c == producer.path.trim_end_matches('/')) {
        let source = if out.fields.iter().any(|f| f == "id") {
            RefSource::Body("/id".to_owned())
        } else if let Some(f) = out.fields.iter().find(|f| squash(f) == squash(param)) {
            RefSource::Body(pointer(f))
        } else {
            RefSource::Header {
                name: "Location".to_owned(),
                last_segment: true,
            }
        };
        return Some(edge(source, Via::Path));
    }
    let resource_ref = resource.as_deref()?;
    // A producer that itself needs the resource cannot bring it into being.
    let consumes_same = path_params(&producer.path)
        .into_iter()
        .any(|p| param_resource(producer, p).as_deref() == Some(resource_ref));
    if consumes_same {
        return None;
    }
    if !is_generic(param)
        && let Some(f) = out.fields.iter().find(|f| squash(f) == squash(param))
    {
        return Some(edge(RefSource::Body(pointer(f)), Via::Name));
    }
    let same_resource = created_resource(producer).as_deref() == Some(resource_ref)
        || out.schema_resource.as_deref() == Some(resource_ref);
    if creates && same_resource && out.fields.iter().any(|f| f == "id") {
        return Some(edge(RefSource::Body("/id".to_owned()), Via::Name));
    }
    let lists = producer.method == Method::Get
        && last_literal_segment(&producer.path).is_some_and(|s| singular(s) == resource_ref);
    match (&out.first_item_id, lists) {
        (Some(ptr), true) => Some(edge(RefSource::Body(ptr.clone()), Via::List)),
        _ => None,
    }
}

/// The source a `links` entry of `producer` gives for `param` of `consumer`.
fn link_source(producer: &Operation, consumer: &Operation, param: &str) -> Option<RefSource> {
    producer
        .responses
        .iter()
        .filter(|(k, _)| is_success(**k))
        .flat_map(|(_, r)| &r.links)
        .filter(|l| l.operation_id.as_ref() == Some(&consumer.id))
        .find_map(|l| {
            l.parameters.iter().find_map(|(name, expr)| {
                let name = name.strip_prefix("path.").unwrap_or(name);
                (name == param).then(|| expression_source(expr)).flatten()
            })
        })
}

/// `$response.body#/id` → the body pointer; `$response.header.Location` → the header (its last
/// path segment for `Location`). Other runtime expressions are not response values.
pub fn expression_source(expr: &str) -> Option<RefSource> {
    let expr = expr.trim().trim_start_matches('{').trim_end_matches('}');
    if let Some(ptr) = expr.strip_prefix("$response.body") {
        let ptr = ptr.strip_prefix('#').unwrap_or(ptr);
        return Some(RefSource::Body(ptr.to_owned()));
    }
    let header = expr.strip_prefix("$response.header.")?;
    Some(RefSource::Header {
        name: header.to_owned(),
        last_segment: header.eq_ignore_ascii_case("location"),
    })
}

fn is_success(key: StatusKey) -> bool {
    match key {
        StatusKey::Code(c) => (200..300).contains(&c),
        StatusKey::Range(r) => r == 2,
        StatusKey::Default => false,
    }
}

/// The operation's first success response and what its body offers.
fn produced(op: &Operation, generator: &Generator) -> Produced {
    let schema = op
        .responses
        .iter()
        .find(|(k, _)| is_success(**k))
        .and_then(|(_, r)| r.content.first())
        .map(|m| &m.schema);
    let Some(schema) = schema else {
        return Produced {
            fields: Vec::new(),
            schema_resource: None,
            first_item_id: None,
        };
    };
    let fields = object_properties(generator, schema)
        .into_iter()
        .map(|(n, _)| n.to_owned())
        .collect();
    Produced {
        fields,
        schema_resource: schema_resource(schema),
        first_item_id: first_item_id(generator, schema),
    }
}

/// `/0/id` for an array of objects with an `id`, `/items/0/id` for an object holding one.
fn first_item_id(generator: &Generator, schema: &Value) -> Option<String> {
    let has_id = |items: &Value| {
        object_properties(generator, items)
            .iter()
            .any(|(n, _)| *n == "id")
    };
    let resolved = generator.resolve(schema);
    if let Some(items) = resolved.get("items") {
        return has_id(items).then(|| "/0/id".to_owned());
    }
    object_properties(generator, schema)
        .into_iter()
        .find_map(|(name, sub)| {
            let sub = generator.resolve(sub);
            let items = sub.get("items")?;
            has_id(items).then(|| format!("{}/0/id", pointer(name)))
        })
}

/// Names of request-body members (at any depth up to 4) that refer to another resource:
/// `product_id`, `ownerId`; never a bare `id`.
fn body_id_fields(op: &Operation, generator: &Generator) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(media) = op.request_body.as_ref().and_then(|b| b.content.first()) {
        collect_id_fields(generator, &media.schema, 0, &mut out);
    }
    out
}

fn collect_id_fields(generator: &Generator, schema: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 4 {
        return;
    }
    let resolved = generator.resolve(schema);
    if let Some(items) = resolved.get("items") {
        collect_id_fields(generator, items, depth + 1, out);
    }
    for (name, sub) in object_properties(generator, schema) {
        if field_resource(name).is_some() && !out.iter().any(|f| f == name) {
            out.push(name.to_owned());
        }
        collect_id_fields(generator, sub, depth + 1, out);
    }
}
