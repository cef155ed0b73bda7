//! String `format`s: well-formed values (accepted by the `jsonschema` crate with format validation
//! on) and malformed ones for *invalid* mode.

use base64::Engine as _;
use rand::Rng;

const WORDS: [&str; 12] = [
    "alpha", "bravo", "shop", "order", "item", "cart", "user", "api", "blue", "green", "node",
    "store",
];
const TLDS: [&str; 5] = ["com", "org", "net", "io", "dev"];

/// A well-formed value for `format`; `None` for formats without string structure (unknown ones,
/// `password`, `binary`, numeric formats), which the caller fills like a plain string.
pub fn valid<R: Rng + ?Sized>(format: &str, rng: &mut R) -> Option<String> {
    Some(match format {
        "date" => date(rng),
        "date-time" => format!("{}T{}", date(rng), time(rng)),
        "time" => time(rng),
        "duration" => duration(rng),
        "email" | "idn-email" => {
            format!("{}.{}@{}", word(rng), rng.random_range(1..999), host(rng))
        }
        "hostname" | "idn-hostname" => host(rng),
        "ipv4" => ipv4(rng),
        "ipv6" => ipv6(rng),
        "uri" | "iri" | "url" => format!("https://{}/{}", host(rng), path(rng)),
        "uri-reference" | "iri-reference" => format!("/{}", path(rng)),
        "uri-template" => format!("https://{}/{{id}}", host(rng)),
        "uuid" => uuid(rng),
        "json-pointer" => format!("/{}/{}", word(rng), rng.random_range(0..10)),
        "relative-json-pointer" => format!("{}/{}", rng.random_range(0..3), word(rng)),
        "regex" => "^[a-z]+[0-9]*$".to_owned(),
        "byte" | "base64" => {
            let n = rng.random_range(0..24);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            base64::engine::general_purpose::STANDARD.encode(bytes)
        }
        "phone" => format!("+1{}", rng.random_range(2_000_000_000u64..9_999_999_999)),
        _ => return None,
    })
}

/// A malformed value for `format` (wrong structure or out-of-range fields); `None` for formats
/// without structure.
pub fn malformed<R: Rng + ?Sized>(format: &str, rng: &mut R) -> Option<String> {
    let choices: &[&str] = match format {
        "date" => &[
            "2024-13-01",
            "2024-02-30",
            "20240101",
            "01/02/2024",
            "2024-1-1",
            "tomorrow",
        ],
        "date-time" => &[
            "2024-01-01",
            "2024-01-01T25:00:00Z",
            "2024-01-01 10:00:00",
            "2024-01-01T10:00:00",
            "yesterday at noon",
        ],
        "time" => &["25:00:00Z", "10:61:00Z", "10:00", "noon"],
        "duration" => &["P", "PT", "3 days", "P1H"],
        "email" | "idn-email" => &[
            "plainaddress",
            "@example.com",
            "a@",
            "a@@b.com",
            "a b@c.com",
        ],
        "hostname" | "idn-hostname" => &["-bad-.com", "a..b", "under_score.com", "ex ample.com"],
        "ipv4" => &["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "a.b.c.d"],
        "ipv6" => &["1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7:8:9", ":::"],
        "uri" | "iri" | "url" => &["no scheme here", "/relative/only", "http://[::1", "://x"],
        "uri-reference" | "iri-reference" => &["http://[::1", "\\\\server\\share"],
        "uuid" => &[
            "not-a-uuid",
            "123e4567-e89b-12d3-a456-42661417400",
            "123e4567e89b12d3a456426614174000x",
            "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        ],
        "json-pointer" => &["no-leading-slash", "/a~2b"],
        "regex" => &["[unclosed", "(a", "*a"],
        "byte" | "base64" => &["not base64!", "abc", "===="],
        _ => return None,
    };
    Some(choices[rng.random_range(..choices.len())].to_owned())
}

fn word<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    WORDS[rng.random_range(..WORDS.len())]
}

fn host<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("{}.{}", word(rng), TLDS[rng.random_range(..TLDS.len())])
}

fn path<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("{}/{}", word(rng), rng.random_range(1..10_000))
}

fn date<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        rng.random_range(1970..2040),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    )
}

fn time<R: Rng + ?Sized>(rng: &mut R) -> String {
    let base = format!(
        "{:02}:{:02}:{:02}",
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60)
    );
    let frac = if rng.random_bool(0.3) {
        format!(".{:03}", rng.random_range(0..1000))
    } else {
        String::new()
    };
    let zone = if rng.random_bool(0.7) {
        "Z".to_owned()
    } else {
        format!(
            "{}{:02}:{:02}",
            if rng.random_bool(0.5) { '+' } else { '-' },
            rng.random_range(0..14),
            [0, 30, 45][rng.random_range(0..3)]
        )
    };
    format!("{base}{frac}{zone}")
}

fn duration<R: Rng + ?Sized>(rng: &mut R) -> String {
    match rng.random_range(0..3) {
        0 => format!("P{}D", rng.random_range(1..400)),
        1 => format!("PT{}H{}M", rng.random_range(1..24), rng.random_range(1..60)),
        _ => format!("P{}Y{}M", rng.random_range(1..5), rng.random_range(1..12)),
    }
}

fn ipv4<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        "{}.{}.{}.{}",
        rng.random_range(1..=254),
        rng.random_range(0..=255),
        rng.random_range(0..=255),
        rng.random_range(1..=254)
    )
}

fn ipv6<R: Rng + ?Sized>(rng: &mut R) -> String {
    if rng.random_bool(0.3) {
        return format!("fe80::{:x}:{:x}", rng.random::<u16>(), rng.random::<u16>());
    }
    let groups: Vec<String> = (0..8)
        .map(|_| format!("{:x}", rng.random::<u16>()))
        .collect();
    groups.join(":")
}

fn uuid<R: Rng + ?Sized>(rng: &mut R) -> String {
    let a: u32 = rng.random();
    let b: u16 = rng.random();
    let c: u16 = (rng.random::<u16>() & 0x0fff) | 0x4000;
    let d: u16 = (rng.random::<u16>() & 0x3fff) | 0x8000;
    let e: u64 = rng.random::<u64>() & 0xffff_ffff_ffff;
    format!("{a:08x}-{b:04x}-{c:04x}-{d:04x}-{e:012x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    const CHECKED: [&str; 13] = [
        "date",
        "date-time",
        "time",
        "duration",
        "email",
        "hostname",
        "ipv4",
        "ipv6",
        "uri",
        "uri-reference",
        "uuid",
        "json-pointer",
        "regex",
    ];

    fn validator(format: &str) -> jsonschema::Validator {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&json!({"type": "string", "format": format}))
            .expect("schema builds")
    }

    #[test]
    fn valid_formats_pass_jsonschema() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for f in CHECKED {
            let v = validator(f);
            for _ in 0..200 {
                let s = valid(f, &mut rng).expect("structured format");
                assert!(v.is_valid(&json!(s)), "{f}: {s:?} rejected");
            }
        }
    }

    #[test]
    fn malformed_formats_fail_jsonschema() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for f in CHECKED {
            let v = validator(f);
            for _ in 0..50 {
                let s = malformed(f, &mut rng).expect("structured format");
                assert!(!v.is_valid(&json!(s)), "{f}: {s:?} accepted");
            }
        }
    }
}
