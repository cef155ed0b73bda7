//! The API's error type: every failure a handler reports becomes one JSON body of the form
//! `{"error": "<code>", "message": "<text>"}` with a matching HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to the client. `code` is a stable machine-readable identifier.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the request is malformed (bad JSON, bad query or path parameter).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no or an invalid bearer token, or wrong credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404: no such resource (or not visible to the caller).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: well-formed, but a field value is not acceptable.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 500: the server failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<rusqlite::Error> for ApiError {
    /// Database errors are reported with their text, which is how the SQL injection bug
    /// (BUG-08) leaks SQLite's messages. In fixed mode no handler produces one.
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(format!("database error: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// Checks that an integer lies in `[min, max]`, answering `make(message)` otherwise.
pub fn check_range(
    name: &str,
    value: i64,
    min: i64,
    max: i64,
    make: fn(String) -> ApiError,
) -> ApiResult<()> {
    if value < min || value > max {
        return Err(make(format!("{name} must be between {min} and {max}")));
    }
    Ok(())
}

/// Checks a string's length in characters, answering `make(message)` otherwise.
pub fn check_len(
    name: &str,
    value: &str,
    min: usize,
    max: usize,
    make: fn(String) -> ApiError,
) -> ApiResult<()> {
    let len = value.chars().count();
    if len < min || len > max {
        return Err(make(format!(
            "{name} must be between {min} and {max} characters"
        )));
    }
    Ok(())
}

/// Builds a 400 from a message (for query and path parameters).
pub fn bad_param(message: String) -> ApiError {
    ApiError::bad_request(message)
}

/// Builds a 422 from a message (for body fields).
pub fn bad_field(message: String) -> ApiError {
    ApiError::unprocessable("invalid_field", message)
}
