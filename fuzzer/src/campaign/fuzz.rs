//! The fuzz loop, wired in LibAFL's usual order: observers → feedback and objective → state →
//! event manager → scheduler → fuzzer → executor → initial inputs → stages → loop.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use libafl::HasMetadata;
use libafl::corpus::{CachedOnDiskCorpus, Corpus, InMemoryCorpus};
use libafl::events::SimpleEventManager;
use libafl::feedback_or;
use libafl::feedbacks::MaxMapFeedback;
use libafl::fuzzer::{Evaluator, Fuzzer, StdFuzzer};
use libafl::inputs::Input;
use libafl::monitors::NopMonitor;
use libafl::observers::{CanTrack, StdMapObserver};
use libafl::schedulers::powersched::PowerSchedule;
use libafl::schedulers::{IndexesLenTimeMinimizerScheduler, StdWeightedScheduler};
use libafl::stages::StdPowerMutationalStage;
use libafl::state::{HasCorpus, HasExecutions, HasSolutions, StdState};
use libafl_bolts::rands::StdRand;
use libafl_bolts::tuples::tuple_list;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

use super::executor::HttpExecutor;
use super::feedback::{FindingSink, FindingsMetadata, NewFinding, NewFindingFeedback};
use super::generation::{GenerationStage, generate_seq_in};
use super::novelty::MAP_SIZE;
use super::observer::ExchangeObserver;
use super::probe_stage::ProbeStage;
use super::profile::ProfileFeedback;
use super::runner::{RunStats, SeqRunner};
use super::status::StatusLine;
use crate::generate::Mode;
use crate::input::RequestSeq;
use crate::minimize::{MinimizeConfig, Relogin, crash_shows_again, minimize_finding};
use crate::mutate::{SeqContext, scheduled};
use crate::oracle::Signature;
use crate::probe::Prober;
use crate::transport::Transport;

/// Corpus inputs kept in memory; the others are read back from `OUT/corpus` when scheduled. A
/// nightly run keeps tens of thousands of entries (some with 64 KiB bodies), and the whole corpus
/// in memory made a 10-minute demo run peak above 200 MB.
const CORPUS_CACHE: usize = 2048;

/// Budgets and switches of one campaign.
#[derive(Debug, Clone)]
pub struct CampaignConfig {
    pub seed: u64,
    pub time: Option<Duration>,
    pub execs: Option<u64>,
    /// Where the corpus lives (resumed from when it already holds inputs).
    pub corpus_dir: PathBuf,
    /// Print the live status line on stderr.
    pub status_line: bool,
    /// Bounds of the minimization of each new finding (replays through the campaign's runner).
    pub minimize: MinimizeConfig,
    /// Logs in again after a minimization replay restarted the target.
    pub relogin: Option<Relogin>,
}

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    TimeBudget,
    ExecBudget,
    Interrupted,
    TargetDown,
}

/// What a campaign produced.
#[derive(Debug)]
pub struct CampaignOutcome {
    pub execs: u64,
    pub elapsed: Duration,
    pub corpus: usize,
    /// Every signature with its hit count (this run and resumed ones).
    pub hits: std::collections::BTreeMap<Signature, u64>,
    /// The first occurrence of every signature found in this run.
    pub new_findings: Vec<NewFinding>,
    pub stats: RunStats,
    /// Time spent waiting for a rate limit or 429/503 backoff.
    pub throttled: Duration,
    pub stop: StopReason,
    pub resumed: usize,
}

