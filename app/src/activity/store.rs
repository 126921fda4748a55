//! SQL for the activity log.

use super::{ActivityAction, ActivityEntry, ActivityPage, PAGE_SIZE};
use crate::db::Tx;
use crate::on_db;
use crate::request::Origin;

/// What a new entry says. Written with [`record`] inside the transaction of the change.
pub struct NewEntry<'a> {
    pub action: ActivityAction,
    pub actor_user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub detail: &'a str,
    pub origin: &'a Origin,
    pub at: i64,
}

pub async fn record(tx: &mut Tx, entry: NewEntry<'_>) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO activity_log (occurred_at, actor_user_id, organization_id, action, detail, ip, user_agent) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_db!(tx, |c| sqlx::query(SQL)
        .bind(entry.at)
        .bind(entry.actor_user_id)
        .bind(entry.organization_id)
        .bind(entry.action.as_str())
        .bind(entry.detail)
        .bind(&entry.origin.ip)
        .bind(&entry.origin.user_agent)
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
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
            detail,
            origin,
            at,
        },
    )
    .await
}

type Row = (i64, i64, String, Option<String>, String, String, String);

/// The actor's own entries, newest first, strictly older than `before` when given.
pub async fn for_actor(
    tx: &mut Tx,
    actor_user_id: i64,
    before: Option<i64>,
) -> Result<ActivityPage, sqlx::Error> {
    const SQL: &str = "SELECT a.id, a.occurred_at, a.action, o.name, a.detail, a.ip, a.user_agent \
                       FROM activity_log a LEFT JOIN organizations o ON o.id = a.organization_id \
                       WHERE a.actor_user_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3";
    let before = before.unwrap_or(i64::MAX);
    let rows: Vec<Row> = on_db!(tx, |c| sqlx::query_as(SQL)
        .bind(actor_user_id)
        .bind(before)
        .bind(PAGE_SIZE + 1)
        .fetch_all(&mut **c)
        .await)?;
    Ok(page(rows))
}

fn page(mut rows: Vec<Row>) -> ActivityPage {
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let entries: Vec<ActivityEntry> = rows
        .into_iter()
        .map(
            |(id, occurred_at, action_code, organization_name, detail, ip, user_agent)| {
                ActivityEntry {
                    id,
                    occurred_at,
                    action: ActivityAction::parse(&action_code),
                    action_code,
                    organization_name,
                    detail,
                    ip,
                    user_agent,
                }
            },
        )
        .collect();
    let older = if more {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    ActivityPage { entries, older }
}

/// The person's sign-in attempts (successes and failures, password or second factor), newest
/// first: the connection log is a view of the activity log, not a second record.
pub async fn connections_of(
    tx: &mut Tx,
    user_id: i64,
    before: Option<i64>,
) -> Result<crate::sessions::ConnectionPage, sqlx::Error> {
    use crate::sessions::{Connection, ConnectionPage};
    const SQL: &str = "SELECT id, occurred_at, action, detail, ip, user_agent FROM activity_log \
                       WHERE actor_user_id = $1 AND id < $2 \
                         AND action IN ('sign_in_succeeded', 'sign_in_failed', 'second_factor_failed') \
                       ORDER BY id DESC LIMIT $3";
    let rows: Vec<(i64, i64, String, String, String, String)> =
        on_db!(tx, |c| sqlx::query_as(SQL)
            .bind(user_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(PAGE_SIZE + 1)
            .fetch_all(&mut **c)
            .await)?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let entries: Vec<Connection> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(
            |(id, occurred_at, action, detail, ip, user_agent)| Connection {
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
