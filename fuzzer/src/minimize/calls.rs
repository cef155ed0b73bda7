//! The first minimization pass: drop calls the finding does not need, in the order of delta
//! debugging — large chunks first, halving down to single calls, from the end of the sequence to
//! its start. A reference to a dropped call becomes a literal ([`RequestSeq::remove_call`]), so a
//! call whose output a later call really needs is kept by the predicate, not by guesswork.

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
            if search.try_candidate(without(&search.current, start, end)) {
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

/// `seq` without the calls `start..end`.
fn without(seq: &RequestSeq, start: usize, end: usize) -> RequestSeq {
    let mut out = seq.clone();
    for index in (start..end).rev() {
        out.remove_call(index);
    }
    out
}
