//! Planted bugs in the catalogue: BUG-01 (limit=0), BUG-06 (GBP price as string), BUG-08 (SQL
//! injection) and BUG-14 (slow search). Each test proves the bug in normal mode and its absence
//! in fixed mode.

mod common;

use common::{Api, both_modes};

#[test]
fn bug01_limit_zero_divides_by_zero() {
    both_modes(|api| {
        let reply = api.get("/products?limit=0", None);
        if api.fixed {
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert_eq!(reply.json["pages"], 0);
            assert_eq!(reply.json["total"], 6);
            assert_eq!(reply.json["items"].as_array().map(Vec::len), Some(0));
        } else {
            assert_eq!(reply.status, 500);
            assert!(reply.text.contains("divide by zero"), "{}", reply.text);
        }
        // Other limits work in both modes.
        let reply = api.get("/products?limit=4", None);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json["pages"], 2);
    });
}

#[test]
fn bug06_gbp_price_is_a_string() {
    both_modes(|api| {
        let reply = api.get("/products/1?currency=GBP", None);
        assert_eq!(reply.status, 200);
        if api.fixed {
            assert_eq!(reply.json["price_cents"], 1974);
        } else {
            assert_eq!(reply.json["price_cents"], "£19.74");
        }
        let usd = api.get("/products/1?currency=USD", None);
        assert_eq!(usd.json["price_cents"], 2499);
    });
}

#[test]
fn bug08_category_sql_injection() {
    both_modes(|api| {
        let reply = api.get("/products?category=books%27", None);
        let union = api.get("/products?category=nothing%27%20OR%20%271%27%3D%271", None);
        if api.fixed {
            assert_eq!(reply.status, 200);
            assert_eq!(reply.json["total"], 0);
            assert_eq!(union.json["total"], 0);
        } else {
            assert_eq!(reply.status, 500);
            assert!(reply.text.contains("unrecognized token"), "{}", reply.text);
            assert_eq!(union.status, 200);
            assert_eq!(union.json["total"], 6, "the OR clause matched everything");
        }
        let books = api.get("/products?category=books", None);
        assert_eq!(books.json["total"], 2);
    });
}

fn search_time(api: &Api, length: usize) -> std::time::Duration {
    let query = "a".repeat(length);
    let reply = api.get(&format!("/products/search?q={query}"), None);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["total"], 0, "repetitive queries are spam");
    reply.elapsed
}

#[test]
fn bug14_search_is_superlinear_in_query_length() {
    both_modes(|api| {
        let short = search_time(api, 100);
        let long = search_time(api, 3000);
        if api.fixed {
            assert!(long.as_millis() < 300, "fixed search took {long:?}");
        } else {
            // About 2 s on the reference VM; generous margins for faster or busier machines.
            assert!(long.as_millis() > 300, "slow path took only {long:?}");
            assert!(long > short * 20, "{short:?} vs {long:?}");
            assert!(
                long.as_secs() < 10,
                "the step budget must bound it: {long:?}"
            );
        }
        let plain = api.get("/products/search?q=GUIDE", None);
        assert_eq!(plain.json["total"], 1);
    });
}
