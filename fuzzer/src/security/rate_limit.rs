//! Missing rate limiting (off by default; `--check rate-limit`): a burst of identical requests
//! to an operation that should be throttled is never answered 429.
//!
//! Throttled operations are the logins of the auth file (a burst of failed logins for one fresh,
//! unknown user, so no configured identity is ever locked out) and the operations whose spec
//! documents a 429 (a burst of one of their successful calls that needs no earlier response).
//! The burst is one sequence of identical calls, which the runner sends whole (see
//! [`MAX_BURST`]), so the finding replays. Only a burst the operation really served counts: every
//! answer with the same status, a success or a refused login (401, 403). A burst refused by input
//! validation (400, 422) never reached the code a limit protects (and a minimized case must not
//! turn into one); a status that changes partway (401s, then 403 or 423: a lockout) is a defence.

use std::collections::HashSet;
use std::sync::Arc;

use rand::RngCore;

use super::enumeration::AuthTarget;
use super::success;
use crate::campaign::runner::{MAX_BURST, SeqRun};
use crate::input::RequestSeq;
use crate::oracle::{Finding, FindingKind};
use crate::probe::{Prober, SeqFinding, SeqOracle};
use crate::spec::{Model, StatusKey};

const NAME: &str = "missing-rate-limit";
/// Requests in a burst unless configured otherwise.
pub const DEFAULT_BURST: usize = 50;
/// Operations documenting 429 that are burst-tested, at most.
const MAX_DOCUMENTED: usize = 3;

/// The operations a burst is judged on: logins and those documenting 429.
fn throttled_ops(model: &Model, targets: &[AuthTarget]) -> HashSet<usize> {
    let documented = model
        .operations
        .iter()
        .enumerate()
        .filter(|(_, op)| op.responses.contains_key(&StatusKey::Code(429)))
        .map(|(i, _)| i);
    targets
        .iter()
        .filter(|t| t.is_login)
        .map(|t| t.op)
        .chain(documented)
        .collect()
}

pub struct RateLimitProber {
    model: Arc<Model>,
    logins: Vec<AuthTarget>,
    documented: HashSet<usize>,
    burst: usize,
    logins_done: bool,
    probed: HashSet<usize>,
}

impl RateLimitProber {
    pub fn new(model: Arc<Model>, targets: &[AuthTarget], burst: usize) -> Self {
        let logins: Vec<AuthTarget> = targets.iter().filter(|t| t.is_login).cloned().collect();
        let mut documented = throttled_ops(&model, targets);
        for t in &logins {
            documented.remove(&t.op);
        }
        RateLimitProber {
            model,
            logins,
            documented,
            burst: burst.clamp(2, MAX_BURST),
            logins_done: false,
            probed: HashSet::new(),
        }
    }
}

impl Prober for RateLimitProber {
    fn name(&self) -> &'static str {
        NAME
    }

    fn derive(&mut self, seq: &RequestSeq, run: &SeqRun, rng: &mut dyn RngCore) -> Vec<RequestSeq> {
        let mut out = Vec::new();
        if !std::mem::replace(&mut self.logins_done, true) {
            for target in &self.logins {
                let call = target.call(&self.model, target.unknown(rng));
                out.push(RequestSeq::new(vec![call; self.burst]));
            }
        }
        for exchange in &run.exchanges {
            let Some(call) = seq.calls.get(exchange.call) else {
                continue;
            };
            let standalone = call.nodes().all(|n| n.refs().is_empty());
            if success(exchange).is_none()
                || !standalone
                || !self.documented.contains(&exchange.op)
                || self.probed.len() >= MAX_DOCUMENTED
                || !self.probed.insert(exchange.op)
            {
                continue;
            }
            out.push(RequestSeq::new(vec![call.clone(); self.burst]));
        }
        out
    }
}

pub struct RateLimitOracle {
    model: Arc<Model>,
    ops: HashSet<usize>,
    burst: usize,
}

impl RateLimitOracle {
    pub fn new(model: Arc<Model>, targets: &[AuthTarget], burst: usize) -> Self {
        let ops = throttled_ops(&model, targets);
        RateLimitOracle {
            model,
            ops,
            burst: burst.clamp(2, MAX_BURST),
        }
    }
}

