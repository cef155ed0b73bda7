//! Unit tests of the injection oracle on recorded request/response pairs.

use std::time::Duration;

use super::*;
use crate::campaign::runner::Exchange;
use crate::http::HttpRequest;
use crate::input::{Call, Node, ParamValue};
use crate::spec::ParamLocation;

fn call(category: &str) -> Call {
    let mut c = Call::new(OperationId("listProducts".into()));
    c.params.push(ParamValue {
        name: "category".into(),
        location: ParamLocation::Query,
        value: Some(Node::string(category)),
    });
    c
}

fn response(status: u16, body: &str, ms: u64) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
        truncated: false,
        latency: Duration::from_millis(ms),
    }
}

/// A run of calls with these category values and answers.
fn recorded(pairs: &[(&str, HttpResponse)]) -> (RequestSeq, SeqRun) {
    let seq = RequestSeq::new(pairs.iter().map(|(v, _)| call(v)).collect());
    let run = SeqRun {
        exchanges: pairs
            .iter()
            .enumerate()
            .map(|(i, (_, r))| Exchange {
                call: i,
                op: 0,
                request: HttpRequest {
                    method: "GET".into(),
                    path_and_query: "/products".into(),
                    headers: Vec::new(),
                    body: Vec::new(),
                },
                outcome: Ok(r.clone()),
            })
            .collect(),
        ..SeqRun::default()
    };
    (seq, run)
}

const EMPTY: &str = r#"{"items":[],"total":0}"#;
const ALL: &str = r#"{"items":[{"id":1},{"id":2},{"id":3}],"total":3}"#;
const SQLITE: &str =
    r#"{"error":"internal","message":"database error: unrecognized token: \"'shrike''\""}"#;

#[test]
fn database_error_after_the_quote_is_an_injection() {
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 1)),
        ("shrike'", response(500, SQLITE, 1)),
        ("shrike'", response(500, SQLITE, 1)),
    ]);
    let found = InjectionOracle.check(&seq, &run);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, 2);
    let f = &found[0].finding;
    assert_eq!(f.kind, FindingKind::Injection);
    assert!(f.detail.contains("sqlite-error"), "{}", f.detail);
    assert!(
        f.signature
            .as_str()
            .starts_with("injection.listProducts.none."),
        "{}",
        f.signature
    );
}

