//! Cashback (PAR-5): what a partner earns when its customer pays — which relationship earns on
//! an order line, the rows written with the order, their credit once it is paid — and the
//! partner's rates its own orders for a customer are priced with (PAR-4). The partner program
//! (`partners`) sits above the shop: what the shop needs of its tables is read here.

use crate::db::{affected, fetch_all, parsed, row, Tx};
use crate::money::Percent;
use crate::policy::PartnerAccess;
use crate::products::ProductKind;

/// The rate of `kind` among `rates`, when it takes something off.
pub fn rate_for(rates: &[(ProductKind, Percent)], kind: ProductKind) -> Option<Percent> {
    rates
        .iter()
        .find(|(k, percent)| *k == kind && percent.0 > 0)
        .map(|(_, percent)| *percent)
}

/// An approved partner's discount rates per product kind.
pub async fn partner_rates(
    tx: &mut Tx,
    partner_id: i64,
) -> Result<Vec<(ProductKind, Percent)>, sqlx::Error> {
    const SQL: &str = "SELECT r.organization_id, r.product_kind, r.percent FROM partner_rates r \
        JOIN partners p ON p.organization_id = r.organization_id AND p.state = 'approved' \
        WHERE r.organization_id = $1 ORDER BY r.product_kind";
    let rows: Vec<(i64, String, i64)> = fetch_all!(tx, SQL, partner_id)?;
    Ok(parsed("partner rates", rows, |(_, kind, percent)| {
        Some((ProductKind::parse(&kind)?, Percent(percent)))
    }))
}

/// A relationship a customer's orders earn its partner cashback on (PAR-5): what was granted,
/// the products a limited grant reaches, the partner's rates.
#[derive(Clone, Debug, PartialEq)]
pub struct CashbackTerms {
    pub relationship_id: i64,
    pub partner_id: i64,
    pub access: crate::policy::PartnerAccess,
    /// The products a limited grant reaches.
    pub products: Vec<i64>,
    pub rates: Vec<(ProductKind, Percent)>,
}

impl CashbackTerms {
    /// The partner's rate on an order line of `kind` about `product_id` (none for a new
    /// product), when the partner earns on it: every line with full access — whoever pays, as
    /// long as the customer does — and, with limited access, only a product the partner manages
    /// (its renewal, restore or warranty). `None` when it earns nothing.
    pub fn rate_on(&self, kind: ProductKind, product_id: Option<i64>) -> Option<Percent> {
        let managed = match self.access {
            PartnerAccess::FullCustomerPays | PartnerAccess::FullPartnerPays => true,
            PartnerAccess::Limited => product_id.is_some_and(|id| self.products.contains(&id)),
        };
        if !managed {
            return None;
        }
        rate_for(&self.rates, kind)
    }
}

/// The customer's relationships that earn cashback now (active, end date not passed, with a
/// partner still in the program), oldest grant first: the first that earns on a line takes it.
pub async fn cashback_terms(
    tx: &mut Tx,
    customer_id: i64,
    now: i64,
) -> Result<Vec<CashbackTerms>, sqlx::Error> {
    const SQL: &str = "SELECT r.id, r.partner_id, r.granted_access FROM partner_customers r \
        JOIN partners pa ON pa.organization_id = r.partner_id AND pa.state = 'approved' \
        WHERE r.customer_id = $1 AND r.state = 'active' \
          AND (r.granted_until IS NULL OR r.granted_until > $2) \
        ORDER BY r.answered_at, r.id";
    let rows: Vec<(i64, i64, String)> = fetch_all!(tx, SQL, customer_id, now)?;
    let rows = parsed("cashback terms", rows, |(id, partner_id, access)| {
        Some((id, partner_id, PartnerAccess::parse(&access)?))
    });
    let mut terms = Vec::with_capacity(rows.len());
    for (relationship_id, partner_id, access) in rows {
        const PRODUCTS: &str =
            "SELECT product_id FROM partner_customer_products WHERE relationship_id = $1";
        let products: Vec<(i64,)> = fetch_all!(tx, PRODUCTS, relationship_id)?;
        terms.push(CashbackTerms {
            relationship_id,
            partner_id,
            access,
            products: products.into_iter().map(|(id,)| id).collect(),
            rates: partner_rates(tx, partner_id).await?,
        });
    }
    Ok(terms)
}

/// A line of cashback to write with its order.
pub struct NewCashback<'a> {
    pub partner_id: i64,
    pub customer_id: i64,
    pub relationship_id: i64,
    pub order_id: i64,
    pub position: i64,
    pub invoice_id: i64,
    pub description: &'a str,
    pub public: crate::money::Money,
    pub partner_price: crate::money::Money,
    pub amount: crate::money::Money,
    pub at: i64,
}

