//! Server functions of two-factor authentication: setting it up, managing methods and backup
//! codes, and the second step of signing in.

use super::{BackupCodeSheet, Challenge, TotpEnrolment, TwoFactorOverview};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::account::SignedIn;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "two_factor_status")]
pub async fn two_factor_status() -> Result<TwoFactorOverview, AppError> {
    TwoFactorStatus::serve(|cx| server_side::overview(cx)).await
}

/// Starts setting up an authenticator app: a new secret, shown as a QR code and as text.
#[server(endpoint = "start_totp_enrolment")]
pub async fn start_totp_enrolment() -> Result<TotpEnrolment, AppError> {
    StartTotpEnrolment::serve(|cx| server_side::start_enrolment(cx)).await
}

/// Finishes the setup with a first valid code; returns ten fresh backup codes, shown once.
#[server(endpoint = "confirm_totp_enrolment")]
pub async fn confirm_totp_enrolment(
    code: String,
    label: String,
) -> Result<BackupCodeSheet, AppError> {
    ConfirmTotpEnrolment::serve(|cx| server_side::confirm_enrolment(cx, code, label)).await
}

/// Replaces the backup codes with ten new ones (the old ones stop working).
#[server(endpoint = "generate_backup_codes")]
pub async fn generate_backup_codes(password: String) -> Result<BackupCodeSheet, AppError> {
    GenerateBackupCodes::serve(|cx| server_side::generate_backup_codes(cx, password)).await
}

#[server(endpoint = "set_default_method")]
pub async fn set_default_method(method_id: i64) -> Result<(), AppError> {
    SetDefaultMethod::serve(|cx| server_side::set_default_method(cx, method_id)).await
}

/// Removes one method; removing the last one turns two-factor authentication off.
#[server(endpoint = "remove_method")]
pub async fn remove_method(method_id: i64, password: String) -> Result<(), AppError> {
    RemoveMethod::serve(|cx| server_side::remove_method(cx, method_id, password)).await
}

/// Turns two-factor authentication off: every method and backup code is deleted.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String) -> Result<(), AppError> {
    DisableTwoFactor::serve(|cx| server_side::disable(cx, password)).await
}

/// For the second step of a sign-in: which proofs this person can give.
#[server(endpoint = "second_factor_challenge")]
pub async fn second_factor_challenge() -> Result<Challenge, AppError> {
    SecondFactorChallenge::serve(|cx| server_side::challenge(cx)).await
}

/// The second step of a sign-in: a code from the authenticator app or a backup code.
/// `proof` is `authenticator_app` or `backup_code`.
#[server(endpoint = "verify_second_factor")]
pub async fn verify_second_factor(
    proof: String,
    code: String,
    next: Option<String>,
) -> Result<SignedIn, AppError> {
    VerifySecondFactor::serve(|cx| server_side::verify(cx, proof, code, next)).await
}

