//! Server functions of two-factor authentication: setting it up, managing methods and backup
//! codes, and the second step of signing in.

use super::{BackupCodeSheet, TotpEnrolment, TwoFactorOverview};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "two_factor_status")]
pub async fn two_factor_status() -> Result<TwoFactorOverview, AppError> {
    TwoFactorStatus::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let methods = store::methods(&mut tx, account.id).await?;
        let backup_codes_remaining = store::backup_codes_remaining(&mut tx, account.id).await?;
        let required_by = crate::access::store::requiring_two_factor(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(TwoFactorOverview {
            methods,
            backup_codes_remaining,
            required_by,
        })
    })
    .await
}

/// Starts setting up an authenticator app: a new secret, shown as a QR code and as text.
#[server(endpoint = "start_totp_enrolment")]
pub async fn start_totp_enrolment() -> Result<TotpEnrolment, AppError> {
    StartTotpEnrolment::serve(|cx| async move {
        let account = cx.account()?;
        let secret = totp::new_secret();
        let uri = totp::otpauth_uri(&secret, &account.email);
        let qr = totp::qr_svg(&uri).ok_or_else(AppError::internal)?;
        let mut tx = cx.write().await?;
        store::put_enrolment(&mut tx, account.id, &secret, cx.now()).await?;
        tx.commit().await?;
        Ok(TotpEnrolment {
            secret: totp::encode_secret(&secret),
            uri,
            qr,
        })
    })
    .await
}

/// Finishes the setup with a first valid code; returns ten fresh backup codes, shown once.
#[server(endpoint = "confirm_totp_enrolment")]
pub async fn confirm_totp_enrolment(
    code: String,
    label: String,
) -> Result<BackupCodeSheet, AppError> {
    ConfirmTotpEnrolment::serve(|cx| async move {
        let account = cx.account()?;
        let label = normalize_label(&label, MethodKind::AuthenticatorApp)?;
        let code = totp::normalize_code(&code).ok_or_else(|| {
            AppError::validation("code", "Enter the 6-digit code your app shows.")
        })?;
        let mut tx = cx.write().await?;
        let Some((secret, started)) = store::enrolment(&mut tx, account.id).await? else {
            return Err(AppError::validation(
                "code",
                "This setup is no longer open. Start again to get a new QR code.",
            ));
        };
        if cx.now() - started > ENROLMENT_SECONDS {
            return Err(AppError::validation(
                "code",
                "This setup took too long and has expired. Start again to get a new QR code.",
            ));
        }
        let Some(step) = totp::matching_step(&secret, &code, cx.now()) else {
            return Err(AppError::validation(
                "code",
                "This code does not match. Check that your phone's clock is right and enter the code your app shows now.",
            ));
        };
        if !store::consume_totp_step(&mut tx, account.id, step).await? {
            return Err(super::proof::already_used());
        }
        let first = !store::has_second_factor(&mut tx, account.id).await?;
        store::insert_totp_method(&mut tx, account.id, &label, &secret, first, cx.now()).await?;
        store::delete_enrolment(&mut tx, account.id).await?;
        let sheet = new_backup_codes(&mut tx, &account, cx.now()).await?;
        cx.log(
            &mut tx,
            Log::own(ActivityAction::TwoFactorMethodAdded, &label),
        )
        .await?;
        cx.log(&mut tx, Log::own(ActivityAction::BackupCodesGenerated, ""))
            .await?;
        tx.commit().await?;
        Ok(sheet)
    })
    .await
}

/// Replaces the backup codes with ten new ones (the old ones stop working).
#[server(endpoint = "generate_backup_codes")]
pub async fn generate_backup_codes(password: String) -> Result<BackupCodeSheet, AppError> {
    GenerateBackupCodes::serve(|cx| async move {
        let account = cx.account()?;
        confirm_password(&cx, password).await?;
        let mut tx = cx.write().await?;
        if !store::has_second_factor(&mut tx, account.id).await? {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Backup codes come with two-factor authentication: set up an authenticator app first.",
            ));
        }
        let sheet = new_backup_codes(&mut tx, &account, cx.now()).await?;
        cx.log(&mut tx, Log::own(ActivityAction::BackupCodesGenerated, ""))
            .await?;
        tx.commit().await?;
        Ok(sheet)
    })
    .await
}