#[derive(Debug, Error)]
pub enum CampaignError {
    #[error("fuzzer internal error: {0}")]
    Libafl(#[from] libafl::Error),
    #[error("could not write a finding: {0}")]
    Sink(std::io::Error),
}

/// Runs the campaign until a budget is used up, `stop` is set, or the target is down for good.
pub fn run<T: Transport + 'static>(
    ctx: Arc<SeqContext>,
    runner: SeqRunner<T>,
    config: &CampaignConfig,
    known: &[(Signature, u64)],
    sink: &mut dyn FindingSink,
    stop: &Arc<AtomicBool>,
    probers: Vec<Box<dyn Prober>>,
) -> Result<CampaignOutcome, CampaignError> {
    let started = Instant::now();
    let mut runner = runner;
    runner.set_limits(
        config.time.map(|t| started + t),
        Some(Arc::clone(stop)),
        config.execs,
    );
    // Observers: the novelty map the executor fills, and the carrier of exchanges and findings.
    let map_observer = StdMapObserver::owned("novelty", vec![0u8; MAP_SIZE]).track_indices();
    let exchange_observer = ExchangeObserver::new();
    // Feedback: new novelty keys keep an input; the profile records its (deterministic) weight.
    let mut feedback = feedback_or!(
        MaxMapFeedback::new(&map_observer),
        ProfileFeedback::new(&map_observer, &exchange_observer)
    );
    // Objective: a finding with a signature not seen before.
    let mut objective = NewFindingFeedback::new(&exchange_observer);
    // State: seeded RNG, the on-disk corpus (resumable; only the inputs scheduled lately stay in
    // memory), solutions kept in memory (cases are on disk).
    let mut state = StdState::new(
        StdRand::with_seed(config.seed),
        CachedOnDiskCorpus::<RequestSeq>::no_meta(&config.corpus_dir, CORPUS_CACHE)?,
        InMemoryCorpus::<RequestSeq>::new(),
        &mut feedback,
        &mut objective,
    )?;
    let meta = state.metadata_or_insert_with(FindingsMetadata::default);
    for (signature, hits) in known {
        meta.hits.insert(signature.clone(), *hits);
    }
    // Event manager: one core, no monitor (the status line below reports progress).
    let mut mgr = SimpleEventManager::new(NopMonitor::new());
    // Scheduler: LibAFL's weighted scheduler with the "fast" power schedule over the novelty map,
    // favouring the smallest entry that covers each novelty key.
    let scheduler = IndexesLenTimeMinimizerScheduler::new(
        &map_observer,
        StdWeightedScheduler::with_schedule(&mut state, &map_observer, Some(PowerSchedule::fast())),
    );
    let mut fuzzer = StdFuzzer::new(scheduler, feedback, objective);
    // Executor: renders and sends each sequence through the runner.
    let mut executor = HttpExecutor::new(runner, tuple_list!(map_observer, exchange_observer))
        .with_probers(probers, config.seed);

    // Initial inputs: the corpus of an earlier run, then one generated sequence per operation.
    let resumed = load_corpus(&config.corpus_dir);
    let resumed_count = resumed.len();
    for input in resumed {
        fuzzer.add_input(&mut state, &mut executor, &mut mgr, input)?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    for op in 0..ctx.model.operations.len() {
        let seq = generate_seq_in(&ctx, op, Mode::Valid, &mut rng);
        fuzzer.evaluate_input(&mut state, &mut executor, &mut mgr, &seq)?;
    }
    if state.corpus().count() == 0 {
        let seq = generate_seq_in(&ctx, 0, Mode::Valid, &mut rng);
        fuzzer.add_input(&mut state, &mut executor, &mut mgr, seq)?;
    }
    let mut new_findings = Vec::new();
    let mut found = Found {
        sink,
        out: &mut new_findings,
        started,
        ctx: &ctx,
        minimize: &config.minimize,
        relogin: config.relogin.as_ref(),
        restarts: 0,
        // Minimization may take at most a fifth of the time budget in all, so fuzzing keeps most.
        minimize_left: config.time.map(|t| t / 5),
    };
    found.drain(&mut state, executor.runner_mut())?;

    // Stages: fresh sequences per (operation, mode) round-robin, the follow-up probes of the
    // lifecycle and security checks, then power-scheduled havoc over Shrike's structure-aware
    // mutators.
    let mut stages = tuple_list!(
        GenerationStage::new(Arc::clone(&ctx)),
        ProbeStage::new(),
        StdPowerMutationalStage::new(scheduled(&ctx, 3))
    );

    let mut status = StatusLine::new(config.status_line, ctx.model.operations.len());
    let stop_reason = loop {
        if stop.load(Ordering::Relaxed) {
            break StopReason::Interrupted;
        }
        if config.time.is_some_and(|t| started.elapsed() >= t) {
            break StopReason::TimeBudget;
        }
        if config.execs.is_some_and(|n| *state.executions() >= n) {
            break StopReason::ExecBudget;
        }
        if executor.runner().target_down() {
            break StopReason::TargetDown;
        }
        if executor.runner().halted() {
            // A limit the checks above missed by a hair: the runner sends nothing any more.
            break StopReason::TimeBudget;
        }
        fuzzer.fuzz_one(&mut stages, &mut executor, &mut state, &mut mgr)?;
        found.drain(&mut state, executor.runner_mut())?;
        let hits = &state.metadata::<FindingsMetadata>()?.hits;
        status.tick(
            *state.executions(),
            state.corpus().count(),
            &executor.runner().stats,
            hits,
        );
    };
    status.finish();
    tracing::info!(
        "novelty keys seen: status×signature {}, latency {}, shape {}, producer→consumer {}",
        executor.new_keys_by_kind[0],
        executor.new_keys_by_kind[1],
        executor.new_keys_by_kind[2],
        executor.new_keys_by_kind[3]
    );
    let hits = state.metadata::<FindingsMetadata>()?.hits.clone();
    Ok(CampaignOutcome {
        execs: *state.executions(),
        elapsed: started.elapsed(),
        corpus: state.corpus().count(),
        hits,
        new_findings,
        stats: executor.runner().stats.clone(),
        throttled: executor.runner().throttled(),
        stop: stop_reason,
        resumed: resumed_count,
    })
}

/// Where new findings go: the sink (which writes each case at once), then minimization through
/// the campaign's runner (the sink rewrites the case smaller), then the outcome.
struct Found<'a> {
    sink: &'a mut dyn FindingSink,
    out: &'a mut Vec<NewFinding>,
    started: Instant,
    ctx: &'a SeqContext,
    /// Bounds per finding.
    minimize: &'a MinimizeConfig,
    relogin: Option<&'a Relogin>,
    /// Target restarts already followed by a new login.
    restarts: u64,
    /// What is left of the campaign's time for minimization (`None`: no time budget).
    minimize_left: Option<Duration>,
}

