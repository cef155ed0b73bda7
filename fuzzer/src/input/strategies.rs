//! proptest strategies for arbitrary sequences: weird strings, huge and malformed numbers, raw bytes
//! and references that may dangle. Shared by the input and mutator property tests.

use std::time::Duration;

use proptest::prelude::*;

use super::node::{Node, RefSource, Reference};
use super::seq::{Body, Call, ParamValue, RequestSeq};
use crate::http::HttpResponse;
use crate::spec::{OperationId, ParamLocation};

const OPS: &[&str] = &[
    "login",
    "createOrder",
    "getOrder",
    "updateOrder",
    "deleteOrder",
    "listProducts",
    "uploadReceipt",
];
const NAMES: &[&str] = &[
    "orderId",
    "fields",
    "session",
    "tag",
    "filter",
    "limit",
    "sort",
    "ids",
    "X-Request-Id",
];
const MEDIA: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
    "application/vnd.api+json; charset=utf-8",
    "",
    ";;;",
];

pub fn weird_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z]{0,8}",
        "[\\x00-\\x1f{}/?#%&=;,\"\\\\ \\[\\]]{0,12}",
        Just("../../etc/passwd".to_owned()),
        Just("\u{10FFFF}\u{FEFF}\r\n".to_owned()),
        (0usize..3000).prop_map(|n| "A".repeat(n)),
    ]
}

pub fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "[0-9]{1,80}",
        "-?[0-9]{1,3}(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,4})?",
        ".{0,6}",
    ]
}

pub fn reference(max_call: usize) -> impl Strategy<Value = Reference> {
    let source = prop_oneof![
        prop_oneof![Just("/id".to_owned()), Just(String::new()), weird_string()]
            .prop_map(RefSource::Body),
        (weird_string(), any::<bool>())
            .prop_map(|(name, last_segment)| RefSource::Header { name, last_segment }),
        Just(RefSource::Status),
    ];
    (0..max_call, source).prop_map(|(call, source)| Reference { call, source })
}

pub fn node(max_call: usize) -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        number_text().prop_map(Node::Number),
        weird_string().prop_map(Node::String),
        reference(max_call).prop_map(Node::Ref),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Node::Raw),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Node::Array),
            proptest::collection::vec((weird_string(), inner), 0..4).prop_map(Node::Object),
        ]
    })
}

fn location() -> impl Strategy<Value = ParamLocation> {
    prop_oneof![
        Just(ParamLocation::Path),
        Just(ParamLocation::Query),
        Just(ParamLocation::Header),
        Just(ParamLocation::Cookie),
    ]
}

fn name_from(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(list).prop_map(str::to_owned),
        1 => weird_string(),
    ]
}

pub fn call(max_call: usize) -> impl Strategy<Value = Call> {
    let param = (
        name_from(NAMES),
        location(),
        proptest::option::of(node(max_call)),
    )
        .prop_map(|(name, location, value)| ParamValue {
            name,
            location,
            value,
        });
    let body = (name_from(MEDIA), node(max_call))
        .prop_map(|(media_type, value)| Body { media_type, value });
    (
        name_from(OPS),
        proptest::option::of(weird_string()),
        proptest::collection::vec(param, 0..5),
        proptest::option::of(body),
    )
        .prop_map(|(op, identity, params, body)| Call {
            operation: OperationId(op),
            identity,
            params,
            body,
        })
}

/// Any sequence, references possibly dangling or pointing forward.
pub fn any_seq() -> impl Strategy<Value = RequestSeq> {
    proptest::collection::vec(call(10), 0..8).prop_map(RequestSeq::new)
}

/// A sequence whose references are valid (dangling ones repaired).
pub fn valid_seq() -> impl Strategy<Value = RequestSeq> {
    any_seq().prop_map(|mut seq| {
        seq.repair();
        seq
    })
}

pub fn response() -> impl Strategy<Value = HttpResponse> {
    let body = prop_oneof![
        Just(br#"{"id": 7, "items": [{"id": "x"}]}"#.to_vec()),
        node(1).prop_map(|n| super::encode::json_bytes(&n)),
        proptest::collection::vec(any::<u8>(), 0..64),
    ];
    let headers = proptest::collection::vec((weird_string(), weird_string()), 0..4);
    (any::<u16>(), headers, body).prop_map(|(status, headers, body)| HttpResponse {
        status,
        headers,
        body,
        truncated: false,
        latency: Duration::ZERO,
    })
}
