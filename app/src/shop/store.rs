//! The SQL of the shop: cart lines, promo codes and their uses, free offers, orders, invoice
//! numbers and invoices.

use super::quote::{FreeOffer, Line, PromoCode, PromoReduction, TypedCode};
use super::{OrderStatus, Payment, Purpose, Renewable};
use crate::db::Tx;
use crate::db::{
    affected, exec, fetch_all, fetch_optional, row, scalar_all, scalar_one, scalar_optional,
};
use crate::money::{Currency, Money, Percent};
use crate::products::ProductKind;
use crate::tokens::TokenHash;

// ---- The cart -------------------------------------------------------------------------------

row! {
    /// A cart line as stored.
    struct LineRow {
        id: i64,
        kind: String,
        plan: String,
        name: String,
        product_id: Option<i64>,
        quantity: i64,
        periods: i64,
        promo_code: String,
        free_offer_id: Option<i64>,
        purpose: String,
        auth_code: String,
    }
}

const LINE_COLUMNS: &str = "id, kind, plan, name, product_id, quantity, periods, promo_code, \
                            free_offer_id, purpose, auth_code";

/// A cart line as stored, with its promo code as typed (looked up by [`typed_codes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLine {
    pub line: Line,
    pub promo_code: String,
}

fn stored_line(
    LineRow {
        id,
        kind,
        plan,
        name,
        product_id,
        quantity,
        periods,
        promo_code,
        free_offer_id,
        purpose,
        auth_code,
    }: LineRow,
) -> Option<StoredLine> {
    Some(StoredLine {
        line: Line {
            id,
            kind: ProductKind::parse(&kind)?,
            plan,
            name,
            product_id,
            purpose: Purpose::parse(&purpose)?,
            quantity,
            periods,
            promo: None,
            free_offer_id,
            auth_code,
        },
        promo_code,
    })
}

pub async fn cart(tx: &mut Tx, organization_id: i64) -> Result<Vec<StoredLine>, sqlx::Error> {
    let sql =
        format!("SELECT {LINE_COLUMNS} FROM cart_lines WHERE organization_id = $1 ORDER BY id");
    let rows: Vec<LineRow> = fetch_all!(tx, &sql, organization_id)?;
    Ok(crate::db::parsed("cart_lines", rows, stored_line))
}

pub async fn cart_line(
    tx: &mut Tx,
    organization_id: i64,
    line_id: i64,
) -> Result<Option<StoredLine>, sqlx::Error> {
    let sql =
        format!("SELECT {LINE_COLUMNS} FROM cart_lines WHERE organization_id = $1 AND id = $2");
    let row: Option<LineRow> = fetch_optional!(tx, &sql, organization_id, line_id)?;
    Ok(row.and_then(stored_line))
}

// ---- A signed-out visitor's cart (guest.rs) ---------------------------------------------------

#[derive(sqlx::FromRow)]
struct GuestLineRow {
    id: i64,
    kind: String,
    name: String,
    periods: i64,
}

impl crate::db::Row for GuestLineRow {
    fn id(&self) -> i64 {
        self.id
    }
}

fn guest_line(row: GuestLineRow) -> Option<Line> {
    let kind = ProductKind::parse(&row.kind)?;
    Some(Line {
        id: row.id,
        kind,
        plan: "standard".into(),
        name: row.name,
        product_id: None,
        purpose: Purpose::New,
        quantity: 1,
        periods: row.periods,
        promo: None,
        free_offer_id: None,
        auth_code: String::new(),
    })
}

pub async fn guest_lines(tx: &mut Tx, token: &TokenHash) -> Result<Vec<Line>, sqlx::Error> {
    const SQL: &str = "SELECT id, kind, name, periods FROM guest_cart_lines \
                       WHERE token_hash = $1 ORDER BY id";
    let rows: Vec<GuestLineRow> = fetch_all!(tx, SQL, token.as_str())?;
    Ok(crate::db::parsed("guest_cart_lines", rows, guest_line))
}

/// The visitor's lines, deleted as they are read (the claim of `guest::claim`).
pub async fn take_guest_lines(tx: &mut Tx, token: &TokenHash) -> Result<Vec<Line>, sqlx::Error> {
    const SQL: &str = "DELETE FROM guest_cart_lines WHERE token_hash = $1 \
                       RETURNING id, kind, name, periods";
    let mut rows: Vec<GuestLineRow> = fetch_all!(tx, SQL, token.as_str())?;
    rows.sort_by_key(|r| r.id);
    Ok(crate::db::parsed("guest_cart_lines", rows, guest_line))
}

