//! What each mutator does to a small, hand-built shop sequence: create an order, read it back by
//! reference, list products.

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::*;
use crate::input::test_model::test_model;
use crate::input::{Body, Call, Node, ParamValue, RefSource, Reference, RequestSeq};
use crate::spec::{OperationId, ParamLocation};

fn ctx() -> Arc<SeqContext> {
    Arc::new(SeqContext::new(Arc::new(test_model())))
}

fn param(name: &str, location: ParamLocation, value: Node) -> ParamValue {
    ParamValue {
        name: name.into(),
        location,
        value: Some(value),
    }
}

fn order_ref() -> Node {
    Node::Ref(Reference {
        call: 0,
        source: RefSource::Body("/id".into()),
    })
}

fn shop_seq() -> RequestSeq {
    let create = Call {
        operation: OperationId("createOrder".into()),
        identity: None,
        params: vec![param(
            "X-Request-Id",
            ParamLocation::Header,
            Node::string("r"),
        )],
        body: Some(Body {
            media_type: "application/json".into(),
            value: Node::from(&json!({
                "product_id": 3, "quantity": 2, "tags": ["x"],
                "shipping": {"street": "a", "city": "Paris"}
            })),
        }),
    };
    let get = Call {
        operation: OperationId("getOrder".into()),
        identity: None,
        params: vec![
            param("orderId", ParamLocation::Path, order_ref()),
            param("fields", ParamLocation::Query, Node::from(&json!(["id"]))),
        ],
        body: None,
    };
    let list = Call {
        operation: OperationId("listProducts".into()),
        identity: None,
        params: vec![param("limit", ParamLocation::Query, Node::number(5))],
        body: None,
    };
    RequestSeq::new(vec![create, get, list])
}

/// Runs `f` on a fresh copy for seeds 0..n and returns the mutants it reported as mutated.
fn mutants(n: u64, f: impl Fn(&mut RequestSeq, &mut ChaCha8Rng) -> bool) -> Vec<RequestSeq> {
    (0..n)
        .filter_map(|seed| {
            let mut seq = shop_seq();
            let mutated = f(&mut seq, &mut ChaCha8Rng::seed_from_u64(seed));
            assert!(seq.references_valid(), "{seq:?}");
            mutated.then_some(seq)
        })
        .collect()
}

fn body(seq: &RequestSeq) -> serde_json::Value {
    seq.calls[0]
        .body
        .as_ref()
        .map(|b| b.value.to_value())
        .unwrap_or_default()
}

#[test]
fn value_mutators_change_a_value() {
    let ctx = ctx();
    let original = shop_seq();
    for m in [
        mutants(40, |s, r| {
            RegenerateLeafMutator::new(ctx.clone()).apply(s, r)
        }),
        mutants(40, |s, r| {
            BoundaryValueMutator::new(ctx.clone()).apply(s, r)
        }),
        mutants(40, |s, r| InvalidValueMutator::new(ctx.clone()).apply(s, r)),
        mutants(40, |s, r| {
            AttackPayloadMutator::new(ctx.clone()).apply(s, r)
        }),
        mutants(40, |s, r| StringHavocMutator::new(ctx.clone()).apply(s, r)),
    ] {
        assert_eq!(m.len(), 40);
        assert!(m.iter().filter(|s| **s != original).count() >= 30);
        // Value mutators never touch references or the shape of the sequence.
        assert!(m.iter().all(|s| s.calls.len() == 3
            && s.calls[1].param("orderId", ParamLocation::Path) == Some(&order_ref())));
    }
}

#[test]
fn structure_mutators_add_and_drop_fields() {
    let ctx = ctx();
    let dropped = mutants(60, |s, r| {
        DropRequiredFieldMutator::new(ctx.clone()).apply(s, r)
    });
    assert!(dropped.iter().any(|s| body(s).get("product_id").is_none()));
    assert!(
        dropped
            .iter()
            .any(|s| s.calls[1].param("orderId", ParamLocation::Path).is_none())
    );
    assert!(dropped.iter().any(|s| s.calls[0].body.is_none()));
    let toggled = mutants(80, |s, r| {
        ToggleOptionalFieldMutator::new(ctx.clone()).apply(s, r)
    });
    assert!(toggled.iter().any(|s| body(s).get("note").is_some()));
    assert!(toggled.iter().any(|s| body(s).get("tags").is_none()));
    assert!(
        toggled
            .iter()
            .any(|s| s.calls[2].param("sort", ParamLocation::Query).is_some())
    );
    let extra = mutants(40, |s, r| {
        AddUndeclaredFieldMutator::new(ctx.clone()).apply(s, r)
    });
    assert!(extra.iter().all(|s| s.size() > shop_seq().size()));
    assert!(extra.iter().any(|s| {
        s.calls.iter().any(|c| {
            c.params
                .iter()
                .any(|p| p.name == "isAdmin" || p.name == "role")
        }) || ["isAdmin", "role", "admin"]
            .iter()
            .any(|k| body(s).get(k).is_some())
    }));
}

