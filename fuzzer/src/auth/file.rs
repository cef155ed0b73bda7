//! The auth file (`--auth FILE`, TOML or YAML): named identities, each with static credentials or a
//! login operation whose response yields a token.
//!
//! ```toml
//! default = "alice"            # the identity calls run as unless they name another
//! admin-only = ["deleteUser"]  # optional: operations only an admin role may use
//!
//! [[identity]]
//! name = "alice"
//! role = "customer"            # optional: used by the function-level authorization check
//! [identity.login]
//! operation = "login"          # an operationId of the spec (or method + path)
//! body = { username = "alice", password = "${ALICE_PASSWORD}" }   # ${VAR} reads the environment
//! token = "/token"             # JSON pointer into the response (or token-header = "X-Token")
//! header = "Authorization"     # where the token goes (default)
//! format = "Bearer {token}"    # default
//!
//! [[identity]]
//! name = "ci-bot"
//! headers = { "X-Api-Key" = "${CI_API_KEY}" }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    /// The identity calls run as by default (the first one when absent).
    #[serde(default)]
    pub default: Option<String>,
    #[serde(rename = "identity", default)]
    pub identities: Vec<IdentityConfig>,
    /// Operations (operationIds) only an admin identity may use; the function-level authorization
    /// check adds them to those the spec marks as admin-only.
    #[serde(rename = "admin-only", alias = "admin_only", default)]
    pub admin_only: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IdentityConfig {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub cookies: BTreeMap<String, String>,
    /// A bearer token sent as `Authorization: Bearer ...`.
    #[serde(default)]
    pub bearer: Option<String>,
    /// HTTP basic credentials.
    #[serde(default)]
    pub basic: Option<BasicConfig>,
    #[serde(default)]
    pub login: Option<LoginConfig>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BasicConfig {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LoginConfig {
    /// The login operation's operationId.
    #[serde(default)]
    pub operation: Option<String>,
    /// Or its method and path.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    /// The JSON body sent.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// JSON pointer of the token in the response body.
    #[serde(default)]
    pub token: Option<String>,
    /// Or the response header that carries it.
    #[serde(default)]
    pub token_header: Option<String>,
    #[serde(default = "default_header")]
    pub header: String,
    #[serde(default = "default_format")]
    pub format: String,
}

fn default_header() -> String {
    "Authorization".to_string()
}

fn default_format() -> String {
    "Bearer {token}".to_string()
}

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("cannot read auth file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("auth file {path} is not valid: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("auth file {path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("login of identity {identity:?} failed: {reason}")]
    Login { identity: String, reason: String },
}

impl AuthFile {
    /// Names the method and path of every login given by operationId, from `model` (the whole
    /// spec), so the login still works when the operation is filtered out of the campaign. An id
    /// the spec lacks is left for the login to report.
    pub fn bind_login_routes(&mut self, model: &crate::spec::Model) {
        for login in self.identities.iter_mut().filter_map(|i| i.login.as_mut()) {
            let Some(id) = login.operation.as_deref() else {
                continue;
            };
            if let Some(op) = model.operations.iter().find(|op| op.id.as_str() == id) {
                login.method = Some(op.method.as_str().to_owned());
                login.path = Some(op.path.clone());
            }
        }
    }

    /// Reads a TOML (`.toml`) or YAML (anything else) auth file and expands `${VAR}`s.
    pub fn load(path: &Path) -> Result<Self, AuthError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuthError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = expand_env(&text).map_err(|reason| AuthError::Invalid {
            path: path.to_path_buf(),
            reason,
        })?;
        let parse_err = |reason: String| AuthError::Parse {
            path: path.to_path_buf(),
            reason,
        };
        let file: AuthFile = if path.extension().is_some_and(|e| e == "toml") {
            toml::from_str(&text).map_err(|e| parse_err(e.to_string()))?
        } else {
            serde_yaml::from_str(&text).map_err(|e| parse_err(e.to_string()))?
        };
        file.validate().map_err(|reason| AuthError::Invalid {
            path: path.to_path_buf(),
            reason,
        })?;
        Ok(file)
    }

    fn validate(&self) -> Result<(), String> {
        let mut names = std::collections::BTreeSet::new();
        for id in &self.identities {
            if crate::input::auth::is_synthetic(&id.name) {
                return Err(format!(
                    "identity {:?}: names starting with `~` are reserved",
                    id.name
                ));
            }
            if !names.insert(id.name.as_str()) {
                return Err(format!("identity {:?} is defined twice", id.name));
            }
            if let Some(login) = &id.login {
                if login.operation.is_none() && (login.method.is_none() || login.path.is_none()) {
                    return Err(format!(
                        "identity {:?}: login needs `operation` or `method` and `path`",
                        id.name
                    ));
                }
                if login.token.is_none() && login.token_header.is_none() {
                    return Err(format!(
                        "identity {:?}: login needs `token` (a JSON pointer) or `token-header`",
                        id.name
                    ));
                }
            }
        }
        if let Some(default) = &self.default
            && !names.contains(default.as_str())
        {
            return Err(format!("default identity {default:?} is not defined"));
        }
        Ok(())
    }

    /// The role of an identity (`role = ...`), when the file gives one.
    pub fn role(&self, name: &str) -> Option<&str> {
        self.identities
            .iter()
            .find(|i| i.name == name)
            .and_then(|i| i.role.as_deref())
    }

    /// The name of the default identity.
    pub fn default_name(&self) -> Option<&str> {
        self.default
            .as_deref()
            .or_else(|| self.identities.first().map(|i| i.name.as_str()))
    }
}

/// Replaces `${NAME}` with the environment variable's value; an unset variable is an error.
pub fn expand_env(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| "unterminated ${ in auth file".to_string())?;
        let name = &after[..end];
        let value =
            std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_toml_and_yaml_and_validates() {
        let dir = std::env::temp_dir().join(format!("shrike-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let toml_path = dir.join("a.toml");
        std::fs::write(
            &toml_path,
            r#"
default = "bob"
[[identity]]
name = "alice"
[identity.login]
operation = "login"
body = { username = "alice", password = "pw" }
token = "/token"
[[identity]]
name = "bob"
role = "admin"
headers = { "X-Api-Key" = "k" }
"#,
        )
        .unwrap();
        let mut file = AuthFile::load(&toml_path).unwrap();
        assert_eq!(file.default_name(), Some("bob"));
        // The login operation's route comes from the whole spec, so filtering it out of a
        // campaign does not break the login.
        file.bind_login_routes(&crate::input::test_model::test_model());
        let login = file.identities[0].login.as_ref().unwrap();
        assert_eq!(
            (login.method.as_deref(), login.path.as_deref()),
            (Some("POST"), Some("/login"))
        );
        assert_eq!(
            file.identities[0].login.as_ref().unwrap().format,
            "Bearer {token}"
        );
        let yaml_path = dir.join("a.yaml");
        std::fs::write(&yaml_path, "identity:\n  - name: x\n    bearer: t\n").unwrap();
        assert_eq!(
            AuthFile::load(&yaml_path).unwrap().default_name(),
            Some("x")
        );
        std::fs::write(
            &yaml_path,
            "identity:\n  - name: x\n    login: {operation: login}\n",
        )
        .unwrap();
        assert!(matches!(
            AuthFile::load(&yaml_path),
            Err(AuthError::Invalid { .. })
        ));
        std::fs::write(&yaml_path, "identity:\n  - name: x\n    colour: red\n").unwrap();
        assert!(matches!(
            AuthFile::load(&yaml_path),
            Err(AuthError::Parse { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn expands_environment_variables() {
        assert_eq!(
            expand_env("a ${PATH} b").unwrap(),
            format!("a {} b", std::env::var("PATH").unwrap())
        );
        assert!(expand_env("${SHRIKE_SURELY_UNSET_VARIABLE}").is_err());
        assert!(expand_env("${OPEN").is_err());
        assert_eq!(expand_env("no vars").unwrap(), "no vars");
    }
}
