//! The HTTP routes: one module per resource, wired into one router with the stats and CORS
//! middleware around everything.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::state::AppState;
use crate::{auth, cors, stats};

mod attachments;
mod checkout;
mod meta;
mod orders;
mod products;
mod reviews;
mod users;

/// The complete application for one server instance.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(meta::health))
        .route("/openapi.json", get(meta::openapi))
        .route("/_stats", get(meta::stats))
        .route("/auth/login", post(auth::login))
        .route("/users", get(users::list).post(users::register))
        .route("/users/me", get(users::me))
        .route("/users/{id}", get(users::get).patch(users::update))
        .route("/products", get(products::list).post(products::create))
        .route("/products/search", get(products::search))
        .route(
            "/products/{id}",
            get(products::get).delete(products::delete),
        )
        .route(
            "/products/{id}/reviews",
            get(reviews::list).post(reviews::create),
        )
        .route(
            "/reviews/{id}",
            get(reviews::get)
                .put(reviews::update)
                .delete(reviews::delete),
        )
        .route("/orders", get(orders::list).post(orders::create))
        .route("/orders/{id}", get(orders::get).delete(orders::cancel))
        .route("/coupons/validate", post(checkout::validate_coupon))
        .route("/shipping/quote", post(checkout::quote_shipping))
        .route(
            "/attachments",
            get(attachments::list).post(attachments::create),
        )
        .route(
            "/attachments/{id}",
            get(attachments::get).delete(attachments::delete),
        )
        .fallback(meta::not_found)
        .layer(from_fn_with_state(state.clone(), cors::cors))
        .layer(from_fn_with_state(state.clone(), stats::count))
        .with_state(state)
}

/// `201 Created` with a `Location` header and the created object.
pub fn created(location: String, body: Value) -> Response {
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Pagination parameters shared by list operations: `limit` in 1..=100 (default 20) and
/// `offset` in 0..=10000.
pub fn page(limit: Option<i64>, offset: Option<i64>) -> crate::error::ApiResult<(i64, i64)> {
    use crate::error::{bad_param, check_range};
    let limit = limit.unwrap_or(20);
    let offset = offset.unwrap_or(0);
    check_range("limit", limit, 1, 100, bad_param)?;
    check_range("offset", offset, 0, 10_000, bad_param)?;
    Ok((limit, offset))
}
