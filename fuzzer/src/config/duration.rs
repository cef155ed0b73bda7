//! Human durations for `--time` and `--timeout`: `90s`, `10m`, `2h`, `1h30m`, `500ms`, or a plain
//! number of seconds.

use std::time::Duration;

use super::error::ConfigError;

/// Parses a duration: one or more `<integer><unit>` groups with units `h`, `m`, `s`, `ms` (each at
/// most once, largest first), or a plain integer meaning seconds. Zero is allowed here; callers that
/// need a positive value check it.
pub fn parse_duration(input: &str) -> Result<Duration, ConfigError> {
    let err = |reason: &str| ConfigError::Duration {
        value: input.to_string(),
        reason: reason.to_string(),
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(err("it is empty"));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = s.parse().map_err(|_| err("the number is too large"))?;
        return Ok(Duration::from_secs(secs));
    }
    let bytes = s.as_bytes();
    let mut total = Duration::ZERO;
    let mut last_rank = usize::MAX;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return Err(err("expected a number before each unit"));
        }
        let number: u64 = s[start..i]
            .parse()
            .map_err(|_| err("the number is too large"))?;
        let unit_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let (rank, unit) = match &s[unit_start..i] {
            "h" => (3, Duration::from_secs(3600)),
            "m" => (2, Duration::from_secs(60)),
            "s" => (1, Duration::from_secs(1)),
            "ms" => (0, Duration::from_millis(1)),
            "" => return Err(err("a number without a unit must stand alone")),
            _ => return Err(err("unknown unit; use h, m, s or ms")),
        };
        if rank >= last_rank {
            return Err(err("units must appear once each, largest first"));
        }
        last_rank = rank;
        let part = u32::try_from(number)
            .ok()
            .and_then(|n| unit.checked_mul(n))
            .ok_or_else(|| err("the number is too large"))?;
        total = total
            .checked_add(part)
            .ok_or_else(|| err("the number is too large"))?;
    }
    Ok(total)
}

/// Formats a duration the way [`parse_duration`] reads it back: `1h30m`, `90s` → `1m30s`, `250ms`.
pub fn format_duration(d: Duration) -> String {
    let total_ms = d.as_millis();
    if total_ms == 0 {
        return "0s".to_string();
    }
    let (h, rest) = (total_ms / 3_600_000, total_ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s"), (ms, "ms")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepted_forms() {
        let cases: &[(&str, u64)] = &[
            ("90s", 90_000),
            ("10m", 600_000),
            ("2h", 7_200_000),
            ("1h30m", 5_400_000),
            ("1h0m5s", 3_605_000),
            ("45", 45_000),
            (" 45 ", 45_000),
            ("0", 0),
            ("500ms", 500),
            ("1s500ms", 1500),
        ];
        for &(text, ms) in cases {
            assert_eq!(
                parse_duration(text).expect(text),
                Duration::from_millis(ms),
                "{text}"
            );
        }
    }

    #[test]
    fn rejected_forms() {
        for bad in [
            "",
            "s",
            "10x",
            "1.5h",
            "-5s",
            "10 m",
            "30m1h",
            "1m1m",
            "5m10",
            "h1",
            "99999999999999h",
            "18446744073709551616",
        ] {
            let e = parse_duration(bad).expect_err(bad);
            assert!(matches!(e, ConfigError::Duration { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn formats_compactly() {
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(ms in 0u64..400_000_000) {
            let d = Duration::from_millis(ms);
            prop_assert_eq!(parse_duration(&format_duration(d)).expect("formatted"), d);
        }

        #[test]
        fn never_panics(s in ".{0,16}") {
            let _ = parse_duration(&s);
        }
    }
}