/// Writes a line's cashback; `false` when that order line has its row already.
pub async fn insert_cashback(tx: &mut Tx, new: &NewCashback<'_>) -> Result<bool, sqlx::Error> {
    const SQL: &str = "INSERT INTO partner_cashback (partner_id, customer_id, relationship_id, \
          order_id, position, invoice_id, description, currency, public_minor, partner_minor, \
          amount_minor, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
        ON CONFLICT (order_id, position) DO NOTHING";
    let done = affected!(
        tx,
        SQL,
        new.partner_id,
        new.customer_id,
        new.relationship_id,
        new.order_id,
        new.position,
        new.invoice_id,
        new.description,
        new.amount.currency.code(),
        new.public.minor,
        new.partner_price.minor,
        new.amount.minor,
        new.at
    )?;
    Ok(done == 1)
}

row! {
    /// A line of cashback as stored.
    pub struct CashbackRow {
        pub id: i64,
        pub partner_id: i64,
        pub customer_id: i64,
        pub customer: Option<String>,
        pub order_id: i64,
        pub position: i64,
        pub invoice_id: i64,
        pub description: String,
        pub currency: String,
        pub public_minor: i64,
        pub partner_minor: i64,
        pub amount_minor: i64,
        pub created_at: i64,
        pub credited_at: Option<i64>,
    }
}

impl CashbackRow {
    pub fn amount(&self) -> Option<crate::money::Money> {
        Some(crate::money::Money::new(
            self.amount_minor,
            crate::money::Currency::parse(&self.currency)?,
        ))
    }
}

const CASHBACK_COLUMNS: &str =
    "c.id, c.partner_id, c.customer_id, o.name AS customer, c.order_id, \
    c.position, c.invoice_id, c.description, c.currency, c.public_minor, c.partner_minor, \
    c.amount_minor, c.created_at, c.credited_at";

/// The order's cashback not credited yet.
pub async fn uncredited_cashback(
    tx: &mut Tx,
    order_id: i64,
) -> Result<Vec<CashbackRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {CASHBACK_COLUMNS} FROM partner_cashback c \
         LEFT JOIN organizations o ON o.id = c.customer_id \
         WHERE c.order_id = $1 AND c.credited_at IS NULL ORDER BY c.position"
    );
    fetch_all!(tx, &sql, order_id)
}

/// Marks a line credited; `false` when it was already.
pub async fn mark_credited(tx: &mut Tx, id: i64, at: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "UPDATE partner_cashback SET credited_at = $2 WHERE id = $1 AND credited_at IS NULL";
    Ok(affected!(tx, SQL, id, at)? == 1)
}

/// The partner's cashback credited since `since`, newest first.
pub async fn credited_cashback(
    tx: &mut Tx,
    partner_id: i64,
    since: i64,
) -> Result<Vec<CashbackRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {CASHBACK_COLUMNS} FROM partner_cashback c \
         LEFT JOIN organizations o ON o.id = c.customer_id \
         WHERE c.partner_id = $1 AND c.credited_at >= $2 \
         ORDER BY c.credited_at DESC, c.id DESC"
    );
    fetch_all!(tx, &sql, partner_id, since)
}

row! {
    /// A line of credited cashback as the partner's export writes it.
    pub struct CashbackExport {
        pub id: i64,
        pub customer_id: i64,
        pub customer: Option<String>,
        pub credited_at: Option<i64>,
        pub invoice_number: Option<i64>,
        pub description: String,
        pub currency: String,
        pub public_minor: i64,
        pub partner_minor: i64,
        pub amount_minor: i64,
    }
}

/// Up to `limit` lines of cashback credited to the partner in `from..to`, after `after` (by id).
pub async fn credited_for_export(
    tx: &mut Tx,
    partner_id: i64,
    from: i64,
    to: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<CashbackExport>, sqlx::Error> {
    const SQL: &str = "SELECT c.id, c.customer_id, o.name AS customer, c.credited_at, \
          i.number AS invoice_number, c.description, c.currency, c.public_minor, c.partner_minor, \
          c.amount_minor \
        FROM partner_cashback c LEFT JOIN organizations o ON o.id = c.customer_id \
        LEFT JOIN invoices i ON i.id = c.invoice_id \
        WHERE c.partner_id = $1 AND c.credited_at >= $2 AND c.credited_at < $3 AND c.id > $4 \
        ORDER BY c.id LIMIT $5";
    fetch_all!(tx, SQL, partner_id, from, to, after, limit)
}
