//! [`RequestSeq`], the fuzzing input: an ordered list of calls whose values may refer to earlier
//! responses, plus the invariant every mutator keeps (references point to an earlier call).

use libafl::inputs::Input;
use serde::{Deserialize, Serialize};

use super::node::{Node, Reference};
use crate::spec::{OperationId, ParamLocation};

/// The longest sequence mutators and the generator build.
pub const MAX_CALLS: usize = 8;

/// One parameter of a call. `value: None` means the parameter is left out of the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ParamValue {
    pub name: String,
    pub location: ParamLocation,
    pub value: Option<Node>,
}

/// A request body and the media type it is sent as.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Body {
    pub media_type: String,
    pub value: Node,
}

/// One HTTP call of a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Call {
    pub operation: OperationId,
    /// The identity the call runs as; `None` is the configured default identity.
    pub identity: Option<String>,
    pub params: Vec<ParamValue>,
    pub body: Option<Body>,
}

impl Call {
    pub fn new(operation: OperationId) -> Call {
        Call {
            operation,
            identity: None,
            params: Vec::new(),
            body: None,
        }
    }

    /// The value of a parameter, when set.
    pub fn param(&self, name: &str, location: ParamLocation) -> Option<&Node> {
        self.params
            .iter()
            .find(|p| p.name == name && p.location == location)
            .and_then(|p| p.value.as_ref())
    }

    /// Every value tree of the call: parameter values, then the body.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.params
            .iter()
            .filter_map(|p| p.value.as_ref())
            .chain(self.body.iter().map(|b| &b.value))
    }

    /// Every value tree of the call, mutably.
    pub fn nodes_mut(&mut self) -> impl Iterator<Item = &mut Node> {
        self.params
            .iter_mut()
            .filter_map(|p| p.value.as_mut())
            .chain(self.body.iter_mut().map(|b| &mut b.value))
    }

    /// Rewrites every reference of the call: `f` maps a referenced call index to its new index,
    /// or to `None` when the reference must become the literal [`Node::fallback`].
    pub fn remap_refs(&mut self, f: &impl Fn(usize) -> Option<usize>) {
        for node in self.nodes_mut() {
            node.visit_mut(&mut |n| {
                if let Node::Ref(r) = n {
                    match f(r.call) {
                        Some(call) => r.call = call,
                        None => *n = Node::fallback(),
                    }
                }
            });
        }
    }

    fn refs(&self) -> Vec<&Reference> {
        self.nodes().flat_map(Node::refs).collect()
    }
}

/// The fuzzing input: calls run in order against the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct RequestSeq {
    pub calls: Vec<Call>,
}

impl Input for RequestSeq {}

impl RequestSeq {
    pub fn new(calls: Vec<Call>) -> RequestSeq {
        RequestSeq { calls }
    }

    /// True when every reference points to an earlier call of this sequence.
    pub fn references_valid(&self) -> bool {
        self.calls
            .iter()
            .enumerate()
            .all(|(i, call)| call.refs().iter().all(|r| r.call < i))
    }

    /// Replaces every reference that does not point to an earlier call with a literal.
    /// Returns how many references were replaced.
    pub fn repair(&mut self) -> usize {
        let mut fixed = 0;
        for (i, call) in self.calls.iter_mut().enumerate() {
            for node in call.nodes_mut() {
                node.visit_mut(&mut |n| {
                    if matches!(n, Node::Ref(r) if r.call >= i) {
                        *n = Node::fallback();
                        fixed += 1;
                    }
                });
            }
        }
        fixed
    }

    /// Removes call `index`: references to it become literals, later references shift down.
    pub fn remove_call(&mut self, index: usize) -> Option<Call> {
        if index >= self.calls.len() {
            return None;
        }
        let removed = self.calls.remove(index);
        for call in &mut self.calls[index..] {
            call.remap_refs(&|c| match c.cmp(&index) {
                std::cmp::Ordering::Less => Some(c),
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some(c - 1),
            });
        }
        Some(removed)
    }

    /// Inserts `call` at `index` (clamped to the length). References of the inserted call are
    /// taken as they are and repaired if they do not point before `index`; later references shift.
    pub fn insert_call(&mut self, index: usize, call: Call) {
        let index = index.min(self.calls.len());
        for later in &mut self.calls[index..] {
            later.remap_refs(&|c| Some(if c >= index { c + 1 } else { c }));
        }
        self.calls.insert(index, call);
        self.repair();
    }

    /// Swaps calls `a` and `b`, renumbering references; references that would point forward after
    /// the swap become literals.
    pub fn swap_calls(&mut self, a: usize, b: usize) -> bool {
        if a >= self.calls.len() || b >= self.calls.len() || a == b {
            return false;
        }
        self.calls.swap(a, b);
        let map = |c: usize| {
            Some(if c == a {
                b
            } else if c == b {
                a
            } else {
                c
            })
        };
        for call in &mut self.calls {
            call.remap_refs(&map);
        }
        self.repair();
        true
    }

    /// Number of value nodes in all calls (a size measure).
    pub fn size(&self) -> usize {
        self.calls
            .iter()
            .map(|c| 1 + c.nodes().map(Node::size).sum::<usize>())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::node::RefSource;

    fn call_with_ref(op: &str, target: Option<usize>) -> Call {
        let mut call = Call::new(OperationId(op.into()));
        let value = match target {
            Some(c) => Node::Ref(Reference {
                call: c,
                source: RefSource::Body("/id".into()),
            }),
            None => Node::string("x"),
        };
        call.params.push(ParamValue {
            name: "id".into(),
            location: ParamLocation::Path,
            value: Some(value),
        });
        call
    }

    fn chain() -> RequestSeq {
        RequestSeq::new(vec![
            call_with_ref("a", None),
            call_with_ref("b", Some(0)),
            call_with_ref("c", Some(1)),
            call_with_ref("d", Some(0)),
        ])
    }

    fn targets(seq: &RequestSeq) -> Vec<Option<usize>> {
        seq.calls
            .iter()
            .map(|c| match c.param("id", ParamLocation::Path) {
                Some(Node::Ref(r)) => Some(r.call),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn remove_shifts_and_replaces() {
        let mut seq = chain();
        seq.remove_call(1);
        assert_eq!(targets(&seq), vec![None, None, Some(0)]);
        assert!(seq.references_valid());
        assert!(seq.remove_call(9).is_none());
    }

    #[test]
    fn insert_shifts_later_refs() {
        let mut seq = chain();
        seq.insert_call(1, call_with_ref("x", Some(0)));
        assert_eq!(
            targets(&seq),
            vec![None, Some(0), Some(0), Some(2), Some(0)]
        );
        seq.insert_call(0, call_with_ref("y", Some(3)));
        assert!(seq.references_valid());
        assert_eq!(targets(&seq)[0], None);
    }

    #[test]
    fn swap_renumbers_and_repairs() {
        let mut seq = chain();
        assert!(seq.swap_calls(0, 1));
        // b (was 1, ref 0) is now first: its ref to a (now 1) points forward and is dropped.
        assert_eq!(targets(&seq), vec![None, None, Some(0), Some(1)]);
        assert!(seq.references_valid());
        assert!(!seq.swap_calls(0, 0));
    }

    #[test]
    fn repair_counts_dangling() {
        let mut seq = RequestSeq::new(vec![
            call_with_ref("a", Some(0)),
            call_with_ref("b", Some(7)),
        ]);
        assert!(!seq.references_valid());
        assert_eq!(seq.repair(), 2);
        assert!(seq.references_valid());
    }
}
