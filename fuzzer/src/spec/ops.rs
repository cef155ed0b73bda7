//! What Swagger 2.0 and OpenAPI 3.x loading share: the context, operation drafts, stable ids,
//! path-template checks, `operationRef` resolution and security requirements.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};

use super::defs::Defs;
use super::docs::{DocId, Docs};
use super::error::SpecError;
use super::model::{
    Method, Operation, OperationId, ParamLocation, ParamStyle, Parameter, SecurityRequirement,
    StatusKey, Warning,
};
use crate::schema::{Dialect, View};

/// The methods an OpenAPI path item may hold, in document order of the specification.
pub(crate) const METHODS: [(&str, Method); 8] = [
    ("get", Method::Get),
    ("put", Method::Put),
    ("post", Method::Post),
    ("delete", Method::Delete),
    ("options", Method::Options),
    ("head", Method::Head),
    ("patch", Method::Patch),
    ("trace", Method::Trace),
];

/// Loading state shared by the version-specific builders.
pub(crate) struct Ctx<'d> {
    pub docs: &'d Docs,
    pub defs: Defs<'d>,
    pub warnings: Vec<Warning>,
}

impl<'d> Ctx<'d> {
    pub fn new(docs: &'d Docs, dialect: Dialect) -> Self {
        Ctx {
            docs,
            defs: Defs::new(docs, dialect),
            warnings: Vec::new(),
        }
    }

    /// Converts an inline schema of operation `op` found in `doc` at `pointer`.
    pub fn schema(
        &mut self,
        doc: DocId,
        pointer: &str,
        schema: &Value,
        view: View,
        op: Option<&str>,
    ) -> Value {
        self.defs
            .convert_inline(doc, pointer, schema, view, op, &mut self.warnings)
    }

    pub fn warn(&mut self, op: Option<&str>, doc: DocId, pointer: &str, message: String) {
        self.warnings.push(Warning {
            operation: op.map(str::to_owned),
            pointer: self.docs.location(doc, pointer),
            message,
        });
    }

    /// Follows `$ref`s from `value` (at `pointer` in `doc`) to the object they name.
    pub fn deref(
        &self,
        doc: DocId,
        pointer: &str,
        value: &'d Value,
    ) -> Result<(DocId, String, &'d Value), SpecError> {
        self.docs.deref(doc, pointer, value)
    }

    /// Converts queued defs, then fails with the first dangling reference, if any.
    pub fn finish_defs(mut self) -> Result<(Value, Vec<Warning>), SpecError> {
        self.defs.drain(&mut self.warnings);
        if let Some(err) = self.defs.error.take() {
            return Err(err);
        }
        Ok((self.defs.finish(), self.warnings))
    }
}

/// An operation before ids are assigned and `operationRef`s are resolved.
pub(crate) struct Draft {
    pub op: Operation,
    pub explicit_id: Option<String>,
    /// (response, link index, operationRef) to resolve once every operation has its id.
    pub link_refs: Vec<(StatusKey, usize, String)>,
}

/// `GET /pets/{id}`: how warnings name an operation before it has an id.
pub(crate) fn label(method: Method, path: &str) -> String {
    format!("{method} {path}")
}

/// A stable id from method and path: `GET /orders/{orderId}` → `get_orders_by_orderId`.
pub(crate) fn derive_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    let mut any = false;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        any = true;
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                id.push_str("_by_");
                id.push_str(&ident(param));
            }
            None => {
                id.push('_');
                id.push_str(&ident(segment));
            }
        }
    }
    if !any {
        id.push_str("_root");
    }
    id
}

