//! Products: the catalogue (BUG-01 division by zero, BUG-08 SQL injection), search (BUG-14 slow
//! path), product details (BUG-06 schema violation) and admin maintenance.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::require_admin;
use crate::error::{ApiError, ApiResult, bad_field, bad_param, check_len, check_range};
use crate::extract::{JsonBody, PathId, QueryParams};
use crate::routes::created;
use crate::spam;
use crate::state::AppState;

const COLUMNS: &str = "id, name, category, description, price_cents, stock";

/// A `products` row.
#[derive(Debug, Clone)]
pub struct Product {
    id: i64,
    name: String,
    category: String,
    description: String,
    price_cents: i64,
    stock: i64,
}

impl Product {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            category: row.get(2)?,
            description: row.get(3)?,
            price_cents: row.get(4)?,
            stock: row.get(5)?,
        })
    }

    /// The list price in USD cents.
    pub fn price_cents(&self) -> i64 {
        self.price_cents
    }

    /// The `Product` schema, priced in `currency`.
    fn to_json(&self, currency: Currency, fixed: bool) -> Value {
        let mut value = json!({
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "description": self.description,
            "price_cents": currency.convert(self.price_cents),
            "currency": currency.code(),
            "stock": self.stock,
        });
        if !fixed && currency == Currency::Gbp {
            // BUG-06: GBP prices come out as a formatted string instead of integer cents.
            let pence = currency.convert(self.price_cents);
            value["price_cents"] = json!(format!("£{}.{:02}", pence / 100, pence % 100));
        }
        value
    }
}

/// Looks up a product that is not deleted.
pub fn find(db: &Connection, id: i64) -> rusqlite::Result<Option<Product>> {
    let sql = format!("SELECT {COLUMNS} FROM products WHERE id = ?1 AND deleted = 0");
    db.prepare_cached(&sql)?
        .query_row([id], Product::from_row)
        .optional()
}

/// Display currencies; prices are stored in USD cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Currency {
    Usd,
    Eur,
    Gbp,
}

impl Currency {
    fn parse(text: Option<&str>) -> ApiResult<Self> {
        match text.unwrap_or("USD") {
            "USD" => Ok(Currency::Usd),
            "EUR" => Ok(Currency::Eur),
            "GBP" => Ok(Currency::Gbp),
            other => Err(bad_param(format!(
                "currency must be USD, EUR or GBP, not '{other}'"
            ))),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
        }
    }

