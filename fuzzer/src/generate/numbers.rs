//! Integers and numbers within `minimum`/`maximum` (inclusive and exclusive), `multipleOf` and the
//! `int32`/`int64`/`float`/`double` formats. Multiples are built in decimal so that the value
//! divided by `multipleOf` is exactly an integer, as the `jsonschema` crate checks it.

use rand::Rng;
use serde_json::{Map, Value};

use super::Generator;
use super::boundary;
use super::keywords::{self, float_value, get, int_value, integer_bounds};

/// Width of the "realistic" window values are usually drawn from.
const WINDOW: i128 = 1000;
/// Range used when a side is unbounded and the window holds no multiple.
const WIDE: i128 = 1_000_000_000_000;

/// A float bound: value and whether it is exclusive.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub at: f64,
    pub exclusive: bool,
}

/// Whether the integer bounds of `obj` leave any integer a JSON number can hold exactly.
pub fn has_integers(obj: &Map<String, Value>) -> bool {
    let (lo, hi) = integer_bounds(obj);
    let lo = lo.unwrap_or(i128::from(i64::MIN));
    let hi = hi.unwrap_or(i128::from(u64::MAX));
    lo <= hi && lo <= i128::from(u64::MAX) && hi >= i128::from(i64::MIN)
}

/// An integer for an `integer` schema.
pub fn integer<R: Rng + ?Sized>(
    obj: &Map<String, Value>,
    edges: bool,
    g: &Generator,
    rng: &mut R,
) -> Value {
    let (lo, hi) = integer_bounds(obj);
    let step = integer_step(obj);
    if edges {
        return boundary::integer(obj, lo, hi, step, rng);
    }
    let (a, b) = window(lo, hi, rng);
    if a > b {
        g.count_fallback();
        return int_value(lo.unwrap_or(0));
    }
    let Some(m) = step else {
        return int_value(rng.random_range(a..=b));
    };
    for (a, b) in [(a, b), (lo.unwrap_or(-WIDE), hi.unwrap_or(WIDE))] {
        let (klo, khi) = (ceil_div(a, m), floor_div(b, m));
        if klo <= khi {
            return int_value(rng.random_range(klo..=khi) * m);
        }
    }
    g.count_fallback();
    int_value(a)
}

/// The range values are drawn from: mostly a small window near zero inside the bounds.
fn window<R: Rng + ?Sized>(lo: Option<i128>, hi: Option<i128>, rng: &mut R) -> (i128, i128) {
    match (lo, hi) {
        (None, None) => {
            if rng.random_bool(0.7) {
                (0, 100)
            } else {
                (-WINDOW, 10 * WINDOW)
            }
        }
        (Some(l), None) => (
            l,
            l.saturating_add(if rng.random_bool(0.7) { 100 } else { WINDOW }),
        ),
        (None, Some(h)) => {
            let a = h.saturating_sub(WINDOW);
            (
                if h >= 0 && rng.random_bool(0.5) {
                    a.max(0)
                } else {
                    a
                },
                h,
            )
        }
        (Some(l), Some(h)) => {
            if rng.random_bool(0.8) {
                let a = 0.clamp(l, h.max(l));
                (a, h.min(a.saturating_add(WINDOW)))
            } else {
                (l, h)
            }
        }
    }
}

/// The smallest positive integer all integer multiples of `multipleOf` are multiples of.
fn integer_step(obj: &Map<String, Value>) -> Option<i128> {
    let m = keywords::number(obj, "multipleOf").filter(|m| *m > 0.0)?;
    let (mant, d) = decimal_parts(m)?;
    let pow = 10_i128.checked_pow(d)?;
    Some(mant / gcd(mant, pow))
}

