//! SQL for lockout, alerts, email links and per-address throttling. Counters are single
//! UPDATE statements, so concurrent failures (even from two server processes) are all counted.

use super::SafetySettings;
use crate::access::store::LinkPurpose;
use crate::db::Tx;
use crate::db::{affected, fetch_optional, scalar_optional};

/// Unlocks the account; false when it was not locked.
pub async fn unlock(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET locked_at = NULL, failed_sign_ins = 0 \
                       WHERE id = $1 AND locked_at IS NOT NULL";
    let n = affected!(tx, SQL, user_id)?;
    Ok(n == 1)
}

pub async fn settings(tx: &mut Tx, user_id: i64) -> Result<Option<SafetySettings>, sqlx::Error> {
    const SQL: &str = "SELECT alert_on_sign_in, alert_on_failed_sign_in, lockout_threshold, safety_version FROM users WHERE id = $1";
    let row: Option<(bool, bool, i64, i64)> = fetch_optional!(tx, SQL, user_id)?;
    Ok(row.map(
        |(alert_on_sign_in, alert_on_failed_sign_in, lockout_threshold, version)| SafetySettings {
            alert_on_sign_in,
            alert_on_failed_sign_in,
            lockout_threshold,
            version,
        },
    ))
}

/// Saves the settings unless the account is no longer at `expected`; the new version, or
/// `None` when the save is stale.
pub async fn save_settings(
    tx: &mut Tx,
    user_id: i64,
    settings: &SafetySettings,
    expected: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "UPDATE users SET alert_on_sign_in = $2, alert_on_failed_sign_in = $3, lockout_threshold = $4, \
                       safety_version = safety_version + 1 WHERE id = $1 AND (CAST($5 AS BIGINT) IS NULL OR safety_version = $5) \
                       RETURNING safety_version";
    scalar_optional!(
        tx,
        SQL,
        user_id,
        settings.alert_on_sign_in,
        settings.alert_on_failed_sign_in,
        settings.lockout_threshold,
        expected
    )
}

/// Spends a link: `(user_id, session_id)` for exactly one caller, and only before it expires.
pub async fn consume_link(
    tx: &mut Tx,
    token_hash: &str,
    purpose: LinkPurpose,
    now: i64,
) -> Result<Option<(i64, Option<i64>)>, sqlx::Error> {
    const SQL: &str = "UPDATE email_links SET used_at = $3 \
                       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
                       RETURNING user_id, session_id";
    fetch_optional!(tx, SQL, token_hash, purpose.as_str(), now)
}

/// Forgets windows that ended long ago.
pub async fn purge_throttle(tx: &mut Tx, before: i64) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM sign_in_throttle WHERE window_start < $1";
    affected!(tx, SQL, before)
}
