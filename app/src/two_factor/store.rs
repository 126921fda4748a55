//! SQL for two-factor methods, enrolments and backup codes. Every "use once" rule is a single
//! conditional UPDATE, so it holds under concurrent requests on both databases.

use super::{Method, MethodKind};
use crate::db::Tx;
use crate::db::{affected, exec, fetch_all, fetch_optional, row, scalar_one, scalar_optional};

row! {
    /// A second factor as stored.
    struct MethodRow {
        id: i64,
        kind: String,
        label: String,
        is_default: bool,
        created_at: i64,
        last_used_at: Option<i64>,
    }
}

pub async fn methods(tx: &mut Tx, user_id: i64) -> Result<Vec<Method>, sqlx::Error> {
    const SQL: &str = "SELECT id, kind, label, is_default, created_at, last_used_at \
                       FROM second_factors WHERE user_id = $1 ORDER BY is_default DESC, id";
    let rows: Vec<MethodRow> = fetch_all!(tx, SQL, user_id)?;
    Ok(crate::db::parsed(
        "second_factors",
        rows,
        |MethodRow {
             id,
             kind,
             label,
             is_default,
             created_at,
             last_used_at,
         }| {
            Some(Method {
                id,
                kind: MethodKind::parse(&kind)?,
                label,
                is_default,
                created_at,
                last_used_at,
            })
        },
    ))
}

pub async fn has_second_factor(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM second_factors WHERE user_id = $1";
    let n: i64 = scalar_one!(tx, SQL, user_id)?;
    Ok(n > 0)
}

/// The TOTP secrets of the person's authenticator apps, with their method ids.
pub async fn totp_secrets(tx: &mut Tx, user_id: i64) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    const SQL: &str = "SELECT id, totp_secret FROM second_factors \
                       WHERE user_id = $1 AND kind = 'totp' AND totp_secret IS NOT NULL ORDER BY id";
    fetch_all!(tx, SQL, user_id)
}

/// Spends a TOTP time step: succeeds only if no step this late or later was accepted before.
/// One conditional UPDATE, so of two concurrent submissions of the same code exactly one wins.
pub async fn consume_totp_step(tx: &mut Tx, user_id: i64, step: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2";
    let done = affected!(tx, SQL, user_id, step)?;
    Ok(done == 1)
}

pub async fn touch_method(tx: &mut Tx, method_id: i64, at: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE second_factors SET last_used_at = $2 WHERE id = $1";
    affected!(tx, SQL, method_id, at)?;
    Ok(())
}

pub async fn insert_totp_method(
    tx: &mut Tx,
    user_id: i64,
    label: &str,
    secret: &[u8],
    is_default: bool,
    at: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO second_factors (user_id, kind, label, totp_secret, is_default, created_at, last_used_at) \
                       VALUES ($1, 'totp', $2, $3, $4, $5, $5) RETURNING id";
    scalar_one!(tx, SQL, user_id, label, secret, is_default, at)
}

/// The method, if it is this person's: `(kind, label, is_default)`.
pub async fn method_of(
    tx: &mut Tx,
    user_id: i64,
    method_id: i64,
) -> Result<Option<(String, String, bool)>, sqlx::Error> {
    const SQL: &str =
        "SELECT kind, label, is_default FROM second_factors WHERE id = $1 AND user_id = $2";
    fetch_optional!(tx, SQL, method_id, user_id)
}

/// Makes `method_id` the only default method of the person.
pub async fn set_default(tx: &mut Tx, user_id: i64, method_id: i64) -> Result<(), sqlx::Error> {
    const CLEAR: &str =
        "UPDATE second_factors SET is_default = FALSE WHERE user_id = $1 AND is_default";
    const SET: &str = "UPDATE second_factors SET is_default = TRUE WHERE id = $1 AND user_id = $2";
    exec!(tx, CLEAR, user_id)?;
    exec!(tx, SET, method_id, user_id)
}

pub async fn delete_method(tx: &mut Tx, user_id: i64, method_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM second_factors WHERE id = $1 AND user_id = $2";
    affected!(tx, SQL, method_id, user_id)?;
    Ok(())
}

/// The oldest remaining method, to become the default when the default one is removed.
pub async fn oldest_method(tx: &mut Tx, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT id FROM second_factors WHERE user_id = $1 ORDER BY id LIMIT 1";
    scalar_optional!(tx, SQL, user_id)
}

/// Removes every method and backup code: two-factor authentication is off.
pub async fn delete_all_second_factors(tx: &mut Tx, user_id: i64) -> Result<(), sqlx::Error> {
    const DELETE: [&str; 3] = [
        "DELETE FROM second_factors WHERE user_id = $1",
        "DELETE FROM backup_codes WHERE user_id = $1",
        "DELETE FROM totp_enrolments WHERE user_id = $1",
    ];
    for sql in DELETE {
        exec!(tx, sql, user_id)?;
    }
    Ok(())
}

/// Starts (or restarts) setting up an authenticator app.
pub async fn put_enrolment(
    tx: &mut Tx,
    user_id: i64,
    secret: &[u8],
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO totp_enrolments (user_id, secret, created_at) VALUES ($1, $2, $3) \
                       ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at";
    affected!(tx, SQL, user_id, secret, at)?;
    Ok(())
}

/// The pending enrolment's secret and when it started.
pub async fn enrolment(tx: &mut Tx, user_id: i64) -> Result<Option<(Vec<u8>, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT secret, created_at FROM totp_enrolments WHERE user_id = $1";
    fetch_optional!(tx, SQL, user_id)
}

pub async fn delete_enrolment(tx: &mut Tx, user_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM totp_enrolments WHERE user_id = $1";
    affected!(tx, SQL, user_id)?;
    Ok(())
}

/// Replaces the person's backup codes with these hashes: the old set is void.
pub async fn replace_backup_codes(
    tx: &mut Tx,
    user_id: i64,
    hashes: &[String],
    at: i64,
) -> Result<(), sqlx::Error> {
    const DELETE: &str = "DELETE FROM backup_codes WHERE user_id = $1";
    const INSERT: &str =
        "INSERT INTO backup_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)";
    exec!(tx, DELETE, user_id)?;
    for hash in hashes {
        exec!(tx, INSERT, user_id, hash, at)?;
    }
    Ok(())
}

pub async fn backup_codes_remaining(tx: &mut Tx, user_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM backup_codes WHERE user_id = $1 AND used_at IS NULL";
    scalar_one!(tx, SQL, user_id)
}

/// Spends a backup code: true for exactly one of any number of concurrent submissions.
pub async fn spend_backup_code(
    tx: &mut Tx,
    user_id: i64,
    code_hash: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE backup_codes SET used_at = $3 \
                       WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
    let done = affected!(tx, SQL, user_id, code_hash, at)?;
    Ok(done == 1)
}
