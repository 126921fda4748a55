//! SQL for the outbox.

use super::{seal, Email};
use crate::db::Tx;
use crate::db::{affected, fetch_optional, scalar_one};

/// Puts a message in the outbox, in the caller's transaction: it is sent if and only if the
/// change that caused it commits. The body is sealed under the transaction's outbox key
/// ([`seal`]): the database never holds it, or the links in it, in readable form.
pub async fn enqueue(tx: &mut Tx, email: &Email, at: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO outbox (recipient, subject, body, sealed_with, created_at, next_attempt_at) \
                       VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
    let key = tx.outbox_key();
    let body = seal::seal(key, email.to(), email.subject(), email.body());
    let key_id = seal::key_id(key);
    scalar_one!(tx, SQL, email.to(), email.subject(), &body, &key_id, at)
}

/// A message a worker has claimed, its body opened.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    /// The readable body, or why it does not open.
    pub body: Result<String, seal::Unreadable>,
    pub created_at: i64,
    pub attempts: i64,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
    sealed_with: Option<String>,
    created_at: i64,
    attempts: i64,
}

/// Claims the oldest due message this process can open (sealed with its key, or written before
/// bodies were sealed) for `lease_seconds`. One conditional UPDATE: of two workers (even in two
/// processes) racing for the same row, exactly one gets it.
pub async fn claim_next(
    tx: &mut Tx,
    now: i64,
    lease_seconds: i64,
    claim_token: &str,
) -> Result<Option<Claimed>, sqlx::Error> {
    const SQL: &str = "UPDATE outbox SET claimed_until = $2, claim_token = $3, attempts = attempts + 1 \
        WHERE id = (SELECT id FROM outbox \
                    WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                      AND (claimed_until IS NULL OR claimed_until <= $1) \
                      AND (sealed_with IS NULL OR sealed_with = $4) \
                    ORDER BY id LIMIT 1) \
          AND sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $1) \
        RETURNING id, recipient, subject, body, sealed_with, created_at, attempts";
    let key = tx.outbox_key().clone();
    let key_id = seal::key_id(&key);
    let row: Option<ClaimedRow> =
        fetch_optional!(tx, SQL, now, now + lease_seconds, claim_token, &key_id)?;
    Ok(row.map(|row| Claimed {
        body: match row.sealed_with {
            Some(_) => seal::open(&key, &row.recipient, &row.subject, &row.body),
            None => Ok(row.body),
        },
        id: row.id,
        recipient: row.recipient,
        subject: row.subject,
        created_at: row.created_at,
        attempts: row.attempts,
    }))
}

/// How many messages wait for a key other than the transaction's (a process started with
/// another `outbox_key` sealed them): said at start-up, since this process will not send them.
pub async fn waiting_for_another_key(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL \
                       AND sealed_with IS NOT NULL AND sealed_with <> $1";
    let key_id = seal::key_id(tx.outbox_key());
    scalar_one!(tx, SQL, &key_id)
}

/// Records the delivery, if the claim is still ours, and erases the body: once delivered, the
/// recipient's mailbox holds the only copy of its links.
pub async fn mark_sent(
    tx: &mut Tx,
    id: i64,
    claim_token: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "UPDATE outbox SET sent_at = $3, claimed_until = NULL, last_error = NULL, body = '' \
                       WHERE id = $1 AND claim_token = $2 AND sent_at IS NULL";
    let n = affected!(tx, SQL, id, claim_token, at)?;
    Ok(n == 1)
}

/// Records a failed attempt: retry at `retry_at`, or give up when it is `None` — and then
/// erase the body, whose links nobody will receive.
pub async fn mark_failed(
    tx: &mut Tx,
    id: i64,
    claim_token: &str,
    error: &str,
    now: i64,
    retry_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE outbox SET claimed_until = NULL, last_error = $3, \
                       next_attempt_at = COALESCE($4, next_attempt_at), \
                       failed_at = CASE WHEN $4 IS NULL THEN CAST($5 AS BIGINT) ELSE NULL END, \
                       body = CASE WHEN $4 IS NULL THEN '' ELSE body END \
                       WHERE id = $1 AND claim_token = $2 AND sent_at IS NULL";
    let error: String = error.chars().take(500).collect();
    affected!(tx, SQL, id, claim_token, &error, retry_at, now)?;
    Ok(())
}
