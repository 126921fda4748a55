//! Deleting my account (ACC-5): password asked one last time; refused while an organization
//! would be left without a legal representative or without any user. Afterwards my sessions,
//! secrets and memberships are gone; the organizations' products and logs stay.

use crate::error::AppError;
use leptos::prelude::*;

/// Why my account cannot be deleted yet: one sentence per organization that stands in the way.
#[server(endpoint = "account_deletion_check")]
pub async fn account_deletion_check() -> Result<Vec<String>, AppError> {
    crate::request::respond(server_side::check().await)
}

/// Deletes my account for good. Returns where to go next (the sign-in page).
#[server(endpoint = "delete_my_account")]
pub async fn delete_my_account(
    password: String,
    understood: Option<String>,
) -> Result<String, AppError> {
    crate::request::respond(server_side::delete(password, understood.is_some()).await)
}

#[cfg(feature = "ssr")]
mod server_side {
    use crate::account::api::{authenticate_in_person, confirm_password};
    use crate::account::session;
    use crate::activity::store::record_own;
    use crate::activity::ActivityAction;
    use crate::db::Tx;
    use crate::error::{AppError, ErrorCode};
    use crate::on_db;
    use crate::organizations::store as organizations;
    use crate::policy::Role;
    use crate::request;

    /// The organizations my leaving would orphan, each with what to do about it.
    async fn blockers(tx: &mut Tx, user_id: i64, lock: bool) -> Result<Vec<String>, AppError> {
        let mut reasons = Vec::new();
        for membership in organizations::memberships_of(tx, user_id).await? {
            if lock {
                organizations::lock_organization(tx, membership.id).await?;
            }
            if organizations::count_members(tx, membership.id).await? <= 1 {
                reasons.push(format!(
                    "You are the only user of {}: delete that organization first (its Settings), or invite someone and make them its legal representative.",
                    membership.name
                ));
            } else if membership.role == Role::LegalRepresentative
                && organizations::count_role(tx, membership.id, Role::LegalRepresentative).await?
                    <= 1
            {
                reasons.push(format!(
                    "You are the only legal representative of {}: make someone else its legal representative first.",
                    membership.name
                ));
            }
        }
        Ok(reasons)
    }

    pub async fn check() -> Result<Vec<String>, AppError> {
        let state = request::state()?;
        let account = authenticate_in_person(&state).await?;
        let mut tx = state.db.read().await?;
        let reasons = blockers(&mut tx, account.id, false).await?;
        tx.commit().await?;
        Ok(reasons)
    }

    pub async fn delete(password: String, understood: bool) -> Result<String, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_in_person(&state).await?;
        confirm_password(&state, account.id, password).await?;
        if !understood {
            return Err(AppError::validation(
                "understood",
                "Tick the box to confirm that your account is deleted for good.",
            ));
        }
        let now = state.now();
        let mut tx = state.db.write().await?;
        let reasons = blockers(&mut tx, account.id, true).await?;
        if !reasons.is_empty() {
            return Err(AppError::new(ErrorCode::Validation, reasons.join(" ")));
        }
        record_own(
            &mut tx,
            ActivityAction::AccountDeleted,
            account.id,
            &account.email,
            &origin,
            now,
        )
        .await?;
        // Sessions, second factors, backup codes, application passwords, API tokens,
        // memberships and product accesses go with the row (ON DELETE CASCADE); products,
        // invitations sent and the activity log stay, pointing at nobody.
        const SQL: &str = "DELETE FROM users WHERE id = $1";
        on_db!(&mut tx, |c| sqlx::query(SQL)
            .bind(account.id)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        let body = format!(
            "Hello {first},\n\nYour Steward account {email} was deleted, as you asked. Your sessions, passwords, two-factor methods, application passwords and API tokens no longer exist, and you left all your organizations.\n\nIf you did not ask for this, contact the organizations you belonged to.\n{signature}",
            first = account.first_name,
            email = account.email,
            signature = crate::mail::signature(),
        );
        let email =
            crate::mail::Email::new(&account.email, "Your Steward account is deleted", body)?;
        crate::mail::store::enqueue(&mut tx, &email, now).await?;
        tx.commit().await?;
        request::set_cookie(&session::clearing_cookie(request::secure_cookies(
            &state, &origin,
        )));
        Ok("/login".to_owned())
    }
}
