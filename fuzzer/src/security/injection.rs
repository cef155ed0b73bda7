//! The injection check's judge: an [`InjectionOracle`] looks in one run for the same call sent with
//! a benign value and with attack values in one string (parameter or body field), and reports an
//! injection when the responses prove it:
//!
//! - **error signature**: the attack value, sent twice, both times yields a database, template or
//!   interpreter error (see [`crate::oracle::families`]) that the benign value does not;
//! - **boolean differential** (SQL): `B' OR '1'='1` and `B' AND '1'='2` (each sent twice) answer
//!   2xx with different results, the false one agreeing with the benign `B`, the true one larger;
//! - **time differential** (SQL): a sleep payload, sent twice, is answered both times at least
//!   [`MIN_EXTRA`] later than the benign value.
//!
//! The sequences come from [`super::injection_probe::InjectionProber`]; the oracle itself is pure,
//! so `shrike repro` and the minimizer judge a saved case the same way. One finding per
//! (operation, parameter), whichever technique shows it.

use std::collections::BTreeMap;
use std::time::Duration;

use super::injection_leaf::{LeafPath, differs_only_at, leaf_value};
use crate::campaign::runner::SeqRun;
use crate::http::HttpResponse;
use crate::input::RequestSeq;
use crate::oracle::errsig::fnv1a;
use crate::oracle::families::{ErrorFamily, classify_status};
use crate::oracle::{Finding, FindingKind, Signature};
use crate::probe::{SeqFinding, SeqOracle};
use crate::spec::OperationId;

/// The benign value probes start from (chosen to match nothing in a typical data set).
pub const BASE: &str = "shrike";
/// Appended to the base to break out of a quoted SQL string.
pub const QUOTE: &str = "'";
/// Appended to the base: a condition that is always true once injected.
pub const TRUE_SUFFIX: &str = "' OR '1'='1";
/// Appended to the base: a condition that is always false once injected.
pub const FALSE_SUFFIX: &str = "' AND '1'='2";
/// How long the sleep payloads ask the database to wait.
pub const DELAY: Duration = Duration::from_secs(2);
/// How much later than the benign value a sleep payload must be answered, both times.
pub const MIN_EXTRA: Duration = Duration::from_millis(1500);
/// Sleep payloads appended to the base, per SQL dialect (each waits [`DELAY`] once per query).
pub const SLEEPS: [(&str, &str); 3] = [
    (
        "MySQL",
        "' AND (SELECT 1 FROM (SELECT SLEEP(2))s)=1 AND '1'='1",
    ),
    ("PostgreSQL", "'||(SELECT '' FROM pg_sleep(2))||'"),
    ("MSSQL", "';WAITFOR DELAY '0:0:2'--"),
];

/// True when a value holds a character that means something to an interpreter (quote, brace,
/// operator…): a value without one is benign.
pub fn has_metachar(value: &str) -> bool {
    value.contains("--")
        || value
            .chars()
            .any(|c| "'\"`\\;$(){}<>|&".contains(c) || c.is_control())
}

/// A benign value of the same call: the attack value without its metacharacters, or [`BASE`].
pub fn benign_of(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .collect::<String>()
        .trim()
        .to_owned();
    if kept.is_empty() || has_metachar(&kept) {
        BASE.to_owned()
    } else {
        kept
    }
}

/// `body` with every copy of `value` (as sent and JSON-escaped) replaced by `§`.
pub fn blank(body: &[u8], value: &str) -> String {
    let mut text = String::from_utf8_lossy(body).into_owned();
    let escaped = serde_json::to_string(value).unwrap_or_default();
    for form in [value, escaped.trim_matches('"')] {
        if !form.is_empty() {
            text = text.replace(form, "\u{a7}");
        }
    }
    text
}

/// The error family of an answer once the value the request carried is blanked out, and so is
/// every word of it wherever it appears: a validation message that quotes a payload such as
/// `SELECT 1 FROM …` (even re-escaped) is not a database error.
///
/// Below a 5xx, SQL text alone does not count (see [`classify_strict`]).
pub fn family_without(body: &[u8], status: u16, value: &str) -> Option<ErrorFamily> {
    let words: std::collections::HashSet<String> = value
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2)
        .map(str::to_lowercase)
        .collect();
    let text = blank(body, value);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if words.contains(&word.to_lowercase()) {
            out.push('\u{a7}');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    classify_status(out.as_bytes(), status)
}

/// The injection judge (see the module docs).
#[derive(Debug, Default)]
pub struct InjectionOracle;

/// One call of the run with its response.
struct Sent<'a> {
    exchange: usize,
    response: &'a HttpResponse,
}

/// What one technique proved: the exchange that shows it and a sentence for the report.
struct Proof {
    at: usize,
    status: u16,
    detail: String,
}

impl SeqOracle for InjectionOracle {
    fn name(&self) -> &'static str {
        "injection"
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut sent: Vec<Option<Sent<'_>>> = seq.calls.iter().map(|_| None).collect();
        for (i, exchange) in run.exchanges.iter().enumerate() {
            if let (Ok(response), Some(slot)) = (&exchange.outcome, sent.get_mut(exchange.call)) {
                *slot = Some(Sent {
                    exchange: i,
                    response,
                });
            }
        }
        let mut found: BTreeMap<(OperationId, LeafPath), SeqFinding> = BTreeMap::new();
        for (b, anchor) in seq.calls.iter().enumerate() {
            let Some(benign) = &sent[b] else { continue };
            let mut groups: BTreeMap<LeafPath, Vec<(&str, &Sent<'_>)>> = BTreeMap::new();
            for (k, call) in seq.calls.iter().enumerate().skip(b + 1) {
                let (Some(leaf), Some(variant)) = (differs_only_at(anchor, call), &sent[k]) else {
                    continue;
                };
                if let Some(value) = leaf_value(call, &leaf) {
                    groups.entry(leaf).or_default().push((value, variant));
                }
            }
            for (leaf, variants) in groups {
                let key = (anchor.operation.clone(), leaf);
                let Some(a) = leaf_value(anchor, &key.1) else {
                    continue;
                };
                if found.contains_key(&key) || has_metachar(a) {
                    continue;
                }
                let proof = error_proof(a, benign, &variants)
                    .or_else(|| boolean_proof(a, benign, &variants))
                    .or_else(|| time_proof(a, benign, &variants));
                if let Some(proof) = proof {
                    let finding = finding(&key.0, &key.1, proof.status, &proof.detail);
                    found.insert(
                        key,
                        SeqFinding {
                            finding,
                            at: proof.at,
                        },
                    );
                }
            }
        }
        found.into_values().collect()
    }
}

