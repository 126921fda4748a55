//! The SQL of access control: accounts and their sessions, program credentials by hash,
//! memberships as the policy reads them, and the counters of the lockout rule.

use super::{Account, OrganizationSummary};
use crate::db::Tx;
use crate::db::{
    affected, fetch_all, fetch_optional, row, scalar_all, scalar_one, scalar_optional,
};
use crate::enums::stored;
use crate::password::HashedPassword;
use crate::policy::Role;
use crate::request::Origin;

/// The id and password hash of the account with this (normalised) email.
pub async fn credentials(
    tx: &mut Tx,
    email: &str,
) -> Result<Option<(i64, HashedPassword)>, sqlx::Error> {
    const SQL: &str = "SELECT id, password_hash FROM users WHERE email = $1";
    fetch_optional!(tx, SQL, email)
}

pub async fn account(tx: &mut Tx, user_id: i64) -> Result<Option<Account>, sqlx::Error> {
    const SQL: &str =
        "SELECT u.id, u.email, u.first_name, u.last_name, u.created_at, a.updated_at AS avatar_version, \
         u.version, u.time_zone FROM users u LEFT JOIN avatars a ON a.user_id = u.id WHERE u.id = $1";
    fetch_optional!(tx, SQL, user_id)
}

stored! {
    /// How far a session has come: a full session, or a sign-in still owing its second factor.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Stage {
        Full,
        SecondFactor,
    }
}

pub struct NewSession<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    /// For a pending sign-in: whether the full session it becomes is remembered.
    pub persistent: bool,
    pub stage: Stage,
    pub at: i64,
    pub expires_at: i64,
    pub origin: &'a Origin,
}

pub async fn insert_session(tx: &mut Tx, session: &NewSession<'_>) -> Result<i64, sqlx::Error> {
    // A full sign-in is a fresh proof that it is the person: confirmed as it starts.
    const SQL: &str = "INSERT INTO sessions (token_hash, user_id, persistent, created_at, last_seen_at, expires_at, ip, user_agent, stage, confirmed_at) \
                       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        session.token_hash,
        session.user_id,
        session.persistent,
        session.at,
        session.expires_at,
        &session.origin.ip,
        &session.origin.user_agent,
        session.stage.as_str(),
        (session.stage == Stage::Full).then_some(session.at)
    )
}

/// A stored session, found by the hash of its token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredSession {
    pub id: i64,
    pub user_id: i64,
    pub persistent: bool,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub stage: String,
    /// When the person last proved it is them in this session (see `policy::Confirm`).
    pub confirmed_at: Option<i64>,
}

impl StoredSession {
    pub fn is_full(&self) -> bool {
        self.stage == Stage::Full.as_str()
    }
}

pub async fn session_by_token_hash(
    tx: &mut Tx,
    token_hash: &str,
) -> Result<Option<StoredSession>, sqlx::Error> {
    const SQL: &str = "SELECT id, user_id, persistent, last_seen_at, expires_at, stage, confirmed_at FROM sessions WHERE token_hash = $1";
    fetch_optional!(tx, SQL, token_hash)
}

/// Records that the person just confirmed it is them in this session.
pub async fn confirm_session(tx: &mut Tx, session_id: i64, at: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE sessions SET confirmed_at = $2 WHERE id = $1";
    affected!(tx, SQL, session_id, at)?;
    Ok(())
}

pub async fn touch_session(tx: &mut Tx, session_id: i64, at: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
    affected!(tx, SQL, session_id, at)?;
    Ok(())
}

/// Deletes the session; returns its user when there was one.
pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id";
    scalar_optional!(tx, SQL, token_hash)
}

pub async fn delete_session_by_id(tx: &mut Tx, session_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM sessions WHERE id = $1";
    affected!(tx, SQL, session_id)?;
    Ok(())
}

