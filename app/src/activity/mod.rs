//! The activity log: an append-only record of every state change, written in the same
//! transaction as the change itself.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 25;

/// What happened. Stored by [`ActivityAction::as_str`]; never renamed once released.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActivityAction {
    SignUp,
    SignInSucceeded,
    SignInFailed,
    SignOut,
    OrganizationCreated,
    SecondFactorRequested,
    SecondFactorFailed,
    SignInCancelled,
    TwoFactorMethodAdded,
    TwoFactorMethodRemoved,
    TwoFactorDefaultChanged,
    TwoFactorDisabled,
    BackupCodesGenerated,
    SafetySettingsChanged,
    AccountUnlocked,
    NotMeReported,
    SessionEnded,
    OtherSessionsEnded,
    AppPasswordCreated,
    AppPasswordRevoked,
    ApiTokenCreated,
    ApiTokenRevoked,
    CredentialsRevoked,
    PasswordChanged,
    EmailChangeRequested,
    EmailChanged,
    RecoveryContactsChanged,
    TagCreated,
    TagChanged,
    TagDeleted,
    ProductsTagged,
    ProductsUntagged,
    ProductBlocked,
    ProductUnblocked,
    RoleChanged,
    InvitationSent,
    InvitationResent,
    InvitationRevoked,
    InvitationAccepted,
    MemberBlocked,
    MemberUnblocked,
    MemberRemoved,
    LeftOrganization,
    OrganizationRenamed,
    TwoFactorRequirementChanged,
    SmsResetSettingChanged,
    OrganizationDeleted,
}

