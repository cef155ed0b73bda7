//! End-of-run diagnostics: for every operation that never got a 2xx, the most likely reason
//! (every call failed authentication, a required producer never succeeded, every body was
//! rejected with 400/422 and the most frequent message, …), and the series of "operations with a
//! 2xx" over time.
//!
//! [`Tally`] is fed by the runner with each response (cheap: counters, and the error message of
//! a 400/422 only while few distinct ones are known); [`diagnose`] reads it at the end.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::DepGraph;
use crate::spec::Model;

/// Distinct error messages remembered per operation.
const MAX_MESSAGES: usize = 8;
/// Longest error message kept.
const MESSAGE_LEN: usize = 120;

/// What the responses of one operation looked like.
#[derive(Debug, Clone, Default)]
pub struct OpTally {
    /// Responses by exact status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Messages of 400/422 answers and how often each came.
    pub messages: BTreeMap<String, u64>,
    /// When the first 2xx came, from the first response of the run.
    pub first_2xx: Option<Duration>,
}

/// Per-operation response tallies of a run.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    started: Option<Instant>,
    pub ops: Vec<OpTally>,
}

impl Tally {
    /// Counts one response of operation `op`.
    pub fn note(&mut self, op: usize, status: u16, body: &[u8]) {
        let started = *self.started.get_or_insert_with(Instant::now);
        if self.ops.len() <= op {
            self.ops.resize_with(op + 1, OpTally::default);
        }
        let tally = &mut self.ops[op];
        *tally.statuses.entry(status).or_default() += 1;
        if (200..300).contains(&status) && tally.first_2xx.is_none() {
            tally.first_2xx = Some(started.elapsed());
        }
        if matches!(status, 400 | 422) {
            let message = error_message(body);
            if tally.messages.len() < MAX_MESSAGES || tally.messages.contains_key(&message) {
                *tally.messages.entry(message).or_default() += 1;
            }
        }
    }

    /// `(milliseconds, operations with a 2xx by then, the operation)` at each first 2xx, in time
    /// order.
    pub fn series(&self) -> Vec<(u64, usize, usize)> {
        let mut firsts: Vec<(Duration, usize)> = self
            .ops
            .iter()
            .enumerate()
            .filter_map(|(op, t)| t.first_2xx.map(|d| (d, op)))
            .collect();
        firsts.sort();
        firsts
            .into_iter()
            .enumerate()
            .map(|(i, (d, op))| (u64::try_from(d.as_millis()).unwrap_or(u64::MAX), i + 1, op))
            .collect()
    }

    fn get(&self, op: usize) -> Option<&OpTally> {
        self.ops.get(op)
    }
}

/// The message of an error body: its `message`/`detail`/`title`/`error` member, else its text,
/// cut to [`MESSAGE_LEN`] characters.
fn error_message(body: &[u8]) -> String {
    let body = &body[..body.len().min(4096)];
    let from_json = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            ["message", "detail", "title", "error", "errors"]
                .iter()
                .find_map(|k| {
                    v.get(k)
                        .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                })
        });
    let text = from_json.unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
    text.chars().take(MESSAGE_LEN).collect()
}

/// Why an operation never got a 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub operation: String,
    pub reason: String,
}

/// One diagnosis per operation of `model` without a 2xx in `tally`, in spec order.
pub fn diagnose(model: &Model, graph: &DepGraph, tally: &Tally) -> Vec<Diagnosis> {
    let ok = |op: usize| {
        tally
            .get(op)
            .is_some_and(|t| t.statuses.range(200..300).next().is_some())
    };
    model
        .operations
        .iter()
        .enumerate()
        .filter(|(i, _)| !ok(*i))
        .map(|(i, op)| Diagnosis {
            operation: op.id.to_string(),
            reason: reason(model, graph, tally.get(i), i, &ok),
        })
        .collect()
}

fn reason(
    model: &Model,
    graph: &DepGraph,
    tally: Option<&OpTally>,
    op: usize,
    ok: &dyn Fn(usize) -> bool,
) -> String {
    let Some(tally) = tally.filter(|t| !t.statuses.is_empty()) else {
        return "never answered (no request reached it, or none got a response)".to_owned();
    };
    let total: u64 = tally.statuses.values().sum();
    let count = |codes: &[u16]| -> u64 {
        codes
            .iter()
            .map(|c| tally.statuses.get(c).copied().unwrap_or(0))
            .sum()
    };
    let auth = count(&[401, 403]);
    if auth == total {
        return format!(
            "every call failed authentication or authorization ({}): check the credentials, or whether it needs another role",
            status_list(tally)
        );
    }
    let needs_credentials = model.operations[op].requires_auth();
    if auth * 5 >= total && !needs_credentials {
        return format!(
            "refused with 401/403 ({auth} of {total}) although it needs no credentials: the values sent (credentials in the body?) were not accepted; other answers: {}",
            status_list(tally)
        );
    }
    if auth * 5 >= total {
        return format!(
            "calls were refused with 401/403 ({auth} of {total}) and the rest failed ({}): it likely needs another identity or role",
            status_list(tally)
        );
    }
    let producers: Vec<usize> = graph
        .into_op(op)
        .filter(|e| matches!(e.slot, super::Slot::Param { .. }))
        .map(|e| e.producer)
        .collect();
    let not_found = count(&[404, 410]);
    if !producers.is_empty() && !producers.iter().any(|p| ok(*p)) {
        let mut names: Vec<&str> = producers
            .iter()
            .map(|p| model.operations[*p].id.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        return format!(
            "a required producer never succeeded ({}; responses: {})",
            names.join(", "),
            status_list(tally)
        );
    }
    let rejected = count(&[400, 422]);
    if rejected * 2 > total {
        let top = tally
            .messages
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(m, n)| format!("; most frequent: \"{m}\" ({n}x)"))
            .unwrap_or_default();
        return format!(
            "bodies or parameters rejected ({}){top}",
            status_list(tally)
        );
    }
    if not_found * 2 > total {
        return format!(
            "the resources it names were not found ({}): no producer gave an id it accepts",
            status_list(tally)
        );
    }
    format!(
        "no success among {total} responses ({})",
        status_list(tally)
    )
}

/// `403 x12, 404 x3` (the five most frequent).
fn status_list(tally: &OpTally) -> String {
    let mut codes: Vec<(&u16, &u64)> = tally.statuses.iter().collect();
    codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    codes
        .iter()
        .take(5)
        .map(|(c, n)| format!("{c} x{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_from_json_members_or_text() {
        assert_eq!(
            error_message(br#"{"error":"x","message":"too long"}"#),
            "too long"
        );
        assert_eq!(error_message(b"  plain  "), "plain");
        assert_eq!(error_message(br#"{"errors":[1]}"#), "[1]");
    }

    #[test]
    fn series_counts_first_successes_in_order() {
        let mut t = Tally::default();
        t.note(2, 404, b"");
        t.note(2, 200, b"");
        t.note(0, 201, b"");
        t.note(0, 200, b"");
        t.note(1, 422, br#"{"message":"bad"}"#);
        let series = t.series();
        assert_eq!(series.len(), 2);
        assert_eq!(series.last().map(|s| s.1), Some(2));
        assert_eq!(t.ops[1].messages.get("bad"), Some(&1));
    }
}
