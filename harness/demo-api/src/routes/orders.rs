//! Orders: placing, listing, reading (BUG-09 broken object-level authorization) and cancelling.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, authenticate};
use crate::error::{ApiError, ApiResult, bad_field, check_len, check_range};
use crate::extract::{JsonBody, PathId};
use crate::routes::{created, products};
use crate::state::AppState;

/// An order with its lines.
struct Order {
    id: i64,
    user_id: i64,
    status: String,
    note: String,
    total_cents: i64,
    items: Vec<(i64, i64, i64)>,
}

impl Order {
    /// The `Order` schema.
    fn to_json(&self) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|&(product_id, quantity, unit_price_cents)| {
                json!({ "product_id": product_id, "quantity": quantity, "unit_price_cents": unit_price_cents })
            })
            .collect();
        json!({
            "id": self.id,
            "user_id": self.user_id,
            "status": self.status,
            "note": self.note,
            "total_cents": self.total_cents,
            "items": items,
        })
    }
}

fn find(db: &Connection, id: i64) -> rusqlite::Result<Option<Order>> {
    let head = db
        .prepare_cached("SELECT id, user_id, status, note, total_cents FROM orders WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(Order {
                id: row.get(0)?,
                user_id: row.get(1)?,
                status: row.get(2)?,
                note: row.get(3)?,
                total_cents: row.get(4)?,
                items: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut order) = head else {
        return Ok(None);
    };
    let mut statement = db.prepare_cached(
        "SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = ?1 \
         ORDER BY rowid",
    )?;
    let rows = statement.query_map([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    order.items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(order))
}

/// `GET /orders`: the caller's orders (an admin sees all).
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let caller = authenticate(&state, &headers)?;
    let orders = state.with_db(|db| {
        let mut statement = db.prepare_cached(
            "SELECT id FROM orders WHERE user_id = ?1 OR ?2 ORDER BY id DESC LIMIT 100",
        )?;
        let ids = statement
            .query_map((caller.id, caller.is_admin()), |row| row.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut orders = Vec::with_capacity(ids.len());
        for id in ids {
            orders.extend(find(db, id)?);
        }
        Ok(orders)
    })?;
    let items: Vec<Value> = orders.iter().map(Order::to_json).collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
pub struct OrderLine {
    product_id: i64,
    quantity: i64,
}

#[derive(Debug, Deserialize)]
pub struct NewOrder {
    items: Vec<OrderLine>,
    #[serde(default)]
    note: String,
}

/// `POST /orders`: reserves stock and records the prices paid.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<NewOrder>,
) -> ApiResult<Response> {
    let caller = authenticate(&state, &headers)?;
    if request.items.is_empty() || request.items.len() > 20 {
        return Err(bad_field("items must hold 1 to 20 lines".into()));
    }
    for line in &request.items {
        check_range("quantity", line.quantity, 1, 100, bad_field)?;
    }
    check_len("note", &request.note, 0, 200, bad_field)?;
    let order = state.with_db(|db| place(db, &caller, &request))?;
    Ok(created(format!("/orders/{}", order.id), order.to_json()))
}

/// Inserts the order in one transaction; any failure leaves stock untouched.
fn place(db: &Connection, caller: &Caller, request: &NewOrder) -> ApiResult<Order> {
    let transaction = db.unchecked_transaction()?;
    let mut lines = Vec::with_capacity(request.items.len());
    for line in &request.items {
        let product = products::find(&transaction, line.product_id)?.ok_or_else(|| {
            ApiError::unprocessable(
                "unknown_product",
                format!("product {} does not exist", line.product_id),
            )
        })?;
        let reserved = transaction
            .prepare_cached("UPDATE products SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1")?
            .execute((line.quantity, line.product_id))?;
        if reserved == 0 {
            return Err(ApiError::conflict(
                "out_of_stock",
                format!("not enough stock for product {}", line.product_id),
            ));
        }
        lines.push((line.product_id, line.quantity, product.price_cents()));
    }
    let total: i64 = lines.iter().map(|&(_, q, price)| q * price).sum();
    transaction
        .prepare_cached(
            "INSERT INTO orders (user_id, status, note, total_cents) VALUES (?1, 'placed', ?2, ?3)",
        )?
        .execute((caller.id, &request.note, total))?;
    let id = transaction.last_insert_rowid();
    for &(product_id, quantity, price) in &lines {
        transaction
            .prepare_cached(
                "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute((id, product_id, quantity, price))?;
    }
    let order = find(&transaction, id)?.ok_or_else(|| ApiError::internal("order vanished"))?;
    transaction.commit()?;
    Ok(order)
}

/// `GET /orders/{id}`.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> ApiResult<Json<Value>> {
    let caller = authenticate(&state, &headers)?;
    let order = state.with_db(|db| Ok(find(db, id)?))?;
    let order = order.ok_or_else(|| ApiError::not_found("order"))?;
    // BUG-09 (normal mode): no ownership check; any customer reads any order.
    if state.fixed && !caller.owns_or_admin(order.user_id) {
        return Err(ApiError::not_found("order"));
    }
    Ok(Json(order.to_json()))
}

/// `DELETE /orders/{id}`: cancels a placed order and returns its stock.
pub async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    let caller = authenticate(&state, &headers)?;
    state.with_db(|db| {
        let order = find(db, id)?
            .filter(|order| caller.owns_or_admin(order.user_id))
            .ok_or_else(|| ApiError::not_found("order"))?;
        if order.status == "cancelled" {
            return Err(ApiError::conflict(
                "already_cancelled",
                "this order is already cancelled",
            ));
        }
        let transaction = db.unchecked_transaction()?;
        transaction
            .prepare_cached("UPDATE orders SET status = 'cancelled' WHERE id = ?1")?
            .execute([id])?;
        for &(product_id, quantity, _) in &order.items {
            transaction
                .prepare_cached("UPDATE products SET stock = stock + ?1 WHERE id = ?2")?
                .execute((quantity, product_id))?;
        }
        transaction.commit()?;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}
