//! Strings from `pattern`s: the pattern is parsed once with `regex-syntax` into HIR (cached per
//! pattern text), then generation walks the HIR choosing alternatives, class members and repetition
//! counts from the caller's RNG. Unbounded repetitions are cut short, characters are taken from
//! printable ASCII whenever the class allows it (ECMA-262's `\d`/`\w` are ASCII-only), and every
//! string is checked against the compiled regex so a caller knows whether it really matches.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};

use rand::Rng;
use regex_syntax::ParserBuilder;
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use serde_json::Value;

/// Extra repetitions past the minimum, at first, for unbounded repetitions (`*`, `+`, `{n,}`)
/// and bounded ones (`{n,m}` with large `m`).
const EXTRA: u32 = 4;
/// Longest string generated from a pattern, in bytes.
const MAX_LEN: usize = 8192;
/// Attempts before a pattern counts as unsatisfied for this call.
const ATTEMPTS: usize = 10;

/// A parsed pattern: HIR to walk and a regex to check the result.
#[derive(Debug)]
pub struct Compiled {
    hir: Hir,
    check: Option<regex::Regex>,
    /// Whether generated strings need checking: the walk ignores look-around assertions, so only
    /// patterns whose only assertions are leading `^` / trailing `$` match by construction.
    needs_check: bool,
}

/// FNV-1a: pattern texts are short and not attacker-chosen at lookup time, so a fast
/// non-cryptographic hash beats the default SipHash on this hot path.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Parsed patterns by their text. `None` marks a pattern that does not parse.
#[derive(Debug, Default)]
pub struct PatternCache {
    map: RwLock<FnvMap<String, Option<Arc<Compiled>>>>,
}

impl PatternCache {
    /// The parsed form of `pattern`, parsing and caching it on first use.
    pub fn get(&self, pattern: &str) -> Option<Arc<Compiled>> {
        if let Ok(map) = self.map.read()
            && let Some(c) = map.get(pattern)
        {
            return c.clone();
        }
        let compiled = compile(pattern).map(Arc::new);
        if let Ok(mut map) = self.map.write() {
            map.insert(pattern.to_owned(), compiled.clone());
        }
        compiled
    }

    /// Parses every `pattern` (and `patternProperties` key) found anywhere in `doc`, iteratively.
    pub fn prepare_all(&self, doc: &Value) {
        let mut stack = vec![doc];
        let mut visited = 0usize;
        while let Some(v) = stack.pop() {
            visited += 1;
            if visited > 1_000_000 {
                return;
            }
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(p)) = o.get("pattern") {
                        self.get(p);
                    }
                    if let Some(Value::Object(pp)) = o.get("patternProperties") {
                        for k in pp.keys() {
                            self.get(k);
                        }
                    }
                    stack.extend(o.values());
                }
                Value::Array(a) => stack.extend(a.iter()),
                _ => {}
            }
        }
    }
}

fn compile(pattern: &str) -> Option<Compiled> {
    // ASCII classes first (ECMA-262 semantics for \d, \w, \s); Unicode when the pattern needs it.
    let ascii = ParserBuilder::new()
        .unicode(false)
        .utf8(true)
        .build()
        .parse(pattern)
        .ok();
    let hir = match ascii {
        Some(h) => h,
        None => ParserBuilder::new().build().parse(pattern).ok()?,
    };
    let check = regex::Regex::new(pattern).ok();
    let p = hir.properties();
    let looks = p.look_set();
    let plain_ends = (!looks.contains(Look::Start) || p.look_set_prefix().contains(Look::Start))
        && (!looks.contains(Look::End) || p.look_set_suffix().contains(Look::End));
    let needs_check = !plain_ends
        || looks.contains_word()
        || looks.contains_anchor_line()
        || looks.contains_anchor_crlf();
    Some(Compiled {
        hir,
        check,
        needs_check,
    })
}

impl Compiled {
    /// Whether `s` matches the pattern (unanchored, as JSON Schema's `pattern` is); `true` when the
    /// pattern cannot be checked.
    pub fn matches(&self, s: &str) -> bool {
        self.check.as_ref().is_none_or(|re| re.is_match(s))
    }

    /// Whether `s` certainly matches (`false` when the pattern cannot be checked).
    pub fn certainly_matches(&self, s: &str) -> bool {
        self.check.as_ref().is_some_and(|re| re.is_match(s))
    }

    /// A string matching the pattern whose length (in chars) lies in `[min, max]`, if one was
    /// found in a few attempts.
    /// Repetition counts adapt between attempts: too short raises the extra repetitions, too
    /// long lowers them.
    pub fn generate<R: Rng + ?Sized>(&self, min: u64, max: u64, rng: &mut R) -> Option<String> {
        let mut reps = Reps { lo: 0, hi: EXTRA };
        for _ in 0..ATTEMPTS {
            let mut out = String::new();
            walk(&self.hir, &mut out, reps, rng);
            let mut len = super::keywords::char_len(&out);
            if len < min && self.hir.properties().look_set().is_empty() {
                // Unanchored: padding after a match keeps it a match only without anchors.
                pad(&mut out, min - len, rng);
                len = min;
            }
            if (min..=max).contains(&len) && (!self.needs_check || self.matches(&out)) {
                return Some(out);
            }
            reps = if len < min {
                let deficit = u32::try_from(min - len)
                    .unwrap_or(u32::MAX)
                    .min(MAX_LEN as u32);
                let lo = reps.lo.saturating_add(deficit.div_ceil(2).max(1));
                Reps {
                    lo,
                    hi: lo.saturating_add(EXTRA),
                }
            } else if len > max {
                Reps {
                    lo: 0,
                    hi: reps.hi / 2,
                }
            } else {
                reps
            };
        }
        None
    }

