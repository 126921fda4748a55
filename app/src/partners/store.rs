//! SQL of the partner program (PAR-1, PAR-2).

use super::{CustomerRow, PartnerAccess, PartnerState, PartnerWithAccess, Rate, RelationshipState};
use crate::db::{affected, exec, fetch_all, fetch_optional, parsed, row, scalar_one, Tx};
use crate::money::Percent;
use crate::products::ProductKind;

row! {
    /// An organization's row in the program.
    pub struct PartnerRow {
        pub id: i64,
        pub state: String,
        pub trade_register: String,
        pub website: String,
        pub applied_at: i64,
        pub decided_at: Option<i64>,
        pub refusal_reason: String,
    }
}

impl PartnerRow {
    pub fn state(&self) -> Option<PartnerState> {
        PartnerState::parse(&self.state)
    }
}

pub async fn program(tx: &mut Tx, organization_id: i64) -> Result<Option<PartnerRow>, sqlx::Error> {
    const SQL: &str = "SELECT organization_id AS id, state, trade_register, website, applied_at, \
        decided_at, refusal_reason FROM partners WHERE organization_id = $1";
    fetch_optional!(tx, SQL, organization_id)
}

/// Whether the organization is an approved partner.
pub async fn is_partner(tx: &mut Tx, organization_id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "SELECT COUNT(*) FROM partners WHERE organization_id = $1 AND state = 'approved'";
    let n: i64 = scalar_one!(tx, SQL, organization_id)?;
    Ok(n > 0)
}

pub async fn rates(tx: &mut Tx, organization_id: i64) -> Result<Vec<Rate>, sqlx::Error> {
    const SQL: &str = "SELECT organization_id, product_kind, percent FROM partner_rates \
        WHERE organization_id = $1 ORDER BY product_kind";
    let rows: Vec<(i64, String, i64)> = fetch_all!(tx, SQL, organization_id)?;
    Ok(parsed("partner rates", rows, |(_, kind, percent)| {
        Some(Rate {
            kind: ProductKind::parse(&kind)?,
            percent: Percent(percent),
        })
    }))
}

/// Records an application: a first one, or a new one after a refusal. `false` when the
/// organization's application is under review or approved already.
pub async fn apply(
    tx: &mut Tx,
    organization_id: i64,
    trade_register: &str,
    website: &str,
    applied_by: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "INSERT INTO partners \
        (organization_id, trade_register, website, state, applied_by, applied_at) \
        VALUES ($1, $2, $3, 'applied', $4, $5) \
        ON CONFLICT (organization_id) DO UPDATE SET trade_register = $2, website = $3, \
          state = 'applied', applied_by = $4, applied_at = $5, decided_at = NULL, refusal_reason = '' \
        WHERE partners.state = 'refused'";
    let n = affected!(
        tx,
        SQL,
        organization_id,
        trade_register,
        website,
        applied_by,
        at
    )?;
    Ok(n == 1)
}

/// The operator's decision on an application under review; `false` when none is.
pub async fn decide(
    tx: &mut Tx,
    organization_id: i64,
    state: PartnerState,
    reason: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE partners SET state = $2, decided_at = $3, refusal_reason = $4 \
        WHERE organization_id = $1 AND state = 'applied'";
    let n = affected!(tx, SQL, organization_id, state.as_str(), at, reason)?;
    Ok(n == 1)
}

/// Replaces the partner's discount rates.
pub async fn set_rates(
    tx: &mut Tx,
    organization_id: i64,
    rates: &[Rate],
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        "DELETE FROM partner_rates WHERE organization_id = $1",
        organization_id
    )?;
    for rate in rates {
        const SQL: &str = "INSERT INTO partner_rates (organization_id, product_kind, percent) \
            VALUES ($1, $2, $3)";
        exec!(tx, SQL, organization_id, rate.kind.as_str(), rate.percent.0)?;
    }
    Ok(())
}

