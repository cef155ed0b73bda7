//! Producers of path parameters, as sequence generation and the sequence mutators ask for them:
//! a view of the [dependency graph](crate::deps) (links, path structure, names, lists) plus what
//! the campaign has learnt at run time (which producers succeed, observed edges, live values).
//! The schema helpers at the end are shared by the structure mutators.

use rand::Rng;
use serde_json::Value;

use crate::deps::live::lock;
use crate::deps::names::param_resource;
use crate::deps::{DepGraph, LiveState, SharedLive, Slot, Via};
use crate::generate::Generator;
use crate::input::{Node, RefSource};
use crate::spec::{Model, Operation, ParamLocation, StatusKey};

/// One way to obtain a value for a consumer's path parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Producer {
    /// Index of the producing operation in `model.operations`.
    pub op: usize,
    /// The consumer's path parameter this feeds.
    pub param: String,
    /// Where in the producer's response the value is.
    pub source: RefSource,
    /// Why the producer was chosen (links and path structure are the strongest evidence).
    pub via: Via,
}

/// Producers per consumer operation (indexed like `model.operations`), the graph they come from
/// and the live state shared with the campaign.
#[derive(Debug, Clone, Default)]
pub struct Producers {
    by_consumer: Vec<Vec<Producer>>,
    /// True for each operation that is a `GET`.
    methods: Vec<bool>,
    graph: DepGraph,
    live: SharedLive,
}

impl Producers {
    pub fn infer(model: &Model, generator: &Generator) -> Producers {
        let graph = DepGraph::infer(model, generator);
        let mut by_consumer = vec![Vec::new(); model.operations.len()];
        for edge in graph.edges() {
            if let Slot::Param {
                name,
                location: ParamLocation::Path,
            } = &edge.slot
            {
                by_consumer[edge.consumer].push(Producer {
                    op: edge.producer,
                    param: name.clone(),
                    source: edge.source.clone(),
                    via: edge.via,
                });
            }
        }
        Producers {
            by_consumer,
            methods: model
                .operations
                .iter()
                .map(|o| o.method == crate::spec::Method::Get)
                .collect(),
            graph,
            live: LiveState::shared(),
        }
    }

    /// The whole dependency graph (body-field edges included).
    pub fn graph(&self) -> &DepGraph {
        &self.graph
    }

    /// The run-time state the campaign feeds (see [`crate::deps::live`]).
    pub fn live(&self) -> &SharedLive {
        &self.live
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

    /// A producer for `param` of `consumer`, preferring valid ones: producers that have answered
    /// 2xx in this campaign (when any has), and stronger evidence (links, path structure) over
    /// names and lists. Edges observed at run time join the candidates.
    pub fn choose<R: Rng + ?Sized>(
        &self,
        consumer: usize,
        param: &str,
        rng: &mut R,
    ) -> Option<Producer> {
        let live = lock(&self.live);
        let mut candidates: Vec<Producer> = self.for_param(consumer, param).cloned().collect();
        for seen in live
            .observed()
            .filter(|o| o.consumer == consumer && o.param == param)
        {
            let source = RefSource::Body(seen.pointer.clone());
            if !candidates
                .iter()
                .any(|c| c.op == seen.producer && c.source == source)
            {
                candidates.push(Producer {
                    op: seen.producer,
                    param: param.to_owned(),
                    source,
                    via: Via::List,
                });
            }
        }
        // A list's first item serves reads; a delete or an update gets a resource of its own
        // when something creates one (deleting the same listed item again only gives 404s).
        // Likewise a foreign key another resource carries (a review's `product_id`) needs that
        // resource first: only creates feed a delete or an update when there are any.
        let reads = model_method_is_get(&self.methods, consumer);
        let makes = |c: &Producer| match c.via {
            Via::Link | Via::Path => true,
            Via::Name => c.source == RefSource::Body("/id".to_owned()),
            Via::List => false,
        };
        if !reads && candidates.iter().any(makes) {
            candidates.retain(makes);
        }
        if candidates.iter().any(|c| live.succeeded(c.op)) && rng.random_bool(0.85) {
            candidates.retain(|c| live.succeeded(c.op));
        }
        let weight = |p: &Producer| match p.via {
            Via::Link | Via::Path => 4,
            Via::Name => 2,
            Via::List => 1,
        };
        let total: u32 = candidates.iter().map(weight).sum();
        if total == 0 {
            return None;
        }
        let mut pick = rng.random_range(0..total);
        candidates.into_iter().find(|c| {
            let w = weight(c);
            if pick < w {
                true
            } else {
                pick -= w;
                false
            }
        })
    }

    /// The identity a new call of `consumer` should run as (see [`LiveState::identity_for`]).
    pub fn identity_for<R: Rng + ?Sized>(&self, consumer: usize, rng: &mut R) -> Option<String> {
        lock(&self.live).identity_for(consumer, rng)
    }

    /// A live value (seen in a response of this campaign, not deleted since) of the resource
    /// `param` of `consumer` identifies.
    pub fn live_value<R: Rng + ?Sized>(
        &self,
        model: &Model,
        consumer: usize,
        param: &str,
        rng: &mut R,
    ) -> Option<Node> {
        let resource = param_resource(model.operations.get(consumer)?, param)?;
        let live = lock(&self.live);
        let values = live.values(&resource);
        (!values.is_empty()).then(|| values[rng.random_range(0..values.len())].clone())
    }
}

fn model_method_is_get(methods: &[bool], op: usize) -> bool {
    methods.get(op).copied().unwrap_or(false)
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
