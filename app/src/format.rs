//! Formatting shared by server rendering and the browser, so both produce the same text.

/// `22.11.2026 14:05 CET` from Unix seconds: the date and time as a person in Switzerland
/// writes them, on the clock of the person's time zone ([`Zone`]), with its abbreviation.
/// Its spaces are no-break spaces, so that a narrow column never splits it.
pub fn datetime(unix_seconds: i64) -> String {
    with_zone(|zone| datetime_in(unix_seconds, zone))
}

/// The same in an email, which also names its zone: `22.11.2026 14:05 CET (Europe/Zurich)`.
pub fn datetime_named(unix_seconds: i64) -> String {
    with_zone(|zone| {
        let time = datetime_in(unix_seconds, zone).replace('\u{a0}', " ");
        if zone.name == "UTC" {
            time
        } else {
            format!("{time} ({})", zone.name)
        }
    })
}

/// [`datetime`] on the clock of `zone`.
pub fn datetime_in(unix_seconds: i64, zone: &Zone) -> String {
    let period = zone.at(unix_seconds);
    let local = unix_seconds + i64::from(period.offset);
    let seconds_of_day = local.rem_euclid(86_400);
    format!(
        "{}\u{a0}{:02}:{:02}\u{a0}{}",
        date(local),
        seconds_of_day / 3600,
        (seconds_of_day % 3600) / 60,
        period.abbreviation
    )
}

/// A time zone as pages need it: its name and its offsets from UTC over the years around now.
/// The server reads the time zone database (`jiff`, server only) and sends this in every page
/// (`<meta name="steward-zone">`), so the browser formats a time exactly as the server did
/// without a time zone database of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    /// The IANA name: `Europe/Zurich`.
    pub name: String,
    /// In order; the first also applies to every earlier instant.
    periods: Vec<Period>,
}

/// From `from` on (Unix seconds), the clock is `offset` seconds ahead of UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: i64,
    pub offset: i32,
    pub abbreviation: String,
}

/// The years around now that [`Zone`] covers: offsets before or after follow the nearest known
/// period (a time more than twenty years away is shown on that clock).
pub const ZONE_YEARS_AROUND: i64 = 20;

impl Zone {
    pub fn utc() -> Zone {
        Zone::new(
            "UTC",
            vec![Period {
                from: i64::MIN,
                offset: 0,
                abbreviation: "UTC".to_owned(),
            }],
        )
    }

    /// `periods` in any order; at least one (else this is UTC).
    pub fn new(name: &str, mut periods: Vec<Period>) -> Zone {
        if periods.is_empty() {
            return Zone::utc();
        }
        periods.sort_by_key(|p| p.from);
        Zone {
            name: name.to_owned(),
            periods,
        }
    }

    /// The period `unix_seconds` falls in.
    pub fn at(&self, unix_seconds: i64) -> &Period {
        let after = self.periods.partition_point(|p| p.from <= unix_seconds);
        &self.periods[after.saturating_sub(1)]
    }

    /// One line for the page: `Europe/Zurich;CET 3600,CEST 7200;0 0,1774746000 1,…` — the
    /// name, the distinct offsets, then each period's start and offset index.
    pub fn encode(&self) -> String {
        let mut kinds: Vec<(i32, &str)> = Vec::new();
        let mut starts = Vec::with_capacity(self.periods.len());
        for (i, period) in self.periods.iter().enumerate() {
            let kind = (period.offset, period.abbreviation.as_str());
            let index = match kinds.iter().position(|k| *k == kind) {
                Some(index) => index,
                None => {
                    kinds.push(kind);
                    kinds.len() - 1
                }
            };
            let from = if i == 0 { 0 } else { period.from };
            starts.push(format!("{from} {index}"));
        }
        let kinds: Vec<String> = kinds.iter().map(|(o, a)| format!("{a} {o}")).collect();
        format!("{};{};{}", self.name, kinds.join(","), starts.join(","))
    }

