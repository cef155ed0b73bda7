//! Users: registration (BUG-11 mass assignment), the user directory (BUG-12 excessive data
//! exposure), profiles (BUG-10 broken authentication) and profile updates.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{authenticate, hash_password};
use crate::error::{ApiError, ApiResult, bad_field, check_len};
use crate::extract::{JsonBody, PathId, QueryParams};
use crate::routes::{created, page};
use crate::state::AppState;

const USER_COLUMNS: &str = "id, username, email, role, password_hash";

/// A `users` row.
struct UserRow {
    id: i64,
    username: String,
    email: String,
    role: String,
    password_hash: String,
}

impl UserRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            username: row.get(1)?,
            email: row.get(2)?,
            role: row.get(3)?,
            password_hash: row.get(4)?,
        })
    }

    /// The `User` schema (own profile).
    fn to_json(&self) -> Value {
        json!({ "id": self.id, "username": self.username, "email": self.email, "role": self.role })
    }
}

fn find(db: &Connection, id: i64) -> rusqlite::Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    db.prepare_cached(&sql)?
        .query_row([id], UserRow::from_row)
        .optional()
}

#[derive(Debug, Deserialize)]
pub struct Registration {
    username: String,
    password: String,
    email: String,
    /// Not part of the documented request; only BUG-11 reads it.
    #[serde(default)]
    role: Option<Value>,
}

/// `POST /users`.
pub async fn register(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<Registration>,
) -> ApiResult<Response> {
    validate_username(&request.username)?;
    check_len("password", &request.password, 8, 128, bad_field)?;
    validate_email(&request.email)?;
    let mut role = "customer";
    if !state.fixed {
        // BUG-11: an undeclared `role` in the body is honoured.
        if let Some(Value::String(requested)) = &request.role
            && requested == "admin"
        {
            role = "admin";
        }
    }
    let hash = hash_password(&request.username, &request.password);
    let user = state.with_db(|db| {
        let taken = db
            .prepare_cached("SELECT 1 FROM users WHERE username = ?1")?
            .exists([&request.username])?;
        if taken {
            return Err(ApiError::conflict(
                "username_taken",
                "this username is already registered",
            ));
        }
        db.prepare_cached(
            "INSERT INTO users (username, email, password_hash, role) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute((&request.username, &request.email, &hash, role))?;
        find(db, db.last_insert_rowid())?.ok_or_else(|| ApiError::internal("user vanished"))
    })?;
    Ok(created(format!("/users/{}", user.id), user.to_json()))
}

/// `^[a-z][a-z0-9_]{2,31}$`.
fn validate_username(username: &str) -> ApiResult<()> {
    let bytes = username.as_bytes();
    let valid = (3..=32).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        return Err(bad_field(
            "username must be 3-32 characters: a-z first, then a-z, 0-9 or _".into(),
        ));
    }
    Ok(())
}

/// A practical `format: email` check: `local@domain`, no spaces, at most 254 characters.
fn validate_email(email: &str) -> ApiResult<()> {
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if !valid {
        return Err(bad_field(
            "email must be an address like name@example.com".into(),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /users`: the directory of users, for any signed-in user.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<Json<Value>> {
    authenticate(&state, &headers)?;
    let (limit, offset) = page(query.limit, query.offset)?;
    let users = state.with_db(|db| {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT ?1 OFFSET ?2");
        let mut statement = db.prepare_cached(&sql)?;
        let rows = statement.query_map([limit, offset], UserRow::from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })?;
    let items: Vec<Value> = users
        .iter()
        .map(|user| {
            let mut summary =
                json!({ "id": user.id, "username": user.username, "role": user.role });
            if !state.fixed {
                // BUG-12: the directory leaks every user's password hash.
                summary["password_hash"] = json!(user.password_hash);
            }
            summary
        })
        .collect();
    Ok(Json(
        json!({ "items": items, "limit": limit, "offset": offset }),
    ))
}

/// `GET /users/me`.
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let caller = authenticate(&state, &headers)?;
    let user = state.with_db(|db| Ok(find(db, caller.id)?))?;
    user.map(|user| Json(user.to_json()))
        .ok_or_else(|| ApiError::not_found("user"))
}

/// `GET /users/{id}`: own profile, or any profile for an admin.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> ApiResult<Json<Value>> {
    if state.fixed {
        let caller = authenticate(&state, &headers)?;
        if !caller.owns_or_admin(id) {
            return Err(ApiError::not_found("user"));
        }
    }
    // BUG-10 (normal mode): no authentication at all; anyone reads any profile.
    let user = state.with_db(|db| Ok(find(db, id)?))?;
    user.map(|user| Json(user.to_json()))
        .ok_or_else(|| ApiError::not_found("user"))
}

#[derive(Debug, Deserialize)]
pub struct UserUpdate {
    email: Option<String>,
    password: Option<String>,
}

/// `PATCH /users/{id}`: change one's own email or password (admins: anyone's).
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
    JsonBody(request): JsonBody<UserUpdate>,
) -> ApiResult<Json<Value>> {
    let caller = authenticate(&state, &headers)?;
    if !caller.owns_or_admin(id) {
        return Err(ApiError::forbidden("you can only change your own profile"));
    }
    if let Some(email) = &request.email {
        validate_email(email)?;
    }
    if let Some(password) = &request.password {
        check_len("password", password, 8, 128, bad_field)?;
    }
    let user = state.with_db(|db| {
        let user = find(db, id)?.ok_or_else(|| ApiError::not_found("user"))?;
        let email = request.email.as_deref().unwrap_or(&user.email);
        let hash = match &request.password {
            Some(password) => hash_password(&user.username, password),
            None => user.password_hash.clone(),
        };
        db.prepare_cached("UPDATE users SET email = ?1, password_hash = ?2 WHERE id = ?3")?
            .execute((email, &hash, id))?;
        find(db, id)?.ok_or_else(|| ApiError::not_found("user"))
    })?;
    Ok(Json(user.to_json()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_and_email_rules() {
        assert!(validate_username("carol_9").is_ok());
        assert!(validate_username("Carol").is_err());
        assert!(validate_username("ab").is_err());
        assert!(validate_username(&"a".repeat(33)).is_err());
        assert!(validate_email("carol@shop.example").is_ok());
        assert!(validate_email("carol").is_err());
        assert!(validate_email("a b@c").is_err());
        assert!(validate_email("@c").is_err());
    }
}