fn ident(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Assigns unique ids (explicit first, so a derived id never takes a declared one), resolves
/// `operationRef`s, and returns the operations in document order.
pub(crate) fn finish_operations(drafts: Vec<Draft>, warnings: &mut Vec<Warning>) -> Vec<Operation> {
    let mut used: HashSet<String> = HashSet::new();
    let mut ids: Vec<Option<String>> = vec![None; drafts.len()];
    for (i, d) in drafts.iter().enumerate() {
        if let Some(explicit) = &d.explicit_id
            && used.insert(explicit.clone())
        {
            ids[i] = Some(explicit.clone());
        }
    }
    for (i, d) in drafts.iter().enumerate() {
        if ids[i].is_some() {
            continue;
        }
        let base = d
            .explicit_id
            .clone()
            .unwrap_or_else(|| derive_id(d.op.method, &d.op.path));
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        if d.explicit_id.is_some() {
            warnings.push(Warning {
                operation: Some(label(d.op.method, &d.op.path)),
                pointer: format!("/paths/{}/{}", escape(&d.op.path), lower(d.op.method)),
                message: format!("duplicate operationId \"{base}\"; renamed to \"{id}\""),
            });
        }
        ids[i] = Some(id);
    }
    let by_route: HashMap<(String, Method), String> = drafts
        .iter()
        .zip(&ids)
        .filter_map(|(d, id)| Some(((d.op.path.clone(), d.op.method), id.clone()?)))
        .collect();
    let mut out = Vec::with_capacity(drafts.len());
    for (mut d, id) in drafts.into_iter().zip(ids) {
        d.op.id = OperationId(id.unwrap_or_default());
        for (status, index, reference) in &d.link_refs {
            let target = route_of(reference).and_then(|r| by_route.get(&r));
            let Some(link) =
                d.op.responses
                    .get_mut(status)
                    .and_then(|r| r.links.get_mut(*index))
            else {
                continue;
            };
            match target {
                Some(t) => link.operation_id = Some(OperationId(t.clone())),
                None => warnings.push(Warning {
                    operation: Some(d.op.id.0.clone()),
                    pointer: format!("/paths/{}/{}", escape(&d.op.path), lower(d.op.method)),
                    message: format!(
                        "link \"{}\": operationRef \"{reference}\" names no operation of this \
                         document; the link is kept without a target",
                        link.name
                    ),
                }),
            }
        }
        out.push(d.op);
    }
    out
}

/// `#/paths/~1users~1{id}/get` → (`/users/{id}`, GET).
fn route_of(reference: &str) -> Option<(String, Method)> {
    let fragment = reference.strip_prefix('#')?;
    let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    let mut parts = decoded.strip_prefix("/paths/")?.rsplitn(2, '/');
    let method = parts.next()?;
    let path = parts.next()?.replace("~1", "/").replace("~0", "~");
    let method = METHODS.iter().find(|(m, _)| *m == method)?.1;
    Some((path, method))
}

fn lower(method: Method) -> String {
    method.as_str().to_ascii_lowercase()
}

/// A JSON pointer segment for a path template.
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Names of the `{params}` in a path template.
pub(crate) fn template_params(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

/// Makes path parameters agree with the template: a templated name without a declaration gets a
/// required string parameter, a declaration missing from the template is dropped; both warn.
pub(crate) fn check_path_params(
    path: &str,
    op: &str,
    pointer: &str,
    params: &mut Vec<Parameter>,
    warnings: &mut Vec<Warning>,
) {
    let names = template_params(path);
    let mut warn = |message: String| {
        warnings.push(Warning {
            operation: Some(op.to_owned()),
            pointer: pointer.to_owned(),
            message,
        })
    };
    params.retain(|p| {
        let keep = p.location != ParamLocation::Path || names.contains(&p.name.as_str());
        if !keep {
            warn(format!(
                "path parameter \"{}\" is not in the path template; ignored",
                p.name
            ));
        }
        keep
    });
    for name in names {
        let declared = params
            .iter()
            .any(|p| p.location == ParamLocation::Path && p.name == name);
        if !declared {
            warn(format!(
                "path parameter \"{name}\" is not declared; assuming a required string"
            ));
            params.push(Parameter {
                name: name.to_owned(),
                location: ParamLocation::Path,
                required: true,
                style: ParamStyle::Simple,
                explode: false,
                schema: json!({ "type": "string" }),
                examples: Vec::new(),
            });
        }
    }
}

/// Merges path-level and operation-level parameters; the operation wins on (name, location).
pub(crate) fn merge_params(path_level: Vec<Parameter>, op_level: Vec<Parameter>) -> Vec<Parameter> {
    let mut out: Vec<Parameter> = path_level
        .into_iter()
        .filter(|p| {
            !op_level
                .iter()
                .any(|o| o.name == p.name && o.location == p.location)
        })
        .collect();
    out.extend(op_level);
    out
}

/// Parses a `security` array (alternatives of scheme → scopes), warning on malformed entries and
/// on schemes that are not defined.
pub(crate) fn security_requirements(
    value: &Value,
    defined: &dyn Fn(&str) -> bool,
    op: Option<&str>,
    pointer: &str,
    warnings: &mut Vec<Warning>,
) -> Vec<SecurityRequirement> {
    let mut out = Vec::new();
    let Some(alternatives) = value.as_array() else {
        warnings.push(Warning {
            operation: op.map(str::to_owned),
            pointer: pointer.to_owned(),
            message: "`security` is not an array; ignored".to_owned(),
        });
        return out;
    };
    for alternative in alternatives {
        let mut requirement = BTreeMap::new();
        for (name, scopes) in alternative.as_object().into_iter().flatten() {
            if !defined(name) {
                warnings.push(Warning {
                    operation: op.map(str::to_owned),
                    pointer: pointer.to_owned(),
                    message: format!("security scheme \"{name}\" is not defined"),
                });
            }
            let scopes = scopes
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect();
            requirement.insert(name.clone(), scopes);
        }
        out.push(requirement);
    }
    out
}

/// Parses a `responses` key: `200`, `2XX`/`2xx`, `default`.
pub(crate) fn status_key(key: &str) -> Option<StatusKey> {
    if key == "default" {
        return Some(StatusKey::Default);
    }
    let bytes = key.as_bytes();
    if bytes.len() != 3 {
        return None;
    }
    if key[1..].eq_ignore_ascii_case("xx") {
        let class = (bytes[0] as char).to_digit(10)?;
        return (1..=5)
            .contains(&class)
            .then_some(StatusKey::Range(class as u8));
    }
    let code: u16 = key.parse().ok()?;
    (100..=599).contains(&code).then_some(StatusKey::Code(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_readable() {
        assert_eq!(
            derive_id(Method::Get, "/orders/{orderId}"),
            "get_orders_by_orderId"
        );
        assert_eq!(derive_id(Method::Post, "/"), "post_root");
        assert_eq!(derive_id(Method::Delete, "/a-b/c.d"), "delete_a_b_c_d");
    }

    #[test]
    fn status_keys_parse() {
        assert_eq!(status_key("200"), Some(StatusKey::Code(200)));
        assert_eq!(status_key("4xx"), Some(StatusKey::Range(4)));
        assert_eq!(status_key("5XX"), Some(StatusKey::Range(5)));
        assert_eq!(status_key("default"), Some(StatusKey::Default));
        assert_eq!(status_key("ok"), None);
        assert_eq!(status_key("999"), None);
    }

    #[test]
    fn operation_refs_parse() {
        assert_eq!(
            route_of("#/paths/~1users~1%7Bid%7D/get"),
            Some(("/users/{id}".to_owned(), Method::Get))
        );
        assert_eq!(route_of("other.yaml#/paths/~1x/get"), None);
    }

    #[test]
    fn template_params_are_found() {
        assert_eq!(template_params("/a/{x}/b/{y}.json"), vec!["x", "y"]);
        assert!(template_params("/a").is_empty());
    }
}
