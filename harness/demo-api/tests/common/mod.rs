//! Helpers shared by the demo API's integration tests: an in-process server on an ephemeral
//! loopback port and a small blocking JSON client.

#![allow(dead_code)]

pub mod spec;

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use serde_json::Value;
use shrike_demo_api::{Options, RunningServer, SEED_USERS};

/// A running server plus a client for it.
pub struct Api {
    pub fixed: bool,
    server: RunningServer,
    client: Client,
}

/// One response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body parsed as JSON, or `Null`.
    pub json: Value,
    pub elapsed: Duration,
}

impl Reply {
    /// The `error` code of an error body.
    pub fn error_code(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Api {
    pub fn start(fixed: bool) -> Api {
        let server = shrike_demo_api::spawn_background(Options { fixed }).expect("start server");
        let client = Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        Api {
            fixed,
            server,
            client,
        }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Sends `method path` with an optional bearer token and JSON body.
    pub fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base_url()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        self.finish(request)
    }

    /// Sends a raw body (no JSON encoding).
    pub fn call_raw(&self, method: Method, path: &str, token: Option<&str>, body: String) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base_url()))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.finish(request)
    }

    pub fn finish(&self, request: reqwest::blocking::RequestBuilder) -> Reply {
        let started = Instant::now();
        let response = request.send().expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().expect("body");
        let elapsed = started.elapsed();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
            elapsed,
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.call(Method::POST, path, token, Some(body))
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base_url()))
    }

    /// Logs in and returns the token.
    pub fn login(&self, username: &str, password: &str) -> String {
        let reply = self.post(
            "/auth/login",
            None,
            &serde_json::json!({ "username": username, "password": password }),
        );
        assert_eq!(reply.status, 200, "login as {username}: {}", reply.text);
        reply.json["token"].as_str().expect("token").to_owned()
    }

    /// Token of a seeded user: "admin", "alice" or "bob".
    pub fn token_of(&self, username: &str) -> String {
        let user = SEED_USERS
            .iter()
            .find(|user| user.username == username)
            .expect("seeded user");
        self.login(user.username, user.password)
    }
}

/// Runs `check` against a normal and a fixed server.
pub fn both_modes(check: impl Fn(&Api)) {
    for fixed in [false, true] {
        let api = Api::start(fixed);
        check(&api);
    }
}
