//! Outbox bodies at rest: sealed with AES-256-GCM under a key kept outside the database (the
//! operator's `outbox_key`, or the key file the server makes once — `server::config`). An
//! emailed link's token is therefore never written to the database files in readable form —
//! not to a page, a free page, SQLite's write-ahead log or Postgres's — so a copy of those files
//! (a backup, a stolen disk) cannot be turned into a password reset or an invitation, before or
//! after the email is sent.
//!
//! Each sealed body carries its own random 96-bit nonce and is bound to its recipient and
//! subject (the associated data), so a body moved to another row does not open. The row also
//! names the key that sealed it ([`key_id`]): a process claims only the messages it can open,
//! and several processes on one Postgres database must share the key.

use crate::tokens::SecretKey;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

/// Why a sealed body does not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable;

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the body does not open with this server's outbox key")
    }
}

/// A short public name of the key (16 hex digits of a keyed hash): stored beside each sealed
/// body, it says which key opens it without saying anything of the key.
pub fn key_id(key: &SecretKey) -> String {
    key.keyed_hash(&["steward outbox key id"])[..16].to_owned()
}

fn cipher(key: &SecretKey) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.bytes()).expect("a 256-bit key"))
}

/// What the body is bound to: its recipient and subject, each length-prefixed.
fn associated(recipient: &str, subject: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(recipient.len() + subject.len() + 16);
    for part in [recipient, subject] {
        data.extend_from_slice(&(part.len() as u64).to_be_bytes());
        data.extend_from_slice(part.as_bytes());
    }
    data
}

/// The body as stored: base64 of the nonce, the ciphertext and the tag.
pub fn seal(key: &SecretKey, recipient: &str, subject: &str, body: &str) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .expect("the system's random source");
    let mut sealed = body.as_bytes().to_vec();
    cipher(key)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(associated(recipient, subject)),
            &mut sealed,
        )
        .expect("a body far below AES-GCM's limit");
    let mut stored = nonce.to_vec();
    stored.extend_from_slice(&sealed);
    STANDARD_NO_PAD.encode(stored)
}

/// The body `seal` stored, if `key` sealed it for this recipient and subject.
pub fn open(
    key: &SecretKey,
    recipient: &str,
    subject: &str,
    stored: &str,
) -> Result<String, Unreadable> {
    let bytes = STANDARD_NO_PAD.decode(stored).map_err(|_| Unreadable)?;
    if bytes.len() < NONCE_LEN {
        return Err(Unreadable);
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unreadable)?;
    let mut sealed = sealed.to_vec();
    let plain = cipher(key)
        .open_in_place(
            nonce,
            Aad::from(associated(recipient, subject)),
            &mut sealed,
        )
        .map_err(|_| Unreadable)?;
    String::from_utf8(plain.to_vec()).map_err(|_| Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_body_opens_with_its_key_recipient_and_subject_only() {
        let key = SecretKey::generate();
        let body = "Reset: https://steward.example/reset-password?token=abc\nChloé";
        let stored = seal(&key, "a@example.com", "Reset", body);
        assert!(!stored.contains("token") && !stored.contains("abc"));
        assert_eq!(
            open(&key, "a@example.com", "Reset", &stored).as_deref(),
            Ok(body)
        );
        assert_eq!(
            open(&SecretKey::generate(), "a@example.com", "Reset", &stored),
            Err(Unreadable)
        );
        assert_eq!(
            open(&key, "b@example.com", "Reset", &stored),
            Err(Unreadable)
        );
        assert_eq!(
            open(&key, "a@example.com", "Other", &stored),
            Err(Unreadable)
        );
        assert_eq!(
            open(&key, "a@example.com", "Reset", "not base64!"),
            Err(Unreadable)
        );
        assert_eq!(open(&key, "a@example.com", "Reset", ""), Err(Unreadable));
    }

    #[test]
    fn the_same_body_is_sealed_differently_each_time() {
        let key = SecretKey::generate();
        assert_ne!(
            seal(&key, "a@x.ch", "S", "same"),
            seal(&key, "a@x.ch", "S", "same")
        );
    }

    #[test]
    fn a_key_is_named_by_a_short_id_that_differs_between_keys() {
        let key = SecretKey::generate();
        assert_eq!(key_id(&key).len(), 16);
        assert_eq!(
            key_id(&key),
            key_id(&SecretKey::from_hex(&key.to_hex()).unwrap())
        );
        assert_ne!(key_id(&key), key_id(&SecretKey::generate()));
    }
}