/// The applications under review, oldest first: `(organization id, name, trade register,
/// website, applied at)`.
pub async fn applications(
    tx: &mut Tx,
) -> Result<Vec<(i64, String, String, String, i64)>, sqlx::Error> {
    const SQL: &str =
        "SELECT p.organization_id, o.name, p.trade_register, p.website, p.applied_at \
        FROM partners p JOIN organizations o ON o.id = p.organization_id \
        WHERE p.state = 'applied' ORDER BY p.applied_at, p.organization_id";
    fetch_all!(tx, SQL)
}

pub struct NewRequest<'a> {
    pub partner_id: i64,
    pub email: &'a str,
    pub token_hash: &'a str,
    pub requested_by: i64,
    pub at: i64,
    pub expires_at: i64,
    pub access: PartnerAccess,
    pub until: Option<i64>,
}

pub async fn insert_request(tx: &mut Tx, new: &NewRequest<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO partner_customers \
        (partner_id, email, token_hash, requested_by, requested_at, request_expires_at, \
         requested_access, requested_until, state) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested') RETURNING id";
    scalar_one!(
        tx,
        SQL,
        new.partner_id,
        new.email,
        new.token_hash,
        new.requested_by,
        new.at,
        new.expires_at,
        new.access.as_str(),
        new.until
    )
}

/// Whether a request to `email` is waiting for its answer (and not expired).
pub async fn waiting_for(
    tx: &mut Tx,
    partner_id: i64,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM partner_customers WHERE partner_id = $1 \
        AND lower(email) = lower($2) AND state = 'requested' AND request_expires_at > $3";
    let n: i64 = scalar_one!(tx, SQL, partner_id, email, now)?;
    Ok(n > 0)
}

row! {
    struct Relationship {
        id: i64,
        state: String,
        customer: Option<String>,
        customer_id: Option<i64>,
        email: String,
        requested_access: String,
        requested_until: Option<i64>,
        granted_access: Option<String>,
        granted_until: Option<i64>,
        product_count: i64,
        requested_at: i64,
        request_expires_at: i64,
        answered_at: Option<i64>,
        ended_at: Option<i64>,
    }
}

/// The partner's customers and requests, newest first, with the products each limited grant
/// reaches.
pub async fn customers(tx: &mut Tx, partner_id: i64) -> Result<Vec<CustomerRow>, sqlx::Error> {
    const SQL: &str = "SELECT r.id, r.state, o.name AS customer, r.customer_id, r.email, \
          r.requested_access, r.requested_until, r.granted_access, r.granted_until, \
          CASE WHEN r.granted_access = 'limited' \
               THEN (SELECT COUNT(*) FROM partner_customer_products cp WHERE cp.relationship_id = r.id) \
               ELSE (SELECT COUNT(*) FROM products p WHERE p.organization_id = r.customer_id) END AS product_count, \
          r.requested_at, r.request_expires_at, r.answered_at, r.ended_at \
        FROM partner_customers r LEFT JOIN organizations o ON o.id = r.customer_id \
        WHERE r.partner_id = $1 ORDER BY r.requested_at DESC, r.id DESC";
    let rows: Vec<Relationship> = fetch_all!(tx, SQL, partner_id)?;
    const PRODUCTS: &str = "SELECT cp.relationship_id, p.name FROM partner_customer_products cp \
        JOIN partner_customers r ON r.id = cp.relationship_id JOIN products p ON p.id = cp.product_id \
        WHERE r.partner_id = $1 ORDER BY p.name";
    let products: Vec<(i64, String)> = fetch_all!(tx, PRODUCTS, partner_id)?;
    Ok(parsed("partner customers", rows, |r| {
        Some(CustomerRow {
            id: r.id,
            state: RelationshipState::parse(&r.state)?,
            customer: r.customer.clone(),
            customer_id: r.customer_id,
            email: r.email.clone(),
            requested: PartnerAccess::parse(&r.requested_access)?,
            requested_until: r.requested_until,
            granted: match &r.granted_access {
                Some(text) => Some(PartnerAccess::parse(text)?),
                None => None,
            },
            granted_until: r.granted_until,
            products: products
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, name)| name.clone())
                .collect(),
            product_count: r.product_count,
            requested_at: r.requested_at,
            request_expires_at: r.request_expires_at,
            since: r.answered_at.filter(|_| r.granted_access.is_some()),
            answered_at: r.answered_at,
            ended_at: r.ended_at,
            delegated: Vec::new(),
        })
    }))
}

