//! Property tests of the input: rendering is total and well-formed for any sequence, and sequences
//! survive serde_json and postcard round trips.

use proptest::prelude::*;

use super::auth::Credentials;
use super::render::render;
use super::seq::RequestSeq;
use super::strategies::{any_seq, response, weird_string};
use super::test_model::test_model;
use crate::http::HttpRequest;

fn well_formed(req: &HttpRequest) -> Result<(), TestCaseError> {
    prop_assert!(req.path_and_query.starts_with('/'));
    prop_assert!(
        !req.path_and_query.contains([' ', '\r', '\n']),
        "{}",
        req.path_and_query
    );
    for (name, value) in &req.headers {
        prop_assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'),
            "{name:?}"
        );
        prop_assert!(!value.contains(['\r', '\n', '\0']), "{value:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn rendering_is_total(
        seq in any_seq(),
        earlier in proptest::collection::vec(proptest::option::of(response()), 0..6),
        template in prop_oneof![Just(None), weird_string().prop_map(Some)],
        base in weird_string(),
        cred in (weird_string(), weird_string()),
    ) {
        let model = test_model();
        let creds = Credentials {
            headers: vec![(cred.0.clone(), cred.1.clone())],
            query: vec![cred.clone()],
            cookies: vec![cred],
        };
        for (i, call) in seq.calls.iter().enumerate() {
            let mut op = model.operations.iter().find(|o| o.id == call.operation)
                .unwrap_or(&model.operations[i % model.operations.len()]).clone();
            if let Some(t) = &template {
                op.path = t.clone();
            }
            let req = render(call, &op, &earlier, &creds, &base);
            well_formed(&req)?;
            prop_assert_eq!(req.body.is_empty() && call.body.is_none(), call.body.is_none());
        }
    }

    #[test]
    fn round_trips_through_serde_json(seq in any_seq()) {
        let text = serde_json::to_string(&seq).expect("serialise");
        let back: RequestSeq = serde_json::from_str(&text).expect("deserialise");
        prop_assert_eq!(back, seq);
    }

    #[test]
    fn round_trips_through_postcard(seq in any_seq()) {
        let bytes = postcard::to_allocvec(&seq).expect("serialise");
        let back: RequestSeq = postcard::from_bytes(&bytes).expect("deserialise");
        prop_assert_eq!(back, seq);
    }

    #[test]
    fn repair_makes_references_valid(mut seq in any_seq()) {
        seq.repair();
        prop_assert!(seq.references_valid());
        prop_assert_eq!(seq.repair(), 0);
    }
}