impl ActivityAction {
    pub const ALL: [ActivityAction; 47] = [
        ActivityAction::SignUp,
        ActivityAction::SignInSucceeded,
        ActivityAction::SignInFailed,
        ActivityAction::SignOut,
        ActivityAction::OrganizationCreated,
        ActivityAction::SecondFactorRequested,
        ActivityAction::SecondFactorFailed,
        ActivityAction::SignInCancelled,
        ActivityAction::TwoFactorMethodAdded,
        ActivityAction::TwoFactorMethodRemoved,
        ActivityAction::TwoFactorDefaultChanged,
        ActivityAction::TwoFactorDisabled,
        ActivityAction::BackupCodesGenerated,
        ActivityAction::SafetySettingsChanged,
        ActivityAction::AccountUnlocked,
        ActivityAction::NotMeReported,
        ActivityAction::SessionEnded,
        ActivityAction::OtherSessionsEnded,
        ActivityAction::AppPasswordCreated,
        ActivityAction::AppPasswordRevoked,
        ActivityAction::ApiTokenCreated,
        ActivityAction::ApiTokenRevoked,
        ActivityAction::CredentialsRevoked,
        ActivityAction::PasswordChanged,
        ActivityAction::EmailChangeRequested,
        ActivityAction::EmailChanged,
        ActivityAction::RecoveryContactsChanged,
        ActivityAction::TagCreated,
        ActivityAction::TagChanged,
        ActivityAction::TagDeleted,
        ActivityAction::ProductsTagged,
        ActivityAction::ProductsUntagged,
        ActivityAction::ProductBlocked,
        ActivityAction::ProductUnblocked,
        ActivityAction::RoleChanged,
        ActivityAction::InvitationSent,
        ActivityAction::InvitationResent,
        ActivityAction::InvitationRevoked,
        ActivityAction::InvitationAccepted,
        ActivityAction::MemberBlocked,
        ActivityAction::MemberUnblocked,
        ActivityAction::MemberRemoved,
        ActivityAction::LeftOrganization,
        ActivityAction::OrganizationRenamed,
        ActivityAction::TwoFactorRequirementChanged,
        ActivityAction::SmsResetSettingChanged,
        ActivityAction::OrganizationDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityAction::SignUp => "sign_up",
            ActivityAction::SignInSucceeded => "sign_in_succeeded",
            ActivityAction::SignInFailed => "sign_in_failed",
            ActivityAction::SignOut => "sign_out",
            ActivityAction::OrganizationCreated => "organization_created",
            ActivityAction::SecondFactorRequested => "second_factor_requested",
            ActivityAction::SecondFactorFailed => "second_factor_failed",
            ActivityAction::SignInCancelled => "sign_in_cancelled",
            ActivityAction::TwoFactorMethodAdded => "two_factor_method_added",
            ActivityAction::TwoFactorMethodRemoved => "two_factor_method_removed",
            ActivityAction::TwoFactorDefaultChanged => "two_factor_default_changed",
            ActivityAction::TwoFactorDisabled => "two_factor_disabled",
            ActivityAction::BackupCodesGenerated => "backup_codes_generated",
            ActivityAction::SafetySettingsChanged => "safety_settings_changed",
            ActivityAction::AccountUnlocked => "account_unlocked",
            ActivityAction::NotMeReported => "not_me_reported",
            ActivityAction::SessionEnded => "session_ended",
            ActivityAction::OtherSessionsEnded => "other_sessions_ended",
            ActivityAction::AppPasswordCreated => "app_password_created",
            ActivityAction::AppPasswordRevoked => "app_password_revoked",
            ActivityAction::ApiTokenCreated => "api_token_created",
            ActivityAction::ApiTokenRevoked => "api_token_revoked",
            ActivityAction::CredentialsRevoked => "credentials_revoked",
            ActivityAction::PasswordChanged => "password_changed",
            ActivityAction::EmailChangeRequested => "email_change_requested",
            ActivityAction::EmailChanged => "email_changed",
            ActivityAction::RecoveryContactsChanged => "recovery_contacts_changed",
            ActivityAction::TagCreated => "tag_created",
            ActivityAction::TagChanged => "tag_changed",
            ActivityAction::TagDeleted => "tag_deleted",
            ActivityAction::ProductsTagged => "products_tagged",
            ActivityAction::ProductsUntagged => "products_untagged",
            ActivityAction::ProductBlocked => "product_blocked",
            ActivityAction::ProductUnblocked => "product_unblocked",
            ActivityAction::RoleChanged => "role_changed",
            ActivityAction::InvitationSent => "invitation_sent",
            ActivityAction::InvitationResent => "invitation_resent",
            ActivityAction::InvitationRevoked => "invitation_revoked",
            ActivityAction::InvitationAccepted => "invitation_accepted",
            ActivityAction::MemberBlocked => "member_blocked",
            ActivityAction::MemberUnblocked => "member_unblocked",
            ActivityAction::MemberRemoved => "member_removed",
            ActivityAction::LeftOrganization => "left_organization",
            ActivityAction::OrganizationRenamed => "organization_renamed",
            ActivityAction::TwoFactorRequirementChanged => "two_factor_requirement_changed",
            ActivityAction::SmsResetSettingChanged => "sms_reset_setting_changed",
            ActivityAction::OrganizationDeleted => "organization_deleted",
        }
    }

    pub fn parse(value: &str) -> Option<ActivityAction> {
        ActivityAction::ALL
            .into_iter()
            .find(|a| a.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityAction::SignUp => "Account created",
            ActivityAction::SignInSucceeded => "Signed in",
            ActivityAction::SignInFailed => "Failed sign-in",
            ActivityAction::SignOut => "Signed out",
            ActivityAction::OrganizationCreated => "Organization created",
            ActivityAction::SecondFactorRequested => "Password accepted, second factor requested",
            ActivityAction::SecondFactorFailed => "Wrong second-factor code",
            ActivityAction::SignInCancelled => "Sign-in cancelled",
            ActivityAction::TwoFactorMethodAdded => "Two-factor method added",
            ActivityAction::TwoFactorMethodRemoved => "Two-factor method removed",
            ActivityAction::TwoFactorDefaultChanged => "Default two-factor method changed",
            ActivityAction::TwoFactorDisabled => "Two-factor authentication turned off",
            ActivityAction::BackupCodesGenerated => "New backup codes generated",
            ActivityAction::SafetySettingsChanged => "Sign-in alerts and lockout changed",
            ActivityAction::AccountUnlocked => "Account unlocked",
            ActivityAction::NotMeReported => "Sign-in reported as not mine",
            ActivityAction::SessionEnded => "Session ended",
            ActivityAction::OtherSessionsEnded => "Other sessions ended",
            ActivityAction::AppPasswordCreated => "Application password created",
            ActivityAction::AppPasswordRevoked => "Application password revoked",
            ActivityAction::ApiTokenCreated => "API token created",
            ActivityAction::ApiTokenRevoked => "API token revoked",
            ActivityAction::CredentialsRevoked => {
                "All application passwords and API tokens revoked"
            }
            ActivityAction::PasswordChanged => "Password changed",
            ActivityAction::EmailChangeRequested => "Login email change requested",
            ActivityAction::EmailChanged => "Login email changed",
            ActivityAction::RecoveryContactsChanged => "Recovery email and phone changed",
            ActivityAction::TagCreated => "Tag created",
            ActivityAction::TagChanged => "Tag renamed or recoloured",
            ActivityAction::TagDeleted => "Tag deleted",
            ActivityAction::ProductsTagged => "Tag put on products",
            ActivityAction::ProductsUntagged => "Tag taken off products",
            ActivityAction::ProductBlocked => "Product management blocked",
            ActivityAction::ProductUnblocked => "Product management unblocked",
            ActivityAction::RoleChanged => "Role changed",
            ActivityAction::InvitationSent => "Invitation sent",
            ActivityAction::InvitationResent => "Invitation sent again",
            ActivityAction::InvitationRevoked => "Invitation revoked",
            ActivityAction::InvitationAccepted => "Invitation accepted",
            ActivityAction::MemberBlocked => "User blocked",
            ActivityAction::MemberUnblocked => "User unblocked",
            ActivityAction::MemberRemoved => "User removed from the organization",
            ActivityAction::LeftOrganization => "Left the organization",
            ActivityAction::OrganizationRenamed => "Organization renamed",
            ActivityAction::TwoFactorRequirementChanged => "Two-factor requirement changed",
            ActivityAction::SmsResetSettingChanged => "Password reset by SMS setting changed",
            ActivityAction::OrganizationDeleted => "Organization deleted",
        }
    }
}

/// One line of the log as shown to its reader.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ActivityEntry {
    pub id: i64,
    pub occurred_at: i64,
    /// `None` for an action type this build does not know (written by a newer version).
    pub action: Option<ActivityAction>,
    pub action_code: String,
    pub organization_name: Option<String>,
    pub detail: String,
    pub ip: String,
    pub user_agent: String,
}

/// A page of entries, newest first, and the cursor for the next (older) page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    pub older: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip() {
        for action in ActivityAction::ALL {
            assert_eq!(ActivityAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(ActivityAction::parse("made_up"), None);
    }
}
