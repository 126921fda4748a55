//! SQL for accounts and sessions.

use crate::db::Tx;
use crate::db::{affected, exec, fetch_all, fetch_optional, scalar_one, scalar_optional};
use crate::password::HashedPassword;

pub struct NewUser<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: &'a HashedPassword,
    pub at: i64,
}

/// Inserts the user; `Ok(None)` when the email address is already registered. Every way in
/// (a confirmed sign-up, an accepted invitation) has proven the address: it is verified now.
pub async fn insert_user(tx: &mut Tx, user: &NewUser<'_>) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO users (email, first_name, last_name, password_hash, created_at, email_verified_at) \
                       VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (email) DO NOTHING RETURNING id";
    scalar_optional!(
        tx,
        SQL,
        user.email,
        user.first_name,
        user.last_name,
        user.password_hash,
        user.at
    )
}

/// Removes sessions past their absolute expiry (idle ones are refused when presented and
/// removed here once their absolute expiry passes too).
pub async fn purge_expired_sessions(tx: &mut Tx, now: i64) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1";
    let done = affected!(tx, SQL, now)?;
    Ok(done)
}

pub async fn password_hash(
    tx: &mut Tx,
    user_id: i64,
) -> Result<Option<HashedPassword>, sqlx::Error> {
    const SQL: &str = "SELECT password_hash FROM users WHERE id = $1";
    scalar_optional!(tx, SQL, user_id)
}

/// A full session as listed on the security page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedSession {
    pub id: i64,
    pub persistent: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub user_agent: String,
}

/// The person's open full sessions, most recently active first.
pub async fn sessions_of(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<Vec<ListedSession>, sqlx::Error> {
    const SQL: &str =
        "SELECT id, persistent, created_at, last_seen_at, ip, user_agent FROM sessions \
                       WHERE user_id = $1 AND stage = 'full' AND expires_at > $2 \
                       ORDER BY last_seen_at DESC, id DESC";
    fetch_all!(tx, SQL, user_id, now)
}

/// Ends one of the person's sessions; false when there is no such session of theirs.
pub async fn delete_user_session(
    tx: &mut Tx,
    user_id: i64,
    session_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM sessions WHERE id = $1 AND user_id = $2";
    let n = affected!(tx, SQL, session_id, user_id)?;
    Ok(n == 1)
}

/// Ends every session of the person but `keep`; returns how many ended.
pub async fn delete_other_sessions(
    tx: &mut Tx,
    user_id: i64,
    keep: i64,
) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1 AND id <> $2";
    affected!(tx, SQL, user_id, keep)
}

pub async fn set_password_hash(
    tx: &mut Tx,
    user_id: i64,
    hash: &HashedPassword,
) -> Result<(), sqlx::Error> {
    affected!(
        tx,
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        user_id,
        hash
    )?;
    Ok(())
}

/// Replaces the password hash only if it is still `old` (a password change in between wins).
pub async fn set_password_hash_if(
    tx: &mut Tx,
    user_id: i64,
    old: &HashedPassword,
    new: &HashedPassword,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2";
    affected!(tx, SQL, user_id, old, new)?;
    Ok(())
}

pub async fn email_taken(tx: &mut Tx, email: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = scalar_one!(tx, "SELECT COUNT(*) FROM users WHERE email = $1", email)?;
    Ok(n > 0)
}

/// Changes the login email unless another account has it meanwhile; false then.
/// The new address was proven by the link sent to it: it is verified `at`.
pub async fn set_email(
    tx: &mut Tx,
    user_id: i64,
    email: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET email = $2, email_verified_at = $3 \
                       WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM users WHERE email = $2)";
    let n = affected!(tx, SQL, user_id, email, at)?;
    Ok(n == 1)
}

pub async fn insert_email_change(
    tx: &mut Tx,
    token_hash: &str,
    user_id: i64,
    new_email: &str,
    at: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
    affected!(tx, SQL, token_hash, user_id, new_email, at, expires_at)?;
    Ok(())
}

/// Spends an email-change link: `(user id, new email)` once, before it expires.
pub async fn consume_email_change(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    const SQL: &str = "UPDATE email_changes SET used_at = $2 \
                       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                       RETURNING user_id, new_email";
    fetch_optional!(tx, SQL, token_hash, now)
}

/// The newest change of login email still waiting for its confirmation.
pub async fn pending_email_change(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "SELECT new_email FROM email_changes WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 1";
    scalar_optional!(tx, SQL, user_id, now)
}

