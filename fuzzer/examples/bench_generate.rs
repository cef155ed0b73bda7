//! Generation speed for realistic shop-API request parts, single-threaded.
//!
//! `cargo run --release -p shrike --example bench_generate [-- SECONDS_PER_CASE]`
//!
//! Each case generates values for its schemas in a loop for a fixed time and prints values per
//! second, for every mode, plus "+ser": the same followed by `serde_json::to_vec` of each value (a
//! stand-in for rendering). The "createOrder op" case is one whole operation: a path parameter,
//! three query parameters, a header and the JSON body.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use shrike::generate::{Generator, Mode};

/// Most iterations per case, whatever the time budget.
const MAX_ITERS: u64 = 50_000_000;

struct Case {
    name: &'static str,
    schemas: Vec<Value>,
}

fn cases(corpus: &Value) -> Vec<Case> {
    let r = |k: &str| json!({"$ref": format!("urn:shrike:defs#/$defs/{k}")});
    let order_params = vec![
        json!({"type": "integer", "format": "int64", "minimum": 1}),
        json!({"type": "string", "enum": ["standard", "express"]}),
        json!({"type": "boolean"}),
        json!({"type": "string", "pattern": "^[A-Z0-9]{6,10}$"}),
        json!({"type": "string", "format": "uuid"}),
        r("Order"),
    ];
    let search = corpus["schemas"]
        .as_array()
        .and_then(|s| s.iter().find(|e| e["name"] == "search-params"))
        .map(|e| e["schema"].clone())
        .unwrap_or(Value::Bool(true));
    vec![
        Case {
            name: "id path param (int64)",
            schemas: vec![order_params[0].clone()],
        },
        Case {
            name: "uuid header",
            schemas: vec![order_params[4].clone()],
        },
        Case {
            name: "search query object",
            schemas: vec![search],
        },
        Case {
            name: "Money body",
            schemas: vec![r("Money")],
        },
        Case {
            name: "Product body",
            schemas: vec![r("Product")],
        },
        Case {
            name: "Order body",
            schemas: vec![r("Order")],
        },
        Case {
            name: "User body (allOf)",
            schemas: vec![r("User")],
        },
        Case {
            name: "createOrder op (6 parts)",
            schemas: order_params,
        },
    ]
}

/// Generates (and optionally serialises) the case's schemas in a loop; returns operations/s.
fn run(g: &Generator, case: &Case, mode: Mode, serialise: bool, budget: Duration) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let start = Instant::now();
    let mut iters = 0u64;
    let mut bytes = 0usize;
    while iters < MAX_ITERS {
        for s in &case.schemas {
            let v = g.generate(s, mode, &mut rng);
            if serialise {
                bytes += serde_json::to_vec(&v).map_or(0, |b| b.len());
            }
            black_box(v);
        }
        iters += 1;
        if iters.is_multiple_of(256) && start.elapsed() >= budget {
            break;
        }
    }
    black_box(bytes);
    iters as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1.0);
    let budget = Duration::from_secs_f64(secs);
    let corpus: Value = serde_json::from_str(include_str!("../data/gen_corpus.json"))
        .expect("the corpus is valid JSON");
    let g = Generator::new(corpus["defs"].clone());
    println!(
        "{:<28} {:>12} {:>12} {:>12} {:>12}",
        "case (ops/s, 1 thread)", "valid", "valid+ser", "boundary", "invalid"
    );
    for case in cases(&corpus) {
        let valid = run(&g, &case, Mode::Valid, false, budget);
        let valid_ser = run(&g, &case, Mode::Valid, true, budget);
        let boundary = run(&g, &case, Mode::Boundary, false, budget);
        let invalid = run(&g, &case, Mode::Invalid, false, budget);
        println!(
            "{:<28} {valid:>12.0} {valid_ser:>12.0} {boundary:>12.0} {invalid:>12.0}",
            case.name
        );
    }
    let attack = run(&g, &cases(&corpus)[5], Mode::Attack, false, budget);
    println!("Order body, attack mode: {attack:.0} ops/s");
    println!("fallbacks: {:?}", g.stats());
}
