//! `HttpExecutor`: LibAFL's view of one execution — run a [`RequestSeq`] through the
//! [`SeqRunner`], set the novelty keys in the map observer and hand the run to the exchange observer.
//! It counts executions; it writes no files and reports nothing.

use libafl::executors::{Executor, ExitKind, HasObservers};
use libafl::observers::{ExplicitTracking, MapObserver, StdMapObserver};
use libafl::state::HasExecutions;
use libafl_bolts::tuples::RefIndexable;

use super::novelty::keys;
use super::observer::ExchangeObserver;
use super::runner::SeqRunner;
use crate::input::RequestSeq;
use crate::probe::{HasProbeQueue, ProbeQueue, Prober};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Derived sequences of one prober that may wait to be run; more are dropped.
const PROBE_QUEUE: usize = 128;
use crate::transport::Transport;

/// The novelty map, tracking which indices each corpus entry covers (for the minimizer scheduler).
pub type NoveltyObserver = ExplicitTracking<StdMapObserver<'static, u8, false>, true, false>;

/// The observers of a campaign: the novelty map, then the exchange carrier.
pub type Observers = (NoveltyObserver, (ExchangeObserver, ()));

pub struct HttpExecutor<T: Transport> {
    runner: SeqRunner<T>,
    observers: Observers,
    /// Derive follow-up sequences from each run (lifecycle and security checks).
    probers: Vec<Box<dyn Prober>>,
    probe_rng: ChaCha8Rng,
    probes: ProbeQueue,
    /// Map slots seen so far and how many of each key kind (for diagnostics: what grows the corpus).
    seen: Vec<bool>,
    pub new_keys_by_kind: [u64; 4],
}

impl<T: Transport> HttpExecutor<T> {
    pub fn new(runner: SeqRunner<T>, observers: Observers) -> Self {
        HttpExecutor {
            runner,
            observers,
            probers: Vec::new(),
            probe_rng: ChaCha8Rng::seed_from_u64(0),
            probes: ProbeQueue::new(PROBE_QUEUE),
            seen: vec![false; super::novelty::MAP_SIZE],
            new_keys_by_kind: [0; 4],
        }
    }

    /// Runs `probers` after every execution; their randomness comes from `seed`.
    pub fn with_probers(mut self, probers: Vec<Box<dyn Prober>>, seed: u64) -> Self {
        self.probers = probers;
        self.probe_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7072_6f62_6573);
        self
    }

    pub fn runner(&self) -> &SeqRunner<T> {
        &self.runner
    }

    pub fn runner_mut(&mut self) -> &mut SeqRunner<T> {
        &mut self.runner
    }
}

impl<EM, S, Z, T> Executor<EM, RequestSeq, S, Z> for HttpExecutor<T>
where
    S: HasExecutions,
    T: Transport,
{
    fn run_target(
        &mut self,
        _fuzzer: &mut Z,
        state: &mut S,
        _mgr: &mut EM,
        input: &RequestSeq,
    ) -> Result<ExitKind, libafl::Error> {
        *state.executions_mut() += 1;
        let run = self.runner.run(input);
        let map = self.observers.0.as_mut();
        for facts in &run.facts {
            for (kind, key) in keys(facts).into_iter().enumerate() {
                map.set(key, 1);
                if !self.seen[key] {
                    self.seen[key] = true;
                    self.new_keys_by_kind[kind] += 1;
                }
            }
        }
        for prober in &mut self.probers {
            for probe in prober.derive(input, &run, &mut self.probe_rng) {
                if !self.probes.push(prober.name(), probe) {
                    tracing::debug!("probe lane full: a {} probe dropped", prober.name());
                }
            }
        }
        self.observers.1.0.set(run);
        // Findings are judged by the objective feedback, not by the exit kind: a 500 or a crash of
        // the target is a result of a normal execution of Shrike.
        Ok(ExitKind::Ok)
    }
}

impl<T: Transport> HasProbeQueue for HttpExecutor<T> {
    fn probe_queue(&mut self) -> &mut ProbeQueue {
        &mut self.probes
    }
}

impl<T: Transport> HasObservers for HttpExecutor<T> {
    type Observers = Observers;

    fn observers(&self) -> RefIndexable<&Self::Observers, Self::Observers> {
        RefIndexable::from(&self.observers)
    }

    fn observers_mut(&mut self) -> RefIndexable<&mut Self::Observers, Self::Observers> {
        RefIndexable::from(&mut self.observers)
    }
}
