//! Rendering: one [`Call`] of a sequence, the responses received so far and an identity's
//! credentials become a concrete [`HttpRequest`].
//!
//! Rendering is total: references that cannot be resolved get a fallback value, parameters the spec
//! does not declare get the default style of their location, and any string is encoded so that it
//! cannot break the request line or a header.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::auth::Credentials;
use super::body;
use super::encode::{component, header_name, header_value, scalar_text, verbatim};
use super::node::Node;
use super::resolve::resolve;
use super::seq::{Call, ParamValue};
use crate::http::{HttpRequest, HttpResponse};
use crate::spec::{Operation, ParamLocation, ParamStyle};

/// Characters encoded in a cookie value (RFC 6265 `cookie-octet` excludes them).
const COOKIE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// Characters encoded in the literal parts of a path (base path, template text): everything that
/// would end or break the request target, keeping `/` and existing `%` escapes.
const PATH_LITERAL: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// The name of a header parameter that sets the request method instead of sending a header (like
/// HTTP/2's `:method` pseudo-header): a check sends e.g. a CORS preflight `OPTIONS` to an operation
/// declared as `POST`. Only a method token (ASCII letters) is taken; anything else is ignored.
pub const METHOD_OVERRIDE: &str = ":method";

fn literal(text: &str) -> String {
    utf8_percent_encode(text, PATH_LITERAL).to_string()
}

/// Renders `call` (an instance of `op`) into a request. `earlier[i]` is the response of call `i` of
/// the same sequence (`None`: no response). `base_path` is the target's path prefix, e.g. `/api/v1`.
pub fn render(
    call: &Call,
    op: &Operation,
    earlier: &[Option<HttpResponse>],
    creds: &Credentials,
    base_path: &str,
) -> HttpRequest {
    let params: Vec<(&ParamValue, Node)> = call
        .params
        .iter()
        .filter_map(|p| p.value.as_ref().map(|v| (p, resolve(v, earlier))))
        .collect();
    let mut path = join_base(base_path, &render_path(&op.path, op, &params));
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    let mut method = op.method.as_str().to_owned();
    for (param, value) in &params {
        let (style, explode) = style_of(op, param);
        match param.location {
            ParamLocation::Header if param.name == METHOD_OVERRIDE => {
                let text = scalar_text(value);
                if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphabetic()) {
                    method = text.to_ascii_uppercase();
                }
            }
            ParamLocation::Path => {}
            ParamLocation::Query => query.extend(query_pairs(&param.name, value, style, explode)),
            ParamLocation::Header => headers.push((
                header_name(&param.name),
                header_value(&simple_text(value, explode)),
            )),
            ParamLocation::Cookie => cookies.push(cookie_pair(&param.name, value)),
        }
    }
    query.extend(
        creds
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", component(k), component(v))),
    );
    headers.extend(
        creds
            .headers
            .iter()
            .map(|(k, v)| (header_name(k), header_value(v))),
    );
    cookies.extend(creds.cookies.iter().map(|(k, v)| cookie_text(k, v)));
    if !cookies.is_empty() {
        headers.push(("Cookie".to_owned(), header_value(&cookies.join("; "))));
    }
    if !query.is_empty() {
        path.push('?');
        path.push_str(&query.join("&"));
    }
    let mut body_bytes = Vec::new();
    if let Some(b) = &call.body {
        let encoded = body::encode(&b.media_type, &resolve(&b.value, earlier));
        headers.push((
            "Content-Type".to_owned(),
            header_value(&encoded.content_type),
        ));
        body_bytes = encoded.bytes;
    }
    HttpRequest {
        method,
        path_and_query: path,
        headers,
        body: body_bytes,
    }
}

/// The declared style and explode of a parameter, or the location's default when undeclared.
fn style_of(op: &Operation, param: &ParamValue) -> (ParamStyle, bool) {
    op.parameters
        .iter()
        .find(|p| p.name == param.name && p.location == param.location)
        .map(|p| (p.style, p.explode))
        .unwrap_or(match param.location {
            ParamLocation::Path | ParamLocation::Header => (ParamStyle::Simple, false),
            ParamLocation::Query | ParamLocation::Cookie => (ParamStyle::Form, true),
        })
}

/// `/api` + `/orders/1` → `/api/orders/1`; always starts with `/`.
fn join_base(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut out = String::new();
    if !base.is_empty() && !base.starts_with('/') {
        out.push('/');
    }
    out.push_str(&literal(base));
    if !path.starts_with('/') {
        out.push('/');
    }
    out.push_str(path);
    out
}

/// Substitutes `{name}` in the template with the encoded path parameter (empty when not set).
fn render_path(template: &str, op: &Operation, params: &[(&ParamValue, Node)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&literal(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&literal(&rest[open..]));
            return out;
        };
        let name = &after[..close];
        if let Some((param, value)) = params
            .iter()
            .find(|(p, _)| p.location == ParamLocation::Path && p.name == name)
        {
            let (style, explode) = style_of(op, param);
            out.push_str(&path_value(name, value, style, explode));
        }
        rest = &after[close + 1..];
    }
    out.push_str(&literal(rest));
    out
}