    /// Reads [`Zone::encode`]'s line back; `None` when it is damaged.
    pub fn decode(text: &str) -> Option<Zone> {
        let mut parts = text.split(';');
        let name = parts.next()?;
        let kinds: Vec<(i32, String)> = parts
            .next()?
            .split(',')
            .map(|k| {
                let (abbreviation, offset) = k.rsplit_once(' ')?;
                Some((offset.parse().ok()?, abbreviation.to_owned()))
            })
            .collect::<Option<_>>()?;
        let mut periods = Vec::new();
        for (i, start) in parts.next()?.split(',').enumerate() {
            let (from, index) = start.split_once(' ')?;
            let (offset, abbreviation) = kinds.get(index.parse::<usize>().ok()?)?.clone();
            periods.push(Period {
                from: if i == 0 { i64::MIN } else { from.parse().ok()? },
                offset,
                abbreviation,
            });
        }
        if name.is_empty() || periods.is_empty() || parts.next().is_some() {
            return None;
        }
        Some(Zone::new(name, periods))
    }

    /// The zone called `name` in the time zone database, over [`ZONE_YEARS_AROUND`] years
    /// either side of `now`; `None` for a name the database does not know.
    #[cfg(feature = "ssr")]
    pub fn named(name: &str, now: i64) -> Option<Zone> {
        use jiff::{tz::TimeZone, Timestamp};
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        let tz = TimeZone::get(name).ok()?;
        let span = ZONE_YEARS_AROUND * 365 * 86_400;
        let start = Timestamp::from_second(now - span).ok()?;
        let end = now + span;
        let first = tz.to_offset_info(start);
        let mut periods = vec![Period {
            from: i64::MIN,
            offset: first.offset().seconds(),
            abbreviation: first.abbreviation().to_owned(),
        }];
        for transition in tz.following(start) {
            let from = transition.timestamp().as_second();
            if from >= end {
                break;
            }
            periods.push(Period {
                from,
                offset: transition.offset().seconds(),
                abbreviation: transition.abbreviation().to_owned(),
            });
        }
        Some(Zone::new(name, periods))
    }

    /// Every name the time zone database knows, sorted.
    #[cfg(feature = "ssr")]
    pub fn names() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_owned())
            .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
            .collect();
        names.push("UTC".to_owned());
        names.sort();
        names.dedup();
        names
    }
}

/// The operator's time zone (`time_zone` in Leptos.toml), used where no person's is known:
/// emails and what server functions write. Set once at start-up; UTC until then.
#[cfg(feature = "ssr")]
static OPERATOR_ZONE: std::sync::OnceLock<Zone> = std::sync::OnceLock::new();

#[cfg(feature = "ssr")]
pub fn set_operator_zone(zone: Zone) {
    let _ = OPERATOR_ZONE.set(zone);
}

#[cfg(feature = "ssr")]
pub fn operator_zone() -> Zone {
    OPERATOR_ZONE.get().cloned().unwrap_or_else(Zone::utc)
}

/// The zone times are shown in. On the server: the one this page is rendered for (provided by
/// `app::shell` from the request), else the operator's. In the browser: the one the server
/// wrote in the page.
#[cfg(feature = "ssr")]
fn with_zone<R>(f: impl FnOnce(&Zone) -> R) -> R {
    match (leptos::prelude::use_context::<Zone>(), OPERATOR_ZONE.get()) {
        (Some(zone), _) => f(&zone),
        (None, Some(zone)) => f(zone),
        (None, None) => f(&Zone::utc()),
    }
}

#[cfg(not(feature = "ssr"))]
fn with_zone<R>(f: impl FnOnce(&Zone) -> R) -> R {
    thread_local! {
        static PAGE_ZONE: Zone = page_zone();
    }
    PAGE_ZONE.with(|zone| f(zone))
}

/// The zone the server wrote in the page (`<meta name="steward-zone">`).
#[cfg(not(feature = "ssr"))]
fn page_zone() -> Zone {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("meta[name=steward-zone]").ok().flatten())
            .and_then(|meta| meta.get_attribute("content"))
            .and_then(|text| Zone::decode(&text))
            .unwrap_or_else(Zone::utc)
    }
    #[cfg(not(feature = "hydrate"))]
    Zone::utc()
}

/// The name of the cookie in which the browser tells the server its time zone.
pub const BROWSER_ZONE_COOKIE: &str = "steward_tz";

