//! SQL for the outbox.

use super::Email;
use crate::db::Tx;
use crate::db::{affected, fetch_optional, scalar_one};

/// Puts a message in the outbox, in the caller's transaction: it is sent if and only if the
/// change that caused it commits.
pub async fn enqueue(tx: &mut Tx, email: &Email, at: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) \
                       VALUES ($1, $2, $3, $4, $4) RETURNING id";
    scalar_one!(tx, SQL, email.to(), email.subject(), email.body(), at)
}

/// A message a worker has claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
}

/// Claims the oldest due message for `lease_seconds`. One conditional UPDATE: of two workers
/// (even in two processes) racing for the same row, exactly one gets it.
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
                    ORDER BY id LIMIT 1) \
          AND sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $1) \
        RETURNING id, recipient, subject, body, created_at, attempts";
    fetch_optional!(tx, SQL, now, now + lease_seconds, claim_token)
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
