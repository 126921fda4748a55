//! Server functions that change the account's own secrets (ACC-4): password, login email,
//! recovery contacts — each needs the current password — and the review of every security
//! setting used by the compromised-password wizard (ACC-6).

use super::{AccountContacts, PasswordChanged};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "my_contacts")]
pub async fn my_contacts() -> Result<AccountContacts, AppError> {
    MyContacts::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let (recovery_email, recovery_phone) =
            store::recovery_contacts(&mut tx, account.id).await?;
        let pending_email = store::pending_email_change(&mut tx, account.id, cx.now()).await?;
        let version = store::contacts_version(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(AccountContacts {
            email: account.email.clone(),
            recovery_email,
            recovery_phone,
            pending_email,
            version,
        })
    })
    .await
}

/// Changes the password. Every other session ends and this one gets a new token; application
/// passwords keep working unless `revoke_app_passwords` is ticked.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
    revoke_app_passwords: Option<String>,
) -> Result<PasswordChanged, AppError> {
    ChangePassword::serve(|cx| async move {
        let current: String = current_password;
        let new: String = new_password;
        let confirm: String = confirm_password;
        let revoke_app_passwords: bool = revoke_app_passwords.is_some();
        let (session_now, account) = (cx.session()?, cx.account()?);
        if current.is_empty() {
            return Err(AppError::validation(
                "current_password",
                "Enter your current password.",
            ));
        }
        check_new_password(&new, &account.email).map_err(|e| moved(e, "new_password"))?;
        if new != confirm {
            return Err(AppError::validation(
                "confirm_password",
                "The two new passwords are not the same.",
            ));
        }
        if new == current {
            return Err(AppError::validation(
                "new_password",
                "Choose a password different from your current one.",
            ));
        }
        super::api::confirm_password(&cx, current)
            .await
            .map_err(|e| moved(e, "current_password"))?;
        let hash = cx.state.passwords.hash(new).await?;
        let mut tx = cx.write().await?;
        store::set_password_hash(&mut tx, account.id, &hash).await?;
        // Everyone else signed in with the old password is out; this browser gets a new token.
        let other_sessions_ended =
            store::delete_other_sessions(&mut tx, account.id, session_now.id).await?;
        crate::access::store::delete_session_by_id(&mut tx, session_now.id).await?;
        let (cookie, _) = start_session(
            &cx.state,
            &mut tx,
            account.id,
            session_now.persistent,
            Stage::Full,
            &cx.origin,
        )
        .await?;
        let app_passwords_revoked = if revoke_app_passwords {
            crate::access::store::delete_all_credentials(&mut tx, account.id, false).await?
        } else {
            0
        };
        let detail = format!(
            "{other_sessions_ended} other session(s) ended; application passwords {}",
            if revoke_app_passwords {
                "revoked"
            } else {
                "kept"
            }
        );
        cx.log(&mut tx, Log::own(ActivityAction::PasswordChanged, &detail))
            .await?;
        send(
            &mut tx,
            mail::messages::password_changed(&mail::messages::Occurrence {
                to: &account.email,
                first_name: &account.first_name,
                base: &cx.state.settings.public_url,
                now: cx.now(),
                origin: &cx.origin,
            })?,
            cx.now(),
        )
        .await?;
        tx.commit().await?;
        request::set_cookie(&cookie);
        Ok(PasswordChanged {
            other_sessions_ended,
            app_passwords_revoked,
        })
    })
    .await
}

