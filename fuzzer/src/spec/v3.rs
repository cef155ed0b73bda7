//! OpenAPI 3.0 / 3.1 documents → [`Model`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::docs::{DocId, Docs};
use super::error::SpecError;
use super::model::{
    HeaderSpec, Link, MediaType, Model, OperationId, ParamLocation, ParamStyle, Parameter,
    RequestBody, Response, SpecVersion, StatusKey,
};
use super::ops::{
    Ctx, Draft, check_path_params, escape, finish_operations, label, merge_params,
    security_requirements, status_key,
};
use super::paths::{OperationSource, walk_paths};
use super::security::{security_schemes_v3, servers_v3};
use crate::schema::{Dialect, View};

/// Builds the model of a 3.x document.
pub(crate) fn build(docs: &Docs, version: SpecVersion) -> Result<Model, SpecError> {
    let dialect = match version {
        SpecVersion::OpenApi31 => Dialect::OpenApi31,
        _ => Dialect::OpenApi30,
    };
    let root = docs.root();
    let mut ctx = Ctx::new(docs, dialect);
    let security_schemes = security_schemes_v3(&mut ctx)?;
    let defined = |name: &str| security_schemes.contains_key(name);
    let root_security = match root.get("security") {
        Some(s) => security_requirements(s, &defined, None, "/security", &mut ctx.warnings),
        None => Vec::new(),
    };
    let mut drafts = Vec::new();
    for source in walk_paths(&mut ctx)? {
        let at = format!("{}/parameters", source.item_pointer);
        let path_params = parameters(&mut ctx, &source, source.path_params, &at)?;
        if let Some(draft) = operation(&mut ctx, &source, path_params, &defined, &root_security)? {
            drafts.push(draft);
        }
    }
    let operations = finish_operations(drafts, &mut ctx.warnings);
    let (defs, warnings) = ctx.finish_defs()?;
    Ok(Model {
        path: docs.doc(0).path.clone(),
        version,
        title: title(root),
        servers: servers_v3(root),
        operations,
        security_schemes,
        defs,
        warnings,
    })
}

