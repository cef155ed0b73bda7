//! `shrike inspect`: load a spec and print what Shrike understood of it (text or JSON).

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::cli::InspectArgs;
use crate::spec::{self, Model, Operation, SecurityRequirement, SpecError, SpecVersion};

/// Why `inspect` failed.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error("cannot write the output: {0}")]
    Io(#[from] io::Error),
}

/// Loads `args.spec` and writes the summary to `out`.
pub fn run(args: &InspectArgs, out: &mut dyn Write) -> Result<(), InspectError> {
    let model = spec::load(&args.spec)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &summary_json(&model)).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        write_text(&model, out)?;
    }
    out.flush()?;
    Ok(())
}

fn version_name(version: SpecVersion) -> &'static str {
    match version {
        SpecVersion::Swagger2 => "Swagger 2.0",
        SpecVersion::OpenApi30 => "OpenAPI 3.0",
        SpecVersion::OpenApi31 => "OpenAPI 3.1",
    }
}

fn def_count(model: &Model) -> usize {
    model
        .defs
        .get("$defs")
        .and_then(Value::as_object)
        .map_or(0, |d| d.len())
}

/// `a[read,write] + b | c`: alternatives separated by `|`; `none` when no auth is needed.
fn security_text(security: &[SecurityRequirement]) -> String {
    if security.is_empty() {
        return "none".to_owned();
    }
    security
        .iter()
        .map(|alt| {
            if alt.is_empty() {
                return "anonymous".to_owned();
            }
            alt.iter()
                .map(|(name, scopes)| {
                    if scopes.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}[{}]", scopes.join(","))
                    }
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn write_operation(op: &Operation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} {}  ({})", op.method, op.path, op.id)?;
    if !op.parameters.is_empty() {
        let params: Vec<String> = op
            .parameters
            .iter()
            .map(|p| {
                let req = if p.required { "" } else { "?" };
                let location = format!("{:?}", p.location).to_lowercase();
                format!("{}{req} ({location})", p.name)
            })
            .collect();
        writeln!(out, "    parameters: {}", params.join(", "))?;
    }
    if let Some(body) = &op.request_body {
        let media: Vec<&str> = body.content.iter().map(|m| m.media_type.as_str()).collect();
        let req = if body.required {
            "required"
        } else {
            "optional"
        };
        writeln!(out, "    body ({req}): {}", media.join(", "))?;
    }
    let statuses: Vec<String> = op.responses.keys().map(ToString::to_string).collect();
    writeln!(out, "    responses: {}", statuses.join(", "))?;
    writeln!(out, "    security: {}", security_text(&op.security))?;
    Ok(())
}

/// The human-readable listing.
pub fn write_text(model: &Model, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} ({}) from {}: {} operations, {} security schemes, {} shared schemas, {} warnings",
        if model.title.is_empty() {
            "(untitled)"
        } else {
            &model.title
        },
        version_name(model.version),
        model.path.display(),
        model.operations.len(),
        model.security_schemes.len(),
        def_count(model),
        model.warnings.len()
    )?;
    writeln!(out, "servers: {}", model.servers.join(", "))?;
    for op in &model.operations {
        write_operation(op, out)?;
    }
    if !model.warnings.is_empty() {
        writeln!(out, "warnings:")?;
        for warning in &model.warnings {
            writeln!(out, "  - {warning}")?;
        }
    }
    Ok(())
}

/// The machine-readable summary: `operations` is the count, `operation_list` the details.
pub fn summary_json(model: &Model) -> Value {
    let operations: Vec<Value> = model
        .operations
        .iter()
        .map(|op| {
            let parameters: Vec<Value> = op
                .parameters
                .iter()
                .map(|p| {
                    json!({"name": p.name, "in": p.location, "required": p.required,
                           "style": p.style, "explode": p.explode})
                })
                .collect();
            json!({
                "id": op.id,
                "method": op.method,
                "path": op.path,
                "tags": op.tags,
                "parameters": parameters,
                "body": op.request_body.as_ref().map(|b| json!({
                    "required": b.required,
                    "media_types": b.content.iter().map(|m| &m.media_type).collect::<Vec<_>>(),
                })),
                "responses": op.responses.keys().map(ToString::to_string).collect::<Vec<_>>(),
                "security": op.security,
            })
        })
        .collect();
    json!({
        "spec": model.path,
        "title": model.title,
        "version": version_name(model.version),
        "servers": model.servers,
        "operations": model.operations.len(),
        "security_schemes": model.security_schemes,
        "shared_schemas": def_count(model),
        "warnings": model.warnings,
        "operation_list": operations,
    })
}
