//! Inference on the spec fixtures and the demo spec: the expected producer → consumer edges exist,
//! and no edge joins unrelated resources that merely share the name `id`.

use std::path::{Path, PathBuf};

use super::names::{created_resource, schema_resource};
use super::{DepGraph, Edge, Slot, Via};
use crate::generate::Generator;
use crate::input::RefSource;
use crate::spec::{Model, ParamLocation, load, load_str};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn graph_of(relative: &str) -> (Model, DepGraph) {
    let model = load(&root().join(relative)).expect("fixture loads");
    let graph = DepGraph::infer(&model, &Generator::new(model.defs.clone()));
    (model, graph)
}

fn op(model: &Model, id: &str) -> usize {
    model
        .operations
        .iter()
        .position(|o| o.id.as_str() == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

fn path_param(name: &str) -> Slot {
    Slot::Param {
        name: name.to_owned(),
        location: ParamLocation::Path,
    }
}

fn edge<'a>(
    model: &Model,
    graph: &'a DepGraph,
    from: &str,
    to: &str,
    slot: &Slot,
) -> Option<&'a Edge> {
    let (p, c) = (op(model, from), op(model, to));
    graph
        .edges()
        .iter()
        .find(|e| e.producer == p && e.consumer == c && &e.slot == slot)
}

/// Every edge read from an `id` member joins a producer of the same resource as the consumer
/// (links excepted: the spec states those).
fn assert_ids_stay_within_resources(model: &Model, graph: &DepGraph) {
    for e in graph.edges().iter().filter(|e| e.via != Via::Link) {
        let RefSource::Body(ptr) = &e.source else {
            continue;
        };
        if !(ptr == "/id" || ptr.ends_with("/0/id")) {
            continue;
        }
        let producer = &model.operations[e.producer];
        let schema = producer
            .responses
            .values()
            .find_map(|r| r.content.first())
            .map(|m| &m.schema);
        let resources = [created_resource(producer), schema.and_then(schema_resource)];
        assert!(
            e.resource.is_some() && resources.contains(&e.resource),
            "{} -> {} ({:?}) joins resource {:?} to {:?}",
            producer.id,
            model.operations[e.consumer].id,
            e.slot,
            resources,
            e.resource
        );
    }
}

#[test]
fn demo_spec_edges() {
    let (m, g) = graph_of("schemas/demo-api.yaml");
    let expected = [
        ("createOrder", "getOrder", "orderId", Via::Link),
        ("createOrder", "cancelOrder", "orderId", Via::Link),
        ("createProduct", "getProduct", "productId", Via::Link),
        ("createProduct", "deleteProduct", "productId", Via::Path),
        ("createProduct", "listReviews", "productId", Via::Path),
        ("createReview", "updateReview", "reviewId", Via::Link),
        ("createReview", "deleteReview", "reviewId", Via::Link),
        (
            "createAttachment",
            "getAttachment",
            "attachmentId",
            Via::Link,
        ),
        (
            "createAttachment",
            "deleteAttachment",
            "attachmentId",
            Via::Link,
        ),
        ("login", "getUser", "userId", Via::Link),
        ("registerUser", "getUser", "userId", Via::Link),
        ("registerUser", "updateUser", "userId", Via::Path),
        ("listOrders", "getOrder", "orderId", Via::List),
        ("listProducts", "getProduct", "productId", Via::List),
    ];
    for (from, to, param, via) in expected {
        let e = edge(&m, &g, from, to, &path_param(param))
            .unwrap_or_else(|| panic!("missing edge {from} -> {to}.{param}"));
        assert_eq!(e.via, via, "{from} -> {to}");
    }
    let login = edge(&m, &g, "login", "getUser", &path_param("userId")).expect("login edge");
    assert_eq!(login.source, RefSource::Body("/user_id".into()));
    // Body fields: an order line's product_id comes from a product.
    let body = Slot::BodyField {
        name: "product_id".into(),
    };
    assert!(edge(&m, &g, "createProduct", "createOrder", &body).is_some());
    // Unrelated resources never meet, although all of them answer with an `id`.
    for (from, to, param) in [
        ("createProduct", "getOrder", "orderId"),
        ("createAttachment", "getOrder", "orderId"),
        ("createReview", "getAttachment", "attachmentId"),
        ("registerUser", "getProduct", "productId"),
        ("createOrder", "getReview", "reviewId"),
    ] {
        assert!(
            edge(&m, &g, from, to, &path_param(param)).is_none(),
            "{from} -> {to}"
        );
    }
    assert!(edge(&m, &g, "createAttachment", "createOrder", &body).is_none());
    assert_ids_stay_within_resources(&m, &g);
}