impl Found<'_> {
    /// Hands pending new findings to the sink, minimizes them, and keeps them for the report.
    fn drain<S: HasMetadata + HasSolutions<RequestSeq>, T: Transport>(
        &mut self,
        state: &mut S,
        runner: &mut SeqRunner<T>,
    ) -> Result<(), CampaignError> {
        // A target restarted since the last look (a crash) has forgotten its sessions: log in
        // again, so minimization (and the fuzzing after it) does not run on dead tokens.
        if let Some(relogin) = self.relogin {
            relogin.after_restart(runner, self.restarts);
        }
        let pending = std::mem::take(&mut state.metadata_mut::<FindingsMetadata>()?.pending);
        for mut finding in pending {
            finding.found_after_s = self.started.elapsed().as_secs_f64();
            // Written first, so a minimization cut short (budget, Ctrl-C, kill) loses nothing.
            self.sink.record(&finding).map_err(CampaignError::Sink)?;
            if crash_shows_again(runner, &finding, self.relogin) == Some(false) {
                // Blamed on the wrong request: forget it, so the real one can be found.
                self.sink.withdraw(&finding).map_err(CampaignError::Sink)?;
                let meta = state.metadata_mut::<FindingsMetadata>()?;
                meta.hits.remove(&finding.finding.signature);
                continue;
            }
            let mut bounds = *self.minimize;
            if let Some(left) = self.minimize_left {
                bounds.max_time = bounds.max_time.min(left);
            }
            let started = Instant::now();
            let minimized = minimize_finding(self.ctx, runner, &finding, &bounds, self.relogin);
            if let Some(left) = &mut self.minimize_left {
                *left = left.saturating_sub(started.elapsed());
            }
            if let Some((smaller, stats)) = minimized {
                self.sink
                    .record_minimized(&finding, &smaller, &stats)
                    .map_err(CampaignError::Sink)?;
                finding = smaller;
            }
            self.out.push(finding);
        }
        self.restarts = runner.stats.restarts;
        Ok(())
    }
}

/// The inputs an earlier run left in the corpus folder (unreadable files are skipped).
fn load_corpus(dir: &Path) -> Vec<RequestSeq> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| RequestSeq::from_file(&p).ok())
        .collect()
}
