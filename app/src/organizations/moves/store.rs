//! SQL of product moves (PRD-8).

use super::PendingMove;
use crate::db::Tx;
use crate::db::{affected, fetch_optional, scalar_one, scalar_optional};

pub struct NewMove<'a> {
    pub product_id: i64,
    pub from_organization_id: i64,
    pub to_email: &'a str,
    pub token_hash: &'a str,
    pub requested_by: i64,
    pub at: i64,
    pub expires_at: i64,
}

/// Records a request; `None` when the product has an open one already (one at a time, by a
/// unique index, so two racing requests cannot both be open).
pub async fn insert(tx: &mut Tx, new: &NewMove<'_>) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "INSERT INTO product_moves \
        (product_id, from_organization_id, to_email, token_hash, requested_by, created_at, expires_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id";
    scalar_optional!(
        tx,
        SQL,
        new.product_id,
        new.from_organization_id,
        new.to_email,
        new.token_hash,
        new.requested_by,
        new.at,
        new.expires_at
    )
}

/// The open request of a product (expired or not: an expired one still blocks a new request
/// until it is cancelled, and the page says it expired).
pub async fn pending(tx: &mut Tx, product_id: i64) -> Result<Option<PendingMove>, sqlx::Error> {
    const SQL: &str = "SELECT m.to_email, \
          CASE WHEN u.id IS NULL THEN NULL ELSE u.first_name || ' ' || u.last_name END AS requested_by, \
          m.created_at, m.expires_at \
        FROM product_moves m LEFT JOIN users u ON u.id = m.requested_by \
        WHERE m.product_id = $1 AND m.answered_at IS NULL";
    let row: Option<(String, Option<String>, i64, i64)> = fetch_optional!(tx, SQL, product_id)?;
    Ok(row.map(
        |(to_email, requested_by, created_at, expires_at)| PendingMove {
            to_email,
            requested_by,
            created_at,
            expires_at,
            expired: false,
        },
    ))
}

/// An open request found by its link's hash, not expired.
#[derive(sqlx::FromRow)]
pub struct OpenMove {
    pub id: i64,
    pub product_id: i64,
    pub from_organization_id: i64,
    pub from_organization: String,
    pub to_email: String,
    pub requested_by: Option<i64>,
    pub requested_by_name: Option<String>,
    pub expires_at: i64,
}

pub async fn open(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<OpenMove>, sqlx::Error> {
    const SQL: &str = "SELECT m.id, m.product_id, m.from_organization_id, o.name AS from_organization, \
          m.to_email, m.requested_by, \
          CASE WHEN u.id IS NULL THEN NULL ELSE u.first_name || ' ' || u.last_name END AS requested_by_name, \
          m.expires_at \
        FROM product_moves m JOIN organizations o ON o.id = m.from_organization_id \
        LEFT JOIN users u ON u.id = m.requested_by \
        WHERE m.token_hash = $1 AND m.answered_at IS NULL AND m.expires_at > $2";
    fetch_optional!(tx, SQL, token_hash, now)
}

/// Closes a request with its outcome; `false` when it was closed meanwhile (answered twice at
/// once: only one answer counts).
pub async fn close(
    tx: &mut Tx,
    move_id: i64,
    outcome: &str,
    to_organization_id: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "UPDATE product_moves SET answered_at = $2, outcome = $3, to_organization_id = $4 \
        WHERE id = $1 AND answered_at IS NULL";
    Ok(affected!(tx, SQL, move_id, now, outcome, to_organization_id)? == 1)
}

/// Cancels the product's open request; `false` when it had none.
pub async fn cancel(tx: &mut Tx, product_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE product_moves SET answered_at = $2, outcome = 'cancelled' \
        WHERE product_id = $1 AND answered_at IS NULL";
    Ok(affected!(tx, SQL, product_id, now)? == 1)
}

/// Whether the organization has a product of this kind and name (a row must stay unique).
pub async fn name_in(
    tx: &mut Tx,
    organization_id: i64,
    kind: &str,
    name: &str,
) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "SELECT COUNT(*) FROM products WHERE organization_id = $1 AND kind = $2 AND name = $3";
    let n: i64 = scalar_one!(tx, SQL, organization_id, kind, name)?;
    Ok(n > 0)
}
