//! SQL for organizations and memberships. Every query is scoped by organization and member.

use super::{Member, OrganizationSummary};
use crate::db::Tx;
use crate::on_db;
use crate::policy::Role;

pub async fn insert_organization(tx: &mut Tx, name: &str, at: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO organizations (name, created_at) VALUES ($1, $2) RETURNING id";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(name)
        .bind(at)
        .fetch_one(&mut **c)
        .await)
}

pub async fn insert_membership(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    role: Role,
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(at)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The columns that say how the member `m` stands in organization `o`.
const STANDING: &str = "m.role, m.blocked_at IS NOT NULL, \
     (o.require_two_factor AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = m.user_id))";

type SummaryRow = (i64, String, String, bool, bool);

fn summary(
    (id, name, role, blocked, missing_two_factor): SummaryRow,
) -> Option<OrganizationSummary> {
    Role::parse(&role).map(|role| OrganizationSummary {
        id,
        name,
        role,
        blocked,
        missing_two_factor,
    })
}

/// My organizations, in the order I joined them.
pub async fn memberships_of(
    tx: &mut Tx,
    user_id: i64,
) -> Result<Vec<OrganizationSummary>, sqlx::Error> {
    let sql = format!(
        "SELECT o.id, o.name, {STANDING} FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         WHERE m.user_id = $1 ORDER BY m.created_at, o.id"
    );
    let rows: Vec<SummaryRow> = on_db!(tx, |c| sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows.into_iter().filter_map(summary).collect())
}

/// Where this person lands after signing in: the organization they opened last, while they are
/// still a member there; otherwise the one with the most to see (most products, then most
/// members), then the oldest membership. `None` when they are in no organization.
pub async fn landing_organization(tx: &mut Tx, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT m.organization_id FROM memberships m \
        WHERE m.user_id = $1 \
        ORDER BY CASE WHEN m.organization_id = (SELECT u.last_organization_id FROM users u WHERE u.id = $1) THEN 0 ELSE 1 END, \
          (SELECT COUNT(*) FROM products p WHERE p.organization_id = m.organization_id) DESC, \
          (SELECT COUNT(*) FROM memberships o WHERE o.organization_id = m.organization_id) DESC, \
          m.created_at, m.organization_id \
        LIMIT 1";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .fetch_optional(&mut **c)
        .await)
}

/// The organization this person opened last (whether or not they are still in it).
pub async fn last_organization(tx: &mut Tx, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT last_organization_id FROM users WHERE id = $1";
    let found: Option<Option<i64>> = on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(found.flatten())
}

pub async fn set_last_organization(
    tx: &mut Tx,
    user_id: i64,
    organization_id: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET last_organization_id = $1 WHERE id = $2";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .bind(user_id)
        .execute(&mut **c)
        .await
        .map(|_| ()))
}

/// The organization as seen by this member; `None` when it does not exist or they are not a member.
pub async fn membership(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<Option<(OrganizationSummary, i64)>, sqlx::Error> {
    let sql = format!(
        "SELECT o.id, o.name, {STANDING}, o.created_at FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         WHERE m.organization_id = $1 AND m.user_id = $2"
    );
    let row: Option<(i64, String, String, bool, bool, i64)> = on_db!(tx, |c| sqlx::query_as(&sql)
        .bind(organization_id)
        .bind(user_id)
        .fetch_optional(&mut **c)
        .await)?;
    Ok(
        row.and_then(|(id, name, role, blocked, missing, created_at)| {
            summary((id, name, role, blocked, missing)).map(|s| (s, created_at))
        }),
    )
}

pub async fn members(tx: &mut Tx, organization_id: i64) -> Result<Vec<Member>, sqlx::Error> {
    const SQL: &str = "SELECT u.id, u.first_name, u.last_name, u.email, m.role, m.created_at, u.locked_at IS NOT NULL \
                       FROM memberships m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 ORDER BY u.last_name, u.first_name, u.id";
    let rows: Vec<(i64, String, String, String, String, i64, bool)> =
        on_db!(tx, |c| sqlx::query_as(SQL)
            .bind(organization_id)
            .fetch_all(&mut **c)
            .await)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(user_id, first_name, last_name, email, role, joined_at, locked)| {
                Role::parse(&role).map(|role| Member {
                    user_id,
                    first_name,
                    last_name,
                    email,
                    role,
                    joined_at,
                    locked,
                })
            },
        )
        .collect())
}

/// The organization's people, with 2FA status, last activity and lock; `search` (a LIKE pattern,
/// or empty) matches first name, last name or email.
pub async fn users(
    tx: &mut Tx,
    organization_id: i64,
    search: &str,
) -> Result<Vec<super::UserRow>, sqlx::Error> {
    const SQL: &str = "SELECT u.id, u.first_name, u.last_name, u.email, m.role, \
          EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id), \
          (SELECT a.occurred_at FROM activity_log a WHERE a.actor_user_id = u.id ORDER BY a.id DESC LIMIT 1), \
          u.locked_at IS NOT NULL, m.blocked_at IS NOT NULL \
        FROM memberships m JOIN users u ON u.id = m.user_id \
        WHERE m.organization_id = $1 \
          AND ($2 = '' OR lower(u.first_name || ' ' || u.last_name) LIKE $2 ESCAPE '\\' OR u.email LIKE $2 ESCAPE '\\') \
        ORDER BY lower(u.last_name), lower(u.first_name), u.id";
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        bool,
        Option<i64>,
        bool,
        bool,
    );
    let rows: Vec<Row> = on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(organization_id)
        .bind(search)
        .fetch_all(&mut **c)
        .await)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(
                user_id,
                first_name,
                last_name,
                email,
                role,
                two_factor,
                last_active,
                locked,
                blocked,
            )| {
                Some(super::UserRow {
                    user_id,
                    first_name,
                    last_name,
                    email,
                    role: Role::parse(&role)?,
                    two_factor,
                    last_active,
                    locked,
                    blocked,
                })
            },
        )
        .collect())
}

