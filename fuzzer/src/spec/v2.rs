//! Swagger 2.0 documents → [`Model`].
//!
//! `in: body` becomes a request body for each `consumes` media type (default
//! `application/json`); `in: formData` parameters become one object schema for
//! `application/x-www-form-urlencoded` or, with a `type: file` field or a multipart `consumes`,
//! `multipart/form-data`. `collectionFormat` maps to style/explode; `host`/`basePath`/`schemes`
//! give the servers.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::docs::{DocId, Docs};
use super::error::SpecError;
use super::model::{
    HeaderSpec, MediaType, Model, Operation, OperationId, ParamLocation, ParamStyle, Parameter,
    RequestBody, Response, SecurityRequirement, SpecVersion, StatusKey,
};
use super::ops::{
    Ctx, Draft, check_path_params, escape, finish_operations, label, merge_params,
    security_requirements, status_key,
};
use super::paths::{OperationSource, walk_paths};
use super::security::{security_definitions_v2, servers_v2};
use super::v3::{strings, title};
use crate::schema::{Dialect, View};

/// Keywords of a non-body Swagger parameter (and of `items`/headers) that describe its value.
const VALUE_KEYWORDS: [&str; 20] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
    "example",
    "x-example",
    "allowEmptyValue",
];

/// A parameter before body and form fields are split off.
enum Param {
    Plain(Parameter),
    Body {
        schema: Value,
        required: bool,
    },
    Form {
        name: String,
        schema: Value,
        required: bool,
        file: bool,
    },
}

pub(crate) fn build(docs: &Docs) -> Result<Model, SpecError> {
    let root = docs.root();
    let mut ctx = Ctx::new(docs, Dialect::OpenApi30);
    let security_schemes = security_definitions_v2(&mut ctx);
    let defined = |name: &str| security_schemes.contains_key(name);
    let root_security = match root.get("security") {
        Some(s) => security_requirements(s, &defined, None, "/security", &mut ctx.warnings),
        None => Vec::new(),
    };
    let defaults = Defaults {
        consumes: media_list(root.get("consumes")),
        produces: media_list(root.get("produces")),
        security: root_security,
        defined: &defined,
    };
    let mut drafts = Vec::new();
    for src in walk_paths(&mut ctx)? {
        if let Some(draft) = operation(&mut ctx, &src, &defaults)? {
            drafts.push(draft);
        }
    }
    let operations = finish_operations(drafts, &mut ctx.warnings);
    let (defs, warnings) = ctx.finish_defs()?;
    Ok(Model {
        path: docs.doc(0).path.clone(),
        version: SpecVersion::Swagger2,
        title: title(root),
        servers: servers_v2(root),
        operations,
        security_schemes,
        defs,
        warnings,
    })
}

/// Document-level defaults an operation may override.
struct Defaults<'a> {
    consumes: Vec<String>,
    produces: Vec<String>,
    security: Vec<SecurityRequirement>,
    defined: &'a dyn Fn(&str) -> bool,
}

