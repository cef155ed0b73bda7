//! The shared step of the value mutators: pick a node and replace it with a generated value.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::context::SeqContext;
use super::sites::{collect, node_at_mut};
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
    let value = ctx.value(schema, mode, rng);
    match node_at_mut(seq, site) {
        Some(node) => {
            *node = value;
            true
        }
        None => false,
    }
}

/// Longest text a parameter (path, query, header, cookie) gets beyond what its schema allows.
/// Servers refuse longer request lines and headers before the application sees them (nginx
/// 8 KiB, Node.js 16 KiB, hyper answers 414): a longer value only tests the HTTP layer and costs
/// a reconnect, while 8 KiB still probes length handling in the application. Bodies keep the
/// dictionary's huge strings.
pub const URL_VALUE_MAX: usize = 8 * 1024;

/// Cuts a parameter value whose text is longer than both [`URL_VALUE_MAX`] and the schema's
/// `maxLength` (a documented boundary is kept as it is). A structured value (an operator object
/// such as `{"$ne": ...}`, an array) shares one budget over its nodes, depth first: strings, raw
/// bytes and number texts are cut where the budget ends, and containers met after that are emptied.
pub fn fit_in_url(value: &mut Node, schema: &serde_json::Value) {
    let declared = schema
        .get("maxLength")
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let mut left = URL_VALUE_MAX.max(declared.saturating_mul(4));
    value.visit_mut(&mut |node| {
        let used = match node {
            Node::String(s) | Node::Number(s) => cut_text(s, left),
            Node::Raw(bytes) => {
                bytes.truncate(left);
                bytes.len()
            }
            Node::Array(items) if left == 0 => {
                items.clear();
                0
            }
            Node::Object(members) if left == 0 => {
                members.clear();
                0
            }
            _ => 1,
        };
        left = left.saturating_sub(used);
    });
}

/// Applies [`fit_in_url`] to every parameter of every call of `seq` (bodies are left alone), with
/// the declared parameter's schema where there is one. Mutators run it after each mutation, so no
/// input grows a request line or header past what a server accepts.
pub fn fit_params(ctx: &SeqContext, seq: &mut RequestSeq) {
    let any = serde_json::Value::Bool(true);
    for call in &mut seq.calls {
        let declared = ctx.operation(&call.operation).map(|op| &op.parameters);
        for param in &mut call.params {
            let Some(value) = param.value.as_mut() else {
                continue;
            };
            let schema = declared
                .into_iter()
                .flatten()
                .find(|d| d.name == param.name && d.location == param.location)
                .map_or(&any, |d| ctx.generator.resolve(&d.schema));
            fit_in_url(value, schema);
        }
    }
}

/// Cuts `s` to at most `limit` bytes on a character boundary; returns its new length.
fn cut_text(s: &mut String, limit: usize) -> usize {
    if s.len() > limit {
        let mut cut = limit;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s.len()
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

    #[test]
    fn structured_parameter_values_share_one_budget() {
        let deep = "[{\"a\":".repeat(5_000);
        let mut v = Node::from(json!({"$ne": deep, "other": ["x", "y"], "n": 1}));
        fit_in_url(&mut v, &json!({}));
        let Node::Object(members) = &v else {
            panic!("still an object: {v:?}");
        };
        assert!(matches!(&members[0].1, Node::String(s) if s.len() <= URL_VALUE_MAX));
        assert_eq!(
            members[1].1,
            Node::Array(Vec::new()),
            "the budget was used up"
        );
        let mut raw = Node::Raw(vec![b'%'; 20_000]);
        fit_in_url(&mut raw, &json!({}));
        assert!(matches!(&raw, Node::Raw(b) if b.len() == URL_VALUE_MAX));
        let mut small = Node::from(json!({"$ne": null, "list": [1, 2, 3]}));
        let before = small.clone();
        fit_in_url(&mut small, &json!({}));
        assert_eq!(small, before);
    }
}
