//! The minimizer against scripted bugs on the fake transport: it drops what the bug does not need,
//! keeps what it does, stays within its bounds, and (proptest) never returns anything larger or
//! anything that does not reproduce.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::campaign::runner::{RunnerConfig, SeqRunner};
use crate::http::HttpRequest;
use crate::input::strategies::{valid_seq, weird_string};
use crate::input::test_model::test_model;
use crate::input::{Body, Call, Credentials, Identities, Node, ParamValue, RefSource, Reference};
use crate::oracle::{FindingKind, Outcome, Signature};
use crate::spec::{OperationId, ParamLocation};
use crate::transport::{FakeTransport, Target};

/// BUG A: creating an order with a quantity above 100 answers 500.
fn quantity_bug(req: &HttpRequest) -> Outcome {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let qty = body.get("quantity").and_then(Value::as_f64).unwrap_or(0.0);
    Ok(
        if req.method == "POST" && req.path_and_query == "/api/orders" {
            if qty > 100.0 {
                FakeTransport::response(500, r#"{"error":"quantity overflow"}"#)
            } else {
                FakeTransport::response(201, r#"{"id":42,"status":"new"}"#)
            }
        } else {
            FakeTransport::response(200, "{}")
        },
    )
}

/// BUG B: reading order 42 (the id the create returns) answers 500.
fn stale_read_bug(req: &HttpRequest) -> Outcome {
    Ok(match (req.method.as_str(), req.path_and_query.as_str()) {
        ("POST", "/api/orders") => FakeTransport::response(201, r#"{"id":42,"status":"new"}"#),
        ("GET", "/api/orders/42") => FakeTransport::response(500, r#"{"error":"stale"}"#),
        _ => FakeTransport::response(200, "{}"),
    })
}

fn runner(bug: fn(&HttpRequest) -> Outcome) -> SeqRunner<FakeTransport> {
    SeqRunner::new(
        Arc::new(test_model()),
        Target::parse("http://127.0.0.1:1/api").unwrap(),
        FakeTransport::new(bug),
        Identities::single("a", Credentials::none()),
        RunnerConfig::default(),
    )
}

fn ctx() -> SeqContext {
    SeqContext::new(Arc::new(test_model()))
}

fn body_call(op: &str, value: Value) -> Call {
    let mut call = Call::new(OperationId(op.into()));
    call.body = Some(Body {
        media_type: "application/json".into(),
        value: Node::from(value),
    });
    call
}

fn get_order(value: Node) -> Call {
    let mut call = Call::new(OperationId("getOrder".into()));
    call.params.push(ParamValue {
        name: "orderId".into(),
        location: ParamLocation::Path,
        value: Some(value),
    });
    call.params.push(ParamValue {
        name: "session".into(),
        location: ParamLocation::Cookie,
        value: Some(Node::string("abcdefgh")),
    });
    call
}

fn order_ref() -> Node {
    Node::Ref(Reference {
        call: 0,
        source: RefSource::Body("/id".into()),
    })
}

/// The signature of the server error `seq` shows, if any.
fn server_error(bug: fn(&HttpRequest) -> Outcome, seq: &RequestSeq) -> Option<Signature> {
    runner(bug)
        .run(seq)
        .findings
        .into_iter()
        .find(|f| f.kind == FindingKind::ServerError)
        .map(|f| f.signature)
}

fn minimize_against(
    bug: fn(&HttpRequest) -> Outcome,
    seq: &RequestSeq,
    config: &MinimizeConfig,
) -> (RequestSeq, MinimizeStats, Signature) {
    let signature = server_error(bug, seq).expect("the input reproduces");
    let mut r = runner(bug);
    let mut predicate = |s: &RequestSeq| replay_matches(&mut r, s, &signature).is_ok();
    let (out, stats) = minimize(&ctx(), seq, config, &mut predicate);
    (out, stats, signature)
}

fn generous() -> MinimizeConfig {
    MinimizeConfig {
        max_replays: 500,
        max_time: Duration::from_secs(3600),
    }
}

#[test]
fn drops_unneeded_calls_and_simplifies_values() {
    let big_order = serde_json::json!({
        "product_id": 7, "quantity": 5000, "note": "a long note that plays no part",
        "tags": ["x", "y", "z"], "shipping": {"pickup": true}
    });
    let seq = RequestSeq::new(vec![
        body_call(
            "login",
            serde_json::json!({"username": "u", "password": "p"}),
        ),
        Call::new(OperationId("listProducts".into())),
        body_call("createOrder", big_order),
        get_order(Node::number(3)),
    ]);
    let (out, stats, _) = minimize_against(quantity_bug, &seq, &generous());
    // The read and the trailing call go; the login (a write before the finding, which may have
    // set up state a fresh target lacks) stays.
    assert_eq!(out.calls.len(), 2, "{out:#?}");
    assert_eq!(out.calls[0].operation.as_str(), "login");
    let body = out.calls[1].body.as_ref().unwrap().value.to_value();
    // Required members stay; the quantity lands just past the schema's maximum of 100.
    assert_eq!(
        body,
        serde_json::json!({"product_id": 0, "quantity": 101}),
        "{stats:?}"
    );
    assert_eq!(stats.before, SeqSize::of(&seq));
    assert_eq!(stats.after, SeqSize::of(&out));
    assert!(stats.after.bytes < stats.before.bytes / 2, "{stats:?}");
    assert!(!stats.bounded, "{stats:?}");
}

#[test]
fn keeps_the_call_a_reference_needs() {
    let seq = RequestSeq::new(vec![
        body_call(
            "createOrder",
            serde_json::json!({"product_id": 1, "quantity": 2}),
        ),
        Call::new(OperationId("listProducts".into())),
        get_order(order_ref()),
    ]);
    let (out, _, _) = minimize_against(stale_read_bug, &seq, &generous());
    assert_eq!(out.calls.len(), 2, "{out:#?}");
    assert_eq!(out.calls[0].operation.0, "createOrder");
    assert_eq!(
        out.calls[1].param("orderId", ParamLocation::Path),
        Some(&order_ref())
    );
    assert!(
        out.calls[1]
            .param("session", ParamLocation::Cookie)
            .is_none()
    );
}

#[test]
fn respects_the_replay_bound_and_is_deterministic() {
    let seq = RequestSeq::new(vec![
        Call::new(OperationId("listProducts".into())),
        body_call(
            "createOrder",
            serde_json::json!({"product_id": 9, "quantity": 777, "note": "n"}),
        ),
    ]);
    let tight = MinimizeConfig {
        max_replays: 3,
        max_time: Duration::from_secs(3600),
    };
    let (_, stats, _) = minimize_against(quantity_bug, &seq, &tight);
    assert_eq!(stats.replays, 3);
    assert!(stats.bounded);
    let first = minimize_against(quantity_bug, &seq, &generous()).0;
    let second = minimize_against(quantity_bug, &seq, &generous()).0;
    assert_eq!(first, second);
    let (same, stats, _) = minimize_against(quantity_bug, &seq, &MinimizeConfig::OFF);
    assert_eq!((same, stats.replays), (seq, 0));
}

#[test]
fn a_burst_stays_a_burst_halved_while_it_reproduces_with_simpler_values() {
    let login = body_call(
        "login",
        serde_json::json!({"username": "alice", "password": "a long password"}),
    );
    let seq = RequestSeq::new(vec![login; 50]);
    // A scripted rate-limit finding: at least 20 identical logins, with a username.
    let mut replays = 0;
    let mut predicate = |s: &RequestSeq| {
        replays += 1;
        s.calls.len() >= 20
            && s.calls.windows(2).all(|w| w[0] == w[1])
            && s.calls[0]
                .body
                .as_ref()
                .is_some_and(|b| b.value.to_value().get("username").is_some())
    };
    let (out, stats) = minimize(&ctx(), &seq, &generous(), &mut predicate);
    assert_eq!(out.calls.len(), 25, "halved once: 12 would not reproduce");
    assert!(out.calls.windows(2).all(|w| w[0] == w[1]), "{out:#?}");
    let body = out.calls[0].body.as_ref().unwrap().value.to_value();
    // Both members are required; the password plays no part and is emptied.
    assert_eq!(body["password"], "", "{body}");
    assert!(predicate(&out));
    assert_eq!(stats.after, SeqSize::of(&out));
    assert!(stats.replays < 20, "{stats:?}");
    assert!(!stats.bounded, "{stats:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever noise surrounds the bug, the minimized sequence has no more calls and no more
    /// serialised bytes, and it still shows the same signature on a fresh replay.
    #[test]
    fn never_larger_and_still_reproduces(
        noise in valid_seq(),
        quantity in 101i64..1_000_000,
        note in weird_string(),
        at in 0usize..8,
        chained in any::<bool>(),
    ) {
        let mut seq = noise;
        seq.calls.truncate(6);
        let (bug, calls): (fn(&HttpRequest) -> Outcome, Vec<Call>) = if chained {
            let create = body_call("createOrder", serde_json::json!({"product_id": 1, "quantity": 1, "note": note}));
            (stale_read_bug, vec![create, get_order(order_ref())])
        } else {
            let order = serde_json::json!({"product_id": 3, "quantity": quantity, "note": note});
            (quantity_bug, vec![body_call("createOrder", order)])
        };
        let first = at.min(seq.calls.len());
        for (offset, mut call) in calls.into_iter().enumerate() {
            call.remap_refs(&|c| Some(c + first));
            seq.insert_call(first + offset, call);
        }
        prop_assume!(seq.references_valid());
        let Some(signature) = server_error(bug, &seq) else {
            return Err(TestCaseError::reject("noise hid the bug"));
        };
        let mut r = runner(bug);
        let mut predicate = |s: &RequestSeq| replay_matches(&mut r, s, &signature).is_ok();
        let (out, stats) = minimize(&ctx(), &seq, &MinimizeConfig::default(), &mut predicate);
        prop_assert!(out.calls.len() <= seq.calls.len());
        prop_assert!(serialized_len(&out) <= serialized_len(&seq));
        prop_assert!(stats.replays <= MinimizeConfig::default().max_replays);
        prop_assert!(out.references_valid());
        prop_assert_eq!(server_error(bug, &out), Some(signature));
    }

    /// A burst of one call is minimized as a burst: never larger, still a burst, still
    /// reproducing.
    #[test]
    fn a_burst_is_never_larger_and_still_reproduces(
        count in 3usize..80,
        quantity in 101i64..1_000_000,
        note in weird_string(),
    ) {
        let order = serde_json::json!({"product_id": 3, "quantity": quantity, "note": note});
        let seq = RequestSeq::new(vec![body_call("createOrder", order); count]);
        let signature = server_error(quantity_bug, &seq).expect("the burst reproduces");
        let mut r = runner(quantity_bug);
        let mut predicate = |s: &RequestSeq| replay_matches(&mut r, s, &signature).is_ok();
        let (out, stats) = minimize(&ctx(), &seq, &MinimizeConfig::default(), &mut predicate);
        prop_assert!(out.calls.len() <= seq.calls.len() && out.calls.len() >= 2);
        prop_assert!(out.calls.windows(2).all(|w| w[0] == w[1]));
        prop_assert!(serialized_len(&out) <= serialized_len(&seq));
        prop_assert!(stats.replays <= MinimizeConfig::default().max_replays);
        prop_assert_eq!(server_error(quantity_bug, &out), Some(signature));
    }
}
