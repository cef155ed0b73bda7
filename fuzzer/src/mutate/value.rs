//! The shared step of the value mutators: pick a node and replace it with a generated value.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::context::SeqContext;
use super::sites::{Root, collect, node_at_mut};
use crate::generate::Mode;
use crate::input::{Node, RequestSeq};

/// Replaces a random non-reference node (only leaves when `leaves_only`) with a value generated
/// from its schema in `mode`. Returns whether a node was replaced.
pub fn replace_value<R: Rng + ?Sized>(
    ctx: &SeqContext,
    seq: &mut RequestSeq,
    mode: Mode,
    leaves_only: bool,
    rng: &mut R,
) -> bool {
    let sites = collect(ctx, seq, &|n, _| {
        !matches!(n, Node::Ref(_)) && (!leaves_only || n.is_leaf())
    });
    let Some((site, schema)) = sites.choose(rng) else {
        return false;
    };
    let mut value = ctx.value(schema, mode, rng);
    if matches!(site.root, Root::Param(_)) {
        fit_in_url(&mut value, schema);
    }
    match node_at_mut(seq, site) {
        Some(node) => {
            *node = value;
            true
        }
        None => false,
    }
}

/// Longest string a parameter (path, query, header, cookie) gets beyond what its schema allows.
/// Servers refuse longer request lines and headers before the application sees them (nginx
/// 8 KiB, Node.js 16 KiB, hyper answers 414): a longer value only tests the HTTP layer and costs
/// a reconnect, while 8 KiB still probes length handling in the application. Bodies keep the
/// dictionary's huge strings.
pub const URL_VALUE_MAX: usize = 8 * 1024;

/// Cuts a string parameter value longer than both [`URL_VALUE_MAX`] and the schema's
/// `maxLength` (a documented boundary is kept as it is).
pub fn fit_in_url(value: &mut Node, schema: &serde_json::Value) {
    let Node::String(s) = value else {
        return;
    };
    let declared = schema
        .get("maxLength")
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let limit = URL_VALUE_MAX.max(declared.saturating_mul(4));
    if s.len() <= limit {
        return;
    }
    let mut cut = limit;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_parameter_strings_are_cut_to_what_servers_accept() {
        let mut v = Node::String("A".repeat(65_536));
        fit_in_url(&mut v, &json!({"type": "string"}));
        assert!(matches!(&v, Node::String(s) if s.len() == URL_VALUE_MAX));
        // A multi-byte character is never split.
        let mut v = Node::String("\u{1f600}".repeat(5_000));
        fit_in_url(&mut v, &json!({}));
        assert!(
            matches!(&v, Node::String(s) if s.len() <= URL_VALUE_MAX && s.len() > URL_VALUE_MAX - 4)
        );
    }

    #[test]
    fn documented_lengths_and_short_values_are_kept() {
        let mut v = Node::String("A".repeat(10_001));
        fit_in_url(&mut v, &json!({"maxLength": 10_000}));
        assert!(matches!(&v, Node::String(s) if s.len() == 10_001));
        let mut v = Node::String("short".into());
        fit_in_url(&mut v, &json!({}));
        assert_eq!(v, Node::String("short".into()));
        let mut n = Node::from(json!(5));
        fit_in_url(&mut n, &json!({}));
        assert_eq!(n, Node::from(json!(5)));
    }
}
