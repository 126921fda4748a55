//! The SQL of billing: the prepaid ledger and the row every debit locks; billing addresses.

use super::{
    AddressInput, BillingAddress, Notice, NotificationSettings, DEFAULT_EXPIRY_REMINDER_DAYS,
};
use crate::db::Tx;
use crate::db::{affected, exec, fetch_all, fetch_optional, row, scalar_one, scalar_optional};
use crate::money::{Currency, Money};

/// A ledger entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: i64,
    pub organization_id: i64,
    pub amount: Money,
    pub kind: String,
    pub reference: String,
    pub created_at: i64,
}

row! {
    struct EntryRow {
        id: i64,
        organization_id: i64,
        currency: String,
        amount_minor: i64,
        kind: String,
        reference: String,
        created_at: i64,
    }
}

fn entry(row: EntryRow) -> Option<StoredEntry> {
    Some(StoredEntry {
        id: row.id,
        organization_id: row.organization_id,
        amount: Money::new(row.amount_minor, Currency::parse(&row.currency)?),
        kind: row.kind,
        reference: row.reference,
        created_at: row.created_at,
    })
}

const COLUMNS: &str = "id, organization_id, currency, amount_minor, kind, reference, created_at";

/// Takes the account's lock for the rest of the transaction (creating its row the first time):
/// a second debit of the same account waits here until the first has committed.
pub async fn lock_account(
    tx: &mut Tx,
    organization_id: i64,
    currency: Currency,
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO prepaid_accounts (organization_id, currency, debited_at) \
                       VALUES ($1, $2, $3) \
                       ON CONFLICT (organization_id, currency) DO UPDATE SET debited_at = excluded.debited_at";
    exec!(tx, SQL, organization_id, currency.code(), at)
}

/// The sum of the account's entries.
pub async fn balance(
    tx: &mut Tx,
    organization_id: i64,
    currency: Currency,
) -> Result<Money, sqlx::Error> {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM ledger_entries \
                       WHERE organization_id = $1 AND currency = $2";
    let minor: i64 = scalar_one!(tx, SQL, organization_id, currency.code())?;
    Ok(Money::new(minor, currency))
}

/// The entry booked for this event, if any.
pub async fn by_key(tx: &mut Tx, key: &str) -> Result<Option<StoredEntry>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM ledger_entries WHERE idempotency_key = $1");
    let row: Option<EntryRow> = fetch_optional!(tx, &sql, key)?;
    Ok(row.and_then(entry))
}

pub struct NewEntry<'a> {
    pub organization_id: i64,
    pub amount: Money,
    pub kind: &'a str,
    pub key: &'a str,
    pub reference: &'a str,
    pub at: i64,
}

/// Books the entry; `None` when an entry with its key exists already (the event was booked).
pub async fn insert(tx: &mut Tx, new: &NewEntry<'_>) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "INSERT INTO ledger_entries \
                       (organization_id, currency, amount_minor, kind, idempotency_key, reference, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7) \
                       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
    scalar_optional!(
        tx,
        SQL,
        new.organization_id,
        new.amount.currency.code(),
        new.amount.minor,
        new.kind,
        new.key,
        new.reference,
        new.at
    )
}

/// The account's entries, newest first.
pub async fn entries(
    tx: &mut Tx,
    organization_id: i64,
    currency: Currency,
) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger_entries WHERE organization_id = $1 AND currency = $2 \
         ORDER BY id DESC"
    );
    let rows: Vec<EntryRow> = fetch_all!(tx, &sql, organization_id, currency.code())?;
    Ok(crate::db::parsed("ledger_entries", rows, entry))
}

const ADDRESS_COLUMNS: &str =
    "id, name, company, street, postal_code, city, country, vat_number, is_default, version";

