//! The end-of-run summary (interim: replaced by `report::console` when the report writers land).

use std::fmt::Write;

use super::fuzz::FuzzReport;

pub fn render(report: &FuzzReport) -> String {
    let o = &report.outcome;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "shrike: {} executions in {:.1}s, corpus {}, {} of {} operations answered 2xx, {} distinct findings (seed {})",
        o.execs,
        o.elapsed.as_secs_f64(),
        o.corpus,
        o.stats.ops_with_2xx(),
        report.model.operations.len(),
        o.hits.len(),
        report.seed
    );
    for (sig, hits) in &o.hits {
        let _ = writeln!(out, "  {sig}  ({hits} hits)");
    }
    out
}