    fn convert(self, usd_cents: i64) -> i64 {
        match self {
            Currency::Usd => usd_cents,
            Currency::Eur => usd_cents * 92 / 100,
            Currency::Gbp => usd_cents * 79 / 100,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    category: Option<String>,
    sort: Option<String>,
}

/// `GET /products`.
pub async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<Json<Value>> {
    let limit = query.limit.unwrap_or(20);
    let offset = query.offset.unwrap_or(0);
    check_range("limit", limit, 0, 100, bad_param)?;
    check_range("offset", offset, 0, 10_000, bad_param)?;
    let category = query.category.unwrap_or_default();
    check_len("category", &category, 0, 40, bad_param)?;
    let order = match query.sort.as_deref().unwrap_or("name") {
        "name" => "name, id",
        "price" => "price_cents, id",
        "-price" => "price_cents DESC, id",
        other => {
            return Err(bad_param(format!(
                "sort must be name, price or -price, not '{other}'"
            )));
        }
    };
    let (filter, binds): (String, Vec<&str>) = if category.is_empty() {
        (String::new(), Vec::new())
    } else if state.fixed {
        ("AND category = ?1".into(), vec![category.as_str()])
    } else {
        // BUG-08: the category is pasted into the SQL text.
        (format!("AND category = '{category}'"), Vec::new())
    };
    let (total, products) = state.with_db(|db| {
        let count_sql = format!("SELECT COUNT(*) FROM products WHERE deleted = 0 {filter}");
        let total: i64 = db.query_row(&count_sql, rusqlite::params_from_iter(&binds), |row| {
            row.get(0)
        })?;
        let sql = format!(
            "SELECT {COLUMNS} FROM products WHERE deleted = 0 {filter} \
             ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        );
        let mut statement = db.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(&binds), Product::from_row)?;
        Ok((total, rows.collect::<rusqlite::Result<Vec<_>>>()?))
    })?;
    let pages = if state.fixed && limit == 0 {
        0
    } else {
        // BUG-01: limit=0 (documented as "count only") divides by zero.
        (total + limit - 1)
            .checked_div(limit)
            .ok_or_else(|| ApiError::internal("attempt to divide by zero"))?
    };
    let items: Vec<Value> = products
        .iter()
        .map(|product| product.to_json(Currency::Usd, state.fixed))
        .collect();
    Ok(Json(json!({
        "items": items, "total": total, "limit": limit, "offset": offset, "pages": pages,
    })))
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// `GET /products/search?q=`: case-insensitive match on name and description.
pub async fn search(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let q = query
        .q
        .ok_or_else(|| ApiError::bad_request("query parameter q is required"))?;
    check_len("q", &q, 1, 10_000, bad_param)?;
    let fixed = state.fixed;
    let analysed = q.clone();
    let spam = tokio::task::spawn_blocking(move || spam::is_spam(&analysed, fixed))
        .await
        .map_err(|error| ApiError::internal(format!("spam check failed: {error}")))?;
    let products = if spam {
        Vec::new()
    } else {
        let needle = q.to_lowercase();
        let all = state.with_db(|db| {
            let sql = format!("SELECT {COLUMNS} FROM products WHERE deleted = 0 ORDER BY id");
            let mut statement = db.prepare_cached(&sql)?;
            let rows = statement.query_map([], Product::from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        all.into_iter()
            .filter(|p| {
                p.name.to_lowercase().contains(&needle)
                    || p.description.to_lowercase().contains(&needle)
            })
            .collect()
    };
    let items: Vec<Value> = products
        .iter()
        .map(|product| product.to_json(Currency::Usd, fixed))
        .collect();
    Ok(Json(
        json!({ "query": q, "total": items.len(), "items": items }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct GetQuery {
    currency: Option<String>,
}

/// `GET /products/{id}`.
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId,
    QueryParams(query): QueryParams<GetQuery>,
) -> ApiResult<Json<Value>> {
    let currency = Currency::parse(query.currency.as_deref())?;
    let product = state.with_db(|db| Ok(find(db, id)?))?;
    let product = product.ok_or_else(|| ApiError::not_found("product"))?;
    Ok(Json(product.to_json(currency, state.fixed)))
}

#[derive(Debug, Deserialize)]
pub struct NewProduct {
    name: String,
    category: String,
    #[serde(default)]
    description: String,
    price_cents: i64,
    stock: i64,
}

/// `POST /products` (admin).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<NewProduct>,
) -> ApiResult<Response> {
    require_admin(&state, &headers)?;
    check_len("name", &request.name, 1, 80, bad_field)?;
    check_len("description", &request.description, 0, 500, bad_field)?;
    check_range("price_cents", request.price_cents, 1, 10_000_000, bad_field)?;
    check_range("stock", request.stock, 0, 100_000, bad_field)?;
    let category_ok = (1..=40).contains(&request.category.len())
        && request.category.bytes().all(|b| b.is_ascii_lowercase());
    if !category_ok {
        return Err(bad_field("category must be 1-40 letters a-z".into()));
    }
    let product = state.with_db(|db| {
        db.prepare_cached(
            "INSERT INTO products (name, category, description, price_cents, stock) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((
            &request.name,
            &request.category,
            &request.description,
            request.price_cents,
            request.stock,
        ))?;
        find(db, db.last_insert_rowid())?.ok_or_else(|| ApiError::internal("product vanished"))
    })?;
    Ok(created(
        format!("/products/{}", product.id),
        product.to_json(Currency::Usd, state.fixed),
    ))
}

/// `DELETE /products/{id}` (admin): withdraws the product from sale.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    require_admin(&state, &headers)?;
    let changed = state.with_db(|db| {
        Ok(db
            .prepare_cached("UPDATE products SET deleted = 1 WHERE id = ?1 AND deleted = 0")?
            .execute([id])?)
    })?;
    if changed == 0 {
        return Err(ApiError::not_found("product"));
    }
    Ok(StatusCode::NO_CONTENT)
}
