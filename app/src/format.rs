//! Formatting shared by server rendering and the browser, so both produce the same text.

/// `22.11.2026 13:05 UTC` from Unix seconds: the date as a person in Switzerland writes it.
/// Its spaces are no-break spaces, so that a narrow column never splits it.
pub fn datetime(unix_seconds: i64) -> String {
    let seconds_of_day = unix_seconds.rem_euclid(86_400);
    format!(
        "{}\u{a0}{:02}:{:02}\u{a0}UTC",
        date(unix_seconds),
        seconds_of_day / 3600,
        (seconds_of_day % 3600) / 60
    )
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
