//! Unit tests of request rendering against the shop test model.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::input::node::{RefSource, Reference};
use crate::input::seq::Body;
use crate::input::test_model::{operation, test_model};
use crate::spec::OperationId;

fn call(op: &str, params: Vec<(&str, ParamLocation, Node)>, body: Option<Body>) -> Call {
    Call {
        operation: OperationId(op.into()),
        identity: None,
        params: params
            .into_iter()
            .map(|(name, location, v)| ParamValue {
                name: name.into(),
                location,
                value: Some(v),
            })
            .collect(),
        body,
    }
}

fn created(body: &str) -> HttpResponse {
    HttpResponse {
        status: 201,
        headers: vec![("Location".into(), "/api/orders/77".into())],
        body: body.as_bytes().to_vec(),
        truncated: false,
        latency: Duration::ZERO,
    }
}

#[test]
fn path_reference_cookie_and_credentials() {
    let model = test_model();
    let get = operation(&model, "getOrder");
    let c = call(
        "getOrder",
        vec![
            (
                "orderId",
                ParamLocation::Path,
                Node::Ref(Reference {
                    call: 0,
                    source: RefSource::Body("/id".into()),
                }),
            ),
            (
                "fields",
                ParamLocation::Query,
                Node::from(&json!(["id", "status"])),
            ),
            ("session", ParamLocation::Cookie, Node::string("s 1;x")),
        ],
        None,
    );
    let creds = Credentials {
        headers: vec![("Authorization".into(), "Bearer t".into())],
        query: vec![("key".into(), "k&1".into())],
        cookies: vec![("sid".into(), "abc".into())],
    };
    let req = render(&c, &get, &[Some(created(r#"{"id": 42}"#))], &creds, "/api/");
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.path_and_query,
        "/api/orders/42?fields=id,status&key=k%261"
    );
    assert_eq!(req.header("authorization"), Some("Bearer t"));
    assert_eq!(req.header("cookie"), Some("session=s%201%3Bx; sid=abc"));
    assert!(req.body.is_empty());
    assert_eq!(req.header("content-type"), None);
}

#[test]
fn location_header_reference_and_segment_encoding() {
    let model = test_model();
    let del = operation(&model, "deleteOrder");
    let by_location = call(
        "deleteOrder",
        vec![(
            "orderId",
            ParamLocation::Path,
            Node::Ref(Reference {
                call: 0,
                source: RefSource::Header {
                    name: "Location".into(),
                    last_segment: true,
                },
            }),
        )],
        None,
    );
    let req = render(
        &by_location,
        &del,
        &[Some(created("{}"))],
        &Credentials::none(),
        "",
    );
    assert_eq!(req.path_and_query, "/orders/77");
    let odd = call(
        "deleteOrder",
        vec![("orderId", ParamLocation::Path, Node::string("../a b/?#"))],
        None,
    );
    let req = render(&odd, &del, &[], &Credentials::none(), "/");
    assert_eq!(req.path_and_query, "/orders/..%2Fa%20b%2F%3F%23");
    let dangling = call(
        "deleteOrder",
        vec![(
            "orderId",
            ParamLocation::Path,
            Node::Ref(Reference {
                call: 3,
                source: RefSource::Status,
            }),
        )],
        None,
    );
    assert_eq!(
        render(&dangling, &del, &[], &Credentials::none(), "").path_and_query,
        "/orders/1"
    );
    let raw = call(
        "deleteOrder",
        vec![(
            "orderId",
            ParamLocation::Path,
            Node::Raw(b"..%2f..%2fetc/x y".to_vec()),
        )],
        None,
    );
    assert_eq!(
        render(&raw, &del, &[], &Credentials::none(), "").path_and_query,
        "/orders/..%2f..%2fetc%2Fx%20y"
    );
}

#[test]
fn query_styles() {
    let model = test_model();
    let list = operation(&model, "listProducts");
    let c = call(
        "listProducts",
        vec![
            (
                "tag",
                ParamLocation::Query,
                Node::from(&json!(["a", "b c"])),
            ),
            (
                "filter",
                ParamLocation::Query,
                Node::from(&json!({"min_price": 1, "max_price": 9.5})),
            ),
            ("limit", ParamLocation::Query, Node::number(10)),
            ("sort", ParamLocation::Query, Node::from(&json!(["x", "y"]))),
            ("ids", ParamLocation::Query, Node::from(&json!([1, 2]))),
            (
                "extra",
                ParamLocation::Query,
                Node::from(&json!({"k": "v"})),
            ),
        ],
        None,
    );
    let req = render(&c, &list, &[], &Credentials::none(), "");
    assert_eq!(
        req.path_and_query,
        "/products?tag=a&tag=b%20c&filter[min_price]=1&filter[max_price]=9.5&limit=10&sort=x|y&ids=1%202&k=v"
    );
}

#[test]
fn bodies_and_headers() {
    let model = test_model();
    let create = operation(&model, "createOrder");
    let c = call(
        "createOrder",
        vec![(
            "X-Request-Id",
            ParamLocation::Header,
            Node::string("a\r\nInjected: 1"),
        )],
        Some(Body {
            media_type: "application/json".into(),
            value: Node::from(&json!({"product_id": 1, "quantity": 2})),
        }),
    );
    let req = render(&c, &create, &[], &Credentials::none(), "");
    assert_eq!(req.method, "POST");
    assert_eq!(req.header("x-request-id"), Some("a%0D%0AInjected: 1"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.body, br#"{"product_id":1,"quantity":2}"#);
    let login = operation(&model, "login");
    let form = call(
        "login",
        vec![],
        Some(Body {
            media_type: "application/x-www-form-urlencoded".into(),
            value: Node::from(&json!({"username": "a", "password": "p&q"})),
        }),
    );
    let req = render(&form, &login, &[], &Credentials::none(), "");
    assert_eq!(req.body, b"username=a&password=p%26q");
}

#[test]
fn label_and_matrix_path_styles() {
    let pairs = Node::from(&json!({"a": 1, "b": "x y"}));
    let list = Node::from(&json!([1, 2]));
    assert_eq!(path_value("p", &list, ParamStyle::Label, false), ".1,2");
    assert_eq!(path_value("p", &list, ParamStyle::Label, true), ".1.2");
    assert_eq!(path_value("p", &list, ParamStyle::Matrix, true), ";p=1;p=2");
    assert_eq!(
        path_value("p", &pairs, ParamStyle::Matrix, true),
        ";a=1;b=x%20y"
    );
    assert_eq!(
        path_value("p", &pairs, ParamStyle::Simple, false),
        "a,1,b,x%20y"
    );
    assert_eq!(
        path_value("p", &pairs, ParamStyle::Simple, true),
        "a=1,b=x%20y"
    );
}

#[test]
fn raw_query_values_are_sent_pre_encoded() {
    let model = test_model();
    let list = operation(&model, "listProducts");
    let c = call(
        "listProducts",
        vec![(
            "limit",
            ParamLocation::Query,
            Node::Raw(b"1%0d%0aX: y&limit=2#".to_vec()),
        )],
        None,
    );
    let req = render(&c, &list, &[], &Credentials::none(), "");
    assert_eq!(
        req.path_and_query,
        "/products?limit=1%0d%0aX:%20y&limit=2%23"
    );
}

#[test]
fn method_override_and_undeclared_headers() {
    let model = test_model();
    let create = operation(&model, "createOrder");
    let c = call(
        "createOrder",
        vec![
            (
                METHOD_OVERRIDE,
                ParamLocation::Header,
                Node::string("options"),
            ),
            (
                "Origin",
                ParamLocation::Header,
                Node::string("https://a.invalid"),
            ),
        ],
        None,
    );
    let req = render(&c, &create, &[], &Credentials::none(), "");
    assert_eq!(req.method, "OPTIONS");
    assert_eq!(req.header("origin"), Some("https://a.invalid"));
    assert_eq!(req.header(METHOD_OVERRIDE), None);
    // Not a method token: the declared method stays.
    let c = call(
        "createOrder",
        vec![(
            METHOD_OVERRIDE,
            ParamLocation::Header,
            Node::string("GET /x"),
        )],
        None,
    );
    assert_eq!(
        render(&c, &create, &[], &Credentials::none(), "").method,
        "POST"
    );
}
