//! The billing-history export of a partner's customers (PAR-6): invoices, renewals or cashback
//! for a period (its first day included, its last excluded), of all customers or of the ticked
//! ones, as a CSV streamed in batches read by keyset — a year of history for hundreds of
//! customers never sits in memory (`scripts/bench` measures it).
//!
//! What a partner reads: the invoices it paid for its customers (its own documents, also after
//! the relationship ended), the customers' own invoices while it has full access paid by the
//! customer (the access that opens their billing to it), and the cashback credited to it.

use super::{store, History};
use crate::access::authentication::authorize_request;
use crate::error::{AppError, ErrorCode};
use crate::export::{Cell, Chunk};
use crate::money::{Currency, Money};
use crate::policy::{Action, Caller};
use crate::state::AppState;

/// Rows read per round trip.
pub const BATCH: i64 = 1000;
/// At most this many ticked customers in one export.
pub const TICKED_MAX: usize = 1000;

/// What the form asked for, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    pub history: History,
    /// Unix seconds, included.
    pub from: i64,
    /// Unix seconds, excluded.
    pub to: i64,
    /// `None`: every customer.
    pub customers: Option<Vec<i64>>,
}

impl Wanted {
    /// The form's fields as typed: the history (`invoices` when empty), the period's first day
    /// and the day after its last (`YYYY-MM-DD`; empty: from the start, up to now), the ticked
    /// customers' ids separated by commas (empty: all).
    pub fn parse(history: &str, from: &str, to: &str, customers: &str) -> Result<Wanted, AppError> {
        let history = match history.trim() {
            "" => History::Invoices,
            text => History::parse(text).ok_or_else(|| {
                AppError::validation("history", "Choose invoices, renewals or cashback.")
            })?,
        };
        let day = |field: &str, text: &str, none: i64| match text.trim() {
            "" => Ok(none),
            text => crate::format::parse_date(text)
                .ok_or_else(|| AppError::validation(field, "Enter a date like 2026-01-01.")),
        };
        let from = day("from", from, 0)?;
        let to = day("to", to, i64::MAX)?;
        if from >= to {
            return Err(AppError::validation(
                "to",
                "The period ends before it starts: the end day is not included, choose a later one.",
            ));
        }
        let customers = match customers.trim() {
            "" => None,
            text => {
                let ids = text
                    .split(',')
                    .map(|id| id.trim().parse::<i64>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        AppError::validation("customers", "Tick the customers to export again.")
                    })?;
                if ids.len() > TICKED_MAX {
                    return Err(AppError::validation(
                        "customers",
                        format!("Tick at most {TICKED_MAX} customers, or export all of them."),
                    ));
                }
                Some(ids)
            }
        };
        Ok(Wanted {
            history,
            from,
            to,
            customers,
        })
    }

    /// `steward-invoices-2026-01-01-2027-01-01.csv`.
    pub fn file_name(&self) -> String {
        let day = |at: i64, none: &str| {
            if at == 0 || at == i64::MAX {
                none.to_owned()
            } else {
                crate::format::iso_date(at)
            }
        };
        format!(
            "steward-{}-{}-{}.csv",
            self.history.as_str(),
            day(self.from, "start"),
            day(self.to, "now")
        )
    }

    fn keeps(&self, customer_id: i64) -> bool {
        self.customers
            .as_ref()
            .is_none_or(|ids| ids.contains(&customer_id))
    }
}

/// Where a batch starts: after this id (and, for renewals, this line of it).
type Cursor = (i64, i64);