/// The organization's billing addresses, the default first, then in the order they were added.
pub async fn addresses(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<BillingAddress>, sqlx::Error> {
    let sql = format!(
        "SELECT {ADDRESS_COLUMNS} FROM billing_addresses WHERE organization_id = $1 \
         ORDER BY is_default DESC, id"
    );
    fetch_all!(tx, &sql, organization_id)
}

/// One address of the organization; `None` when it has no such address.
pub async fn address_of(
    tx: &mut Tx,
    organization_id: i64,
    address_id: i64,
) -> Result<Option<BillingAddress>, sqlx::Error> {
    let sql = format!(
        "SELECT {ADDRESS_COLUMNS} FROM billing_addresses WHERE organization_id = $1 AND id = $2"
    );
    fetch_optional!(tx, &sql, organization_id, address_id)
}

pub async fn insert_address(
    tx: &mut Tx,
    organization_id: i64,
    input: &AddressInput,
    is_default: bool,
    at: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO billing_addresses \
        (organization_id, name, company, street, postal_code, city, country, vat_number, is_default, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        organization_id,
        &input.name,
        &input.company,
        &input.street,
        &input.postal_code,
        &input.city,
        &input.country,
        &input.vat_number,
        is_default,
        at
    )
}

/// Saves the address unless it is no longer at `version`: whether it was saved.
pub async fn update_address_if(
    tx: &mut Tx,
    organization_id: i64,
    address_id: i64,
    input: &AddressInput,
    version: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE billing_addresses SET name = $3, company = $4, street = $5, \
        postal_code = $6, city = $7, country = $8, vat_number = $9, version = version + 1 \
        WHERE organization_id = $1 AND id = $2 AND version = $10";
    let n = affected!(
        tx,
        SQL,
        organization_id,
        address_id,
        &input.name,
        &input.company,
        &input.street,
        &input.postal_code,
        &input.city,
        &input.country,
        &input.vat_number,
        version
    )?;
    Ok(n == 1)
}

/// Makes this address the organization's default (and no other).
pub async fn set_default_address(
    tx: &mut Tx,
    organization_id: i64,
    address_id: i64,
) -> Result<(), sqlx::Error> {
    const CLEAR: &str = "UPDATE billing_addresses SET is_default = FALSE \
                         WHERE organization_id = $1 AND is_default AND id <> $2";
    const SET: &str = "UPDATE billing_addresses SET is_default = TRUE \
                       WHERE organization_id = $1 AND id = $2";
    for sql in [CLEAR, SET] {
        exec!(tx, sql, organization_id, address_id)?;
    }
    Ok(())
}

pub async fn delete_address(
    tx: &mut Tx,
    organization_id: i64,
    address_id: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "DELETE FROM billing_addresses WHERE organization_id = $1 AND id = $2";
    exec!(tx, SQL, organization_id, address_id)
}

/// The organization's name; `None` when there is no such organization.
pub async fn organization_name(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "SELECT name FROM organizations WHERE id = $1";
    scalar_optional!(tx, SQL, organization_id)
}

/// The organization's billing emails and expiry reminders (the defaults when never set).
pub async fn notifications(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<NotificationSettings, sqlx::Error> {
    const SQL: &str =
        "SELECT invoice_issued, renewal_reminder, renewal_confirmation, expiry_reminder_days \
                       FROM billing_notifications WHERE organization_id = $1";
    #[derive(sqlx::FromRow)]
    struct Row {
        invoice_issued: bool,
        renewal_reminder: bool,
        renewal_confirmation: bool,
        expiry_reminder_days: String,
    }
    let row: Option<Row> = fetch_optional!(tx, SQL, organization_id)?;
    Ok(match row {
        Some(row) => NotificationSettings {
            invoice_issued: row.invoice_issued,
            renewal_reminder: row.renewal_reminder,
            renewal_confirmation: row.renewal_confirmation,
            expiry_reminder_days: (row.expiry_reminder_days.split(','))
                .filter_map(|d| d.parse().ok())
                .collect(),
        },
        None => NotificationSettings {
            invoice_issued: true,
            renewal_reminder: true,
            renewal_confirmation: true,
            expiry_reminder_days: DEFAULT_EXPIRY_REMINDER_DAYS.to_vec(),
        },
    })
}

/// Turns one billing email on or off, creating the organization's row with the defaults first.
pub async fn set_notice(
    tx: &mut Tx,
    organization_id: i64,
    notice: Notice,
    on: bool,
    at: i64,
) -> Result<(), sqlx::Error> {
    // The column comes from `Notice::as_str`, never from the request.
    let column = notice.as_str();
    let sql = format!(
        "INSERT INTO billing_notifications (organization_id, {column}, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (organization_id) DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at"
    );
    exec!(tx, &sql, organization_id, on, at)
}

pub async fn set_expiry_reminder_days(
    tx: &mut Tx,
    organization_id: i64,
    days: &[i64],
    at: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO billing_notifications (organization_id, expiry_reminder_days, updated_at) \
                       VALUES ($1, $2, $3) \
                       ON CONFLICT (organization_id) DO UPDATE SET expiry_reminder_days = excluded.expiry_reminder_days, \
                       updated_at = excluded.updated_at";
    let text = days
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    exec!(tx, SQL, organization_id, &text, at)
}

/// Takes the job's lease until `until` if nobody holds it (or theirs ran out): whether this
/// worker may run it now.
pub async fn claim_job(
    tx: &mut Tx,
    job: &str,
    worker: &str,
    now: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    const INSERT: &str =
        "INSERT INTO scheduled_jobs (job) VALUES ($1) ON CONFLICT (job) DO NOTHING";
    const CLAIM: &str = "UPDATE scheduled_jobs SET lease_until = $2, holder = $3 \
                         WHERE job = $1 AND lease_until <= $4";
    exec!(tx, INSERT, job)?;
    let n = affected!(tx, CLAIM, job, until, worker, now)?;
    Ok(n == 1)
}

/// Gives the lease back after a run.
pub async fn release_job(
    tx: &mut Tx,
    job: &str,
    worker: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE scheduled_jobs SET lease_until = 0, last_run_at = $3 \
                       WHERE job = $1 AND holder = $2";
    exec!(tx, SQL, job, worker, now)
}

/// A product that expires soon, with what its reminder needs.
#[derive(sqlx::FromRow)]
pub struct Expiring {
    pub product_id: i64,
    pub organization_id: i64,
    pub product: String,
    pub kind: String,
    pub organization: String,
    pub expires_at: i64,
    /// The organization's reminder days as stored; `None`: the defaults.
    pub reminder_days: Option<String>,
}

/// Active products expiring after `now` and by `until`.
pub async fn expiring(tx: &mut Tx, now: i64, until: i64) -> Result<Vec<Expiring>, sqlx::Error> {
    const SQL: &str = "SELECT p.id AS product_id, p.organization_id, p.name AS product, p.kind, \
          o.name AS organization, p.expires_at, n.expiry_reminder_days AS reminder_days \
        FROM products p JOIN organizations o ON o.id = p.organization_id \
        LEFT JOIN billing_notifications n ON n.organization_id = p.organization_id \
        WHERE p.expires_at > $1 AND p.expires_at <= $2 ORDER BY p.expires_at, p.id";
    fetch_all!(tx, SQL, now, until)
}

/// Notes a reminder as sent; `false` when it was already (by this or another worker).
pub async fn mark_reminder(
    tx: &mut Tx,
    product_id: i64,
    expires_at: i64,
    days_before: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO expiry_reminders_sent (product_id, expires_at, days_before, sent_at) \
                       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    let n = affected!(tx, SQL, product_id, expires_at, days_before, at)?;
    Ok(n == 1)
}

/// Who hears about the organization's billing: its legal representatives, administrators and
/// collaborators with billing rights on one of its products, unless blocked. `(email, first name)`.
pub async fn billing_recipients(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    const SQL: &str = "SELECT u.email, u.first_name FROM memberships m JOIN users u ON u.id = m.user_id \
        WHERE m.organization_id = $1 AND m.blocked_at IS NULL AND \
        (m.role IN ('legal_representative', 'administrator') OR (m.role = 'collaborator' AND EXISTS \
          (SELECT 1 FROM product_access a JOIN products p ON p.id = a.product_id \
           WHERE a.user_id = m.user_id AND a.billing AND p.organization_id = m.organization_id))) \
        ORDER BY u.id";
    fetch_all!(tx, SQL, organization_id)
}

/// The organization's legal representatives and administrators who are not blocked: email,
/// first name and id, for messages about money leaving the organization.
pub async fn owners(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    const SQL: &str =
        "SELECT u.email, u.first_name, u.id FROM memberships m JOIN users u ON u.id = m.user_id \
        WHERE m.organization_id = $1 AND m.blocked_at IS NULL \
        AND m.role IN ('legal_representative', 'administrator') ORDER BY u.id";
    fetch_all!(tx, SQL, organization_id)
}

// ---- Withdrawals ----------------------------------------------------------------------------

pub struct NewWithdrawal<'a> {
    pub organization_id: i64,
    pub amount: Money,
    pub method: &'a str,
    pub destination: &'a str,
    pub holder: &'a str,
    pub requested_by: i64,
    pub at: i64,
}

pub async fn insert_withdrawal(tx: &mut Tx, new: &NewWithdrawal<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO withdrawals \
        (organization_id, currency, amount_minor, method, destination, holder, status, requested_by, requested_at) \
        VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        new.organization_id,
        new.amount.currency.code(),
        new.amount.minor,
        new.method,
        new.destination,
        new.holder,
        new.requested_by,
        new.at
    )
}

