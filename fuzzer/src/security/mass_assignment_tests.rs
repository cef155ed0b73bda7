//! Mass assignment on recorded exchanges of the shop test model.

use rand::SeedableRng;

use super::*;
use crate::oracle::FindingKind;
use crate::probe::SeqOracle;
use crate::security::testkit::*;

fn with_role(mut c: Call) -> Call {
    let body = c.body.as_mut().expect("body");
    body.value = with_fields(&body.value, &[("role".into(), json!("admin"))]).expect("object");
    c
}

#[test]
fn probe_fields_are_undeclared_names_with_sentinels() {
    let ctx = ctx();
    let op = ctx
        .operation(&crate::spec::OperationId("createOrder".into()))
        .expect("op");
    let names: Vec<String> = probe_fields(&ctx, op).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"role".to_string()));
    assert!(names.contains(&"id".to_string()));
    assert!(!names.contains(&"quantity".to_string()), "declared");
    let get = ctx
        .operation(&crate::spec::OperationId("getOrder".into()))
        .expect("op");
    assert!(probe_fields(&ctx, get).is_empty(), "not a write");
    let ro = json!({"type": "string", "readOnly": true});
    assert_eq!(sentinel(&ro), Some(json!("shrike-mass-assignment")));
    assert_eq!(sentinel(&json!({"type": "string", "enum": ["a"]})), None);
}

#[test]
fn prober_resends_a_write_with_probe_fields() {
    let ctx = ctx();
    let mut prober = MassAssignmentProber::new(Arc::clone(&ctx), roles());
    let seq = RequestSeq::new(vec![call("createOrder", None, None)]);
    let run = run_of(&ctx.model, &seq, &[(201, r#"{"id":1,"status":"new"}"#)]);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let probes = prober.derive(&seq, &run, &mut rng);
    assert_eq!(probes.len(), 2, "original body and a fresh one");
    for probe in &probes {
        let body = probe.calls[0].body.as_ref().expect("body").value.to_value();
        assert_eq!(body["role"], "admin");
        assert_eq!(body["id"], 424_242);
    }
    assert_eq!(
        probes[0].calls[0]
            .body
            .as_ref()
            .expect("b")
            .value
            .to_value()["quantity"],
        1
    );
    assert!(
        prober.derive(&seq, &run, &mut rng).is_empty(),
        "once per operation"
    );
}

#[test]
fn a_reflected_field_is_reported_in_the_answer_or_the_read_back() {
    let ctx = ctx();
    let oracle = MassAssignmentOracle::new(Arc::clone(&ctx), roles());
    let seq = RequestSeq::new(vec![with_role(call("createOrder", None, None))]);
    let run = run_of(&ctx.model, &seq, &[(201, r#"{"id":1,"role":"admin"}"#)]);
    let found = oracle.check(&seq, &run);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].finding.kind, FindingKind::MassAssignment);
    assert!(found[0].finding.detail.contains("`role`"));

    let seq = RequestSeq::new(vec![
        with_role(call("createOrder", None, None)),
        call("getOrder", None, Some(0)),
    ]);
    let run = run_of(
        &ctx.model,
        &seq,
        &[(200, r#"{"id":1}"#), (200, r#"{"id":1,"role":"admin"}"#)],
    );
    let found = oracle.check(&seq, &run);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, 1);
}

#[test]
fn ignored_fields_admins_and_echoes_are_not_reported() {
    let ctx = ctx();
    let oracle = MassAssignmentOracle::new(Arc::clone(&ctx), roles());
    let seq = RequestSeq::new(vec![with_role(call("createOrder", None, None))]);
    // The role was not taken.
    let run = run_of(&ctx.model, &seq, &[(201, r#"{"id":1,"role":"customer"}"#)]);
    assert!(oracle.check(&seq, &run).is_empty());
    // A 200 without Location from a POST is an echo, not the stored object.
    let run = run_of(&ctx.model, &seq, &[(200, r#"{"id":1,"role":"admin"}"#)]);
    assert!(oracle.check(&seq, &run).is_empty());
    // Rejected.
    let run = run_of(&ctx.model, &seq, &[(400, r#"{"role":"admin"}"#)]);
    assert!(oracle.check(&seq, &run).is_empty());
    // An admin may set roles.
    let mut admin = with_role(call("createOrder", None, None));
    admin.identity = Some("root".into());
    let seq = RequestSeq::new(vec![admin]);
    let run = run_of(&ctx.model, &seq, &[(201, r#"{"id":1,"role":"admin"}"#)]);
    assert!(oracle.check(&seq, &run).is_empty());
}
