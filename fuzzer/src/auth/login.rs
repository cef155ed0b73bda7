//! Turns an [`AuthFile`] into live [`Identities`]: static credentials as they are, and a login
//! request (sent through the campaign's own transport) for identities that log in.

use base64::Engine;

use super::file::{AuthError, AuthFile, IdentityConfig, LoginConfig};
use crate::http::HttpRequest;
use crate::input::{Credentials, Identities};
use crate::spec::Model;
use crate::transport::Transport;

/// Logs every identity in and returns their credentials.
pub fn establish<T: Transport + ?Sized>(
    file: &AuthFile,
    model: &Model,
    base_path: &str,
    transport: &mut T,
) -> Result<Identities, AuthError> {
    let mut identities = Identities {
        default: file.default_name().unwrap_or("default").to_string(),
        ..Identities::default()
    };
    for id in &file.identities {
        let creds = credentials(id, model, base_path, transport)?;
        identities.by_name.insert(id.name.clone(), creds);
    }
    super::forged::add_forgeries(&mut identities);
    Ok(identities)
}

/// The credentials of one identity (logging it in when it has a login).
pub fn credentials<T: Transport + ?Sized>(
    id: &IdentityConfig,
    model: &Model,
    base_path: &str,
    transport: &mut T,
) -> Result<Credentials, AuthError> {
    let mut creds = Credentials::default();
    creds
        .headers
        .extend(id.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
    creds
        .query
        .extend(id.query.iter().map(|(k, v)| (k.clone(), v.clone())));
    creds
        .cookies
        .extend(id.cookies.iter().map(|(k, v)| (k.clone(), v.clone())));
    if let Some(token) = &id.bearer {
        creds
            .headers
            .push(("Authorization".into(), format!("Bearer {token}")));
    }
    if let Some(basic) = &id.basic {
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", basic.username, basic.password));
        creds
            .headers
            .push(("Authorization".into(), format!("Basic {encoded}")));
    }
    if let Some(login) = &id.login {
        let token = login_token(&id.name, login, model, base_path, transport)?;
        creds.headers.push((
            login.header.clone(),
            login.format.replace("{token}", &token),
        ));
    }
    Ok(creds)
}

fn login_token<T: Transport + ?Sized>(
    identity: &str,
    login: &LoginConfig,
    model: &Model,
    base_path: &str,
    transport: &mut T,
) -> Result<String, AuthError> {
    let fail = |reason: String| AuthError::Login {
        identity: identity.to_string(),
        reason,
    };
    let (method, path) = match &login.operation {
        Some(_) if login.method.is_some() && login.path.is_some() => (
            login
                .method
                .clone()
                .unwrap_or_default()
                .to_ascii_uppercase(),
            login.path.clone().unwrap_or_default(),
        ),
        Some(op_id) => {
            let op = model
                .operations
                .iter()
                .find(|op| op.id.as_str() == op_id)
                .ok_or_else(|| fail(format!("the spec has no operation {op_id:?}")))?;
            (op.method.as_str().to_string(), op.path.clone())
        }
        None => (
            login
                .method
                .clone()
                .unwrap_or_else(|| "POST".into())
                .to_ascii_uppercase(),
            login.path.clone().unwrap_or_default(),
        ),
    };
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    let body = match &login.body {
        Some(body) => {
            headers.push(("Content-Type".into(), "application/json".into()));
            serde_json::to_vec(body).map_err(|e| fail(e.to_string()))?
        }
        None => Vec::new(),
    };
    let request = HttpRequest {
        method,
        path_and_query: format!("{base_path}{path}"),
        headers,
        body,
    };
    let response = transport.send(&request).map_err(|e| {
        fail(format!(
            "no response from {} {}: {e:?}",
            request.method, request.path_and_query
        ))
    })?;
    if !(200..300).contains(&response.status) {
        let excerpt: String = String::from_utf8_lossy(&response.body)
            .chars()
            .take(200)
            .collect();
        return Err(fail(format!(
            "{} {} answered {}: {excerpt}",
            request.method, request.path_and_query, response.status
        )));
    }
    if let Some(name) = &login.token_header {
        return response
            .header(name)
            .map(str::to_string)
            .ok_or_else(|| fail(format!("the response has no {name} header")));
    }
    let pointer = login.token.as_deref().unwrap_or("/token");
    let json = response
        .json()
        .ok_or_else(|| fail("the response is not JSON".into()))?;
    match json.pointer(pointer) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(other) => Ok(other.to_string()),
        None => Err(fail(format!("the response has nothing at {pointer}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::file::AuthFile;
    use crate::transport::FakeTransport;

    fn empty_model() -> Model {
        Model {
            path: "x".into(),
            version: crate::spec::SpecVersion::OpenApi31,
            title: String::new(),
            servers: vec![],
            operations: vec![],
            security_schemes: Default::default(),
            defs: serde_json::json!({}),
            warnings: vec![],
        }
    }

    #[test]
    fn logs_in_and_builds_headers() {
        let file: AuthFile = toml::from_str(
            r#"
[[identity]]
name = "alice"
[identity.login]
method = "POST"
path = "/auth/login"
body = { username = "alice", password = "pw" }
token = "/token"
[[identity]]
name = "svc"
basic = { username = "u", password = "p" }
headers = { "X-Tenant" = "7" }
"#,
        )
        .unwrap();
        let mut transport = FakeTransport::new(|req| {
            assert_eq!(req.path_and_query, "/api/auth/login");
            assert!(String::from_utf8_lossy(&req.body).contains("alice"));
            Ok(FakeTransport::response(200, r#"{"token":"t0k"}"#))
        });
        let ids = establish(&file, &empty_model(), "/api", &mut transport).unwrap();
        assert_eq!(ids.default, "alice");
        assert!(ids.by_name.contains_key("~malformed:alice"));
        assert_eq!(
            ids.by_name["alice"].headers,
            vec![("Authorization".to_string(), "Bearer t0k".to_string())]
        );
        let svc = &ids.by_name["svc"].headers;
        assert!(svc.contains(&("Authorization".to_string(), "Basic dTpw".to_string())));
        assert!(svc.contains(&("X-Tenant".to_string(), "7".to_string())));
    }

    #[test]
    fn failed_login_is_a_clear_error() {
        let file: AuthFile = toml::from_str(
            "[[identity]]\nname = \"a\"\n[identity.login]\nmethod = \"POST\"\npath = \"/login\"\ntoken = \"/token\"\n",
        )
        .unwrap();
        let mut transport =
            FakeTransport::new(|_| Ok(FakeTransport::response(401, r#"{"error":"bad"}"#)));
        let err = establish(&file, &empty_model(), "", &mut transport).unwrap_err();
        assert!(err.to_string().contains("answered 401"), "{err}");
    }
}