/// `m` as `mantissa × 10^-decimals` from its shortest decimal form.
pub fn decimal_parts(m: f64) -> Option<(i128, u32)> {
    let s = format!("{}", m.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let digits = format!("{int}{frac}");
    let mant: i128 = digits.trim_start_matches('0').parse().unwrap_or(0);
    let d = u32::try_from(frac.len()).ok()?;
    (mant > 0).then_some((mant, d))
}

/// `k × mant × 10^-d` as a JSON number (an integer when `d` is 0).
pub fn decimal_value(k: i128, mant: i128, d: u32) -> Option<Value> {
    let p = k.checked_mul(mant)?;
    if d == 0 {
        return Some(int_value(p));
    }
    let digits = p.unsigned_abs().to_string();
    let d = d as usize;
    let padded = format!("{digits:0>width$}", width = d + 1);
    let (int, frac) = padded.split_at(padded.len() - d);
    let sign = if p < 0 { "-" } else { "" };
    let f: f64 = format!("{sign}{int}.{frac}").parse().ok()?;
    Some(float_value(f))
}

/// The float bounds of a `number` schema (including `float`'s range).
pub fn float_bounds(obj: &Map<String, Value>) -> (Option<Bound>, Option<Bound>) {
    let mut lo = keywords::number(obj, "minimum").map(|at| Bound {
        at,
        exclusive: false,
    });
    let mut hi = keywords::number(obj, "maximum").map(|at| Bound {
        at,
        exclusive: false,
    });
    if let Some(at) = keywords::number(obj, "exclusiveMinimum")
        && lo.is_none_or(|b| at >= b.at)
    {
        lo = Some(Bound {
            at,
            exclusive: true,
        });
    }
    if let Some(at) = keywords::number(obj, "exclusiveMaximum")
        && hi.is_none_or(|b| at <= b.at)
    {
        hi = Some(Bound {
            at,
            exclusive: true,
        });
    }
    if get(obj, "format").and_then(Value::as_str) == Some("float") {
        let f = f64::from(f32::MAX);
        lo = lo.or(Some(Bound {
            at: -f,
            exclusive: false,
        }));
        hi = hi.or(Some(Bound {
            at: f,
            exclusive: false,
        }));
    }
    (lo, hi)
}

/// Whether `v` lies within the bounds.
pub fn within(v: f64, lo: Option<Bound>, hi: Option<Bound>) -> bool {
    let above = lo.is_none_or(|b| if b.exclusive { v > b.at } else { v >= b.at });
    let below = hi.is_none_or(|b| if b.exclusive { v < b.at } else { v <= b.at });
    above && below
}

/// A number for a `number` schema.
pub fn number<R: Rng + ?Sized>(
    obj: &Map<String, Value>,
    edges: bool,
    g: &Generator,
    rng: &mut R,
) -> Value {
    let (lo, hi) = float_bounds(obj);
    let multiple = keywords::number(obj, "multipleOf").filter(|m| *m > 0.0);
    if edges {
        return boundary::number(obj, lo, hi, multiple, rng);
    }
    if let Some(m) = multiple {
        return multiple_of(m, lo, hi, g, rng);
    }
    let a = lo.map_or(
        if hi.is_some_and(|h| h.at < 0.0) {
            -1e3
        } else {
            0.0
        },
        |b| b.at,
    );
    let b = hi.map_or(a.max(0.0) + 1e3, |b| b.at).max(a);
    let (a, b) = if b - a > 2e3 && rng.random_bool(0.8) {
        let a2 = 0f64.clamp(a, b);
        (a2, b.min(a2 + 1e3))
    } else {
        (a, b)
    };
    for _ in 0..4 {
        let raw = a + (b - a) * rng.random::<f64>();
        let rounded = (raw * 100.0).round() / 100.0;
        for v in [rounded, raw, (a + b) / 2.0] {
            if v.is_finite() && within(v, lo, hi) {
                return float_value(v);
            }
        }
    }
    g.count_fallback();
    float_value(a)
}

fn multiple_of<R: Rng + ?Sized>(
    m: f64,
    lo: Option<Bound>,
    hi: Option<Bound>,
    g: &Generator,
    rng: &mut R,
) -> Value {
    let Some((mant, d)) = decimal_parts(m) else {
        g.count_fallback();
        return Value::from(0);
    };
    let klo = lo.map_or(-100, |b| (b.at / m).floor() as i128 - 1);
    let khi = hi.map_or(klo.max(0) + 100, |b| (b.at / m).ceil() as i128 + 1);
    let khi = khi.min(klo.saturating_add(WIDE));
    for _ in 0..8 {
        if klo > khi {
            break;
        }
        let k = rng.random_range(klo..=khi);
        if let Some(v) = decimal_value(k, mant, d)
            && v.as_f64().is_some_and(|f| within(f, lo, hi))
        {
            return v;
        }
    }
    // Scan from the lower end for the first multiple inside the bounds.
    for k in klo..=khi.min(klo + 64) {
        if let Some(v) = decimal_value(k, mant, d)
            && v.as_f64().is_some_and(|f| within(f, lo, hi))
        {
            return v;
        }
    }
    g.count_fallback();
    Value::from(0)
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

pub fn ceil_div(a: i128, m: i128) -> i128 {
    let q = a.div_euclid(m);
    if a.rem_euclid(m) == 0 { q } else { q + 1 }
}

pub fn floor_div(a: i128, m: i128) -> i128 {
    a.div_euclid(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_multiples_are_exact() {
        assert_eq!(decimal_parts(0.01), Some((1, 2)));
        assert_eq!(decimal_parts(2.5), Some((25, 1)));
        assert_eq!(decimal_value(7, 1, 2), Some(serde_json::json!(0.07)));
        assert_eq!(decimal_value(-3, 25, 1), Some(serde_json::json!(-7.5)));
        assert_eq!(decimal_value(4, 5, 0), Some(serde_json::json!(20)));
    }

    #[test]
    fn integer_steps_follow_fractional_multiples() {
        let o = serde_json::json!({"multipleOf": 2.5});
        assert_eq!(integer_step(o.as_object().expect("object")), Some(5));
        assert_eq!(ceil_div(-7, 5), -1);
        assert_eq!(floor_div(-7, 5), -2);
    }
}