#[server(endpoint = "set_default_method")]
pub async fn set_default_method(method_id: i64) -> Result<(), AppError> {
    SetDefaultMethod::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        let Some((_, label, _)) = store::method_of(&mut tx, account.id, method_id).await? else {
            return Err(AppError::not_found("method"));
        };
        store::set_default(&mut tx, account.id, method_id).await?;
        cx.log(
            &mut tx,
            Log::own(ActivityAction::TwoFactorDefaultChanged, &label),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Removes one method; removing the last one turns two-factor authentication off.
#[server(endpoint = "remove_method")]
pub async fn remove_method(method_id: i64, password: String) -> Result<(), AppError> {
    RemoveMethod::serve(|cx| async move {
        let account = cx.account()?;
        // Another person's method is "not found" before any password is checked.
        let mut tx = cx.read().await?;
        let exists = store::method_of(&mut tx, account.id, method_id)
            .await?
            .is_some();
        tx.commit().await?;
        if !exists {
            return Err(AppError::not_found("method"));
        }
        confirm_password(&cx, password).await?;
        let mut tx = cx.write().await?;
        let Some((_, label, was_default)) =
            store::method_of(&mut tx, account.id, method_id).await?
        else {
            return Err(AppError::not_found("method"));
        };
        if store::methods(&mut tx, account.id).await?.len() <= 1 {
            refuse_if_required(&mut tx, account.id).await?;
        }
        store::delete_method(&mut tx, account.id, method_id).await?;
        cx.log(
            &mut tx,
            Log::own(ActivityAction::TwoFactorMethodRemoved, &label),
        )
        .await?;
        match store::oldest_method(&mut tx, account.id).await? {
            Some(next) if was_default => store::set_default(&mut tx, account.id, next).await?,
            Some(_) => {}
            None => {
                // That was the last method: two-factor authentication is off, codes included.
                store::delete_all_second_factors(&mut tx, account.id).await?;
                log(
                    &mut tx,
                    ActivityAction::TwoFactorDisabled,
                    account.id,
                    "",
                    &cx.origin,
                    cx.now(),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Turns two-factor authentication off: every method and backup code is deleted.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String) -> Result<(), AppError> {
    DisableTwoFactor::serve(|cx| async move {
        let account = cx.account()?;
        confirm_password(&cx, password).await?;
        let mut tx = cx.write().await?;
        if !store::has_second_factor(&mut tx, account.id).await? {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Two-factor authentication is already off.",
            ));
        }
        refuse_if_required(&mut tx, account.id).await?;
        store::delete_all_second_factors(&mut tx, account.id).await?;
        cx.log(&mut tx, Log::own(ActivityAction::TwoFactorDisabled, ""))
            .await?;
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
        backup_codes, normalize_label, store, totp, BackupCodeSheet, MethodKind,
    };

    pub(super) use crate::access::Log;
    pub(super) use crate::account::api::confirm_password;

    pub(super) use crate::access::Account;
    pub(super) use crate::activity::store::record_own as log;
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};

    /// An enrolment not confirmed within this time has to start over.
    pub(super) const ENROLMENT_SECONDS: i64 = 30 * 60;

    /// Ten new codes replace the old set, in the caller's transaction.
    pub(super) async fn new_backup_codes(
        tx: &mut Tx,
        account: &Account,
        at: i64,
    ) -> Result<BackupCodeSheet, AppError> {
        let codes = backup_codes::generate();
        let hashes: Vec<String> = codes
            .iter()
            .filter_map(|c| backup_codes::normalize(c))
            .map(|c| backup_codes::hash(account.id, &c))
            .collect();
        store::replace_backup_codes(tx, account.id, &hashes, at).await?;
        Ok(BackupCodeSheet {
            codes,
            account_email: account.email.clone(),
            created_at: at,
        })
    }

    /// SEC-3 under SEC-4: nobody turns two-factor authentication off while one of their
    /// organizations requires it.
    pub(super) async fn refuse_if_required(
        tx: &mut crate::db::Tx,
        user_id: i64,
    ) -> Result<(), AppError> {
        let required_by = crate::access::store::requiring_two_factor(tx, user_id).await?;
        match crate::two_factor::required_reason(&required_by) {
            Some(reason) => Err(AppError::new(ErrorCode::Forbidden, reason)),
            None => Ok(()),
        }
    }
}