/// One operation; `Ok(None)` (with a warning) when it cannot be used at all.
fn operation(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    defaults: &Defaults<'_>,
) -> Result<Option<Draft>, SpecError> {
    let name = label(src.method, &src.path);
    let Some(op) = src.op.as_object() else {
        let msg = "operation is not an object; skipped".to_owned();
        ctx.warn(Some(&name), src.doc, &src.pointer, msg);
        return Ok(None);
    };
    let at = format!("{}/parameters", src.item_pointer);
    let path_level = params(ctx, src, src.path_params, &at)?;
    let at = format!("{}/parameters", src.pointer);
    let own = params(ctx, src, op.get("parameters"), &at)?;
    let list_or = |key: &str, default: &Vec<String>| {
        op.get(key)
            .map_or_else(|| default.clone(), |c| media_list(Some(c)))
    };
    let consumes = list_or("consumes", &defaults.consumes);
    let produces = list_or("produces", &defaults.produces);
    let (mut parameters, request_body) = split_params(ctx, src, path_level, own, &consumes);
    check_path_params(
        &src.path,
        &name,
        &src.pointer,
        &mut parameters,
        &mut ctx.warnings,
    );
    let responses = responses(ctx, src, op.get("responses"), &produces)?;
    let security = match op.get("security") {
        Some(s) => {
            let at = format!("{}/security", src.pointer);
            security_requirements(s, defaults.defined, Some(&name), &at, &mut ctx.warnings)
        }
        None => defaults.security.clone(),
    };
    Ok(Some(Draft {
        op: Operation {
            id: OperationId(String::new()),
            method: src.method,
            path: src.path.clone(),
            tags: strings(op.get("tags")),
            summary: op.get("summary").and_then(Value::as_str).map(str::to_owned),
            deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
            parameters,
            request_body,
            responses,
            security,
        },
        explicit_id: op
            .get("operationId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        link_refs: Vec::new(),
    }))
}

/// A `consumes`/`produces` list; `application/json` when absent or empty.
fn media_list(value: Option<&Value>) -> Vec<String> {
    let list = strings(value);
    if list.is_empty() {
        vec!["application/json".to_owned()]
    } else {
        list
    }
}

fn params(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    list: Option<&Value>,
    at: &str,
) -> Result<Vec<Param>, SpecError> {
    let name = label(src.method, &src.path);
    let mut out = Vec::new();
    let Some(list) = list else {
        return Ok(out);
    };
    let Some(items) = list.as_array() else {
        ctx.warn(
            Some(&name),
            src.doc,
            at,
            "`parameters` is not an array; ignored".into(),
        );
        return Ok(out);
    };
    for (i, item) in items.iter().enumerate() {
        let (doc, pointer, p) = ctx.deref(src.doc, &format!("{at}/{i}"), item)?;
        if let Some(param) = param(ctx, doc, &pointer, p, &name) {
            out.push(param);
        }
    }
    Ok(out)
}

/// The schema a non-body parameter (or header, or `items`) describes with its own keywords.
fn value_schema(p: &Value) -> Value {
    let mut schema = Map::new();
    for key in VALUE_KEYWORDS {
        if let Some(v) = p.get(key) {
            let key = if key == "x-example" { "example" } else { key };
            schema.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(items) = p.get("items") {
        schema.insert("items".to_owned(), value_schema(items));
    }
    schema.remove("allowEmptyValue");
    Value::Object(schema)
}

fn param(ctx: &mut Ctx<'_>, doc: DocId, pointer: &str, p: &Value, op: &str) -> Option<Param> {
    let (Some(name), Some(location)) = (
        p.get("name").and_then(Value::as_str),
        p.get("in").and_then(Value::as_str),
    ) else {
        ctx.warn(
            Some(op),
            doc,
            pointer,
            "parameter without `name` or `in`; ignored".into(),
        );
        return None;
    };
    let required = location == "path" || p.get("required") == Some(&Value::Bool(true));
    if location == "body" {
        let schema = match p.get("schema") {
            Some(s) => ctx.schema(
                doc,
                &format!("{pointer}/schema"),
                s,
                View::Request,
                Some(op),
            ),
            None => json!({}),
        };
        return Some(Param::Body { schema, required });
    }
    let raw = value_schema(p);
    let schema = ctx.schema(doc, pointer, &raw, View::Request, Some(op));
    if location == "formData" {
        let file = p.get("type").and_then(Value::as_str) == Some("file");
        return Some(Param::Form {
            name: name.to_owned(),
            schema,
            required,
            file,
        });
    }
    let location = match location {
        "path" => ParamLocation::Path,
        "query" => ParamLocation::Query,
        "header" => ParamLocation::Header,
        other => {
            let msg =
                format!("parameter \"{name}\" has unsupported location `in: {other}`; ignored");
            ctx.warn(Some(op), doc, pointer, msg);
            return None;
        }
    };
    if location == ParamLocation::Header
        && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
    {
        return None;
    }
    let (style, explode) = collection_format(ctx, doc, pointer, p, location, op);
    let examples = ["x-example", "example"]
        .iter()
        .filter_map(|k| p.get(*k).cloned())
        .collect();
    Some(Param::Plain(Parameter {
        name: name.to_owned(),
        location,
        required,
        style,
        explode,
        schema,
        examples,
    }))
}

/// `collectionFormat` → (style, explode). Scalars get the 3.0 defaults for their location.
fn collection_format(
    ctx: &mut Ctx<'_>,
    doc: DocId,
    pointer: &str,
    p: &Value,
    location: ParamLocation,
    op: &str,
) -> (ParamStyle, bool) {
    let base = match location {
        ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
    };
    if p.get("type").and_then(Value::as_str) != Some("array") {
        return (base, base == ParamStyle::Form);
    }
    match p
        .get("collectionFormat")
        .and_then(Value::as_str)
        .unwrap_or("csv")
    {
        "csv" => (base, false),
        "ssv" => (ParamStyle::SpaceDelimited, false),
        "pipes" => (ParamStyle::PipeDelimited, false),
        "multi" => (ParamStyle::Form, true),
        other => {
            let msg = format!("collectionFormat \"{other}\" is not supported; using csv");
            ctx.warn(Some(op), doc, pointer, msg);
            (base, false)
        }
    }
}

/// Merges path- and operation-level parameters, then turns body and form fields into a body.
fn split_params(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    path_level: Vec<Param>,
    own: Vec<Param>,
    consumes: &[String],
) -> (Vec<Parameter>, Option<RequestBody>) {
    let name = label(src.method, &src.path);
    let (mut plain_path, mut plain_own) = (Vec::new(), Vec::new());
    let mut body = None;
    let mut form: BTreeMap<String, (Value, bool, bool)> = BTreeMap::new();
    for (level, list) in [(0, path_level), (1, own)] {
        for p in list {
            match p {
                Param::Plain(p) if level == 0 => plain_path.push(p),
                Param::Plain(p) => plain_own.push(p),
                Param::Body { schema, required } => body = Some((schema, required)),
                Param::Form {
                    name,
                    schema,
                    required,
                    file,
                } => {
                    form.insert(name, (schema, required, file));
                }
            }
        }
    }
    let parameters = merge_params(plain_path, plain_own);
    if let Some((schema, required)) = body {
        if !form.is_empty() {
            let msg = "both `in: body` and `in: formData` parameters; the form fields are ignored";
            ctx.warn(Some(&name), src.doc, &src.pointer, msg.into());
        }
        let content = consumes
            .iter()
            .map(|m| MediaType {
                media_type: m.clone(),
                schema: schema.clone(),
                examples: Vec::new(),
            })
            .collect();
        return (parameters, Some(RequestBody { required, content }));
    }
    if form.is_empty() {
        return (parameters, None);
    }
    let body = form_body(form, consumes);
    (parameters, Some(body))
}

/// The request body that Swagger `in: formData` fields describe: multipart when a field is a
/// file or `consumes` asks for it, form-urlencoded otherwise (or too, when `consumes` says so).
fn form_body(form: BTreeMap<String, (Value, bool, bool)>, consumes: &[String]) -> RequestBody {
    let any_file = form.values().any(|(_, _, file)| *file);
    let required: Vec<Value> = form
        .iter()
        .filter(|(_, v)| v.1)
        .map(|(k, _)| Value::from(k.as_str()))
        .collect();
    let any_required = !required.is_empty();
    let properties: Map<String, Value> = form.into_iter().map(|(k, v)| (k, v.0)).collect();
    let mut schema = json!({ "type": "object", "properties": properties });
    if any_required {
        schema["required"] = Value::Array(required);
    }
    let mut media: Vec<&str> = Vec::new();
    if any_file
        || consumes
            .iter()
            .any(|m| m.starts_with("multipart/form-data"))
    {
        media.push("multipart/form-data");
    }
    if !any_file
        && (media.is_empty()
            || consumes
                .iter()
                .any(|m| m.starts_with("application/x-www-form-urlencoded")))
    {
        media.push("application/x-www-form-urlencoded");
    }
    let content = media
        .into_iter()
        .map(|m| MediaType {
            media_type: m.to_owned(),
            schema: schema.clone(),
            examples: Vec::new(),
        })
        .collect();
    RequestBody {
        required: any_required,
        content,
    }
}

fn responses(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    responses: Option<&Value>,
    produces: &[String],
) -> Result<BTreeMap<StatusKey, Response>, SpecError> {
    let name = label(src.method, &src.path);
    let mut out = BTreeMap::new();
    for (key, response) in responses.and_then(Value::as_object).into_iter().flatten() {
        let at = format!("{}/responses/{}", src.pointer, escape(key));
        let Some(status) = status_key(key) else {
            if !key.starts_with("x-") {
                ctx.warn(
                    Some(&name),
                    src.doc,
                    &at,
                    format!("unknown response key \"{key}\"; ignored"),
                );
            }
            continue;
        };
        let (doc, pointer, r) = ctx.deref(src.doc, &at, response)?;
        let mut content = Vec::new();
        if let Some(s) = r.get("schema") {
            let schema = ctx.schema(
                doc,
                &format!("{pointer}/schema"),
                s,
                View::Response,
                Some(&name),
            );
            let examples = r.get("examples").and_then(Value::as_object);
            for media_type in produces {
                let example = examples.and_then(|e| e.get(media_type)).cloned();
                content.push(MediaType {
                    media_type: media_type.clone(),
                    schema: schema.clone(),
                    examples: example.into_iter().collect(),
                });
            }
        }
        let mut headers = Vec::new();
        for (header, h) in r
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let hat = format!("{pointer}/headers/{}", escape(header));
            let schema = ctx.schema(doc, &hat, &value_schema(h), View::Response, Some(&name));
            headers.push(HeaderSpec {
                name: header.clone(),
                required: false,
                schema,
            });
        }
        let description = r
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.insert(
            status,
            Response {
                description: description.to_owned(),
                content,
                headers,
                links: Vec::new(),
            },
        );
    }
    Ok(out)
}
