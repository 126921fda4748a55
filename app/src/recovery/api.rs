//! Server functions of "Forgot your password?".

use super::ResetOptions;
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// Whether this server can send the link by SMS.
#[server(endpoint = "password_reset_options")]
pub async fn password_reset_options() -> Result<ResetOptions, AppError> {
    PasswordResetOptions::serve(|cx| async move { ssr::options(&cx) }).await
}

/// Sends a reset link for the account of `email` (its login or its recovery email), by email or
/// (`channel` = "sms") to its recovery phone. The same answer whatever the address.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(
    email: String,
    channel: Option<String>,
) -> Result<(), AppError> {
    RequestPasswordReset::serve(|cx| async move {
        let requested: Channel = super::Channel::chosen(&channel.unwrap_or_default());
        let email = normalize_email(&email)?;
        // Each request counts in the address's window, like a failed sign-in: one address
        // cannot make Steward send links without end.
        crate::access::lockout::ensure_address_allowed(&cx.state, &cx.origin).await?;
        let mut texts = Vec::new();
        let mut tx = cx.write().await?;
        crate::access::lockout::count_address_attempt(&cx.state, &mut tx, &cx.origin, cx.now())
            .await?;
        // The login email first; otherwise the accounts that gave it as their recovery email.
        let (targets, to_recovery) =
            match crate::access::store::credentials(&mut tx, &email).await? {
                Some((id, _)) => (vec![id], false),
                None => (store::by_recovery_email(&mut tx, &email).await?, true),
            };
        for user_id in targets {
            let channel = requested;
            let Some(account) = crate::access::store::account(&mut tx, user_id).await? else {
                continue;
            };
            if store::sent_since(&mut tx, user_id, cx.now() - 3600).await? >= RESETS_PER_HOUR {
                continue;
            }
            let to = if to_recovery {
                email.clone()
            } else {
                account.email.clone()
            };
            // An organization of the person forbids reset by SMS (SEC-12): as the seed says,
            // the recovery email is used instead of the phone (the login email when they gave
            // none), and the log says why.
            let (channel, to) = match channel {
                Channel::Sms
                    if cx.state.sms.is_some()
                        && store::sms_forbidden(&mut tx, user_id).await? =>
                {
                    let (recovery, _) = accounts::recovery_contacts(&mut tx, user_id).await?;
                    let to = recovery
                        .filter(|e| !e.is_empty())
                        .unwrap_or_else(|| account.email.clone());
                    (Channel::Email, to)
                }
                channel => (channel, to),
            };
            let detail = if channel == requested {
                channel.as_str().to_owned()
            } else {
                format!(
                    "{} (SMS forbidden by an organization: sent to the recovery email)",
                    channel.as_str()
                )
            };
            match channel {
                Channel::Email => {
                    let token = new_link(&mut tx, user_id, channel, cx.now()).await?;
                    let message =
                        reset_email(&cx.state, &account, &to, &token, &cx.origin, cx.now())?;
                    mail::store::enqueue(&mut tx, &message, cx.now()).await?;
                }
                Channel::Sms => {
                    if cx.state.sms.is_none() {
                        continue;
                    }
                    let (_, phone) = accounts::recovery_contacts(&mut tx, user_id).await?;
                    let Some(phone) = phone else {
                        continue;
                    };
                    let token = new_link(&mut tx, user_id, channel, cx.now()).await?;
                    texts.push((
                        phone,
                        format!(
                            "Steward: to choose a new password, open {}/reset-password?token={token} within 30 minutes. If you did not ask, ignore this message.",
                            cx.state.settings.public_url
                        ),
                    ));
                }
            }
            cx.log(
                &mut tx,
                Log::own(ActivityAction::PasswordResetRequested, &detail).by(user_id),
            )
            .await?;
        }
        tx.commit().await?;
        // Text messages leave once the links exist; a failed one leaves an unused link that
        // expires by itself.
        if let Some(sms) = &cx.state.sms {
            for (to, text) in texts {
                if let Err(error) = sms.send(&to, &text).await {
                    tracing::warn!(%error, "a password reset text message was not sent");
                }
            }
        }
        Ok(())
    })
    .await
}