/// The partner's collaborators who are not blocked: `(user id, name)`, by name.
pub async fn collaborators(
    tx: &mut Tx,
    partner_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    const SQL: &str = "SELECT u.id, u.first_name || ' ' || u.last_name FROM memberships m \
        JOIN users u ON u.id = m.user_id \
        WHERE m.organization_id = $1 AND m.role = 'collaborator' AND m.blocked_at IS NULL \
        ORDER BY lower(u.first_name), lower(u.last_name), u.id";
    fetch_all!(tx, SQL, partner_id)
}

/// The partner's delegations: `(customer id, user id)`.
pub async fn delegations(tx: &mut Tx, partner_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT customer_id, user_id FROM partner_delegations WHERE partner_id = $1";
    fetch_all!(tx, SQL, partner_id)
}

/// Delegates the customer to the collaborator, or takes it back; `false` when nothing changed.
pub async fn set_delegated(
    tx: &mut Tx,
    partner_id: i64,
    user_id: i64,
    customer_id: i64,
    delegated: bool,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let n = if delegated {
        const SQL: &str =
            "INSERT INTO partner_delegations (partner_id, user_id, customer_id, created_at) \
            VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        affected!(tx, SQL, partner_id, user_id, customer_id, at)?
    } else {
        const SQL: &str = "DELETE FROM partner_delegations \
            WHERE partner_id = $1 AND user_id = $2 AND customer_id = $3";
        affected!(tx, SQL, partner_id, user_id, customer_id)?
    };
    Ok(n == 1)
}

row! {
    /// A request found by its link's hash, waiting for its answer and not expired.
    pub struct OpenRequest {
        pub id: i64,
        pub partner_id: i64,
        pub partner: String,
        pub email: String,
        pub requested_by_name: Option<String>,
        pub requested_access: String,
        pub requested_until: Option<i64>,
        pub request_expires_at: i64,
    }
}

