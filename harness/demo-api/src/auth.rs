//! Authentication: password hashing, bearer tokens, resolving the caller of a request, and the
//! login operation (`POST /auth/login`, home of BUG-13 user enumeration and BUG-16 missing rate
//! limiting).

use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::OptionalExtension;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult, bad_field, check_len};
use crate::extract::JsonBody;
use crate::state::AppState;

/// The two roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Customer,
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Self {
        if text == "admin" {
            Role::Admin
        } else {
            Role::Customer
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: i64,
    pub role: Role,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the caller may act on an object owned by `owner_id`.
    pub fn owns_or_admin(&self, owner_id: i64) -> bool {
        self.id == owner_id || self.is_admin()
    }
}

/// Salted SHA-256 of a password, stored as `sha256$<hex>` (the salt is the username).
pub fn hash_password(username: &str, password: &str) -> String {
    let digest = Sha256::digest(format!("{username}\u{0}{password}").as_bytes());
    format!("sha256${}", hex(&digest))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Resolves the bearer token in `Authorization` to a caller, or a 401.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|text| text.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token)
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::unauthorized("malformed Authorization header"))?;
    let found = state.with_db(|db| {
        let mut statement = db.prepare_cached(
            "SELECT users.id, users.role FROM tokens JOIN users ON users.id = tokens.user_id \
             WHERE tokens.token = ?1",
        )?;
        Ok(statement
            .query_row([token], |row| {
                Ok(Caller {
                    id: row.get(0)?,
                    role: Role::parse(&row.get::<_, String>(1)?),
                })
            })
            .optional()?)
    })?;
    found.ok_or_else(|| ApiError::unauthorized("invalid or expired token"))
}

/// Requires the caller to be an admin.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    let caller = authenticate(state, headers)?;
    if !caller.is_admin() {
        return Err(ApiError::forbidden("admin role required"));
    }
    Ok(caller)
}

#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    username: String,
    password: String,
}

/// `POST /auth/login`.
pub async fn login(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    check_len("username", &request.username, 1, 64, bad_field)?;
    check_len("password", &request.password, 1, 128, bad_field)?;
    let now = Instant::now();
    if state.fixed {
        // Fix for BUG-16: throttle repeated failures per username.
        let mut limiter = state.limiter.lock().unwrap_or_else(|p| p.into_inner());
        if limiter.is_blocked(&request.username, now) {
            return Ok(too_many_requests());
        }
    }
    let user: Option<(i64, String)> = state.with_db(|db| {
        let mut statement =
            db.prepare_cached("SELECT id, password_hash FROM users WHERE username = ?1")?;
        Ok(statement
            .query_row([&request.username], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?)
    })?;
    let expected = hash_password(&request.username, &request.password);
    match user {
        Some((id, hash)) if hash == expected => {
            let token = issue_token(&state, id)?;
            Ok(
                Json(json!({ "token": token, "token_type": "Bearer", "user_id": id }))
                    .into_response(),
            )
        }
        found => {
            if state.fixed {
                let mut limiter = state.limiter.lock().unwrap_or_else(|p| p.into_inner());
                limiter.record_failure(&request.username, now);
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "invalid username or password",
                ));
            }
            // BUG-13: the answer tells an unknown username from a wrong password.
            Err(match found {
                None => ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unknown_user",
                    format!("no account named '{}'", request.username),
                ),
                Some(_) => ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "wrong password",
                ),
            })
        }
    }
}

fn too_many_requests() -> Response {
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many failed logins for this username; try again later",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

/// Issues and stores a new token for `user_id`. Tokens are derived deterministically from the
/// user and a per-instance counter (reproducible runs; not a planted bug).
fn issue_token(state: &AppState, user_id: i64) -> ApiResult<String> {
    let serial = state.issued_tokens.fetch_add(1, Ordering::Relaxed);
    let digest = Sha256::digest(format!("shrike-demo-token\u{0}{user_id}\u{0}{serial}").as_bytes());
    let token = format!("tok_{}", hex(&digest[..20]));
    state.with_db(|db| {
        db.prepare_cached("INSERT INTO tokens (token, user_id) VALUES (?1, ?2)")?
            .execute((&token, user_id))?;
        Ok(())
    })?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_by_username() {
        let a = hash_password("alice", "pw");
        assert!(a.starts_with("sha256$"));
        assert_eq!(a.len(), 7 + 64);
        assert_ne!(a, hash_password("bob", "pw"));
        assert_eq!(a, hash_password("alice", "pw"));
    }

    #[test]
    fn admin_owns_everything() {
        let admin = Caller {
            id: 1,
            role: Role::Admin,
        };
        let alice = Caller {
            id: 2,
            role: Role::Customer,
        };
        assert!(admin.owns_or_admin(2));
        assert!(alice.owns_or_admin(2));
        assert!(!alice.owns_or_admin(3));
    }
}
