//! Dependency inference: which response fields of one operation can feed which parameters and
//! body fields of another — computed once from the spec ([`DepGraph::infer`]) and refined at run
//! time from the values the target actually returns and accepts ([`live`]).
//!
//! Edges come from, strongest first: OpenAPI `links`; path structure (`POST /orders` creates what
//! `GET /orders/{orderId}` reads); names and resources (`user_id` in a login response feeds
//! `{userId}`; a create or a list of the same resource feeds `{id}` in `/orders/{id}`); and
//! observation (a value one response returned was accepted by another call). A bare `id` is
//! never matched by name alone: it only connects operations of the same resource.
//!
//! Sequence generation and the sequence mutators read the graph through
//! [`Producers`](crate::mutate::producers::Producers); the lifecycle checks use it to find the
//! read that goes with a create.

pub mod diagnose;
mod infer;
pub mod live;
pub mod names;

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

use crate::input::RefSource;
use crate::spec::ParamLocation;

pub use live::{LiveState, SharedLive};

/// Where in the consumer's request a produced value goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    Param {
        name: String,
        location: ParamLocation,
    },
    /// A member of the request body with this name, at any depth (`items[].product_id`).
    BodyField { name: String },
}

/// Why an edge exists; lower is stronger evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// An OpenAPI `links` entry says so.
    Link,
    /// The consumer's path is the producer's collection path plus `/{param}`.
    Path,
    /// Names and resources agree (`user_id` ↔ `{userId}`; `POST /shop/orders` ↔ `{orderId}`).
    Name,
    /// A list of the resource (`GET /orders` → its first item's `id`).
    List,
}

/// One producer → consumer dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Index of the producing operation in `model.operations`.
    pub producer: usize,
    /// Index of the consuming operation.
    pub consumer: usize,
    pub slot: Slot,
    /// Where in the producer's response the value is.
    pub source: RefSource,
    pub via: Via,
    /// The resource the value identifies (`order`), when known.
    pub resource: Option<String>,
}

/// Every inferred dependency of a spec.
#[derive(Debug, Clone, Default)]
pub struct DepGraph {
    edges: Vec<Edge>,
}

impl DepGraph {
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Edges into operation `consumer`.
    pub fn into_op(&self, consumer: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.consumer == consumer)
    }

    /// Edges out of operation `producer`.
    pub fn out_of(&self, producer: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.producer == producer)
    }

    /// True when some edge feeds `slot` of `consumer` from `producer`.
    pub fn has_edge(&self, producer: usize, consumer: usize, slot: &Slot) -> bool {
        self.edges
            .iter()
            .any(|e| e.producer == producer && e.consumer == consumer && &e.slot == slot)
    }

    fn push(&mut self, edge: Edge) {
        let duplicate = self.edges.iter().any(|e| {
            e.producer == edge.producer && e.consumer == edge.consumer && e.slot == edge.slot
        });
        if !duplicate {
            self.edges.push(edge);
        }
    }
}
