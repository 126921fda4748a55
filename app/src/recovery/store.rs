//! SQL for password reset links.

use crate::db::Tx;
use crate::db::{affected, scalar_all, scalar_one, scalar_optional};

pub struct NewReset<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub channel: &'a str,
    pub at: i64,
    pub expires_at: i64,
}

pub async fn insert(tx: &mut Tx, reset: &NewReset<'_>) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "INSERT INTO password_resets (token_hash, user_id, channel, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5)";
    affected!(
        tx,
        SQL,
        reset.token_hash,
        reset.user_id,
        reset.channel,
        reset.at,
        reset.expires_at
    )?;
    Ok(())
}

/// Links created for this account since `since`.
pub async fn sent_since(tx: &mut Tx, user_id: i64, since: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at >= $2";
    scalar_one!(tx, SQL, user_id, since)
}

/// The account of a link that is unused and unexpired.
pub async fn live(tx: &mut Tx, token_hash: &str, now: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT user_id FROM password_resets \
                       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
    scalar_optional!(tx, SQL, token_hash, now)
}

/// Spends the link: its account for exactly one caller, and only before it expires.
pub async fn consume(tx: &mut Tx, token_hash: &str, now: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "UPDATE password_resets SET used_at = $2 \
                       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id";
    scalar_optional!(tx, SQL, token_hash, now)
}

/// Once the password is reset, the account's other links die too.
pub async fn spend_all(tx: &mut Tx, user_id: i64, now: i64) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL";
    affected!(tx, SQL, user_id, now)?;
    Ok(())
}

/// Accounts whose recovery email is this address.
pub async fn by_recovery_email(tx: &mut Tx, email: &str) -> Result<Vec<i64>, sqlx::Error> {
    const SQL: &str = "SELECT id FROM users WHERE recovery_email = $1 ORDER BY id LIMIT 5";
    scalar_all!(tx, SQL, email)
}

/// Whether any organization of the person forbids password reset by SMS (SEC-12).
pub async fn sms_forbidden(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "SELECT COUNT(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id \
                       WHERE m.user_id = $1 AND o.forbid_sms_reset";
    let n: i64 = scalar_one!(tx, SQL, user_id)?;
    Ok(n > 0)
}

/// Ends every session of the account.
pub async fn end_all_sessions(tx: &mut Tx, user_id: i64) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1";
    affected!(tx, SQL, user_id)
}