/// Abandons a sign-in waiting for its second factor.
#[server(endpoint = "cancel_sign_in")]
pub async fn cancel_sign_in() -> Result<(), AppError> {
    CancelSignIn::serve(|cx| server_side::cancel(cx)).await
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{
        backup_codes, normalize_label, store, totp, BackupCodeSheet, Challenge, MethodKind,
        ProofKind, TotpEnrolment, TwoFactorOverview, SECOND_FACTOR_ATTEMPTS,
    };
    use crate::access::authentication::pending_sign_in;
    use crate::access::Context;
    use crate::account::api::{confirm_password, finish_sign_in};
    use crate::account::store::{self as accounts};
    use crate::account::{session, Account, SignedIn};
    use crate::activity::store::record_own as log;
    use crate::activity::ActivityAction;
    use crate::db::Tx;
    use crate::error::{AppError, ErrorCode};
    use crate::lockout::store as lockout;
    use crate::lockout::{guard, safe_next};
    use crate::request;

    /// An enrolment not confirmed within this time has to start over.
    const ENROLMENT_SECONDS: i64 = 30 * 60;

    pub async fn overview(cx: Context) -> Result<TwoFactorOverview, AppError> {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let methods = store::methods(&mut tx, account.id).await?;
        let backup_codes_remaining = store::backup_codes_remaining(&mut tx, account.id).await?;
        let required_by =
            crate::organizations::store::requiring_two_factor(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(TwoFactorOverview {
            methods,
            backup_codes_remaining,
            required_by,
        })
    }

    pub async fn start_enrolment(cx: Context) -> Result<TotpEnrolment, AppError> {
        let account = cx.account()?;
        let secret = totp::new_secret();
        let uri = totp::otpauth_uri(&secret, &account.email);
        let qr = totp::qr_svg(&uri).ok_or_else(AppError::internal)?;
        let mut tx = cx.write().await?;
        store::put_enrolment(&mut tx, account.id, &secret, cx.state.now()).await?;
        tx.commit().await?;
        Ok(TotpEnrolment {
            secret: totp::encode_secret(&secret),
            uri,
            qr,
        })
    }

    /// Ten new codes replace the old set, in the caller's transaction.
    async fn new_backup_codes(
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

    pub async fn confirm_enrolment(
        cx: Context,
        code: String,
        label: String,
    ) -> Result<BackupCodeSheet, AppError> {
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
        if cx.now - started > ENROLMENT_SECONDS {
            return Err(AppError::validation(
                "code",
                "This setup took too long and has expired. Start again to get a new QR code.",
            ));
        }
        let Some(step) = totp::matching_step(&secret, &code, cx.now) else {
            return Err(AppError::validation(
                "code",
                "This code does not match. Check that your phone's clock is right and enter the code your app shows now.",
            ));
        };
        if !store::consume_totp_step(&mut tx, account.id, step).await? {
            return Err(already_used());
        }
        let first = !store::has_second_factor(&mut tx, account.id).await?;
        store::insert_totp_method(&mut tx, account.id, &label, &secret, first, cx.now).await?;
        store::delete_enrolment(&mut tx, account.id).await?;
        let sheet = new_backup_codes(&mut tx, &account, cx.now).await?;
        log(
            &mut tx,
            ActivityAction::TwoFactorMethodAdded,
            account.id,
            &label,
            &cx.origin,
            cx.now,
        )
        .await?;
        log(
            &mut tx,
            ActivityAction::BackupCodesGenerated,
            account.id,
            "",
            &cx.origin,
            cx.now,
        )
        .await?;
        tx.commit().await?;
        Ok(sheet)
    }

    fn already_used() -> AppError {
        AppError::validation(
            "code",
            "This code has already been used. Wait for your app to show a new one.",
        )
    }

    pub async fn generate_backup_codes(
        cx: Context,
        password: String,
    ) -> Result<BackupCodeSheet, AppError> {
        let account = cx.account()?;
        confirm_password(&cx, password).await?;
        let mut tx = cx.write().await?;
        if !store::has_second_factor(&mut tx, account.id).await? {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Backup codes come with two-factor authentication: set up an authenticator app first.",
            ));
        }
        let sheet = new_backup_codes(&mut tx, &account, cx.now).await?;
        log(
            &mut tx,
            ActivityAction::BackupCodesGenerated,
            account.id,
            "",
            &cx.origin,
            cx.now,
        )
        .await?;
        tx.commit().await?;
        Ok(sheet)
    }

    pub async fn set_default_method(cx: Context, method_id: i64) -> Result<(), AppError> {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        let Some((_, label, _)) = store::method_of(&mut tx, account.id, method_id).await? else {
            return Err(AppError::not_found("method"));
        };
        store::set_default(&mut tx, account.id, method_id).await?;
        log(
            &mut tx,
            ActivityAction::TwoFactorDefaultChanged,
            account.id,
            &label,
            &cx.origin,
            cx.now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_method(
        cx: Context,
        method_id: i64,
        password: String,
    ) -> Result<(), AppError> {
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
        log(
            &mut tx,
            ActivityAction::TwoFactorMethodRemoved,
            account.id,
            &label,
            &cx.origin,
            cx.now,
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
                    cx.now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// SEC-3 under SEC-4: nobody turns two-factor authentication off while one of their
    /// organizations requires it.
    async fn refuse_if_required(tx: &mut crate::db::Tx, user_id: i64) -> Result<(), AppError> {
        let required_by = crate::organizations::store::requiring_two_factor(tx, user_id).await?;
        match crate::two_factor::required_reason(&required_by) {
            Some(reason) => Err(AppError::new(ErrorCode::Forbidden, reason)),
            None => Ok(()),
        }
    }

    pub async fn disable(cx: Context, password: String) -> Result<(), AppError> {
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
        log(
            &mut tx,
            ActivityAction::TwoFactorDisabled,
            account.id,
            "",
            &cx.origin,
            cx.now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn challenge(cx: Context) -> Result<Challenge, AppError> {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let methods = store::methods(&mut tx, account.id).await?;
        let backup_codes_remaining = store::backup_codes_remaining(&mut tx, account.id).await?;
        tx.commit().await?;
        let default_method = methods
            .iter()
            .find(|m| m.is_default)
            .or(methods.first())
            .map(|m| m.kind)
            .unwrap_or(MethodKind::AuthenticatorApp);
        Ok(Challenge {
            default_method,
            backup_codes_remaining,
        })
    }

    pub async fn verify(
        cx: Context,
        proof: String,
        code: String,
        next: Option<String>,
    ) -> Result<SignedIn, AppError> {
        let proof = ProofKind::parse(&proof)?;
        let (pending, account) = (cx.session()?, cx.account()?);
        let user_id = account.id;
        let mut tx = cx.write().await?;
        let refusal = match proof {
            ProofKind::AuthenticatorApp => {
                let code = totp::normalize_code(&code).ok_or_else(|| {
                    AppError::validation("code", "Enter the 6-digit code your app shows.")
                })?;
                let secrets = store::totp_secrets(&mut tx, user_id).await?;
                let matched = secrets.iter().find_map(|(id, secret)| {
                    totp::matching_step(secret, &code, cx.now).map(|step| (*id, step))
                });
                match matched {
                    Some((method_id, step)) => {
                        if store::consume_totp_step(&mut tx, user_id, step).await? {
                            store::touch_method(&mut tx, method_id, cx.now).await?;
                            None
                        } else {
                            Some(already_used())
                        }
                    }
                    None => Some(AppError::validation(
                        "code",
                        "This code is not valid. Enter the code your app shows now.",
                    )),
                }
            }
            ProofKind::BackupCode => {
                let code = backup_codes::normalize(&code).ok_or_else(|| {
                    AppError::validation(
                        "code",
                        "A backup code has 12 letters and digits, like abcd-efgh-jkmn.",
                    )
                })?;
                let hash = backup_codes::hash(user_id, &code);
                if store::spend_backup_code(&mut tx, user_id, &hash, cx.now).await? {
                    None
                } else {
                    Some(AppError::validation(
                        "code",
                        "This backup code is not valid or has already been used.",
                    ))
                }
            }
        };

        let clear_cookie = || {
            request::set_cookie(&session::clearing_cookie(request::secure_cookies(
                &cx.state, &cx.origin,
            )))
        };
        if let Some(refusal) = refusal {
            let what = match proof {
                ProofKind::AuthenticatorApp => "wrong authenticator app code",
                ProofKind::BackupCode => "wrong backup code",
            };
            log(
                &mut tx,
                ActivityAction::SecondFactorFailed,
                user_id,
                what,
                &cx.origin,
                cx.now,
            )
            .await?;
            // Wrong codes count toward the account's lockout like wrong passwords.
            let count =
                guard::count_failure(&cx.state, &mut tx, Some(user_id), what, &cx.origin, cx.now)
                    .await?;
            if count.is_some_and(|c| c.locked_at.is_some()) {
                accounts::delete_session_by_id(&mut tx, pending.id).await?;
                tx.commit().await?;
                clear_cookie();
                return Err(guard::locked());
            }
            let failures = accounts::count_second_factor_failure(&mut tx, pending.id).await?;
            if failures >= SECOND_FACTOR_ATTEMPTS {
                accounts::delete_session_by_id(&mut tx, pending.id).await?;
                tx.commit().await?;
                clear_cookie();
                return Err(AppError::new(
                    ErrorCode::Unauthenticated,
                    "Too many wrong codes. Sign in again with your password.",
                ));
            }
            tx.commit().await?;
            return Err(refusal);
        }
        // The account may have been locked since the password was accepted.
        if lockout::locked_at(&mut tx, user_id).await?.is_some() {
            accounts::delete_session_by_id(&mut tx, pending.id).await?;
            tx.commit().await?;
            clear_cookie();
            return Err(guard::locked());
        }

        // A new token for the full session: the pending one ends here.
        accounts::delete_session_by_id(&mut tx, pending.id).await?;
        let next = next.as_deref().and_then(safe_next);
        finish_sign_in(&cx, tx, account, pending.persistent, proof.label(), next).await
    }

    pub async fn cancel(cx: Context) -> Result<(), AppError> {
        if let Ok((pending, account)) = pending_sign_in(&cx.state).await {
            let mut tx = cx.write().await?;
            accounts::delete_session_by_id(&mut tx, pending.id).await?;
            log(
                &mut tx,
                ActivityAction::SignInCancelled,
                account.id,
                "",
                &cx.origin,
                cx.now,
            )
            .await?;
            tx.commit().await?;
        }
        request::set_cookie(&session::clearing_cookie(request::secure_cookies(
            &cx.state, &cx.origin,
        )));
        Ok(())
    }
}