/// Counts one wrong code against a pending sign-in and returns the count so far.
pub async fn count_second_factor_failure(tx: &mut Tx, session_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "UPDATE sessions SET second_factor_failures = second_factor_failures + 1 \
                       WHERE id = $1 RETURNING second_factor_failures";
    let n: Option<i64> = scalar_optional!(tx, SQL, session_id)?;
    Ok(n.unwrap_or(i64::MAX))
}

/// The live token with this hash: `(token id, user id, scope, last used)`.
pub async fn token_by_hash(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<(i64, i64, String, Option<i64>)>, sqlx::Error> {
    const SQL: &str = "SELECT id, user_id, scope, last_used_at FROM api_tokens \
                       WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2)";
    fetch_optional!(tx, SQL, token_hash, now)
}

/// The application password with this hash, if it belongs to the account with this email:
/// `(password id, user id, last used)`.
pub async fn app_password_by_hash(
    tx: &mut Tx,
    email: &str,
    secret_hash: &str,
) -> Result<Option<(i64, i64, Option<i64>)>, sqlx::Error> {
    const SQL: &str = "SELECT p.id, p.user_id, p.last_used_at FROM app_passwords p JOIN users u ON u.id = p.user_id \
                       WHERE p.secret_hash = $1 AND u.email = $2";
    fetch_optional!(tx, SQL, secret_hash, email)
}

pub async fn touch_token(tx: &mut Tx, id: i64, at: i64) -> Result<(), sqlx::Error> {
    affected!(
        tx,
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
        id,
        at
    )?;
    Ok(())
}

pub async fn touch_app_password(tx: &mut Tx, id: i64, at: i64) -> Result<(), sqlx::Error> {
    affected!(
        tx,
        "UPDATE app_passwords SET last_used_at = $2 WHERE id = $1",
        id,
        at
    )?;
    Ok(())
}

/// The columns that say how the member `m` stands in organization `o`.
const STANDING: &str = "m.role, m.blocked_at IS NOT NULL AS blocked, \
     (o.require_two_factor AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = m.user_id)) AS missing_two_factor, \
     EXISTS (SELECT 1 FROM product_access a JOIN products p ON p.id = a.product_id \
             WHERE a.user_id = m.user_id AND a.billing AND p.organization_id = o.id) AS billing, \
     EXISTS (SELECT 1 FROM partners pa WHERE pa.organization_id = o.id AND pa.state = 'approved') AS is_partner";

row! {
    /// A membership as the policy reads it.
    struct SummaryRow {
        id: i64,
        name: String,
        role: String,
        blocked: bool,
        missing_two_factor: bool,
        billing: bool,
        is_partner: bool,
    }
}

fn summary(
    SummaryRow {
        id,
        name,
        role,
        blocked,
        missing_two_factor,
        billing,
        is_partner,
    }: SummaryRow,
) -> Option<OrganizationSummary> {
    Role::parse(&role).map(|role| OrganizationSummary {
        id,
        name,
        role,
        blocked,
        missing_two_factor,
        billing,
        is_partner,
        partner: None,
    })
}

row! {
    /// How one of a partner's people stands in a customer.
    struct PartnerRow {
        id: i64,
        name: String,
        missing_two_factor: bool,
        partner_id: i64,
        partner_name: String,
        granted_access: String,
    }
}

/// How `user_id` stands in `organization_id` without being a member: as one of the people of a
/// partner it granted access to (PAR-3) — the partner approved, the access active and not past
/// its end date at `now`, and the person, not blocked there, one of the partner's legal
/// representatives or administrators, or a collaborator it delegated this customer to. The
/// customer's two-factor requirement holds for them as for its members, and the partner's too.
/// Their role reads Collaborator: what they may do is the access's, `policy::partner_permits`.
pub async fn partner_standing(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    now: i64,
) -> Result<Option<OrganizationSummary>, sqlx::Error> {
    const SQL: &str = "SELECT o.id, o.name, \
          ((o.require_two_factor OR po.require_two_factor) AND NOT EXISTS \
            (SELECT 1 FROM second_factors f WHERE f.user_id = pm.user_id)) AS missing_two_factor, \
          r.partner_id, po.name AS partner_name, r.granted_access \
        FROM partner_customers r \
        JOIN organizations o ON o.id = r.customer_id \
        JOIN organizations po ON po.id = r.partner_id \
        JOIN partners p ON p.organization_id = r.partner_id AND p.state = 'approved' \
        JOIN memberships pm ON pm.organization_id = r.partner_id AND pm.user_id = $2 \
        WHERE r.customer_id = $1 AND r.state = 'active' \
          AND (r.granted_until IS NULL OR r.granted_until > $3) AND pm.blocked_at IS NULL \
          AND (pm.role IN ('legal_representative', 'administrator') OR EXISTS \
            (SELECT 1 FROM partner_delegations d WHERE d.partner_id = r.partner_id \
               AND d.user_id = pm.user_id AND d.customer_id = r.customer_id)) \
        ORDER BY r.id LIMIT 1";
    let row: Option<PartnerRow> = fetch_optional!(tx, SQL, organization_id, user_id, now)?;
    Ok(
        crate::db::parsed("partner standings", row.into_iter().collect(), |r| {
            Some(OrganizationSummary {
                id: r.id,
                name: r.name.clone(),
                role: Role::Collaborator,
                blocked: false,
                missing_two_factor: r.missing_two_factor,
                billing: false,
                is_partner: false,
                partner: Some(crate::access::PartnerVia {
                    partner_id: r.partner_id,
                    partner_name: r.partner_name.clone(),
                    access: crate::policy::PartnerAccess::parse(&r.granted_access)?,
                }),
            })
        })
        .pop(),
    )
}

/// How `user_id` stands in `organization_id`: as a member, or else as one of a partner's
/// people ([`partner_standing`]); `None` when neither.
pub async fn standing_in(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    now: i64,
) -> Result<Option<OrganizationSummary>, sqlx::Error> {
    if let Some(member) = membership(tx, organization_id, user_id).await? {
        return Ok(Some(member));
    }
    partner_standing(tx, organization_id, user_id, now).await
}

/// The customers `user_id` may enter as one of a partner's people now (PAR-3): `(customer id,
/// customer name, partner name)`, by name — what the switcher's Customers list offers.
pub async fn customers_of(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    const SQL: &str = "SELECT DISTINCT o.id, o.name, po.name \
        FROM partner_customers r \
        JOIN organizations o ON o.id = r.customer_id \
        JOIN organizations po ON po.id = r.partner_id \
        JOIN partners p ON p.organization_id = r.partner_id AND p.state = 'approved' \
        JOIN memberships pm ON pm.organization_id = r.partner_id AND pm.user_id = $1 \
        WHERE r.state = 'active' AND (r.granted_until IS NULL OR r.granted_until > $2) \
          AND pm.blocked_at IS NULL \
          AND (pm.role IN ('legal_representative', 'administrator') OR EXISTS \
            (SELECT 1 FROM partner_delegations d WHERE d.partner_id = r.partner_id \
               AND d.user_id = pm.user_id AND d.customer_id = r.customer_id)) \
          AND NOT EXISTS (SELECT 1 FROM memberships mine WHERE mine.organization_id = o.id AND mine.user_id = $1) \
        ORDER BY o.name, o.id";
    fetch_all!(tx, SQL, user_id, now)
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
    let rows: Vec<SummaryRow> = fetch_all!(tx, &sql, user_id)?;
    Ok(crate::db::parsed("organizations", rows, summary))
}

/// The one product-reach query: whether product `product_id` is organization
/// `organization_id`'s and reached by `only_for` (`None`: a role that sees every product; a
/// user id: the products given to them, and only those with billing rights when `billing`).
/// `Some(blocked)` when reached, with whether its management is blocked (PRD-3).
pub async fn reached_product(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
    billing: bool,
    product_id: i64,
) -> Result<Option<bool>, sqlx::Error> {
    const SQL: &str = "SELECT p.blocked_at IS NOT NULL FROM products p \
        WHERE p.organization_id = $1 AND p.id = $2 \
          AND ($3 = 0 OR EXISTS (SELECT 1 FROM product_reach a \
            WHERE a.product_id = p.id AND a.user_id = $3 AND (a.billing OR NOT $4)))";
    scalar_optional!(
        tx,
        SQL,
        organization_id,
        product_id,
        only_for.unwrap_or(0),
        billing
    )
}

/// The organization as seen by this member; `None` when it does not exist or they are not a member.
pub async fn membership(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
) -> Result<Option<OrganizationSummary>, sqlx::Error> {
    let sql = format!(
        "SELECT o.id, o.name, {STANDING} FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         WHERE m.organization_id = $1 AND m.user_id = $2"
    );
    let row: Option<SummaryRow> = fetch_optional!(tx, &sql, organization_id, user_id)?;
    Ok(crate::db::parsed("organizations", row.into_iter().collect(), summary).pop())
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
    scalar_optional!(tx, SQL, user_id)
}

/// The organization this person opened last (whether or not they are still in it).
pub async fn last_organization(tx: &mut Tx, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT last_organization_id FROM users WHERE id = $1";
    let found: Option<Option<i64>> = scalar_optional!(tx, SQL, user_id)?;
    Ok(found.flatten())
}

/// The names of my organizations that require two-factor authentication.
pub async fn requiring_two_factor(tx: &mut Tx, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    const SQL: &str =
        "SELECT o.name FROM memberships m JOIN organizations o ON o.id = m.organization_id \
                       WHERE m.user_id = $1 AND o.require_two_factor ORDER BY o.name";
    scalar_all!(tx, SQL, user_id)
}

/// After counting a failure: the count, the threshold, whether the account is locked (and
/// since when), and whether the person wants an email about failed sign-ins.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailureCount {
    pub failed_sign_ins: i64,
    pub lockout_threshold: i64,
    pub locked_at: Option<i64>,
    pub alert_on_failed_sign_in: bool,
    /// This very failure locked the account (exactly one failure does, whatever the count:
    /// a threshold lowered below the current count locks at the next failure, with its email).
    #[sqlx(skip)]
    pub just_locked: bool,
}

