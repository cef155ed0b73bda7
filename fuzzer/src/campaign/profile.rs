//! `ProfileFeedback`: the deterministic stand-in for LibAFL's calibration.
//!
//! LibAFL's weighted (power) scheduler weighs corpus entries by execution time and map coverage,
//! which its `CalibrationStage` measures by re-running each entry and timing it. Wall-clock time
//! would make a campaign's choices depend on the machine's load, breaking "same seed, same
//! requests"; so this feedback records, when an entry joins the corpus, a nominal cost (1 ms per
//! call of the sequence and per 16 KiB it sends) and the entry's map coverage, from the very execution that made it
//! interesting. Calls slower than the novelty map's first latency bucket (16 ms) add their bucketed
//! latency, so slow entries are scheduled less often without fast ones depending on jitter. It
//! never makes an input interesting itself.

use std::borrow::Cow;
use std::time::Duration;

use libafl::HasMetadata;
use libafl::corpus::Testcase;
use libafl::executors::ExitKind;
use libafl::feedbacks::{Feedback, StateInitializer};
use libafl::observers::MapObserver;
use libafl::schedulers::powersched::SchedulerMetadata;
use libafl_bolts::Named;
use libafl_bolts::tuples::{Handle, Handled, MatchName, MatchNameRef};

use super::executor::NoveltyObserver;
use super::novelty::latency_bucket;
use super::observer::ExchangeObserver;
use super::runner::SeqRun;
use crate::input::RequestSeq;

#[derive(Debug)]
pub struct ProfileFeedback {
    map: Handle<NoveltyObserver>,
    exchanges: Handle<ExchangeObserver>,
}

impl ProfileFeedback {
    pub fn new(map: &NoveltyObserver, exchanges: &ExchangeObserver) -> Self {
        ProfileFeedback {
            map: map.handle(),
            exchanges: exchanges.handle(),
        }
    }
}

/// Request bytes that cost as much as one more call: sending (and the target reading) a large
/// request takes time in proportion to its size, and a deterministic cost must still see that.
const BYTES_PER_CALL_COST: usize = 16 * 1024;

/// The deterministic cost of a run: 1 ms per call, plus 1 ms per [`BYTES_PER_CALL_COST`] bytes of
/// each request (a 128 KiB query string costs like the eight small requests sent in its time),
/// plus, for calls in a slow latency bucket, the bucket's lower bound.
fn cost(run: &SeqRun) -> Duration {
    let latency_ms: u64 = run
        .facts
        .iter()
        .map(|f| match latency_bucket(f.latency_us) {
            0 => 1,
            b => 1 + (8u64 << b.min(20)),
        })
        .sum();
    let size_ms: u64 = run
        .exchanges
        .iter()
        .map(|e| (request_bytes(&e.request) / BYTES_PER_CALL_COST) as u64)
        .sum();
    Duration::from_millis((latency_ms + size_ms).max(1))
}

fn request_bytes(request: &crate::http::HttpRequest) -> usize {
    request.path_and_query.len()
        + request.body.len()
        + request
            .headers
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
}

impl Named for ProfileFeedback {
    fn name(&self) -> &Cow<'static, str> {
        static NAME: Cow<'static, str> = Cow::Borrowed("ProfileFeedback");
        &NAME
    }
}

impl<S> StateInitializer<S> for ProfileFeedback {}

impl<EM, OT, S> Feedback<EM, RequestSeq, OT, S> for ProfileFeedback
where
    OT: MatchName,
    S: HasMetadata,
{
    fn append_metadata(
        &mut self,
        state: &mut S,
        _manager: &mut EM,
        observers: &OT,
        testcase: &mut Testcase<RequestSeq>,
    ) -> Result<(), libafl::Error> {
        let map = observers
            .get(&self.map)
            .ok_or_else(|| libafl::Error::illegal_state("the novelty map observer is missing"))?;
        let bitmap_size = map.as_ref().count_bytes().max(1);
        let exchanges = observers
            .get(&self.exchanges)
            .ok_or_else(|| libafl::Error::illegal_state("the exchange observer is missing"))?;
        let cost = cost(exchanges.last());
        testcase.set_exec_time(cost);
        if let Ok(psmeta) = state.metadata_mut::<SchedulerMetadata>() {
            psmeta.set_exec_time(psmeta.exec_time() + cost);
            psmeta.set_cycles(psmeta.cycles() + 1);
            psmeta.set_bitmap_size(psmeta.bitmap_size() + bitmap_size);
            psmeta.set_bitmap_size_log(psmeta.bitmap_size_log() + (bitmap_size as f64).log2());
            psmeta.set_bitmap_entries(psmeta.bitmap_entries() + 1);
        }
        Ok(())
    }

    fn is_interesting(
        &mut self,
        _state: &mut S,
        _manager: &mut EM,
        _input: &RequestSeq,
        _observers: &OT,
        _exit_kind: &ExitKind,
    ) -> Result<bool, libafl::Error> {
        Ok(false)
    }
}

/// The size the minimizer scheduler weighs entries by: the number of value nodes of the sequence,
/// so short sequences with small bodies are preferred among entries covering the same keys.
impl libafl_bolts::HasLen for RequestSeq {
    fn len(&self) -> usize {
        self.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::novelty::ExchangeFacts;
    use crate::campaign::runner::Exchange;
    use crate::http::HttpRequest;

    fn run(calls: &[(usize, u64)]) -> SeqRun {
        let mut run = SeqRun::default();
        for (i, &(query_len, latency_us)) in calls.iter().enumerate() {
            run.exchanges.push(Exchange {
                call: i,
                op: 0,
                request: HttpRequest {
                    method: "GET".into(),
                    path_and_query: format!("/x?q={}", "A".repeat(query_len)),
                    headers: vec![],
                    body: vec![],
                },
                outcome: Err(crate::http::TransportError::Timeout),
            });
            run.facts.push(ExchangeFacts {
                op: 0,
                status: 200,
                error_sig: 0,
                latency_us,
                shape: 0,
                producer: None,
            });
        }
        run
    }

    #[test]
    fn cost_counts_calls_size_and_slowness() {
        let ms = Duration::from_millis;
        assert_eq!(cost(&SeqRun::default()), ms(1));
        assert_eq!(cost(&run(&[(10, 300)])), ms(1));
        assert_eq!(cost(&run(&[(10, 300), (5000, 300)])), ms(2));
        // 128 KiB of query string: eight more.
        assert_eq!(cost(&run(&[(128 * 1024, 300)])), ms(9));
        // A call in the 16–32 ms bucket adds 16 ms.
        assert_eq!(cost(&run(&[(10, 20_000)])), ms(17));
    }
}
