//! SQL for invitations. Everything an administrator touches is scoped by organization; a link
//! is looked up by the hash of its token only.

use super::{InvitedProduct, ProductChoice};
use crate::db::Tx;
use crate::db::{affected, fetch_all, fetch_optional, row, scalar_one, scalar_optional};
use crate::policy::Role;
use crate::products::ProductKind;

pub struct NewInvitation<'a> {
    pub organization_id: i64,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: i64,
    pub at: i64,
    pub expires_at: i64,
}

pub async fn insert(tx: &mut Tx, new: &NewInvitation<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO invitations (organization_id, email, role, token_hash, invited_by, created_at, sent_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        new.organization_id,
        new.email,
        new.role.as_str(),
        new.token_hash,
        new.invited_by,
        new.at,
        new.expires_at
    )
}

pub async fn insert_product(
    tx: &mut Tx,
    invitation_id: i64,
    product_id: i64,
    billing: bool,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "INSERT INTO invitation_products (invitation_id, product_id, billing) VALUES ($1, $2, $3)";
    affected!(tx, SQL, invitation_id, product_id, billing)?;
    Ok(())
}

/// The organization's products, for the invitation form.
pub async fn product_choices(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<ProductChoice>, sqlx::Error> {
    const SQL: &str =
        "SELECT id, name, kind FROM products WHERE organization_id = $1 ORDER BY lower(name), id";
    let rows: Vec<(i64, String, String)> = fetch_all!(tx, SQL, organization_id)?;
    Ok(crate::db::parsed("products", rows, |(id, name, kind)| {
        Some(ProductChoice {
            id,
            name,
            kind: ProductKind::parse(&kind)?,
        })
    }))
}

/// Of these product ids, how many belong to the organization.
pub async fn count_products_in(
    tx: &mut Tx,
    organization_id: i64,
    product_ids: &[i64],
) -> Result<usize, sqlx::Error> {
    const SQL: &str = "SELECT 1 FROM products WHERE id = $1 AND organization_id = $2";
    let mut found = 0;
    for id in product_ids {
        let hit: Option<i32> = scalar_optional!(tx, SQL, id, organization_id)?;
        found += usize::from(hit.is_some());
    }
    Ok(found)
}

/// Whether someone with this email is a member of the organization.
pub async fn is_member(
    tx: &mut Tx,
    organization_id: i64,
    email: &str,
) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 AND u.email = $2)";
    scalar_one!(tx, SQL, organization_id, email)
}

/// When the pending invitation for this address was sent, if there is one.
pub async fn pending_for(
    tx: &mut Tx,
    organization_id: i64,
    email: &str,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT sent_at FROM invitations WHERE organization_id = $1 AND email = $2 \
                       AND accepted_at IS NULL AND revoked_at IS NULL";
    scalar_optional!(tx, SQL, organization_id, email)
}

pub async fn count_pending(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM invitations WHERE organization_id = $1 \
                       AND accepted_at IS NULL AND revoked_at IS NULL";
    scalar_one!(tx, SQL, organization_id)
}

/// A pending invitation of the organization.
pub struct Pending {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub sent_at: i64,
    pub expires_at: i64,
}

row! {
    /// A pending invitation with its inviter.
    struct PendingRow {
        id: i64,
        email: String,
        role: String,
        first_name: Option<String>,
        last_name: Option<String>,
        sent_at: i64,
        expires_at: i64,
    }
}

fn pending_from(
    PendingRow {
        id,
        email,
        role,
        first_name: first,
        last_name: last,
        sent_at,
        expires_at,
    }: PendingRow,
) -> Option<Pending> {
    Some(Pending {
        id,
        email,
        role: Role::parse(&role)?,
        invited_by: first.zip(last).map(|(f, l)| format!("{f} {l}")),
        sent_at,
        expires_at,
    })
}

const PENDING_SELECT: &str =
    "SELECT i.id, i.email, i.role, u.first_name, u.last_name, i.sent_at, i.expires_at \
       FROM invitations i LEFT JOIN users u ON u.id = i.invited_by \
       WHERE i.organization_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL";

/// The organization's pending invitations, newest first.
pub async fn pending(tx: &mut Tx, organization_id: i64) -> Result<Vec<Pending>, sqlx::Error> {
    let sql = format!("{PENDING_SELECT} ORDER BY i.sent_at DESC, i.id DESC");
    let rows: Vec<PendingRow> = fetch_all!(tx, &sql, organization_id)?;
    Ok(crate::db::parsed("invitations", rows, pending_from))
}