row! {
    struct WithdrawalRow {
        id: i64,
        organization_id: i64,
        currency: String,
        amount_minor: i64,
        method: String,
        destination: String,
        holder: String,
        status: String,
        requested_at: i64,
        settled_at: Option<i64>,
        note: String,
    }
}

const WITHDRAWAL_COLUMNS: &str =
    "id, organization_id, currency, amount_minor, method, destination, \
    holder, status, requested_at, settled_at, note";

fn withdrawal_of(
    WithdrawalRow {
        id,
        organization_id,
        currency,
        amount_minor: minor,
        method,
        destination,
        holder,
        status,
        requested_at,
        settled_at,
        note,
    }: WithdrawalRow,
) -> Option<(i64, super::Withdrawal)> {
    let method = super::WithdrawalMethod::parse(&method)?;
    Some((
        organization_id,
        super::Withdrawal {
            id,
            requested_at,
            amount: Money::new(minor, Currency::parse(&currency)?),
            method,
            destination: method.shown(&destination),
            holder,
            status: super::WithdrawalStatus::parse(&status)?,
            settled_at,
            note,
        },
    ))
}

/// The organization's withdrawals, newest first.
pub async fn withdrawals(
    tx: &mut Tx,
    organization_id: i64,
) -> Result<Vec<super::Withdrawal>, sqlx::Error> {
    let sql = format!(
        "SELECT {WITHDRAWAL_COLUMNS} FROM withdrawals WHERE organization_id = $1 ORDER BY id DESC"
    );
    let rows: Vec<WithdrawalRow> = fetch_all!(tx, &sql, organization_id)?;
    Ok(crate::db::parsed("withdrawals", rows, withdrawal_of)
        .into_iter()
        .map(|(_, w)| w)
        .collect())
}