#[test]
fn arrays_resize_and_one_of_switches() {
    let ctx = ctx();
    let resized = mutants(40, |s, r| ResizeArrayMutator::new(ctx.clone()).apply(s, r));
    let tag_lens: Vec<usize> = resized
        .iter()
        .filter_map(|s| body(s)["tags"].as_array().map(Vec::len))
        .collect();
    assert!(tag_lens.contains(&0) && tag_lens.contains(&2));
    let switched = mutants(40, |s, r| SwitchOneOfMutator::new(ctx.clone()).apply(s, r));
    assert!(
        switched
            .iter()
            .any(|s| body(s)["shipping"].get("pickup").is_some())
    );
}

#[test]
fn sequence_mutators_keep_chains() {
    let ctx = ctx();
    for s in mutants(20, |s, r| {
        AppendConsumerCallMutator::new(ctx.clone()).apply(s, r)
    }) {
        assert_eq!(s.calls.len(), 4);
        let last = &s.calls[3];
        assert_eq!(
            last.param("orderId", ParamLocation::Path),
            Some(&order_ref()),
            "{last:?}"
        );
    }
    for s in mutants(20, |s, r| RemoveCallMutator::new(ctx.clone()).apply(s, r)) {
        assert_eq!(s.calls.len(), 2);
    }
    for s in mutants(20, |s, r| {
        DuplicateCallMutator::new(ctx.clone()).apply(s, r)
    }) {
        assert_eq!(s.calls.len(), 4);
        let chained = s.calls.iter().filter(|c| {
            c.operation.0 == "getOrder"
                && c.param("orderId", ParamLocation::Path) == Some(&order_ref())
        });
        assert!(chained.count() >= 1);
    }
    assert_eq!(
        mutants(20, |s, r| SwapCallsMutator::new(ctx.clone()).apply(s, r)).len(),
        20
    );
}

#[test]
fn splice_retargets_references_into_the_prefix() {
    let other = RequestSeq::new(vec![
        shop_seq().calls[0].clone(),
        shop_seq().calls[1].clone(),
    ]);
    let mut saw_retarget = false;
    for seed in 0..60 {
        let mut seq = shop_seq();
        assert!(SpliceMutator::apply(
            &mut seq,
            &other,
            &mut ChaCha8Rng::seed_from_u64(seed)
        ));
        assert!(seq.references_valid());
        for (i, call) in seq
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.operation.0 == "getOrder")
        {
            if let Some(Node::Ref(r)) = call.param("orderId", ParamLocation::Path) {
                assert_eq!(seq.calls[r.call].operation.0, "createOrder");
                saw_retarget |= r.call == 0 && i == 1 && seq.calls.len() == 2;
            }
        }
    }
    assert!(saw_retarget);
}

#[test]
fn values_become_references_and_back() {
    let ctx = ctx();
    let to_ref = mutants(40, |s, r| {
        ValueToReferenceMutator::new(ctx.clone()).apply(s, r)
    });
    assert!(to_ref.iter().all(|s| {
        s.calls
            .iter()
            .flat_map(|c| c.nodes())
            .flat_map(Node::refs)
            .count()
            == 2
    }));
    assert!(to_ref.iter().any(|s| matches!(
        s.calls[2].param("limit", ParamLocation::Query),
        Some(Node::Ref(_))
    )));
    let back = mutants(20, |s, r| {
        ReferenceToValueMutator::new(ctx.clone()).apply(s, r)
    });
    assert_eq!(back.len(), 20);
    assert!(back.iter().all(|s| !matches!(
        s.calls[1].param("orderId", ParamLocation::Path),
        Some(Node::Ref(_))
    )));
}

#[test]
fn a_missing_body_can_be_added_back() {
    let ctx = ctx();
    let restored = (0..60).any(|seed| {
        let mut seq = shop_seq();
        seq.calls[0].body = None;
        let m = ToggleOptionalFieldMutator::new(ctx.clone());
        m.apply(&mut seq, &mut ChaCha8Rng::seed_from_u64(seed));
        seq.calls[0]
            .body
            .as_ref()
            .is_some_and(|b| b.media_type == "application/json")
    });
    assert!(restored);
}
