//! SQL for the activity log.

use super::{ActivityAction, ActivityEntry, ActivityPage, ActivityQuery, PAGE_SIZE};
use crate::db::on_db;
use crate::db::Tx;
use crate::db::{affected, fetch_all};
use crate::request::Origin;

/// What a new entry says. Written with [`record`] inside the transaction of the change.
#[derive(Clone, Copy)]
pub struct NewEntry<'a> {
    pub action: ActivityAction,
    pub actor_user_id: Option<i64>,
    pub organization_id: Option<i64>,
    /// The product the entry is about, when it is about exactly one (SEC-9's product filter).
    pub product_id: Option<i64>,
    pub detail: &'a str,
    pub origin: &'a Origin,
    pub at: i64,
}

/// Writes the entry. In a transaction of one of a partner's people inside a customer (PAR-3,
/// `Tx::acting_for`), an entry in that customer's log names the partner beside the person, and
/// the partner's own log gets it too ("for Lakeside Bakery: …") — on every path that writes
/// the log, whichever helper it goes through.
pub async fn record(tx: &mut Tx, entry: NewEntry<'_>) -> Result<(), sqlx::Error> {
    let acting = tx
        .acting_for()
        .filter(|a| entry.organization_id == Some(a.customer_id));
    let Some(acting) = acting else {
        return insert(tx, entry, None).await;
    };
    insert(tx, entry, Some(acting.partner_id)).await?;
    let detail = format!("for {}: {}", acting.customer, entry.detail);
    let copy = NewEntry {
        organization_id: Some(acting.partner_id),
        product_id: None,
        detail: &detail,
        ..entry
    };
    insert(tx, copy, None).await
}

async fn insert(
    tx: &mut Tx,
    entry: NewEntry<'_>,
    for_organization: Option<i64>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO activity_log (occurred_at, actor_user_id, organization_id, product_id, action, detail, ip, user_agent, for_organization_id) \
                       VALUES ($1, $2, $3, $8, $4, $5, $6, $7, $9)";
    affected!(
        tx,
        SQL,
        entry.at,
        entry.actor_user_id,
        entry.organization_id,
        entry.action.as_str(),
        entry.detail,
        &entry.origin.ip,
        &entry.origin.user_agent,
        entry.product_id,
        for_organization
    )?;
    Ok(())
}

/// An entry by `actor` in an organization (about no single product), in the caller's
/// transaction.
pub async fn record_in(
    tx: &mut Tx,
    action: ActivityAction,
    actor: i64,
    organization_id: i64,
    detail: &str,
    origin: &Origin,
    at: i64,
) -> Result<(), sqlx::Error> {
    record(
        tx,
        NewEntry {
            action,
            actor_user_id: Some(actor),
            organization_id: Some(organization_id),
            product_id: None,
            detail,
            origin,
            at,
        },
    )
    .await
}

/// An entry about the actor's own account (no organization), in the caller's transaction.
pub async fn record_own(
    tx: &mut Tx,
    action: ActivityAction,
    user_id: i64,
    detail: &str,
    origin: &Origin,
    at: i64,
) -> Result<(), sqlx::Error> {
    record(
        tx,
        NewEntry {
            action,
            actor_user_id: Some(user_id),
            organization_id: None,
            product_id: None,
            detail,
            origin,
            at,
        },
    )
    .await
}

/// An entry as the activity pages read it.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    occurred_at: i64,
    action: String,
    organization_name: Option<String>,
    detail: String,
    ip: String,
    user_agent: String,
    actor: Option<String>,
    product_name: Option<String>,
}

/// Whose entries: mine (across my organizations), or one organization's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Actor(i64),
    Organization(i64),
}

