//! Which identity owns which resource, tracked from the sequence that created it: a call whose
//! path parameter is taken from the response of an earlier create (a 2xx POST on an operation
//! that needs credentials) addresses the resource that create made, owned by the identity the
//! create ran as.

use super::{Roles, exchange_of, protected, success};
use crate::campaign::runner::SeqRun;
use crate::input::{Node, RequestSeq};
use crate::spec::{Method, Model, ParamLocation};

/// The create behind a call's resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Index of the create call in the sequence.
    pub create: usize,
    /// The configured identity it ran as.
    pub identity: String,
}

/// The owner of the resource call `k` addresses, when a path parameter of `k` refers to a
/// successful authenticated create of a configured identity.
pub fn owner(
    seq: &RequestSeq,
    run: &SeqRun,
    model: &Model,
    roles: &Roles,
    k: usize,
) -> Option<Owner> {
    let call = seq.calls.get(k)?;
    call.params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .filter_map(|p| match &p.value {
            Some(Node::Ref(r)) => Some(r.call),
            _ => None,
        })
        .find_map(|j| {
            let exchange = exchange_of(run, j)?;
            success(exchange)?;
            let op = model.operations.get(exchange.op)?;
            if op.method != Method::Post || !protected(model, op) {
                return None;
            }
            let identity = roles.resolve(&seq.calls[j]);
            roles.is_real(identity).then(|| Owner {
                create: j,
                identity: identity.to_owned(),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::testkit::*;

    #[test]
    fn the_creator_owns_what_later_calls_address() {
        let model = model();
        let roles = roles();
        let seq = RequestSeq::new(vec![
            call("createOrder", Some("alice"), None),
            call("getOrder", Some("bob"), Some(0)),
            call("getOrder", None, None),
        ]);
        let run = run_of(
            &model,
            &seq,
            &[(201, r#"{"id":7}"#), (200, r#"{"id":7}"#), (200, "{}")],
        );
        let found = owner(&seq, &run, &model, &roles, 1).unwrap();
        assert_eq!(found.identity, "alice");
        assert_eq!(found.create, 0);
        assert_eq!(owner(&seq, &run, &model, &roles, 2), None, "no reference");
        let failed = run_of(&model, &seq, &[(400, "{}"), (200, "{}"), (200, "{}")]);
        assert_eq!(
            owner(&seq, &failed, &model, &roles, 1),
            None,
            "create failed"
        );
    }
}
