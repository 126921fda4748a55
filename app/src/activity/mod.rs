//! The activity log: an append-only record of every state change, written in the same
//! transaction as the change itself.

#[cfg(feature = "ssr")]
pub mod store;

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
    AccountDeleted,
    ProfileChanged,
    AvatarChanged,
    PasswordCheckFailed,
    IdentityConfirmed,
    AppPasswordFailed,
    PasswordResetRequested,
    PasswordReset,
    EmailConfirmed,
    SignUpAttempted,
    BillingAddressAdded,
    BillingAddressChanged,
    BillingAddressMadeDefault,
    BillingAddressDeleted,
    PrepaidTopUp,
    BillingNotificationChanged,
    ExpiryRemindersChanged,
    ExpiryReminderSent,
    CartChanged,
    OrderPlaced,
    OrderPaid,
    OrderCancelled,
    ProductOrdered,
    ProductRenewed,
    PromoCodeCreated,
    FreeOfferGranted,
    WithdrawalRequested,
    WithdrawalCompleted,
    WithdrawalReversed,
    AutoRenewChanged,
    RenewalReminderSent,
    RenewalFailed,
    DomainStageChanged,
    DomainRestored,
    WarrantyBought,
    DomainTransferred,
    TransferFailed,
    MailAddressCreated,
    MailUserAdded,
    MailUserRemoved,
    MailRightsChanged,
    MailDefaultsChanged,
    MailMaintenanceChanged,
    DevicePasswordCreated,
    DeviceDisconnected,
    DeviceSetupSent,
    DeviceSignInRefused,
}

