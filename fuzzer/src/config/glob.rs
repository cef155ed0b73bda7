//! A small glob matcher for operation selectors: `*` matches any run of characters (including `/`),
//! `?` exactly one character, everything else itself. Matching is case-sensitive and linear in
//! practice (one backtrack point, the last `*` seen).

use std::fmt;

/// A compiled glob pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    source: String,
    pattern: Vec<char>,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            source: pattern.to_string(),
            pattern: pattern.chars().collect(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern has no wildcard and so matches only itself.
    pub fn is_literal(&self) -> bool {
        !self.pattern.iter().any(|&c| c == '*' || c == '?')
    }

    /// True when the whole of `text` matches the pattern.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let pat = &self.pattern;
        let (mut p, mut t) = (0usize, 0usize);
        // Position of the last `*` in the pattern and the text position it currently absorbs up to.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match pat.get(p) {
                Some('*') => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(&c) if c == '?' || c == text[t] => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    // Let the last star absorb one more character and retry after it.
                    Some((sp, st)) => {
                        star = Some((sp, st + 1));
                        p = sp + 1;
                        t = st + 1;
                    }
                    None => return false,
                },
            }
        }
        pat[p..].iter().all(|&c| c == '*')
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn literals_wildcards_and_slashes() {
        let cases: &[(&str, &str, bool)] = &[
            ("", "", true),
            ("", "a", false),
            ("*", "", true),
            ("*", "/a/b/c", true),
            ("/users/*", "/users/{id}/orders", true),
            ("/users/*", "/users", false),
            ("/users*", "/users", true),
            ("?", "é", true),
            ("?", "", false),
            ("a?c", "abc", true),
            ("a?c", "abbc", false),
            ("*Order", "createOrder", true),
            ("*Order", "createOrders", false),
            ("*Order*", "listOrdersByUser", true),
            ("a*b*c", "axxbyybzzc", true),
            ("a*b*c", "axxbyyzz", false),
            ("**", "anything", true),
            ("get*", "Get", false),
        ];
        for &(pat, text, want) in cases {
            assert_eq!(Glob::new(pat).matches(text), want, "{pat:?} vs {text:?}");
        }
    }

    #[test]
    fn literal_detection() {
        assert!(Glob::new("/orders/{id}").is_literal());
        assert!(!Glob::new("/orders/*").is_literal());
        assert!(!Glob::new("get?").is_literal());
    }

    proptest! {
        #[test]
        fn a_literal_matches_itself(s in "[a-z/{}_.-]{0,20}") {
            prop_assert!(Glob::new(&s).matches(&s));
        }

        #[test]
        fn star_prefix_suffix(prefix in "[a-z/]{0,8}", mid in ".{0,12}", suffix in "[a-z/]{0,8}") {
            let text = format!("{prefix}{mid}{suffix}");
            let pattern = format!("{prefix}*{suffix}");
            prop_assert!(Glob::new(&pattern).matches(&text));
        }

        #[test]
        fn question_marks_match_exact_length(s in ".{0,12}", n in 0usize..14) {
            let pat = "?".repeat(n);
            prop_assert_eq!(Glob::new(&pat).matches(&s), s.chars().count() == n);
        }
    }
}
