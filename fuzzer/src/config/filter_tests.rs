//! Tests of operation selectors and the include/exclude semantics.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::spec::OperationId;

fn op(id: &str, method: Method, path: &str, tags: &[&str]) -> Operation {
    Operation {
        id: OperationId(id.to_string()),
        method,
        path: path.to_string(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        summary: None,
        deprecated: false,
        parameters: Vec::new(),
        request_body: None,
        responses: BTreeMap::new(),
        security: Vec::new(),
    }
}

fn api() -> Vec<Operation> {
    vec![
        op("listOrders", Method::Get, "/orders", &["orders"]),
        op("createOrder", Method::Post, "/orders", &["orders"]),
        op("getOrder", Method::Get, "/orders/{orderId}", &["orders"]),
        op(
            "deleteOrder",
            Method::Delete,
            "/orders/{orderId}",
            &["orders", "danger"],
        ),
        op("resetDatabase", Method::Post, "/admin/reset", &["admin"]),
        op("health", Method::Get, "/health", &[]),
    ]
}

fn filter(include: &[&str], exclude: &[&str]) -> OperationFilter {
    OperationFilter::parse(include, exclude).expect("valid selectors")
}

#[test]
fn parses_prefixed_and_bare_selectors() {
    let cases: &[(&str, Selector)] = &[
        ("id:get*", Selector::Id(Glob::new("get*"))),
        ("path:/orders/*", Selector::Path(Glob::new("/orders/*"))),
        ("method:delete", Selector::Method(Method::Delete)),
        ("METHOD:Patch", Selector::Method(Method::Patch)),
        ("tag:admin", Selector::Tag(Glob::new("admin"))),
        ("/admin/*", Selector::Path(Glob::new("/admin/*"))),
        ("/a:b", Selector::Path(Glob::new("/a:b"))),
        ("DELETE", Selector::Method(Method::Delete)),
        ("options", Selector::Method(Method::Options)),
        ("createOrder", Selector::Id(Glob::new("createOrder"))),
        ("  *Order  ", Selector::Id(Glob::new("*Order"))),
        ("id:ns:op", Selector::Id(Glob::new("ns:op"))),
        ("ns.v1:op", Selector::Id(Glob::new("ns.v1:op"))),
    ];
    for (text, want) in cases {
        assert_eq!(&Selector::parse(text).expect(text), want, "{text}");
    }
}

#[test]
fn rejects_empty_unknown_prefix_and_bad_method() {
    for bad in [
        "",
        "   ",
        "id:",
        "path: ",
        "methd:DELETE",
        "tags:admin",
        "method:FETCH",
    ] {
        let err = Selector::parse(bad).expect_err(bad);
        assert!(
            matches!(&err, ConfigError::Selector { selector, .. } if selector == bad),
            "{bad}: {err}"
        );
    }
}

#[test]
fn display_round_trips() {
    for text in ["id:get*", "path:/a/*", "method:DELETE", "tag:x"] {
        let sel = Selector::parse(text).expect("valid");
        assert_eq!(sel.to_string(), text);
        assert_eq!(Selector::parse(&sel.to_string()).expect("valid"), sel);
    }
}

#[test]
fn empty_filter_keeps_everything() {
    let ops = api();
    assert_eq!(
        OperationFilter::default().apply(&ops),
        vec![0, 1, 2, 3, 4, 5]
    );
}

#[test]
fn include_and_exclude_semantics() {
    let ops = api();
    assert_eq!(filter(&["method:GET"], &[]).apply(&ops), vec![0, 2, 5]);
    assert_eq!(
        filter(&["tag:orders"], &["DELETE"]).apply(&ops),
        vec![0, 1, 2]
    );
    assert_eq!(
        filter(&["/orders*"], &["id:get*"]).apply(&ops),
        vec![0, 1, 3]
    );
    assert_eq!(
        filter(&[], &["tag:danger", "/admin/*"]).apply(&ops),
        vec![0, 1, 2, 5]
    );
    // `*` crosses `/`; `?` is one character.
    assert_eq!(filter(&["path:/*}"], &[]).apply(&ops), vec![2, 3]);
    assert_eq!(filter(&["/health?"], &[]).apply(&ops), Vec::<usize>::new());
    // Exclude wins over an explicit include of the same operation.
    let f = filter(&["deleteOrder"], &["method:DELETE"]);
    assert!(!f.allows(&ops[3]));
    assert!(f.apply(&ops).is_empty());
}

#[test]
fn unmatched_selectors_are_reported() {
    let ops = api();
    let f = filter(&["tag:orders", "tag:order"], &["id:dropTables"]);
    let names: Vec<String> = f.unmatched(&ops).iter().map(|s| s.to_string()).collect();
    assert_eq!(names, ["tag:order", "id:dropTables"]);
}

fn any_selector() -> impl Strategy<Value = String> {
    prop_oneof![
        "(id:)?[a-zA-Z*?]{1,8}",
        "(path:)?/[a-z{}*?/]{0,10}",
        "(method:)?(GET|POST|DELETE|PUT|PATCH)",
        "tag:[a-z*]{1,6}",
    ]
}

fn any_op() -> impl Strategy<Value = Operation> {
    (
        "[a-zA-Z]{1,8}",
        prop::sample::select(METHODS.to_vec()),
        "/[a-z{}/]{0,10}",
        prop::collection::vec("[a-z]{1,6}", 0..3),
    )
        .prop_map(|(id, m, path, tags)| {
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            op(&id, m, &path, &tags)
        })
}

proptest! {
    #[test]
    fn parsing_never_panics_and_display_round_trips(s in "\\PC{0,24}") {
        if let Ok(sel) = Selector::parse(&s) {
            prop_assert_eq!(Selector::parse(&sel.to_string()).expect("display parses"), sel);
        }
    }

    #[test]
    fn exclude_always_wins(
        include in prop::collection::vec(any_selector(), 0..4),
        exclude in prop::collection::vec(any_selector(), 1..4),
        ops in prop::collection::vec(any_op(), 0..12),
    ) {
        let f = OperationFilter::parse(&include, &exclude).expect("generated selectors are valid");
        let kept = f.apply(&ops);
        for (i, o) in ops.iter().enumerate() {
            let excluded = f.exclude.iter().any(|s| s.matches(o));
            let included = f.include.is_empty() || f.include.iter().any(|s| s.matches(o));
            prop_assert_eq!(kept.contains(&i), included && !excluded);
            if excluded {
                prop_assert!(!f.allows(o));
            }
        }
        // The kept indices are ascending and in range.
        prop_assert!(kept.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(kept.iter().all(|&i| i < ops.len()));
    }

    #[test]
    fn empty_filter_keeps_all(ops in prop::collection::vec(any_op(), 0..12)) {
        let kept = OperationFilter::default().apply(&ops);
        prop_assert_eq!(kept, (0..ops.len()).collect::<Vec<_>>());
    }

    #[test]
    fn adding_an_exclude_never_adds_operations(
        include in prop::collection::vec(any_selector(), 0..3),
        extra in any_selector(),
        ops in prop::collection::vec(any_op(), 0..12),
    ) {
        let base = OperationFilter::parse(&include, Vec::<String>::new()).expect("valid");
        let narrower = OperationFilter::parse(&include, [&extra]).expect("valid");
        let before = base.apply(&ops);
        for i in narrower.apply(&ops) {
            prop_assert!(before.contains(&i));
        }
    }
}
