//! Attachments: small files a user uploads (receipts, photos for reviews). Upload validates the
//! metadata's nesting with a recursive scanner (BUG-15 crash); deletion is a soft delete that
//! reads forget to honour (BUG-05 use after delete).

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::authenticate;
use crate::error::{ApiError, ApiResult, bad_field, check_len};
use crate::extract::{PathId, RawBody, parse_json};
use crate::nesting::{self, NestingError};
use crate::routes::created;
use crate::state::AppState;

/// Nesting allowed in fixed mode (the fix for BUG-15).
const MAX_DEPTH: usize = 32;
/// Attachment content one server instance stores at most (keeps long fuzzing runs bounded).
pub const STORAGE_CAP: u64 = 64 * 1024 * 1024;
const CONTENT_TYPES: [&str; 3] = ["text/plain", "application/json", "image/png"];
const COLUMNS: &str = "id, owner_id, filename, content_type, content, metadata, deleted";

/// An `attachments` row.
struct Attachment {
    id: i64,
    owner_id: i64,
    filename: String,
    content_type: String,
    content: String,
    metadata: String,
    deleted: bool,
}

impl Attachment {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            owner_id: row.get(1)?,
            filename: row.get(2)?,
            content_type: row.get(3)?,
            content: row.get(4)?,
            metadata: row.get(5)?,
            deleted: row.get(6)?,
        })
    }

    /// The `Attachment` schema.
    fn to_json(&self) -> Value {
        let metadata = serde_json::from_str::<Value>(&self.metadata)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(Map::new()));
        json!({
            "id": self.id,
            "owner_id": self.owner_id,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.content.len(),
            "content": self.content,
            "metadata": metadata,
        })
    }
}

fn find(db: &Connection, id: i64) -> rusqlite::Result<Option<Attachment>> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = ?1");
    db.prepare_cached(&sql)?
        .query_row([id], Attachment::from_row)
        .optional()
}

#[derive(Debug, Deserialize)]
struct Upload {
    filename: String,
    content_type: String,
    content: String,
    #[serde(default)]
    metadata: Option<Value>,
}

/// `^[A-Za-z0-9._-]{1,64}$`.
fn valid_filename(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `POST /attachments`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let caller = authenticate(&state, &headers)?;
    let limit = state.fixed.then_some(MAX_DEPTH);
    match nesting::max_depth(&body, limit) {
        Ok(_) => {}
        Err(NestingError::TooDeep(depth)) => {
            return Err(ApiError::bad_request(format!(
                "JSON nests deeper than {depth} levels"
            )));
        }
        Err(NestingError::Unbalanced(at)) => {
            return Err(ApiError::bad_request(format!(
                "malformed JSON body: unbalanced brackets at byte {at}"
            )));
        }
    }
    let upload: Upload = parse_json(&body)?;
    if !valid_filename(&upload.filename) {
        return Err(bad_field(
            "filename must be 1-64 characters from A-Z a-z 0-9 . _ -".into(),
        ));
    }
    if !CONTENT_TYPES.contains(&upload.content_type.as_str()) {
        return Err(bad_field(
            "content_type must be text/plain, application/json or image/png".into(),
        ));
    }
    check_len("content", &upload.content, 0, 65_536, bad_field)?;
    let metadata = match upload.metadata {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(object @ Value::Object(_)) => object,
        Some(_) => return Err(bad_field("metadata must be an object".into())),
    };
    reserve_storage(&state, upload.content.len())?;
    let metadata = serde_json::to_string(&metadata)
        .map_err(|error| ApiError::internal(format!("cannot store metadata: {error}")))?;
    let attachment = state.with_db(|db| {
        db.prepare_cached(
            "INSERT INTO attachments (owner_id, filename, content_type, content, metadata) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((
            caller.id,
            &upload.filename,
            &upload.content_type,
            &upload.content,
            &metadata,
        ))?;
        find(db, db.last_insert_rowid())?.ok_or_else(|| ApiError::internal("attachment vanished"))
    })?;
    Ok(created(
        format!("/attachments/{}", attachment.id),
        attachment.to_json(),
    ))
}

/// Counts `bytes` against [`STORAGE_CAP`], or answers 409 when the store is full.
fn reserve_storage(state: &AppState, bytes: usize) -> ApiResult<()> {
    let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
    state
        .stored_bytes
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |stored| {
            stored
                .checked_add(bytes)
                .filter(|&total| total <= STORAGE_CAP)
        })
        .map(drop)
        .map_err(|_| ApiError::conflict("storage_full", "the attachment store is full"))
}

/// `GET /attachments`: the caller's attachments (an admin sees all).
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let caller = authenticate(&state, &headers)?;
    let attachments = state.with_db(|db| {
        let sql = format!(
            "SELECT {COLUMNS} FROM attachments WHERE deleted = 0 AND (owner_id = ?1 OR ?2) \
             ORDER BY id LIMIT 100"
        );
        let mut statement = db.prepare_cached(&sql)?;
        let rows = statement.query_map((caller.id, caller.is_admin()), Attachment::from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })?;
    let items: Vec<Value> = attachments.iter().map(Attachment::to_json).collect();
    Ok(Json(json!({ "items": items })))
}

/// `GET /attachments/{id}`.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> ApiResult<Json<Value>> {
    let caller = authenticate(&state, &headers)?;
    let attachment = state.with_db(|db| Ok(find(db, id)?))?;
    let attachment = attachment
        .filter(|a| caller.owns_or_admin(a.owner_id))
        // BUG-05 (normal mode): the deleted flag is not checked, deleted files are still served.
        .filter(|a| !(state.fixed && a.deleted))
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    Ok(Json(attachment.to_json()))
}

/// `DELETE /attachments/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    let caller = authenticate(&state, &headers)?;
    state.with_db(|db| {
        let attachment = find(db, id)?
            .filter(|a| caller.owns_or_admin(a.owner_id) && !a.deleted)
            .ok_or_else(|| ApiError::not_found("attachment"))?;
        db.prepare_cached("UPDATE attachments SET deleted = 1 WHERE id = ?1")?
            .execute([attachment.id])?;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_cap_is_enforced() {
        let state = AppState::new(&crate::Options::default()).expect("state");
        let almost = usize::try_from(STORAGE_CAP).expect("fits") - 10;
        assert!(reserve_storage(&state, almost).is_ok());
        assert!(reserve_storage(&state, 10).is_ok());
        let full = reserve_storage(&state, 1).expect_err("full");
        assert_eq!(full.status, StatusCode::CONFLICT);
        assert_eq!(full.code, "storage_full");
    }

    #[test]
    fn filenames() {
        assert!(valid_filename("receipt-1.txt"));
        assert!(!valid_filename(""));
        assert!(!valid_filename("../etc/passwd"));
        assert!(!valid_filename(&"a".repeat(65)));
    }
}
