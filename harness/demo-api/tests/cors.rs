//! BUG-17: CORS reflects any Origin and allows credentials.

mod common;

use common::both_modes;
use reqwest::Method;

#[test]
fn bug17_cors_reflects_any_origin_with_credentials() {
    both_modes(|api| {
        let evil = "https://evil.example";
        let simple = api.finish(api.request(Method::GET, "/users/me").header("origin", evil));
        let preflight = api.finish(
            api.request(Method::OPTIONS, "/orders")
                .header("origin", evil)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization"),
        );
        assert_eq!(preflight.status, 204);
        for reply in [&simple, &preflight] {
            let allow = reply.header("access-control-allow-origin");
            if api.fixed {
                assert_eq!(allow, None);
            } else {
                assert_eq!(allow, Some(evil));
                assert_eq!(
                    reply.header("access-control-allow-credentials"),
                    Some("true")
                );
            }
        }
        // The shop's own front-end is allowed in both modes.
        let own = api.finish(
            api.request(Method::GET, "/health")
                .header("origin", shrike_demo_api::ALLOWED_ORIGIN),
        );
        assert_eq!(
            own.header("access-control-allow-origin"),
            Some(shrike_demo_api::ALLOWED_ORIGIN)
        );
    });
}
