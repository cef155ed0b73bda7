//! Runs one [`RequestSeq`] against the target: each call is rendered with the responses received so
//! far, sent, and checked by the oracles. No LibAFL here: the executor, `repro` and the minimizer
//! all drive the same runner.

use std::collections::HashMap;
use std::net::ToSocketAddrs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::liveness::holds_connection;
use super::novelty::{ExchangeFacts, shape_hash_parsed};
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::input::{Credentials, Identities, RequestSeq, render};
use crate::oracle::{self, Finding, FindingKind, OracleConfig, Outcome, errsig};
use crate::probe::SeqOracle;
use crate::spec::{Model, Operation, OperationId};
use crate::transport::{Target, Transport};

/// Restarts a target that died (the demo's child process, or `--target-cmd`).
pub trait Supervisor {
    /// Brings the target back; true when it accepts connections again.
    fn restart(&mut self) -> bool;
}

/// A check on a received response that needs more than the status (schema validation).
pub trait ResponseCheck {
    fn check(
        &mut self,
        op: &Operation,
        request: &HttpRequest,
        response: &HttpResponse,
    ) -> Option<Finding>;

    /// [`ResponseCheck::check`] for a response whose body the runner already parsed as JSON
    /// (`json`: `None` when the body is empty or not JSON). Checks that read the body override
    /// this so each response is parsed once.
    fn check_parsed(
        &mut self,
        op: &Operation,
        request: &HttpRequest,
        response: &HttpResponse,
        json: Option<&serde_json::Value>,
    ) -> Option<Finding> {
        let _ = json;
        self.check(op, request, response)
    }
}

/// Logs an identity in again when the target answers 401 mid-run to an identity that had access
/// (implemented by [`crate::auth::LoginRefresher`]). Bounded: a fuzzer must never lock itself out.
pub trait Reauth: Send {
    /// Sees every response to a call as `identity` on operation `op` (an index into the model);
    /// true when it is a 401 that may mean the session expired.
    fn expired(&mut self, identity: &str, op: usize, request: &HttpRequest, status: u16) -> bool;

    /// Checks through `transport` that the session really expired and logs `identity` in again;
    /// the fresh credentials to retry with, or `None` (the session holds, or the login failed and
    /// the identity is abandoned).
    fn refresh(&mut self, identity: &str, transport: &mut dyn Transport) -> Option<Credentials>;

    /// True for an identity given up on: calls as it are not sent any more.
    fn abandoned(&self, identity: &str) -> bool;
}

/// A sequence that repeats one call (the rate-limit check's burst) is sent whole up to this many
/// calls, whatever `--max-calls` says: it repeats one request, so it reaches no deeper state.
pub const MAX_BURST: usize = 200;

/// One request and what came back.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Exchange {
    /// Index of the call in its sequence.
    pub call: usize,
    /// Index of the operation in the model.
    pub op: usize,
    pub request: HttpRequest,
    pub outcome: Outcome,
}

/// Everything one sequence produced.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SeqRun {
    pub exchanges: Vec<Exchange>,
    pub findings: Vec<Finding>,
    /// For each finding, the index in `exchanges` of the exchange that showed it.
    pub finding_at: Vec<usize>,
    pub facts: Vec<ExchangeFacts>,
}

impl SeqRun {
    pub fn crashed(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.kind == FindingKind::TargetCrash)
    }

    pub fn timed_out(&self) -> bool {
        self.findings.iter().any(|f| f.kind == FindingKind::Timeout)
    }
}

/// Per-operation counters for the status line and the end-of-run diagnostics.
#[derive(Debug, Clone, Default)]
pub struct OpStats {
    pub sent: u64,
    /// Responses by status class: index 1..=5 for 1xx..5xx, 0 for no response.
    pub by_class: [u64; 6],
}

/// Counters over the whole run.
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    pub requests: u64,
    pub sequences: u64,
    pub crashes: u64,
    pub restarts: u64,
    pub ops: Vec<OpStats>,
    /// Status codes, 400/422 messages and first-2xx times per operation, for the diagnostics.
    pub tally: crate::deps::diagnose::Tally,
}