/// Entries of the scope that pass the filter, newest first, strictly older than `before`;
/// at most `limit`. Keyset paging on the id, so every page costs the same at any depth.
pub async fn search(
    tx: &mut Tx,
    scope: Scope,
    query: &ActivityQuery,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ActivityEntry>, sqlx::Error> {
    enum Value {
        Int(i64),
        Text(String),
    }
    let mut values = Vec::new();
    let mut conditions = Vec::new();
    let mut condition = |sql: &str, value: Value| {
        values.push(value);
        conditions.push(sql.replace('?', &format!("${}", values.len())));
    };
    match scope {
        Scope::Actor(id) => condition("a.actor_user_id = ?", Value::Int(id)),
        Scope::Organization(id) => condition("a.organization_id = ?", Value::Int(id)),
    }
    condition("a.id < ?", Value::Int(before.unwrap_or(i64::MAX)));
    if let Some(from) = query.from {
        condition("a.occurred_at >= ?", Value::Int(from));
    }
    if let Some(until) = query.until {
        condition("a.occurred_at < ?", Value::Int(until));
    }
    if let Some(action) = query.action {
        condition("a.action = ?", Value::Text(action.as_str().to_owned()));
    }
    if let Some(product) = query.product {
        condition("a.product_id = ?", Value::Int(product));
    }
    if let Some(pattern) = &query.search {
        condition(
            "(lower(a.detail) LIKE ? ESCAPE '\\' OR a.ip LIKE ? ESCAPE '\\')",
            Value::Text(pattern.clone()),
        );
    }
    values.push(Value::Int(limit));
    let sql = format!(
        "SELECT a.id, a.occurred_at, a.action, o.name AS organization_name, a.detail, a.ip, \
           a.user_agent, \
           u.first_name || ' ' || u.last_name || COALESCE(' (for ' || f.name || ')', '') AS actor, \
           p.name AS product_name \
         FROM activity_log a \
           LEFT JOIN organizations o ON o.id = a.organization_id \
           LEFT JOIN users u ON u.id = a.actor_user_id \
           LEFT JOIN organizations f ON f.id = a.for_organization_id \
           LEFT JOIN products p ON p.id = a.product_id \
         WHERE {} ORDER BY a.id DESC LIMIT ${}",
        conditions.join(" AND "),
        values.len()
    );
    let rows: Vec<Row> = on_db!(tx, |c| {
        let mut q = sqlx::query_as(&sql);
        for value in &values {
            q = match value {
                Value::Int(v) => q.bind(*v),
                Value::Text(v) => q.bind(v.as_str()),
            };
        }
        q.fetch_all(&mut **c).await
    })?;
    Ok(rows.into_iter().map(entry).collect())
}

/// A page for the activity pages: [`PAGE_SIZE`] entries and the cursor of the next.
pub async fn page(
    tx: &mut Tx,
    scope: Scope,
    query: &ActivityQuery,
    before: Option<i64>,
) -> Result<ActivityPage, sqlx::Error> {
    let mut entries = search(tx, scope, query, before, PAGE_SIZE + 1).await?;
    let more = entries.len() as i64 > PAGE_SIZE;
    entries.truncate(PAGE_SIZE as usize);
    let older = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(ActivityPage { entries, older })
}

fn entry(
    Row {
        id,
        occurred_at,
        action: action_code,
        organization_name,
        detail,
        ip,
        user_agent,
        actor,
        product_name,
    }: Row,
) -> ActivityEntry {
    ActivityEntry {
        id,
        occurred_at,
        action: ActivityAction::parse(&action_code),
        action_code,
        organization_name,
        actor,
        product_name,
        detail,
        ip,
        user_agent,
    }
}

/// The person's sign-in attempts (successes and failures, password or second factor), newest
/// first: the connection log is a view of the activity log, not a second record.
pub async fn connections_of(
    tx: &mut Tx,
    user_id: i64,
    before: Option<i64>,
) -> Result<crate::activity::ConnectionPage, sqlx::Error> {
    use crate::activity::Connection;
    use crate::activity::ConnectionPage;
    const SQL: &str = "SELECT id, occurred_at, action, detail, ip, user_agent FROM activity_log \
                       WHERE actor_user_id = $1 AND id < $2 \
                         AND action IN ('sign_in_succeeded', 'sign_in_failed', 'second_factor_failed') \
                       ORDER BY id DESC LIMIT $3";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        occurred_at: i64,
        action: String,
        detail: String,
        ip: String,
        user_agent: String,
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, user_id, before.unwrap_or(i64::MAX), PAGE_SIZE + 1)?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let entries: Vec<Connection> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(
            |Row {
                 id,
                 occurred_at,
                 action,
                 detail,
                 ip,
                 user_agent,
             }| Connection {
                id,
                occurred_at,
                succeeded: action == ActivityAction::SignInSucceeded.as_str(),
                method: if detail.is_empty() {
                    "password".to_owned()
                } else {
                    detail
                },
                ip,
                device: crate::format::device(&user_agent),
            },
        )
        .collect();
    let older = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(ConnectionPage { entries, older })
}
