//! Deleting my account (ACC-5): password asked one last time; refused while an organization
//! would be left without a legal representative or without any user. Afterwards my sessions,
//! secrets and memberships are gone; the organizations' products and logs stay.

#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// Why my account cannot be deleted yet: one sentence per organization that stands in the way.
#[server(endpoint = "account_deletion_check")]
pub async fn account_deletion_check() -> Result<Vec<String>, AppError> {
    AccountDeletionCheck::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let reasons = blockers(&mut tx, account.id, false).await?;
        tx.commit().await?;
        Ok(reasons)
    })
    .await
}

/// Deletes my account for good. Returns where to go next (the sign-in page).
#[server(endpoint = "delete_my_account")]
pub async fn delete_my_account(
    password: String,
    understood: Option<String>,
) -> Result<String, AppError> {
    DeleteMyAccount::serve(|cx| async move {
        let understood: bool = understood.is_some();
        let account = cx.account()?;
        confirm_password(&cx, password).await?;
        if !understood {
            return Err(AppError::validation(
                "understood",
                "Tick the box to confirm that your account is deleted for good.",
            ));
        }
        let mut tx = cx.write().await?;
        let reasons = blockers(&mut tx, account.id, true).await?;
        if !reasons.is_empty() {
            return Err(AppError::new(ErrorCode::Validation, reasons.join(" ")));
        }
        cx.log(
            &mut tx,
            Log::own(ActivityAction::AccountDeleted, &account.email),
        )
        .await?;
        crate::account::store::delete_user(&mut tx, account.id).await?;
        let email = crate::mail::messages::account_deleted(&account.email, &account.first_name)?;
        crate::mail::store::enqueue(&mut tx, &email, cx.now()).await?;
        tx.commit().await?;
        request::set_cookie(&tokens::clearing_cookie(request::secure_cookies(
            &cx.state, &cx.origin,
        )));
        Ok("/login".to_owned())
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use crate::access::Log;
    pub(super) use crate::account::api::confirm_password;
    pub(super) use crate::tokens;

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};

    pub(super) use crate::access::organization;
    pub(super) use crate::request;

    /// The organizations my leaving would orphan, each with what to do about it.
    pub(super) async fn blockers(
        tx: &mut Tx,
        user_id: i64,
        lock: bool,
    ) -> Result<Vec<String>, AppError> {
        let mut reasons = Vec::new();
        for membership in crate::access::store::memberships_of(tx, user_id).await? {
            if lock {
                crate::access::store::lock_organization(tx, membership.id).await?;
            }
            let leaving = organization::leaving(
                organization::Standing {
                    role: membership.role,
                    blocked: membership.blocked,
                },
                organization::Headcount::of(tx, membership.id).await?,
            );
            if leaving.last_member {
                reasons.push(format!(
                    "You are the only user of {}: delete that organization first (its Settings), or invite someone and make them its legal representative.",
                    membership.name
                ));
            } else if leaving.last_legal_representative {
                reasons.push(format!(
                    "You are the only legal representative of {}: make someone else its legal representative first.",
                    membership.name
                ));
            }
        }
        Ok(reasons)
    }
}