impl RunStats {
    /// Operations that got at least one 2xx.
    pub fn ops_with_2xx(&self) -> usize {
        self.ops.iter().filter(|o| o.by_class[2] > 0).count()
    }
}

/// Settings of the runner.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub oracle: OracleConfig,
    /// Headers added to every request (`--header`).
    pub extra_headers: Vec<(String, String)>,
    /// At most this many calls of a sequence are sent (`--max-calls`); later ones are skipped.
    pub max_calls: usize,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            oracle: OracleConfig::default(),
            extra_headers: Vec::new(),
            max_calls: crate::input::MAX_CALLS,
        }
    }
}

/// Sends sequences to one target.
pub struct SeqRunner<T: Transport> {
    model: Arc<Model>,
    op_index: HashMap<OperationId, usize>,
    identities: Identities,
    target: Target,
    transport: T,
    config: RunnerConfig,
    supervisor: Option<Box<dyn Supervisor>>,
    checks: Vec<Box<dyn ResponseCheck>>,
    /// Oracles over a whole run (lifecycle, security), applied after the last call.
    seq_oracles: Vec<Box<dyn SeqOracle>>,
    /// Logs identities in again when their session expires mid-run.
    reauth: Option<Box<dyn Reauth>>,
    /// True while the target is known to be down and nothing could restart it.
    down: bool,
    /// Past this instant, or once `stop` is set, sequences are not sent any more, so a LibAFL
    /// stage in progress finishes at once and budgets hold to the second.
    deadline: Option<Instant>,
    stop: Option<Arc<AtomicBool>>,
    max_sequences: Option<u64>,
    /// Operations whose slowness a re-run already confirmed: later slow responses of theirs are
    /// not re-run again (a slow path would otherwise cost twice its time on every hit).
    confirmed_slow: std::collections::HashSet<usize>,
    /// Each operation's usual latency, which lowers its slow-response limit.
    latency: oracle::latency::LatencyBaseline,
    pub stats: RunStats,
}