pub async fn add_guest_line(
    tx: &mut Tx,
    token: &TokenHash,
    kind: ProductKind,
    name: &str,
    periods: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO guest_cart_lines (token_hash, kind, name, periods, created_at) \
                       VALUES ($1, $2, $3, $4, $5)";
    exec!(tx, SQL, token.as_str(), kind.as_str(), name, periods, at)
}

pub async fn remove_guest_line(
    tx: &mut Tx,
    token: &TokenHash,
    line_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM guest_cart_lines WHERE token_hash = $1 AND id = $2";
    let done = affected!(tx, SQL, token.as_str(), line_id)?;
    Ok(done == 1)
}

/// Forgets visitors' lines added before `before`.
pub async fn forget_guest_carts(tx: &mut Tx, before: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM guest_cart_lines WHERE created_at < $1";
    exec!(tx, SQL, before)
}

pub struct NewLine<'a> {
    pub organization_id: i64,
    pub kind: ProductKind,
    pub plan: &'a str,
    pub name: &'a str,
    pub product_id: Option<i64>,
    pub purpose: Purpose,
    pub quantity: i64,
    pub periods: i64,
    /// A transfer's authorization code ("" otherwise).
    pub auth_code: &'a str,
    pub added_by: i64,
    pub at: i64,
}

pub async fn add_line(tx: &mut Tx, line: &NewLine<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO cart_lines \
        (organization_id, kind, plan, name, product_id, quantity, periods, added_by, created_at, \
        purpose, auth_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        line.organization_id,
        line.kind.as_str(),
        line.plan,
        line.name,
        line.product_id,
        line.quantity,
        line.periods,
        line.added_by,
        line.at,
        line.purpose.as_str(),
        line.auth_code
    )
}

pub async fn update_line(
    tx: &mut Tx,
    organization_id: i64,
    line_id: i64,
    quantity: i64,
    periods: i64,
    promo_code: &str,
    free_offer_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE cart_lines SET quantity = $3, periods = $4, promo_code = $5, \
                       free_offer_id = $6 WHERE organization_id = $1 AND id = $2";
    let done = affected!(
        tx,
        SQL,
        organization_id,
        line_id,
        quantity,
        periods,
        promo_code,
        free_offer_id
    )?;
    Ok(done == 1)
}

pub async fn remove_line(
    tx: &mut Tx,
    organization_id: i64,
    line_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM cart_lines WHERE organization_id = $1 AND id = $2";
    let done = affected!(tx, SQL, organization_id, line_id)?;
    Ok(done == 1)
}

pub async fn empty_cart(tx: &mut Tx, organization_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM cart_lines WHERE organization_id = $1";
    exec!(tx, SQL, organization_id)
}

// ---- Promo codes and free offers ------------------------------------------------------------

row! {
    /// A promo code as stored.
    struct PromoRow {
        id: i64,
        code: String,
        percent: Option<i64>,
        amount_minor: Option<i64>,
        currency: Option<String>,
        kinds: String,
        expires_at: Option<i64>,
        max_uses: Option<i64>,
        uses: i64,
    }
}

const PROMO_COLUMNS: &str =
    "id, code, percent, amount_minor, currency, kinds, expires_at, max_uses, uses";

fn promo(
    PromoRow {
        id,
        code,
        percent,
        amount_minor,
        currency,
        kinds,
        expires_at,
        max_uses,
        uses,
    }: PromoRow,
) -> Option<PromoCode> {
    let reduction = match (percent, amount_minor, currency) {
        (Some(p), None, None) => PromoReduction::Percent(Percent(p)),
        (None, Some(minor), Some(currency)) => {
            PromoReduction::Amount(Money::new(minor, Currency::parse(&currency)?))
        }
        _ => return None,
    };
    Some(PromoCode {
        id,
        code,
        reduction,
        kinds: kinds
            .split(',')
            .filter_map(|k| ProductKind::parse(k.trim()))
            .collect(),
        expires_at,
        max_uses,
        uses,
    })
}

pub async fn promo_code(tx: &mut Tx, code: &str) -> Result<Option<PromoCode>, sqlx::Error> {
    let sql = format!("SELECT {PROMO_COLUMNS} FROM promo_codes WHERE code = $1");
    let row: Option<PromoRow> = fetch_optional!(tx, &sql, code)?;
    Ok(row.and_then(promo))
}

