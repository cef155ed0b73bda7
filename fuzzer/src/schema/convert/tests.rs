use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::schema::validate::validator_for;

fn c30(schema: Value, view: View) -> Value {
    convert_standalone(&schema, Dialect::OpenApi30, view).0
}

fn accepts(schema: &Value, instance: &Value) -> bool {
    let defs = json!({"$id": crate::spec::DEFS_URI, "$defs": {}});
    validator_for(&defs, schema)
        .expect("compiles")
        .is_valid(instance)
}

#[test]
fn nullable_adds_null_to_type_and_enum() {
    let s = c30(
        json!({"type": "string", "enum": ["a"], "nullable": true}),
        View::Request,
    );
    assert_eq!(s, json!({"type": ["string", "null"], "enum": ["a", null]}));
    assert!(accepts(&s, &Value::Null));
    assert!(!accepts(&s, &json!("b")));
}

#[test]
fn nullable_wraps_refs_and_compositions() {
    let s = c30(
        json!({"$ref": "#/x", "nullable": true, "description": "ignored"}),
        View::Request,
    );
    assert_eq!(s, json!({"anyOf": [{"type": "null"}, {"$ref": "#/x"}]}));
    let s = c30(
        json!({"allOf": [{"type": "integer"}], "nullable": true}),
        View::Request,
    );
    assert!(accepts(&s, &Value::Null));
    assert!(accepts(&s, &json!(3)));
    assert!(!accepts(&s, &json!("3")));
}

#[test]
fn nullable_without_type_stays_permissive() {
    assert_eq!(c30(json!({"nullable": true}), View::Request), json!({}));
}

#[test]
fn boolean_exclusive_bounds_become_numeric() {
    let s = c30(
        json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true,
               "maximum": 5, "exclusiveMaximum": false}),
        View::Request,
    );
    assert_eq!(
        s,
        json!({"type": "integer", "exclusiveMinimum": 1, "maximum": 5})
    );
    assert!(!accepts(&s, &json!(1)));
    assert!(accepts(&s, &json!(5)));
}

#[test]
fn numeric_exclusive_bounds_are_kept_in_31() {
    let (s, _) = convert_standalone(
        &json!({"type": ["number", "null"], "exclusiveMaximum": 10, "examples": [1]}),
        Dialect::OpenApi31,
        View::Response,
    );
    assert_eq!(
        s,
        json!({"type": ["number", "null"], "exclusiveMaximum": 10, "examples": [1]})
    );
}

#[test]
fn read_only_and_write_only_give_two_views() {
    let schema = json!({
        "type": "object",
        "required": ["id", "name", "password"],
        "properties": {
            "id": {"type": "integer", "readOnly": true},
            "name": {"type": "string"},
            "password": {"type": "string", "writeOnly": true}
        }
    });
    let request = c30(schema.clone(), View::Request);
    assert_eq!(request["required"], json!(["name", "password"]));
    assert!(request["properties"].get("id").is_none());
    let response = c30(schema, View::Response);
    assert_eq!(response["required"], json!(["id", "name"]));
    assert!(response["properties"].get("password").is_none());
}

#[test]
fn example_becomes_examples() {
    let s = c30(json!({"type": "integer", "example": 3}), View::Request);
    assert_eq!(s["examples"], json!([3]));
}

#[test]
fn discriminator_mapping_is_rewritten_through_the_resolver() {
    let s = c30(
        json!({"oneOf": [{"$ref": "#/components/schemas/Cat"}],
               "discriminator": {"propertyName": "kind", "mapping": {"cat": "Cat"}}}),
        View::Request,
    );
    assert_eq!(
        s["discriminator"]["mapping"]["cat"],
        json!("#/components/schemas/Cat")
    );
    assert_eq!(s["discriminator"]["propertyName"], json!("kind"));
}

#[test]
fn discriminated_one_of_tolerates_overlap_but_follows_the_tag() {
    let s = c30(
        json!({"oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}],
               "discriminator": {"propertyName": "kind", "mapping": {"a": "#/a", "b": "#/b"}}}),
        View::Response,
    );
    assert!(s.get("oneOf").is_none());
    assert_eq!(s["anyOf"].as_array().unwrap().len(), 2);
    assert_eq!(s["allOf"][1]["then"], json!({"$ref": "#/b"}));
    // Overlapping alternatives: strict oneOf would reject `{"kind": "a"}`; the tag decides.
    let schema = json!({"$defs": {
            "a": {"type": "object", "properties": {"x": {"type": "integer"}}},
            "b": {"type": "object", "properties": {"y": {"type": "string"}}}},
        "oneOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/b"}],
        "discriminator": {"propertyName": "kind", "mapping": {"a": "#/$defs/a", "b": "#/$defs/b"}}});
    let (mut converted, _) = convert_standalone(&schema, Dialect::OpenApi30, View::Response);
    converted["$defs"] = schema["$defs"].clone();
    assert!(accepts(&converted, &json!({"kind": "a", "x": 1})));
    assert!(!accepts(&converted, &json!({"kind": "a", "x": "no"})));
    assert!(accepts(
        &converted,
        &json!({"kind": "b", "x": "no", "y": "s"})
    ));
}

