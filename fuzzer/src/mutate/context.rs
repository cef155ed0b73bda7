//! [`SeqContext`]: what sequence generation and every mutator share — the model, the value
//! generator and the inferred producer → consumer relations.

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::Rng;
use serde_json::Value;

use super::producers::Producers;
use crate::generate::{Generator, Mode};
use crate::input::Node;
use crate::spec::{Model, Operation, OperationId};

/// Shared, read-only context of sequence generation and mutation.
#[derive(Debug, Clone)]
pub struct SeqContext {
    pub model: Arc<Model>,
    pub generator: Generator,
    pub producers: Producers,
    index: BTreeMap<OperationId, usize>,
}

impl SeqContext {
    /// A context with a generator built from the model's `defs`.
    pub fn new(model: Arc<Model>) -> SeqContext {
        let generator = Generator::new(model.defs.clone());
        SeqContext::with_generator(model, generator)
    }

    /// A context around an existing generator (e.g. one with a user dictionary).
    pub fn with_generator(model: Arc<Model>, generator: Generator) -> SeqContext {
        let producers = Producers::infer(&model, &generator);
        let index = model
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| (op.id.clone(), i))
            .collect();
        SeqContext {
            model,
            generator,
            producers,
            index,
        }
    }

    /// The index of an operation in `model.operations`.
    pub fn op_index(&self, id: &OperationId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The operation with this id.
    pub fn operation(&self, id: &OperationId) -> Option<&Operation> {
        self.op_index(id).map(|i| &self.model.operations[i])
    }

    /// A value for `schema` in `mode`, as a [`Node`].
    pub fn value<R: Rng + ?Sized>(&self, schema: &Value, mode: Mode, rng: &mut R) -> Node {
        Node::from(self.generator.generate(schema, mode, rng))
    }
}