pub async fn promo_codes(tx: &mut Tx) -> Result<Vec<PromoCode>, sqlx::Error> {
    let sql = format!("SELECT {PROMO_COLUMNS} FROM promo_codes ORDER BY id");
    let rows: Vec<PromoRow> = fetch_all!(tx, &sql)?;
    Ok(crate::db::parsed("promo_codes", rows, promo))
}

/// Whether the organization used the code on an order.
pub async fn promo_code_used(
    tx: &mut Tx,
    promo_code_id: i64,
    organization_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM promo_code_uses \
                       WHERE promo_code_id = $1 AND organization_id = $2";
    let count: i64 = scalar_one!(tx, SQL, promo_code_id, organization_id)?;
    Ok(count > 0)
}

/// The lines' codes as typed, with what each names (looked up once each).
pub async fn typed_codes(
    tx: &mut Tx,
    organization_id: i64,
    lines: Vec<StoredLine>,
) -> Result<Vec<Line>, sqlx::Error> {
    let mut out = Vec::with_capacity(lines.len());
    for stored in lines {
        let mut line = stored.line;
        if !stored.promo_code.is_empty() {
            let found = promo_code(tx, &stored.promo_code).await?;
            let used = match &found {
                Some(code) => promo_code_used(tx, code.id, organization_id).await?,
                None => false,
            };
            line.promo = Some(TypedCode {
                code: stored.promo_code,
                found,
                used,
            });
        }
        out.push(line);
    }
    Ok(out)
}

/// Takes one use of the code for the organization's order; `false` when its uses are all
/// taken or the organization used it already (the order must not go through).
pub async fn use_promo_code(
    tx: &mut Tx,
    promo_code_id: i64,
    organization_id: i64,
    order_id: i64,
) -> Result<bool, sqlx::Error> {
    const COUNT: &str = "UPDATE promo_codes SET uses = uses + 1 \
                         WHERE id = $1 AND (max_uses IS NULL OR uses < max_uses)";
    const USE: &str = "INSERT INTO promo_code_uses (promo_code_id, organization_id, order_id) \
                       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    let counted = affected!(tx, COUNT, promo_code_id)?;
    if counted != 1 {
        return Ok(false);
    }
    let used = affected!(tx, USE, promo_code_id, organization_id, order_id)?;
    Ok(used == 1)
}

/// Gives back the codes and offers a cancelled order took.
pub async fn release_order_reductions(tx: &mut Tx, order_id: i64) -> Result<(), sqlx::Error> {
    const COUNT: &str = "UPDATE promo_codes SET uses = uses - 1 WHERE id IN \
                         (SELECT promo_code_id FROM promo_code_uses WHERE order_id = $1)";
    const USES: &str = "DELETE FROM promo_code_uses WHERE order_id = $1";
    const OFFERS: &str = "UPDATE free_offers SET used_by_order = NULL WHERE used_by_order = $1";
    for sql in [COUNT, USES, OFFERS] {
        exec!(tx, sql, order_id)?;
    }
    Ok(())
}

pub struct NewPromoCode<'a> {
    pub code: &'a str,
    pub reduction: PromoReduction,
    pub kinds: &'a [ProductKind],
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub at: i64,
}

/// `None` when the code exists already.
pub async fn insert_promo_code(
    tx: &mut Tx,
    new: &NewPromoCode<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "INSERT INTO promo_codes \
        (code, percent, amount_minor, currency, kinds, expires_at, max_uses, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING RETURNING id";
    let (percent, amount, currency) = match new.reduction {
        PromoReduction::Percent(p) => (Some(p.0), None, None),
        PromoReduction::Amount(m) => (None, Some(m.minor), Some(m.currency.code())),
    };
    let kinds = new
        .kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",");
    scalar_optional!(
        tx,
        SQL,
        new.code,
        percent,
        amount,
        currency,
        &kinds,
        new.expires_at,
        new.max_uses,
        new.at
    )
}

row! {
    /// A free offer as stored.
    struct OfferRow {
        id: i64,
        kind: String,
        periods: i64,
        label: String,
    }
}

/// The organization's free offers not used by an order.
pub async fn free_offers(tx: &mut Tx, organization_id: i64) -> Result<Vec<FreeOffer>, sqlx::Error> {
    const SQL: &str = "SELECT id, kind, periods, label FROM free_offers \
                       WHERE organization_id = $1 AND used_by_order IS NULL ORDER BY id";
    let rows: Vec<OfferRow> = fetch_all!(tx, SQL, organization_id)?;
    Ok(crate::db::parsed(
        "free_offers",
        rows,
        |OfferRow {
             id,
             kind,
             periods,
             label,
         }| {
            Some(FreeOffer {
                id,
                kind: ProductKind::parse(&kind)?,
                periods,
                label,
            })
        },
    ))
}

