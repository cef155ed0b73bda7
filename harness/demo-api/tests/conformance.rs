//! Spec conformance: a broad set of valid, invalid and bug-triggering requests, each response
//! checked against the spec (documented status, JSON body valid against the documented schema).
//! Fixed mode must conform throughout and every operation must be usable; normal mode must not.

mod common;

use std::collections::HashSet;

use common::spec::{Operation, deref, document, find, inline, operations};
use common::{Api, Reply};
use reqwest::Method;
use serde_json::{Value, json};

/// Who sends a request.
#[derive(Clone, Copy)]
enum As {
    Anonymous,
    Alice,
    Bob,
    Admin,
}

fn requests() -> Vec<(Method, String, As, Option<Value>)> {
    use As::*;
    let get = |path: &str, who| (Method::GET, path.to_owned(), who, None);
    let send =
        |method: Method, path: &str, who, body: Value| (method, path.to_owned(), who, Some(body));
    let delete = |path: &str, who| (Method::DELETE, path.to_owned(), who, None);
    vec![
        get("/health", Anonymous),
        get("/openapi.json", Anonymous),
        send(
            Method::POST,
            "/auth/login",
            Anonymous,
            json!({"username": "bob", "password": "bob-secret-1"}),
        ),
        send(
            Method::POST,
            "/auth/login",
            Anonymous,
            json!({"username": "alice", "password": "nope"}),
        ),
        send(
            Method::POST,
            "/auth/login",
            Anonymous,
            json!({"username": "ghost", "password": "nope"}),
        ),
        send(
            Method::POST,
            "/auth/login",
            Anonymous,
            json!({"username": "", "password": 5}),
        ),
        send(
            Method::POST,
            "/users",
            Anonymous,
            json!({"username": "carol", "password": "carol-secret-1", "email": "carol@shop.example", "role": "admin"}),
        ),
        send(
            Method::POST,
            "/users",
            Anonymous,
            json!({"username": "carol", "password": "carol-secret-1", "email": "carol@shop.example"}),
        ),
        send(
            Method::POST,
            "/users",
            Anonymous,
            json!({"username": "X", "password": "short", "email": "nope"}),
        ),
        get("/users", Bob),
        get("/users?limit=0", Bob),
        get("/users", Anonymous),
        get("/users/me", Alice),
        get("/users/2", Anonymous),
        get("/users/2", Bob),
        get("/users/2", Alice),
        get("/users/99", Admin),
        get("/users/abc", Admin),
        send(
            Method::PATCH,
            "/users/2",
            Alice,
            json!({"email": "alice2@shop.example"}),
        ),
        send(
            Method::PATCH,
            "/users/2",
            Bob,
            json!({"email": "bob@evil.example"}),
        ),
        get("/products", Anonymous),
        get("/products?limit=0", Anonymous),
        get("/products?limit=101", Anonymous),
        get("/products?sort=-price&category=books", Anonymous),
        get("/products?category=books%27%20OR%201%3D1--", Anonymous),
        get("/products?sort=random", Anonymous),
        send(
            Method::POST,
            "/products",
            Admin,
            json!({"name": "Bird Feeder", "category": "garden", "price_cents": 1899, "stock": 40}),
        ),
        send(
            Method::POST,
            "/products",
            Alice,
            json!({"name": "x", "category": "garden", "price_cents": 1, "stock": 1}),
        ),
        send(
            Method::POST,
            "/products",
            Admin,
            json!({"name": "x", "category": "Garden!", "price_cents": 0, "stock": 1}),
        ),
        delete("/products/6", Admin),
        delete("/products/6", Admin),
        delete("/products/5", Bob),
        get("/products/search?q=rust", Anonymous),
        get("/products/search", Anonymous),
        get("/products/1", Anonymous),
        get("/products/1?currency=GBP", Anonymous),
        get("/products/1?currency=XYZ", Anonymous),
        get("/products/999999", Anonymous),
        get("/products/99999999999999999999999", Anonymous),
        get("/products/1/reviews", Anonymous),
        get("/products/1/reviews?sort=helpful", Anonymous),
        send(
            Method::POST,
            "/products/2/reviews",
            Alice,
            json!({"rating": 5, "title": "Great"}),
        ),
        send(
            Method::POST,
            "/products/2/reviews",
            Alice,
            json!({"rating": 6, "title": ""}),
        ),
        send(
            Method::POST,
            "/products/2/reviews",
            Anonymous,
            json!({"rating": 5, "title": "Great"}),
        ),
        get("/reviews/4", Anonymous),
        send(
            Method::PUT,
            "/reviews/4",
            Alice,
            json!({"rating": 4, "title": "Good"}),
        ),
        send(
            Method::PUT,
            "/reviews/2",
            Alice,
            json!({"rating": 1, "title": "Bad"}),
        ),
        delete("/reviews/3", Alice),
        delete("/reviews/3", Bob),
        delete("/reviews/3", Bob),
        get("/orders", Alice),
        send(
            Method::POST,
            "/orders",
            Alice,
            json!({"items": [{"product_id": 1, "quantity": 100}]}),
        ),
        send(
            Method::POST,
            "/orders",
            Alice,
            json!({"items": [{"product_id": 4, "quantity": 100}, {"product_id": 999, "quantity": 1}]}),
        ),
        send(Method::POST, "/orders", Alice, json!({"items": []})),
        (Method::POST, "/orders".into(), Alice, None),
        get("/orders/3", Alice),
        get("/orders/3", Bob),
        delete("/orders/3", Alice),
        delete("/orders/3", Alice),
        get("/orders/3", Alice),
        send(
            Method::POST,
            "/coupons/validate",
            Anonymous,
            json!({"code": "SPRING-2026", "percent": 20, "scope": "order"}),
        ),
        send(
            Method::POST,
            "/coupons/validate",
            Anonymous,
            json!({"code": "SPRING-2026", "percent": 25, "scope": "shipping"}),
        ),
        send(
            Method::POST,
            "/coupons/validate",
            Anonymous,
            json!({"code": "SUMMER-2026", "percent": 20, "scope": "order"}),
        ),
        send(
            Method::POST,
            "/shipping/quote",
            Anonymous,
            json!({"country": "DE", "weight_grams": 1200, "carrier": "courier"}),
        ),
        send(
            Method::POST,
            "/shipping/quote",
            Anonymous,
            json!({"country": "IS", "weight_grams": 30000, "carrier": "drone", "express": true}),
        ),
        send(
            Method::POST,
            "/shipping/quote",
            Anonymous,
            json!({"country": "XX", "weight_grams": 0, "carrier": "drone"}),
        ),
        get("/attachments", Alice),
        send(
            Method::POST,
            "/attachments",
            Alice,
            json!({"filename": "a.txt", "content_type": "text/plain", "content": "hi", "metadata": {"k": [1, {"v": null}]}}),
        ),
        send(
            Method::POST,
            "/attachments",
            Alice,
            json!({"filename": "../a", "content_type": "text/html", "content": "hi"}),
        ),
        get("/attachments/2", Alice),
        get("/attachments/2", Bob),
        delete("/attachments/2", Alice),
        get("/attachments/2", Alice),
        delete("/attachments/1", Bob),
    ]
}

