//! Resource names: what resource a path parameter, a body field or an operation's response is
//! about, so that `{orderId}` meets `POST /orders` and never `POST /users` although both answer
//! with an `id`.

use crate::spec::Operation;

/// Letters and digits of a name, lower-cased: `product_id`, `productId` and `ProductID` agree.
pub fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Parameter names that say nothing about the resource they identify: `/pets/{id}` is a pet only
/// because of the segment before it.
pub fn is_generic(name: &str) -> bool {
    matches!(
        squash(name).as_str(),
        "id" | "uuid" | "guid" | "key" | "slug" | "identifier" | "oid" | "pk"
    )
}

/// The singular, squashed form of a collection name: `orders` → `order`, `categories` →
/// `category`, `boxes` → `box`, `Order` → `order`.
pub fn singular(name: &str) -> String {
    let s = squash(name);
    if let Some(stem) = s.strip_suffix("ies").filter(|t| t.len() > 1) {
        return format!("{stem}y");
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if s.ends_with(suffix) {
            return s[..s.len() - 2].to_owned();
        }
    }
    match s.strip_suffix('s') {
        Some(stem) if !stem.is_empty() && !s.ends_with("ss") => stem.to_owned(),
        _ => s,
    }
}

/// The resource a name that ends in an id names: `orderId`, `order_id`, `OrderID` → `order`.
/// `None` for a bare `id` and for names that do not end in an id.
pub fn id_stem(name: &str) -> Option<String> {
    let s = squash(name);
    let stem = s
        .strip_suffix("uuid")
        .or_else(|| s.strip_suffix("id"))
        .filter(|stem| !stem.is_empty())?;
    Some(singular(stem))
}

/// Names of the `{template}` parameters of a path, in order.
pub fn path_params(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        if close > 0 {
            out.push(&after[..close]);
        }
        rest = &after[close + 1..];
    }
    out
}

/// The path up to (not including) `/{param}`: the collection the parameter picks from.
pub fn collection_of<'a>(path: &'a str, param: &str) -> Option<&'a str> {
    let marker = format!("/{{{param}}}");
    path.find(&marker).map(|at| &path[..at])
}

/// The last literal segment of a path when the path ends with it (a collection): `orders` for
/// `/shop/orders`, `None` for `/orders/{id}`.
pub fn last_literal_segment(path: &str) -> Option<&str> {
    path.split('/')
        .rev()
        .find(|s| !s.is_empty())
        .filter(|s| !s.starts_with('{'))
}

/// The literal segment right before `{param}`: `orders` for `/orders/{id}`.
fn segment_before<'a>(path: &'a str, param: &str) -> Option<&'a str> {
    collection_of(path, param)
        .and_then(|c| c.rsplit('/').next())
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
}

/// The resource a path parameter of `op` identifies: `order` for `{orderId}` anywhere and for
/// `{id}` in `/orders/{id}`; `None` when neither the name nor the path says.
pub fn param_resource(op: &Operation, param: &str) -> Option<String> {
    if is_generic(param) {
        return segment_before(&op.path, param).map(singular);
    }
    id_stem(param).or_else(|| segment_before(&op.path, param).map(singular))
}

/// The resource a body field refers to: `product` for `product_id` / `productId`; `None` for
/// `id` itself and names that do not end in an id.
pub fn field_resource(field: &str) -> Option<String> {
    if is_generic(field) {
        return None;
    }
    id_stem(field)
}

/// The resource a creating operation (`POST /orders`, `PUT /users/{name}`…) makes: the singular of
/// the collection it posts to.
pub fn created_resource(op: &Operation) -> Option<String> {
    let path = op.path.trim_end_matches('/');
    if let Some(last) = last_literal_segment(path) {
        return Some(singular(last));
    }
    // `PUT /users/{username}`: the resource of its own last parameter.
    let last_param = path_params(path).last().copied()?;
    param_resource(op, last_param)
}

/// The name of the schema behind a `$ref` (`urn:shrike:defs#/$defs/Order.response` → `order`).
pub fn schema_resource(schema: &serde_json::Value) -> Option<String> {
    let reference = schema.get("$ref")?.as_str()?;
    let key = reference.rsplit('/').next()?;
    let key = key
        .strip_suffix(".response")
        .or_else(|| key.strip_suffix(".request"))
        .unwrap_or(key);
    Some(singular(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_reduce_to_resources() {
        assert_eq!(singular("orders"), "order");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("boxes"), "box");
        assert_eq!(singular("address"), "address");
        assert_eq!(singular("Order"), "order");
        assert_eq!(id_stem("orderId").as_deref(), Some("order"));
        assert_eq!(id_stem("product_id").as_deref(), Some("product"));
        assert_eq!(id_stem("OrderUUID").as_deref(), Some("order"));
        assert_eq!(id_stem("id"), None);
        assert_eq!(id_stem("name"), None);
        assert_eq!(field_resource("id"), None);
        assert!(is_generic("ID") && is_generic("uuid") && !is_generic("userId"));
        assert_eq!(path_params("/a/{x}/b/{y}"), vec!["x", "y"]);
        assert_eq!(collection_of("/a/{x}/b/{y}", "y"), Some("/a/{x}/b"));
        assert_eq!(last_literal_segment("/shop/orders/"), Some("orders"));
        assert_eq!(last_literal_segment("/shop/orders/{x}"), None);
        let ref_schema = serde_json::json!({"$ref": "urn:shrike:defs#/$defs/Order.response"});
        assert_eq!(schema_resource(&ref_schema).as_deref(), Some("order"));
    }
}
