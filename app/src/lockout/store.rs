//! SQL for lockout, alerts, email links and per-address throttling. Counters are single
//! UPDATE statements, so concurrent failures (even from two server processes) are all counted.

use super::SafetySettings;
use crate::db::Tx;
use crate::on_db;

/// After counting a failure: the count, the threshold, whether the account is locked (and
/// since when), and whether the person wants an email about failed sign-ins.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailureCount {
    pub failed_sign_ins: i64,
    pub lockout_threshold: i64,
    pub locked_at: Option<i64>,
    pub alert_on_failed_sign_in: bool,
    /// This very failure locked the account (exactly one failure does, whatever the count:
    /// a threshold lowered below the current count locks at the next failure, with its email).
    #[sqlx(skip)]
    pub just_locked: bool,
}

pub async fn count_failure(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<Option<FailureCount>, sqlx::Error> {
    // An unlocked account: count, and lock once the count reaches the threshold. The condition
    // on `locked_at` makes this statement the one that locks, even when two failures race
    // (Postgres re-checks it on the updated row; SQLite has one writer at a time).
    const COUNT: &str = "UPDATE users SET failed_sign_ins = failed_sign_ins + 1, \
        locked_at = CASE WHEN failed_sign_ins + 1 >= lockout_threshold THEN $2 ELSE NULL END \
        WHERE id = $1 AND locked_at IS NULL \
        RETURNING failed_sign_ins, lockout_threshold, locked_at, alert_on_failed_sign_in";
    // Already locked: the failure is still counted; nothing else changes.
    const LOCKED: &str = "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 \
        RETURNING failed_sign_ins, lockout_threshold, locked_at, alert_on_failed_sign_in";
    let counted: Option<FailureCount> = on_db!(tx, |c| sqlx::query_as(COUNT)
        .bind(user_id)
        .bind(now)
        .fetch_optional(&mut **c)
        .await)?;
    if let Some(mut count) = counted {
        count.just_locked = count.locked_at.is_some();
        return Ok(Some(count));
    }
    on_db!(tx, |c| sqlx::query_as(LOCKED)
        .bind(user_id)
        .fetch_optional(&mut **c)
        .await)
}

pub async fn reset_failures(tx: &mut Tx, user_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET failed_sign_ins = 0 WHERE id = $1 AND failed_sign_ins <> 0";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(user_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn locked_at(tx: &mut Tx, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT locked_at FROM users WHERE id = $1";
    let found: Option<Option<i64>> = on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(found.flatten())
}

/// Unlocks the account; false when it was not locked.
pub async fn unlock(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET locked_at = NULL, failed_sign_ins = 0 \
                       WHERE id = $1 AND locked_at IS NOT NULL";
    let n = on_db!(tx, |c| sqlx::query(SQL)
        .bind(user_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn settings(tx: &mut Tx, user_id: i64) -> Result<Option<SafetySettings>, sqlx::Error> {
    const SQL: &str = "SELECT alert_on_sign_in, alert_on_failed_sign_in, lockout_threshold, safety_version FROM users WHERE id = $1";
    let row: Option<(bool, bool, i64, i64)> = on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_optional(&mut **c)
        .await)?;
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
                       safety_version = safety_version + 1 WHERE id = $1 AND ($5 IS NULL OR safety_version = $5) \
                       RETURNING safety_version";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(settings.alert_on_sign_in)
        .bind(settings.alert_on_failed_sign_in)
        .bind(settings.lockout_threshold)
        .bind(expected)
        .fetch_optional(&mut **c)
        .await)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    Unlock,
    NotMe,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Unlock => "unlock",
            LinkPurpose::NotMe => "not_me",
        }
    }
}

pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub purpose: LinkPurpose,
    pub session_id: Option<i64>,
    pub at: i64,
    pub expires_at: i64,
}

pub async fn insert_link(tx: &mut Tx, link: &NewLink<'_>) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO email_links (token_hash, user_id, purpose, session_id, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5, $6)";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(link.token_hash)
        .bind(link.user_id)
        .bind(link.purpose.as_str())
        .bind(link.session_id)
        .bind(link.at)
        .bind(link.expires_at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
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
    on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(&mut **c)
        .await)
}

/// Whether this address has used up its failed sign-ins for the current window.
pub async fn address_throttled(
    tx: &mut Tx,
    ip: &str,
    now: i64,
    window_seconds: i64,
    limit: i64,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT window_start, failures FROM sign_in_throttle WHERE ip = $1";
    let row: Option<(i64, i64)> = on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(ip)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(row.and_then(|(start, failures)| {
        let ends = start + window_seconds;
        (failures >= limit && now < ends).then_some(ends - now)
    }))
}

/// Counts one failed sign-in from this address, starting a new window when the last one ended.
pub async fn count_address_failure(
    tx: &mut Tx,
    ip: &str,
    now: i64,
    window_seconds: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO sign_in_throttle (ip, window_start, failures) VALUES ($1, $2, 1) \
        ON CONFLICT (ip) DO UPDATE SET \
          failures = CASE WHEN sign_in_throttle.window_start <= $2 - $3 THEN 1 ELSE sign_in_throttle.failures + 1 END, \
          window_start = CASE WHEN sign_in_throttle.window_start <= $2 - $3 THEN $2 ELSE sign_in_throttle.window_start END";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(ip)
        .bind(now)
        .bind(window_seconds)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets windows that ended long ago.
pub async fn purge_throttle(tx: &mut Tx, before: i64) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM sign_in_throttle WHERE window_start < $1";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(before)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))
}
