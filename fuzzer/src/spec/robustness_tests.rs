//! Robustness of loading: reference cycles, self-reference and arbitrary OpenAPI-shaped input.

use serde_json::{Value, json};

use super::*;
use crate::schema::Validators;

#[test]
fn pure_alias_cycles_do_not_hang_validation() {
    let text = r##"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
      "paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
      "components": {"schemas": {
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"$ref": "#/components/schemas/A"}}}}"##;
    let model = load_str(std::path::Path::new("alias.json"), text).unwrap();
    assert!(!model.warnings.is_empty());
    let mut validators = Validators::new(&model).unwrap();
    let v = validators
        .response(&model.operations[0].id, 200, "application/json")
        .unwrap()
        .unwrap();
    assert!(v.is_valid(&json!({"anything": 1})));
}

/// Arbitrary JSON biased towards OpenAPI keys and references into the same document.
fn arb_openapi_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let keys = prop::sample::select(vec![
        "parameters",
        "responses",
        "requestBody",
        "content",
        "application/json",
        "schema",
        "$ref",
        "in",
        "name",
        "type",
        "properties",
        "items",
        "allOf",
        "oneOf",
        "nullable",
        "200",
        "default",
        "links",
        "operationId",
        "security",
        "headers",
        "a",
        "readOnly",
        "discriminator",
        "mapping",
        "examples",
        "required",
        "style",
        "collectionFormat",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..300).prop_map(Value::from),
        prop::sample::select(vec![
            "#/components/schemas/a",
            "#/definitions/a",
            "#/paths/~1a~1{id}/get",
            "#/a",
            "#",
            "query",
            "path",
            "header",
            "cookie",
            "body",
            "formData",
            "string",
            "file",
            "object",
            "array",
            "multi",
            "{id}",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..5).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    #[test]
    fn loading_arbitrary_documents_never_panics(
        op in arb_openapi_json(),
        shared in arb_openapi_json(),
        version in proptest::sample::select(vec!["3.0.3", "3.1.0", "2.0"]),
    ) {
        let key = if version == "2.0" { "swagger" } else { "openapi" };
        let doc = json!({
            key: version,
            "info": {"title": "t", "version": "1"},
            "paths": {"/a/{id}": {"get": op.clone(), "post": op, "parameters": shared.clone()}},
            "components": {"schemas": {"a": shared.clone()}},
            "definitions": {"a": shared},
        });
        if let Ok(model) = load_str(std::path::Path::new("arb.json"), &doc.to_string()) {
            let mut validators = Validators::new(&model).unwrap();
            for op in &model.operations {
                let _ = validators.response(&op.id, 200, "application/json");
            }
        }
    }
}

#[test]
fn self_referencing_composition_validates_without_overflow() {
    let text = r##"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
      "paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
      "components": {"schemas": {
        "A": {"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true}}}}"##;
    let model = load_str(std::path::Path::new("selfref.json"), text).unwrap();
    let mut validators = Validators::new(&model).unwrap();
    if let Ok(Some(v)) = validators.response(&model.operations[0].id, 200, "application/json") {
        let _ = v.is_valid(&json!({"x": 1}));
    }
}