/// `false` when the offer was used meanwhile (or is not the organization's).
pub async fn use_free_offer(
    tx: &mut Tx,
    offer_id: i64,
    organization_id: i64,
    order_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE free_offers SET used_by_order = $3 \
                       WHERE id = $1 AND organization_id = $2 AND used_by_order IS NULL";
    let done = affected!(tx, SQL, offer_id, organization_id, order_id)?;
    Ok(done == 1)
}

pub async fn insert_free_offer(
    tx: &mut Tx,
    organization_id: i64,
    kind: ProductKind,
    periods: i64,
    label: &str,
    at: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO free_offers (organization_id, kind, periods, label, granted_at) \
                       VALUES ($1, $2, $3, $4, $5) RETURNING id";
    scalar_one!(tx, SQL, organization_id, kind.as_str(), periods, label, at)
}

// ---- Products the shop creates and renews ---------------------------------------------------

/// The organization's products, for the renewal list.
pub async fn renewable(tx: &mut Tx, organization_id: i64) -> Result<Vec<Renewable>, sqlx::Error> {
    const SQL: &str = "SELECT id, name, kind, expires_at, auto_renew FROM products \
                       WHERE organization_id = $1 AND stage <> 'released' ORDER BY name, id";
    row! {
        struct Row {
            id: i64,
            name: String,
            kind: String,
            expires_at: Option<i64>,
            auto_renew: bool,
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, organization_id)?;
    Ok(crate::db::parsed(
        "products",
        rows,
        |Row {
             id: product_id,
             name,
             kind,
             expires_at,
             auto_renew,
         }| {
            Some(Renewable {
                product_id,
                name,
                kind: ProductKind::parse(&kind)?,
                expires_at,
                auto_renew,
            })
        },
    ))
}

/// Whether a product of this kind and name exists in any organization (a domain name is
/// registered once).
pub async fn name_taken(tx: &mut Tx, kind: ProductKind, name: &str) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "SELECT COUNT(*) FROM products WHERE kind = $1 AND name = $2 AND stage <> 'released'";
    let count: i64 = scalar_one!(tx, SQL, kind.as_str(), name)?;
    Ok(count > 0)
}

/// The organization's products of `kind` whose name is `name` or starts with `prefix`.
pub async fn names_like(
    tx: &mut Tx,
    organization_id: i64,
    kind: ProductKind,
    name: &str,
) -> Result<Vec<String>, sqlx::Error> {
    const SQL: &str = "SELECT name FROM products WHERE organization_id = $1 AND kind = $2 \
                       AND (name = $3 OR name LIKE $4 ESCAPE '\\')";
    let prefix = format!(
        "{} %",
        crate::format::like_pattern(name).trim_end_matches('%')
    );
    scalar_all!(tx, SQL, organization_id, kind.as_str(), name, &prefix)
}

/// The organization's released domain of that name, if it has one.
pub async fn released_domain(
    tx: &mut Tx,
    organization_id: i64,
    name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT id FROM products WHERE organization_id = $1 AND kind = 'domain' \
                       AND name = $2 AND stage = 'released'";
    scalar_optional!(tx, SQL, organization_id, name)
}

pub async fn product_expiry(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
) -> Result<Option<Option<i64>>, sqlx::Error> {
    const SQL: &str = "SELECT expires_at FROM products WHERE organization_id = $1 AND id = $2";
    scalar_optional!(tx, SQL, organization_id, product_id)
}

// ---- Orders and invoices --------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredOrder {
    pub id: i64,
    /// Whose products it creates or renews.
    pub organization_id: i64,
    pub total: Money,
    pub payment: Payment,
    pub status: OrderStatus,
    pub placed_by: Option<i64>,
    /// The partner that paid for its customer (PAR-4); `None`: the organization itself.
    pub paid_by: Option<i64>,
}

impl StoredOrder {
    /// The organization invoiced: the partner that paid, else the organization.
    pub fn billed(&self) -> i64 {
        self.paid_by.unwrap_or(self.organization_id)
    }
}

row! {
    /// An order as stored.
    struct OrderRow {
        id: i64,
        organization_id: i64,
        currency: String,
        total_minor: i64,
        payment: String,
        status: String,
        placed_by: Option<i64>,
        paid_by: Option<i64>,
    }
}

const ORDER_COLUMNS: &str =
    "id, organization_id, currency, total_minor, payment, status, placed_by, paid_by";

