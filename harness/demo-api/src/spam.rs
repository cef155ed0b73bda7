//! Search-query spam detection: a query made mostly of one repeated chunk is treated as spam and
//! returns no results. The detector finds the longest repeated substring naively, which costs
//! O(n²) to O(n³) in the query length (BUG-14). Normal mode analyses the whole query; fixed mode
//! only its first [`FIXED_PREFIX`] bytes. A step budget caps the worst case at a few seconds.

/// Bytes analysed in fixed mode.
pub const FIXED_PREFIX: usize = 256;
/// Comparison steps after which the detector gives up. Measured on a busy 2-core VM: a
/// 10,000-byte repetitive query takes 2.2 s (release) to 2.7 s (dev profile).
pub const STEP_BUDGET: u64 = 4_000_000_000;

/// Whether `query` is spam. `fixed` bounds the work.
pub fn is_spam(query: &str, fixed: bool) -> bool {
    let bytes = query.as_bytes();
    let analysed = if fixed {
        &bytes[..bytes.len().min(FIXED_PREFIX)]
    } else {
        // BUG-14: the whole query, however long.
        bytes
    };
    let repeated = longest_repeat(analysed, STEP_BUDGET);
    analysed.len() >= 16 && repeated * 2 >= analysed.len()
}

/// Length of the longest substring occurring twice (possibly overlapping), by comparing every
/// pair of start positions. Stops early once `budget` comparison steps are spent.
pub fn longest_repeat(bytes: &[u8], budget: u64) -> usize {
    let mut steps: u64 = 0;
    let mut best = 0;
    for first in 0..bytes.len() {
        for second in first + 1..bytes.len() {
            let mut length = 0;
            while second + length < bytes.len() && bytes[first + length] == bytes[second + length] {
                length += 1;
            }
            steps += length as u64 + 1;
            best = best.max(length);
            if steps >= budget {
                return std::hint::black_box(best);
            }
        }
    }
    std::hint::black_box(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_longest_repeat() {
        assert_eq!(longest_repeat(b"abcXabc", u64::MAX), 3);
        assert_eq!(longest_repeat(b"aaaa", u64::MAX), 3);
        assert_eq!(longest_repeat(b"abcd", u64::MAX), 0);
        assert_eq!(longest_repeat(b"", u64::MAX), 0);
    }

    #[test]
    fn repetition_is_spam_and_words_are_not() {
        assert!(is_spam(&"ab".repeat(20), false));
        assert!(is_spam(&"ab".repeat(20), true));
        assert!(!is_spam("field guide", false));
        assert!(!is_spam("a perfectly ordinary query text", true));
    }
}
