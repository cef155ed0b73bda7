//! Security checks: per-response checks, whole-run oracles and probers for the weaknesses an API
//! security tester looks for. Payload and response checks: injection, data exposure, CORS,
//! disclosure. Identity checks compare what different identities — the auth file's, an anonymous
//! caller, forged tokens — get from the same calls: broken authentication, object-level (BOLA)
//! and function-level authorization, mass assignment, user enumeration, missing rate limiting.
//!
//! Each check is a [`Prober`](crate::probe::Prober) that derives follow-up sequences from what
//! the campaign ran (the same call re-sent as another identity, a write with an extra field, …)
//! and a [`SeqOracle`](crate::probe::SeqOracle) (or a per-response check) that reports a finding
//! only when the responses prove it. Derived sequences are plain `RequestSeq`s, so findings
//! replay. Each is registered in [`crate::probe::plan`].

pub mod bola;
pub mod broken_auth;
pub mod cors;
pub mod disclosure;
pub mod enumeration;
pub mod exposure;
pub mod exposure_schema;
pub mod function_auth;
pub mod injection;
pub mod injection_leaf;
pub mod injection_probe;
pub mod mass_assignment;
pub mod ownership;
pub mod rate_limit;
pub mod roles;

#[cfg(test)]
pub(crate) mod testkit;

use serde_json::Value;

use crate::campaign::runner::{Exchange, SeqRun};
use crate::http::HttpResponse;
use crate::input::{Call, RequestSeq};
use crate::oracle::{Finding, FindingKind};
use crate::probe::SeqFinding;
use crate::spec::{Method, Model, Operation, StatusKey};

pub use roles::Roles;

/// The response of an exchange when it is a 2xx.
pub(crate) fn success(exchange: &Exchange) -> Option<&HttpResponse> {
    exchange
        .outcome
        .as_ref()
        .ok()
        .filter(|r| (200..300).contains(&r.status))
}

/// A 2xx exchange of a run, with its call and operation: what the identity checks judge.
pub(crate) struct Success<'a> {
    /// Index of the exchange in the run.
    pub at: usize,
    pub exchange: &'a Exchange,
    pub call: &'a Call,
    pub op: &'a Operation,
    pub response: &'a HttpResponse,
}

impl Success<'_> {
    /// A finding on this exchange's operation and status.
    pub fn finding(&self, kind: FindingKind, detail: String) -> SeqFinding {
        SeqFinding {
            finding: Finding::new(kind, &self.op.id, Some(self.response.status), 0, detail),
            at: self.at,
        }
    }
}

/// The 2xx exchanges of `run`, in order.
pub(crate) fn successes<'a>(
    seq: &'a RequestSeq,
    run: &'a SeqRun,
    model: &'a Model,
) -> impl Iterator<Item = Success<'a>> + 'a {
    run.exchanges
        .iter()
        .enumerate()
        .filter_map(move |(at, exchange)| {
            Some(Success {
                at,
                exchange,
                call: seq.calls.get(exchange.call)?,
                op: model.operations.get(exchange.op)?,
                response: success(exchange)?,
            })
        })
}

/// True when the spec says the operation needs credentials: it has a security requirement, or —
/// in a spec that declares no security schemes at all — it documents 401 or 403. (With schemes
/// declared, an operation without a requirement is public even when it documents a 401, like a
/// login refusing a wrong password.)
pub(crate) fn protected(model: &Model, op: &Operation) -> bool {
    op.requires_auth()
        || (model.security_schemes.is_empty()
            && (op.responses.contains_key(&StatusKey::Code(401))
                || op.responses.contains_key(&StatusKey::Code(403))))
}

/// True for methods that create or change state.
pub(crate) fn is_write(method: Method) -> bool {
    matches!(method, Method::Post | Method::Put | Method::Patch)
}

/// The exchange of call `call` in a run, when it was sent.
pub(crate) fn exchange_of(run: &SeqRun, call: usize) -> Option<&Exchange> {
    run.exchanges.iter().find(|e| e.call == call)
}

/// Call `k` and every call it depends on through references, in order.
pub(crate) fn closure(seq: &RequestSeq, k: usize) -> Vec<usize> {
    let mut needed = vec![false; seq.calls.len()];
    if k >= needed.len() {
        return Vec::new();
    }
    needed[k] = true;
    for i in (0..=k).rev() {
        if needed[i] {
            for r in seq.calls[i].nodes().flat_map(|n| n.refs()) {
                if r.call < i {
                    needed[r.call] = true;
                }
            }
        }
    }
    (0..=k).filter(|&i| needed[i]).collect()
}

/// A sequence of the calls `indices` (ascending, closed under references) of `seq`, with
/// references renumbered.
pub(crate) fn extract(seq: &RequestSeq, indices: &[usize]) -> RequestSeq {
    let position = |old: usize| indices.iter().position(|&i| i == old);
    let calls = indices
        .iter()
        .map(|&i| {
            let mut call = seq.calls[i].clone();
            call.remap_refs(&position);
            call
        })
        .collect();
    RequestSeq::new(calls)
}