fn order(
    OrderRow {
        id,
        organization_id,
        currency,
        total_minor: total,
        payment,
        status,
        placed_by,
        paid_by,
    }: OrderRow,
) -> Option<StoredOrder> {
    Some(StoredOrder {
        id,
        organization_id,
        total: Money::new(total, Currency::parse(&currency)?),
        payment: Payment::parse(&payment)?,
        status: OrderStatus::parse(&status)?,
        placed_by,
        paid_by,
    })
}

pub async fn order_by_key(
    tx: &mut Tx,
    organization_id: i64,
    key: &str,
) -> Result<Option<StoredOrder>, sqlx::Error> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE organization_id = $1 AND idempotency_key = $2"
    );
    let row: Option<OrderRow> = fetch_optional!(tx, &sql, organization_id, key)?;
    Ok(row.and_then(order))
}

/// An order by its id alone (the operator's bank transfers name it by reference).
pub async fn order_by_id(tx: &mut Tx, order_id: i64) -> Result<Option<StoredOrder>, sqlx::Error> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
    let row: Option<OrderRow> = fetch_optional!(tx, &sql, order_id)?;
    Ok(row.and_then(order))
}

pub struct NewOrder<'a> {
    pub organization_id: i64,
    pub total: Money,
    pub payment: Payment,
    pub key: &'a str,
    /// `None`: Steward itself (an automatic renewal).
    pub placed_by: Option<i64>,
    /// The partner paying for its customer (PAR-4).
    pub paid_by: Option<i64>,
    pub at: i64,
}

/// `None` when an order with the key was placed meanwhile.
pub async fn insert_order(tx: &mut Tx, new: &NewOrder<'_>) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "INSERT INTO orders \
        (organization_id, currency, total_minor, payment, status, idempotency_key, placed_by, placed_at, paid_by) \
        VALUES ($1, $2, $3, $4, 'awaiting_payment', $5, $6, $7, $8) \
        ON CONFLICT (organization_id, idempotency_key) DO NOTHING RETURNING id";
    scalar_optional!(
        tx,
        SQL,
        new.organization_id,
        new.total.currency.code(),
        new.total.minor,
        new.payment.as_str(),
        new.key,
        new.placed_by,
        new.at,
        new.paid_by
    )
}

/// Moves an order from one status to another; `false` when it was not in `from` (someone
/// else moved it first).
pub async fn set_order_status(
    tx: &mut Tx,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let column = match to {
        OrderStatus::Paid => "paid_at",
        OrderStatus::Cancelled => "cancelled_at",
        OrderStatus::AwaitingPayment => "placed_at",
    };
    let sql = format!("UPDATE orders SET status = $3, {column} = $4 WHERE id = $1 AND status = $2");
    let done = affected!(tx, &sql, order_id, from.as_str(), to.as_str(), at)?;
    Ok(done == 1)
}

/// What an order line does once paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderLine {
    pub kind: ProductKind,
    pub plan: String,
    pub name: String,
    pub product_id: Option<i64>,
    pub purpose: Purpose,
    pub quantity: i64,
    pub periods: i64,
    pub period: String,
    /// A transfer's authorization code until the line is carried out.
    pub auth_code: String,
}