/// The export as a stream of chunks, everything checked before the first byte: the caller (by
/// the session cookie or a credential in `headers`) may open `partner_id`'s Reseller area, it is
/// a partner, and each ticked customer is one of its customers (else not found).
pub async fn export(
    state: AppState,
    headers: &http::HeaderMap,
    origin: &crate::request::Origin,
    partner_id: i64,
    wanted: Wanted,
) -> Result<impl futures::Stream<Item = Result<String, std::io::Error>> + Send + 'static, AppError>
{
    authorize_request(
        &state,
        headers,
        origin,
        Caller::Reader,
        partner_id,
        Action::ViewCustomers,
    )
    .await?;
    let mut tx = state.db.read().await?;
    if !store::is_partner(&mut tx, partner_id).await? {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "This organization is not a partner: it has no customers to export.",
        ));
    }
    if let Some(ticked) = &wanted.customers {
        let customers = store::customer_ids(&mut tx, partner_id).await?;
        if ticked.iter().any(|id| !customers.contains(id)) {
            return Err(AppError::not_found("customer"));
        }
    }
    tx.commit().await?;
    let now = state.now();
    // (cursor, header sent, finished)
    let start = (None::<Cursor>, false);
    use futures::StreamExt as _;
    Ok(futures::stream::unfold(start, move |(cursor, done)| {
        let (state, wanted) = (state.clone(), wanted.clone());
        async move {
            if done {
                return None;
            }
            let Some(cursor) = cursor else {
                let header = Chunk::new().header(header(wanted.history)).finish();
                return Some((Ok(header), (Some((0, -1)), false)));
            };
            match batch(&state, partner_id, &wanted, cursor, now).await {
                Ok((text, next)) => Some((Ok(text), (next, next.is_none()))),
                Err(error) => {
                    tracing::error!(%error, "billing-history export failed midway");
                    Some((
                        Err(std::io::Error::other("the export failed midway")),
                        (Some(cursor), true),
                    ))
                }
            }
        }
    })
    // Fused: the compression layer may poll once more after the end.
    .fuse())
}

fn header(history: History) -> &'static [&'static str] {
    match history {
        History::Invoices => &[
            "customer",
            "customer_id",
            "invoice",
            "issued_utc",
            "status",
            "paid_by",
            "currency",
            "net",
            "vat",
            "total",
        ],
        History::Renewals => &[
            "customer",
            "customer_id",
            "invoice",
            "issued_utc",
            "product_kind",
            "product",
            "periods",
            "period",
            "status",
            "paid_by",
            "currency",
            "net",
        ],
        History::Cashback => &[
            "customer",
            "customer_id",
            "credited_utc",
            "invoice",
            "line",
            "currency",
            "public_price",
            "partner_price",
            "cashback",
        ],
    }
}

/// `12.50` in `currency` (an unknown currency, never written, as plain minor units).
fn amount(minor: i64, currency: &str) -> Cell<'static> {
    match Currency::parse(currency) {
        Some(c) => Cell::number(Money::new(minor, c).amount()),
        None => Cell::number(minor),
    }
}

fn status(stored: &str) -> Cell<'static> {
    Cell::text(
        crate::shop::OrderStatus::parse(stored).map_or(stored.to_owned(), |s| s.label().to_owned()),
    )
}

fn paid_by(paid_by: Option<i64>) -> Cell<'static> {
    Cell::text(if paid_by.is_some() {
        "partner"
    } else {
        "customer"
    })
}

fn invoice(currency: &str, number: Option<i64>) -> Cell<'static> {
    Cell::text(match (Currency::parse(currency), number) {
        (Some(currency), Some(number)) => crate::shop::invoice_number(currency, number),
        _ => String::new(),
    })
}

