//! *Boundary* leaves: each constraint at its edge and just past it — lengths `minLength`,
//! `maxLength` and one either side, sizes of arrays, numeric bounds (inclusive and exclusive) and
//! their neighbours, multiples next to the bounds, the limits of `int32`/`int64`/`float`, and
//! formats both well-formed and malformed. Structure comes from the walker in `valid`.

use rand::Rng;
use serde_json::{Map, Value};

use super::Generator;
use super::formats;
use super::keywords::{float_value, get, int_value};
use super::numbers::{Bound, ceil_div, decimal_parts, decimal_value, floor_div};
use super::valid::text;

/// Longest string or top-level array produced for an unbounded or very large maximum.
pub const CAP: u64 = 1024;
/// The same for nested arrays (sizes multiply down a tree).
pub const NESTED_CAP: u64 = 16;

/// One of the candidate edges, uniformly.
fn pick<T: Clone, R: Rng + ?Sized>(candidates: &[T], rng: &mut R) -> T {
    candidates[rng.random_range(..candidates.len())].clone()
}

/// A length or count at an edge of `[min, max]` or one past it; `cap` stands in for an
/// unbounded maximum and limits large ones.
pub fn size<R: Rng + ?Sized>(min: u64, max: u64, cap: u64, rng: &mut R) -> u64 {
    let mut c = vec![min, min + 1, 0];
    if min > 0 {
        c.push(min - 1);
    }
    if max != u64::MAX {
        c.extend([
            max.min(cap),
            max.saturating_add(1).min(cap + 1),
            max.saturating_sub(1),
        ]);
    } else {
        c.push(cap);
    }
    pick(&c, rng)
}

/// A string at a length edge, or a format value (well-formed or not), or a pattern match of
/// edge length.
pub fn string<R: Rng + ?Sized>(
    g: &Generator,
    obj: &Map<String, Value>,
    min: u64,
    max: u64,
    rng: &mut R,
) -> String {
    let len = size(min, max, CAP, rng);
    if let Some(f) = get(obj, "format").and_then(Value::as_str)
        && rng.random_bool(0.4)
    {
        let s = if rng.random_bool(0.5) {
            formats::valid(f, rng)
        } else {
            formats::malformed(f, rng)
        };
        if let Some(s) = s {
            return s;
        }
    }
    if let Some(p) = get(obj, "pattern").and_then(Value::as_str)
        && rng.random_bool(0.5)
        && let Some(c) = g.patterns.get(p)
        && let Some(s) = c
            .generate(len, len, rng)
            .or_else(|| c.generate(min, max, rng))
    {
        return s;
    }
    text(len, rng)
}

/// An integer at or next to a bound, a multiple nearest a bound, or a type limit.
pub fn integer<R: Rng + ?Sized>(
    obj: &Map<String, Value>,
    lo: Option<i128>,
    hi: Option<i128>,
    step: Option<i128>,
    rng: &mut R,
) -> Value {
    let mut c: Vec<i128> = vec![0, -1, 1];
    for b in [lo, hi].into_iter().flatten() {
        c.extend([b, b.saturating_sub(1), b.saturating_add(1)]);
    }
    if let Some(m) = step {
        if let Some(l) = lo {
            let k = ceil_div(l, m).saturating_mul(m);
            c.extend([k, k.saturating_add(1)]);
        }
        if let Some(h) = hi {
            let k = floor_div(h, m).saturating_mul(m);
            c.extend([k, k.saturating_sub(1)]);
        }
    }
    match get(obj, "format").and_then(Value::as_str) {
        Some("int32") => c.extend([
            i128::from(i32::MIN),
            i128::from(i32::MAX),
            i128::from(i32::MIN) - 1,
            i128::from(i32::MAX) + 1,
        ]),
        _ => c.extend([
            i128::from(i64::MIN),
            i128::from(i64::MAX),
            i128::from(u64::MAX),
            i128::from(i64::MAX) + 1,
        ]),
    }
    int_value(pick(&c, rng))
}

/// A number at or next to a bound (the neighbouring floats), a multiple nearest a bound, or a
/// float/double limit.
pub fn number<R: Rng + ?Sized>(
    obj: &Map<String, Value>,
    lo: Option<Bound>,
    hi: Option<Bound>,
    multiple: Option<f64>,
    rng: &mut R,
) -> Value {
    let mut c: Vec<f64> = vec![0.0, -0.0, 1.0, -1.0, 0.5];
    for b in [lo, hi].into_iter().flatten() {
        c.extend([
            b.at,
            b.at.next_down(),
            b.at.next_up(),
            b.at - 0.01,
            b.at + 0.01,
        ]);
    }
    if get(obj, "format").and_then(Value::as_str) == Some("float") {
        c.extend([
            f64::from(f32::MAX),
            f64::from(f32::MIN),
            f64::from(f32::MIN_POSITIVE),
        ]);
    } else {
        c.extend([f64::MAX, f64::MIN, f64::MIN_POSITIVE, 1e-300]);
    }
    if let Some(m) = multiple
        && let Some((mant, d)) = decimal_parts(m)
    {
        let mut near = Vec::new();
        for b in [lo, hi].into_iter().flatten() {
            let k = (b.at / m).round() as i128;
            near.extend(
                [k - 1, k, k + 1]
                    .into_iter()
                    .filter_map(|k| decimal_value(k, mant, d)),
            );
        }
        if !near.is_empty() && rng.random_bool(0.5) {
            return pick(&near, rng);
        }
    }
    float_value(pick(&c, rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    #[test]
    fn integer_edges_include_bounds_and_neighbours() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let o = json!({"minimum": 5, "maximum": 10});
        let o = o.as_object().expect("object");
        let seen: Vec<Value> = (0..400)
            .map(|_| integer(o, Some(5), Some(10), None, &mut rng))
            .collect();
        for want in [4, 5, 6, 9, 10, 11] {
            assert!(seen.contains(&json!(want)), "missing {want}");
        }
    }

    #[test]
    fn sizes_cover_both_sides() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let seen: Vec<u64> = (0..400).map(|_| size(2, 5, CAP, &mut rng)).collect();
        for want in [1, 2, 3, 4, 5, 6] {
            assert!(seen.contains(&want), "missing {want}");
        }
    }
}