/// Sets a new password with a reset link; every session of the account ends.
#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    ResetPassword::serve(|cx| async move {
        let new: String = new_password;
        let confirm: String = confirm_password;
        if new != confirm {
            return Err(AppError::validation(
                "confirm_password",
                "The two new passwords are not the same.",
            ));
        }
        if token.is_empty() || token.len() > 100 {
            return Err(link_gone());
        }
        let token_hash = tokens::hash_token(&token);
        let mut tx = cx.read().await?;
        let user_id = store::live(&mut tx, &token_hash, cx.now())
            .await?
            .ok_or_else(link_gone)?;
        let account = crate::access::store::account(&mut tx, user_id)
            .await?
            .ok_or_else(link_gone)?;
        let locked = crate::access::store::locked_at(&mut tx, user_id)
            .await?
            .is_some();
        tx.commit().await?;
        // A locked account stays locked: the link is kept for after the unlock.
        if locked {
            return Err(AppError::new(
                ErrorCode::AccountLocked,
                "This account is locked after too many failed sign-ins. Unlock it first with the link in the lockout email (or ask an administrator of one of your organizations), then open this link again.",
            ));
        }
        check_new_password(&new, &account.email).map_err(|e| AppError {
            field: e.field.map(|_| "new_password".to_owned()),
            ..e
        })?;
        let hash = cx.state.passwords.hash(new).await?;
        let mut tx = cx.write().await?;
        if store::consume(&mut tx, &token_hash, cx.now()).await? != Some(user_id) {
            return Err(link_gone());
        }
        accounts::set_password_hash(&mut tx, user_id, &hash).await?;
        store::spend_all(&mut tx, user_id, cx.now()).await?;
        let ended = store::end_all_sessions(&mut tx, user_id).await?;
        cx.log(
            &mut tx,
            Log::own(
                ActivityAction::PasswordReset,
                &format!("{ended} session(s) ended"),
            )
            .by(user_id),
        )
        .await?;
        let notice = mail::messages::password_was_reset(&mail::messages::Occurrence {
            to: &account.email,
            first_name: &account.first_name,
            base: &cx.state.settings.public_url,
            now: cx.now(),
            origin: &cx.origin,
        })?;
        mail::store::enqueue(&mut tx, &notice, cx.now()).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{
        store, Channel, ResetOptions, RESETS_PER_HOUR, RESET_LINK_SECONDS,
    };
    pub(super) use crate::access::Account;
    pub(super) use crate::access::Context;
    pub(super) use crate::access::Log;
    pub(super) use crate::account::{check_new_password, store as accounts};

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};
    pub(super) use crate::mail::normalize_email;
    pub(super) use crate::tokens;

    pub(super) use crate::mail::{self, Email};
    pub(super) use crate::request::Origin;
    pub(super) use crate::state::AppState;

    pub fn options(cx: &Context) -> Result<ResetOptions, AppError> {
        let state = &cx.state;
        Ok(ResetOptions {
            sms: state.sms.is_some(),
        })
    }

    pub(super) fn link_gone() -> AppError {
        AppError::new(
            ErrorCode::Validation,
            "This link does not work any more: it was used already, or it is older than 30 minutes. Ask for a new one.",
        )
    }

    pub(super) async fn new_link(
        tx: &mut Tx,
        user_id: i64,
        channel: Channel,
        now: i64,
    ) -> Result<String, AppError> {
        let (token, token_hash) = tokens::new_token();
        store::insert(
            tx,
            &store::NewReset {
                token_hash: &token_hash,
                user_id,
                channel: channel.as_str(),
                at: now,
                expires_at: now + RESET_LINK_SECONDS,
            },
        )
        .await?;
        Ok(token)
    }

    pub(super) fn reset_email(
        state: &AppState,
        account: &Account,
        to: &str,
        token: &str,
        origin: &Origin,
        now: i64,
    ) -> Result<Email, AppError> {
        let at = mail::messages::Occurrence {
            to,
            first_name: &account.first_name,
            base: &state.settings.public_url,
            now,
            origin,
        };
        mail::messages::password_reset_link(&at, &account.email, token)
    }
}