/// Sends a confirmation link to the new address (and tells the old one); the login email
/// changes when the link is opened.
#[server(endpoint = "request_email_change")]
pub async fn request_email_change(new_email: String, password: String) -> Result<(), AppError> {
    RequestEmailChange::serve(|cx| async move {
        let account = cx.account()?;
        let new_email = normalize_email(&new_email).map_err(|e| AppError {
            field: Some("new_email".into()),
            ..e
        })?;
        if new_email == account.email {
            return Err(AppError::validation(
                "new_email",
                "This is already your login email.",
            ));
        }
        confirm_password(&cx, password).await?;
        let mut tx = cx.write().await?;
        if store::email_taken(&mut tx, &new_email).await? {
            return Err(AppError {
                code: ErrorCode::EmailTaken,
                message: "Another account already uses this email address.".into(),
                field: Some("new_email".into()),
            });
        }
        let (token, token_hash) = tokens::new_token();
        store::insert_email_change(
            &mut tx,
            &token_hash,
            account.id,
            &new_email,
            cx.now(),
            cx.now() + EMAIL_CHANGE_SECONDS,
        )
        .await?;
        let base = &cx.state.settings.public_url;
        send(
            &mut tx,
            mail::messages::confirm_new_email(&new_email, &account.first_name, base, &token)?,
            cx.now(),
        )
        .await?;
        send(
            &mut tx,
            mail::messages::email_change_requested(
                &account.email,
                &account.first_name,
                &new_email,
                base,
            )?,
            cx.now(),
        )
        .await?;
        cx.log(
            &mut tx,
            Log::own(ActivityAction::EmailChangeRequested, &new_email),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "confirm_email_change")]
pub async fn confirm_email_change(token: String) -> Result<String, AppError> {
    ConfirmEmailChange::serve(|cx| async move {
        let bad_link = || {
            AppError::validation(
                "token",
                "This link has expired or has already been used. Ask for the change again from your profile.",
            )
        };
        if !tokens::well_formed(token.trim()) {
            return Err(bad_link());
        }
        let mut tx = cx.write().await?;
        let (user_id, new_email) =
            store::consume_email_change(&mut tx, &tokens::hash_token(token.trim()), cx.now())
                .await?
                .ok_or_else(bad_link)?;
        let account = crate::access::store::account(&mut tx, user_id)
            .await?
            .ok_or_else(bad_link)?;
        if !store::set_email(&mut tx, user_id, &new_email, cx.now()).await? {
            return Err(AppError::new(
                ErrorCode::EmailTaken,
                "Another account started using this email address meanwhile.",
            ));
        }
        send(
            &mut tx,
            mail::messages::email_changed(&account.email, &account.first_name, &new_email)?,
            cx.now(),
        )
        .await?;
        let detail = format!("{} → {new_email}", account.email);
        cx.log(
            &mut tx,
            Log::own(ActivityAction::EmailChanged, &detail).by(user_id),
        )
        .await?;
        tx.commit().await?;
        Ok(new_email)
    })
    .await
}

/// Sets (or, when empty, clears) the recovery email and phone.
#[server(endpoint = "set_recovery_contacts")]
pub async fn set_recovery_contacts(
    recovery_email: String,
    recovery_phone: String,
    password: String,
    /// The version the page showed (a program may leave it out to overwrite).
    version: Option<i64>,
) -> Result<AccountContacts, AppError> {
    SetRecoveryContacts::serve(|cx| async move {
        let account = cx.account()?;
        let recovery_email = match recovery_email.trim() {
            "" => None,
            raw => Some(normalize_email(raw).map_err(|e| AppError {
                field: Some("recovery_email".into()),
                ..e
            })?),
        };
        if recovery_email.as_deref() == Some(account.email.as_str()) {
            return Err(AppError::validation(
                "recovery_email",
                "Use another address than your login email: it is for when that one is lost.",
            ));
        }
        let recovery_phone = normalize_phone(&recovery_phone)?;
        confirm_password(&cx, password).await?;
        let mut tx = cx.write().await?;
        let version = store::set_recovery_contacts(
            &mut tx,
            account.id,
            recovery_email.as_deref(),
            recovery_phone.as_deref(),
            version,
        )
        .await?
        .ok_or_else(AppError::stale)?;
        let detail = format!(
            "recovery email {}, recovery phone {}",
            if recovery_email.is_some() {
                "set"
            } else {
                "cleared"
            },
            if recovery_phone.is_some() {
                "set"
            } else {
                "cleared"
            }
        );
        cx.log(
            &mut tx,
            Log::own(ActivityAction::RecoveryContactsChanged, &detail),
        )
        .await?;
        let pending_email = store::pending_email_change(&mut tx, account.id, cx.now()).await?;
        tx.commit().await?;
        Ok(AccountContacts {
            email: account.email.clone(),
            recovery_email,
            recovery_phone,
            pending_email,
            version,
        })
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{check_new_password, normalize_phone, store};
    pub(super) use crate::access::authentication::start_session;
    pub(super) use crate::access::store::Stage;

    pub(super) use crate::access::Log;
    pub(super) use crate::account::api::confirm_password;

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};
    pub(super) use crate::mail::normalize_email;
    pub(super) use crate::mail::{self, Email};
    pub(super) use crate::request;
    pub(super) use crate::tokens;

    /// A link to confirm a new login email works for a day.
    pub(super) const EMAIL_CHANGE_SECONDS: i64 = 24 * 3600;

    pub(super) async fn send(tx: &mut Tx, email: Email, at: i64) -> Result<(), AppError> {
        mail::store::enqueue(tx, &email, at).await?;
        Ok(())
    }

    /// The same message under another field name.
    pub(super) fn moved(error: AppError, field: &str) -> AppError {
        if error.field.as_deref() == Some("password") {
            AppError {
                field: Some(field.to_owned()),
                ..error
            }
        } else {
            error
        }
    }
}