pub async fn open_request(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<OpenRequest>, sqlx::Error> {
    const SQL: &str = "SELECT r.id, r.partner_id, o.name AS partner, r.email, \
          CASE WHEN u.id IS NULL THEN NULL ELSE u.first_name || ' ' || u.last_name END AS requested_by_name, \
          r.requested_access, r.requested_until, r.request_expires_at \
        FROM partner_customers r JOIN organizations o ON o.id = r.partner_id \
        LEFT JOIN users u ON u.id = r.requested_by \
        WHERE r.token_hash = $1 AND r.state = 'requested' AND r.request_expires_at > $2";
    fetch_optional!(tx, SQL, token_hash, now)
}

/// Grants a request; `false` when it was answered meanwhile, or the partner already has an
/// active relationship with this customer (then nothing changes).
pub async fn grant(
    tx: &mut Tx,
    id: i64,
    customer_id: i64,
    answered_by: i64,
    at: i64,
    access: PartnerAccess,
    until: Option<i64>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE partner_customers SET state = 'active', customer_id = $2, \
          answered_by = $3, answered_at = $4, granted_access = $5, granted_until = $6 \
        WHERE id = $1 AND state = 'requested' AND request_expires_at > $4 \
          AND NOT EXISTS (SELECT 1 FROM partner_customers a WHERE a.state = 'active' \
            AND a.customer_id = $2 AND a.partner_id = partner_customers.partner_id)";
    let n = affected!(
        tx,
        SQL,
        id,
        customer_id,
        answered_by,
        at,
        access.as_str(),
        until
    )?;
    Ok(n == 1)
}

/// The products a limited grant reaches.
pub async fn add_products(tx: &mut Tx, id: i64, product_ids: &[i64]) -> Result<(), sqlx::Error> {
    for product_id in product_ids {
        const SQL: &str = "INSERT INTO partner_customer_products (relationship_id, product_id) \
            VALUES ($1, $2) ON CONFLICT DO NOTHING";
        exec!(tx, SQL, id, *product_id)?;
    }
    Ok(())
}

/// Closes a waiting request as refused (by the customer) or cancelled (by the partner);
/// `false` when it was answered meanwhile.
pub async fn close_request(
    tx: &mut Tx,
    id: i64,
    state: RelationshipState,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE partner_customers SET state = $2, answered_at = $3 \
        WHERE id = $1 AND state = 'requested'";
    Ok(affected!(tx, SQL, id, state.as_str(), at)? == 1)
}

/// Ends an active relationship; `false` when it had ended already.
pub async fn end(tx: &mut Tx, id: i64, at: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE partner_customers SET state = 'ended', ended_at = $2 \
        WHERE id = $1 AND state = 'active'";
    Ok(affected!(tx, SQL, id, at)? == 1)
}

row! {
    /// One relationship, as either side names it.
    pub struct Found {
        pub id: i64,
        pub partner_id: i64,
        pub partner: String,
        pub customer_id: Option<i64>,
        pub customer: Option<String>,
        pub email: String,
        pub state: String,
    }
}

/// A relationship of `partner_id` (the partner's side names it).
pub async fn of_partner(
    tx: &mut Tx,
    partner_id: i64,
    id: i64,
) -> Result<Option<Found>, sqlx::Error> {
    const SQL: &str =
        "SELECT r.id, r.partner_id, p.name AS partner, r.customer_id, c.name AS customer, \
          r.email, r.state \
        FROM partner_customers r JOIN organizations p ON p.id = r.partner_id \
        LEFT JOIN organizations c ON c.id = r.customer_id \
        WHERE r.id = $1 AND r.partner_id = $2";
    fetch_optional!(tx, SQL, id, partner_id)
}

/// An active relationship of `customer_id` (the customer's side names it).
pub async fn of_customer(
    tx: &mut Tx,
    customer_id: i64,
    id: i64,
) -> Result<Option<Found>, sqlx::Error> {
    const SQL: &str =
        "SELECT r.id, r.partner_id, p.name AS partner, r.customer_id, c.name AS customer, \
          r.email, r.state \
        FROM partner_customers r JOIN organizations p ON p.id = r.partner_id \
        LEFT JOIN organizations c ON c.id = r.customer_id \
        WHERE r.id = $1 AND r.customer_id = $2 AND r.state = 'active'";
    fetch_optional!(tx, SQL, id, customer_id)
}

row! {
    struct Granted {
        id: i64,
        partner: String,
        granted_access: String,
        granted_until: Option<i64>,
        answered_at: i64,
    }
}

/// The partners with access to the organization now (active, end date not passed).
pub async fn partners_of(
    tx: &mut Tx,
    customer_id: i64,
    now: i64,
) -> Result<Vec<PartnerWithAccess>, sqlx::Error> {
    const SQL: &str =
        "SELECT r.id, p.name AS partner, r.granted_access, r.granted_until, r.answered_at \
        FROM partner_customers r JOIN organizations p ON p.id = r.partner_id \
        WHERE r.customer_id = $1 AND r.state = 'active' \
          AND (r.granted_until IS NULL OR r.granted_until > $2) \
        ORDER BY p.name, r.id";
    let rows: Vec<Granted> = fetch_all!(tx, SQL, customer_id, now)?;
    const PRODUCTS: &str = "SELECT cp.relationship_id, p.name FROM partner_customer_products cp \
        JOIN partner_customers r ON r.id = cp.relationship_id JOIN products p ON p.id = cp.product_id \
        WHERE r.customer_id = $1 AND r.state = 'active' ORDER BY p.name";
    let products: Vec<(i64, String)> = fetch_all!(tx, PRODUCTS, customer_id)?;
    Ok(parsed("partners of a customer", rows, |r| {
        Some(PartnerWithAccess {
            id: r.id,
            partner: r.partner.clone(),
            granted: PartnerAccess::parse(&r.granted_access)?,
            granted_until: r.granted_until,
            products: products
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, name)| name.clone())
                .collect(),
            since: r.answered_at,
        })
    }))
}