/// One pending invitation, if it belongs to the organization.
pub async fn find_pending(
    tx: &mut Tx,
    organization_id: i64,
    invitation_id: i64,
) -> Result<Option<Pending>, sqlx::Error> {
    let sql = format!("{PENDING_SELECT} AND i.id = $2");
    let row: Option<PendingRow> = fetch_optional!(tx, &sql, organization_id, invitation_id)?;
    Ok(row.and_then(pending_from))
}

/// The products an invitation grants (those still in the organization).
pub async fn products_of(
    tx: &mut Tx,
    invitation_id: i64,
) -> Result<Vec<(i64, InvitedProduct)>, sqlx::Error> {
    const SQL: &str = "SELECT p.id, p.name, p.kind, ip.billing FROM invitation_products ip \
                       JOIN invitations i ON i.id = ip.invitation_id \
                       JOIN products p ON p.id = ip.product_id AND p.organization_id = i.organization_id \
                       WHERE ip.invitation_id = $1 ORDER BY lower(p.name), p.id";
    let rows: Vec<(i64, String, String, bool)> = fetch_all!(tx, SQL, invitation_id)?;
    Ok(crate::db::parsed(
        "invitation_products",
        rows,
        |(id, name, kind, billing)| {
            Some((
                id,
                InvitedProduct {
                    name,
                    kind: ProductKind::parse(&kind)?,
                    billing,
                },
            ))
        },
    ))
}

/// A new token and seven more days for a pending invitation; the old link stops working.
pub async fn renew(
    tx: &mut Tx,
    organization_id: i64,
    invitation_id: i64,
    token_hash: &str,
    at: i64,
    expires_at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE invitations SET token_hash = $3, sent_at = $4, expires_at = $5 \
                       WHERE id = $1 AND organization_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL";
    let changed = affected!(
        tx,
        SQL,
        invitation_id,
        organization_id,
        token_hash,
        at,
        expires_at
    )?;
    Ok(changed == 1)
}

pub async fn revoke(
    tx: &mut Tx,
    organization_id: i64,
    invitation_id: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE invitations SET revoked_at = $3 \
                       WHERE id = $1 AND organization_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL";
    let changed = affected!(tx, SQL, invitation_id, organization_id, at)?;
    Ok(changed == 1)
}

/// An invitation found through its link, whatever its state.
pub struct ByToken {
    pub id: i64,
    pub organization_id: i64,
    pub organization_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<i64>,
    pub inviter_name: Option<String>,
    pub inviter_email: Option<String>,
    pub expires_at: i64,
    /// Accepted or revoked.
    pub ended: bool,
}

pub async fn by_token(tx: &mut Tx, token_hash: &str) -> Result<Option<ByToken>, sqlx::Error> {
    const SQL: &str =
        "SELECT i.id, i.organization_id, o.name AS organization_name, i.email, i.role, \
          i.invited_by, u.first_name AS inviter_first_name, u.last_name AS inviter_last_name, \
          u.email AS inviter_email, i.expires_at, \
          (i.accepted_at IS NOT NULL OR i.revoked_at IS NOT NULL) AS ended \
        FROM invitations i JOIN organizations o ON o.id = i.organization_id \
        LEFT JOIN users u ON u.id = i.invited_by \
        WHERE i.token_hash = $1";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        organization_id: i64,
        organization_name: String,
        email: String,
        role: String,
        invited_by: Option<i64>,
        inviter_first_name: Option<String>,
        inviter_last_name: Option<String>,
        inviter_email: Option<String>,
        expires_at: i64,
        ended: bool,
    }
    let row: Option<Row> = fetch_optional!(tx, SQL, token_hash)?;
    Ok(row.and_then(
        |Row {
             id,
             organization_id,
             organization_name,
             email,
             role,
             invited_by,
             inviter_first_name: first,
             inviter_last_name: last,
             inviter_email,
             expires_at,
             ended,
         }| {
            Some(ByToken {
                id,
                organization_id,
                organization_name,
                email,
                role: Role::parse(&role)?,
                invited_by,
                inviter_name: first.zip(last).map(|(f, l)| format!("{f} {l}")),
                inviter_email,
                expires_at,
                ended,
            })
        },
    ))
}

/// Marks the invitation used, once: `false` when another request got there first, or it was
/// revoked or renewed meanwhile.
pub async fn consume(
    tx: &mut Tx,
    invitation_id: i64,
    token_hash: &str,
    user_id: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE invitations SET accepted_at = $4, accepted_by = $3 \
                       WHERE id = $1 AND token_hash = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $4";
    let changed = affected!(tx, SQL, invitation_id, token_hash, user_id, at)?;
    Ok(changed == 1)
}
