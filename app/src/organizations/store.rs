//! SQL for organizations and memberships. Every query is scoped by organization and member.

use super::Member;
use crate::db::Tx;
use crate::db::{
    affected, exec, fetch_all, fetch_one, fetch_optional, row, scalar_all, scalar_one,
    scalar_optional,
};
use crate::policy::Role;

pub async fn set_last_organization(
    tx: &mut Tx,
    user_id: i64,
    organization_id: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET last_organization_id = $1 WHERE id = $2";
    exec!(tx, SQL, organization_id, user_id)
}

pub async fn members(tx: &mut Tx, organization_id: i64) -> Result<Vec<Member>, sqlx::Error> {
    const SQL: &str =
        "SELECT u.id, u.first_name, u.last_name, u.email, m.role, m.created_at AS joined_at, \
                         u.locked_at IS NOT NULL AS locked \
                       FROM memberships m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 ORDER BY u.last_name, u.first_name, u.id";
    row! {
        struct Row {
            id: i64,
            first_name: String,
            last_name: String,
            email: String,
            role: String,
            joined_at: i64,
            locked: bool,
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, organization_id)?;
    Ok(crate::db::parsed(
        "memberships",
        rows,
        |Row {
             id: user_id,
             first_name,
             last_name,
             email,
             role,
             joined_at,
             locked,
         }| {
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
    ))
}

/// The organization's people, with 2FA status, last activity and lock; `search` (a LIKE pattern,
/// or empty) matches first name, last name or email.
pub async fn users(
    tx: &mut Tx,
    organization_id: i64,
    search: &str,
) -> Result<Vec<super::UserRow>, sqlx::Error> {
    const SQL: &str = "SELECT u.id, u.first_name, u.last_name, u.email, m.role, \
          EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id) AS two_factor, \
          (SELECT a.occurred_at FROM activity_log a WHERE a.actor_user_id = u.id ORDER BY a.id DESC LIMIT 1) AS last_active, \
          u.locked_at IS NOT NULL AS locked, m.blocked_at IS NOT NULL AS blocked, \
          (SELECT a.updated_at FROM avatars a WHERE a.user_id = u.id) AS avatar_version \
        FROM memberships m JOIN users u ON u.id = m.user_id \
        WHERE m.organization_id = $1 \
          AND ($2 = '' OR lower(u.first_name || ' ' || u.last_name) LIKE $2 ESCAPE '\\' OR u.email LIKE $2 ESCAPE '\\') \
        ORDER BY lower(u.last_name), lower(u.first_name), u.id";
    row! {
        struct Row {
            id: i64,
            first_name: String,
            last_name: String,
            email: String,
            role: String,
            two_factor: bool,
            last_active: Option<i64>,
            locked: bool,
            blocked: bool,
            avatar_version: Option<i64>,
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, organization_id, search)?;
    Ok(crate::db::parsed(
        "memberships",
        rows,
        |Row {
             id: user_id,
             first_name,
             last_name,
             email,
             role,
             two_factor,
             last_active,
             locked,
             blocked,
             avatar_version,
         }| {
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
                avatar_version,
            })
        },
    ))
}

pub async fn set_role(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    role: Role,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE memberships SET role = $3 WHERE organization_id = $1 AND user_id = $2";
    affected!(tx, SQL, organization_id, user_id, role.as_str())?;
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
    let changed = affected!(
        tx,
        SQL,
        organization_id,
        user_id,
        blocked.map(|(at, _)| at),
        blocked.map(|(_, by)| by)
    )?;
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
    fetch_all!(tx, SQL, organization_id, user_id)
}

/// The ids of the products the member was given (collaborators and externals reach only these).
pub async fn member_product_ids(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    const SQL: &str = "SELECT p.id FROM product_access a JOIN products p ON p.id = a.product_id \
                       WHERE p.organization_id = $1 AND a.user_id = $2";
    scalar_all!(tx, SQL, organization_id, user_id)
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
    affected!(tx, ACCESS, organization_id, user_id)?;
    let removed = affected!(tx, MEMBERSHIP, organization_id, user_id)?;
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
    fetch_one!(tx, SQL, organization_id)
}

/// Members without any second factor: (first name, last name, email).
pub async fn without_two_factor(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    const SQL: &str = "SELECT u.first_name, u.last_name, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id) \
                       ORDER BY lower(u.last_name), lower(u.first_name), u.id";
    fetch_all!(tx, SQL, organization_id)
}

/// When the organization was created.
pub async fn created_at(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT created_at FROM organizations WHERE id = $1";
    scalar_one!(tx, SQL, organization_id)
}

pub async fn count_products(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM products WHERE organization_id = $1";
    scalar_one!(tx, SQL, organization_id)
}

/// Renames, unless the organization is no longer at `version`; false then.
pub async fn rename_if(
    tx: &mut Tx,
    organization_id: i64,
    name: &str,
    version: Option<i64>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET name = $2, version = version + 1 \
                       WHERE id = $1 AND (CAST($3 AS BIGINT) IS NULL OR version = $3)";
    let n = affected!(tx, SQL, organization_id, name, version)?;
    Ok(n == 1)
}

pub async fn set_require_two_factor(
    tx: &mut Tx,
    organization_id: i64,
    on: bool,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET require_two_factor = $2 WHERE id = $1";
    affected!(tx, SQL, organization_id, on)?;
    Ok(())
}

pub async fn set_forbid_sms_reset(
    tx: &mut Tx,
    organization_id: i64,
    on: bool,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET forbid_sms_reset = $2 WHERE id = $1";
    affected!(tx, SQL, organization_id, on)?;
    Ok(())
}

/// Deletes the organization and, with it, its memberships, products, tags and invitations.
/// Its activity-log rows stay (they name the organization by id only).
pub async fn delete_organization(tx: &mut Tx, organization_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM organizations WHERE id = $1";
    affected!(tx, SQL, organization_id)?;
    Ok(())
}

/// The oldest organization with this name (the demo data finds its own by name).
pub async fn first_named(tx: &mut Tx, name: &str) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT id FROM organizations WHERE name = $1 ORDER BY id LIMIT 1";
    scalar_optional!(tx, SQL, name)
}

/// When and how a member joined (ORG-10): the invitation they accepted (with its sender), or
/// the organization they created (their membership is as old as it), or added otherwise.
pub async fn joined(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<(i64, crate::organizations::people::JoinedHow), sqlx::Error> {
    use crate::organizations::people::JoinedHow;
    const MEMBERSHIP: &str = "SELECT m.created_at, o.created_at FROM memberships m \
        JOIN organizations o ON o.id = m.organization_id \
        WHERE m.organization_id = $1 AND m.user_id = $2";
    const INVITATION: &str = "SELECT i.sent_at, s.first_name, s.last_name FROM invitations i \
        LEFT JOIN users s ON s.id = i.invited_by \
        WHERE i.organization_id = $1 AND i.accepted_by = $2 ORDER BY i.accepted_at DESC, i.id DESC";
    let (joined_at, founded_at): (i64, i64) = fetch_one!(tx, MEMBERSHIP, organization_id, user_id)?;
    let invited: Option<(i64, Option<String>, Option<String>)> =
        fetch_optional!(tx, INVITATION, organization_id, user_id)?;
    let how = match invited {
        Some((sent_at, first, last)) => JoinedHow::Invited {
            by: first.zip(last).map(|(f, l)| format!("{f} {l}")),
            sent_at,
        },
        None if joined_at <= founded_at => JoinedHow::Created,
        None => JoinedHow::Added,
    };
    Ok((joined_at, how))
}