pub async fn count_failure(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<Option<FailureCount>, sqlx::Error> {
    // An unlocked account: count, and lock once the count reaches the threshold. The condition
    // on `locked_at` makes this statement the one that locks, even when two failures race
    // (Postgres re-checks it on the updated row; SQLite has one writer at a time).
    const COUNT: &str = "UPDATE users SET failed_sign_ins = failed_sign_ins + 1, \
        locked_at = CASE WHEN failed_sign_ins + 1 >= lockout_threshold THEN CAST($2 AS BIGINT) ELSE NULL END \
        WHERE id = $1 AND locked_at IS NULL \
        RETURNING failed_sign_ins, lockout_threshold, locked_at, alert_on_failed_sign_in";
    // Already locked: the failure is still counted; nothing else changes.
    const LOCKED: &str = "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 \
        RETURNING failed_sign_ins, lockout_threshold, locked_at, alert_on_failed_sign_in";
    let counted: Option<FailureCount> = fetch_optional!(tx, COUNT, user_id, now)?;
    if let Some(mut count) = counted {
        count.just_locked = count.locked_at.is_some();
        return Ok(Some(count));
    }
    fetch_optional!(tx, LOCKED, user_id)
}

pub async fn reset_failures(tx: &mut Tx, user_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET failed_sign_ins = 0 WHERE id = $1 AND failed_sign_ins <> 0";
    affected!(tx, SQL, user_id)?;
    Ok(())
}

pub async fn locked_at(tx: &mut Tx, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT locked_at FROM users WHERE id = $1";
    let found: Option<Option<i64>> = scalar_optional!(tx, SQL, user_id)?;
    Ok(found.flatten())
}

stored! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum LinkPurpose {
        Unlock,
        NotMe,
    }
}

pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub purpose: LinkPurpose,
    pub session_id: Option<i64>,
    pub at: i64,
    pub expires_at: i64,
}

pub async fn insert_link(tx: &mut Tx, link: &NewLink<'_>) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO email_links (token_hash, user_id, purpose, session_id, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5, $6)";
    affected!(
        tx,
        SQL,
        link.token_hash,
        link.user_id,
        link.purpose.as_str(),
        link.session_id,
        link.at,
        link.expires_at
    )?;
    Ok(())
}

/// Whether this address has used up its failed sign-ins for the current window.
pub async fn address_throttled(
    tx: &mut Tx,
    ip: &str,
    now: i64,
    window_seconds: i64,
    limit: i64,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT window_start, failures FROM sign_in_throttle WHERE ip = $1";
    let row: Option<(i64, i64)> = fetch_optional!(tx, SQL, ip)?;
    Ok(row.and_then(|(start, failures)| {
        let ends = start + window_seconds;
        (failures >= limit && now < ends).then_some(ends - now)
    }))
}

/// Counts one failed sign-in from this address, starting a new window when the last one ended.
pub async fn count_address_failure(
    tx: &mut Tx,
    ip: &str,
    now: i64,
    window_seconds: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO sign_in_throttle (ip, window_start, failures) VALUES ($1, $2, 1) \
        ON CONFLICT (ip) DO UPDATE SET \
          failures = CASE WHEN sign_in_throttle.window_start <= $2 - $3 THEN 1 ELSE sign_in_throttle.failures + 1 END, \
          window_start = CASE WHEN sign_in_throttle.window_start <= $2 - $3 THEN $2 ELSE sign_in_throttle.window_start END";
    affected!(tx, SQL, ip, now, window_seconds)?;
    Ok(())
}

