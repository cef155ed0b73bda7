//! Tests of the throttle: a manual clock makes every wait exact and instant.

use super::*;
use crate::transport::FakeTransport;

fn req() -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path_and_query: "/".into(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn wall() -> SystemTime {
    // 2026-01-01T00:00:00Z
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// A throttle over a fake target answering `statuses[i]` (with optional Retry-After) to
/// request `i`, taking `latency` of manual time per request.
fn rig(
    config: ThrottleConfig,
    script: Vec<(u16, Option<&'static str>)>,
    latency: Duration,
) -> (Throttled<FakeTransport, ManualClock>, ManualClock) {
    let clock = ManualClock::new(wall());
    let handle = clock.clone();
    let mut i = 0;
    let fake = FakeTransport::new(move |_| {
        handle.advance(latency);
        let (status, retry) = script.get(i).copied().unwrap_or((200, None));
        i += 1;
        let mut resp = FakeTransport::response(status, "{}");
        if let Some(r) = retry {
            resp.headers.push(("Retry-After".into(), r.into()));
        }
        Ok(resp)
    });
    (Throttled::with_clock(fake, config, clock.clone()), clock)
}

/// Sends once and returns (status, time slept before it).
fn step(t: &mut Throttled<FakeTransport, ManualClock>) -> (u16, Duration) {
    let before = t.stats().slept;
    let status = t.send(&req()).expect("fake answers").status;
    (status, t.stats().slept - before)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn no_limit_never_sleeps() {
    let (mut t, clock) = rig(ThrottleConfig::default(), vec![], Duration::ZERO);
    for _ in 0..100 {
        assert_eq!(step(&mut t), (200, Duration::ZERO));
    }
    assert_eq!(clock.now(), Duration::ZERO);
    assert_eq!(t.stats(), ThrottleStats::default());
}

#[test]
fn rate_limit_spaces_requests_exactly() {
    let (mut t, clock) = rig(
        ThrottleConfig::with_rate_limit(Some(10.0)),
        vec![],
        Duration::ZERO,
    );
    let slept: Vec<Duration> = (0..5).map(|_| step(&mut t).1).collect();
    assert_eq!(slept, [ms(0), ms(100), ms(100), ms(100), ms(100)]);
    assert_eq!(clock.now(), ms(400));
    assert_eq!(t.stats().rate_waits, 4);
}

#[test]
fn rate_limit_sleeps_only_what_is_missing() {
    // 30 ms of latency per request: each later request waits the remaining 70 ms.
    let (mut t, _) = rig(ThrottleConfig::with_rate_limit(Some(10.0)), vec![], ms(30));
    let slept: Vec<Duration> = (0..4).map(|_| step(&mut t).1).collect();
    assert_eq!(slept, [ms(0), ms(70), ms(70), ms(70)]);
    // Slower than the limit: no waiting at all.
    let (mut t, _) = rig(ThrottleConfig::with_rate_limit(Some(10.0)), vec![], ms(150));
    assert!((0..4).all(|_| step(&mut t).1.is_zero()));
    // An idle period does not bank more than the burst.
    let (mut t, clock) = rig(ThrottleConfig::with_rate_limit(Some(10.0)), vec![], ms(0));
    step(&mut t);
    clock.advance(Duration::from_secs(5));
    assert_eq!(step(&mut t).1, ms(0));
    assert_eq!(step(&mut t).1, ms(100));
}

#[test]
fn burst_allows_back_to_back_requests() {
    let config = ThrottleConfig {
        burst: 3,
        ..ThrottleConfig::with_rate_limit(Some(1.0))
    };
    let (mut t, _) = rig(config, vec![], Duration::ZERO);
    let slept: Vec<Duration> = (0..5).map(|_| step(&mut t).1).collect();
    assert_eq!(slept, [ms(0), ms(0), ms(0), ms(1000), ms(1000)]);
}

#[test]
fn exponential_backoff_doubles_caps_and_resets() {
    let mut script = vec![(429, None); 9];
    script.push((200, None));
    script.push((503, None));
    let (mut t, _) = rig(ThrottleConfig::default(), script, Duration::ZERO);
    let got: Vec<(u16, Duration)> = (0..12).map(|_| step(&mut t)).collect();
    let want = [
        (429, 0),
        (429, 100),
        (429, 200),
        (429, 400),
        (429, 800),
        (429, 1600),
        (429, 3200),
        (429, 6400),
        (429, 10_000),
        (200, 10_000),
        (503, 0),
        (200, 100),
    ];
    let want: Vec<(u16, Duration)> = want.iter().map(|&(s, d)| (s, ms(d))).collect();
    assert_eq!(got, want);
    // The 429s went to the caller one by one: no hidden retries.
    assert_eq!(t.inner().sent.len(), 12);
    assert_eq!(t.stats().backoffs, 10);
}

#[test]
fn retry_after_is_honoured_and_capped() {
    let script = vec![
        (429, Some("2")),
        (503, Some("120")),
        (429, Some("Thu, 01 Jan 2026 00:00:40 GMT")),
        (429, Some("Wed, 31 Dec 2025 23:00:00 GMT")),
        (429, Some("soon")),
        (500, None),
    ];
    let (mut t, clock) = rig(ThrottleConfig::default(), script, Duration::ZERO);
    let slept: Vec<Duration> = (0..7).map(|_| step(&mut t).1).collect();
    // 2 s; 120 s capped to 30 s; a date 8 s after the wall clock (now at 32 s); a past date: 0;
    // garbage: exponential from 100 ms; a 500 sets no backoff.
    assert_eq!(
        slept,
        [ms(0), ms(2000), ms(30_000), ms(8000), ms(0), ms(100), ms(0)]
    );
    assert_eq!(clock.now(), ms(40_100));
    assert_eq!(t.stats().slept, ms(40_100));
}

#[test]
fn backoff_and_rate_limit_do_not_add_up() {
    // After a 1 s backoff the rate-limit token (100 ms) is long available.
    let (mut t, _) = rig(
        ThrottleConfig::with_rate_limit(Some(10.0)),
        vec![(429, Some("1"))],
        Duration::ZERO,
    );
    assert_eq!(step(&mut t).1, ms(0));
    assert_eq!(step(&mut t).1, ms(1000));
    assert_eq!(step(&mut t).1, ms(100));
}

#[test]
fn transport_errors_pass_through_untouched() {
    let clock = ManualClock::new(wall());
    let fake = FakeTransport::new(|_| Err(TransportError::Timeout));
    let mut t = Throttled::with_clock(fake, ThrottleConfig::default(), clock);
    assert_eq!(t.send(&req()), Err(TransportError::Timeout));
    assert_eq!(t.send(&req()), Err(TransportError::Timeout));
    assert_eq!(t.stats(), ThrottleStats::default());
}

#[test]
fn the_system_clock_really_waits() {
    let fake = FakeTransport::new(|_| Ok(FakeTransport::response(200, "{}")));
    let mut t = Throttled::new(fake, ThrottleConfig::with_rate_limit(Some(200.0)));
    let start = Instant::now();
    for _ in 0..5 {
        t.send(&req()).expect("fake answers");
    }
    // Four gaps of 5 ms; only a lower bound, so a busy machine cannot make this flaky.
    assert!(start.elapsed() >= ms(20), "{:?}", start.elapsed());
    assert!(t.stats().slept >= ms(15));
}

#[test]
fn extreme_rates_stay_bounded() {
    assert_eq!(
        ThrottleConfig::with_rate_limit(Some(1e-30)).interval(),
        Some(MAX_INTERVAL)
    );
    assert_eq!(
        ThrottleConfig::with_rate_limit(Some(1e12)).interval(),
        Some(Duration::from_nanos(1))
    );
    assert_eq!(ThrottleConfig::with_rate_limit(Some(0.0)).interval(), None);
    assert_eq!(
        ThrottleConfig::with_rate_limit(Some(f64::NAN)).interval(),
        None
    );
}

#[test]
fn http_dates_in_all_three_forms() {
    let want = UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06T08:49:37Z
    for text in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ] {
        assert_eq!(parse_http_date(text), Some(want), "{text}");
    }
    assert_eq!(
        parse_http_date("Thu, 29 Feb 2024 23:59:60 GMT"),
        Some(UNIX_EPOCH + Duration::from_secs(1_709_251_200))
    );
    assert_eq!(
        parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
        Some(UNIX_EPOCH)
    );
    for bad in [
        "",
        "yesterday",
        "Sun, 06 Nov 1994 08:49:37 CET",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1969 08:49:37 GMT",
        "Sun, 06 Nov 194 08:49:37 GMT",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
}

proptest::proptest! {
    #[test]
    fn date_parsing_never_panics(s in "\\PC{0,40}|[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{2,4} [0-9:]{5,9} GMT") {
        let _ = parse_http_date(&s);
        let _ = retry_after(&s, wall());
    }
}

#[test]
fn retry_after_values() {
    let now = wall();
    assert_eq!(retry_after(" 3 ", now), Some(ms(3000)));
    assert_eq!(retry_after("0", now), Some(ms(0)));
    assert_eq!(
        retry_after("99999999999999999999999", now),
        Some(Duration::from_secs(u64::MAX))
    );
    assert_eq!(
        retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now),
        Some(ms(60_000))
    );
    assert_eq!(retry_after("-1", now), None);
    assert_eq!(retry_after("1.5", now), None);
}
