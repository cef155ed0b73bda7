//! The embedded SQLite store: schema, seed data and small row helpers shared by the routes.

use rusqlite::Connection;

use crate::auth::hash_password;

/// A seeded account; the same credentials are listed in `schemas/demo-auth.toml`.
#[derive(Debug, Clone, Copy)]
pub struct SeedUser {
    pub username: &'static str,
    pub password: &'static str,
    pub email: &'static str,
    pub role: &'static str,
}

/// The seeded users: ids 1 (admin), 2 (alice) and 3 (bob).
pub const SEED_USERS: [SeedUser; 3] = [
    SeedUser {
        username: "admin",
        password: "admin-secret-1",
        email: "admin@shop.example",
        role: "admin",
    },
    SeedUser {
        username: "alice",
        password: "alice-secret-1",
        email: "alice@shop.example",
        role: "customer",
    },
    SeedUser {
        username: "bob",
        password: "bob-secret-1",
        email: "bob@shop.example",
        role: "customer",
    },
];

const SCHEMA: &str = "
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL
);
CREATE TABLE tokens (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    stock INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    rating INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    helpful INTEGER NOT NULL DEFAULT 0,
    edit_count INTEGER
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    total_cents INTEGER NOT NULL
);
CREATE TABLE order_items (
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL
);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content TEXT NOT NULL,
    metadata TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
";

const SEED: &str = "
INSERT INTO products (name, category, description, price_cents, stock) VALUES
 ('Field Guide to Shrikes', 'books', 'Illustrated guide to the butcher birds.', 2499, 1000),
 ('Rust in Practice', 'books', 'Systems programming, one crate at a time.', 3999, 1000),
 ('Mechanical Keyboard', 'electronics', 'Tactile switches, loud enough to annoy.', 8900, 1000),
 ('USB-C Cable', 'electronics', 'One metre, braided.', 999, 5000),
 ('Garden Hose', 'garden', 'Twenty metres of green.', 2999, 1000),
 ('Thorn Bush', 'garden', 'Where shrikes keep their pantry.', 1599, 1000);
INSERT INTO reviews (product_id, user_id, rating, title, body, helpful, edit_count) VALUES
 (1, 2, 5, 'Loved it', 'Great pictures.', 3, 0),
 (1, 3, 3, 'Fine', 'Too few maps.', 7, 0),
 (3, 3, 4, 'Clicky', 'My flatmate disagrees.', 1, 0);
INSERT INTO orders (user_id, status, note, total_cents) VALUES
 (2, 'placed', 'gift wrap please', 2499),
 (3, 'placed', '', 999);
INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES
 (1, 1, 1, 2499),
 (2, 4, 1, 999);
INSERT INTO attachments (owner_id, filename, content_type, content, metadata) VALUES
 (2, 'receipt.txt', 'text/plain', 'Order 1: 24.99', '{\"order\":1}');
";

/// Opens a private in-memory database with the schema and seed data.
pub fn open_seeded() -> rusqlite::Result<Connection> {
    let connection = Connection::open_in_memory()?;
    connection.execute_batch(SCHEMA)?;
    {
        let mut insert = connection.prepare(
            "INSERT INTO users (username, email, password_hash, role) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for user in SEED_USERS {
            let hash = hash_password(user.username, user.password);
            insert.execute((user.username, user.email, hash, user.role))?;
        }
    }
    connection.execute_batch(SEED)?;
    Ok(connection)
}

/// `SELECT 1 FROM <table> WHERE id = ?` for tables with integer ids.
pub fn exists(connection: &Connection, sql: &str, id: i64) -> rusqlite::Result<bool> {
    let mut statement = connection.prepare_cached(sql)?;
    statement.exists([id])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_three_users_and_six_products() {
        let connection = open_seeded().expect("seed");
        let users: i64 = connection
            .query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))
            .expect("count users");
        let products: i64 = connection
            .query_row("SELECT COUNT(*) FROM products", [], |row| row.get(0))
            .expect("count products");
        assert_eq!((users, products), (3, 6));
        let admin: String = connection
            .query_row("SELECT role FROM users WHERE id = 1", [], |row| row.get(0))
            .expect("admin");
        assert_eq!(admin, "admin");
    }
}
