//! Organization settings (legal representatives and administrators): rename; require
//! two-factor authentication of every member (SEC-4); forbid password reset by SMS (SEC-12);
//! delete the organization once it is empty.

#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SettingsOverview {
    pub name: String,
    /// Sent back with a rename: a save from an older version is refused.
    pub version: i64,
    pub require_two_factor: bool,
    pub forbid_sms_reset: bool,
    /// Members without two-factor authentication (full names), for the decision to require it.
    pub without_two_factor: Vec<String>,
    /// People other than me, and products: both must be gone before the organization can be deleted.
    pub other_members: i64,
    pub products: i64,
}

impl SettingsOverview {
    /// Why the organization cannot be deleted yet, if it cannot.
    pub fn deletion_blocker(&self) -> Option<String> {
        let plural = |n: i64, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        match (self.other_members, self.products) {
            (0, 0) => None,
            (people, 0) => Some(format!(
                "Remove the {} first (Users).",
                plural(people, "other user", "other users")
            )),
            (0, products) => Some(format!(
                "It still has {}: they must be gone first.",
                plural(products, "product", "products")
            )),
            (people, products) => Some(format!(
                "Remove the {} first, and the {} must be gone.",
                plural(people, "other user", "other users"),
                plural(products, "product", "products")
            )),
        }
    }
}

#[server(endpoint = "organization_settings")]
pub async fn organization_settings(organization_id: i64) -> Result<SettingsOverview, AppError> {
    OrganizationSettings::serve(|cx| server_side::settings(cx, organization_id)).await
}

#[server(endpoint = "rename_organization")]
pub async fn rename_organization(
    organization_id: i64,
    name: String,
    /// The version the page showed (a program may leave it out to overwrite).
    version: Option<i64>,
) -> Result<(), AppError> {
    RenameOrganization::serve(|cx| server_side::rename(cx, organization_id, name, version)).await
}

/// Requires (or stops requiring) two-factor authentication of every member (SEC-4).
#[server(endpoint = "set_two_factor_requirement")]
pub async fn set_two_factor_requirement(
    organization_id: i64,
    required: bool,
) -> Result<(), AppError> {
    SetTwoFactorRequirement::serve(|cx| server_side::set_two_factor(cx, organization_id, required))
        .await
}

/// Forbids (or allows again) password reset by SMS for the members (SEC-12).
#[server(endpoint = "set_sms_reset_forbidden")]
pub async fn set_sms_reset_forbidden(
    organization_id: i64,
    forbidden: bool,
) -> Result<(), AppError> {
    SetSmsResetForbidden::serve(|cx| server_side::set_sms_reset(cx, organization_id, forbidden))
        .await
}

/// Deletes the organization, password asked; only once nobody else and no product is left.
/// Returns where to go next.
#[server(endpoint = "delete_organization")]
pub async fn delete_organization(
    organization_id: i64,
    password: String,
) -> Result<String, AppError> {
    DeleteOrganization::serve(|cx| server_side::delete(cx, organization_id, password)).await
}

#[cfg(feature = "ssr")]
pub mod store {
    use crate::db::Tx;
    use crate::on_db;

    /// (require_two_factor, forbid_sms_reset, version)
    pub async fn flags(
        tx: &mut Tx,
        organization_id: i64,
    ) -> Result<(bool, bool, i64), sqlx::Error> {
        const SQL: &str =
            "SELECT require_two_factor, forbid_sms_reset, version FROM organizations WHERE id = $1";
        on_db!(tx, |c| sqlx::query_as(SQL)
            .bind(organization_id)
            .fetch_one(&mut **c)
            .await)
    }