/// Tells the server the browser's time zone (a cookie, read for people who have not chosen
/// one in their profile), when it is not what the server already knows.
#[cfg(feature = "hydrate")]
pub fn remember_browser_zone() {
    use wasm_bindgen::JsValue;
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    let Some(name) = js_sys::Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
    else {
        return;
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))
    {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let wanted = format!("{BROWSER_ZONE_COOKIE}={name}");
    let cookies = js_sys::Reflect::get(&document, &JsValue::from_str("cookie"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if cookies.split("; ").any(|c| c == wanted) {
        return;
    }
    let _ = js_sys::Reflect::set(
        &document,
        &JsValue::from_str("cookie"),
        &JsValue::from_str(&format!("{wanted}; Path=/; Max-Age=31536000; SameSite=Lax")),
    );
}

/// `22.11.2026` from Unix seconds (the UTC day).
pub fn date(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{day:02}.{month:02}.{year:04}")
}

/// `2026-11-22`: the form a date input (`<input type="date">`) and a URL hold.
pub fn iso_date(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Unix seconds at 00:00 UTC of a `YYYY-MM-DD` date; `None` when it is not a real date.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // Round-trip to refuse the 31st of a 30-day month and the like.
    (civil_from_days(days) == (year, month, day)).then_some(days * 86_400)
}

/// `months` calendar months after `unix_seconds` (same time of day); the 31st of January plus
/// one month is the last day of February.
pub fn add_months(unix_seconds: i64, months: i64) -> i64 {
    let days = unix_seconds.div_euclid(86_400);
    let seconds_of_day = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let index = year * 12 + i64::from(month) - 1 + months;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
    let last = (28..=31)
        .rev()
        .find(|d| civil_from_days(days_from_civil(year, month, *d)) == (year, month, *d))
        .unwrap_or(28);
    days_from_civil(year, month, day.min(last)) * 86_400 + seconds_of_day
}

/// (year, month, day) to days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// "Firefox on Linux" from a User-Agent header; "Unknown device" when nothing is recognised.
pub fn device(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => "Unknown device".to_owned(),
    }
}

/// Text made safe to place between HTML tags or inside a quoted attribute value: the five
/// characters that can end an element, a tag or an attribute become character references.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters (RFC 3986), e.g. for a `data:` URL.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `LIKE` pattern that matches `text` anywhere, with `%`, `_` and `\` taken literally.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Up to two capital letters, one from each name.
pub fn initials(first_name: &str, last_name: &str) -> String {
    [first_name, last_name]
        .iter()
        .filter_map(|n| n.trim().chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_added_on_the_calendar() {
        let at = |d: &str| parse_date(d).expect(d);
        assert_eq!(add_months(at("2026-01-31"), 1), at("2026-02-28"));
        assert_eq!(add_months(at("2028-01-31"), 1), at("2028-02-29"));
        assert_eq!(
            add_months(at("2026-12-03") + 3600, 12),
            at("2027-12-03") + 3600
        );
        assert_eq!(add_months(at("2026-11-15"), 3), at("2027-02-15"));
    }

    #[test]
    fn dates_parse_and_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_date("2026-11-22").map(iso_date),
            Some("2026-11-22".to_owned())
        );
        assert_eq!(
            parse_date("2024-02-29").map(iso_date),
            Some("2024-02-29".to_owned())
        );
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2026-04-31"), None);
        assert_eq!(parse_date("22.11.2026"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn formats_known_instants() {
        let plain = |t| datetime(t).replace('\u{a0}', " ");
        assert_eq!(plain(0), "01.01.1970 00:00 UTC");
        assert_eq!(plain(951_782_400), "29.02.2000 00:00 UTC");
        assert_eq!(plain(1_795_350_300), "22.11.2026 12:25 UTC");
        assert!(!datetime(0).contains(' '), "never split");
        assert_eq!(date(-86_400), "31.12.1969");
        assert_eq!(date(1_795_350_300), "22.11.2026");
        assert_eq!(iso_date(1_795_350_300), "2026-11-22");
    }

    /// Europe/Zurich around the spring change of 2026 (29 March, 01:00 UTC) and the autumn
    /// one (25 October, 01:00 UTC), written by hand from the rule (last Sunday, 01:00 UTC).
    fn zurich_by_hand() -> Zone {
        let period = |from, offset, abbreviation: &str| Period {
            from,
            offset,
            abbreviation: abbreviation.to_owned(),
        };
        Zone::new(
            "Europe/Zurich",
            vec![
                period(i64::MIN, 3600, "CET"),
                period(1_774_746_000, 7200, "CEST"),
                period(1_792_890_000, 3600, "CET"),
            ],
        )
    }

    #[test]
    fn times_follow_the_clock_across_a_daylight_saving_change() {
        let zone = zurich_by_hand();
        let plain = |t| datetime_in(t, &zone).replace('\u{a0}', " ");
        let spring = 1_774_746_000; // 29.03.2026 01:00 UTC
        assert_eq!(plain(spring - 60), "29.03.2026 01:59 CET");
        assert_eq!(plain(spring), "29.03.2026 03:00 CEST");
        let autumn = 1_792_890_000; // 25.10.2026 01:00 UTC
        assert_eq!(plain(autumn - 60), "25.10.2026 02:59 CEST");
        assert_eq!(plain(autumn), "25.10.2026 02:00 CET");
        // The local day, not the UTC one: 23:30 UTC on 31 December is already New Year here.
        assert_eq!(plain(1_798_759_800), "01.01.2027 00:30 CET");
        // West of Greenwich, the day before.
        let new_york = Zone::new(
            "America/New_York",
            vec![Period {
                from: i64::MIN,
                offset: -5 * 3600,
                abbreviation: "EST".into(),
            }],
        );
        assert_eq!(
            datetime_in(1_798_759_800, &new_york).replace('\u{a0}', " "),
            "31.12.2026 18:30 EST"
        );
        assert!(!datetime_in(spring, &zone).contains(' '), "never split");
    }

    #[test]
    fn a_zone_travels_in_one_line() {
        let zone = zurich_by_hand();
        let line = zone.encode();
        assert_eq!(
            line,
            "Europe/Zurich;CET 3600,CEST 7200;0 0,1774746000 1,1792890000 0"
        );
        assert_eq!(Zone::decode(&line), Some(zone));
        assert_eq!(Zone::decode(&Zone::utc().encode()), Some(Zone::utc()));
        for damaged in [
            "",
            "Europe/Zurich",
            "X;CET 3600;0 1",
            "X;CET x;0 0",
            "X;;",
            "X;CET 3600;0 0;",
        ] {
            assert_eq!(Zone::decode(damaged), None, "{damaged}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_database_agrees_with_the_rule() {
        let now = 1_795_350_300; // 22.11.2026
        let zurich = Zone::named("Europe/Zurich", now).expect("known");
        let by_hand = zurich_by_hand();
        for t in [
            1_774_746_000 - 1,
            1_774_746_000,
            1_792_890_000 - 1,
            1_792_890_000,
            now,
        ] {
            let (found, expected) = (zurich.at(t), by_hand.at(t));
            assert_eq!(
                (found.offset, &found.abbreviation),
                (expected.offset, &expected.abbreviation),
                "at {t}"
            );
        }
        // Southern hemisphere: summer time in January.
        let sydney = Zone::named("Australia/Sydney", now).expect("known");
        assert_eq!(sydney.at(1_798_761_600).offset, 11 * 3600);
        assert_eq!(sydney.at(1_783_000_000).offset, 10 * 3600);
        assert_eq!(Zone::named("Mars/Olympus_Mons", now), None);
        assert_eq!(Zone::named("", now), None);
        let names = Zone::names();
        assert!(names.iter().any(|n| n == "Europe/Zurich") && names.iter().any(|n| n == "UTC"));
        // A page carries about twenty years either side: some eighty changes for Zurich.
        assert!(zurich.encode().len() < 1_400, "{}", zurich.encode().len());
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(percent_encode("x y\né"), "x%20y%0A%C3%A9");
    }

    #[test]
    fn html_escaping_neutralises_markup() {
        assert_eq!(
            escape_html("</title><script>alert('x\")</script>&"),
            "&lt;/title&gt;&lt;script&gt;alert(&#39;x&quot;)&lt;/script&gt;&amp;"
        );
        assert_eq!(escape_html("Café · Zürich"), "Café · Zürich");
    }

    #[test]
    fn recognises_common_browsers() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(device(chrome), "Chrome on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device(iphone), "Safari on iOS");
        assert_eq!(device(""), "Unknown device");
    }
}