/// Every withdrawal still waiting for the operator, oldest first, with its organization.
pub async fn pending_withdrawals(
    tx: &mut Tx,
) -> Result<Vec<(i64, super::Withdrawal)>, sqlx::Error> {
    let sql = format!(
        "SELECT {WITHDRAWAL_COLUMNS} FROM withdrawals WHERE status = 'requested' ORDER BY id"
    );
    let rows: Vec<WithdrawalRow> = fetch_all!(tx, &sql)?;
    Ok(crate::db::parsed("withdrawals", rows, withdrawal_of))
}

/// A withdrawal by its id, with its organization.
pub async fn withdrawal(
    tx: &mut Tx,
    withdrawal_id: i64,
) -> Result<Option<(i64, super::Withdrawal)>, sqlx::Error> {
    let sql = format!("SELECT {WITHDRAWAL_COLUMNS} FROM withdrawals WHERE id = $1");
    let row: Option<WithdrawalRow> = fetch_optional!(tx, &sql, withdrawal_id)?;
    Ok(row.and_then(withdrawal_of))
}

/// Settles a requested withdrawal; `false` when it was settled meanwhile.
pub async fn settle_withdrawal(
    tx: &mut Tx,
    withdrawal_id: i64,
    outcome: super::WithdrawalStatus,
    note: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE withdrawals SET status = $2, note = $3, settled_at = $4 \
                       WHERE id = $1 AND status = 'requested'";
    let done = affected!(tx, SQL, withdrawal_id, outcome.as_str(), note, at)?;
    Ok(done == 1)
}
