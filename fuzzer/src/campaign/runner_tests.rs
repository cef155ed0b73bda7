//! The runner against a scripted fake target: references to earlier responses, the call cap,
//! server errors, limits.

use std::sync::Arc;

use super::*;
use crate::input::test_model::test_model;
use crate::input::{Body, Call, Credentials, Node, RefSource, Reference};
use crate::transport::FakeTransport;

fn runner(
    handler: impl FnMut(&HttpRequest) -> Outcome + 'static,
    max_calls: usize,
) -> SeqRunner<FakeTransport> {
    let model = Arc::new(test_model());
    let target = Target::parse("http://127.0.0.1:1/api").unwrap();
    let config = RunnerConfig {
        max_calls,
        ..RunnerConfig::default()
    };
    SeqRunner::new(
        model,
        target,
        FakeTransport::new(handler),
        Identities::single("a", Credentials::bearer("t")),
        config,
    )
}

/// createOrder, then getOrder on the id the create returned.
fn create_then_get() -> RequestSeq {
    let mut create = Call::new(OperationId("createOrder".into()));
    create.body = Some(Body {
        media_type: "application/json".into(),
        value: Node::Object(vec![]),
    });
    let mut get = Call::new(OperationId("getOrder".into()));
    get.params.push(crate::input::ParamValue {
        name: "orderId".into(),
        location: crate::spec::ParamLocation::Path,
        value: Some(Node::Ref(Reference {
            call: 0,
            source: RefSource::Body("/id".into()),
        })),
    });
    RequestSeq::new(vec![create, get])
}

#[test]
fn references_take_values_from_earlier_responses() {
    let mut r = runner(
        |req| {
            Ok(if req.method == "POST" {
                FakeTransport::response(201, r#"{"id":42}"#)
            } else {
                FakeTransport::response(500, r#"{"error":"internal","message":"boom"}"#)
            })
        },
        8,
    );
    let run = r.run(&create_then_get());
    assert_eq!(run.exchanges.len(), 2);
    assert_eq!(run.exchanges[1].request.path_and_query, "/api/orders/42");
    assert_eq!(
        run.exchanges[1].request.header("authorization"),
        Some("Bearer t")
    );
    assert_eq!(run.findings.len(), 1);
    assert_eq!(run.findings[0].kind, FindingKind::ServerError);
    assert_eq!(run.finding_at, vec![1]);
    assert_eq!(r.stats.requests, 2);
    assert_eq!(r.stats.ops_with_2xx(), 1);
}

#[test]
fn max_calls_and_limits_bound_what_is_sent() {
    let mut r = runner(|_| Ok(FakeTransport::response(201, r#"{"id":1}"#)), 1);
    assert_eq!(r.run(&create_then_get()).exchanges.len(), 1);
    let stop = Arc::new(AtomicBool::new(true));
    r.set_limits(None, Some(stop), None);
    assert!(r.halted());
    assert!(r.run(&create_then_get()).exchanges.is_empty());
    r.set_limits(None, None, Some(1));
    assert!(r.halted(), "one sequence already ran");
}

/// Reports a read that follows a create of the same resource when the read got a 5xx.
struct ReadAfterCreateOracle;

impl crate::probe::SeqOracle for ReadAfterCreateOracle {
    fn name(&self) -> &'static str {
        "test"
    }

    fn check(&self, _seq: &RequestSeq, run: &SeqRun) -> Vec<crate::probe::SeqFinding> {
        run.exchanges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.request.method == "GET")
            .filter(|(_, e)| e.outcome.as_ref().is_ok_and(|r| r.status >= 500))
            .map(|(at, _)| crate::probe::SeqFinding {
                finding: Finding::new(
                    FindingKind::CreateNotReadable,
                    &OperationId("getOrder".into()),
                    Some(500),
                    0,
                    "created, then unreadable",
                ),
                at,
            })
            .collect()
    }
}

#[test]
fn sequence_oracles_judge_the_whole_run() {
    let handler = |req: &HttpRequest| {
        Ok(if req.method == "POST" {
            FakeTransport::response(201, r#"{"id":42}"#)
        } else {
            FakeTransport::response(503, "")
        })
    };
    let mut r = runner(handler, 8).with_seq_oracle(Box::new(ReadAfterCreateOracle));
    let run = r.run(&create_then_get());
    let kinds: Vec<_> = run.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FindingKind::CreateNotReadable), "{kinds:?}");
    let at = run
        .findings
        .iter()
        .position(|f| f.kind == FindingKind::CreateNotReadable)
        .map(|i| run.finding_at[i]);
    assert_eq!(at, Some(1));
    // Without the oracle, the same run has no lifecycle finding.
    let mut plain = runner(handler, 8);
    assert!(
        plain
            .run(&create_then_get())
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::CreateNotReadable)
    );
}

#[test]
fn a_burst_of_one_repeated_call_is_sent_whole() {
    let mut r = runner(|_| Ok(FakeTransport::response(401, "{}")), 2);
    let call = Call::new(OperationId("getOrder".into()));
    let burst = RequestSeq::new(vec![call.clone(); 30]);
    assert_eq!(r.run(&burst).exchanges.len(), 30);
    let mut mixed = burst.clone();
    mixed.calls[29] = Call::new(OperationId("createOrder".into()));
    assert_eq!(
        r.run(&mixed).exchanges.len(),
        2,
        "--max-calls holds otherwise"
    );
}

#[test]
fn a_response_far_above_its_operations_usual_latency_is_slow_when_confirmed() {
    use std::sync::atomic::{AtomicU32, Ordering};
    // GET /orders/{id} answers in 100 µs, except that ids 7 and 8 take 400 ms (below the absolute
    // 1 s limit); id 8 is only slow the first time (a hiccup, not a slow path).
    let eights = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&eights);
    let mut r = runner(
        move |req| {
            let mut response = FakeTransport::response(200, r#"{"id":1}"#);
            let slow = req.path_and_query.ends_with("/7")
                || (req.path_and_query.ends_with("/8") && seen.fetch_add(1, Ordering::SeqCst) == 0);
            if slow {
                response.latency = Duration::from_millis(400);
            }
            Ok(response)
        },
        8,
    );
    let get = |id: i64| {
        let mut call = Call::new(OperationId("getOrder".into()));
        call.params.push(crate::input::ParamValue {
            name: "orderId".into(),
            location: crate::spec::ParamLocation::Path,
            value: Some(Node::number(id)),
        });
        RequestSeq::new(vec![call])
    };
    let slow_kinds = |run: &SeqRun| {
        run.findings
            .iter()
            .filter(|f| f.kind == FindingKind::SlowResponse)
            .cloned()
            .collect::<Vec<_>>()
    };
    // Before the operation has a usual latency, 400 ms is under the 1 s limit.
    assert!(slow_kinds(&r.run(&get(7))).is_empty());
    for _ in 0..crate::oracle::latency::MIN_SAMPLES {
        assert!(slow_kinds(&r.run(&get(1))).is_empty());
    }
    assert!(
        slow_kinds(&r.run(&get(8))).is_empty(),
        "not slow again on the re-run"
    );
    let found = slow_kinds(&r.run(&get(7)));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].slow_limit_ms,
        Some(250),
        "a quarter of the 1 s limit"
    );
}
