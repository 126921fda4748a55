//! What sign-in does around the password and code checks: refuse throttled addresses, count
//! failures (locking the account at the person's threshold and mailing them an unlock link),
//! reset the count on success, and send the alerts they asked for. Everything is written in the
//! sign-in's own transaction, emails included (through the outbox).

use super::store::{self, FailureCount, LinkPurpose, NewLink};
use super::{NOT_ME_LINK_SECONDS, UNLOCK_LINK_SECONDS};
use crate::account::{session, store as accounts, Account};
use crate::db::Tx;
use crate::error::{AppError, ErrorCode};
use crate::format;
use crate::mail::{self, Email};
use crate::request::Origin;
use crate::state::AppState;

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
    let account = accounts::account(tx, user_id).await?;
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
            let body = format!(
                "Hello {name},\n\nA sign-in to your Steward account failed ({what}).\n\n{context}\n\nIf this was you, there is nothing to do. If it wasn't, someone may be trying to guess your password: secure your account here (the link works once, for 7 days):\n{base}/not-me?token={link}\n{signature}",
                name = account.first_name,
                context = mail::when_and_where(now, &origin),
                base = state.settings.public_url,
                signature = mail::signature(),
            );
            enqueue(
                tx,
                &account,
                "Failed sign-in to your Steward account",
                body,
                now,
            )
            .await?;
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
    let wants_alert = store::settings(tx, account.id)
        .await?
        .is_some_and(|s| s.alert_on_sign_in);
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
        let body = format!(
            "Hello {name},\n\nYour Steward account was just signed in to.\n\n{context}\nMethod: {method}\n\nIf this was you, there is nothing to do.\nIf this wasn't you, end that session and secure your account here (the link works once, for 7 days):\n{base}/not-me?token={link}\n{signature}",
            name = account.first_name,
            context = mail::when_and_where(now, &origin),
            base = state.settings.public_url,
            signature = mail::signature(),
        );
        enqueue(
            tx,
            account,
            "New sign-in to your Steward account",
            body,
            now,
        )
        .await?;
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
    let body = format!(
        "Hello {name},\n\nAfter too many failed sign-ins in a row, your Steward account has been locked to protect it. The last attempt came from {ip} ({device}) at {time}.\n\nTo unlock it, open this link within one hour (it works once):\n{base}/unlock?token={link}\n\nAn administrator or legal representative of one of your organizations can also unlock your account.\nIf these attempts were not yours, change your password once you are back in and consider turning on two-factor authentication.\n{signature}",
        name = account.first_name,
        ip = origin.ip,
        device = format::device(&origin.user_agent),
        time = format::datetime(now),
        base = state.settings.public_url,
        signature = mail::signature(),
    );
    enqueue(
        tx,
        account,
        "Your Steward account has been locked",
        body,
        now,
    )
    .await
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
    let (token, token_hash) = session::new_token();
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

async fn enqueue(
    tx: &mut Tx,
    account: &Account,
    subject: &str,
    body: String,
    now: i64,
) -> Result<(), AppError> {
    let email = Email::new(&account.email, subject, body)?;
    mail::store::enqueue(tx, &email, now).await?;
    Ok(())
}
