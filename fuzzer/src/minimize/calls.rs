//! The first minimization pass: drop calls the finding does not need, in the order of delta
//! debugging — large chunks first, halving down to single calls, from the end of the sequence to
//! its start. A call whose response a kept call references (the create behind a read of the new
//! id) is never dropped: replacing the reference by the value seen during the campaign would
//! still reproduce on the campaign's target, whose state the dropped call left behind, but not on
//! a fresh one — and a case must replay with `shrike repro` against a freshly started target.
//! For the same reason a write (POST, PUT, PATCH, DELETE) followed by a kept call is never
//! dropped: it may have made the state the finding needs (an order a later call addresses by a
//! literal id), which the campaign's target still holds but a fresh one would not.

use super::Search;
use crate::input::RequestSeq;
use crate::mutate::SeqContext;
use crate::spec::Method;

/// Removes calls while the sequence still reproduces.
pub(crate) fn drop_calls(ctx: &SeqContext, search: &mut Search<'_>) {
    let mut chunk = (search.current.calls.len() / 2).max(1);
    loop {
        let mut removed = false;
        let mut end = search.current.calls.len();
        while end > 0 && !search.exhausted() {
            let start = end.saturating_sub(chunk);
            if let Some(candidate) = without(ctx, &search.current, start, end)
                && search.try_candidate(candidate)
            {
                removed = true;
            }
            end = start;
        }
        if search.exhausted() || search.current.calls.len() <= 1 {
            return;
        }
        match (removed, chunk) {
            // A pass over single calls removed nothing: done.
            (false, 1) => return,
            (false, _) => chunk /= 2,
            // Something went: sizes changed, so start again with half the calls as the chunk.
            (true, _) => chunk = (search.current.calls.len() / 2).max(1).min(chunk),
        }
    }
}

/// `seq` without the calls `start..end`; `None` when a call after them references one of them,
/// or when one of them is a write and calls follow.
fn without(ctx: &SeqContext, seq: &RequestSeq, start: usize, end: usize) -> Option<RequestSeq> {
    let referenced = seq.calls.iter().skip(end).any(|call| {
        call.nodes()
            .flat_map(|n| n.refs())
            .any(|r| (start..end).contains(&r.call))
    });
    let sets_up_state = end < seq.calls.len()
        && seq.calls[start..end].iter().any(|call| {
            ctx.operation(&call.operation).is_some_and(|op| {
                !matches!(op.method, Method::Get | Method::Head | Method::Options)
            })
        });
    if referenced || sets_up_state {
        return None;
    }
    let mut out = seq.clone();
    for index in (start..end).rev() {
        out.remove_call(index);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Call, Node, ParamValue, RefSource, Reference};
    use crate::spec::{OperationId, ParamLocation};

    fn call(op: &str, reference: Option<usize>) -> Call {
        let mut c = Call::new(OperationId(op.into()));
        if let Some(r) = reference {
            c.params.push(ParamValue {
                name: "id".into(),
                location: ParamLocation::Path,
                value: Some(Node::Ref(Reference {
                    call: r,
                    source: RefSource::Body("/id".into()),
                })),
            });
        }
        c
    }

    #[test]
    fn producers_and_writes_before_kept_calls_are_never_dropped() {
        let ctx = SeqContext::new(std::sync::Arc::new(crate::input::test_model::test_model()));
        // getOrder reads, createOrder writes (see the test model).
        let seq = RequestSeq::new(vec![
            call("getOrder", None),
            call("createOrder", None),
            call("getOrder", Some(1)),
        ]);
        assert!(
            without(&ctx, &seq, 1, 2).is_none(),
            "the create feeds the read"
        );
        assert!(without(&ctx, &seq, 0, 2).is_none());
        let dropped = without(&ctx, &seq, 0, 1).expect("nothing references the first read");
        assert_eq!(dropped.calls.len(), 2);
        assert!(dropped.references_valid());
        // Dropping the reader together with its producer is fine.
        assert_eq!(without(&ctx, &seq, 1, 3).map(|s| s.calls.len()), Some(1));
        // A write whose id a later call takes as a literal is kept too.
        let literal = RequestSeq::new(vec![call("createOrder", None), call("getOrder", None)]);
        assert!(without(&ctx, &literal, 0, 1).is_none());
        assert!(
            without(&ctx, &literal, 1, 2).is_some(),
            "the last call may go"
        );
    }
}