pub async fn insert_order_line(
    tx: &mut Tx,
    order_id: i64,
    position: i64,
    line: &OrderLine,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO order_lines \
        (order_id, position, kind, plan, name, product_id, quantity, periods, period, purpose, \
        auth_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    exec!(
        tx,
        SQL,
        order_id,
        position,
        line.kind.as_str(),
        &line.plan,
        &line.name,
        line.product_id,
        line.quantity,
        line.periods,
        &line.period,
        line.purpose.as_str(),
        &line.auth_code
    )
}

pub async fn order_lines(tx: &mut Tx, order_id: i64) -> Result<Vec<OrderLine>, sqlx::Error> {
    // The order's id first: a line that does not parse is logged under its order.
    const SQL: &str = "SELECT order_id, kind, plan, name, product_id, quantity, periods, period, \
                       purpose, auth_code FROM order_lines WHERE order_id = $1 ORDER BY position";
    #[derive(sqlx::FromRow)]
    struct Row {
        order_id: i64,
        kind: String,
        plan: String,
        name: String,
        product_id: Option<i64>,
        quantity: i64,
        periods: i64,
        period: String,
        purpose: String,
        auth_code: String,
    }
    impl crate::db::Row for Row {
        fn id(&self) -> i64 {
            self.order_id
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, order_id)?;
    Ok(crate::db::parsed(
        "order_lines",
        rows,
        |Row {
             kind,
             plan,
             name,
             product_id,
             quantity,
             periods,
             period,
             purpose,
             auth_code,
             ..
         }| {
            Some(OrderLine {
                kind: ProductKind::parse(&kind)?,
                plan,
                name,
                product_id,
                purpose: Purpose::parse(&purpose)?,
                quantity,
                periods,
                period,
                auth_code,
            })
        },
    ))
}

/// How many of an order's lines were carried out already.
pub async fn carried_out_lines(tx: &mut Tx, order_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "SELECT COUNT(*) FROM order_lines WHERE order_id = $1 AND carried_out_at IS NOT NULL";
    scalar_one!(tx, SQL, order_id)
}

/// Forgets every authorization code of an order (cancelled).
pub async fn clear_order_codes(tx: &mut Tx, order_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE order_lines SET auth_code = '' WHERE order_id = $1";
    exec!(tx, SQL, order_id)
}

/// Forgets an order line's authorization code once the product holds it.
pub async fn clear_line_code(tx: &mut Tx, order_id: i64, position: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE order_lines SET auth_code = '' WHERE order_id = $1 AND position = $2";
    exec!(tx, SQL, order_id, position)
}

/// Marks an order line carried out; `false` when it was already (a domain renewed at expiry
/// under its warranty before its invoice was paid).
pub async fn carry_out(
    tx: &mut Tx,
    order_id: i64,
    position: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE order_lines SET carried_out_at = $3 \
                       WHERE order_id = $1 AND position = $2 AND carried_out_at IS NULL";
    let done = affected!(tx, SQL, order_id, position, now)?;
    Ok(done == 1)
}

/// A domain's stage and expiry, for the lines that renew, restore or cover it.
pub async fn domain_stage(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
) -> Result<Option<(crate::products::DomainStage, Option<i64>)>, sqlx::Error> {
    const SQL: &str = "SELECT stage, expires_at FROM products \
                       WHERE organization_id = $1 AND id = $2 AND kind = 'domain'";
    let row: Option<(String, Option<i64>)> = fetch_optional!(tx, SQL, organization_id, product_id)?;
    Ok(row.and_then(|(stage, expires_at)| {
        Some((crate::products::DomainStage::parse(&stage)?, expires_at))
    }))
}

/// Whether a domain is being transferred in (its transfer waits for the registry, or failed
/// and waits for a restart): it has no expiry of its own yet.
pub async fn in_transfer(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM products WHERE organization_id = $1 AND id = $2 \
        AND transfer_state IN ('pending', 'failed')";
    let n: i64 = scalar_one!(tx, SQL, organization_id, product_id)?;
    Ok(n > 0)
}

/// A domain's warranty end, if it has had one.
pub async fn warranty_until(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT warranty_until FROM products WHERE organization_id = $1 AND id = $2";
    let row: Option<Option<i64>> = scalar_optional!(tx, SQL, organization_id, product_id)?;
    Ok(row.flatten())
}

/// The next invoice number in the currency, taken in the caller's transaction: the counter's
/// row stays locked until it commits, and a rollback gives the number back — no gaps.
pub async fn next_invoice_number(tx: &mut Tx, currency: Currency) -> Result<i64, sqlx::Error> {
    const SQL: &str = "UPDATE invoice_numbers SET last_number = last_number + 1 \
                       WHERE currency = $1 RETURNING last_number";
    scalar_one!(tx, SQL, currency.code())
}

/// An invoice as issued (and as printed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    pub organization_id: i64,
    pub order_id: i64,
    pub currency: Currency,
    pub number: i64,
    pub organization_name: String,
    /// The billing address, line by line.
    pub address: Vec<String>,
    /// Who issued it (the operator), line by line: name, address, VAT number.
    pub supplier: Vec<String>,
    pub net: Money,
    pub vat: Money,
    pub rounding: Money,
    pub total: Money,
    pub payment_reference: String,
    pub issued_at: i64,
    pub lines: Vec<InvoiceLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    pub periods: i64,
    pub period: String,
    pub list: Money,
    /// Label and amount taken off, in order.
    pub reductions: Vec<(String, Money)>,
    pub net: Money,
    pub vat_rate: Percent,
    /// The service paid for: its first moment and the moment it ends (Unix seconds).
    pub service: Option<(i64, i64)>,
}

/// Writes an issued invoice and its lines; the tables refuse any later change.
pub async fn insert_invoice(tx: &mut Tx, invoice: &Invoice) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO invoices \
        (organization_id, order_id, currency, number, organization_name, address, net_minor, \
         vat_minor, rounding_minor, total_minor, payment_reference, issued_at, supplier, line_count) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id";
    const LINE: &str = "INSERT INTO invoice_lines \
        (invoice_id, position, description, quantity, periods, period, list_minor, reductions, \
         net_minor, vat_rate, service_from, service_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    let address = invoice.address.join("\n");
    let supplier = invoice.supplier.join("\n");
    let id: i64 = scalar_one!(
        tx,
        SQL,
        invoice.organization_id,
        invoice.order_id,
        invoice.currency.code(),
        invoice.number,
        &invoice.organization_name,
        &address,
        invoice.net.minor,
        invoice.vat.minor,
        invoice.rounding.minor,
        invoice.total.minor,
        &invoice.payment_reference,
        invoice.issued_at,
        &supplier,
        invoice.lines.len() as i64
    )?;
    for (position, line) in invoice.lines.iter().enumerate() {
        let reductions = line
            .reductions
            .iter()
            .map(|(label, taken)| format!("{}\t{}", label.replace(['\t', '\n'], " "), taken.minor))
            .collect::<Vec<_>>()
            .join("\n");
        exec!(
            tx,
            LINE,
            id,
            position as i64,
            &line.description,
            line.quantity,
            line.periods,
            &line.period,
            line.list.minor,
            &reductions,
            line.net.minor,
            line.vat_rate.0,
            line.service.map(|(from, _)| from),
            line.service.map(|(_, until)| until)
        )?;
    }
    Ok(id)
}

