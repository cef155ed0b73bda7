//! The end-of-run summary a person reads in ten seconds: what ran, one line per finding kind with
//! counts, the top findings (kind, operation, status, detail, case folder), then the exit status.

use std::fmt::Write as _;
use std::time::Duration;

use super::{ReportFinding, ReportInput, severity};
use crate::config::format_duration;
use crate::exit;

/// How many findings the summary lists one by one.
pub const TOP_FINDINGS: usize = 10;
/// Details longer than this many characters are shortened.
const DETAIL_MAX: usize = 100;

/// The exit code a run with these results ends with: findings or none.
pub fn exit_code(input: &ReportInput) -> i32 {
    if input.findings.is_empty() {
        exit::NO_FINDINGS
    } else {
        exit::FINDINGS
    }
}

/// The summary text, ending with a newline.
pub fn summary(input: &ReportInput) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "shrike: {} execs in {}{} against {}, {} operations, seed {}",
        input.execs,
        human(input.duration),
        rate(input.execs, input.duration),
        input.target,
        input.operations.len(),
        input.seed
    );
    if !input.throttled.is_zero() {
        let _ = writeln!(
            out,
            "waited {} for the rate limit and 429/503 backoff",
            human(input.throttled)
        );
    }
    if input.findings.is_empty() {
        let _ = writeln!(
            out,
            "\nno findings\n\nexit {}: no findings",
            exit::NO_FINDINGS
        );
        return out;
    }
    let mut counts = input.counts();
    counts.sort_by_key(|&(kind, _, _)| severity(kind));
    let total_hits = counts.iter().fold(0u64, |acc, c| acc.saturating_add(c.2));
    let _ = writeln!(
        out,
        "\n{} ({}):",
        plural(input.findings.len() as u64, "finding"),
        plural(total_hits, "hit")
    );
    for (kind, n, hits) in &counts {
        let _ = writeln!(
            out,
            "  {:<20} {n:>4}  ({})",
            kind.slug(),
            plural(*hits, "hit")
        );
    }
    let _ = writeln!(out, "\ntop findings:");
    for (i, f) in top(input).into_iter().enumerate() {
        write_finding(&mut out, i + 1, f);
    }
    if input.findings.len() > TOP_FINDINGS {
        let _ = writeln!(
            out,
            "  ... and {} more (see the JSON report or the cases folder)",
            input.findings.len() - TOP_FINDINGS
        );
    }
    let _ = writeln!(
        out,
        "\nexit {}: {}",
        exit::FINDINGS,
        plural(input.findings.len() as u64, "finding")
    );
    out
}

/// The findings worth listing: most severe first, then most frequent, then by signature.
fn top(input: &ReportInput) -> Vec<&ReportFinding> {
    let mut findings: Vec<&ReportFinding> = input.findings.iter().collect();
    findings.sort_by(|a, b| {
        severity(a.finding.kind)
            .cmp(&severity(b.finding.kind))
            .then(b.hits.cmp(&a.hits))
            .then(a.finding.signature.cmp(&b.finding.signature))
    });
    findings.truncate(TOP_FINDINGS);
    findings
}

fn write_finding(out: &mut String, n: usize, f: &ReportFinding) {
    let status = f
        .finding
        .status
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    let _ = writeln!(
        out,
        "  {n:>2}. {}  {}  {status}  {}",
        f.finding.kind.slug(),
        f.finding.operation,
        shorten(&f.finding.detail)
    );
    match &f.case_dir {
        Some(dir) => {
            let _ = writeln!(out, "      {}", dir.display());
        }
        None => out.push_str("      (no case saved)\n"),
    }
}

/// One line of at most [`DETAIL_MAX`] characters: control characters become spaces.
fn shorten(detail: &str) -> String {
    let clean: String = detail
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= DETAIL_MAX {
        return clean;
    }
    let mut short: String = clean.chars().take(DETAIL_MAX - 1).collect();
    short.push('…');
    short
}

/// `61.25 s` → `1m1s`; under a second, milliseconds.
fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format_duration(Duration::from_millis(d.as_millis() as u64))
    } else {
        format_duration(Duration::from_secs(d.as_secs()))
    }
}

fn rate(execs: u64, d: Duration) -> String {
    if d.is_zero() {
        return String::new();
    }
    format!(" ({:.0}/s)", execs as f64 / d.as_secs_f64())
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::{Finding, FindingKind};
    use crate::report::fixture;
    use crate::spec::OperationId;

    #[test]
    fn summary_of_the_fixture() {
        let want = "\
shrike: 123456 execs in 1m1s (2016/s) against http://127.0.0.1:8080, 4 operations, seed 42
waited 1s for the rate limit and 429/503 backoff

3 findings (21 hits):
  server-error            1  (17 hits)
  timeout                 1  (1 hit)
  undocumented-status     1  (3 hits)

top findings:
   1. server-error  createOrder  500  POST /orders answered 500 for a quantity of <-1> & note \"x\"
      shrike-out/cases/server-error.createOrder.500.9f3a1c2b7d4e5f60
   2. timeout  getOrder  -  GET /orders/{orderId}: no response within the timeout
      shrike-out/cases/timeout.getOrder.none.0000000000000000
   3. undocumented-status  listOrders  302  GET /orders answered 302, which the spec does not document for this operation
      (no case saved)

exit 1: 3 findings
";
        let input = fixture::input();
        assert_eq!(summary(&input), want);
        assert_eq!(exit_code(&input), exit::FINDINGS);
    }

    #[test]
    fn a_clean_run() {
        let mut input = fixture::input();
        input.findings.clear();
        input.throttled = Duration::ZERO;
        input.duration = Duration::from_millis(250);
        let want = "\
shrike: 123456 execs in 250ms (493824/s) against http://127.0.0.1:8080, 4 operations, seed 42

no findings

exit 0: no findings
";
        assert_eq!(summary(&input), want);
        assert_eq!(exit_code(&input), exit::NO_FINDINGS);
    }

    #[test]
    fn many_findings_are_cut_to_the_top_ones_by_severity_and_hits() {
        let mut input = fixture::input();
        input.findings.clear();
        for i in 0..12u64 {
            let op = OperationId(format!("op{i:02}"));
            let kind = if i == 11 {
                FindingKind::TargetCrash
            } else {
                FindingKind::SlowResponse
            };
            let detail = format!("line one\nline two {}", "x".repeat(200));
            input.findings.push(crate::report::ReportFinding {
                finding: Finding::new(kind, &op, Some(200), 0, detail),
                hits: i,
                request: None,
                response: None,
                case_dir: None,
            });
        }
        let text = summary(&input);
        let listed: Vec<&str> = text
            .lines()
            .filter(|l| {
                let numbered = l
                    .trim_start()
                    .split_once(". ")
                    .map(|(n, _)| n.parse::<usize>());
                matches!(numbered, Some(Ok(_)))
            })
            .collect();
        assert_eq!(listed.len(), TOP_FINDINGS);
        assert!(listed[0].contains("target-crash  op11"), "{}", listed[0]);
        assert!(
            listed[1].contains("slow-response  op10"),
            "most hits next: {}",
            listed[1]
        );
        assert!(
            listed
                .iter()
                .all(|l| !l.contains("op00") && !l.contains("op01"))
        );
        assert!(text.contains("... and 2 more"));
        assert!(text.contains("line one line two xxx"), "newlines flattened");
        assert!(
            listed.iter().all(|l| l.ends_with('…')),
            "long details shortened"
        );
        assert!(text.ends_with("exit 1: 12 findings\n"));
    }
}