pub async fn set_role(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    role: Role,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE memberships SET role = $3 WHERE organization_id = $1 AND user_id = $2";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn count_role(tx: &mut Tx, organization_id: i64, role: Role) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = $2";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(organization_id)
        .bind(role.as_str())
        .fetch_one(&mut **c)
        .await)
}

/// Serializes changes to one organization's memberships: on Postgres it takes the organization
/// row's lock until the transaction ends (SQLite's write transactions are serial already), so
/// "the last legal representative" is counted by one transaction at a time.
pub async fn lock_organization(tx: &mut Tx, organization_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET name = name WHERE id = $1";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Blocks (`Some((at, by))`) or unblocks (`None`) a member; `false` when they are not a member.
pub async fn set_blocked(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    blocked: Option<(i64, i64)>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE memberships SET blocked_at = $3, blocked_by = $4 WHERE organization_id = $1 AND user_id = $2";
    let changed = on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .bind(user_id)
        .bind(blocked.map(|(at, _)| at))
        .bind(blocked.map(|(_, by)| by))
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// The products a member reaches one by one in this organization, with billing rights or not.
pub async fn member_products(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<Vec<(String, String, bool)>, sqlx::Error> {
    const SQL: &str = "SELECT p.name, p.kind, a.billing FROM product_access a JOIN products p ON p.id = a.product_id \
                       WHERE p.organization_id = $1 AND a.user_id = $2 ORDER BY lower(p.name), p.id";
    on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(organization_id)
        .bind(user_id)
        .fetch_all(&mut **c)
        .await)
}

/// The ids of the products the member was given (collaborators and externals reach only these).
pub async fn member_product_ids(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    const SQL: &str = "SELECT p.id FROM product_access a JOIN products p ON p.id = a.product_id \
                       WHERE p.organization_id = $1 AND a.user_id = $2";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(organization_id)
        .bind(user_id)
        .fetch_all(&mut **c)
        .await)
}

pub async fn count_members(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships WHERE organization_id = $1";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(organization_id)
        .fetch_one(&mut **c)
        .await)
}

/// Ends a membership: the person's product accesses in this organization, then the membership.
/// Their account, their other organizations and everything the organization keeps (products,
/// tags, the activity log) stay.
pub async fn remove_membership(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    const ACCESS: &str = "DELETE FROM product_access WHERE user_id = $2 \
                          AND product_id IN (SELECT id FROM products WHERE organization_id = $1)";
    const MEMBERSHIP: &str = "DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2";
    on_db!(tx, |c| sqlx::query(ACCESS)
        .bind(organization_id)
        .bind(user_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    let removed = on_db!(tx, |c| sqlx::query(MEMBERSHIP)
        .bind(organization_id)
        .bind(user_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(removed == 1)
}

/// The organization's settings: (require two-factor authentication, forbid password reset by
/// SMS, its version: a rename from an older page is refused).
pub async fn settings_flags(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<(bool, bool, i64), sqlx::Error> {
    const SQL: &str =
        "SELECT require_two_factor, forbid_sms_reset, version FROM organizations WHERE id = $1";
    on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(organization_id)
        .fetch_one(&mut **c)
        .await)
}

/// Members without any second factor: (first name, last name, email).
pub async fn without_two_factor(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    const SQL: &str = "SELECT u.first_name, u.last_name, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id) \
                       ORDER BY lower(u.last_name), lower(u.first_name), u.id";
    on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(organization_id)
        .fetch_all(&mut **c)
        .await)
}

pub async fn count_products(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM products WHERE organization_id = $1";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(organization_id)
        .fetch_one(&mut **c)
        .await)
}

/// Renames, unless the organization is no longer at `version`; false then.
pub async fn rename_if(
    tx: &mut Tx,
    organization_id: i64,
    name: &str,
    version: Option<i64>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET name = $2, version = version + 1 \
                       WHERE id = $1 AND ($3 IS NULL OR version = $3)";
    let n = on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .bind(name)
        .bind(version)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn set_require_two_factor(
    tx: &mut Tx,
    organization_id: i64,
    on: bool,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET require_two_factor = $2 WHERE id = $1";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .bind(on)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_forbid_sms_reset(
    tx: &mut Tx,
    organization_id: i64,
    on: bool,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET forbid_sms_reset = $2 WHERE id = $1";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .bind(on)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes the organization and, with it, its memberships, products, tags and invitations.
/// Its activity-log rows stay (they name the organization by id only).
pub async fn delete_organization(tx: &mut Tx, organization_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM organizations WHERE id = $1";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(organization_id)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The names of my organizations that require two-factor authentication.
pub async fn requiring_two_factor(tx: &mut Tx, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    const SQL: &str =
        "SELECT o.name FROM memberships m JOIN organizations o ON o.id = m.organization_id \
                       WHERE m.user_id = $1 AND o.require_two_factor ORDER BY o.name";
    on_db!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .fetch_all(&mut **c)
        .await)
}