    /// Members without any second factor: (first name, last name, email).
    pub async fn without_two_factor(
        tx: &mut Tx,
        organization_id: i64,
    ) -> Result<Vec<(String, String, String)>, sqlx::Error> {
        const SQL: &str = "SELECT u.first_name, u.last_name, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
                           WHERE m.organization_id = $1 AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id) \
                           ORDER BY lower(u.last_name), lower(u.first_name), u.id";
        on_db!(tx, |c| sqlx::query_as(SQL)
            .bind(organization_id)
            .fetch_all(&mut **c)
            .await)
    }

    pub async fn count_products(tx: &mut Tx, organization_id: i64) -> Result<i64, sqlx::Error> {
        const SQL: &str = "SELECT COUNT(*) FROM products WHERE organization_id = $1";
        on_db!(tx, |c| sqlx::query_scalar(SQL)
            .bind(organization_id)
            .fetch_one(&mut **c)
            .await)
    }

    /// One of the columns `name`, `require_two_factor`, `forbid_sms_reset`.
    /// Renames, unless the organization is no longer at `version`; false then.
    pub async fn rename(
        tx: &mut Tx,
        organization_id: i64,
        name: &str,
        version: Option<i64>,
    ) -> Result<bool, sqlx::Error> {
        const SQL: &str = "UPDATE organizations SET name = $2, version = version + 1 \
                           WHERE id = $1 AND ($3 IS NULL OR version = $3)";
        let n = on_db!(tx, |c| sqlx::query(SQL)
            .bind(organization_id)
            .bind(name)
            .bind(version)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn set_require_two_factor(
        tx: &mut Tx,
        organization_id: i64,
        on: bool,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str = "UPDATE organizations SET require_two_factor = $2 WHERE id = $1";
        on_db!(tx, |c| sqlx::query(SQL)
            .bind(organization_id)
            .bind(on)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn set_forbid_sms_reset(
        tx: &mut Tx,
        organization_id: i64,
        on: bool,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str = "UPDATE organizations SET forbid_sms_reset = $2 WHERE id = $1";
        on_db!(tx, |c| sqlx::query(SQL)
            .bind(organization_id)
            .bind(on)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes the organization and, with it, its memberships, products, tags and invitations.
    /// Its activity-log rows stay (they name the organization by id only).
    pub async fn delete(tx: &mut Tx, organization_id: i64) -> Result<(), sqlx::Error> {
        const SQL: &str = "DELETE FROM organizations WHERE id = $1";
        on_db!(tx, |c| sqlx::query(SQL)
            .bind(organization_id)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The names of my organizations that require two-factor authentication.
    pub async fn requiring_two_factor(
        tx: &mut Tx,
        user_id: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        const SQL: &str =
            "SELECT o.name FROM memberships m JOIN organizations o ON o.id = m.organization_id \
                           WHERE m.user_id = $1 AND o.require_two_factor ORDER BY o.name";
        on_db!(tx, |c| sqlx::query_scalar(SQL)
            .bind(user_id)
            .fetch_all(&mut **c)
            .await)
    }
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::{store, SettingsOverview};
    use crate::access::{Context, Log};
    use crate::account::api::confirm_password;

    use crate::activity::ActivityAction;
    use crate::error::{AppError, ErrorCode};
    use crate::organizations::{normalize_organization_name, store as organizations};

    pub async fn settings(cx: Context, organization_id: i64) -> Result<SettingsOverview, AppError> {
        let mut tx = cx.read().await?;
        let membership = cx.member(&mut tx, organization_id).await?;
        let (require_two_factor, forbid_sms_reset, version) =
            store::flags(&mut tx, organization_id).await?;
        let without_two_factor = store::without_two_factor(&mut tx, organization_id)
            .await?
            .into_iter()
            .map(|(first, last, _)| format!("{first} {last}"))
            .collect();
        let other_members = organizations::count_members(&mut tx, organization_id).await? - 1;
        let products = store::count_products(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(SettingsOverview {
            name: membership.name,
            version,
            require_two_factor,
            forbid_sms_reset,
            without_two_factor,
            other_members,
            products,
        })
    }

    pub async fn rename(
        cx: Context,
        organization_id: i64,
        name: String,
        version: Option<i64>,
    ) -> Result<(), AppError> {
        let name = normalize_organization_name(&name)?;
        let mut tx = cx.write().await?;
        let membership = cx.member(&mut tx, organization_id).await?;
        if membership.name == name {
            return Err(AppError::validation("name", "This is already its name."));
        }
        if !store::rename(&mut tx, organization_id, &name, version).await? {
            return Err(AppError::stale());
        }
        let detail = format!("{} → {name}", membership.name);
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::OrganizationRenamed,
                organization_id,
                &detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_two_factor(
        cx: Context,
        organization_id: i64,
        required: bool,
    ) -> Result<(), AppError> {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        let membership = cx.member(&mut tx, organization_id).await?;
        let (current, _, _) = store::flags(&mut tx, organization_id).await?;
        if current == required {
            return Err(AppError::new(
                ErrorCode::Validation,
                if required {
                    "Two-factor authentication is already required."
                } else {
                    "Two-factor authentication is not required."
                },
            ));
        }
        // Whoever requires it must have it, or they would lock themselves out on the spot.
        if required && !crate::two_factor::store::has_second_factor(&mut tx, account.id).await? {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Turn on two-factor authentication for your own account first (Security), then require it of everyone.",
            ));
        }
        store::set_require_two_factor(&mut tx, organization_id, required).await?;
        let missing = store::without_two_factor(&mut tx, organization_id).await?;
        let detail = if required {
            format!("required; {} member(s) without it", missing.len())
        } else {
            "no longer required".to_owned()
        };
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::TwoFactorRequirementChanged,
                organization_id,
                &detail,
            ),
        )
        .await?;
        if required {
            // Everyone who now has to set it up is told why their next visit leads there.
            for (first, _, email) in &missing {
                let message = crate::mail::messages::two_factor_required(
                    email,
                    first,
                    &account.full_name(),
                    &membership.name,
                    organization_id,
                    &cx.state.settings.public_url,
                )?;
                crate::mail::store::enqueue(&mut tx, &message, cx.now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_sms_reset(
        cx: Context,
        organization_id: i64,
        forbidden: bool,
    ) -> Result<(), AppError> {
        let mut tx = cx.write().await?;
        cx.member(&mut tx, organization_id).await?;
        let (_, current, _) = store::flags(&mut tx, organization_id).await?;
        if current == forbidden {
            return Err(AppError::new(
                ErrorCode::Validation,
                "This is already the setting.",
            ));
        }
        store::set_forbid_sms_reset(&mut tx, organization_id, forbidden).await?;
        let detail = if forbidden { "forbidden" } else { "allowed" };
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::SmsResetSettingChanged,
                organization_id,
                detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete(
        cx: Context,
        organization_id: i64,
        password: String,
    ) -> Result<String, AppError> {
        let account = cx.account()?;
        // Membership first: a stranger learns nothing, not even whether the password is right.
        let mut tx = cx.read().await?;
        cx.member(&mut tx, organization_id).await?;
        tx.commit().await?;
        confirm_password(&cx, password).await?;
        let mut tx = cx.write().await?;
        let membership = cx.member(&mut tx, organization_id).await?;
        organizations::lock_organization(&mut tx, organization_id).await?;
        let others = organizations::count_members(&mut tx, organization_id).await? - 1;
        let products = store::count_products(&mut tx, organization_id).await?;
        let blocker = SettingsOverview {
            name: membership.name.clone(),
            version: 0,
            require_two_factor: false,
            forbid_sms_reset: false,
            without_two_factor: Vec::new(),
            other_members: others,
            products,
        }
        .deletion_blocker();
        if let Some(reason) = blocker {
            return Err(AppError::new(
                ErrorCode::Validation,
                format!("{} cannot be deleted yet. {reason}", membership.name),
            ));
        }
        store::delete(&mut tx, organization_id).await?;
        let detail = format!("{} (#{organization_id})", membership.name);
        cx.log(
            &mut tx,
            Log::own(ActivityAction::OrganizationDeleted, &detail),
        )
        .await?;
        let next = crate::account::api::landing_page(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(other_members: i64, products: i64) -> SettingsOverview {
        SettingsOverview {
            name: "Acme".into(),
            version: 1,
            require_two_factor: false,
            forbid_sms_reset: false,
            without_two_factor: vec![],
            other_members,
            products,
        }
    }

    #[test]
    fn an_organization_is_deleted_only_once_empty() {
        assert_eq!(with(0, 0).deletion_blocker(), None);
        assert_eq!(
            with(1, 0).deletion_blocker().as_deref(),
            Some("Remove the 1 other user first (Users).")
        );
        assert_eq!(
            with(0, 3).deletion_blocker().as_deref(),
            Some("It still has 3 products: they must be gone first.")
        );
        assert!(with(2, 1).deletion_blocker().is_some());
    }
}
