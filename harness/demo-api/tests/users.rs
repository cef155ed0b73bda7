//! Planted bugs around accounts: BUG-10 (broken authentication), BUG-11 (mass assignment),
//! BUG-12 (password hashes in the directory), BUG-13 (user enumeration) and BUG-16 (no login
//! rate limit).

mod common;

use common::both_modes;
use serde_json::json;

#[test]
fn bug10_user_profile_ignores_missing_and_invalid_tokens() {
    both_modes(|api| {
        let anonymous = api.get("/users/2", None);
        let forged = api.get("/users/2", Some("tok_forged"));
        if api.fixed {
            assert_eq!(anonymous.status, 401);
            assert_eq!(forged.status, 401);
        } else {
            assert_eq!(anonymous.status, 200);
            assert_eq!(anonymous.json["email"], "alice@shop.example");
            assert_eq!(forged.status, 200);
        }
        let alice = api.token_of("alice");
        assert_eq!(api.get("/users/2", Some(&alice)).status, 200);
    });
}

#[test]
fn bug11_registration_honours_an_undeclared_role() {
    both_modes(|api| {
        let body = json!({
            "username": "mallory", "password": "mallory-pw-1",
            "email": "mallory@evil.example", "role": "admin",
        });
        let reply = api.post("/users", None, &body);
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.header("location"), Some("/users/4"));
        let token = api.login("mallory", "mallory-pw-1");
        let me = api.get("/users/me", Some(&token));
        let product = api.post(
            "/products",
            Some(&token),
            &json!({ "name": "Stolen", "category": "toys", "price_cents": 1, "stock": 1 }),
        );
        if api.fixed {
            assert_eq!(me.json["role"], "customer");
            assert_eq!(product.status, 403);
        } else {
            assert_eq!(me.json["role"], "admin");
            assert_eq!(product.status, 201);
        }
        assert_eq!(api.post("/users", None, &body).status, 409);
    });
}

#[test]
fn bug12_user_directory_exposes_password_hashes() {
    both_modes(|api| {
        let token = api.token_of("bob");
        let reply = api.get("/users", Some(&token));
        assert_eq!(reply.status, 200);
        let items = reply.json["items"].as_array().expect("items");
        assert_eq!(items.len(), 3);
        let hash = &items[1]["password_hash"];
        if api.fixed {
            assert!(hash.is_null(), "{}", reply.text);
        } else {
            assert!(hash.as_str().is_some_and(|h| h.starts_with("sha256$")));
        }
    });
}

#[test]
fn bug13_login_reveals_which_usernames_exist() {
    both_modes(|api| {
        let unknown = api.post(
            "/auth/login",
            None,
            &json!({ "username": "nobody", "password": "guess" }),
        );
        let wrong = api.post(
            "/auth/login",
            None,
            &json!({ "username": "alice", "password": "guess" }),
        );
        assert_eq!(unknown.status, 401);
        assert_eq!(wrong.status, 401);
        if api.fixed {
            assert_eq!(unknown.text, wrong.text);
        } else {
            assert_ne!(unknown.text, wrong.text);
            assert_eq!(unknown.error_code(), "unknown_user");
        }
    });
}

#[test]
fn bug16_login_has_no_rate_limit() {
    both_modes(|api| {
        let guess = json!({ "username": "bob", "password": "wrong-guess" });
        let statuses: Vec<u16> = (0..25)
            .map(|_| api.post("/auth/login", None, &guess).status)
            .collect();
        if api.fixed {
            assert!(statuses[..20].iter().all(|&s| s == 401), "{statuses:?}");
            let limited = api.post("/auth/login", None, &guess);
            assert_eq!(limited.status, 429);
            assert_eq!(limited.header("retry-after"), Some("60"));
            // Other usernames are unaffected.
            api.token_of("alice");
        } else {
            assert!(statuses.iter().all(|&s| s == 401), "{statuses:?}");
            api.token_of("bob");
        }
    });
}