pub async fn recovery_contacts(
    tx: &mut Tx,
    user_id: i64,
) -> Result<(Option<String>, Option<String>), sqlx::Error> {
    const SQL: &str = "SELECT recovery_email, recovery_phone FROM users WHERE id = $1";
    let row: Option<(Option<String>, Option<String>)> = fetch_optional!(tx, SQL, user_id)?;
    Ok(row.unwrap_or((None, None)))
}

/// The version of the recovery contacts.
pub async fn contacts_version(tx: &mut Tx, user_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT contacts_version FROM users WHERE id = $1";
    scalar_one!(tx, SQL, user_id)
}

/// Saves the recovery contacts unless they are no longer at `expected`; the new version, or
/// `None` when the save is stale.
pub async fn set_recovery_contacts(
    tx: &mut Tx,
    user_id: i64,
    email: Option<&str>,
    phone: Option<&str>,
    expected: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "UPDATE users SET recovery_email = $2, recovery_phone = $3, contacts_version = contacts_version + 1 \
                       WHERE id = $1 AND (CAST($4 AS BIGINT) IS NULL OR contacts_version = $4) RETURNING contacts_version";
    scalar_optional!(tx, SQL, user_id, email, phone, expected)
}

/// A sign-up waiting for its address to be confirmed.
pub struct NewPendingSignUp<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: &'a HashedPassword,
    pub remember: bool,
    /// A company's name, or empty for an organization in the person's own name.
    pub organization_name: &'a str,
    pub token_hash: &'a str,
    pub at: i64,
    pub expires_at: i64,
}

/// Inserts the pending sign-up; returns its id (the code's hash is set next, bound to it).
pub async fn insert_pending_sign_up(
    tx: &mut Tx,
    pending: &NewPendingSignUp<'_>,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO pending_sign_ups (email, first_name, last_name, password_hash, remember, token_hash, code_hash, created_at, expires_at, organization_name) \
                       VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        pending.email,
        pending.first_name,
        pending.last_name,
        pending.password_hash,
        pending.remember,
        pending.token_hash,
        pending.at,
        pending.expires_at,
        pending.organization_name
    )
}

pub async fn set_pending_code(tx: &mut Tx, id: i64, code_hash: &str) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE pending_sign_ups SET code_hash = $2 WHERE id = $1";
    affected!(tx, SQL, id, code_hash)?;
    Ok(())
}

/// Forgets expired sign-ups, and all but the newest few for this address.
pub async fn prune_pending_sign_ups(tx: &mut Tx, email: &str, now: i64) -> Result<(), sqlx::Error> {
    const EXPIRED: &str = "DELETE FROM pending_sign_ups WHERE expires_at <= $1";
    const SURPLUS: &str = "DELETE FROM pending_sign_ups WHERE email = $1 AND id NOT IN \
                           (SELECT id FROM pending_sign_ups WHERE email = $1 ORDER BY id DESC LIMIT 3)";
    affected!(tx, EXPIRED, now)?;
    affected!(tx, SURPLUS, email)?;
    Ok(())
}

/// A pending sign-up as confirmation needs it.
#[derive(sqlx::FromRow)]
pub struct PendingSignUp {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: HashedPassword,
    pub remember: bool,
    pub code_hash: String,
    pub organization_name: String,
}

/// Counts one confirmation attempt against the live pending sign-ups of an address (a code)
/// or of a link's token (the password), and returns those that still had attempts left,
/// newest first. Counting comes before comparing: concurrent guesses each spend an attempt,
/// so no more than [`super::SIGN_UP_CODE_ATTEMPTS`] are ever compared.
pub async fn attempt_pending_sign_ups(
    tx: &mut Tx,
    email: Option<&str>,
    token_hash: Option<&str>,
    now: i64,
    max_attempts: i64,
) -> Result<Vec<PendingSignUp>, sqlx::Error> {
    const SQL: &str = "UPDATE pending_sign_ups SET attempts = attempts + 1 \
                       WHERE (email = $1 OR token_hash = $2) AND expires_at > $3 AND attempts < $4 \
                       RETURNING id, email, first_name, last_name, password_hash, remember, code_hash, organization_name";
    let mut rows: Vec<PendingSignUp> = fetch_all!(
        tx,
        SQL,
        email.unwrap_or(""),
        token_hash.unwrap_or(""),
        now,
        max_attempts
    )?;
    rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(rows)
}

/// Confirmation emails sent to this address since `since`.
pub async fn pending_sign_ups_since(
    tx: &mut Tx,
    email: &str,
    since: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM pending_sign_ups WHERE email = $1 AND created_at >= $2";
    scalar_one!(tx, SQL, email, since)
}

