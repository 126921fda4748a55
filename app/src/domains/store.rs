//! The SQL of the domain lifecycle: the domains the scheduler may have to move, the move itself
//! (only from the stage that was read, so two schedulers move a domain once), a domain's facts,
//! and the released domains.

use super::ReleasedDomain;
use crate::db::Tx;
use crate::db::{fetch_all, fetch_optional, row};
use crate::products::DomainStage;

/// A domain past its expiry that has not been released.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expired {
    pub product_id: i64,
    pub organization_id: i64,
    pub organization: String,
    pub name: String,
    pub stage: DomainStage,
    pub expires_at: i64,
}

/// The domains whose expiry has passed and that have not been released, oldest expiry first.
pub async fn expired(tx: &mut Tx, now: i64) -> Result<Vec<Expired>, sqlx::Error> {
    const SQL: &str = "SELECT p.id, p.organization_id, o.name AS organization, p.name, p.stage, \
          p.expires_at \
        FROM products p JOIN organizations o ON o.id = p.organization_id \
        WHERE p.kind = 'domain' AND p.stage <> 'released' \
          AND p.expires_at IS NOT NULL AND p.expires_at <= $1 \
        ORDER BY p.expires_at, p.id";
    row! {
        struct Row {
            id: i64,
            organization_id: i64,
            organization: String,
            name: String,
            stage: String,
            expires_at: i64,
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, now)?;
    Ok(crate::db::parsed(
        "products",
        rows,
        |Row {
             id: product_id,
             organization_id,
             organization,
             name,
             stage,
             expires_at,
         }| {
            Some(Expired {
                product_id,
                organization_id,
                organization,
                name,
                stage: DomainStage::parse(&stage)?,
                expires_at,
            })
        },
    ))
}

/// A domain of the organization, as its panel and its actions need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainRow {
    pub name: String,
    pub stage: DomainStage,
    pub expires_at: Option<i64>,
    pub warranty_until: Option<i64>,
    /// Its management is blocked (PRD-3).
    pub blocked: bool,
    /// It renews itself at expiry, paid from the prepaid balance.
    pub auto_renew: bool,
}

/// A domain of the organization (with `only_for`, only if that person was given access to it).
pub async fn domain(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
    product_id: i64,
) -> Result<Option<DomainRow>, sqlx::Error> {
    const SQL: &str = "SELECT p.name, p.stage, p.expires_at, p.warranty_until, \
          p.blocked_at IS NOT NULL AS blocked, p.auto_renew FROM products p \
        WHERE p.id = $1 AND p.organization_id = $2 AND p.kind = 'domain' \
          AND p.stage <> 'released' \
          AND ($3 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = p.id AND a.user_id = $3))";
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
        stage: String,
        expires_at: Option<i64>,
        warranty_until: Option<i64>,
        blocked: bool,
        auto_renew: bool,
    }
    let row: Option<Row> =
        fetch_optional!(tx, SQL, product_id, organization_id, only_for.unwrap_or(0))?;
    Ok(row.and_then(
        |Row {
             name,
             stage,
             expires_at,
             warranty_until,
             blocked,
             auto_renew,
         }| {
            Some(DomainRow {
                name,
                stage: DomainStage::parse(&stage)?,
                expires_at,
                warranty_until,
                blocked,
                auto_renew,
            })
        },
    ))
}

/// The organization's released domains (with `only_for`, those that person had access to),
/// latest first.
pub async fn released(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
) -> Result<Vec<ReleasedDomain>, sqlx::Error> {
    const SQL: &str = "SELECT p.id, p.name, p.expires_at, p.stage_since FROM products p \
        WHERE p.organization_id = $1 AND p.kind = 'domain' AND p.stage = 'released' \
          AND ($2 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = p.id AND a.user_id = $2)) \
        ORDER BY p.stage_since DESC, p.id DESC";
    let rows: Vec<(i64, String, Option<i64>, Option<i64>)> =
        fetch_all!(tx, SQL, organization_id, only_for.unwrap_or(0))?;
    Ok(rows
        .into_iter()
        .map(
            |(product_id, name, expired_at, released_at)| ReleasedDomain {
                product_id,
                name,
                expired_at,
                released_at,
            },
        )
        .collect())
}

// ---- Transfers in (PRD-5) -------------------------------------------------------------------

/// A transfer waiting for the registry, with the code to send.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingTransfer {
    pub product_id: i64,
    pub organization_id: i64,
    pub organization: String,
    pub name: String,
    pub code: String,
}

pub async fn pending_transfers(tx: &mut Tx) -> Result<Vec<PendingTransfer>, sqlx::Error> {
    const SQL: &str =
        "SELECT p.id AS product_id, p.organization_id, o.name AS organization, p.name, \
          p.transfer_code AS code \
        FROM products p JOIN organizations o ON o.id = p.organization_id \
        WHERE p.transfer_state = 'pending' AND p.transfer_code IS NOT NULL ORDER BY p.id";
    fetch_all!(tx, SQL)
}

/// A domain's transfer as its page shows it: state, last failure, attempts.
pub async fn transfer_of(
    tx: &mut Tx,
    product_id: i64,
) -> Result<Option<(String, Option<String>, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT transfer_state, transfer_failure, transfer_attempts FROM products \
        WHERE id = $1 AND transfer_state IS NOT NULL";
    fetch_optional!(tx, SQL, product_id)
}
