//! Server functions of the safety parameters and of the links sent by email.

use super::{NotMeOutcome, SafetySettings};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "my_safety_settings")]
pub async fn my_safety_settings() -> Result<SafetySettings, AppError> {
    MySafetySettings::serve(|cx| server_side::get(cx)).await
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
    SaveSafetySettings::serve(|cx| {
        server_side::save(
            cx,
            alert_on_sign_in.is_some(),
            alert_on_failed_sign_in.is_some(),
            lockout_threshold,
            version,
        )
    })
    .await
}

/// Unlocks an account with the single-use link from the lockout email.
#[server(endpoint = "unlock_with_link")]
pub async fn unlock_with_link(token: String) -> Result<(), AppError> {
    UnlockWithLink::serve(|cx| server_side::unlock_with_link(cx, token)).await
}

/// "This wasn't me", from an alert email: ends the session it was about.
#[server(endpoint = "report_not_me")]
pub async fn report_not_me(token: String) -> Result<NotMeOutcome, AppError> {
    ReportNotMe::serve(|cx| server_side::not_me(cx, token)).await
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::store;
    use super::super::{check_lockout_threshold, NotMeOutcome, SafetySettings};
    use crate::access::store::LinkPurpose;
    use crate::access::{Context, Log};

    use crate::account::store as accounts;

    use crate::activity::ActivityAction;
    use crate::error::AppError;
    use crate::tokens;

    pub async fn get(cx: Context) -> Result<SafetySettings, AppError> {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let settings = store::settings(&mut tx, account.id).await?;
        tx.commit().await?;
        settings.ok_or_else(AppError::unauthenticated)
    }

    pub async fn save(
        cx: Context,
        alert_on_sign_in: bool,
        alert_on_failed_sign_in: bool,
        lockout_threshold: String,
        version: Option<i64>,
    ) -> Result<SafetySettings, AppError> {
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
    }

    fn bad_link() -> AppError {
        AppError::validation(
            "token",
            "This link has expired or has already been used. Sign in to get a new one, or ask an administrator of your organization.",
        )
    }

    pub async fn unlock_with_link(cx: Context, token: String) -> Result<(), AppError> {
        if !tokens::well_formed(token.trim()) {
            return Err(bad_link());
        }
        let mut tx = cx.write().await?;
        let Some((user_id, _)) = store::consume_link(
            &mut tx,
            &tokens::hash_token(token.trim()),
            LinkPurpose::Unlock,
            cx.now,
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
    }

    pub async fn not_me(cx: Context, token: String) -> Result<NotMeOutcome, AppError> {
        if !tokens::well_formed(token.trim()) {
            return Err(bad_link());
        }
        let mut tx = cx.write().await?;
        let Some((user_id, session_id)) = store::consume_link(
            &mut tx,
            &tokens::hash_token(token.trim()),
            LinkPurpose::NotMe,
            cx.now,
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
    }
}