/// Checks one response against the spec; returns a description of each violation.
fn violations(document: &Value, operation: &Operation, reply: &Reply) -> Vec<String> {
    let name = &operation.id;
    let responses = &operation.value["responses"];
    let Some(response) = responses
        .get(reply.status.to_string())
        .or_else(|| responses.get("default"))
    else {
        return vec![format!(
            "{name}: undocumented status {}: {}",
            reply.status, reply.text
        )];
    };
    let response = deref(document, response);
    let Some(schema) = response["content"]["application/json"].get("schema") else {
        return if reply.text.is_empty() {
            Vec::new()
        } else {
            vec![format!("{name}: {} must have no body", reply.status)]
        };
    };
    let schema = inline(document, schema);
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    validator
        .iter_errors(&reply.json)
        .map(|error| format!("{name} {}: {error} in {}", reply.status, reply.text))
        .collect()
}

/// Sends every request; returns all violations and the operations that answered 2xx.
fn run(api: &Api) -> (Vec<String>, HashSet<String>) {
    let document = document();
    let operations = operations(&document);
    let tokens = [
        api.token_of("alice"),
        api.token_of("bob"),
        api.token_of("admin"),
    ];
    let mut problems = Vec::new();
    let mut succeeded = HashSet::new();
    for (method, path, who, body) in requests() {
        let token = match who {
            As::Anonymous => None,
            As::Alice => Some(tokens[0].as_str()),
            As::Bob => Some(tokens[1].as_str()),
            As::Admin => Some(tokens[2].as_str()),
        };
        let operation = find(&operations, method.as_str(), &path)
            .unwrap_or_else(|| panic!("no operation for {method} {path}"));
        let reply = api.call(method.clone(), &path, token, body.as_ref());
        if (200..300).contains(&reply.status) {
            succeeded.insert(operation.id.clone());
        }
        problems.extend(
            violations(&document, operation, &reply)
                .into_iter()
                .map(|problem| format!("{method} {path}: {problem}")),
        );
    }
    (problems, succeeded)
}

#[test]
fn fixed_mode_conforms_and_every_operation_is_usable() {
    let api = Api::start(true);
    let (problems, succeeded) = run(&api);
    assert!(problems.is_empty(), "violations:\n{}", problems.join("\n"));
    let document = document();
    let unused: Vec<String> = operations(&document)
        .into_iter()
        .map(|op| op.id)
        .filter(|id| !succeeded.contains(id))
        .collect();
    assert!(
        unused.is_empty(),
        "operations never answered 2xx: {unused:?}"
    );
}

#[test]
fn normal_mode_violates_the_spec() {
    let api = Api::start(false);
    let (problems, _) = run(&api);
    let text = problems.join("\n");
    for expected in [
        "GET /products?limit=0: listProducts: undocumented status 500",
        "GET /products/1?currency=GBP: getProduct 200:",
        "GET /products/1/reviews?sort=helpful: listReviews: undocumented status 202",
        "PUT /reviews/4: updateReview: undocumented status 500",
        "validateCoupon: undocumented status 500",
        "quoteShipping: undocumented status 500",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
