//! What sign-in does around the password and code checks: refuse throttled addresses, count
//! failures (locking the account at the person's threshold and mailing them an unlock link),
//! reset the count on success, and send the alerts they asked for. Everything is written in the
//! sign-in's own transaction, emails included (through the outbox).

use super::store::{self, FailureCount, LinkPurpose, NewLink};

use crate::access::Account;
use crate::db::Tx;
use crate::error::{AppError, ErrorCode};
use crate::mail::{self, Email};
use crate::request::Origin;
use crate::state::AppState;
use crate::tokens;

pub fn locked() -> AppError {
    AppError::new(
        ErrorCode::AccountLocked,
        "This account is locked after too many failed sign-ins. We have sent an unlock link to its email address; an administrator of one of its organizations can also unlock it.",
    )
}

/// Refuses at once, before any password is hashed, when this address has failed too often.
pub async fn ensure_address_allowed(state: &AppState, origin: &Origin) -> Result<(), AppError> {
    let settings = &state.settings;
    let mut tx = state.db.read().await?;
    let wait = store::address_throttled(
        &mut tx,
        &origin.ip,
        state.now(),
        settings.address_failure_window_seconds,
        settings.address_failure_limit,
    )
    .await?;
    tx.commit().await?;
    match wait {
        None => Ok(()),
        Some(seconds) => Err(AppError::new(
            ErrorCode::RateLimited,
            format!(
                "Too many failed sign-ins from your network. Try again in {} minute{}.",
                (seconds + 59) / 60,
                if seconds > 60 { "s" } else { "" }
            ),
        )),
    }
}

/// Counts one attempt against the address's window (a failed sign-in, a wrong sign-up code, a
/// password reset request): beyond the limit, [`ensure_address_allowed`] refuses it.
pub async fn count_address_attempt(
    state: &AppState,
    tx: &mut Tx,
    origin: &Origin,
    now: i64,
) -> Result<(), AppError> {
    store::count_address_failure(
        tx,
        &origin.ip,
        now,
        state.settings.address_failure_window_seconds,
    )
    .await?;
    Ok(())
}

/// Counts a failed sign-in (wrong password, or wrong second-factor code when `user_id` is known)
/// against the address and the account. Returns the account's count when there is one.
pub async fn count_failure(
    state: &AppState,
    tx: &mut Tx,
    user_id: Option<i64>,
    what: &str,
    origin: &Origin,
    now: i64,
) -> Result<Option<FailureCount>, AppError> {
    store::count_address_failure(
        tx,
        &origin.ip,
        now,
        state.settings.address_failure_window_seconds,
    )
    .await?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let Some(count) = store::count_failure(tx, user_id, now).await? else {
        return Ok(None);
    };
    let account = crate::access::store::account(tx, user_id).await?;
    if let Some(account) = account {
        if count.just_locked {
            send_unlock_link(state, tx, &account, origin, now).await?;
        } else if count.alert_on_failed_sign_in && count.locked_at.is_none() {
            let link = new_link(
                tx,
                user_id,
                LinkPurpose::NotMe,
                None,
                now,
                NOT_ME_LINK_SECONDS,
            )
            .await?;
            let email = mail::messages::failed_sign_in(
                &occurrence(state, &account, now, origin),
                what,
                &link,
            )?;
            enqueue(tx, email, now).await?;
        }
    }
    Ok(Some(count))
}

/// After a complete sign-in: the failure count starts again, and the alert goes out if wanted.
pub async fn on_success(
    state: &AppState,
    tx: &mut Tx,
    account: &Account,
    session_id: i64,
    method: &str,
    origin: &Origin,
    now: i64,
) -> Result<(), AppError> {
    store::reset_failures(tx, account.id).await?;
    let wants_alert = store::alert_on_sign_in(tx, account.id).await?;
    if wants_alert {
        let link = new_link(
            tx,
            account.id,
            LinkPurpose::NotMe,
            Some(session_id),
            now,
            NOT_ME_LINK_SECONDS,
        )
        .await?;
        let email =
            mail::messages::new_sign_in(&occurrence(state, account, now, origin), method, &link)?;
        enqueue(tx, email, now).await?;
    }
    Ok(())
}

async fn send_unlock_link(
    state: &AppState,
    tx: &mut Tx,
    account: &Account,
    origin: &Origin,
    now: i64,
) -> Result<(), AppError> {
    let link = new_link(
        tx,
        account.id,
        LinkPurpose::Unlock,
        None,
        now,
        UNLOCK_LINK_SECONDS,
    )
    .await?;
    let email = mail::messages::account_locked(&occurrence(state, account, now, origin), &link)?;
    enqueue(tx, email, now).await
}

/// A new single-use link token; only its hash is stored.
async fn new_link(
    tx: &mut Tx,
    user_id: i64,
    purpose: LinkPurpose,
    session_id: Option<i64>,
    now: i64,
    lifetime: i64,
) -> Result<String, AppError> {
    let (token, token_hash) = tokens::new_token();
    store::insert_link(
        tx,
        &NewLink {
            token_hash: &token_hash,
            user_id,
            purpose,
            session_id,
            at: now,
            expires_at: now + lifetime,
        },
    )
    .await?;
    Ok(token)
}

/// What a security message about `account` says of when and where.
fn occurrence<'a>(
    state: &'a AppState,
    account: &'a Account,
    now: i64,
    origin: &'a Origin,
) -> mail::messages::Occurrence<'a> {
    mail::messages::Occurrence {
        to: &account.email,
        first_name: &account.first_name,
        base: &state.settings.public_url,
        now,
        origin,
    }
}

async fn enqueue(tx: &mut Tx, email: Email, now: i64) -> Result<(), AppError> {
    mail::store::enqueue(tx, &email, now).await?;
    Ok(())
}

/// An unlock link works once, within an hour.
pub const UNLOCK_LINK_SECONDS: i64 = 3600;

/// A "this wasn't me" link in an alert works once, within a week.
pub const NOT_ME_LINK_SECONDS: i64 = 7 * 24 * 3600;