/// True when two calls are the same but for their identity.
pub(crate) fn same_but_identity(a: &Call, b: &Call) -> bool {
    a.operation == b.operation && a.params == b.params && a.body == b.body
}

/// `call` as `identity`.
pub(crate) fn as_identity(call: &Call, identity: &str) -> Call {
    let mut call = call.clone();
    call.identity = Some(identity.to_owned());
    call
}

/// True when `b` carries the same data as `a`: equal bodies, or JSON objects with the same
/// members of which at least 75% of the scalar values are equal (timestamps, counters and
/// tokens may differ between two reads).
pub(crate) fn same_data(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return !a.is_empty();
    }
    let (Ok(a), Ok(b)) = (
        serde_json::from_slice::<Value>(a),
        serde_json::from_slice::<Value>(b),
    ) else {
        return false;
    };
    match (&a, &b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || !x.keys().all(|k| y.contains_key(k)) {
                return false;
            }
            let scalars: Vec<&String> = x
                .iter()
                .filter(|(_, v)| !v.is_object() && !v.is_array())
                .map(|(k, _)| k)
                .collect();
            let equal = scalars
                .iter()
                .filter(|k| x[k.as_str()] == y[k.as_str()])
                .count();
            !scalars.is_empty() && equal * 4 >= scalars.len() * 3
        }
        _ => a == b,
    }
}

/// True when `b` has the same shape as `a`: the same members (objects), the same length and
/// first-item members (arrays), or both empty. An answer that is only a public subset (fewer
/// fields, fewer items) is not.
pub(crate) fn same_shape(a: &[u8], b: &[u8]) -> bool {
    if a.is_empty() || b.is_empty() {
        return a.is_empty() && b.is_empty();
    }
    let (Ok(a), Ok(b)) = (
        serde_json::from_slice::<Value>(a),
        serde_json::from_slice::<Value>(b),
    ) else {
        return a == b;
    };
    fn keys(v: &Value) -> Option<Vec<&String>> {
        v.as_object().map(|o| o.keys().collect())
    }
    match (&a, &b) {
        (Value::Object(_), Value::Object(_)) => keys(&a) == keys(&b),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.first().and_then(keys) == y.first().and_then(keys)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Node, RefSource, Reference};
    use crate::spec::OperationId;

    fn call(op: &str, refs: &[usize]) -> Call {
        let mut c = Call::new(OperationId(op.into()));
        c.params = refs
            .iter()
            .map(|&r| crate::input::ParamValue {
                name: format!("p{r}"),
                location: crate::spec::ParamLocation::Path,
                value: Some(Node::Ref(Reference {
                    call: r,
                    source: RefSource::Body("/id".into()),
                })),
            })
            .collect();
        c
    }

    #[test]
    fn closure_keeps_only_what_a_call_needs() {
        let seq = RequestSeq::new(vec![
            call("a", &[]),
            call("b", &[]),
            call("c", &[0]),
            call("d", &[2]),
        ]);
        assert_eq!(closure(&seq, 3), vec![0, 2, 3]);
        let kept = extract(&seq, &closure(&seq, 3));
        assert_eq!(kept.calls.len(), 3);
        assert!(kept.references_valid());
        assert_eq!(kept.calls[2].nodes().next().unwrap().refs()[0].call, 1);
    }

    #[test]
    fn protection_comes_from_security_or_documented_refusals() {
        let mut model = crate::security::testkit::model();
        let get = model.operations[2].clone();
        let login = model.operations[0].clone();
        assert!(protected(&model, &get));
        assert!(!protected(&model, &login));
        let mut refusing = login.clone();
        refusing.responses.insert(
            StatusKey::Code(401),
            get.responses[&StatusKey::Code(401)].clone(),
        );
        model.security_schemes.clear();
        assert!(
            protected(&model, &refusing),
            "no schemes: a documented 401 counts"
        );
        model.security_schemes.insert(
            "bearer".into(),
            crate::spec::SecurityScheme::Http {
                scheme: "bearer".into(),
                bearer_format: None,
            },
        );
        assert!(
            !protected(&model, &refusing),
            "schemes, no requirement: public"
        );
    }

    #[test]
    fn data_and_shape_comparisons() {
        let a = br#"{"id":1,"owner":"alice","total":12,"updated":"x"}"#;
        let b = br#"{"id":1,"owner":"alice","total":12,"updated":"y"}"#;
        assert!(same_data(a, b));
        assert!(!same_data(
            a,
            br#"{"id":2,"owner":"bob","total":3,"updated":"y"}"#
        ));
        assert!(!same_data(a, br#"{"id":1}"#));
        assert!(!same_data(b"", b""));
        assert!(same_shape(
            a,
            br#"{"id":9,"owner":"b","total":1,"updated":"z"}"#
        ));
        assert!(!same_shape(a, br#"{"id":1,"owner":"alice"}"#));
        assert!(same_shape(br#"[{"a":1}]"#, br#"[{"a":2}]"#));
        assert!(!same_shape(br#"[{"a":1},{"a":2}]"#, br#"[{"a":2}]"#));
        assert!(same_shape(b"", b""));
    }
}