pub(crate) fn title(root: &Value) -> String {
    root.pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One operation; `Ok(None)` (with a warning) when it cannot be used at all.
fn operation(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    path_params: Vec<Parameter>,
    defined: &dyn Fn(&str) -> bool,
    root_security: &[BTreeMap<String, Vec<String>>],
) -> Result<Option<Draft>, SpecError> {
    let name = label(src.method, &src.path);
    let Some(op) = src.op.as_object() else {
        ctx.warn(
            Some(&name),
            src.doc,
            &src.pointer,
            "operation is not an object; skipped".into(),
        );
        return Ok(None);
    };
    let own = match op.get("parameters") {
        Some(list) => parameters(ctx, src, Some(list), &format!("{}/parameters", src.pointer))?,
        None => Vec::new(),
    };
    let mut params = merge_params(path_params, own);
    check_path_params(
        &src.path,
        &name,
        &src.pointer,
        &mut params,
        &mut ctx.warnings,
    );
    let request_body = match op.get("requestBody") {
        Some(body) => request_body(ctx, src, body)?,
        None => None,
    };
    let (responses, link_refs) = responses(ctx, src, op.get("responses"))?;
    let security = match op.get("security") {
        Some(s) => {
            let at = format!("{}/security", src.pointer);
            security_requirements(s, defined, Some(&name), &at, &mut ctx.warnings)
        }
        None => root_security.to_vec(),
    };
    Ok(Some(Draft {
        op: super::model::Operation {
            id: OperationId(String::new()),
            method: src.method,
            path: src.path.clone(),
            tags: strings(op.get("tags")),
            summary: op.get("summary").and_then(Value::as_str).map(str::to_owned),
            deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
            parameters: params,
            request_body,
            responses,
            security,
        },
        explicit_id: op
            .get("operationId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        link_refs,
    }))
}

pub(crate) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// A `parameters` list found at `at` in the operation's document.
fn parameters(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    list: Option<&Value>,
    at: &str,
) -> Result<Vec<Parameter>, SpecError> {
    let name = label(src.method, &src.path);
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let Some(items) = list.as_array() else {
        ctx.warn(
            Some(&name),
            src.doc,
            at,
            "`parameters` is not an array; ignored".into(),
        );
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (pdoc, pointer, p) = ctx.deref(src.doc, &format!("{at}/{i}"), item)?;
        if let Some(param) = parameter(ctx, pdoc, &pointer, p, &name)? {
            out.push(param);
        }
    }
    Ok(out)
}

fn parameter(
    ctx: &mut Ctx<'_>,
    doc: DocId,
    pointer: &str,
    p: &Value,
    op: &str,
) -> Result<Option<Parameter>, SpecError> {
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
        return Ok(None);
    };
    let location = match location {
        "path" => ParamLocation::Path,
        "query" => ParamLocation::Query,
        "header" => ParamLocation::Header,
        "cookie" => ParamLocation::Cookie,
        other => {
            let msg =
                format!("parameter \"{name}\" has unsupported location `in: {other}`; ignored");
            ctx.warn(Some(op), doc, pointer, msg);
            return Ok(None);
        }
    };
    if location == ParamLocation::Header
        && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
    {
        // OpenAPI: these header parameters are ignored (media types and security describe them).
        return Ok(None);
    }
    let default_style = match location {
        ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
    };
    let style = match p.get("style").and_then(Value::as_str) {
        None => default_style,
        Some(s) => parse_style(s).unwrap_or_else(|| {
            let msg = format!("parameter \"{name}\": unknown style \"{s}\"; using the default");
            ctx.warn(Some(op), doc, pointer, msg);
            default_style
        }),
    };
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == ParamStyle::Form);
    let mut examples = examples_of(ctx, doc, pointer, p)?;
    let schema = schema_or_content(ctx, doc, pointer, p, View::Request, op, &mut examples)?;
    Ok(Some(Parameter {
        name: name.to_owned(),
        location,
        required: location == ParamLocation::Path || p.get("required") == Some(&Value::Bool(true)),
        style,
        explode,
        schema,
        examples,
    }))
}

/// The schema of a parameter or header: its `schema`, or the schema of the single media type in
/// its `content` (whose examples are added to `examples`); `{}` when neither is given.
fn schema_or_content(
    ctx: &mut Ctx<'_>,
    doc: DocId,
    pointer: &str,
    holder: &Value,
    view: View,
    op: &str,
    examples: &mut Vec<Value>,
) -> Result<Value, SpecError> {
    if let Some(schema) = holder.get("schema") {
        let at = format!("{pointer}/schema");
        return Ok(ctx.schema(doc, &at, schema, view, Some(op)));
    }
    let media = holder
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.iter().next());
    let Some((media_type, media)) = media else {
        return Ok(json!({}));
    };
    let at = format!("{pointer}/content/{}", escape(media_type));
    examples.extend(examples_of(ctx, doc, &at, media)?);
    Ok(match media.get("schema") {
        Some(s) => ctx.schema(doc, &format!("{at}/schema"), s, view, Some(op)),
        None => json!({}),
    })
}

pub(crate) fn parse_style(style: &str) -> Option<ParamStyle> {
    Some(match style {
        "simple" => ParamStyle::Simple,
        "form" => ParamStyle::Form,
        "matrix" => ParamStyle::Matrix,
        "label" => ParamStyle::Label,
        "spaceDelimited" => ParamStyle::SpaceDelimited,
        "pipeDelimited" => ParamStyle::PipeDelimited,
        "deepObject" => ParamStyle::DeepObject,
        _ => return None,
    })
}

/// `example` and `examples` (a map of Example objects, possibly `$ref`s) of a parameter or media
/// type; external examples are skipped.
fn examples_of(
    ctx: &mut Ctx<'_>,
    doc: DocId,
    pointer: &str,
    holder: &Value,
) -> Result<Vec<Value>, SpecError> {
    let mut out = Vec::new();
    if let Some(example) = holder.get("example") {
        out.push(example.clone());
    }
    if let Some(named) = holder.get("examples").and_then(Value::as_object) {
        for (key, example) in named {
            let at = format!("{pointer}/examples/{}", escape(key));
            let (_, _, example) = ctx.deref(doc, &at, example)?;
            if let Some(value) = example.get("value") {
                out.push(value.clone());
            }
        }
    }
    Ok(out)
}