row! {
    /// An invoice as stored.
    struct InvoiceRow {
        id: i64,
        organization_id: i64,
        order_id: i64,
        currency: String,
        number: i64,
        organization_name: String,
        address: String,
        net_minor: i64,
        vat_minor: i64,
        rounding_minor: i64,
        total_minor: i64,
        payment_reference: String,
        issued_at: i64,
        supplier: String,
    }
}

const INVOICE_COLUMNS: &str = "id, organization_id, order_id, currency, number, \
    organization_name, address, net_minor, vat_minor, rounding_minor, total_minor, \
    payment_reference, issued_at, supplier";

fn invoice_of(
    InvoiceRow {
        id,
        organization_id,
        order_id,
        currency,
        number,
        organization_name,
        address,
        net_minor: net,
        vat_minor: vat,
        rounding_minor: rounding,
        total_minor: total,
        payment_reference,
        issued_at,
        supplier,
    }: InvoiceRow,
) -> Option<Invoice> {
    let currency = Currency::parse(&currency)?;
    Some(Invoice {
        id,
        organization_id,
        order_id,
        currency,
        number,
        organization_name,
        address: address.lines().map(str::to_owned).collect(),
        supplier: supplier.lines().map(str::to_owned).collect(),
        net: Money::new(net, currency),
        vat: Money::new(vat, currency),
        rounding: Money::new(rounding, currency),
        total: Money::new(total, currency),
        payment_reference,
        issued_at,
        lines: Vec::new(),
    })
}

/// The organization's invoices, newest first, without their lines.
pub async fn invoices(tx: &mut Tx, organization_id: i64) -> Result<Vec<Invoice>, sqlx::Error> {
    let sql = format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE organization_id = $1 ORDER BY id DESC"
    );
    let rows: Vec<InvoiceRow> = fetch_all!(tx, &sql, organization_id)?;
    Ok(crate::db::parsed("invoices", rows, invoice_of))
}

