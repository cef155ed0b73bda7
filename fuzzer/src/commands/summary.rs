//! From a finished run to what people and CI read: the report input built from the case store,
//! the console summary, and the requested report files.

use std::fmt::Write;
use std::time::Duration;

use super::fuzz::FuzzReport;
use crate::cases::store::list_cases;
use crate::cases::{CaseFile, load_case};
use crate::config::ReportPaths;
use crate::deps::DepGraph;
use crate::deps::diagnose::diagnose;
use crate::generate::Generator;
use crate::http::{HttpRequest, HttpResponse};
use crate::report::coverage::Coverage;
use crate::report::{self, ReportFinding, ReportInput, ReportOperation};

/// The report input of a run: every case in its output folder (this run's and resumed ones), with
/// this run's hit counts.
pub fn report_input(report: &FuzzReport) -> ReportInput {
    let o = &report.outcome;
    let findings = list_cases(&report.out.join("cases"))
        .into_iter()
        .filter_map(|dir| load_case(&dir).ok().map(|case| (dir, case)))
        .map(|(dir, case)| {
            let hits = o.hits.get(&case.signature).copied().unwrap_or(case.hits);
            let (request, response) = last_exchange(&case);
            ReportFinding {
                finding: case.finding(),
                hits,
                request,
                response,
                case_dir: Some(dir),
            }
        })
        .collect();
    ReportInput {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        spec: report.spec.clone(),
        target: report.target.clone(),
        seed: report.seed,
        duration: o.elapsed,
        execs: o.execs,
        throttled: o.throttled,
        operations: report
            .model
            .operations
            .iter()
            .map(ReportOperation::from)
            .collect(),
        findings,
        regression: report.regression.clone(),
        coverage: Some(coverage(report)),
    }
}

/// Which operations got a 2xx, when, and why the others did not.
fn coverage(report: &FuzzReport) -> Coverage {
    let model = &report.model;
    let graph = DepGraph::infer(model, &Generator::new(model.defs.clone()));
    let tally = &report.outcome.stats.tally;
    Coverage {
        operations: model.operations.len(),
        with_2xx: report.outcome.stats.ops_with_2xx(),
        never_2xx: diagnose(model, &graph, tally)
            .into_iter()
            .map(|d| (d.operation, d.reason))
            .collect(),
        series: tally
            .series()
            .into_iter()
            .map(|(ms, n, op)| (ms, n, model.operations[op].id.to_string()))
            .collect(),
    }
}

/// The request and response that showed a case's finding (the last exchange), as recorded.
fn last_exchange(case: &CaseFile) -> (Option<HttpRequest>, Option<HttpResponse>) {
    let Some(ex) = case.exchanges.last() else {
        return (None, None);
    };
    let request = HttpRequest {
        method: ex.request.method.clone(),
        path_and_query: ex.request.path.clone(),
        headers: ex.request.headers.clone(),
        body: ex.request.body_bytes(),
    };
    let response = ex.response.as_ref().map(|r| HttpResponse {
        status: r.status,
        headers: r.headers.clone(),
        body: r.body_excerpt.as_bytes().to_vec(),
        truncated: false,
        latency: Duration::from_secs_f64(r.latency_ms / 1000.0),
    });
    (Some(request), response)
}

/// Writes the requested report files; returns what was written, or the error to print.
pub fn write_reports(
    paths: &ReportPaths,
    input: &ReportInput,
) -> Result<Vec<std::path::PathBuf>, String> {
    report::write_requested(paths, input).map_err(|e| e.to_string())
}

/// The end-of-run summary: the report's console summary plus the campaign's own figures.
pub fn render(report: &FuzzReport, input: &ReportInput) -> String {
    let o = &report.outcome;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "corpus {} ({} resumed), {} of {} operations answered 2xx, {} requests, {} target restarts; output in {}",
        o.corpus,
        o.resumed,
        o.stats.ops_with_2xx(),
        report.model.operations.len(),
        o.stats.requests,
        o.stats.restarts,
        report.out.display()
    );
    if let Some(r) = &report.regression {
        let _ = writeln!(
            out,
            "regression: {} saved case(s) replayed, {} still fail, {} fixed",
            r.replayed(),
            r.still_failing.len(),
            r.fixed.len()
        );
        for signature in &r.fixed {
            let _ = writeln!(out, "  fixed: {signature}");
        }
    }
    if let Some(coverage) = &input.coverage {
        out.push_str(&coverage.render());
    }
    out.push_str(&report::console::summary(input));
    out
}
