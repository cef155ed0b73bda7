//! Lifecycle probes and oracle against a small in-memory resource store behind the fake
//! transport: the buggy store is caught, the correct one never is.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::Prober;
use super::lifecycle::LifecycleProber;
use super::lifecycle_oracle::LifecycleOracle;
use crate::campaign::runner::{RunnerConfig, SeqRun, SeqRunner};
use crate::http::{HttpRequest, HttpResponse};
use crate::input::{
    Body, Call, Credentials, Identities, Node, ParamValue, RefSource, Reference, RequestSeq,
};
use crate::mutate::SeqContext;
use crate::oracle::FindingKind;
use crate::spec::{OperationId, ParamLocation};
use crate::transport::{FakeTransport, Target};

/// What the fake store gets wrong.
#[derive(Clone, Copy, Default)]
struct Bugs {
    serve_deleted: bool,
    lose_creates: bool,
    ignore_rating: bool,
    keep_failed: bool,
}

#[derive(Default)]
struct Store {
    next: u64,
    rows: BTreeMap<u64, (Value, bool)>,
}

fn respond(store: &mut Store, bugs: Bugs, req: &HttpRequest) -> HttpResponse {
    let path = req
        .path_and_query
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let json = |status: u16, v: Value| FakeTransport::response(status, &v.to_string());
    let id = segments.get(1).and_then(|s| s.parse::<u64>().ok());
    match (req.method.as_str(), segments.as_slice(), id) {
        ("POST", ["reviews"], _) if body.get("title") == Some(&json!("bad")) => {
            if bugs.keep_failed {
                store.next += 1;
                store.rows.insert(
                    store.next,
                    (
                        json!({"id": store.next, "title": "bad", "rating": 1}),
                        false,
                    ),
                );
            }
            json(
                422,
                json!({"error": "invalid_field", "message": "bad title"}),
            )
        }
        ("POST", ["reviews"], _) => {
            store.next += 1;
            let mut row = body.clone();
            row["id"] = json!(store.next);
            if !bugs.lose_creates {
                store.rows.insert(store.next, (row.clone(), false));
            }
            json(201, row)
        }
        ("GET", ["reviews"], _) => {
            let items: Vec<Value> = store
                .rows
                .values()
                .filter(|r| !r.1)
                .map(|r| r.0.clone())
                .collect();
            json(200, json!({"items": items}))
        }
        ("GET", ["reviews", _], Some(id)) => match store.rows.get(&id) {
            Some((row, deleted)) if !*deleted || bugs.serve_deleted => json(200, row.clone()),
            _ => json(404, json!({"error": "not_found", "message": "no review"})),
        },
        ("PUT", ["reviews", _], Some(id)) => match store.rows.get_mut(&id) {
            Some((row, false)) => {
                for (k, v) in body.as_object().into_iter().flatten() {
                    if !(bugs.ignore_rating && k == "rating") {
                        row[k] = v.clone();
                    }
                }
                let mut echo = row.clone();
                for (k, v) in body.as_object().into_iter().flatten() {
                    echo[k] = v.clone();
                }
                json(200, echo)
            }
            _ => json(404, json!({"error": "not_found", "message": "no review"})),
        },
        ("DELETE", ["reviews", _], Some(id)) => match store.rows.get_mut(&id) {
            Some((_, deleted @ false)) => {
                *deleted = true;
                FakeTransport::response(204, "")
            }
            _ => json(404, json!({"error": "not_found", "message": "no review"})),
        },
        _ => json(404, json!({"error": "no_route", "message": "no route"})),
    }
}

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: reviews, version: "1"}
paths:
  /reviews:
    get:
      operationId: listReviews
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Review"}}}}}}}
    post:
      operationId: createReview
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/ReviewInput"}}}}
      responses:
        "201": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Review"}}}}
        "422": {description: bad}
  /reviews/{reviewId}:
    parameters: [{name: reviewId, in: path, required: true, schema: {type: integer}}]
    get:
      operationId: getReview
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Review"}}}}
        "404": {description: missing}
    put:
      operationId: updateReview
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/ReviewInput"}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Review"}}}}
    delete:
      operationId: deleteReview
      responses: {"204": {description: gone}, "404": {description: missing}}
components:
  schemas:
    ReviewInput:
      type: object
      properties: {title: {type: string}, rating: {type: integer}}
    Review:
      type: object
      properties: {id: {type: integer, readOnly: true}, title: {type: string}, rating: {type: integer}, edit_count: {type: integer, readOnly: true}}
"##;

struct World {
    ctx: Arc<SeqContext>,
    runner: SeqRunner<FakeTransport>,
}