    /// A string that does *not* match the pattern, if one was found in a few attempts.
    pub fn non_matching<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<String> {
        let re = self.check.as_ref()?;
        let candidates = ["", " ", "\u{0}", "~~~~", "!", "\n"];
        for _ in 0..ATTEMPTS {
            let c = candidates[rng.random_range(..candidates.len())];
            if !re.is_match(c) {
                return Some(c.to_owned());
            }
        }
        for c in candidates {
            if !re.is_match(c) {
                return Some(c.to_owned());
            }
        }
        None
    }
}

fn pad<R: Rng + ?Sized>(out: &mut String, n: u64, rng: &mut R) {
    for _ in 0..n.min(MAX_LEN as u64) {
        out.push(char::from(b'a' + rng.random_range(0..26u8)));
    }
}

/// Extra repetitions (past each repetition's minimum) drawn from `lo..=hi`.
#[derive(Debug, Clone, Copy)]
struct Reps {
    lo: u32,
    hi: u32,
}

fn walk<R: Rng + ?Sized>(hir: &Hir, out: &mut String, reps: Reps, rng: &mut R) {
    if out.len() > MAX_LEN {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(Class::Unicode(c)) => {
            if let Some(ch) = pick_char(
                c.ranges()
                    .iter()
                    .map(|r| (u32::from(r.start()), u32::from(r.end()))),
                rng,
            ) {
                out.push(ch);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            let ranges = c
                .ranges()
                .iter()
                .filter(|r| r.start() < 0x80)
                .map(|r| (u32::from(r.start()), u32::from(r.end().min(0x7f))));
            if let Some(ch) = pick_char(ranges, rng) {
                out.push(ch);
            }
        }
        HirKind::Repetition(rep) => {
            let room = rep.max.map_or(u32::MAX, |max| max - rep.min);
            let extra = rng.random_range(reps.lo.min(room)..=reps.hi.max(reps.lo).min(room));
            let n = rep.min + extra;
            for _ in 0..n {
                walk(&rep.sub, out, reps, rng);
                if out.len() > MAX_LEN {
                    break;
                }
            }
        }
        HirKind::Capture(cap) => walk(&cap.sub, out, reps, rng),
        HirKind::Concat(parts) => {
            for p in parts {
                walk(p, out, reps, rng);
            }
        }
        HirKind::Alternation(alts) => {
            if !alts.is_empty() {
                walk(&alts[rng.random_range(..alts.len())], out, reps, rng);
            }
        }
    }
}

/// A character from the ranges, from printable ASCII when the ranges include any.
fn pick_char<R: Rng + ?Sized>(
    ranges: impl Iterator<Item = (u32, u32)> + Clone,
    rng: &mut R,
) -> Option<char> {
    let ascii = ranges
        .clone()
        .filter_map(|(a, b)| {
            let (a, b) = (a.max(0x20), b.min(0x7e));
            (a <= b).then_some((a, b))
        })
        .collect::<Vec<_>>();
    let chosen: Vec<(u32, u32)> = if ascii.is_empty() {
        ranges.collect()
    } else {
        ascii
    };
    let total: u64 = chosen.iter().map(|(a, b)| u64::from(b - a) + 1).sum();
    if total == 0 {
        return None;
    }
    let mut k = rng.random_range(0..total);
    for (a, b) in chosen {
        let size = u64::from(b - a) + 1;
        if k < size {
            return char::from_u32(a + k as u32);
        }
        k -= size;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn generated_strings_match_their_patterns() {
        let cache = PatternCache::default();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for p in [
            r"^[A-Z]{3}-\d{4}$",
            r"^\w+@\w+\.(com|org)$",
            r"^(\+|-)?\d+(\.\d{1,2})?$",
            r"^[^\s]{2,5}$",
            r"[a-f0-9]{8}",
            r"^SKU_[0-9]+$",
            r"^\p{Lu}\p{Ll}+$",
        ] {
            let c = cache.get(p).expect("pattern parses");
            for _ in 0..50 {
                let s = c.generate(0, u64::MAX, &mut rng).expect("a match");
                assert!(regex::Regex::new(p).expect("re").is_match(&s), "{p}: {s:?}");
            }
            let bad = c.non_matching(&mut rng).expect("a non-match");
            assert!(!c.matches(&bad));
        }
    }

    #[test]
    fn lengths_steer_repetitions() {
        let cache = PatternCache::default();
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let c = cache.get("^[a-z]+$").expect("parses");
        for _ in 0..200 {
            let s = c.generate(4, 6, &mut rng).expect("a match of length 4..=6");
            assert!((4..=6).contains(&s.len()), "{s:?}");
        }
        let s = c.generate(40, 50, &mut rng).expect("a long match");
        assert!((40..=50).contains(&s.len()), "{s:?}");
    }

    #[test]
    fn unparsable_patterns_are_cached_as_none() {
        let cache = PatternCache::default();
        assert!(cache.get(r"(?<=a)b\1").is_none());
        assert!(cache.get("a{2}").is_some());
    }
}