#[test]
fn swagger_file_type_is_a_binary_string() {
    let s = c30(json!({"type": "file"}), View::Request);
    assert_eq!(s, json!({"type": "string", "format": "binary"}));
}

#[test]
fn documentation_and_extensions_are_dropped() {
    let s = c30(
        json!({"type": "string", "description": "d", "x-foo": 1, "xml": {}, "format": "uuid"}),
        View::Request,
    );
    assert_eq!(s, json!({"type": "string", "format": "uuid"}));
}

#[test]
fn malformed_keywords_are_dropped_with_warnings_and_still_compile() {
    let (s, warnings) = convert_standalone(
        &json!({"type": "strin", "minLength": -1, "allOf": [], "properties": {"a": 5},
                "required": true, "multipleOf": 0}),
        Dialect::OpenApi30,
        View::Request,
    );
    assert!(warnings.len() >= 4, "{warnings:?}");
    assert!(accepts(&s, &json!({"a": 1})));
}

#[test]
fn tuple_items_and_dependencies_are_upgraded() {
    let s = c30(
        json!({"items": [{"type": "integer"}], "additionalItems": false,
               "dependencies": {"a": ["b"], "c": {"required": ["d"]}}}),
        View::Request,
    );
    assert_eq!(s["prefixItems"], json!([{"type": "integer"}]));
    assert_eq!(s["items"], json!(false));
    assert_eq!(s["dependentRequired"], json!({"a": ["b"]}));
    assert!(accepts(&s, &json!([1])));
    assert!(!accepts(&s, &json!([1, 2])));
}

#[test]
fn ref_siblings_apply_in_31_only() {
    let raw = json!({"$ref": "#/x", "minLength": 2});
    assert_eq!(c30(raw.clone(), View::Request), json!({"$ref": "#/x"}));
    let (s, _) = convert_standalone(&raw, Dialect::OpenApi31, View::Request);
    assert_eq!(s, json!({"$ref": "#/x", "minLength": 2}));
}

/// A schema in OpenAPI 3.0 style with instances that satisfy it by construction.
fn leaf() -> impl Strategy<Value = (Value, Vec<Value>)> {
    prop_oneof![
        (
            0usize..4,
            0usize..6,
            prop::collection::vec("[a-z]{0,10}", 1..3)
        )
            .prop_map(|(min, extra, raw)| {
                let max = min + extra;
                let examples = raw
                    .into_iter()
                    .map(|mut s| {
                        while s.len() < min {
                            s.push('a');
                        }
                        s.truncate(max);
                        Value::from(s)
                    })
                    .collect();
                (
                    json!({"type": "string", "minLength": min, "maxLength": max}),
                    examples,
                )
            }),
        (
            -100i64..100,
            0i64..50,
            any::<bool>(),
            prop::collection::vec(0i64..1000, 1..3)
        )
            .prop_map(|(lo, span, exclusive, raw)| {
                let hi = lo + span + 2;
                let examples = raw
                    .into_iter()
                    .map(|r| Value::from(lo + 1 + r % (hi - lo - 1)))
                    .collect();
                let schema = json!({"type": "integer", "minimum": lo, "maximum": hi,
                                    "exclusiveMinimum": exclusive, "exclusiveMaximum": exclusive});
                (schema, examples)
            }),
        (1u32..5, prop::collection::vec(-20i32..20, 1..3)).prop_map(|(step, raw)| {
            let step = f64::from(step) / 2.0;
            let examples = raw
                .into_iter()
                .map(|r| json!(f64::from(r) * step))
                .collect();
            (json!({"type": "number", "multipleOf": step}), examples)
        }),
        Just((json!({"type": "boolean"}), vec![json!(true), json!(false)])),
        prop::collection::vec("[a-z]{1,5}", 1..4).prop_map(|values| {
            let first = json!(values[0]);
            (
                json!({"type": "string", "enum": values, "format": "my-format"}),
                vec![first],
            )
        }),
    ]
}

