//! Device passwords (MAIL-4) and the device-authentication check the operator's IMAP/SMTP
//! servers call (`POST /mail/device-auth`, see the README): an address and a device password in,
//! allowed or refused with the reason out — wrong password, device disconnected, address in
//! maintenance, user blocked — rate-limited per address, refusals logged in the organization's
//! activity log, the device's last use recorded.
//!
//! A device password is a long random secret, so a keyed fast hash (HMAC-SHA256 under the
//! server's device key, bound to the address) is the right way to keep it: a stolen database
//! alone cannot test guesses, and the lookup is one indexed read per sign-in, where argon2
//! would spend 19 MiB and tens of milliseconds on every IMAP connection.

use super::{store, DeviceAnswer, DEVICE_PASSWORD_MAX, DEVICE_PASSWORD_MIN};
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::db::Tx;
use crate::error::AppError;
use crate::request::Origin;
use crate::state::AppState;
use crate::tokens::{SecretKey, TokenHash};
use rand::Rng;

/// Wrong passwords for one mail address from one client network (an IPv4 address, an IPv6
/// /64: `client_network`) within [`FAILURE_WINDOW_SECONDS`] before the endpoint stops checking
/// that client's passwords for it.
pub const FAILURE_LIMIT: i64 = 10;
pub const FAILURE_WINDOW_SECONDS: i64 = 15 * 60;
/// Wrong passwords from one client network, whatever the mail addresses, in that window.
pub const CLIENT_FAILURE_LIMIT: i64 = 50;
/// Wrong passwords for one mail address from every client together in that window: beyond it,
/// guessing from ever new client addresses stops — only clients a device of the address signed
/// in from within [`KNOWN_CLIENT_DAYS`] still have their passwords checked, so the guesser
/// cannot lock the address's own devices out.
pub const ADDRESS_FAILURE_LIMIT: i64 = 50;
pub const KNOWN_CLIENT_DAYS: i64 = 90;
/// An allowed sign-in records the device's last use when the last record is this old.
pub const TOUCH_SECONDS: i64 = 60;
/// A device refused again for the same reason within this long is not logged again.
pub const REFUSAL_LOG_SECONDS: i64 = 3600;

/// The key device passwords are hashed with: the operator's, or the one the server made once
/// and keeps in the database (made here on first use).
pub async fn key(state: &AppState, tx: &mut Tx) -> Result<SecretKey, AppError> {
    if let Some(key) = &state.settings.mail_device_key {
        return Ok(key.clone());
    }
    let stored =
        store::server_secret(tx, "mail_device_key", &SecretKey::generate().to_hex()).await?;
    parse_key(&stored)
}

/// The key if there is one yet, without making it (no device password exists without it).
async fn existing_key(state: &AppState, tx: &mut Tx) -> Result<Option<SecretKey>, AppError> {
    if let Some(key) = &state.settings.mail_device_key {
        return Ok(Some(key.clone()));
    }
    match store::stored_secret(tx, "mail_device_key").await? {
        Some(stored) => parse_key(&stored).map(Some),
        None => Ok(None),
    }
}

fn parse_key(stored: &str) -> Result<SecretKey, AppError> {
    SecretKey::from_hex(stored).ok_or_else(|| {
        tracing::error!("the stored mail device key is not 64 hexadecimal digits");
        AppError::internal()
    })
}

/// The stored form of a device password of `address_id`.
pub fn hash(key: &SecretKey, address_id: i64, password: &str) -> TokenHash {
    key.keyed_hash(&["mail-device", &address_id.to_string(), password])
}