/// The legal representatives of the organization who are not blocked: `(email, first name)`,
/// for what commits the organization (its partner status, a partner's access).
pub async fn legal_representatives(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    const SQL: &str =
        "SELECT u.email, u.first_name FROM memberships m JOIN users u ON u.id = m.user_id \
        WHERE m.organization_id = $1 AND m.blocked_at IS NULL AND m.role = 'legal_representative' \
        ORDER BY u.id";
    fetch_all!(tx, SQL, organization_id)
}

/// Relationships whose end date has come: `(id, partner id, customer id)`.
pub async fn past_their_end(tx: &mut Tx, now: i64) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT id, partner_id, customer_id FROM partner_customers \
        WHERE state = 'active' AND granted_until IS NOT NULL AND granted_until <= $1 ORDER BY id";
    fetch_all!(tx, SQL, now)
}

/// Relationships whose end date is within the reminder's reach and not reminded yet:
/// `(id, partner id, customer id, until)`.
pub async fn due_for_reminder(
    tx: &mut Tx,
    now: i64,
    ahead: i64,
) -> Result<Vec<(i64, i64, i64, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT id, partner_id, customer_id, granted_until FROM partner_customers \
        WHERE state = 'active' AND granted_until IS NOT NULL AND granted_until > $1 \
          AND granted_until <= $2 AND reminded_at IS NULL ORDER BY id";
    fetch_all!(tx, SQL, now, now + ahead)
}

/// Marks the reminder sent; `false` when another worker sent it first.
pub async fn mark_reminded(tx: &mut Tx, id: i64, at: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "UPDATE partner_customers SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL";
    Ok(affected!(tx, SQL, id, at)? == 1)
}

/// The names of two organizations, for messages about both.
pub async fn organization_name(tx: &mut Tx, id: i64) -> Result<String, sqlx::Error> {
    const SQL: &str = "SELECT name FROM organizations WHERE id = $1";
    scalar_one!(tx, SQL, id)
}

/// The organization's products, by name: `(id, name)`.
pub async fn products_of(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    const SQL: &str = "SELECT id, name FROM products WHERE organization_id = $1 ORDER BY name, id";
    fetch_all!(tx, SQL, organization_id)
}

/// Who asked and who answered a relationship of `partner_id`, and when its end was announced:
/// `(requested by, answered by, reminded at)`; `None` when it is not the partner's.
pub async fn people_of(
    tx: &mut Tx,
    partner_id: i64,
    id: i64,
) -> Result<Option<(Option<String>, Option<String>, Option<i64>)>, sqlx::Error> {
    const SQL: &str = "SELECT \
          CASE WHEN q.id IS NULL THEN NULL ELSE q.first_name || ' ' || q.last_name END, \
          CASE WHEN a.id IS NULL THEN NULL ELSE a.first_name || ' ' || a.last_name END, \
          r.reminded_at \
        FROM partner_customers r \
        LEFT JOIN users q ON q.id = r.requested_by LEFT JOIN users a ON a.id = r.answered_by \
        WHERE r.id = $1 AND r.partner_id = $2";
    fetch_optional!(tx, SQL, id, partner_id)
}

