//! Planted bugs around orders and reviews: BUG-09 (BOLA on orders), BUG-04 (create → update
//! of a review fails) and BUG-07 (undocumented 202).

mod common;

use common::both_modes;
use reqwest::Method;
use serde_json::json;

#[test]
fn bug09_customers_read_each_others_orders() {
    both_modes(|api| {
        let alice = api.token_of("alice");
        let bob = api.token_of("bob");
        let placed = api.post(
            "/orders",
            Some(&alice),
            &json!({ "items": [{ "product_id": 2, "quantity": 3 }], "note": "private" }),
        );
        assert_eq!(placed.status, 201, "{}", placed.text);
        assert_eq!(placed.json["total_cents"], 3 * 3999);
        let location = placed.header("location").expect("location").to_owned();
        assert_eq!(api.get(&location, Some(&alice)).status, 200);
        let stolen = api.get(&location, Some(&bob));
        if api.fixed {
            assert_eq!(stolen.status, 404);
        } else {
            assert_eq!(stolen.status, 200);
            assert_eq!(stolen.json["note"], "private");
        }
        // The seeded order 1 belongs to alice, too.
        let seeded = api.get("/orders/1", Some(&bob));
        assert_eq!(seeded.status, if api.fixed { 404 } else { 200 });
        let admin = api.token_of("admin");
        assert_eq!(api.get(&location, Some(&admin)).status, 200);
    });
}

#[test]
fn bug04_updating_a_freshly_created_review_fails() {
    both_modes(|api| {
        let alice = api.token_of("alice");
        let input = json!({ "rating": 2, "title": "Meh", "body": "It is a hose." });
        let created = api.post("/products/5/reviews", Some(&alice), &input);
        assert_eq!(created.status, 201, "{}", created.text);
        let location = created.header("location").expect("location").to_owned();
        let edit = json!({ "rating": 4, "title": "Grew on me" });
        let updated = api.call(Method::PUT, &location, Some(&alice), Some(&edit));
        if api.fixed {
            assert_eq!(updated.status, 200, "{}", updated.text);
            assert_eq!(updated.json["edit_count"], 1);
        } else {
            assert_eq!(updated.status, 500);
            assert!(
                updated.text.contains("Invalid column type Null"),
                "{}",
                updated.text
            );
        }
        // A seeded review (not created through the API) updates fine in both modes.
        let seeded = api.call(Method::PUT, "/reviews/1", Some(&alice), Some(&edit));
        assert_eq!(seeded.status, 200, "{}", seeded.text);
    });
}

#[test]
fn bug07_sorting_reviews_by_helpfulness_is_an_undocumented_202() {
    both_modes(|api| {
        let reply = api.get("/products/1/reviews?sort=helpful", None);
        if api.fixed {
            assert_eq!(reply.status, 200);
            let helpful: Vec<i64> = reply.json["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|r| r["helpful"].as_i64().expect("helpful"))
                .collect();
            assert_eq!(helpful, vec![7, 3]);
        } else {
            assert_eq!(reply.status, 202);
        }
        assert_eq!(api.get("/products/1/reviews?sort=rating", None).status, 200);
    });
}
