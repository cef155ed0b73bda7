//! Service endpoints: health check, the OpenAPI document, request statistics and the JSON 404
//! for unknown paths.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// `GET /health`: constant answer, no database, no locks (the throughput benchmark's path).
pub async fn health() -> Response {
    ([(header::CONTENT_TYPE, JSON)], r#"{"status":"ok"}"#).into_response()
}

/// `GET /openapi.json`: the spec, converted to JSON once at start.
pub async fn openapi(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, JSON)], state.spec_json.clone()).into_response()
}

/// `GET /_stats` (not in the spec): request counters.
pub async fn stats(State(state): State<AppState>) -> Response {
    axum::Json(state.stats.to_json()).into_response()
}

/// Any other path.
pub async fn not_found() -> ApiError {
    ApiError::not_found("route")
}
