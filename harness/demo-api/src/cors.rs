//! Cross-origin resource sharing. In normal mode the middleware reflects any `Origin` together
//! with `Access-Control-Allow-Credentials: true` (BUG-17), so any web site can make credentialed
//! calls; in fixed mode only the allow-listed shop front-end gets CORS headers.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// The one origin allowed to call the API from a browser in fixed mode.
pub const ALLOWED_ORIGIN: &str = "https://shop.example";

/// Middleware: answers preflights and decorates responses with CORS headers.
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let Some(origin) = origin else {
        return next.run(req).await;
    };
    let allowed = allowed_origin(&origin, state.fixed);
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if is_preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    if let Some(origin) = allowed {
        add_headers(response.headers_mut(), origin, is_preflight);
    }
    response
}

/// The value for `Access-Control-Allow-Origin`, if this origin gets one.
fn allowed_origin(origin: &HeaderValue, fixed: bool) -> Option<HeaderValue> {
    if !fixed {
        // BUG-17: any origin is reflected (and credentials are allowed below).
        return Some(origin.clone());
    }
    (origin.as_bytes() == ALLOWED_ORIGIN.as_bytes()).then(|| origin.clone())
}

fn add_headers(headers: &mut HeaderMap, origin: HeaderValue, preflight: bool) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if preflight {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_mode_allows_only_the_listed_origin() {
        let evil = HeaderValue::from_static("https://evil.example");
        let good = HeaderValue::from_static(ALLOWED_ORIGIN);
        assert_eq!(allowed_origin(&evil, false), Some(evil.clone()));
        assert_eq!(allowed_origin(&evil, true), None);
        assert_eq!(allowed_origin(&good, true), Some(good));
    }
}