/// One of the organization's invoices, with its lines.
pub async fn invoice(
    tx: &mut Tx,
    organization_id: i64,
    invoice_id: i64,
) -> Result<Option<Invoice>, sqlx::Error> {
    let sql =
        format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE organization_id = $1 AND id = $2");
    const LINES: &str = "SELECT description, quantity, periods, period, list_minor, reductions, \
                         net_minor, vat_rate, service_from, service_until FROM invoice_lines \
                         WHERE invoice_id = $1 ORDER BY position";
    let row: Option<InvoiceRow> = fetch_optional!(tx, &sql, organization_id, invoice_id)?;
    let Some(mut invoice) = row.and_then(invoice_of) else {
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct LineRow {
        description: String,
        quantity: i64,
        periods: i64,
        period: String,
        list_minor: i64,
        reductions: String,
        net_minor: i64,
        vat_rate: i64,
        service_from: Option<i64>,
        service_until: Option<i64>,
    }
    let rows: Vec<LineRow> = fetch_all!(tx, LINES, invoice.id)?;
    let currency = invoice.currency;
    invoice.lines = rows
        .into_iter()
        .map(
            |LineRow {
                 description,
                 quantity,
                 periods,
                 period,
                 list_minor: list,
                 reductions,
                 net_minor: net,
                 vat_rate,
                 service_from: from,
                 service_until: until,
             }| {
                InvoiceLine {
                    description,
                    quantity,
                    periods,
                    period,
                    list: Money::new(list, currency),
                    reductions: reductions
                        .lines()
                        .filter_map(|l| {
                            let (label, minor) = l.rsplit_once('\t')?;
                            Some((label.to_owned(), Money::new(minor.parse().ok()?, currency)))
                        })
                        .collect(),
                    net: Money::new(net, currency),
                    vat_rate: Percent(vat_rate),
                    service: from.zip(until),
                }
            },
        )
        .collect();
    Ok(Some(invoice))
}

/// The invoice of an order (without its lines).
pub async fn invoice_of_order(
    tx: &mut Tx,
    organization_id: i64,
    order_id: i64,
) -> Result<Option<Invoice>, sqlx::Error> {
    let sql = format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices WHERE organization_id = $1 AND order_id = $2"
    );
    let row: Option<InvoiceRow> = fetch_optional!(tx, &sql, organization_id, order_id)?;
    Ok(row.and_then(invoice_of))
}

/// The organization's orders by id, for the invoices page: its own, and those it paid for its
/// customers as a partner.
pub async fn orders(tx: &mut Tx, organization_id: i64) -> Result<Vec<StoredOrder>, sqlx::Error> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE organization_id = $1 OR paid_by = $1 ORDER BY id"
    );
    let rows: Vec<OrderRow> = fetch_all!(tx, &sql, organization_id)?;
    Ok(crate::db::parsed("orders", rows, order))
}

// ---- Automatic renewal ----------------------------------------------------------------------

/// A product that renews itself, expiring before `until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoRenewing {
    pub product_id: i64,
    pub organization_id: i64,
    pub organization: String,
    pub kind: ProductKind,
    pub name: String,
    pub expires_at: i64,
    /// A domain under renewal warranty: renewed even when the balance is short.
    pub warranty: bool,
    /// The billing address chosen for its renewals (BIL-1); `None`: the default.
    pub billing_address_id: Option<i64>,
}

pub async fn auto_renewing(tx: &mut Tx, until: i64) -> Result<Vec<AutoRenewing>, sqlx::Error> {
    const SQL: &str = "SELECT p.id, p.organization_id, o.name AS organization, p.kind, p.name, \
        p.expires_at, COALESCE(p.warranty_until > p.expires_at, FALSE) AS warranty, \
        p.billing_address_id \
        FROM products p JOIN organizations o ON o.id = p.organization_id \
        WHERE (p.auto_renew OR p.warranty_until > p.expires_at) \
        AND p.stage IN ('active', 'expired') AND p.expires_at IS NOT NULL AND p.expires_at <= $1 \
        ORDER BY p.expires_at, p.id";
    row! {
        struct Row {
            id: i64,
            organization_id: i64,
            organization: String,
            kind: String,
            name: String,
            expires_at: i64,
            warranty: bool,
            billing_address_id: Option<i64>,
        }
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, until)?;
    Ok(crate::db::parsed(
        "products",
        rows,
        |Row {
             id: product_id,
             organization_id,
             organization,
             kind,
             name,
             expires_at,
             warranty,
             billing_address_id,
         }| {
            Some(AutoRenewing {
                product_id,
                organization_id,
                organization,
                kind: ProductKind::parse(&kind)?,
                name,
                expires_at,
                warranty,
                billing_address_id,
            })
        },
    ))
}

/// Marks a renewal step done for this expiry date; `false` when it was done before (by this
/// worker or another).
pub async fn mark_renewal_step(
    tx: &mut Tx,
    product_id: i64,
    expires_at: i64,
    step: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "INSERT INTO renewal_steps (product_id, expires_at, step, done_at) \
                       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    let done = affected!(tx, SQL, product_id, expires_at, step, at)?;
    Ok(done == 1)
}

/// Removes the lines of an organization's cart that renew a product (it left the organization,
/// PRD-8); how many.
pub async fn remove_product_lines(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
) -> Result<u64, sqlx::Error> {
    const SQL: &str = "DELETE FROM cart_lines WHERE organization_id = $1 AND product_id = $2";
    affected!(tx, SQL, organization_id, product_id)
}
