//! Valid generated requests — sent with a valid token and with the ids of resources created
//! first in the same sequence — are accepted (2xx) by the demo API with its bugs removed.
//!
//! The figure per operation is printed (`cargo test -p shrike-e2e valid -- --nocapture`).

use std::path::Path;
use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use shrike::auth::{self, AuthFile};
use shrike::campaign::generation::generate_seq_in;
use shrike::campaign::runner::{RunnerConfig, SeqRunner};
use shrike::generate::Mode;
use shrike::mutate::SeqContext;
use shrike::transport::{Target, TcpTransport, TransportConfig};

const ROUNDS: usize = 40;

#[test]
fn valid_requests_are_accepted_by_the_fixed_demo() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let model = Arc::new(shrike::spec::load(&root.join("schemas/demo-api.yaml")).unwrap());
    let server =
        shrike_demo_api::spawn_background(shrike_demo_api::Options { fixed: true }).unwrap();
    let target = Target::parse(&server.base_url()).unwrap();
    let mut transport = TcpTransport::new(target.clone(), TransportConfig::default());
    // The admin identity may call every operation; customers are refused the admin-only ones.
    let mut auth = AuthFile::load(&root.join("schemas/demo-auth.toml")).unwrap();
    auth.default = Some("admin".into());
    let identities = auth::establish(&auth, &model, "", &mut transport).unwrap();
    let ctx = SeqContext::new(Arc::clone(&model));
    let mut runner = SeqRunner::new(
        Arc::clone(&model),
        target,
        transport,
        identities,
        RunnerConfig::default(),
    );
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut sent, mut accepted) = (0usize, 0usize);
    let mut report = Vec::new();
    for (op, operation) in model.operations.iter().enumerate() {
        let mut ok = 0;
        for _ in 0..ROUNDS {
            let seq = generate_seq_in(&ctx, op, Mode::Valid, &mut rng);
            let run = runner.run(&seq);
            // The target call is the last one; the producers before it are setup.
            let last = run
                .exchanges
                .last()
                .and_then(|e| e.outcome.as_ref().ok())
                .map(|r| r.status);
            if last.is_some_and(|s| (200..300).contains(&s)) {
                ok += 1;
            } else if std::env::var_os("SHRIKE_SHOW_REJECTED").is_some()
                && let Some(e) = run.exchanges.last()
            {
                let text = |b: &[u8]| {
                    String::from_utf8_lossy(b)
                        .chars()
                        .take(150)
                        .collect::<String>()
                };
                let body = e.outcome.as_ref().map(|r| text(&r.body));
                println!(
                    "{} {} {:?} -> {last:?} {body:?}",
                    operation.id,
                    e.request.path_and_query,
                    text(&e.request.body)
                );
            }
        }
        report.push(format!("{:>3}/{ROUNDS} {}", ok, operation.id));
        sent += ROUNDS;
        accepted += ok;
    }
    let rate = accepted as f64 / sent as f64;
    println!(
        "{}\naccepted: {accepted}/{sent} = {:.1}%",
        report.join("\n"),
        rate * 100.0
    );
    assert!(
        rate >= 0.90,
        "only {:.1}% accepted:\n{}",
        rate * 100.0,
        report.join("\n")
    );
}
