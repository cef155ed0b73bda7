//! The first minimization pass: drop calls the finding does not need, in the order of delta
//! debugging — large chunks first, halving down to single calls, from the end of the sequence to
//! its start. A call whose response a kept call references (the create behind a read of the new
//! id) is never dropped: replacing the reference by the value seen during the campaign would
//! still reproduce on the campaign's target, whose state the dropped call left behind, but not on
//! a fresh one — and a case must replay with `shrike repro` against a freshly started target.

use super::Search;
use crate::input::RequestSeq;

/// Removes calls while the sequence still reproduces.
pub(crate) fn drop_calls(search: &mut Search<'_>) {
    let mut chunk = (search.current.calls.len() / 2).max(1);
    loop {
        let mut removed = false;
        let mut end = search.current.calls.len();
        while end > 0 && !search.exhausted() {
            let start = end.saturating_sub(chunk);
            if let Some(candidate) = without(&search.current, start, end)
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

/// `seq` without the calls `start..end`; `None` when a call after them references one of them.
fn without(seq: &RequestSeq, start: usize, end: usize) -> Option<RequestSeq> {
    let referenced = seq.calls.iter().skip(end).any(|call| {
        call.nodes()
            .flat_map(|n| n.refs())
            .any(|r| (start..end).contains(&r.call))
    });
    if referenced {
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
    fn producers_of_kept_calls_are_never_dropped() {
        let seq = RequestSeq::new(vec![
            call("noise", None),
            call("create", None),
            call("read", Some(1)),
        ]);
        assert!(without(&seq, 1, 2).is_none(), "the create feeds the read");
        assert!(without(&seq, 0, 2).is_none());
        let dropped = without(&seq, 0, 1).expect("nothing references the noise");
        assert_eq!(dropped.calls.len(), 2);
        assert!(dropped.references_valid());
        // Dropping the reader together with its producer is fine.
        assert_eq!(without(&seq, 1, 3).map(|s| s.calls.len()), Some(1));
    }
}
