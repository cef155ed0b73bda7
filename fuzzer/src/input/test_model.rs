//! A small hand-written shop API model for unit tests of rendering, sequence generation and
//! mutators: login, create/get/update/delete order, list products, upload a receipt.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::spec::{
    DEFS_URI, MediaType, Method, Model, Operation, OperationId, ParamLocation, ParamStyle,
    Parameter, RequestBody, Response, SpecVersion, StatusKey,
};

fn def(key: &str) -> Value {
    json!({ "$ref": format!("{DEFS_URI}#/$defs/{key}") })
}

fn param(
    name: &str,
    location: ParamLocation,
    required: bool,
    style: ParamStyle,
    explode: bool,
    schema: Value,
) -> Parameter {
    Parameter {
        name: name.to_owned(),
        location,
        required,
        style,
        explode,
        schema,
        examples: Vec::new(),
    }
}

fn media(media_type: &str, schema: Value) -> MediaType {
    MediaType {
        media_type: media_type.to_owned(),
        schema,
        examples: Vec::new(),
    }
}

fn responses(code: u16, schema: Option<Value>) -> BTreeMap<StatusKey, Response> {
    let content = schema
        .map(|s| vec![media("application/json", s)])
        .unwrap_or_default();
    BTreeMap::from([(
        StatusKey::Code(code),
        Response {
            description: "ok".to_owned(),
            content,
            headers: Vec::new(),
            links: Vec::new(),
        },
    )])
}

fn op(
    id: &str,
    method: Method,
    path: &str,
    parameters: Vec<Parameter>,
    body: Option<Vec<MediaType>>,
    resp: BTreeMap<StatusKey, Response>,
) -> Operation {
    Operation {
        id: OperationId(id.to_owned()),
        method,
        path: path.to_owned(),
        tags: Vec::new(),
        summary: None,
        deprecated: false,
        parameters,
        request_body: body.map(|content| RequestBody {
            required: true,
            content,
        }),
        responses: resp,
        security: Vec::new(),
    }
}

/// The named schemas of the shop API.
pub fn defs() -> Value {
    json!({
        "$id": DEFS_URI,
        "$defs": {
            "Address": {
                "type": "object",
                "required": ["street", "city"],
                "properties": {
                    "street": {"type": "string", "minLength": 1, "maxLength": 40},
                    "city": {"type": "string", "enum": ["Paris", "Oslo", "Lima"]}
                }
            },
            "OrderInput": {
                "type": "object",
                "required": ["product_id", "quantity"],
                "properties": {
                    "product_id": {"type": "integer", "minimum": 1},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                    "note": {"type": "string", "maxLength": 200},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
                    "shipping": {"oneOf": [
                        {"$ref": format!("{DEFS_URI}#/$defs/Address")},
                        {"type": "object", "required": ["pickup"], "properties": {"pickup": {"type": "boolean"}}}
                    ]}
                }
            },
            "Order": {
                "type": "object",
                "required": ["id", "status"],
                "properties": {
                    "id": {"type": "integer"},
                    "status": {"type": "string", "enum": ["new", "paid"]},
                    "quantity": {"type": "integer"}
                }
            }
        }
    })
}

fn order_id() -> Parameter {
    param(
        "orderId",
        ParamLocation::Path,
        true,
        ParamStyle::Simple,
        false,
        json!({"type": "integer", "minimum": 1}),
    )
}

/// The operations of the shop API.
pub fn operations() -> Vec<Operation> {
    let login_body = json!({
        "type": "object", "required": ["username", "password"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string", "format": "password"}}
    });
    vec![
        op(
            "login",
            Method::Post,
            "/login",
            vec![],
            Some(vec![
                media("application/x-www-form-urlencoded", login_body.clone()),
                media("application/json", login_body),
            ]),
            responses(
                200,
                Some(json!({"type": "object", "properties": {"token": {"type": "string"}}})),
            ),
        ),
        op(
            "createOrder",
            Method::Post,
            "/orders",
            vec![param(
                "X-Request-Id",
                ParamLocation::Header,
                false,
                ParamStyle::Simple,
                false,
                json!({"type": "string", "format": "uuid"}),
            )],
            Some(vec![media("application/json", def("OrderInput"))]),
            responses(201, Some(def("Order"))),
        ),
        op(
            "getOrder",
            Method::Get,
            "/orders/{orderId}",
            vec![
                order_id(),
                param(
                    "fields",
                    ParamLocation::Query,
                    false,
                    ParamStyle::Form,
                    false,
                    json!({"type": "array", "items": {"type": "string", "enum": ["id", "status", "quantity"]}}),
                ),
                param(
                    "session",
                    ParamLocation::Cookie,
                    false,
                    ParamStyle::Form,
                    true,
                    json!({"type": "string"}),
                ),
            ],
            None,
            responses(200, Some(def("Order"))),
        ),
        op(
            "updateOrder",
            Method::Put,
            "/orders/{orderId}",
            vec![order_id()],
            Some(vec![media("application/json", def("OrderInput"))]),
            responses(200, Some(def("Order"))),
        ),
        op(
            "deleteOrder",
            Method::Delete,
            "/orders/{orderId}",
            vec![order_id()],
            None,
            responses(204, None),
        ),
        op(
            "listProducts",
            Method::Get,
            "/products",
            vec![
                param(
                    "tag",
                    ParamLocation::Query,
                    false,
                    ParamStyle::Form,
                    true,
                    json!({"type": "array", "items": {"type": "string"}}),
                ),
                param(
                    "filter",
                    ParamLocation::Query,
                    false,
                    ParamStyle::DeepObject,
                    true,
                    json!({"type": "object", "properties": {"min_price": {"type": "number"}, "max_price": {"type": "number"}}}),
                ),
                param(
                    "limit",
                    ParamLocation::Query,
                    false,
                    ParamStyle::Form,
                    true,
                    json!({"type": "integer", "minimum": 1, "maximum": 50}),
                ),
                param(
                    "sort",
                    ParamLocation::Query,
                    false,
                    ParamStyle::PipeDelimited,
                    false,
                    json!({"type": "array", "items": {"type": "string"}}),
                ),
                param(
                    "ids",
                    ParamLocation::Query,
                    false,
                    ParamStyle::SpaceDelimited,
                    false,
                    json!({"type": "array", "items": {"type": "integer"}}),
                ),
            ],
            None,
            responses(200, Some(json!({"type": "array", "items": def("Order")}))),
        ),
        op(
            "uploadReceipt",
            Method::Post,
            "/orders/{orderId}/receipt",
            vec![order_id()],
            Some(vec![media(
                "multipart/form-data",
                json!({"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"}, "comment": {"type": "string"}}}),
            )]),
            responses(201, None),
        ),
    ]
}

/// The shop API as a whole model.
pub fn test_model() -> Model {
    Model {
        path: PathBuf::from("shop.yaml"),
        version: SpecVersion::OpenApi31,
        title: "shop".to_owned(),
        servers: vec!["http://127.0.0.1/api".to_owned()],
        operations: operations(),
        security_schemes: BTreeMap::new(),
        defs: defs(),
        warnings: Vec::new(),
    }
}

/// The operation with this id (panics in tests when absent).
pub fn operation(model: &Model, id: &str) -> Operation {
    model
        .operations
        .iter()
        .find(|o| o.id.0 == id)
        .cloned()
        .unwrap_or_else(|| panic!("no operation {id}"))
}
