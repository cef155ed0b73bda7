//! Checkout helpers without state: coupon validation (BUG-02, a deep 500 whose stages each change
//! the error message) and shipping quotes (BUG-03, a deep 500 whose stages are invisible).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult, bad_field, check_len, check_range};
use crate::extract::JsonBody;
use crate::state::AppState;

/// The one running campaign.
const CAMPAIGN: &str = "SPRING";
const CAMPAIGN_YEAR: &str = "2026";
/// Percentages the campaign offers.
const CAMPAIGN_PERCENT: std::ops::RangeInclusive<i64> = 20..=25;

#[derive(Debug, Deserialize)]
pub struct CouponCheck {
    code: String,
    percent: i64,
    scope: String,
}

/// `POST /coupons/validate`: checks a coupon code piece by piece, then the percentage, then
/// where it applies.
pub async fn validate_coupon(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<CouponCheck>,
) -> ApiResult<Json<Value>> {
    check_len("code", &request.code, 1, 20, bad_field)?;
    check_range("percent", request.percent, 1, 50, bad_field)?;
    if !matches!(request.scope.as_str(), "order" | "product" | "shipping") {
        return Err(bad_field("scope must be order, product or shipping".into()));
    }
    let (name, year) = request.code.split_once('-').ok_or_else(|| {
        ApiError::unprocessable("malformed_code", "a coupon code looks like NAME-YYYY")
    })?;
    if name != CAMPAIGN {
        return Err(ApiError::unprocessable(
            "unknown_campaign",
            format!("no campaign is called '{name}'"),
        ));
    }
    if year != CAMPAIGN_YEAR {
        return Err(ApiError::unprocessable(
            "campaign_expired",
            format!("the {CAMPAIGN} campaign runs in {CAMPAIGN_YEAR} only"),
        ));
    }
    if !CAMPAIGN_PERCENT.contains(&request.percent) {
        return Err(ApiError::unprocessable(
            "percent_not_offered",
            format!(
                "{CAMPAIGN}-{CAMPAIGN_YEAR} offers {}% to {}%",
                CAMPAIGN_PERCENT.start(),
                CAMPAIGN_PERCENT.end()
            ),
        ));
    }
    if request.scope == "shipping" && !state.fixed {
        // BUG-02: the campaign has no shipping tier; the lookup fails.
        return Err(ApiError::internal(format!(
            "no shipping discount tier configured for {CAMPAIGN}-{CAMPAIGN_YEAR}"
        )));
    }
    Ok(Json(json!({
        "code": request.code,
        "campaign": CAMPAIGN,
        "percent": request.percent,
        "scope": request.scope,
        "valid_until": "2026-06-30",
    })))
}

#[derive(Debug, Deserialize)]
pub struct QuoteRequest {
    country: String,
    weight_grams: i64,
    carrier: String,
    #[serde(default)]
    express: bool,
}

/// `POST /shipping/quote`: a price and delivery estimate for a parcel.
pub async fn quote_shipping(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<QuoteRequest>,
) -> ApiResult<Json<Value>> {
    let per_kg = match request.country.as_str() {
        "US" => 100,
        "DE" | "FR" => 150,
        "JP" => 300,
        "IS" => 400,
        _ => return Err(bad_field("country must be US, DE, FR, IS or JP".into())),
    };
    check_range("weight_grams", request.weight_grams, 1, 30_000, bad_field)?;
    let (base, days) = match request.carrier.as_str() {
        "post" => (500, 7),
        "courier" => (1200, 3),
        "drone" => (2500, 1),
        _ => return Err(bad_field("carrier must be post, courier or drone".into())),
    };
    check_drone_route(&request, state.fixed)?;
    let kilos = (request.weight_grams + 999) / 1000;
    let mut price = base + per_kg * kilos;
    let mut eta_days = days;
    if request.express {
        price *= 2;
        eta_days = (days / 2).max(1);
    }
    Ok(Json(json!({
        "price_cents": price,
        "currency": "USD",
        "eta_days": eta_days,
    })))
}

/// Route planning for drones. Each nested stage only selects internal planning data, so the
/// answer is the same until the last stage: only server-side coverage sees progress.
fn check_drone_route(request: &QuoteRequest, fixed: bool) -> ApiResult<()> {
    if request.carrier != "drone" {
        return Ok(());
    }
    let mut plan = std::hint::black_box(1_u32);
    if request.weight_grams >= 29_000 {
        plan = std::hint::black_box(plan + 1);
        if request.express {
            plan = std::hint::black_box(plan + 1);
            if request.country == "IS" {
                plan = std::hint::black_box(plan + 1);
                if !fixed {
                    // BUG-03: heavy express drone flights to Iceland have no charging plan.
                    return Err(ApiError::internal(format!(
                        "drone route planner failed at stage {plan}: no charging station in range"
                    )));
                }
            }
        }
    }
    Ok(())
}