fn world(bugs: Bugs) -> World {
    let model =
        Arc::new(crate::spec::load_str(Path::new("reviews.yaml"), SPEC).expect("spec loads"));
    let ctx = Arc::new(SeqContext::new(Arc::clone(&model)));
    let store = Rc::new(RefCell::new(Store::default()));
    let transport = FakeTransport::new(move |req: &HttpRequest| {
        Ok(respond(&mut store.borrow_mut(), bugs, req))
    });
    let oracle = LifecycleOracle::new(
        Arc::clone(&model),
        ctx.producers.graph().clone(),
        FindingKind::ALL
            .into_iter()
            .filter(|k| k.is_lifecycle())
            .collect(),
    );
    let runner = SeqRunner::new(
        model,
        Target::parse("http://127.0.0.1:1").expect("url"),
        transport,
        Identities::single("a", Credentials::bearer("t")),
        RunnerConfig::default(),
    )
    .with_seq_oracle(Box::new(oracle));
    World { ctx, runner }
}

fn call(op: &str, id_from: Option<usize>, body: Option<Value>) -> Call {
    let mut call = Call::new(OperationId(op.into()));
    if let Some(from) = id_from {
        call.params.push(ParamValue {
            name: "reviewId".into(),
            location: ParamLocation::Path,
            value: Some(Node::Ref(Reference {
                call: from,
                source: RefSource::Body("/id".into()),
            })),
        });
    }
    call.body = body.map(|b| Body {
        media_type: "application/json".into(),
        value: Node::from(b),
    });
    call
}

/// Runs `seq`, then every probe the lifecycle prober derives from it; the kinds found.
fn kinds_found(bugs: Bugs, seq: &RequestSeq) -> Vec<FindingKind> {
    let mut w = world(bugs);
    let kinds = FindingKind::ALL
        .into_iter()
        .filter(|k| k.is_lifecycle())
        .collect();
    let mut prober = LifecycleProber::new(Arc::clone(&w.ctx), kinds);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let first: SeqRun = w.runner.run(seq);
    let mut found: Vec<FindingKind> = first.findings.iter().map(|f| f.kind).collect();
    for probe in prober.derive(seq, &first, &mut rng) {
        assert!(probe.references_valid());
        found.extend(w.runner.run(&probe).findings.iter().map(|f| f.kind));
    }
    found.sort();
    found.dedup();
    found
}

fn review(title: &str, rating: u8) -> Option<Value> {
    Some(json!({"title": title, "rating": rating}))
}

#[test]
fn use_after_delete_needs_the_same_content_after_a_delete() {
    let seq = RequestSeq::new(vec![
        call("createReview", None, review("fine", 4)),
        call("deleteReview", Some(0), None),
    ]);
    let buggy = Bugs {
        serve_deleted: true,
        ..Bugs::default()
    };
    assert_eq!(kinds_found(buggy, &seq), vec![FindingKind::UseAfterDelete]);
    assert_eq!(kinds_found(Bugs::default(), &seq), vec![]);
}

#[test]
fn create_not_readable_reads_through_the_returned_id() {
    let seq = RequestSeq::new(vec![call("createReview", None, review("fine", 4))]);
    let buggy = Bugs {
        lose_creates: true,
        ..Bugs::default()
    };
    assert_eq!(
        kinds_found(buggy, &seq),
        vec![FindingKind::CreateNotReadable]
    );
    assert_eq!(kinds_found(Bugs::default(), &seq), vec![]);
}

#[test]
fn update_not_read_back_ignores_server_managed_fields() {
    let seq = RequestSeq::new(vec![
        call("createReview", None, review("fine", 4)),
        call(
            "updateReview",
            Some(0),
            Some(json!({"title": "better", "rating": 5, "edit_count": 9})),
        ),
    ]);
    let buggy = Bugs {
        ignore_rating: true,
        ..Bugs::default()
    };
    assert_eq!(
        kinds_found(buggy, &seq),
        vec![FindingKind::UpdateNotReadBack]
    );
    // `edit_count` is not in the request schema: its value is the server's business.
    assert_eq!(kinds_found(Bugs::default(), &seq), vec![]);
}

#[test]
fn leak_after_failed_create_lists_around_the_failure() {
    let seq = RequestSeq::new(vec![call("createReview", None, review("bad", 1))]);
    let buggy = Bugs {
        keep_failed: true,
        ..Bugs::default()
    };
    assert_eq!(
        kinds_found(buggy, &seq),
        vec![FindingKind::LeakAfterFailedCreate]
    );
    assert_eq!(kinds_found(Bugs::default(), &seq), vec![]);
}

#[test]
fn probes_are_bounded_per_operation() {
    let seq = RequestSeq::new(vec![
        call("createReview", None, review("fine", 4)),
        call("deleteReview", Some(0), None),
    ]);
    let mut w = world(Bugs::default());
    let kinds = vec![FindingKind::UseAfterDelete];
    let mut prober = LifecycleProber::new(Arc::clone(&w.ctx), kinds);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut total = 0;
    for _ in 0..10 {
        let run = w.runner.run(&seq);
        total += prober.derive(&seq, &run, &mut rng).len();
    }
    assert_eq!(total, 4);
}