/// Every organization that has been the partner's customer (whatever the relationship's state
/// now): whose history the partner may export.
pub async fn customer_ids(tx: &mut Tx, partner_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    const SQL: &str = "SELECT DISTINCT customer_id FROM partner_customers \
        WHERE partner_id = $1 AND customer_id IS NOT NULL";
    let rows: Vec<(i64,)> = fetch_all!(tx, SQL, partner_id)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Which invoices a partner reads for the export (PAR-6): those it paid for a customer, and a
/// customer's own while the partner has full access paid by the customer now. `$1` the partner,
/// `$2`..`$3` the period, `$4` now.
const EXPORTED_INVOICES: &str = "i.issued_at >= $2 AND i.issued_at < $3 \
    AND (o.paid_by = $1 OR (o.paid_by IS NULL AND i.organization_id = o.organization_id \
      AND EXISTS (SELECT 1 FROM partner_customers r WHERE r.partner_id = $1 \
        AND r.customer_id = o.organization_id AND r.state = 'active' \
        AND r.granted_access = 'full_customer_pays' \
        AND (r.granted_until IS NULL OR r.granted_until > $4))))";

row! {
    /// An invoice as the export writes it.
    pub struct InvoiceExport {
        pub id: i64,
        pub customer_id: i64,
        pub customer: Option<String>,
        pub number: i64,
        pub currency: String,
        pub issued_at: i64,
        pub net_minor: i64,
        pub vat_minor: i64,
        pub total_minor: i64,
        pub status: String,
        pub paid_by: Option<i64>,
    }
}

/// Up to `limit` invoices after `after` (by id) for the export.
#[allow(clippy::too_many_arguments)]
pub async fn invoices_for_export(
    tx: &mut Tx,
    partner_id: i64,
    from: i64,
    to: i64,
    now: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<InvoiceExport>, sqlx::Error> {
    let sql = format!(
        "SELECT i.id, o.organization_id AS customer_id, c.name AS customer, i.number, i.currency, \
           i.issued_at, i.net_minor, i.vat_minor, i.total_minor, o.status, o.paid_by \
         FROM invoices i JOIN orders o ON o.id = i.order_id \
         LEFT JOIN organizations c ON c.id = o.organization_id \
         WHERE i.id > $5 AND {EXPORTED_INVOICES} ORDER BY i.id LIMIT $6"
    );
    fetch_all!(tx, &sql, partner_id, from, to, now, after, limit)
}

row! {
    /// A renewal (one line of an invoice) as the export writes it.
    pub struct RenewalExport {
        pub id: i64,
        pub position: i64,
        pub customer_id: i64,
        pub customer: Option<String>,
        pub number: i64,
        pub currency: String,
        pub issued_at: i64,
        pub kind: String,
        pub name: String,
        pub periods: i64,
        pub period: String,
        pub net_minor: i64,
        pub status: String,
        pub paid_by: Option<i64>,
    }
}

/// Up to `limit` renewal lines after `after` (invoice id, line) for the export.
#[allow(clippy::too_many_arguments)]
pub async fn renewals_for_export(
    tx: &mut Tx,
    partner_id: i64,
    from: i64,
    to: i64,
    now: i64,
    after: (i64, i64),
    limit: i64,
) -> Result<Vec<RenewalExport>, sqlx::Error> {
    let sql = format!(
        "SELECT i.id, l.position, o.organization_id AS customer_id, c.name AS customer, i.number, \
           i.currency, i.issued_at, l.kind, l.name, l.periods, l.period, il.net_minor, o.status, \
           o.paid_by \
         FROM order_lines l JOIN orders o ON o.id = l.order_id \
         JOIN invoices i ON i.order_id = o.id \
         JOIN invoice_lines il ON il.invoice_id = i.id AND il.position = l.position \
         LEFT JOIN organizations c ON c.id = o.organization_id \
         WHERE l.purpose = 'renewal' AND (i.id > $5 OR (i.id = $5 AND l.position > $6)) \
           AND {EXPORTED_INVOICES} ORDER BY i.id, l.position LIMIT $7"
    );
    fetch_all!(tx, &sql, partner_id, from, to, now, after.0, after.1, limit)
}