impl ActivityAction {
    pub const ALL: [ActivityAction; 94] = [
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
        ActivityAction::AccountDeleted,
        ActivityAction::ProfileChanged,
        ActivityAction::AvatarChanged,
        ActivityAction::PasswordCheckFailed,
        ActivityAction::IdentityConfirmed,
        ActivityAction::AppPasswordFailed,
        ActivityAction::PasswordResetRequested,
        ActivityAction::PasswordReset,
        ActivityAction::EmailConfirmed,
        ActivityAction::SignUpAttempted,
        ActivityAction::BillingAddressAdded,
        ActivityAction::BillingAddressChanged,
        ActivityAction::BillingAddressMadeDefault,
        ActivityAction::BillingAddressDeleted,
        ActivityAction::PrepaidTopUp,
        ActivityAction::BillingNotificationChanged,
        ActivityAction::ExpiryRemindersChanged,
        ActivityAction::ExpiryReminderSent,
        ActivityAction::CartChanged,
        ActivityAction::OrderPlaced,
        ActivityAction::OrderPaid,
        ActivityAction::OrderCancelled,
        ActivityAction::ProductOrdered,
        ActivityAction::ProductRenewed,
        ActivityAction::PromoCodeCreated,
        ActivityAction::FreeOfferGranted,
        ActivityAction::WithdrawalRequested,
        ActivityAction::WithdrawalCompleted,
        ActivityAction::WithdrawalReversed,
        ActivityAction::AutoRenewChanged,
        ActivityAction::RenewalReminderSent,
        ActivityAction::RenewalFailed,
        ActivityAction::DomainStageChanged,
        ActivityAction::DomainRestored,
        ActivityAction::WarrantyBought,
        ActivityAction::DomainTransferred,
        ActivityAction::TransferFailed,
        ActivityAction::MailAddressCreated,
        ActivityAction::MailUserAdded,
        ActivityAction::MailUserRemoved,
        ActivityAction::MailRightsChanged,
        ActivityAction::MailDefaultsChanged,
        ActivityAction::MailMaintenanceChanged,
        ActivityAction::DevicePasswordCreated,
        ActivityAction::DeviceDisconnected,
        ActivityAction::DeviceSetupSent,
        ActivityAction::DeviceSignInRefused,
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
            ActivityAction::AccountDeleted => "account_deleted",
            ActivityAction::ProfileChanged => "profile_changed",
            ActivityAction::AvatarChanged => "avatar_changed",
            ActivityAction::PasswordCheckFailed => "password_check_failed",
            ActivityAction::IdentityConfirmed => "identity_confirmed",
            ActivityAction::AppPasswordFailed => "app_password_failed",
            ActivityAction::PasswordResetRequested => "password_reset_requested",
            ActivityAction::PasswordReset => "password_reset",
            ActivityAction::EmailConfirmed => "email_confirmed",
            ActivityAction::SignUpAttempted => "sign_up_attempted",
            ActivityAction::BillingAddressAdded => "billing_address_added",
            ActivityAction::BillingAddressChanged => "billing_address_changed",
            ActivityAction::BillingAddressMadeDefault => "billing_address_made_default",
            ActivityAction::BillingAddressDeleted => "billing_address_deleted",
            ActivityAction::PrepaidTopUp => "prepaid_top_up",
            ActivityAction::BillingNotificationChanged => "billing_notification_changed",
            ActivityAction::ExpiryRemindersChanged => "expiry_reminders_changed",
            ActivityAction::ExpiryReminderSent => "expiry_reminder_sent",
            ActivityAction::CartChanged => "cart_changed",
            ActivityAction::OrderPlaced => "order_placed",
            ActivityAction::OrderPaid => "order_paid",
            ActivityAction::OrderCancelled => "order_cancelled",
            ActivityAction::ProductOrdered => "product_ordered",
            ActivityAction::ProductRenewed => "product_renewed",
            ActivityAction::PromoCodeCreated => "promo_code_created",
            ActivityAction::FreeOfferGranted => "free_offer_granted",
            ActivityAction::WithdrawalRequested => "withdrawal_requested",
            ActivityAction::WithdrawalCompleted => "withdrawal_completed",
            ActivityAction::WithdrawalReversed => "withdrawal_reversed",
            ActivityAction::AutoRenewChanged => "auto_renew_changed",
            ActivityAction::RenewalReminderSent => "renewal_reminder_sent",
            ActivityAction::RenewalFailed => "renewal_failed",
            ActivityAction::DomainStageChanged => "domain_stage_changed",
            ActivityAction::DomainRestored => "domain_restored",
            ActivityAction::WarrantyBought => "warranty_bought",
            ActivityAction::DomainTransferred => "domain_transferred",
            ActivityAction::TransferFailed => "transfer_failed",
            ActivityAction::MailAddressCreated => "mail_address_created",
            ActivityAction::MailUserAdded => "mail_user_added",
            ActivityAction::MailUserRemoved => "mail_user_removed",
            ActivityAction::MailRightsChanged => "mail_rights_changed",
            ActivityAction::MailDefaultsChanged => "mail_defaults_changed",
            ActivityAction::MailMaintenanceChanged => "mail_maintenance_changed",
            ActivityAction::DevicePasswordCreated => "device_password_created",
            ActivityAction::DeviceDisconnected => "device_disconnected",
            ActivityAction::DeviceSetupSent => "device_setup_sent",
            ActivityAction::DeviceSignInRefused => "device_sign_in_refused",
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
            ActivityAction::AccountDeleted => "Account deleted",
            ActivityAction::ProfileChanged => "Name changed",
            ActivityAction::AvatarChanged => "Profile picture changed",
            ActivityAction::PasswordCheckFailed => "Wrong password given to confirm a change",
            ActivityAction::IdentityConfirmed => "Confirmed it's them with the password",
            ActivityAction::AppPasswordFailed => "Wrong application password",
            ActivityAction::PasswordResetRequested => "Password reset requested",
            ActivityAction::PasswordReset => "Password reset through an emailed link",
            ActivityAction::EmailConfirmed => "Email address confirmed",
            ActivityAction::SignUpAttempted => "Someone tried to sign up with this address",
            ActivityAction::BillingAddressAdded => "Billing address added",
            ActivityAction::BillingAddressChanged => "Billing address changed",
            ActivityAction::BillingAddressMadeDefault => "Default billing address changed",
            ActivityAction::BillingAddressDeleted => "Billing address deleted",
            ActivityAction::PrepaidTopUp => "Prepaid account topped up",
            ActivityAction::BillingNotificationChanged => "Billing email turned on or off",
            ActivityAction::ExpiryRemindersChanged => "Expiry reminders changed",
            ActivityAction::ExpiryReminderSent => "Expiry reminder sent",
            ActivityAction::CartChanged => "Cart changed",
            ActivityAction::OrderPlaced => "Order placed",
            ActivityAction::OrderPaid => "Order paid",
            ActivityAction::OrderCancelled => "Order cancelled",
            ActivityAction::ProductOrdered => "Product ordered",
            ActivityAction::ProductRenewed => "Product renewed",
            ActivityAction::PromoCodeCreated => "Promo code created",
            ActivityAction::FreeOfferGranted => "Free offer granted",
            ActivityAction::WithdrawalRequested => "Withdrawal requested",
            ActivityAction::WithdrawalCompleted => "Withdrawal paid out",
            ActivityAction::WithdrawalReversed => "Withdrawal given back",
            ActivityAction::AutoRenewChanged => "Automatic renewal turned on or off",
            ActivityAction::RenewalReminderSent => "Renewal reminder sent",
            ActivityAction::RenewalFailed => "Automatic renewal failed",
            ActivityAction::DomainStageChanged => "Domain moved on after expiry",
            ActivityAction::DomainRestored => "Domain restored",
            ActivityAction::WarrantyBought => "Renewal warranty bought",
            ActivityAction::DomainTransferred => "Domain transferred in",
            ActivityAction::TransferFailed => "Domain transfer failed",
            ActivityAction::MailAddressCreated => "Mail address created",
            ActivityAction::MailUserAdded => "Mail address user added",
            ActivityAction::MailUserRemoved => "Mail address user removed",
            ActivityAction::MailRightsChanged => "Mail permissions changed",
            ActivityAction::MailDefaultsChanged => "Mail global configuration changed",
            ActivityAction::MailMaintenanceChanged => "Mail address maintenance",
            ActivityAction::DevicePasswordCreated => "Device password created",
            ActivityAction::DeviceDisconnected => "Device disconnected",
            ActivityAction::DeviceSetupSent => "Device setup link created",
            ActivityAction::DeviceSignInRefused => "Device sign-in refused",
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
    /// Who did it (`None` once their account is gone, or for an unknown sign-in).
    pub actor: Option<String>,
    /// The product it is about, when it is about one that still exists.
    pub product_name: Option<String>,
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

/// The filters of the activity pages (SEC-9) as typed: every field may be empty.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ActivityFilter {
    /// First day included, `YYYY-MM-DD` (UTC).
    pub from: String,
    /// Last day included, `YYYY-MM-DD` (UTC).
    pub to: String,
    /// An action code (`ActivityAction::as_str`).
    pub action: String,
    /// A product id.
    pub product: String,
    /// Free text, matched in the details and the IP address.
    pub search: String,
}

/// A checked filter, ready for the query.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ActivityQuery {
    /// Entries at or after this instant.
    pub from: Option<i64>,
    /// Entries strictly before this instant (the day after the last day included).
    pub until: Option<i64>,
    pub action: Option<ActivityAction>,
    pub product: Option<i64>,
    /// A LIKE pattern (lower-case, wildcards escaped).
    pub search: Option<String>,
}