fn object(
    props: Vec<(String, (Value, Vec<Value>))>,
    closed: bool,
    mask: u8,
) -> (Value, Vec<Value>) {
    let mut properties = serde_json::Map::new();
    let mut full = serde_json::Map::new();
    let mut minimal = serde_json::Map::new();
    let mut required = Vec::new();
    for (i, (name, (schema, examples))) in props.into_iter().enumerate() {
        if properties.contains_key(&name) {
            continue;
        }
        properties.insert(name.clone(), schema);
        full.insert(name.clone(), examples[0].clone());
        if mask & (1 << (i % 8)) != 0 {
            required.push(Value::from(name.clone()));
            minimal.insert(name, examples[examples.len() - 1].clone());
        }
    }
    let schema = json!({"type": "object", "properties": properties, "required": required,
                        "additionalProperties": !closed});
    (schema, vec![Value::Object(full), Value::Object(minimal)])
}

fn schema_with_examples() -> impl Strategy<Value = (Value, Vec<Value>)> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), 0usize..3).prop_map(|((s, ex), max_extra)| {
                let n = ex.len();
                (
                    json!({"type": "array", "items": s, "maxItems": n + max_extra}),
                    vec![Value::Array(ex), json!([])],
                )
            }),
            (
                prop::collection::vec(("[a-z]{1,6}", inner.clone()), 1..4),
                any::<bool>(),
                any::<u8>()
            )
                .prop_map(|(props, closed, mask)| object(props, closed, mask)),
            inner.clone().prop_map(|(mut s, mut ex)| {
                if let Some(map) = s.as_object_mut() {
                    map.insert("nullable".into(), json!(true));
                    ex.push(Value::Null);
                }
                (s, ex)
            }),
            (inner.clone(), inner.clone()).prop_map(|((a, mut ea), (b, eb))| {
                ea.extend(eb);
                (json!({"anyOf": [a, b]}), ea)
            }),
            inner
                .clone()
                .prop_map(|(s, ex)| (json!({"allOf": [s], "example": ex[0]}), ex)),
            inner.prop_map(|(s, ex)| (json!({"oneOf": [s]}), ex)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn converted_schemas_accept_their_own_examples((schema, examples) in schema_with_examples()) {
        let mut raw = schema;
        if let Some(map) = raw.as_object_mut() {
            map.insert("example".into(), examples[0].clone());
        }
        for view in [View::Request, View::Response] {
            let (converted, _) = convert_standalone(&raw, Dialect::OpenApi30, view);
            let defs = json!({"$id": crate::spec::DEFS_URI, "$defs": {}});
            let validator = validator_for(&defs, &converted).expect("converted schemas compile");
            let own = converted.get("examples").and_then(Value::as_array).cloned().unwrap_or_default();
            prop_assert!(!own.is_empty());
            for example in own.iter().chain(&examples) {
                prop_assert!(validator.is_valid(example), "{} rejects {}", converted, example);
            }
        }
    }

    #[test]
    fn conversion_is_total_on_arbitrary_json(raw in arb_json()) {
        for dialect in [Dialect::OpenApi30, Dialect::OpenApi31] {
            let (converted, _) = convert_standalone(&raw, dialect, View::Request);
            let defs = json!({"$id": crate::spec::DEFS_URI, "$defs": {}});
            // Local `$ref`s are kept as written and may dangle; everything else must compile.
            if !converted.to_string().contains("$ref") {
                prop_assert!(validator_for(&defs, &converted).is_ok(), "{}", converted);
            }
        }
    }
}

/// Arbitrary JSON biased towards schema keywords.
fn arb_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "type",
        "nullable",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "enum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "required",
        "example",
        "examples",
        "additionalProperties",
        "discriminator",
        "readOnly",
        "format",
        "pattern_",
        "x-a",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        prop::sample::select(vec!["string", "integer", "object", "array", "file", "x"])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..4).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

#[test]
fn invalid_patterns_are_dropped_so_the_schema_compiles() {
    let (s, warnings) = convert_standalone(
        &json!({"type": "string", "pattern": "\\p{XDigit}{8}",
                "patternProperties": {"[": {}, "^a": {"type": "integer"}}}),
        Dialect::OpenApi30,
        View::Request,
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(s.get("pattern").is_none());
    assert!(accepts(&s, &json!("zz")));
    let kept = c30(json!({"pattern": "^[a-z]+$"}), View::Request);
    assert!(!accepts(&kept, &json!("A")));
}
