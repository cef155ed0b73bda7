//! Product reviews: listing (BUG-07 undocumented 202), writing, and editing (BUG-04: a review
//! created through the API cannot be edited, a stateful 500).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::authenticate;
use crate::db;
use crate::error::{ApiError, ApiResult, bad_field, bad_param, check_len, check_range};
use crate::extract::{JsonBody, PathId, QueryParams};
use crate::routes::created;
use crate::state::AppState;

const COLUMNS: &str = "id, product_id, user_id, rating, title, body, helpful, edit_count";
const PRODUCT_EXISTS: &str = "SELECT 1 FROM products WHERE id = ?1 AND deleted = 0";

/// A `reviews` row.
struct Review {
    id: i64,
    product_id: i64,
    user_id: i64,
    rating: i64,
    title: String,
    body: String,
    helpful: i64,
    edit_count: Option<i64>,
}

impl Review {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            product_id: row.get(1)?,
            user_id: row.get(2)?,
            rating: row.get(3)?,
            title: row.get(4)?,
            body: row.get(5)?,
            helpful: row.get(6)?,
            edit_count: row.get(7)?,
        })
    }

    /// The `Review` schema.
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "product_id": self.product_id,
            "user_id": self.user_id,
            "rating": self.rating,
            "title": self.title,
            "body": self.body,
            "helpful": self.helpful,
            "edit_count": self.edit_count.unwrap_or(0),
        })
    }
}

fn find(db: &Connection, id: i64) -> rusqlite::Result<Option<Review>> {
    let sql = format!("SELECT {COLUMNS} FROM reviews WHERE id = ?1");
    db.prepare_cached(&sql)?
        .query_row([id], Review::from_row)
        .optional()
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    sort: Option<String>,
}

/// `GET /products/{id}/reviews`.
pub async fn list(
    State(state): State<AppState>,
    PathId(product_id): PathId,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<Json<Value>> {
    let order = match query.sort.as_deref().unwrap_or("newest") {
        "newest" => "id DESC",
        "oldest" => "id",
        "rating" => "rating DESC, id",
        "helpful" => {
            if !state.fixed {
                // BUG-07: a documented sort order answers 202 Accepted (the ranking is "still
                // being computed"), a success status the spec does not list for this operation.
                return Err(ApiError::new(
                    StatusCode::ACCEPTED,
                    "ranking_pending",
                    "helpfulness ranking is being computed; try again later",
                ));
            }
            "helpful DESC, id"
        }
        other => {
            return Err(bad_param(format!(
                "sort must be newest, oldest, rating or helpful, not '{other}'"
            )));
        }
    };
    let reviews = state.with_db(|db| {
        if !db::exists(db, PRODUCT_EXISTS, product_id)? {
            return Err(ApiError::not_found("product"));
        }
        let sql = format!("SELECT {COLUMNS} FROM reviews WHERE product_id = ?1 ORDER BY {order}");
        let mut statement = db.prepare_cached(&sql)?;
        let rows = statement.query_map([product_id], Review::from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })?;
    let items: Vec<Value> = reviews.iter().map(Review::to_json).collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
pub struct ReviewInput {
    rating: i64,
    title: String,
    #[serde(default)]
    body: String,
}

impl ReviewInput {
    fn validate(&self) -> ApiResult<()> {
        check_range("rating", self.rating, 1, 5, bad_field)?;
        check_len("title", &self.title, 1, 100, bad_field)?;
        check_len("body", &self.body, 0, 2000, bad_field)
    }
}

/// `POST /products/{id}/reviews`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(product_id): PathId,
    JsonBody(input): JsonBody<ReviewInput>,
) -> ApiResult<Response> {
    let caller = authenticate(&state, &headers)?;
    input.validate()?;
    // BUG-04 (normal mode): reviews written through the API get no edit counter (NULL),
    // which only the edit operation trips over.
    let edit_count = if state.fixed { Some(0) } else { None };
    let review = state.with_db(|db| {
        if !db::exists(db, PRODUCT_EXISTS, product_id)? {
            return Err(ApiError::not_found("product"));
        }
        db.prepare_cached(
            "INSERT INTO reviews (product_id, user_id, rating, title, body, edit_count) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute((
            product_id,
            caller.id,
            input.rating,
            &input.title,
            &input.body,
            edit_count,
        ))?;
        find(db, db.last_insert_rowid())?.ok_or_else(|| ApiError::internal("review vanished"))
    })?;
    Ok(created(format!("/reviews/{}", review.id), review.to_json()))
}

/// `GET /reviews/{id}`.
pub async fn get(State(state): State<AppState>, PathId(id): PathId) -> ApiResult<Json<Value>> {
    let review = state.with_db(|db| Ok(find(db, id)?))?;
    review
        .map(|review| Json(review.to_json()))
        .ok_or_else(|| ApiError::not_found("review"))
}

/// `PUT /reviews/{id}`: the author (or an admin) replaces the review.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
    JsonBody(input): JsonBody<ReviewInput>,
) -> ApiResult<Json<Value>> {
    let caller = authenticate(&state, &headers)?;
    input.validate()?;
    let review = state.with_db(|db| {
        let review = find(db, id)?.ok_or_else(|| ApiError::not_found("review"))?;
        if !caller.owns_or_admin(review.user_id) {
            return Err(ApiError::forbidden("only the author can edit a review"));
        }
        // Reads the counter strictly: a NULL (BUG-04) is a database error here.
        let edits: i64 = db.query_row(
            "SELECT edit_count FROM reviews WHERE id = ?1",
            [id],
            |row| row.get(0),
        )?;
        db.prepare_cached(
            "UPDATE reviews SET rating = ?1, title = ?2, body = ?3, edit_count = ?4 WHERE id = ?5",
        )?
        .execute((input.rating, &input.title, &input.body, edits + 1, id))?;
        find(db, id)?.ok_or_else(|| ApiError::internal("review vanished"))
    })?;
    Ok(Json(review.to_json()))
}

/// `DELETE /reviews/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    let caller = authenticate(&state, &headers)?;
    state.with_db(|db| {
        let review = find(db, id)?.ok_or_else(|| ApiError::not_found("review"))?;
        if !caller.owns_or_admin(review.user_id) {
            return Err(ApiError::forbidden("only the author can delete a review"));
        }
        db.prepare_cached("DELETE FROM reviews WHERE id = ?1")?
            .execute([id])?;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}