impl<T: Transport> SeqRunner<T> {
    pub fn new(
        model: Arc<Model>,
        target: Target,
        transport: T,
        identities: Identities,
        config: RunnerConfig,
    ) -> Self {
        let op_index = model
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| (op.id.clone(), i))
            .collect();
        let stats = RunStats {
            ops: vec![OpStats::default(); model.operations.len()],
            ..RunStats::default()
        };
        SeqRunner {
            model,
            op_index,
            identities,
            target,
            transport,
            config,
            supervisor: None,
            checks: Vec::new(),
            seq_oracles: Vec::new(),
            reauth: None,
            down: false,
            deadline: None,
            stop: None,
            max_sequences: None,
            confirmed_slow: std::collections::HashSet::new(),
            latency: oracle::latency::LatencyBaseline::default(),
            stats,
        }
    }

    pub fn with_supervisor(mut self, supervisor: Box<dyn Supervisor>) -> Self {
        self.supervisor = Some(supervisor);
        self
    }

    pub fn with_check(mut self, check: Box<dyn ResponseCheck>) -> Self {
        self.checks.push(check);
        self
    }

    /// Adds an oracle that judges every whole run (see [`crate::probe`]).
    pub fn with_seq_oracle(mut self, oracle: Box<dyn SeqOracle>) -> Self {
        self.seq_oracles.push(oracle);
        self
    }

    /// Installs the hook that logs identities in again on a 401 (see [`Reauth`]).
    pub fn with_reauth(mut self, reauth: Box<dyn Reauth>) -> Self {
        self.reauth = Some(reauth);
        self
    }

    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// The path prefix of the target's base URL (e.g. `/api`).
    pub fn target_base_path(&self) -> String {
        self.target.base_path.clone()
    }

    /// Stops sending at `deadline`, when `stop` is set, or after `max_sequences` sequences.
    pub fn set_limits(
        &mut self,
        deadline: Option<Instant>,
        stop: Option<Arc<AtomicBool>>,
        max_sequences: Option<u64>,
    ) {
        self.deadline = deadline;
        self.stop = stop;
        self.max_sequences = max_sequences;
    }

    /// True once a limit set by [`SeqRunner::set_limits`] is reached.
    pub fn halted(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
            || self
                .stop
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Relaxed))
            || self
                .max_sequences
                .is_some_and(|m| self.stats.sequences >= m)
    }

    /// Time the transport spent waiting for the rate limit or a 429/503 backoff.
    pub fn throttled(&self) -> Duration {
        self.transport.throttled()
    }

    /// True when the target died and could not be restarted: the campaign should stop.
    pub fn target_down(&self) -> bool {
        self.down
    }

    pub fn set_identities(&mut self, identities: Identities) {
        self.identities = identities;
    }

    /// Runs every call of `seq` in order; stops early when the target fails.
    pub fn run(&mut self, seq: &RequestSeq) -> SeqRun {
        let mut run = SeqRun::default();
        if self.halted() {
            return run;
        }
        let mut earlier: Vec<Option<HttpResponse>> = Vec::with_capacity(seq.calls.len());
        self.stats.sequences += 1;
        let burst = seq.calls.len() <= MAX_BURST && seq.calls.windows(2).all(|w| w[0] == w[1]);
        let max_calls = if burst {
            MAX_BURST
        } else {
            self.config.max_calls
        };
        for (index, call) in seq.calls.iter().enumerate().take(max_calls) {
            if self.down {
                break;
            }
            let name = self.identities.resolve(call.identity.as_deref()).to_owned();
            let abandoned = self.reauth.as_ref().is_some_and(|r| r.abandoned(&name));
            let Some(&op_index) = self.op_index.get(&call.operation).filter(|_| !abandoned) else {
                earlier.push(None);
                continue;
            };
            let model = Arc::clone(&self.model);
            let op = &model.operations[op_index];
            let creds = self.identities.for_identity(Some(&name));
            let mut request = render(call, op, &earlier, creds, &self.target.base_path);
            request
                .headers
                .extend(self.config.extra_headers.iter().cloned());
            let mut outcome = self.send(&request);
            if let Some(fresh) = self.reauthenticate(&name, op_index, &request, &outcome) {
                request = render(call, op, &earlier, &fresh, &self.target.base_path);
                request
                    .headers
                    .extend(self.config.extra_headers.iter().cloned());
                outcome = self.send(&request);
            }
            // A 429 asks for a pause: the rest of the sequence would only be refused (and the
            // throttle holds the next request back anyway).
            let failed = outcome.as_ref().map_or(true, |r| r.status == 429);
            self.record(
                op,
                op_index,
                index,
                request,
                outcome,
                &mut run,
                &mut earlier,
            );
            if failed {
                break;
            }
        }
        for oracle in &self.seq_oracles {
            for found in oracle.check(seq, &run) {
                run.finding_at
                    .push(found.at.min(run.exchanges.len().saturating_sub(1)));
                run.findings.push(found.finding);
            }
        }
        run
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        op: &Operation,
        op_index: usize,
        call: usize,
        request: HttpRequest,
        outcome: Outcome,
        run: &mut SeqRun,
        earlier: &mut Vec<Option<HttpResponse>>,
    ) {
        let slow = self.latency.limit(op_index, self.config.oracle.slow);
        let oracle_config = oracle::OracleConfig {
            slow,
            ..self.config.oracle
        };
        let mut findings = oracle::check_exchange(op, &request, &outcome, &oracle_config, true);
        if findings.iter().any(|f| f.kind == FindingKind::SlowResponse)
            && !self.confirmed_slow.contains(&op_index)
        {
            if self.still_slow(&request, slow) {
                self.confirmed_slow.insert(op_index);
            } else {
                findings.retain(|f| f.kind != FindingKind::SlowResponse);
            }
        }
        for finding in &mut findings {
            if finding.kind == FindingKind::SlowResponse {
                finding.slow_limit_ms = u64::try_from(slow.as_millis()).ok();
            }
        }
        if let Ok(response) = &outcome {
            self.latency.note(op_index, response.latency);
        }
        let stats = &mut self.stats.ops[op_index];
        stats.sent += 1;
        match &outcome {
            Ok(response) => {
                stats.by_class[usize::from(response.status / 100).min(5)] += 1;
                // Parsed once, for the checks, the error signature and the shape key.
                let json = parse_json(&response.body);
                self.stats
                    .tally
                    .note(op_index, response.status, &response.body);
                for check in &mut self.checks {
                    findings.extend(check.check_parsed(op, &request, response, json.as_ref()));
                }
                run.facts.push(ExchangeFacts {
                    op: op_index,
                    status: response.status,
                    // Only error bodies are signed: a success body holds data, whose
                    // variety is the shape key's business.
                    error_sig: if response.status >= 400 {
                        errsig::error_signature_parsed(
                            &response.body,
                            json.as_ref(),
                            oracle::request_text(&request).as_bytes(),
                        )
                    } else {
                        0
                    },
                    latency_us: u64::try_from(response.latency.as_micros()).unwrap_or(u64::MAX),
                    shape: shape_hash_parsed(&response.body, json.as_ref()),
                    producer: None,
                });
            }
            Err(error) => {
                stats.by_class[0] += 1;
                run.facts.push(ExchangeFacts {
                    op: op_index,
                    status: 0,
                    error_sig: *error as u64,
                    latency_us: 0,
                    shape: 0,
                    producer: None,
                });
            }
        }
        earlier.push(outcome.as_ref().ok().cloned());
        run.finding_at
            .extend(std::iter::repeat_n(run.exchanges.len(), findings.len()));
        run.findings.extend(findings);
        run.exchanges.push(Exchange {
            call,
            op: op_index,
            request,
            outcome,
        });
    }

    /// Shows a response to the [`Reauth`] hook; fresh credentials when it logged the identity in
    /// again (the call is then re-sent once with them).
    fn reauthenticate(
        &mut self,
        name: &str,
        op_index: usize,
        request: &HttpRequest,
        outcome: &Outcome,
    ) -> Option<Credentials> {
        let status = outcome.as_ref().ok()?.status;
        let hook = self.reauth.as_mut()?;
        if !hook.expired(name, op_index, request, status) {
            return None;
        }
        let fresh = hook.refresh(name, &mut self.transport)?;
        self.identities
            .by_name
            .insert(name.to_owned(), fresh.clone());
        Some(fresh)
    }

    /// Sends one request; a dropped or refused connection is checked against the target's health,
    /// so a crash is told apart from a hiccup, and a supervised target is restarted.
    fn send(&mut self, request: &HttpRequest) -> Outcome {
        if self.down {
            return Err(TransportError::ConnectFailed);
        }
        self.stats.requests += 1;
        let outcome = self.transport.send(request);
        match outcome {
            Err(TransportError::ConnectionDropped | TransportError::ConnectFailed)
                if !self.target_alive() =>
            {
                self.stats.crashes += 1;
                self.transport.reset();
                let restarted = match self.supervisor.as_mut() {
                    Some(supervisor) => supervisor.restart(),
                    None => false,
                };
                if restarted {
                    self.stats.restarts += 1;
                } else {
                    self.down = true;
                }
                Err(TransportError::ConnectFailed)
            }
            Err(TransportError::ConnectionDropped) => {
                tracing::debug!(
                    "connection dropped by a live target: {} {} ({} body bytes)",
                    request.method,
                    request.path_and_query.chars().take(80).collect::<String>(),
                    request.body.len()
                );
                Err(TransportError::ConnectionDropped)
            }
            other => other,
        }
    }

    /// Re-sends a request whose response was slower than `limit`; true when it is slow again.
    fn still_slow(&mut self, request: &HttpRequest, limit: Duration) -> bool {
        self.stats.requests += 1;
        match self.transport.send(request) {
            Ok(response) => response.latency > limit,
            Err(TransportError::Timeout) => true,
            Err(_) => false,
        }
    }

    fn target_alive(&self) -> bool {
        let Ok(addrs) = self.target.socket_addr().to_socket_addrs() else {
            return false;
        };
        addrs.into_iter().any(|addr| holds_connection(&addr))
    }
}

/// A response body as JSON, when it is JSON (an empty body is not parsed at all).
fn parse_json(body: &[u8]) -> Option<serde_json::Value> {
    if body.is_empty() {
        return None;
    }
    serde_json::from_slice(body).ok()
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
