//! Request extractors that answer malformed input with the API's JSON errors (documented 400 and
//! 422 responses) instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::error::ApiError;

/// Parses a JSON body without looking at `Content-Type`: syntax errors are 400, well-formed
/// JSON of the wrong shape (missing field, wrong type) is 422.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| match error.classify() {
        Category::Data => ApiError::unprocessable("invalid_body", error.to_string()),
        Category::Io | Category::Syntax | Category::Eof => {
            ApiError::bad_request(format!("malformed JSON body: {error}"))
        }
    })
}

/// Reads the whole body (axum's 2 MB default limit applies; larger bodies are a 400 here).
pub async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|rejection| ApiError::bad_request(format!("cannot read body: {rejection}")))
}

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The raw request body, for handlers that inspect it before parsing.
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_body(req, state).await.map(RawBody)
    }
}

/// Query parameters of type `T`; a parameter of the wrong type is a 400.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| QueryParams(value))
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}

/// An integer path parameter (`/products/{productId}`); anything else is a 400.
#[derive(Debug, Clone, Copy)]
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| PathId(id))
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[derive(serde::Deserialize, Debug)]
    struct Pair {
        #[allow(dead_code)]
        a: i64,
    }

    #[test]
    fn syntax_errors_are_400_and_shape_errors_are_422() {
        let syntax = parse_json::<Pair>(b"{\"a\":").expect_err("truncated");
        assert_eq!(syntax.status, StatusCode::BAD_REQUEST);
        let shape = parse_json::<Pair>(b"{\"a\":\"x\"}").expect_err("wrong type");
        assert_eq!(shape.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(parse_json::<Pair>(b"{\"a\":1}").is_ok());
    }
}
