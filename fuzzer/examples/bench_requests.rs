//! Generated + rendered requests per second for the demo spec, single-threaded: the figure the
//! generation issue asks for. Every operation in turn gets a fresh sequence (its producers
//! included) in valid mode, and every call of it is rendered to a concrete `HttpRequest`.
//!
//! `cargo run --release -p shrike --example bench_requests [-- SECONDS]`

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use shrike::campaign::generation::generate_seq_in;
use shrike::generate::Mode;
use shrike::input::{Credentials, render};
use shrike::mutate::SeqContext;

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/demo-api.yaml");
    let model = Arc::new(shrike::spec::load(&spec).expect("the demo spec loads"));
    let ctx = SeqContext::new(Arc::clone(&model));
    let creds = Credentials::bearer("token");
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for mode in [Mode::Valid, Mode::Boundary, Mode::Invalid, Mode::Attack] {
        let started = Instant::now();
        let (mut requests, mut sequences) = (0u64, 0u64);
        while started.elapsed() < Duration::from_secs_f64(seconds) {
            for op in 0..model.operations.len() {
                let seq = generate_seq_in(&ctx, op, mode, &mut rng);
                for call in &seq.calls {
                    let Some(operation) = ctx.operation(&call.operation) else {
                        continue;
                    };
                    black_box(render(call, operation, &[], &creds, ""));
                    requests += 1;
                }
                sequences += 1;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "generate+render {mode:?}: {:.0} requests/s ({:.0} sequences/s)",
            requests as f64 / secs,
            sequences as f64 / secs
        );
    }
}