/// A new device password: five groups of five letters and digits (no look-alikes), about 124
/// bits.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..5)
        .map(|_| {
            (0..5)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A device password as a person may have edited it: long enough to stay a secret a fast hash
/// may keep.
pub fn check_password(password: &str) -> Result<String, AppError> {
    let length = password.chars().count();
    if password.trim() != password
        || password.chars().any(char::is_control)
        || !(DEVICE_PASSWORD_MIN..=DEVICE_PASSWORD_MAX).contains(&length)
    {
        return Err(AppError::validation(
            "password",
            format!(
                "A device password has {DEVICE_PASSWORD_MIN} to {DEVICE_PASSWORD_MAX} characters, without spaces at either end: keep the generated one, or make yours as long."
            ),
        ));
    }
    Ok(password.to_owned())
}

/// What the mail server sends.
pub struct Attempt<'a> {
    pub address: &'a str,
    pub password: &'a str,
    /// The client's address as the mail server saw it (for the log and the rate limit).
    pub remote_ip: &'a str,
}

/// Checks a device sign-in: read in one transaction, and only what must be recorded written in
/// another (an allowed sign-in writes only when the device's last use is a minute old), so that
/// IMAP/SMTP logins do not queue behind every write of the application.
pub async fn authenticate(
    state: &AppState,
    attempt: &Attempt<'_>,
) -> Result<DeviceAnswer, AppError> {
    let now = state.now();
    let address = attempt.address.trim().to_lowercase();
    let remote_ip = attempt.remote_ip;
    // The endpoint wants the client's address (the server refuses a request without one): a
    // mail server that sent none would make every client one, and any guesser a lockout.
    let network = super::client_network(remote_ip)
        .ok_or_else(|| AppError::validation("remote_ip", "The client's IP address is required."))?;
    let mut tx = state.db.read().await?;
    let failures =
        store::failures(&mut tx, &address, &network, now - FAILURE_WINDOW_SECONDS).await?;
    let found = store::auth_address(&mut tx, &address).await?;
    let known = match &found {
        Some(target) => {
            store::known_client(
                &mut tx,
                target.id,
                &network,
                now - KNOWN_CLIENT_DAYS * 86_400,
            )
            .await?
        }
        None => false,
    };
    if failures.address_from_client >= FAILURE_LIMIT
        || failures.client >= CLIENT_FAILURE_LIMIT
        || (failures.address >= ADDRESS_FAILURE_LIMIT && !known)
    {
        tx.commit().await?;
        tracing::info!(%address, remote_ip, "device sign-in: too many attempts");
        return Ok(DeviceAnswer::TooManyAttempts);
    }
    let device = match (&found, existing_key(state, &mut tx).await?) {
        (Some(target), Some(key)) => {
            let hashed = hash(&key, target.id, attempt.password);
            store::auth_device(&mut tx, target, &hashed).await?
        }
        _ => None,
    };
    tx.commit().await?;
    let answer = match (&found, &device) {
        (Some(target), Some(device)) => {
            if device.disconnected {
                DeviceAnswer::DeviceDisconnected
            } else if target.in_maintenance {
                DeviceAnswer::InMaintenance
            } else if device.blocked {
                DeviceAnswer::UserBlocked
            } else {
                DeviceAnswer::Allowed
            }
        }
        _ => DeviceAnswer::WrongPassword,
    };
    tracing::info!(%address, remote_ip, answer = answer.as_str(), "device sign-in");
    // Whether this refusal goes to the activity log: every wrong password (what the rate limit
    // bounds); a device's own refusal once an hour per reason, since its client retries (the
    // device keeps its last logged refusal).
    let log = match (&device, answer) {
        (_, DeviceAnswer::Allowed) => false,
        (Some(device), refused) => !matches!(&device.last_refusal, Some((reason, at))
            if reason == refused.as_str() && now - at < REFUSAL_LOG_SECONDS),
        (None, _) => true,
    };
    let touch = matches!((&device, answer), (Some(d), DeviceAnswer::Allowed)
        if d.last_used_at.is_none_or(|at| now - at >= TOUCH_SECONDS) || !known);
    // A known device's refusal is recorded (and logged) once an hour per reason; a wrong
    // password always (it counts toward the limit).
    if !(log || touch) {
        return Ok(answer);
    }
    let mut tx = state.db.write().await?;
    match &device {
        Some(device) if answer == DeviceAnswer::Allowed => {
            store::touch_device(&mut tx, device.id, now).await?;
            if let Some(target) = &found {
                store::remember_client(&mut tx, target.id, &network, now).await?;
            }
        }
        Some(device) => {
            store::refused_device(&mut tx, device.id, answer.as_str(), now).await?;
        }
        None => {
            // Only guesses count toward the limit: a device refused for another reason had
            // the right password.
            store::record_failure(
                &mut tx,
                &address,
                &network,
                now,
                now - FAILURE_WINDOW_SECONDS,
            )
            .await?;
        }
    }
    if let (true, Some(target)) = (log, &found) {
        let detail = match &device {
            Some(device) => format!("{address}, device {}: {}", device.name, answer.message()),
            None => format!("{address}: {}", answer.message()),
        };
        record(
            &mut tx,
            NewEntry {
                action: ActivityAction::DeviceSignInRefused,
                actor_user_id: None,
                organization_id: Some(target.organization_id),
                product_id: Some(target.product_id),
                detail: &detail,
                origin: &Origin {
                    ip: remote_ip.to_owned(),
                    user_agent: "mail server".to_owned(),
                    ..Origin::default()
                },
                at: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_distinct_and_accepted() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(a.len(), 29, "{a}");
        assert_eq!(check_password(&a).expect("valid"), a);
        assert!(check_password("short").is_err());
        assert!(check_password(" padded password here ").is_err());
        assert!(check_password(&"x".repeat(DEVICE_PASSWORD_MAX + 1)).is_err());
        let key = SecretKey::generate();
        assert_ne!(hash(&key, 1, &a), hash(&key, 2, &a));
    }
}
