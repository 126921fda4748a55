//! Secret tokens — sessions, links sent by email, API tokens, application passwords — and the
//! cookie that carries a session. A token is 256 random bits; only its SHA-256 is stored, as a
//! [`TokenHash`], so a copy of the database cannot be replayed as a cookie or a link.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "steward_session";
/// The name whenever the cookie is `Secure`: browsers accept a `__Host-` cookie only from a
/// secure origin, for the exact host and path `/`, so neither a sibling subdomain nor a
/// plain-http page can plant or overwrite it.
pub const SECURE_COOKIE_NAME: &str = "__Host-steward_session";

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The stored form of a secret token. It cannot be serialized or printed (its `Debug` is
/// redacted), so it cannot reach a page, a log line or a wire type by mistake; the store binds
/// it as text.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for TokenHash {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(…)")
    }
}

/// A fresh token (for the cookie or the link) and its hash (for the database).
pub fn new_token() -> (String, TokenHash) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> TokenHash {
    let digest = Sha256::digest(token.as_bytes());
    TokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether two hashes are equal, in time that does not depend on where they differ.
pub fn same_hash(a: &TokenHash, b: &TokenHash) -> bool {
    a.0.len() == b.0.len()
        && a.0
            .bytes()
            .zip(b.0.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A server-side key for keyed hashes (the device passwords of mail addresses): 256 bits, never
/// printed (its `Debug` is redacted), given by the operator or made once by the server.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// From 64 hexadecimal digits (how the operator gives it and the database keeps it).
    pub fn from_hex(text: &str) -> Option<SecretKey> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(SecretKey(bytes))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key itself, for a cipher in this crate (`mail::seal`).
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// HMAC-SHA256 of `parts` (each length-prefixed, so no two lists give the same input): a
    /// fast hash that is right for long random secrets, and that a copy of the database alone
    /// cannot be used to test guesses against.
    pub fn keyed_hash(&self, parts: &[&str]) -> TokenHash {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        let digest = mac.finalize().into_bytes();
        TokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// A token has the exact shape we issue; anything else is not even looked up.
pub fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `Set-Cookie` value for a new session. A remembered session gets `Max-Age`; otherwise the
/// cookie ends with the browser session.
pub fn cookie(token: &str, max_age: Option<i64>, secure: bool) -> String {
    let name = cookie_name(secure);
    let mut value = format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        value.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        value.push_str("; Secure");
    }
    value
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    let name = cookie_name(secure);
    let mut value = format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if secure {
        value.push_str("; Secure");
    }
    value
}

/// Finds our session token in a `Cookie` request header. Where cookies are `Secure`, only the
/// `__Host-` cookie counts: a plain one may have been planted over http or by a subdomain.
pub fn token_from_cookie_header(header: &str, secure: bool) -> Option<&str> {
    let wanted = cookie_name(secure);
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim())
        .filter(|value| well_formed(value))
}

pub const TOKEN_PREFIX: &str = "stw_";

/// Application passwords are typed by people into programs: case, spaces and dashes do not
/// matter. (The stored hash is of this form.)
pub fn normalize_app_password(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hashes_depend_on_the_key_and_on_every_part() {
        let key = SecretKey::generate();
        let again = SecretKey::from_hex(&key.to_hex()).expect("hex");
        assert_eq!(key, again);
        assert_eq!(format!("{key:?}"), "SecretKey(…)");
        let hash = key.keyed_hash(&["1", "secret"]);
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, again.keyed_hash(&["1", "secret"]));
        assert_ne!(hash, SecretKey::generate().keyed_hash(&["1", "secret"]));
        assert_ne!(hash, key.keyed_hash(&["1s", "ecret"]));
        assert_ne!(hash, key.keyed_hash(&["2", "secret"]));
        assert!(same_hash(&hash, &again.keyed_hash(&["1", "secret"])));
        assert!(!same_hash(&hash, &key.keyed_hash(&["2", "secret"])));
        assert!(SecretKey::from_hex("zz").is_none());
        assert!(SecretKey::from_hex(&"g".repeat(64)).is_none());
    }

    #[test]
    fn tokens_are_unique_256_bit_and_hashed() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(well_formed(&a), "{a}");
        assert_eq!(hash_a.len(), 64);
        assert_eq!(hash_a, hash_token(&a));
        assert_eq!(format!("{hash_a:?}"), "TokenHash(…)");
        assert_ne!(hash_a.as_str(), a);
    }

    #[test]
    fn known_sha256() {
        assert_eq!(
            hash_token("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn cookie_attributes() {
        let browser_session = cookie("tok", None, false);
        assert_eq!(
            browser_session,
            "steward_session=tok; Path=/; HttpOnly; SameSite=Lax"
        );
        let remembered = cookie("tok", Some(3600), true);
        assert!(remembered.contains("Max-Age=3600") && remembered.ends_with("; Secure"));
        // Secure cookies carry the __Host- prefix, whose rules they meet: Path=/, no Domain.
        assert!(remembered.starts_with("__Host-steward_session=tok; Path=/;"));
        assert!(!remembered.contains("Domain"));
        assert!(clearing_cookie(false).contains("Max-Age=0"));
        assert!(clearing_cookie(true).starts_with("__Host-steward_session=;"));
    }

    #[test]
    fn token_is_read_from_cookie_header_and_checked() {
        let (token, _) = new_token();
        let header = format!("theme=dark; {COOKIE_NAME}={token}; other=1");
        assert_eq!(
            token_from_cookie_header(&header, false),
            Some(token.as_str())
        );
        assert_eq!(
            token_from_cookie_header("steward_session=short", false),
            None
        );
        assert_eq!(
            token_from_cookie_header("steward_session_x=abc", false),
            None
        );
        assert_eq!(token_from_cookie_header("", false), None);
        // Where cookies are Secure, a plain cookie is not ours.
        assert_eq!(token_from_cookie_header(&header, true), None);
        let secure = format!("{COOKIE_NAME}=planted; {SECURE_COOKIE_NAME}={token}");
        assert_eq!(
            token_from_cookie_header(&secure, true),
            Some(token.as_str())
        );
    }
}