pub const SEARCH_MAX_CHARS: usize = 100;

impl ActivityFilter {
    pub fn parse(&self) -> Result<ActivityQuery, crate::error::AppError> {
        use crate::error::AppError;
        let day = |field: &str, text: &str| -> Result<Option<i64>, AppError> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            crate::format::parse_date(text)
                .map(Some)
                .ok_or_else(|| AppError::validation(field, "Enter a date like 2026-11-22."))
        };
        let from = day("from", &self.from)?;
        let until = day("to", &self.to)?.map(|d| d + 86_400);
        if let (Some(from), Some(until)) = (from, until) {
            if from >= until {
                return Err(AppError::validation(
                    "to",
                    "The last day comes before the first day.",
                ));
            }
        }
        let action = match self.action.trim() {
            "" => None,
            code => Some(ActivityAction::parse(code).ok_or_else(|| {
                AppError::validation("action", "Choose an action type from the list.")
            })?),
        };
        let product =
            match self.product.trim() {
                "" => None,
                id => Some(id.parse::<i64>().map_err(|_| {
                    AppError::validation("product", "Choose a product from the list.")
                })?),
            };
        let search = self.search.trim();
        if search.chars().count() > SEARCH_MAX_CHARS {
            return Err(AppError::validation(
                "search",
                format!("Search with at most {SEARCH_MAX_CHARS} characters."),
            ));
        }
        let search = (!search.is_empty()).then(|| crate::format::like_pattern(search));
        Ok(ActivityQuery {
            from,
            until,
            action,
            product,
            search,
        })
    }

    /// The filter as a query string (without `?`), for links to other pages and the CSV export.
    pub fn query_string(&self) -> String {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("action", &self.action),
            ("product", &self.product),
            ("search", &self.search),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", crate::format::percent_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, with
/// quotes doubled. A leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet does
/// not run it as a formula.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The CSV header and one line per entry, each ending in CRLF.
pub const CSV_HEADER: &str =
    "id,time_utc,action,action_label,organization,actor,product,detail,ip,user_agent\r\n";

pub fn csv_line(entry: &ActivityEntry) -> String {
    let fields = [
        entry.id.to_string(),
        // UTC, as the column says, whoever exports; plain spaces in a file for spreadsheets,
        // which read `22.11.2026 13:05` as a time.
        crate::format::datetime_in(entry.occurred_at, &crate::format::Zone::utc())
            .replace('\u{a0}', " ")
            .trim_end_matches(" UTC")
            .to_owned(),
        entry.action_code.clone(),
        entry
            .action
            .map(|a| a.label().to_owned())
            .unwrap_or_default(),
        entry.organization_name.clone().unwrap_or_default(),
        entry.actor.clone().unwrap_or_default(),
        entry.product_name.clone().unwrap_or_default(),
        entry.detail.clone(),
        entry.ip.clone(),
        entry.user_agent.clone(),
    ];
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// One sign-in attempt in the connection log.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Connection {
    pub id: i64,
    pub occurred_at: i64,
    pub succeeded: bool,
    /// How: "password", "password and authenticator app", "wrong password", …
    pub method: String,
    pub ip: String,
    pub device: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ConnectionPage {
    pub entries: Vec<Connection>,
    /// Cursor for the next (older) page.
    pub older: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_and_days_are_whole() {
        let query = ActivityFilter {
            from: "2026-11-01".into(),
            to: "2026-11-01".into(),
            action: "role_changed".into(),
            product: "7".into(),
            search: " 50% ".into(),
        }
        .parse()
        .expect("valid");
        assert_eq!(
            query.until.zip(query.from).map(|(u, f)| u - f),
            Some(86_400)
        );
        assert_eq!(query.action, Some(ActivityAction::RoleChanged));
        assert_eq!(query.product, Some(7));
        assert_eq!(query.search.as_deref(), Some("%50\\%%"));
        let bad = |f: ActivityFilter| f.parse().expect_err("refused").field;
        assert_eq!(
            bad(ActivityFilter {
                from: "2026-13-01".into(),
                ..Default::default()
            })
            .as_deref(),
            Some("from")
        );
        assert_eq!(
            bad(ActivityFilter {
                from: "2026-11-02".into(),
                to: "2026-11-01".into(),
                ..Default::default()
            })
            .as_deref(),
            Some("to")
        );
        assert_eq!(
            bad(ActivityFilter {
                action: "made_up".into(),
                ..Default::default()
            })
            .as_deref(),
            Some("action")
        );
        assert_eq!(
            bad(ActivityFilter {
                search: "x".repeat(101),
                ..Default::default()
            })
            .as_deref(),
            Some("search")
        );
        assert_eq!(
            ActivityFilter::default().parse().ok(),
            Some(ActivityQuery::default())
        );
    }

    #[test]
    fn csv_follows_rfc_4180_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("Zoë"), "Zoë");
    }

    #[test]
    fn action_names_round_trip() {
        for action in ActivityAction::ALL {
            assert_eq!(ActivityAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(ActivityAction::parse("made_up"), None);
    }
}