/// The newest live pending sign-up of an address: its id and when its email went out.
pub async fn newest_pending_sign_up(
    tx: &mut Tx,
    email: &str,
    now: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT id, created_at FROM pending_sign_ups \
                       WHERE email = $1 AND expires_at > $2 ORDER BY id DESC LIMIT 1";
    fetch_optional!(tx, SQL, email, now)
}

/// A new pending sign-up copied from `id` with a new link token, for "send the code again".
/// It keeps the attempts already spent, so asking for codes buys no extra guesses. The code's
/// hash is set next, bound to the new id.
pub async fn copy_pending_sign_up(
    tx: &mut Tx,
    id: i64,
    token_hash: &str,
    at: i64,
    expires_at: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO pending_sign_ups (email, first_name, last_name, password_hash, remember, token_hash, code_hash, attempts, created_at, expires_at, organization_name) \
                       SELECT email, first_name, last_name, password_hash, remember, $2, '', attempts, $3, $4, organization_name \
                       FROM pending_sign_ups WHERE id = $1 RETURNING id";
    scalar_one!(tx, SQL, id, token_hash, at, expires_at)
}

/// Spends a pending sign-up: exactly one caller gets it, and only while it is live.
pub async fn take_pending_sign_up(
    tx: &mut Tx,
    id: i64,
    now: i64,
) -> Result<Option<PendingSignUp>, sqlx::Error> {
    const SQL: &str = "DELETE FROM pending_sign_ups WHERE id = $1 AND expires_at > $2 \
                       RETURNING id, email, first_name, last_name, password_hash, remember, code_hash, organization_name";
    fetch_optional!(tx, SQL, id, now)
}

/// Once an address has its account, its other pending sign-ups are void.
pub async fn drop_pending_sign_ups(tx: &mut Tx, email: &str) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM pending_sign_ups WHERE email = $1";
    affected!(tx, SQL, email)?;
    Ok(())
}

/// Records the "someone tried to sign up with your address" notice, if none went out in the
/// last hour; true when one may go now.
pub async fn claim_sign_up_notice(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET sign_up_notice_at = $2 \
                       WHERE id = $1 AND (sign_up_notice_at IS NULL OR sign_up_notice_at <= $2 - 3600)";
    let n = affected!(tx, SQL, user_id, now)?;
    Ok(n == 1)
}

/// Stores (or replaces) the account's picture, a PNG.
pub async fn save_avatar(
    tx: &mut Tx,
    user_id: i64,
    png: &[u8],
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO avatars (user_id, image, updated_at) VALUES ($1, $2, $3) \
                       ON CONFLICT (user_id) DO UPDATE SET image = excluded.image, updated_at = excluded.updated_at";
    affected!(tx, SQL, user_id, png, at)?;
    Ok(())
}

/// The account's picture, if it has one.
pub async fn avatar(tx: &mut Tx, user_id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    const SQL: &str = "SELECT image FROM avatars WHERE user_id = $1";
    scalar_optional!(tx, SQL, user_id)
}

/// Removes the account's picture; false when there was none.
pub async fn remove_avatar(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM avatars WHERE user_id = $1";
    let removed = affected!(tx, SQL, user_id)?;
    Ok(removed == 1)
}

/// Renames the account, unless its profile is no longer at `version` (a program may leave it
/// out to overwrite); false then.
pub async fn set_name(
    tx: &mut Tx,
    user_id: i64,
    first_name: &str,
    last_name: &str,
    version: Option<i64>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET first_name = $2, last_name = $3, version = version + 1 \
                       WHERE id = $1 AND (CAST($4 AS BIGINT) IS NULL OR version = $4)";
    let changed = affected!(tx, SQL, user_id, first_name, last_name, version)?;
    Ok(changed == 1)
}

/// My time zone ('' for my browser's).
pub async fn set_time_zone(tx: &mut Tx, user_id: i64, time_zone: &str) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET time_zone = $2 WHERE id = $1";
    exec!(tx, SQL, user_id, time_zone)
}

/// Deletes the account. Sessions, second factors, backup codes, application passwords, API
/// tokens, memberships and product accesses go with the row (ON DELETE CASCADE); products,
/// invitations sent and the activity log stay, pointing at nobody.
pub async fn delete_user(tx: &mut Tx, user_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM users WHERE id = $1";
    affected!(tx, SQL, user_id)?;
    Ok(())
}

/// Whether anyone has an account yet (the demo data fills only an empty database).
pub async fn has_accounts(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM users";
    let n: i64 = scalar_one!(tx, SQL)?;
    Ok(n > 0)
}
