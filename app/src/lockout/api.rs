//! Server functions of the safety parameters and of the links sent by email.

use super::{NotMeOutcome, SafetySettings};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "my_safety_settings")]
pub async fn my_safety_settings() -> Result<SafetySettings, AppError> {
    MySafetySettings::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let settings = store::settings(&mut tx, account.id).await?;
        tx.commit().await?;
        settings.ok_or_else(AppError::unauthenticated)
    })
    .await
}

/// Checkboxes arrive only when ticked.
#[server(endpoint = "save_safety_settings")]
pub async fn save_safety_settings(
    alert_on_sign_in: Option<String>,
    alert_on_failed_sign_in: Option<String>,
    lockout_threshold: String,
    /// The version the page showed (a program may leave it out to overwrite).
    version: Option<i64>,
) -> Result<SafetySettings, AppError> {
    SaveSafetySettings::serve(|cx| async move {
        let alert_on_sign_in: bool = alert_on_sign_in.is_some();
        let alert_on_failed_sign_in: bool = alert_on_failed_sign_in.is_some();
        let account = cx.account()?;
        let threshold = lockout_threshold.trim().parse::<i64>().map_err(|_| {
            AppError::validation("lockout_threshold", "Enter a whole number from 3 to 20.")
        })?;
        let mut settings = SafetySettings {
            alert_on_sign_in,
            alert_on_failed_sign_in,
            lockout_threshold: check_lockout_threshold(threshold)?,
            version: 0,
        };
        let mut tx = cx.write().await?;
        settings.version = store::save_settings(&mut tx, account.id, &settings, version)
            .await?
            .ok_or_else(AppError::stale)?;
        let detail = format!(
            "alert on sign-in: {}, alert on failed sign-in: {}, lock after {} failures",
            if settings.alert_on_sign_in {
                "on"
            } else {
                "off"
            },
            if settings.alert_on_failed_sign_in {
                "on"
            } else {
                "off"
            },
            settings.lockout_threshold
        );
        cx.log(
            &mut tx,
            Log::own(ActivityAction::SafetySettingsChanged, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(settings)
    })
    .await
}

/// Unlocks an account with the single-use link from the lockout email.
#[server(endpoint = "unlock_with_link")]
pub async fn unlock_with_link(token: String) -> Result<(), AppError> {
    UnlockWithLink::serve(|cx| async move {
        if !tokens::well_formed(token.trim()) {
            return Err(bad_link());
        }
        let mut tx = cx.write().await?;
        let Some((user_id, _)) = store::consume_link(
            &mut tx,
            &tokens::hash_token(token.trim()),
            LinkPurpose::Unlock,
            cx.now(),
        )
        .await?
        else {
            return Err(bad_link());
        };
        store::unlock(&mut tx, user_id).await?;
        cx.log(
            &mut tx,
            Log::own(
                ActivityAction::AccountUnlocked,
                "with the link sent by email",
            )
            .by(user_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// "This wasn't me", from an alert email: ends the session it was about.
#[server(endpoint = "report_not_me")]
pub async fn report_not_me(token: String) -> Result<NotMeOutcome, AppError> {
    ReportNotMe::serve(|cx| async move {
        if !tokens::well_formed(token.trim()) {
            return Err(bad_link());
        }
        let mut tx = cx.write().await?;
        let Some((user_id, session_id)) = store::consume_link(
            &mut tx,
            &tokens::hash_token(token.trim()),
            LinkPurpose::NotMe,
            cx.now(),
        )
        .await?
        else {
            return Err(bad_link());
        };
        let session_ended = match session_id {
            Some(id) => accounts::delete_user_session(&mut tx, user_id, id).await?,
            None => false,
        };
        cx.log(
            &mut tx,
            Log::own(
                ActivityAction::NotMeReported,
                if session_ended {
                    "the reported session was ended"
                } else {
                    "no open session to end"
                },
            )
            .by(user_id),
        )
        .await?;
        tx.commit().await?;
        Ok(NotMeOutcome { session_ended })
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::check_lockout_threshold;
    pub(super) use super::super::store;
    pub(super) use crate::access::store::LinkPurpose;
    pub(super) use crate::access::Log;

    pub(super) use crate::account::store as accounts;

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::error::AppError;
    pub(super) use crate::tokens;

    pub(super) fn bad_link() -> AppError {
        AppError::validation(
            "token",
            "This link has expired or has already been used. Sign in to get a new one, or ask an administrator of your organization.",
        )
    }
}
