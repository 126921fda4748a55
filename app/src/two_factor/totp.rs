//! Time-based one-time passwords (RFC 6238) as every authenticator app computes them:
//! HMAC-SHA1, 6 digits, 30-second steps, one step of clock skew either way.
//!
//! Checking a code yields the time step it matched, so the caller can refuse that step (and any
//! earlier one) forever after: a code is accepted once only.

use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

pub const DIGITS: usize = 6;
pub const STEP_SECONDS: i64 = 30;
/// Steps accepted on either side of the current one.
pub const SKEW_STEPS: i64 = 1;
/// 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
pub const SECRET_BYTES: usize = 20;
pub const ISSUER: &str = "Steward";

pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret as people type it into an app: base32 without padding.
pub fn encode_secret(secret: &[u8]) -> String {
    match Secret::Raw(secret.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => String::new(),
    }
}

/// The bytes of a base32 secret (spaces allowed), as an app reads what people type.
pub fn decode_secret(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    Secret::Encoded(compact.to_uppercase()).to_bytes().ok()
}

/// The code of `digits` digits for the step containing `unix_seconds`.
pub fn code_at(secret: &[u8], digits: usize, unix_seconds: u64) -> String {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        digits,
        0,
        STEP_SECONDS as u64,
        secret.to_vec(),
    )
    .generate(unix_seconds)
}

pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// Digits only: people paste codes with spaces ("123 456").
pub fn normalize_code(raw: &str) -> Option<String> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The time step whose code `code` is, within the allowed skew around `now`; the latest one when
/// several match. Every candidate is compared, in constant time, whatever the outcome.
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let code = normalize_code(code)?;
    let current = step_of(now);
    let mut found = None;
    for step in (current - SKEW_STEPS)..=(current + SKEW_STEPS) {
        if step < 0 {
            continue;
        }
        let expected = code_at(secret, DIGITS, (step * STEP_SECONDS) as u64);
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` address an app reads from the QR code.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        issuer = percent_encode(ISSUER),
        account = percent_encode(account),
        secret = encode_secret(secret),
    )
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The QR code of `text` as the path of an SVG drawing (one unit per module, a 4-module quiet
/// zone included). Drawn on the server, so no third party ever sees the secret.
pub fn qr_svg(text: &str) -> Option<super::QrSvg> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Some(super::QrSvg {
        size: (qr.size() + 2 * border) as u32,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, the SHA1 rows: the ASCII secret "12345678901234567890", 8 digits.
    #[test]
    fn rfc_6238_appendix_b_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(secret, 8, time), expected, "T = {time}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_digits_of_the_rfc_values() {
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 6, 59), "287082");
        assert_eq!(code_at(secret, 6, 1_111_111_109), "081804");
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let secret = new_secret();
        let now = 1_790_000_015; // inside a step
        let step = step_of(now);
        let code_for = |s: i64| code_at(&secret, DIGITS, (s * STEP_SECONDS) as u64);
        assert_eq!(matching_step(&secret, &code_for(step), now), Some(step));
        assert_eq!(
            matching_step(&secret, &code_for(step - 1), now),
            Some(step - 1)
        );
        assert_eq!(
            matching_step(&secret, &code_for(step + 1), now),
            Some(step + 1)
        );
        // Two steps away is refused (unless it happens to collide with an allowed code).
        for far in [step - 2, step + 2] {
            let code = code_for(far);
            if ![step - 1, step, step + 1]
                .iter()
                .any(|s| code_for(*s) == code)
            {
                assert_eq!(matching_step(&secret, &code, now), None);
            }
        }
    }

    #[test]
    fn codes_are_normalised_and_checked_for_shape() {
        assert_eq!(normalize_code(" 123 456 "), Some("123456".into()));
        assert_eq!(normalize_code("12345"), None);
        assert_eq!(normalize_code("1234567"), None);
        assert_eq!(normalize_code("12345a"), None);
        assert_eq!(matching_step(&new_secret(), "abcdef", 1_790_000_000), None);
    }

    #[test]
    fn secrets_are_160_bits_and_base32() {
        let secret = new_secret();
        assert_eq!(secret.len(), 20);
        assert_ne!(secret, new_secret());
        let text = encode_secret(&secret);
        assert_eq!(text.len(), 32);
        assert_eq!(decode_secret(&text), Some(secret.clone()));
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    }

    #[test]
    fn otpauth_uri_names_issuer_account_and_parameters() {
        let uri = otpauth_uri(b"12345678901234567890", "ada+x@example.com");
        assert!(uri.starts_with("otpauth://totp/Steward:ada%2Bx@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steward"), "{uri}");
        assert!(uri.ends_with("&algorithm=SHA1&digits=6&period=30"));
    }

    #[test]
    fn qr_code_is_drawn_locally() {
        let qr = qr_svg("otpauth://totp/Steward:a@example.com?secret=ABC").unwrap_or_default();
        assert!(qr.size >= 21 + 8, "{}", qr.size);
        assert!(qr.path.starts_with('M') && qr.path.contains("h1v1h-1z"));
    }
}
