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
    /// I have two-factor authentication myself: nobody requires of others what they lack.
    #[serde(default)]
    pub i_have_two_factor: bool,
    /// This installation has a text-message provider: without one, reset by SMS does not
    /// exist and the page does not offer to forbid it.
    #[serde(default)]
    pub sms_available: bool,
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
    OrganizationSettings::serve(|cx| async move {
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let (require_two_factor, forbid_sms_reset, version) =
            organizations::settings_flags(&mut tx, organization_id).await?;
        let without_two_factor = organizations::without_two_factor(&mut tx, organization_id)
            .await?
            .into_iter()
            .map(|(first, last, _)| format!("{first} {last}"))
            .collect();
        let other_members =
            crate::access::store::count_members(&mut tx, organization_id).await? - 1;
        let products = organizations::count_products(&mut tx, organization_id).await?;
        let i_have_two_factor =
            crate::two_factor::store::has_second_factor(&mut tx, cx.account()?.id).await?;
        tx.commit().await?;
        Ok(SettingsOverview {
            i_have_two_factor,
            sms_available: cx.state.sms.is_some(),
            name: membership.name,
            version,
            require_two_factor,
            forbid_sms_reset,
            without_two_factor,
            other_members,
            products,
        })
    })
    .await
}

#[server(endpoint = "rename_organization")]
pub async fn rename_organization(
    organization_id: i64,
    name: String,
    /// The version the page showed (a program may leave it out to overwrite).
    version: Option<i64>,
) -> Result<(), AppError> {
    RenameOrganization::serve(|cx| async move {
        let name = normalize_organization_name(&name)?;
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        if membership.name == name {
            return Err(AppError::validation("name", "This is already its name."));
        }
        if !organizations::rename_if(&mut tx, organization_id, &name, version).await? {
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
    })
    .await
}

/// Requires (or stops requiring) two-factor authentication of every member (SEC-4).
#[server(endpoint = "set_two_factor_requirement")]
pub async fn set_two_factor_requirement(
    organization_id: i64,
    required: bool,
) -> Result<(), AppError> {
    SetTwoFactorRequirement::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        let (current, _, _) = organizations::settings_flags(&mut tx, organization_id).await?;
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
        organizations::set_require_two_factor(&mut tx, organization_id, required).await?;
        let missing = organizations::without_two_factor(&mut tx, organization_id).await?;
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
                crate::mail::store::enqueue(&mut tx, &message, cx.now()).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Forbids (or allows again) password reset by SMS for the members (SEC-12).
#[server(endpoint = "set_sms_reset_forbidden")]
pub async fn set_sms_reset_forbidden(
    organization_id: i64,
    forbidden: bool,
) -> Result<(), AppError> {
    SetSmsResetForbidden::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let (_, current, _) = organizations::settings_flags(&mut tx, organization_id).await?;
        if current == forbidden {
            return Err(AppError::new(
                ErrorCode::Validation,
                "This is already the setting.",
            ));
        }
        organizations::set_forbid_sms_reset(&mut tx, organization_id, forbidden).await?;
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
    })
    .await
}

/// Deletes the organization, password asked; only once nobody else and no product is left.
/// Returns where to go next.
#[server(endpoint = "delete_organization")]
pub async fn delete_organization(
    organization_id: i64,
    password: String,
) -> Result<String, AppError> {
    DeleteOrganization::serve(|cx| async move {
        let account = cx.account()?;
        // Membership first: a stranger learns nothing, not even whether the password is right.
        let (tx, _) = cx.read_in(organization_id).await?;
        tx.commit().await?;
        confirm_password(&cx, password).await?;
        let (mut tx, membership) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let others = crate::access::store::count_members(&mut tx, organization_id).await? - 1;
        let products = organizations::count_products(&mut tx, organization_id).await?;
        let blocker = SettingsOverview {
            name: membership.name.clone(),
            version: 0,
            require_two_factor: false,
            forbid_sms_reset: false,
            without_two_factor: Vec::new(),
            other_members: others,
            products,
            i_have_two_factor: false,
            sms_available: false,
        }
        .deletion_blocker();
        if let Some(reason) = blocker {
            return Err(AppError::new(
                ErrorCode::Validation,
                format!("{} cannot be deleted yet. {reason}", membership.name),
            ));
        }
        organizations::delete_organization(&mut tx, organization_id).await?;
        let detail = format!("{} (#{organization_id})", membership.name);
        cx.log(
            &mut tx,
            Log::own(ActivityAction::OrganizationDeleted, &detail),
        )
        .await?;
        let next = crate::account::api::landing_page(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(next)
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

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::error::ErrorCode;
    pub(super) use crate::organizations::{normalize_organization_name, store as organizations};
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
            i_have_two_factor: true,
            sms_available: false,
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