/// `content` of a request body or response: media type → schema and examples.
fn content(
    ctx: &mut Ctx<'_>,
    doc: DocId,
    pointer: &str,
    content: Option<&Value>,
    view: View,
    op: &str,
) -> Result<Vec<MediaType>, SpecError> {
    let mut out = Vec::new();
    for (media_type, media) in content.and_then(Value::as_object).into_iter().flatten() {
        let at = format!("{pointer}/content/{}", escape(media_type));
        let schema = match media.get("schema") {
            Some(s) => ctx.schema(doc, &format!("{at}/schema"), s, view, Some(op)),
            None => json!({}),
        };
        let examples = examples_of(ctx, doc, &at, media)?;
        out.push(MediaType {
            media_type: media_type.clone(),
            schema,
            examples,
        });
    }
    Ok(out)
}

fn request_body(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    body: &Value,
) -> Result<Option<RequestBody>, SpecError> {
    let name = label(src.method, &src.path);
    let (doc, pointer, body) = ctx.deref(src.doc, &format!("{}/requestBody", src.pointer), body)?;
    let content = content(
        ctx,
        doc,
        &pointer,
        body.get("content"),
        View::Request,
        &name,
    )?;
    if content.is_empty() {
        ctx.warn(
            Some(&name),
            doc,
            &pointer,
            "request body without `content`; ignored".into(),
        );
        return Ok(None);
    }
    Ok(Some(RequestBody {
        required: body.get("required") == Some(&Value::Bool(true)),
        content,
    }))
}

type Responses = (
    BTreeMap<StatusKey, Response>,
    Vec<(StatusKey, usize, String)>,
);

fn responses(
    ctx: &mut Ctx<'_>,
    src: &OperationSource<'_>,
    responses: Option<&Value>,
) -> Result<Responses, SpecError> {
    let name = label(src.method, &src.path);
    let mut out = BTreeMap::new();
    let mut link_refs = Vec::new();
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
        let content = content(ctx, doc, &pointer, r.get("content"), View::Response, &name)?;
        let headers = headers(ctx, doc, &pointer, r.get("headers"), &name)?;
        let mut links = Vec::new();
        for (link_name, link) in r
            .get("links")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let at = format!("{pointer}/links/{}", escape(link_name));
            let (_, _, link) = ctx.deref(doc, &at, link)?;
            if let Some(reference) = link.get("operationRef").and_then(Value::as_str) {
                link_refs.push((status, links.len(), reference.to_owned()));
            }
            links.push(parse_link(link_name, link));
        }
        out.insert(
            status,
            Response {
                description: r
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                content,
                headers,
                links,
            },
        );
    }
    Ok((out, link_refs))
}

fn parse_link(name: &str, link: &Value) -> Link {
    let parameters = link
        .get("parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let expr = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            (k.clone(), expr)
        })
        .collect();
    Link {
        name: name.to_owned(),
        operation_id: link
            .get("operationId")
            .and_then(Value::as_str)
            .map(|s| OperationId(s.to_owned())),
        parameters,
        request_body: link.get("requestBody").cloned(),
    }
}

fn headers(
    ctx: &mut Ctx<'_>,
    doc: DocId,
    pointer: &str,
    headers: Option<&Value>,
    op: &str,
) -> Result<Vec<super::model::HeaderSpec>, SpecError> {
    let mut out = Vec::new();
    for (name, header) in headers.and_then(Value::as_object).into_iter().flatten() {
        let at = format!("{pointer}/headers/{}", escape(name));
        let (hdoc, hat, h) = ctx.deref(doc, &at, header)?;
        let mut ignored = Vec::new();
        let schema = schema_or_content(ctx, hdoc, &hat, h, View::Response, op, &mut ignored)?;
        out.push(HeaderSpec {
            name: name.clone(),
            required: h.get("required") == Some(&Value::Bool(true)),
            schema,
        });
    }
    Ok(out)
}