/// Whether the account wants an email after each complete sign-in (SEC-6).
pub async fn alert_on_sign_in(tx: &mut Tx, user_id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT alert_on_sign_in FROM users WHERE id = $1";
    let row: Option<(bool,)> = fetch_optional!(tx, SQL, user_id)?;
    Ok(row.is_some_and(|(wanted,)| wanted))
}

/// Deletes every application password (and, when `tokens`, every API token) of the person;
/// returns how many were deleted.
pub async fn delete_all_credentials(
    tx: &mut Tx,
    user_id: i64,
    tokens: bool,
) -> Result<u64, sqlx::Error> {
    let mut n = affected!(tx, "DELETE FROM app_passwords WHERE user_id = $1", user_id)?;
    if tokens {
        n += affected!(tx, "DELETE FROM api_tokens WHERE user_id = $1", user_id)?;
    }
    Ok(n)
}

pub async fn insert_organization(tx: &mut Tx, name: &str, at: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO organizations (name, created_at) VALUES ($1, $2) RETURNING id";
    scalar_one!(tx, SQL, name, at)
}

pub async fn insert_membership(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    role: Role,
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)";
    affected!(tx, SQL, organization_id, user_id, role.as_str(), at)?;
    Ok(())
}

/// Serializes changes to one organization's memberships: on Postgres it takes the organization
/// row's lock until the transaction ends (SQLite's write transactions are serial already), so
/// "the last legal representative" is counted by one transaction at a time.
pub async fn lock_organization(tx: &mut Tx, organization_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE organizations SET name = name WHERE id = $1";
    affected!(tx, SQL, organization_id)?;
    Ok(())
}

pub async fn count_members(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships WHERE organization_id = $1";
    scalar_one!(tx, SQL, organization_id)
}

/// Legal representatives who are not blocked: those who answer for the organization (ORG-11).
pub async fn count_active_legal_representatives(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships \
        WHERE organization_id = $1 AND role = $2 AND blocked_at IS NULL";
    scalar_one!(tx, SQL, organization_id, Role::LegalRepresentative.as_str())
}

/// Everyone in the organization, as `(email, first name)`, to tell them something.
pub async fn member_addresses(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    const SQL: &str = "SELECT u.email, u.first_name \
                       FROM memberships m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 ORDER BY u.id";
    fetch_all!(tx, SQL, organization_id)
}
