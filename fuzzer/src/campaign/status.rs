//! The live status line on stderr: executions per second, corpus size, operations that got a 2xx,
//! and findings by kind. On a terminal it redraws in place every second; in a log it prints a plain
//! line every 15 seconds.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::runner::RunStats;
use crate::oracle::Signature;

pub struct StatusLine {
    enabled: bool,
    tty: bool,
    started: Instant,
    last: Instant,
    last_execs: u64,
    operations: usize,
    drawn: bool,
}

impl StatusLine {
    pub fn new(enabled: bool, operations: usize) -> Self {
        let now = Instant::now();
        StatusLine {
            enabled,
            tty: std::io::stderr().is_terminal(),
            started: now,
            last: now,
            last_execs: 0,
            operations,
            drawn: false,
        }
    }

    pub fn tick(
        &mut self,
        execs: u64,
        corpus: usize,
        stats: &RunStats,
        hits: &BTreeMap<Signature, u64>,
    ) {
        let every = if self.tty {
            Duration::from_secs(1)
        } else {
            Duration::from_secs(15)
        };
        if !self.enabled || self.last.elapsed() < every {
            return;
        }
        let rate = (execs - self.last_execs) as f64 / self.last.elapsed().as_secs_f64();
        let line = format_line(
            self.started.elapsed(),
            execs,
            rate,
            corpus,
            stats,
            self.operations,
            hits,
        );
        let mut err = std::io::stderr().lock();
        let _ = if self.tty {
            write!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
        self.drawn = self.tty;
        self.last = Instant::now();
        self.last_execs = execs;
    }

    /// Ends the redrawn line so the summary starts on a fresh one.
    pub fn finish(&mut self) {
        if self.drawn {
            eprintln!();
            self.drawn = false;
        }
    }
}

/// One status line, e.g. `[00:42] 51234 execs (1210/s) · corpus 88 · 2xx ops 19/20 · findings: server-error 3`.
pub fn format_line(
    elapsed: Duration,
    execs: u64,
    rate: f64,
    corpus: usize,
    stats: &RunStats,
    operations: usize,
    hits: &BTreeMap<Signature, u64>,
) -> String {
    let secs = elapsed.as_secs();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for signature in hits.keys() {
        let kind = signature.as_str().split('.').next().unwrap_or("?");
        *by_kind.entry(kind).or_default() += 1;
    }
    let findings = if by_kind.is_empty() {
        "none".to_string()
    } else {
        by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "[{:02}:{:02}] {execs} execs ({rate:.0}/s) · corpus {corpus} · 2xx ops {}/{operations} · findings: {findings}",
        secs / 60,
        secs % 60,
        stats.ops_with_2xx(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::runner::OpStats;

    #[test]
    fn line_shows_rates_coverage_and_findings_by_kind() {
        let stats = RunStats {
            ops: vec![
                OpStats {
                    sent: 3,
                    by_class: [0, 0, 2, 0, 1, 0],
                },
                OpStats::default(),
            ],
            ..RunStats::default()
        };
        let mut hits = BTreeMap::new();
        hits.insert(Signature("server-error.a.500.01".into()), 4);
        hits.insert(Signature("server-error.b.500.02".into()), 1);
        hits.insert(Signature("timeout.a.none.00".into()), 1);
        let line = format_line(Duration::from_secs(75), 1000, 250.4, 12, &stats, 2, &hits);
        assert_eq!(
            line,
            "[01:15] 1000 execs (250/s) · corpus 12 · 2xx ops 1/2 · findings: server-error 2, timeout 1"
        );
    }
}