#[test]
fn fixture_edges() {
    let (m, g) = graph_of("schemas/fixtures/openapi30/petstore.yaml");
    let pet = path_param("petId");
    assert_eq!(
        edge(&m, &g, "createPet", "getPet", &pet).map(|e| e.via),
        Some(Via::Link)
    );
    assert!(edge(&m, &g, "listPets", "getPet", &pet).is_some());
    // A category is not a pet: nothing in the spec creates one.
    let category = op(&m, "getCategory");
    assert_eq!(
        g.into_op(category).count(),
        0,
        "{:?}",
        g.into_op(category).collect::<Vec<_>>()
    );
    assert_ids_stay_within_resources(&m, &g);

    let (m, g) = graph_of("schemas/fixtures/openapi31/library.yaml");
    let isbn = path_param("isbn");
    let add = edge(&m, &g, "addBook", "getBook", &isbn).expect("addBook -> getBook");
    assert_eq!(
        (add.via, &add.source),
        (Via::Path, &RefSource::Body("/isbn".into()))
    );
    assert!(edge(&m, &g, "addBook", "deleteBook", &isbn).is_some());
    assert_ids_stay_within_resources(&m, &g);

    let (m, g) = graph_of("schemas/fixtures/swagger2/store.yaml");
    let create = op(&m, "createOrder");
    let readers: Vec<&str> = g
        .out_of(create)
        .map(|e| m.operations[e.consumer].path.as_str())
        .collect();
    assert!(readers.contains(&"/orders/{orderId}"), "{readers:?}");
    assert!(
        readers.contains(&"/orders/{orderId}/receipt"),
        "{readers:?}"
    );
    assert_ids_stay_within_resources(&m, &g);
}

/// Two resources addressed by a bare `{id}`: each create feeds only its own resource.
#[test]
fn bare_ids_stay_with_their_resource() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    post:
      operationId: createPet
      responses:
        "201": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
  /owners:
    post:
      operationId: createOwner
      responses:
        "201": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
    get:
      operationId: listOwners
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Thing"}}}}}
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}}
  /owners/{id}:
    get:
      operationId: getOwner
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}}
  /things/{thingId}:
    get:
      operationId: getThing
      parameters: [{name: thingId, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}}
components:
  schemas:
    Thing: {type: object, properties: {id: {type: integer}, name: {type: string}}}
"##;
    let m = load_str(Path::new("t.yaml"), spec).expect("spec loads");
    let g = DepGraph::infer(&m, &Generator::new(m.defs.clone()));
    let id = path_param("id");
    assert!(edge(&m, &g, "createPet", "getPet", &id).is_some());
    assert!(edge(&m, &g, "createOwner", "getOwner", &id).is_some());
    assert!(edge(&m, &g, "listOwners", "getOwner", &id).is_some());
    assert!(edge(&m, &g, "createPet", "getOwner", &id).is_none());
    assert!(edge(&m, &g, "createOwner", "getPet", &id).is_none());
    assert!(edge(&m, &g, "listOwners", "getPet", &id).is_none());
    // `Thing` is the schema both creates answer with: the schema name is evidence too.
    assert!(edge(&m, &g, "createPet", "getThing", &path_param("thingId")).is_some());
}