#[test]
fn an_error_the_benign_value_also_gets_or_that_does_not_repeat_is_not() {
    // The benign value fails the same way: the payload is not what caused it.
    let (seq, run) = recorded(&[
        ("shrike", response(500, SQLITE, 1)),
        ("shrike'", response(500, SQLITE, 1)),
        ("shrike'", response(500, SQLITE, 1)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
    // Not confirmed by the re-run.
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 1)),
        ("shrike'", response(500, SQLITE, 1)),
        ("shrike'", response(400, r#"{"error":"bad"}"#, 1)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
    // A plain validation error is no signature.
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 1)),
        ("shrike'", response(400, r#"{"error":"bad category"}"#, 1)),
        ("shrike'", response(400, r#"{"error":"bad category"}"#, 1)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
}

fn boolean_run(t: &str, f: &str) -> (RequestSeq, SeqRun) {
    recorded(&[
        ("shrike", response(200, EMPTY, 1)),
        ("shrike' OR '1'='1", response(200, t, 1)),
        ("shrike' AND '1'='2", response(200, f, 1)),
        ("shrike' OR '1'='1", response(200, t, 1)),
        ("shrike' AND '1'='2", response(200, f, 1)),
    ])
}

#[test]
fn true_payload_returning_more_is_a_boolean_injection() {
    let (seq, run) = boolean_run(ALL, EMPTY);
    let found = InjectionOracle.check(&seq, &run);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, 3);
    assert!(found[0].finding.detail.contains("condition was evaluated"));
}

#[test]
fn equal_answers_or_an_echo_are_not_a_boolean_injection() {
    // A parameterised query: both payloads match nothing.
    let (seq, run) = boolean_run(EMPTY, EMPTY);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
    // The answer echoes the value: blanked out, the answers agree.
    let (seq, run) = recorded(&[
        ("shrike", response(200, r#"{"q":"shrike","items":[]}"#, 1)),
        (
            "shrike' OR '1'='1",
            response(200, r#"{"q":"shrike' OR '1'='1","items":[]}"#, 1),
        ),
        (
            "shrike' AND '1'='2",
            response(200, r#"{"q":"shrike' AND '1'='2","items":[]}"#, 1),
        ),
        (
            "shrike' OR '1'='1",
            response(200, r#"{"q":"shrike' OR '1'='1","items":[]}"#, 1),
        ),
        (
            "shrike' AND '1'='2",
            response(200, r#"{"q":"shrike' AND '1'='2","items":[]}"#, 1),
        ),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
    // The false payload disagrees with the benign value (e.g. a 400 for the quote).
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 1)),
        ("shrike' OR '1'='1", response(200, ALL, 1)),
        ("shrike' AND '1'='2", response(400, "{}", 1)),
        ("shrike' OR '1'='1", response(200, ALL, 1)),
        ("shrike' AND '1'='2", response(400, "{}", 1)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
    // Unstable answers (the re-run differs).
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 1)),
        ("shrike' OR '1'='1", response(200, ALL, 1)),
        ("shrike' AND '1'='2", response(200, EMPTY, 1)),
        ("shrike' OR '1'='1", response(200, EMPTY, 1)),
        ("shrike' AND '1'='2", response(200, EMPTY, 1)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
}

#[test]
fn a_sleep_that_delays_twice_is_a_time_injection() {
    let sleep = format!("shrike{}", SLEEPS[1].1);
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 20)),
        (&sleep, response(200, EMPTY, 2030)),
        (&sleep, response(200, EMPTY, 2010)),
    ]);
    let found = InjectionOracle.check(&seq, &run);
    assert_eq!(found.len(), 1);
    assert!(found[0].finding.detail.contains("PostgreSQL"));
    // Delayed once only: a hiccup, not a proof.
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 20)),
        (&sleep, response(200, EMPTY, 2030)),
        (&sleep, response(200, EMPTY, 25)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
    // As slow as the benign value: the endpoint is slow, not injected.
    let (seq, run) = recorded(&[
        ("shrike", response(200, EMPTY, 1900)),
        (&sleep, response(200, EMPTY, 2030)),
        (&sleep, response(200, EMPTY, 2010)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
}

#[test]
fn benign_values_drop_metacharacters() {
    assert_eq!(benign_of("books'"), "books");
    assert_eq!(benign_of("'\"';"), BASE);
    assert!(has_metachar("x' OR 1=1--"));
    assert!(has_metachar("{{7*7}}"));
    assert!(!has_metachar("books and garden"));
}

#[test]
fn prober_derives_bounded_probes_once_per_value() {
    use super::super::injection_probe::InjectionProber;
    use crate::input::test_model;
    use crate::probe::Prober;
    use rand::SeedableRng;

    let model = std::sync::Arc::new(test_model::test_model());
    let op = test_model::operation(&model, "createOrder");
    let mut prober = InjectionProber::new(model.clone(), 6);
    let seq = RequestSeq::new(vec![Call::new(op.id.clone())]);
    let (_, mut run) = recorded(&[("x", response(200, EMPTY, 1))]);
    run.exchanges[0].op = model
        .operations
        .iter()
        .position(|o| o.id == op.id)
        .expect("createOrder");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let first = prober.derive(&seq, &run, &mut rng);
    assert!(!first.is_empty());
    assert!(first.iter().all(|s| s.calls.len() <= 6));
    assert!(
        first
            .iter()
            .all(|s| s.calls.iter().all(|c| c.operation == op.id))
    );
    // The same run again: everything is probed already.
    assert!(prober.derive(&seq, &run, &mut rng).is_empty());
}

#[test]
fn a_payload_quoted_back_in_a_validation_message_is_no_database_error() {
    let sleep = format!("shrike{}", SLEEPS[0].1);
    let echo = format!(
        r#"{{"error":"bad_request","message":"sort must be name or price, not '{}'"}}"#,
        sleep.replace('"', "\\\"")
    );
    let (seq, run) = recorded(&[
        ("shrike", response(400, r#"{"error":"bad_request"}"#, 1)),
        (&sleep, response(400, &echo, 1)),
        (&sleep, response(400, &echo, 1)),
    ]);
    assert!(InjectionOracle.check(&seq, &run).is_empty());
    assert_eq!(family_without(echo.as_bytes(), 400, &sleep), None);
    assert!(
        crate::oracle::families::classify(echo.as_bytes()).is_some(),
        "the echo alone looks like SQL"
    );
}

#[test]
fn words_of_the_payload_do_not_count_as_a_leak_however_escaped() {
    let value = "shrike' AND (SELECT 1 FROM (SE;LECT SLEEP(2))s)=\u{1}1";
    let body = r#"{"message":"invalid type: string \"shrike' AND (SELECT 1 FROM (SE;LECT SLEEP(2))s)=\u{1}1\", expected i64"}"#;
    assert_eq!(family_without(body.as_bytes(), 400, value), None);
    // The engine's own words survive.
    let sqlite =
        r#"{"message":"unrecognized token: \"'shrike''\" in SELECT COUNT(*) FROM products"}"#;
    assert_eq!(
        family_without(sqlite.as_bytes(), 500, "shrike'"),
        Some(ErrorFamily::SqliteError)
    );
    // Stored payloads of other probes, listed in a successful answer, are data, not a leak;
    // the same SQL text in a 5xx page is the query that failed.
    let listed = r#"{"items":[{"name":"shrike' AND (SELECT 1 FROM (SELECT SLEEP(2))s)=1"}]}"#;
    assert_eq!(family_without(listed.as_bytes(), 200, "shrike'"), None);
    let page = "failed: SELECT name FROM products WHERE name = 'shrike''";
    assert_eq!(
        family_without(page.as_bytes(), 500, "shrike'"),
        Some(ErrorFamily::DatabaseError)
    );
}

#[test]
fn prober_confirms_an_error_seen_in_the_campaign_with_a_benign_twin() {
    use super::super::injection_probe::InjectionProber;
    use crate::input::test_model;
    use crate::probe::Prober;
    use rand::SeedableRng;

    let model = std::sync::Arc::new(test_model::test_model());
    let op = test_model::operation(&model, "createOrder");
    let mut call = Call::new(op.id.clone());
    call.params.push(ParamValue {
        name: "X-Request-Id".into(),
        location: ParamLocation::Header,
        value: Some(Node::string("abc'")),
    });
    let seq = RequestSeq::new(vec![call]);
    let (_, mut run) = recorded(&[("x", response(500, SQLITE, 1))]);
    run.exchanges[0].op = model
        .operations
        .iter()
        .position(|o| o.id == op.id)
        .expect("createOrder");
    let mut prober = InjectionProber::new(model.clone(), 6);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let probes = prober.derive(&seq, &run, &mut rng);
    let values = |s: &RequestSeq| -> Vec<String> {
        s.calls
            .iter()
            .map(|c| match c.param("X-Request-Id", ParamLocation::Header) {
                Some(Node::String(v)) => v.clone(),
                _ => String::new(),
            })
            .collect()
    };
    assert_eq!(values(&probes[0]), ["abc", "abc'", "abc'"]);
}