/// A path parameter in the simple, label or matrix style.
/// Raw bytes are sent as they are (see [`verbatim`]), whatever the style.
fn path_value(name: &str, value: &Node, style: ParamStyle, explode: bool) -> String {
    if let Node::Raw(bytes) = value {
        return verbatim(bytes, b"?/");
    }
    let shape = Shape::of(value);
    match style {
        ParamStyle::Label => {
            let sep = if explode { "." } else { "," };
            format!(".{}", shape.joined(sep, explode, component))
        }
        ParamStyle::Matrix => match (&shape, explode) {
            (Shape::List(items), true) => items
                .iter()
                .map(|i| format!(";{}={}", component(name), component(i)))
                .collect(),
            (Shape::Pairs(pairs), true) => pairs
                .iter()
                .map(|(k, v)| format!(";{}={}", component(k), component(v)))
                .collect(),
            _ => format!(
                ";{}={}",
                component(name),
                shape.joined(",", false, component)
            ),
        },
        _ => shape.joined(",", explode, component),
    }
}

/// Encoded `name=value` query parts for one parameter.
/// Raw bytes are sent as they are (see [`verbatim`]), so they may even add parameters.
fn query_pairs(name: &str, value: &Node, style: ParamStyle, explode: bool) -> Vec<String> {
    let n = component(name);
    if let Node::Raw(bytes) = value {
        return vec![format!("{n}={}", verbatim(bytes, b""))];
    }
    let shape = Shape::of(value);
    match (style, &shape) {
        (ParamStyle::DeepObject, _) => {
            let mut out = Vec::new();
            deep_object(&n, value, &mut out, 0);
            out
        }
        (_, Shape::List(items)) if explode => items
            .iter()
            .map(|i| format!("{n}={}", component(i)))
            .collect(),
        (ParamStyle::Form, Shape::Pairs(pairs)) if explode => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", component(k), component(v)))
            .collect(),
        (ParamStyle::SpaceDelimited, _) => {
            vec![format!("{n}={}", shape.joined("%20", false, component))]
        }
        (ParamStyle::PipeDelimited, _) => {
            vec![format!("{n}={}", shape.joined("|", false, component))]
        }
        _ => vec![format!("{n}={}", shape.joined(",", false, component))],
    }
}

/// `name[key][sub]=value` pairs; nesting deeper than a few levels is sent as JSON text.
fn deep_object(prefix: &str, value: &Node, out: &mut Vec<String>, depth: usize) {
    match value {
        Node::Object(members) if depth < 8 => {
            for (k, v) in members {
                deep_object(&format!("{prefix}[{}]", component(k)), v, out, depth + 1);
            }
        }
        Node::Array(items) if depth < 8 => {
            for item in items {
                out.push(format!("{prefix}={}", component(&scalar_text(item))));
            }
        }
        other => out.push(format!("{prefix}={}", component(&scalar_text(other)))),
    }
}

/// The simple style's text (headers): `a,b` for arrays, `k,v` or `k=v` for objects.
fn simple_text(value: &Node, explode: bool) -> String {
    Shape::of(value).joined(",", explode, |s| s.to_owned())
}

fn cookie_pair(name: &str, value: &Node) -> String {
    let text = Shape::of(value).joined(",", false, |s| utf8_percent_encode(s, COOKIE).to_string());
    format!("{}={text}", cookie_name(name))
}

fn cookie_text(name: &str, value: &str) -> String {
    format!(
        "{}={}",
        cookie_name(name),
        utf8_percent_encode(value, COOKIE)
    )
}

fn cookie_name(name: &str) -> String {
    header_name(name).replace(
        [
            '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}',
        ],
        "-",
    )
}

/// A parameter value seen as a scalar, a list or key/value pairs (all as unencoded text).
enum Shape {
    Scalar(String),
    List(Vec<String>),
    Pairs(Vec<(String, String)>),
}

impl Shape {
    fn of(value: &Node) -> Shape {
        match value {
            Node::Array(items) => Shape::List(items.iter().map(scalar_text).collect()),
            Node::Object(members) => Shape::Pairs(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), scalar_text(v)))
                    .collect(),
            ),
            other => Shape::Scalar(scalar_text(other)),
        }
    }

    /// Items joined by `sep`, each passed through `enc`; pairs as `k=v` when `explode`, else `k,v`.
    fn joined(&self, sep: &str, explode: bool, enc: impl Fn(&str) -> String) -> String {
        match self {
            Shape::Scalar(s) => enc(s),
            Shape::List(items) => items.iter().map(|i| enc(i)).collect::<Vec<_>>().join(sep),
            Shape::Pairs(pairs) if explode => pairs
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect::<Vec<_>>()
                .join(sep),
            Shape::Pairs(pairs) => pairs
                .iter()
                .flat_map(|(k, v)| [enc(k), enc(v)])
                .collect::<Vec<_>>()
                .join(sep),
        }
    }
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
