//! User enumeration on recorded login answers.

use rand::SeedableRng;

use super::*;
use crate::security::testkit::*;

fn login_auth() -> AuthFile {
    toml::from_str(
        r#"
[[identity]]
name = "alice"
[identity.login]
operation = "login"
body = { username = "alice", password = "alice-pw" }
token = "/token"
"#,
    )
    .expect("auth")
}

fn targets() -> Vec<AuthTarget> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    auth_targets(&ctx(), Some(&login_auth()), &mut rng)
}

fn probe() -> RequestSeq {
    let ctx = ctx();
    let mut prober = EnumerationProber::new(Arc::clone(&ctx), targets());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut probes = prober.derive(&RequestSeq::default(), &SeqRun::default(), &mut rng);
    assert!(
        prober
            .derive(&RequestSeq::default(), &SeqRun::default(), &mut rng)
            .is_empty()
    );
    assert_eq!(probes.len(), 1);
    probes.remove(0)
}

#[test]
fn the_login_target_comes_from_the_auth_file() {
    let targets = targets();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].user_field, "username");
    assert_eq!(targets[0].known["password"], WRONG_PASSWORD);
    assert!(targets[0].is_login);
    let seq = probe();
    assert_eq!(seq.calls.len(), 4);
    let body = |i: usize| seq.calls[i].body.as_ref().expect("body").value.to_value();
    assert_eq!(body(0)["username"], "alice");
    assert!(
        body(1)["username"]
            .as_str()
            .expect("s")
            .starts_with("shrike_nobody_")
    );
    assert_eq!(body(0), body(2));
    assert_eq!(seq.calls[0].identity.as_deref(), Some(ANONYMOUS));
}

#[test]
fn different_answers_for_unknown_users_are_reported() {
    let ctx = ctx();
    let seq = probe();
    let wrong = r#"{"error":"invalid_credentials","message":"wrong password"}"#;
    let unknown = r#"{"error":"unknown_user","message":"no account named 'x'"}"#;
    let run = run_of(
        &ctx.model,
        &seq,
        &[(401, wrong), (401, unknown), (401, wrong), (401, unknown)],
    );
    let found = EnumerationOracle::new(Arc::clone(&ctx.model), &targets()).check(&seq, &run);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, 3);
    assert_eq!(found[0].finding.kind, FindingKind::UserEnumeration);
}

#[test]
fn identical_or_unstable_answers_are_not_reported() {
    let ctx = ctx();
    let seq = probe();
    let oracle = EnumerationOracle::new(Arc::clone(&ctx.model), &targets());
    let same = r#"{"error":"invalid_credentials","message":"invalid username or password"}"#;
    let other = r#"{"error":"unknown_user"}"#;
    let limited = r#"{"error":"rate_limited"}"#;
    for answers in [
        [(401, same), (401, same), (401, same), (401, same)],
        // The difference does not repeat: noise, not proof.
        [(401, same), (401, other), (401, same), (401, same)],
        // A rate limit kicked in.
        [(401, same), (429, limited), (401, same), (429, limited)],
    ] {
        let run = run_of(&ctx.model, &seq, &answers);
        assert!(oracle.check(&seq, &run).is_empty(), "{answers:?}");
    }
    // Four logins of the fuzzer's own (not the probe's users) prove nothing either.
    let mut fuzzed = seq.clone();
    for i in [1, 3] {
        let body = fuzzed.calls[i].body.as_mut().expect("body");
        body.value = Node::from(serde_json::json!({"username": "x!", "password": WRONG_PASSWORD}));
    }
    let answers = [(401, same), (422, other), (401, same), (422, other)];
    let run = run_of(&ctx.model, &fuzzed, &answers);
    assert!(oracle.check(&fuzzed, &run).is_empty());
}