/// The finding for (operation, injection point): its signature ignores status, technique and
/// the shape the value was sent in (see [`LeafPath::point`]).
fn finding(op: &OperationId, leaf: &LeafPath, status: u16, detail: &str) -> Finding {
    let sig = fnv1a(leaf.point().as_bytes());
    let mut finding = Finding::new(FindingKind::Injection, op, Some(status), sig, detail);
    finding.signature = Signature::new(FindingKind::Injection, op, None, sig);
    finding
}

/// The responses to `value` among the variants.
fn answers<'v, 'a>(variants: &'v [(&str, &'v Sent<'a>)], value: &str) -> Vec<&'v Sent<'a>> {
    variants
        .iter()
        .filter(|(v, _)| *v == value)
        .map(|(_, s)| *s)
        .collect()
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(160).collect()
}

/// An attack value whose two answers both carry the same error family the benign answer lacks.
fn error_proof(a: &str, benign: &Sent<'_>, variants: &[(&str, &Sent<'_>)]) -> Option<Proof> {
    if family_without(&benign.response.body, benign.response.status, a).is_some() {
        return None;
    }
    let mut values: Vec<&str> = variants.iter().map(|(v, _)| *v).collect();
    values.sort_unstable();
    values.dedup();
    values.into_iter().filter(|v| has_metachar(v)).find_map(|x| {
        let sent = answers(variants, x);
        let families: Vec<Option<ErrorFamily>> = sent
            .iter()
            .map(|s| family_without(&s.response.body, s.response.status, x))
            .collect();
        let family = (*families.first()?)?;
        let last = sent.last()?;
        (sent.len() >= 2 && families.iter().all(|f| *f == Some(family))).then(|| Proof {
            at: last.exchange,
            status: last.response.status,
            detail: format!(
                "{x:?} is answered {} with a {} error (`{}`), twice, while the same call with {a:?} is answered {} without one",
                last.response.status,
                family.slug(),
                excerpt(&last.response.body),
                benign.response.status
            ),
        })
    })
}

/// A response's status and body with the value the request carried blanked out (an echo of the
/// value must not make two answers differ).
fn fingerprint(sent: &Sent<'_>, value: &str) -> (u16, String) {
    (sent.response.status, blank(&sent.response.body, value))
}

/// The true/false pair differs (twice alike), the false answer agrees with the benign one, and
/// the true answer carries more: the condition was evaluated.
fn boolean_proof(a: &str, benign: &Sent<'_>, variants: &[(&str, &Sent<'_>)]) -> Option<Proof> {
    let t = format!("{a}{TRUE_SUFFIX}");
    let f = format!("{a}{FALSE_SUFFIX}");
    let (ts, fs) = (answers(variants, &t), answers(variants, &f));
    if ts.len() < 2 || fs.len() < 2 {
        return None;
    }
    let all_2xx = std::iter::once(benign)
        .chain(ts.iter().copied())
        .chain(fs.iter().copied())
        .all(|s| (200..300).contains(&s.response.status));
    let base = fingerprint(benign, a);
    let tp: Vec<_> = ts.iter().map(|s| fingerprint(s, &t)).collect();
    let fp: Vec<_> = fs.iter().map(|s| fingerprint(s, &f)).collect();
    let stable = tp.iter().all(|x| *x == tp[0]) && fp.iter().all(|x| *x == fp[0]);
    let proves =
        all_2xx && stable && fp[0] == base && tp[0] != fp[0] && tp[0].1.len() > fp[0].1.len();
    let last = ts.last()?;
    proves.then(|| Proof {
        at: last.exchange,
        status: last.response.status,
        detail: format!(
            "{t:?} is answered with {} bytes and {f:?} with {} bytes (each twice alike), and the false one agrees with the benign {a:?}: the injected SQL condition was evaluated",
            last.response.body.len(),
            fs[0].response.body.len()
        ),
    })
}

/// A sleep payload answered at least [`MIN_EXTRA`] later than the benign value, twice.
fn time_proof(a: &str, benign: &Sent<'_>, variants: &[(&str, &Sent<'_>)]) -> Option<Proof> {
    let floor = benign.response.latency + MIN_EXTRA;
    SLEEPS.iter().find_map(|(dialect, suffix)| {
        let sent = answers(variants, &format!("{a}{suffix}"));
        let last = sent.last()?;
        (sent.len() >= 2 && sent.iter().all(|s| s.response.latency >= floor)).then(|| Proof {
            at: last.exchange,
            status: last.response.status,
            detail: format!(
                "a {dialect} sleep of {} s appended to {a:?} delays the answer to {} ms, twice (benign: {} ms)",
                DELAY.as_secs(),
                last.response.latency.as_millis(),
                benign.response.latency.as_millis()
            ),
        })
    })
}

#[cfg(test)]
#[path = "injection_tests.rs"]
mod tests;
