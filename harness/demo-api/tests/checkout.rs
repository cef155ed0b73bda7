//! The two deep 500s: BUG-02 (coupon stages each change the message) and BUG-03 (shipping
//! stages are invisible until the last).

mod common;

use common::both_modes;
use serde_json::json;

#[test]
fn bug02_coupon_stages_are_visible_and_end_in_a_500() {
    both_modes(|api| {
        let check = |code: &str, percent: i64, scope: &str| {
            api.post(
                "/coupons/validate",
                None,
                &json!({ "code": code, "percent": percent, "scope": scope }),
            )
        };
        let stages = [
            check("SPRING", 10, "order"),
            check("WINTER-2026", 10, "order"),
            check("SPRING-2025", 10, "order"),
            check("SPRING-2026", 10, "order"),
        ];
        let codes: Vec<&str> = stages.iter().map(|r| r.error_code()).collect();
        assert_eq!(
            codes,
            [
                "malformed_code",
                "unknown_campaign",
                "campaign_expired",
                "percent_not_offered"
            ]
        );
        assert!(stages.iter().all(|r| r.status == 422));
        assert_eq!(check("SPRING-2026", 20, "order").status, 200);
        let last = check("SPRING-2026", 25, "shipping");
        if api.fixed {
            assert_eq!(last.status, 200);
            assert_eq!(last.json["scope"], "shipping");
        } else {
            assert_eq!(last.status, 500, "{}", last.text);
        }
    });
}

#[test]
fn bug03_shipping_quote_stages_are_invisible_until_the_500() {
    both_modes(|api| {
        let quote = |country: &str, weight: i64, carrier: &str, express: bool| {
            api.post(
                "/shipping/quote",
                None,
                &json!({ "country": country, "weight_grams": weight, "carrier": carrier, "express": express }),
            )
        };
        // Each stage passed: the answer stays a plain 200 quote.
        for reply in [
            quote("US", 29_500, "drone", true),
            quote("IS", 28_999, "drone", true),
            quote("IS", 29_000, "drone", false),
            quote("IS", 29_000, "courier", true),
        ] {
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert_eq!(reply.json["currency"], "USD");
        }
        let last = quote("IS", 29_000, "drone", true);
        if api.fixed {
            assert_eq!(last.status, 200);
            assert_eq!(last.json["price_cents"], 2 * (2500 + 400 * 29));
        } else {
            assert_eq!(last.status, 500, "{}", last.text);
        }
    });
}
