//! SQL of verified domains.

use super::VerifiedDomain;
use crate::db::{affected, fetch_all, fetch_optional, row, scalar_one, scalar_optional, Tx};

row! {
    struct DomainRow {
        id: i64,
        domain: String,
        token: String,
        added_at: i64,
        verified_at: Option<i64>,
    }
}

fn domain(row: DomainRow) -> VerifiedDomain {
    VerifiedDomain {
        id: row.id,
        domain: row.domain,
        token: row.token,
        added_at: row.added_at,
        verified_at: row.verified_at,
    }
}

const COLUMNS: &str = "id, domain, token, added_at, verified_at";

/// The organization's domains, by name.
pub async fn list(tx: &mut Tx, organization_id: i64) -> Result<Vec<VerifiedDomain>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM organization_domains WHERE organization_id = $1 ORDER BY domain"
    );
    let rows: Vec<DomainRow> = fetch_all!(tx, &sql, organization_id)?;
    Ok(rows.into_iter().map(domain).collect())
}

/// One of the organization's domains.
pub async fn find(
    tx: &mut Tx,
    organization_id: i64,
    id: i64,
) -> Result<Option<VerifiedDomain>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM organization_domains WHERE organization_id = $1 AND id = $2"
    );
    let row: Option<DomainRow> = fetch_optional!(tx, &sql, organization_id, id)?;
    Ok(row.map(domain))
}

pub async fn count(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM organization_domains WHERE organization_id = $1";
    scalar_one!(tx, SQL, organization_id)
}

/// The organization that verified `domain`, if one did.
pub async fn verified_by(tx: &mut Tx, domain: &str) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT organization_id FROM organization_domains \
        WHERE domain = $1 AND verified_at IS NOT NULL";
    scalar_optional!(tx, SQL, domain)
}

/// Adds a domain waiting for its record; `None` when the organization has it already.
pub async fn insert(
    tx: &mut Tx,
    organization_id: i64,
    domain: &str,
    token: &str,
    added_by: i64,
    at: i64,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "INSERT INTO organization_domains \
        (organization_id, domain, token, added_by, added_at) VALUES ($1, $2, $3, $4, $5) \
        ON CONFLICT (organization_id, domain) DO NOTHING RETURNING id";
    scalar_optional!(tx, SQL, organization_id, domain, token, added_by, at)
}

/// What marking a domain verified did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marked {
    Now,
    /// It was verified before (verification is sticky).
    Already,
    /// Another organization verified the same domain first (the unique index said so).
    Taken,
}

pub async fn mark_verified(tx: &mut Tx, id: i64, at: i64) -> Result<Marked, sqlx::Error> {
    const SQL: &str =
        "UPDATE organization_domains SET verified_at = $2 WHERE id = $1 AND verified_at IS NULL";
    match affected!(tx, SQL, id, at) {
        Ok(1) => Ok(Marked::Now),
        Ok(_) => Ok(Marked::Already),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(Marked::Taken),
        Err(error) => Err(error),
    }
}

pub async fn remove(tx: &mut Tx, organization_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM organization_domains WHERE organization_id = $1 AND id = $2";
    Ok(affected!(tx, SQL, organization_id, id)? == 1)
}
