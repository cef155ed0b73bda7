//! The shipped OpenAPI document is valid OpenAPI 3.1 in the practical sense, and the server
//! serves exactly it.

mod common;

use std::collections::HashSet;

use common::spec::{deref, document, operations};
use serde_json::Value;

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => out.push(reference),
                    _ => collect_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[test]
fn is_openapi_3_1_and_every_ref_resolves() {
    let document = document();
    let version = document["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1."), "{version}");
    assert!(document["info"]["title"].is_string());
    assert!(document["info"]["version"].is_string());
    let mut refs = Vec::new();
    collect_refs(&document, &mut refs);
    assert!(refs.len() > 50, "the spec uses components");
    for reference in refs {
        let pointer = reference.strip_prefix('#').expect("only local refs");
        assert!(
            document.pointer(pointer).is_some(),
            "dangling $ref {reference}"
        );
    }
}

#[test]
fn operations_have_unique_ids_tags_and_documented_responses() {
    let document = document();
    let operations = operations(&document);
    assert!(operations.len() >= 25, "{}", operations.len());
    let declared_tags: HashSet<&str> = document["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|tag| tag["name"].as_str())
        .collect();
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("securitySchemes");
    let mut ids = HashSet::new();
    for operation in &operations {
        let name = format!("{} {}", operation.method, operation.template);
        assert!(!operation.id.is_empty(), "{name} has no operationId");
        assert!(
            ids.insert(operation.id.clone()),
            "duplicate operationId {}",
            operation.id
        );
        let tags = operation.value["tags"].as_array().expect("tags");
        assert!(!tags.is_empty(), "{name} has no tags");
        for tag in tags {
            assert!(
                declared_tags.contains(tag.as_str().unwrap_or("")),
                "{name}: tag {tag}"
            );
        }
        let responses = operation.value["responses"].as_object().expect("responses");
        assert!(!responses.is_empty(), "{name} documents no responses");
        for (code, response) in responses {
            let response = deref(&document, response);
            assert!(
                response["description"].is_string(),
                "{name} {code}: no description"
            );
            let success = code.starts_with('2') && code != "204";
            if success || code.starts_with('4') {
                let schema = &response["content"]["application/json"]["schema"];
                assert!(schema.is_object(), "{name} {code}: no JSON schema");
            }
        }
        let security = operation.value.get("security").expect("explicit security");
        let secured = !security.as_array().expect("security").is_empty();
        assert!(
            !secured || responses.contains_key("401"),
            "{name}: secured without 401"
        );
        for requirement in security.as_array().expect("security") {
            for scheme in requirement.as_object().expect("requirement").keys() {
                assert!(
                    schemes.contains_key(scheme),
                    "{name}: unknown scheme {scheme}"
                );
            }
        }
    }
}

#[test]
fn every_path_parameter_is_declared_and_used() {
    let document = document();
    for operation in operations(&document) {
        let in_template: HashSet<String> = operation
            .template
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect();
        let mut declared = HashSet::new();
        for list in [
            &operation.path_item["parameters"],
            &operation.value["parameters"],
        ] {
            for parameter in list.as_array().into_iter().flatten() {
                let parameter = deref(&document, parameter);
                assert!(parameter["schema"].is_object(), "{parameter} has no schema");
                if parameter["in"] == "path" {
                    assert_eq!(parameter["required"], true, "{parameter}");
                    declared.insert(parameter["name"].as_str().expect("name").to_owned());
                }
            }
        }
        assert_eq!(
            in_template, declared,
            "{} {}",
            operation.method, operation.template
        );
    }
}

#[test]
fn links_name_existing_operations() {
    let document = document();
    let operations = operations(&document);
    let ids: HashSet<&str> = operations.iter().map(|op| op.id.as_str()).collect();
    let mut links = 0;
    for operation in &operations {
        for response in operation.value["responses"]
            .as_object()
            .expect("responses")
            .values()
        {
            for link in response["links"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
            {
                let target = link["operationId"].as_str().expect("operationId");
                assert!(ids.contains(target), "link to unknown operation {target}");
                links += 1;
            }
        }
    }
    assert!(links >= 5, "{links}");
}

#[test]
fn served_document_equals_the_shipped_one() {
    let api = common::Api::start(false);
    let reply = api.get("/openapi.json", None);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json, document());
}
