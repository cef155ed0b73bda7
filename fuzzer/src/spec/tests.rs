//! Loading the hand-written fixtures in `schemas/fixtures/` end to end.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::schema::Validators;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas/fixtures")
        .join(rel)
}

fn op<'m>(model: &'m Model, id: &str) -> &'m Operation {
    model
        .operations
        .iter()
        .find(|o| o.id.as_str() == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

fn def<'m>(model: &'m Model, key: &str) -> &'m Value {
    model.defs["$defs"].get(key).unwrap_or_else(|| {
        panic!(
            "no def {key}: {:?}",
            model.defs["$defs"]
                .as_object()
                .map(|d| d.keys().collect::<Vec<_>>())
        )
    })
}

#[test]
fn openapi30_fixture_loads_every_feature() {
    let model = load(&fixture("openapi30/petstore.yaml")).unwrap();
    assert_eq!(model.version, SpecVersion::OpenApi30);
    assert_eq!(model.servers, vec!["http://127.0.0.1:8080/v1"]);
    let ids: Vec<&str> = model.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "listPets",
            "createPet",
            "getPet",
            "delete_pets_by_petId",
            "put_pets_by_petId_photo",
            "getCategory"
        ]
    );
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);

    let list = op(&model, "listPets");
    let locations: Vec<(&str, ParamLocation, bool)> = list
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location, p.required))
        .collect();
    assert_eq!(
        locations,
        [
            ("limit", ParamLocation::Query, false),
            ("tags", ParamLocation::Query, false),
            ("X-Request-Id", ParamLocation::Header, true),
            ("session", ParamLocation::Cookie, false),
        ]
    );
    assert_eq!(list.parameters[0].schema["exclusiveMinimum"], json!(0));
    assert!(!list.parameters[1].explode);
    assert_eq!(list.parameters[2].examples.len(), 1);
    assert_eq!(
        list.security,
        vec![SecurityRequirement::from([("bearerAuth".into(), vec![])])]
    );
    assert!(list.responses.contains_key(&StatusKey::Default));
    let header = &list.responses[&StatusKey::Code(200)].headers[0];
    assert_eq!(header.schema["type"], json!(["string", "null"]));

    let create = op(&model, "createPet");
    let body = create.request_body.as_ref().unwrap();
    assert!(body.required);
    let media: Vec<&str> = body.content.iter().map(|m| m.media_type.as_str()).collect();
    assert_eq!(
        media,
        ["application/json", "application/x-www-form-urlencoded"]
    );
    assert_eq!(body.content[0].examples[0]["name"], json!("Tom"));
    assert!(create.responses.contains_key(&StatusKey::Range(4)));
    let links = &create.responses[&StatusKey::Code(201)].links;
    assert_eq!(links[0].operation_id.as_ref().unwrap().as_str(), "getPet");
    assert_eq!(
        links[1].operation_id.as_ref().unwrap().as_str(),
        "delete_pets_by_petId"
    );
    assert_eq!(links[0].parameters["petId"], "$response.body#/id");

    assert!(op(&model, "getPet").security.is_empty());
    assert!(!op(&model, "getPet").requires_auth());
    let path_param = &op(&model, "getPet").parameters[0];
    assert_eq!(
        (path_param.location, path_param.required),
        (ParamLocation::Path, true)
    );

    let photo = op(&model, "put_pets_by_petId_photo")
        .request_body
        .as_ref()
        .unwrap();
    let media: Vec<&str> = photo
        .content
        .iter()
        .map(|m| m.media_type.as_str())
        .collect();
    assert_eq!(media, ["multipart/form-data", "text/plain"]);

    match &model.security_schemes["bearerAuth"] {
        SecurityScheme::Http { scheme, .. } => assert_eq!(scheme, "bearer"),
        other => panic!("{other:?}"),
    }
    match &model.security_schemes["oauth"] {
        SecurityScheme::OAuth2 { scopes } => assert_eq!(scopes, &["read:pets", "write:pets"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn openapi30_views_and_recursion_in_defs() {
    let model = load(&fixture("openapi30/petstore.yaml")).unwrap();
    // Pet has a readOnly id (through a $ref) and a writeOnly password: two views.
    let request = def(&model, "Pet.request");
    assert_eq!(request["required"], json!(["name", "pet_type"]));
    assert!(request["properties"].get("id").is_none());
    let response = def(&model, "Pet.response");
    assert!(response["properties"].get("password").is_none());
    assert!(response["properties"].get("id").is_some());
    // Category has no readOnly/writeOnly anywhere: one def, referring to itself.
    let category = def(&model, "Category");
    assert_eq!(
        category["properties"]["parent"]["$ref"],
        json!("urn:shrike:defs#/$defs/Category")
    );
    assert!(model.defs["$defs"].get("Category.request").is_none());
    // Across files: common.yaml's Error and the whole-file owner.yaml schema.
    assert_eq!(
        def(&model, "common.Error")["properties"]["message"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        def(&model, "owner.schema")["properties"]["friends"]["items"]["$ref"],
        json!("urn:shrike:defs#/$defs/owner.schema")
    );
    // Discriminator mapping points at converted defs.
    assert_eq!(
        request["discriminator"]["mapping"]["dog"],
        json!("urn:shrike:defs#/$defs/Dog")
    );
    // Nullable allOf around a $ref.
    assert_eq!(
        request["properties"]["owner"]["anyOf"][0],
        json!({"type": "null"})
    );
}

#[test]
fn validators_compile_once_and_validate_recursive_responses() {
    let model = load(&fixture("openapi30/petstore.yaml")).unwrap();
    let mut validators = Validators::new(&model).unwrap();
    let id = OperationId("getCategory".into());
    let v = validators
        .response(&id, 200, "application/json; charset=utf-8")
        .unwrap()
        .unwrap();
    let tree = json!({"name": "a", "children": [{"name": "b", "parent": {"name": "a"}}]});
    assert!(v.is_valid(&tree));
    assert!(!v.is_valid(&json!({"children": [{"name": 5}]})));
    let again = validators
        .response(&id, 200, "application/json")
        .unwrap()
        .unwrap();
    assert!(Arc::ptr_eq(&v, &again));
    assert_eq!(validators.len(), 1);
    // `default` and `4XX` responses are found by status.
    let err = validators
        .response(&OperationId("createPet".into()), 422, "application/json")
        .unwrap()
        .unwrap();
    assert!(err.is_valid(&json!({"code": 1, "message": null})));
    assert!(!err.is_valid(&json!({"message": "no code"})));
    // Every documented response of every operation compiles.
    for op in &model.operations {
        for (status, response) in &op.responses {
            let code = match status {
                StatusKey::Code(c) => *c,
                StatusKey::Range(r) => u16::from(*r) * 100,
                StatusKey::Default => 599,
            };
            for media in &response.content {
                validators
                    .response(&op.id, code, &media.media_type)
                    .unwrap();
            }
        }
    }
}

#[test]
fn openapi31_fixture_loads() {
    let model = load(&fixture("openapi31/library.yaml")).unwrap();
    assert_eq!(model.version, SpecVersion::OpenApi31);
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let ids: Vec<&str> = model.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["listBooks", "addBook", "getBook", "deleteBook"]);
    let list = op(&model, "listBooks");
    assert_eq!(list.parameters.len(), 4);
    assert_eq!(list.parameters[0].examples, vec![json!("dune")]);
    assert_eq!(list.parameters[1].schema["exclusiveMinimum"], json!(0));
    assert_eq!(list.parameters[3].location, ParamLocation::Cookie);
    assert_eq!(op(&model, "addBook").security.len(), 2);
    assert_eq!(op(&model, "getBook").parameters[0].name, "isbn");
    let book = def(&model, "Book.response");
    assert_eq!(
        book["properties"]["author"]["$ref"],
        json!("urn:shrike:defs#/$defs/Author.response")
    );
    assert!(
        def(&model, "Book.request")["properties"]
            .get("isbn")
            .is_none()
    );
    let mut validators = Validators::new(&model).unwrap();
    let v = validators
        .response(&OperationId("getBook".into()), 200, "application/json")
        .unwrap()
        .unwrap();
    let good = json!({"isbn": "978-0441013593", "title": "Dune", "rating": 4.5,
                      "author": {"name": "Frank", "born": null, "books": []}});
    assert!(v.is_valid(&good));
    let mut bad = good.clone();
    bad["rating"] = json!(5);
    assert!(!v.is_valid(&bad));
}

#[test]
fn swagger2_fixture_loads() {
    let model = load(&fixture("swagger2/store.yaml")).unwrap();
    assert_eq!(model.version, SpecVersion::Swagger2);
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    assert_eq!(model.servers, vec!["http://127.0.0.1:8081/api"]);
    let list = op(&model, "listOrders");
    assert_eq!(
        (list.parameters[0].style, list.parameters[0].explode),
        (ParamStyle::Form, true)
    );
    assert_eq!(list.parameters[1].style, ParamStyle::PipeDelimited);
    assert_eq!(list.parameters[2].location, ParamLocation::Header);
    assert_eq!(
        list.responses[&StatusKey::Code(200)].headers[0].name,
        "X-Total"
    );
    let create = op(&model, "createOrder");
    let body = create.request_body.as_ref().unwrap();
    assert_eq!(body.content[0].media_type, "application/json");
    assert_eq!(create.security[0]["oauth"], vec!["write:orders".to_owned()]);
    assert_eq!(
        create.responses[&StatusKey::Code(201)].content[0]
            .examples
            .len(),
        1
    );
    let receipt = op(&model, "post_orders_by_orderId_receipt");
    let form = &receipt.request_body.as_ref().unwrap().content[0];
    assert_eq!(form.media_type, "multipart/form-data");
    assert_eq!(form.schema["properties"]["file"]["format"], json!("binary"));
    assert_eq!(form.schema["required"], json!(["file"]));
    assert_eq!(receipt.parameters[0].name, "orderId");
    let feedback = op(&model, "post_feedback").request_body.as_ref().unwrap();
    assert_eq!(
        feedback.content[0].media_type,
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        feedback.content[0].schema["properties"]["rating"]["exclusiveMaximum"],
        json!(5)
    );
    assert!(op(&model, "delete_orders_by_orderId").security.is_empty());
    assert!(op(&model, "get_orders_by_orderId").requires_auth());
    assert_eq!(
        def(&model, "Order.response")["properties"]["note"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        def(&model, "Item")["discriminator"]["propertyName"],
        json!("kind")
    );
    assert!(def(&model, "shared.Error").is_object());
    assert!(matches!(
        model.security_schemes["basicAuth"],
        SecurityScheme::Http { .. }
    ));
}

#[test]
fn broken_yaml_is_a_syntax_error_naming_the_file() {
    let err = load(&fixture("broken/invalid.yaml")).unwrap_err();
    assert!(matches!(err, SpecError::Syntax { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("invalid.yaml") && text.contains("line"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}

#[test]
fn dangling_ref_names_file_and_pointer() {
    let err = load(&fixture("broken/dangling-ref.yaml")).unwrap_err();
    assert_eq!(err.kind(), "dangling-ref");
    assert_eq!(
        err.pointer(),
        "/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
    );
    let text = err.to_string();
    assert!(
        text.contains("dangling-ref.yaml") && text.contains("#/components/schemas/Missing"),
        "{text}"
    );
}

#[test]
fn unknown_version_is_rejected() {
    let err = load(&fixture("broken/unknown-version.yaml")).unwrap_err();
    assert_eq!(err.kind(), "unknown-version");
    assert_eq!(err.pointer(), "/openapi");
    assert!(err.to_string().contains("9.9"), "{err}");
    let err = load_str(std::path::Path::new("x.json"), "{\"info\": {}}").unwrap_err();
    assert_eq!(err.kind(), "unknown-version");
}

#[test]
fn problems_inside_operations_are_warnings() {
    let model = load(&fixture("broken/operation-problems.yaml")).unwrap();
    let ids: Vec<&str> = model.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["same", "same_2", "get_items_by_id"]);
    let messages: Vec<String> = model.warnings.iter().map(ToString::to_string).collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(has("duplicate operationId \"same\""), "{messages:?}");
    assert!(has("unsupported location `in: body`"), "{messages:?}");
    assert!(has("unknown response key \"2X0\""), "{messages:?}");
    assert!(has("path parameter \"id\" is not declared"), "{messages:?}");
    assert!(has("path item is not an object"), "{messages:?}");
    assert!(
        has("POST /notop: operation is not an object"),
        "{messages:?}"
    );
    let items = op(&model, "get_items_by_id");
    assert_eq!(items.parameters[0].location, ParamLocation::Path);
}

#[test]
fn reference_cycles_between_aliases_stay_finite() {
    let text = r##"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
      "paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
      "components": {"schemas": {
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"},
              "self": {"$ref": "#/components/schemas/B"}}}}}}"##;
    let model = load_str(std::path::Path::new("cycle.json"), text).unwrap();
    assert_eq!(model.defs["$defs"].as_object().unwrap().len(), 2);
    let mut validators = Validators::new(&model).unwrap();
    let v = validators
        .response(&model.operations[0].id, 200, "application/json")
        .unwrap()
        .unwrap();
    assert!(v.is_valid(&json!({"a": {"self": {}}})));
    assert!(!v.is_valid(&json!({"a": {"self": 1}})));
}

#[test]
fn refs_to_missing_files_fail_only_where_followed() {
    let dir = std::env::temp_dir();
    let spec = |schema: &str| {
        format!(
            r##"{{"openapi": "3.0.0", "info": {{"title": "t", "version": "1"}},
              "paths": {{"/a": {{"get": {{"responses": {{"200": {{"description": "ok",
                "content": {{"application/json": {{"schema": {schema},
                  "example": {{"$ref": "missing-example.yaml"}}}}}}}}}}}}}}}}}}"##
        )
    };
    let ok = load_str(&dir.join("ok.json"), &spec(r#"{"type": "object"}"#)).unwrap();
    assert_eq!(ok.operations.len(), 1);
    let err = load_str(
        &dir.join("bad.json"),
        &spec(r#"{"$ref": "missing.yaml#/X"}"#),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "dangling-ref");
    assert!(err.pointer().ends_with("/schema/$ref"), "{}", err.pointer());
    assert!(err.to_string().contains("missing.yaml"), "{err}");
}
