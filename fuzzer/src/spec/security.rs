//! Security schemes and servers, for both Swagger 2.0 (`securityDefinitions`, `host` /
//! `basePath` / `schemes`) and OpenAPI 3.x (`components.securitySchemes`, `servers`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::SpecError;
use super::model::{ParamLocation, SecurityScheme};
use super::ops::{Ctx, escape};
use super::v3::strings;

pub(crate) fn security_schemes_v3(
    ctx: &mut Ctx<'_>,
) -> Result<BTreeMap<String, SecurityScheme>, SpecError> {
    let root = ctx.docs.root();
    let mut out = BTreeMap::new();
    let Some(schemes) = root
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return Ok(out);
    };
    for (name, scheme) in schemes {
        let at = format!("/components/securitySchemes/{}", escape(name));
        let (doc, pointer, s) = ctx.deref(0, &at, scheme)?;
        let field = |k: &str| {
            s.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let parsed = match s.get("type").and_then(Value::as_str).unwrap_or_default() {
            "apiKey" => match field("in").as_str() {
                "query" => Some(ParamLocation::Query),
                "header" => Some(ParamLocation::Header),
                "cookie" => Some(ParamLocation::Cookie),
                _ => None,
            }
            .map(|location| SecurityScheme::ApiKey {
                name: field("name"),
                location,
            }),
            "http" => Some(SecurityScheme::Http {
                scheme: field("scheme").to_ascii_lowercase(),
                bearer_format: s
                    .get("bearerFormat")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }),
            "oauth2" => Some(SecurityScheme::OAuth2 {
                scopes: oauth_scopes(s.get("flows")),
            }),
            "openIdConnect" => Some(SecurityScheme::OpenIdConnect {
                url: field("openIdConnectUrl"),
            }),
            "mutualTLS" => Some(SecurityScheme::MutualTls),
            _ => None,
        };
        match parsed {
            Some(p) => {
                out.insert(name.clone(), p);
            }
            None => ctx.warn(
                None,
                doc,
                &pointer,
                format!("security scheme \"{name}\" is not understood; ignored"),
            ),
        }
    }
    Ok(out)
}

/// Every scope of every OAuth2 flow, sorted and deduplicated.
fn oauth_scopes(flows: Option<&Value>) -> Vec<String> {
    let mut scopes: Vec<String> = flows
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(_, flow)| {
            flow.get("scopes")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
        })
        .map(|(scope, _)| scope.clone())
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// `servers[].url` with variables replaced by their defaults; `/` when none is declared.
pub(crate) fn servers_v3(root: &Value) -> Vec<String> {
    let mut out: Vec<String> = root
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|server| {
            let mut url = server.get("url")?.as_str()?.to_owned();
            let vars: Option<&Map<String, Value>> =
                server.get("variables").and_then(Value::as_object);
            for (var, spec) in vars.into_iter().flatten() {
                let default = spec
                    .get("default")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                url = url.replace(&format!("{{{var}}}"), default);
            }
            Some(url)
        })
        .collect();
    if out.is_empty() {
        out.push("/".to_owned());
    }
    out
}

pub(crate) fn security_definitions_v2(ctx: &mut Ctx<'_>) -> BTreeMap<String, SecurityScheme> {
    let mut out = BTreeMap::new();
    let root = ctx.docs.root();
    for (name, s) in root
        .get("securityDefinitions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let field = |k: &str| {
            s.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let parsed = match field("type").as_str() {
            "basic" => Some(SecurityScheme::Http {
                scheme: "basic".to_owned(),
                bearer_format: None,
            }),
            "apiKey" => match field("in").as_str() {
                "query" => Some(ParamLocation::Query),
                "header" => Some(ParamLocation::Header),
                _ => None,
            }
            .map(|location| SecurityScheme::ApiKey {
                name: field("name"),
                location,
            }),
            "oauth2" => {
                let mut scopes: Vec<String> = s
                    .get("scopes")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone())
                    .collect();
                scopes.sort();
                Some(SecurityScheme::OAuth2 { scopes })
            }
            _ => None,
        };
        match parsed {
            Some(p) => {
                out.insert(name.clone(), p);
            }
            None => {
                let at = format!("/securityDefinitions/{}", escape(name));
                ctx.warn(
                    None,
                    0,
                    &at,
                    format!("security definition \"{name}\" is not understood; ignored"),
                );
            }
        }
    }
    out
}

/// `schemes` × `host` + `basePath`; only `basePath` (or `/`) without a host.
pub(crate) fn servers_v2(root: &Value) -> Vec<String> {
    let base = root.get("basePath").and_then(Value::as_str).unwrap_or("");
    let Some(host) = root.get("host").and_then(Value::as_str) else {
        return vec![if base.is_empty() {
            "/".to_owned()
        } else {
            base.to_owned()
        }];
    };
    let mut schemes = strings(root.get("schemes"));
    if schemes.is_empty() {
        schemes.push("https".to_owned());
    }
    schemes
        .into_iter()
        .map(|scheme| format!("{scheme}://{host}{base}"))
        .collect()
}