impl SeqOracle for RateLimitOracle {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let identical = seq.calls.windows(2).all(|w| w[0] == w[1]);
        let Some(first) = run.exchanges.first() else {
            return Vec::new();
        };
        if !identical || run.exchanges.len() < self.burst || !self.ops.contains(&first.op) {
            return Vec::new();
        }
        let Ok(status) = first.outcome.as_ref().map(|r| r.status) else {
            return Vec::new();
        };
        let served = (200..300).contains(&status) || matches!(status, 401 | 403);
        let same = run
            .exchanges
            .iter()
            .all(|e| e.outcome.as_ref().is_ok_and(|r| r.status == status));
        if !served || !same {
            return Vec::new();
        }
        let op = &self.model.operations[first.op];
        let detail = format!(
            "{} identical requests to {} {} in a row were never answered 429 ({status} ×{})",
            run.exchanges.len(),
            op.method.as_str(),
            op.path,
            run.exchanges.len(),
        );
        let last = run.exchanges.len() - 1;
        vec![SeqFinding {
            finding: Finding::new(FindingKind::MissingRateLimit, &op.id, None, 0, detail),
            at: last,
        }]
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::security::enumeration::auth_targets;
    use crate::security::testkit::*;

    fn targets() -> Vec<AuthTarget> {
        let auth: crate::auth::AuthFile = toml::from_str(
            "[[identity]]\nname = \"alice\"\n[identity.login]\noperation = \"login\"\n\
             body = { username = \"alice\", password = \"pw\" }\ntoken = \"/token\"\n",
        )
        .unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        auth_targets(&ctx(), Some(&auth), &mut rng)
    }

    #[test]
    fn a_burst_of_failed_logins_for_an_unknown_user_is_sent_once() {
        let model = Arc::new(model());
        let mut prober = RateLimitProber::new(Arc::clone(&model), &targets(), 10);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let probes = prober.derive(&RequestSeq::default(), &SeqRun::default(), &mut rng);
        assert_eq!(probes.len(), 1);
        assert_eq!(probes[0].calls.len(), 10);
        let body = probes[0].calls[0].body.as_ref().unwrap().value.to_value();
        assert_ne!(
            body["username"], "alice",
            "never lock out a configured identity"
        );
        assert!(
            prober
                .derive(&RequestSeq::default(), &SeqRun::default(), &mut rng)
                .is_empty()
        );
    }

    #[test]
    fn a_burst_without_429_is_reported_and_one_with_429_is_not() {
        let model = Arc::new(model());
        let oracle = RateLimitOracle::new(Arc::clone(&model), &targets(), 10);
        let seq = RequestSeq::new(vec![call("login", None, None); 10]);
        let unthrottled = vec![(401, "{}"); 10];
        let found = oracle.check(&seq, &run_of(&model, &seq, &unthrottled));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].finding.kind, FindingKind::MissingRateLimit);
        assert!(found[0].finding.detail.contains("401 ×10"));
        let mut throttled = vec![(401, "{}"); 10];
        throttled[7] = (429, "{}");
        assert!(
            oracle
                .check(&seq, &run_of(&model, &seq, &throttled))
                .is_empty()
        );
        // Answers of input validation (or of an error) never reached the throttled code.
        // A lockout partway (401s, then 403 or 423) is a defence.
        for refused in [400, 422, 500, 403, 423] {
            let mut invalid = vec![(401, "{}"); 10];
            invalid[3..].fill((refused, "{}"));
            assert!(
                oracle
                    .check(&seq, &run_of(&model, &seq, &invalid))
                    .is_empty(),
                "{refused}"
            );
        }
        // Too short a burst, or another operation, proves nothing.
        let short = RequestSeq::new(vec![call("login", None, None); 5]);
        assert!(
            oracle
                .check(&short, &run_of(&model, &short, &unthrottled))
                .is_empty()
        );
        let other = RequestSeq::new(vec![call("getOrder", None, None); 10]);
        assert!(
            oracle
                .check(&other, &run_of(&model, &other, &unthrottled))
                .is_empty()
        );
    }
}