/// One batch after `cursor`: its text, and where the next starts (`None`: this was the last).
async fn batch(
    state: &AppState,
    partner_id: i64,
    wanted: &Wanted,
    cursor: Cursor,
    now: i64,
) -> Result<(String, Option<Cursor>), sqlx::Error> {
    let mut tx = state.db.read().await?;
    let mut chunk = Chunk::new();
    let (read, last) = match wanted.history {
        History::Invoices => {
            let rows = store::invoices_for_export(
                &mut tx,
                partner_id,
                wanted.from,
                wanted.to,
                now,
                cursor.0,
                BATCH,
            )
            .await?;
            for row in rows.iter().filter(|r| wanted.keeps(r.customer_id)) {
                chunk.row([
                    Cell::text(row.customer.clone().unwrap_or_default()),
                    Cell::number(row.customer_id),
                    invoice(&row.currency, Some(row.number)),
                    Cell::text(crate::format::iso_date(row.issued_at)),
                    status(&row.status),
                    paid_by(row.paid_by),
                    Cell::text(row.currency.clone()),
                    amount(row.net_minor, &row.currency),
                    amount(row.vat_minor, &row.currency),
                    amount(row.total_minor, &row.currency),
                ]);
            }
            (rows.len(), rows.last().map(|r| (r.id, 0)))
        }
        History::Renewals => {
            let rows = store::renewals_for_export(
                &mut tx,
                partner_id,
                wanted.from,
                wanted.to,
                now,
                cursor,
                BATCH,
            )
            .await?;
            for row in rows.iter().filter(|r| wanted.keeps(r.customer_id)) {
                chunk.row([
                    Cell::text(row.customer.clone().unwrap_or_default()),
                    Cell::number(row.customer_id),
                    invoice(&row.currency, Some(row.number)),
                    Cell::text(crate::format::iso_date(row.issued_at)),
                    Cell::text(row.kind.clone()),
                    Cell::text(row.name.clone()),
                    Cell::number(row.periods),
                    Cell::text(row.period.clone()),
                    status(&row.status),
                    paid_by(row.paid_by),
                    Cell::text(row.currency.clone()),
                    amount(row.net_minor, &row.currency),
                ]);
            }
            (rows.len(), rows.last().map(|r| (r.id, r.position)))
        }
        History::Cashback => {
            let rows = crate::shop::cashback::credited_for_export(
                &mut tx,
                partner_id,
                wanted.from,
                wanted.to,
                cursor.0,
                BATCH,
            )
            .await?;
            for row in rows.iter().filter(|r| wanted.keeps(r.customer_id)) {
                chunk.row([
                    Cell::text(row.customer.clone().unwrap_or_default()),
                    Cell::number(row.customer_id),
                    Cell::text(
                        row.credited_at
                            .map(crate::format::iso_date)
                            .unwrap_or_default(),
                    ),
                    invoice(&row.currency, row.invoice_number),
                    Cell::text(row.description.clone()),
                    Cell::text(row.currency.clone()),
                    amount(row.public_minor, &row.currency),
                    amount(row.partner_minor, &row.currency),
                    amount(row.amount_minor, &row.currency),
                ]);
            }
            (rows.len(), rows.last().map(|r| (r.id, 0)))
        }
    };
    tx.commit().await?;
    let next = if (read as i64) < BATCH { None } else { last };
    Ok((chunk.finish(), next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_its_first_day_up_to_its_last_excluded() {
        let wanted = Wanted::parse("cashback", "2026-01-01", "2027-01-01", "3, 4").expect("read");
        assert_eq!(wanted.history, History::Cashback);
        assert_eq!(Some(wanted.from), crate::format::parse_date("2026-01-01"));
        assert_eq!(Some(wanted.to), crate::format::parse_date("2027-01-01"));
        assert_eq!(wanted.customers, Some(vec![3, 4]));
        assert_eq!(
            wanted.file_name(),
            "steward-cashback-2026-01-01-2027-01-01.csv"
        );
        let all = Wanted::parse("", "", "", "").expect("read");
        assert_eq!(all.file_name(), "steward-invoices-start-now.csv");
        assert_eq!(
            (all.history, all.from, all.to, all.customers),
            (History::Invoices, 0, i64::MAX, None)
        );
        for (history, from, to, customers, field) in [
            ("bills", "", "", "", "history"),
            ("", "01.01.2026", "", "", "from"),
            ("", "2026-02-01", "2026-02-01", "", "to"),
            ("", "", "", "1,x", "customers"),
        ] {
            let error = Wanted::parse(history, from, to, customers).expect_err("refused");
            assert_eq!(error.field.as_deref(), Some(field));
        }
    }
}
