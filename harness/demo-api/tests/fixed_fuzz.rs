//! A seeded random sweep over every operation in fixed mode: schema-driven values, boundary and
//! invalid values, wrong types, missing and extra fields, any identity. Every response must be
//! documented and match its schema, which is what Shrike's false-positive tests rely on.

mod common;

use std::collections::BTreeMap;

use common::spec::{Operation, deref, document, inline, operations};
use common::{Api, Reply};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::Method;
use serde_json::{Map, Value, json};

const NASTY: [&str; 10] = [
    "'",
    "\"",
    "' OR '1'='1",
    "\\",
    "%00",
    "../../etc/passwd",
    "ünïcødé ✓",
    "{{7*7}}",
    "",
    " ",
];

fn random_string(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..4) {
        0 => NASTY.choose(rng).copied().unwrap_or("").to_owned(),
        1 => "A".repeat(rng.random_range(0..300)),
        2 => (0..rng.random_range(1..12))
            .map(|_| char::from(rng.random_range(b'a'..=b'z')))
            .collect(),
        _ => format!("{}", rng.random_range(-5..100)),
    }
}

/// A value for `schema`: mostly valid, sometimes a boundary, sometimes of the wrong kind.
fn value(schema: &Value, rng: &mut ChaCha8Rng, depth: usize) -> Value {
    if depth > 4 || rng.random_bool(0.08) {
        return [
            json!(null),
            json!(-1),
            json!("x"),
            json!([]),
            json!({}),
            json!(1.5),
            json!(true),
        ]
        .choose(rng)
        .cloned()
        .unwrap_or(Value::Null);
    }
    if let Some(choices) = schema["enum"].as_array().filter(|_| rng.random_bool(0.8)) {
        return choices.choose(rng).cloned().unwrap_or(Value::Null);
    }
    if let Some(example) = schema.get("example").filter(|_| rng.random_bool(0.3)) {
        return example.clone();
    }
    match schema["type"].as_str().unwrap_or("object") {
        "integer" => {
            let min = schema["minimum"].as_i64().unwrap_or(-10);
            let max = schema["maximum"]
                .as_i64()
                .unwrap_or(min.saturating_add(1000));
            match rng.random_range(0..5) {
                0 => json!(min),
                1 => json!(max),
                2 => json!(max.saturating_add(1)),
                _ => json!(rng.random_range(min..=max)),
            }
        }
        "boolean" => json!(rng.random_bool(0.5)),
        "string" => json!(random_string(rng)),
        "array" => {
            let count = rng.random_range(0..4);
            Value::Array(
                (0..count)
                    .map(|_| value(&schema["items"], rng, depth + 1))
                    .collect(),
            )
        }
        _ => object(schema, rng, depth),
    }
}

fn object(schema: &Value, rng: &mut ChaCha8Rng, depth: usize) -> Value {
    let mut map = Map::new();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let keep = if required.contains(&name.as_str()) {
            0.95
        } else {
            0.6
        };
        if rng.random_bool(keep) {
            map.insert(name.clone(), value(property, rng, depth + 1));
        }
    }
    if rng.random_bool(0.1) {
        map.insert("role".into(), json!("admin"));
    }
    Value::Object(map)
}

fn path_id(rng: &mut ChaCha8Rng) -> String {
    [
        "1",
        "2",
        "3",
        "4",
        "5",
        "0",
        "-1",
        "999999",
        "abc",
        "99999999999999999999",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("1")
    .to_owned()
}

/// Builds the URL path and query of one call to `operation`.
fn target(document: &Value, operation: &Operation, rng: &mut ChaCha8Rng) -> String {
    let mut path = operation.template.clone();
    let mut query = Vec::new();
    for list in [
        &operation.path_item["parameters"],
        &operation.value["parameters"],
    ] {
        for parameter in list.as_array().into_iter().flatten() {
            let parameter = inline(document, deref(document, parameter));
            let name = parameter["name"].as_str().unwrap_or("");
            if parameter["in"] == "path" {
                path = path.replace(&format!("{{{name}}}"), &path_id(rng));
            } else if parameter["required"] == true || rng.random_bool(0.6) {
                let text = match value(&parameter["schema"], rng, 0) {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                let encoded: String = text
                    .bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() {
                            char::from(b).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect();
                query.push(format!("{name}={encoded}"));
            }
        }
    }
    if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

fn check(document: &Value, operation: &Operation, reply: &Reply) -> Option<String> {
    let responses = &operation.value["responses"];
    let Some(response) = responses.get(reply.status.to_string()) else {
        return Some(format!("undocumented {}: {}", reply.status, reply.text));
    };
    let response = deref(document, response);
    let Some(schema) = response["content"]["application/json"].get("schema") else {
        return (!reply.text.is_empty()).then(|| format!("{} with a body", reply.status));
    };
    let validator = jsonschema::draft202012::new(&inline(document, schema)).expect("schema");
    let errors: Vec<String> = validator
        .iter_errors(&reply.json)
        .map(|e| e.to_string())
        .collect();
    (!errors.is_empty()).then(|| format!("{}: {errors:?} in {}", reply.status, reply.text))
}

/// Sends `count` random calls; returns the violations and how often each status came back.
fn sweep(fixed: bool, count: usize) -> (Vec<String>, BTreeMap<u16, usize>) {
    let document = document();
    let operations = operations(&document);
    let api = Api::start(fixed);
    let tokens = [
        api.token_of("alice"),
        api.token_of("bob"),
        api.token_of("admin"),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut problems = Vec::new();
    let mut statuses = BTreeMap::new();
    for _ in 0..count {
        let operation = operations.choose(&mut rng).expect("operations");
        let path = target(&document, operation, &mut rng);
        let token = match rng.random_range(0..5) {
            0 => None,
            1 => Some("tok_forged"),
            n => Some(tokens[n - 2].as_str()),
        };
        let body_schema = &operation.value["requestBody"]["content"]["application/json"]["schema"];
        let body = body_schema
            .is_object()
            .then(|| value(&inline(&document, body_schema), &mut rng, 0));
        let method =
            Method::from_bytes(operation.method.to_uppercase().as_bytes()).expect("method");
        let reply = api.call(method, &path, token, body.as_ref());
        *statuses.entry(reply.status).or_default() += 1;
        if let Some(problem) = check(&document, operation, &reply) {
            problems.push(format!("{} {path} {body:?}: {problem}", operation.method));
        }
    }
    (problems, statuses)
}

#[test]
fn fixed_mode_conforms_under_a_random_sweep() {
    let (problems, statuses) = sweep(true, 3000);
    assert!(
        problems.is_empty(),
        "{} violations:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The sweep reaches successes and every kind of documented error.
    for status in [200, 201, 204, 400, 401, 403, 404, 409, 422] {
        assert!(
            statuses.contains_key(&status),
            "never saw {status}: {statuses:?}"
        );
    }
}

#[test]
fn normal_mode_fails_the_same_sweep() {
    let (problems, _) = sweep(false, 3000);
    assert!(
        problems.iter().any(|p| p.contains("undocumented 500")),
        "{problems:?}"
    );
}
