//! The activity log: an append-only record of every state change, written in the same
//! transaction as the change itself.

#[cfg(feature = "ssr")]
pub mod store;

use crate::enums::stored;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 25;

stored! {
    /// What happened. Stored by [`ActivityAction::as_str`] (the variant's name in snake case);
    /// never renamed once released. Each variant is declared once, with its label.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum ActivityAction labelled {
        #[strum(message = "Account created")]
        SignUp,
        #[strum(message = "Signed in")]
        SignInSucceeded,
        #[strum(message = "Failed sign-in")]
        SignInFailed,
        #[strum(message = "Signed out")]
        SignOut,
        #[strum(message = "Organization created")]
        OrganizationCreated,
        #[strum(message = "Password accepted, second factor requested")]
        SecondFactorRequested,
        #[strum(message = "Wrong second-factor code")]
        SecondFactorFailed,
        #[strum(message = "Sign-in cancelled")]
        SignInCancelled,
        #[strum(message = "Two-factor method added")]
        TwoFactorMethodAdded,
        #[strum(message = "Two-factor method removed")]
        TwoFactorMethodRemoved,
        #[strum(message = "Default two-factor method changed")]
        TwoFactorDefaultChanged,
        #[strum(message = "Two-factor authentication turned off")]
        TwoFactorDisabled,
        #[strum(message = "New backup codes generated")]
        BackupCodesGenerated,
        #[strum(message = "Sign-in alerts and lockout changed")]
        SafetySettingsChanged,
        #[strum(message = "Account unlocked")]
        AccountUnlocked,
        #[strum(message = "Sign-in reported as not mine")]
        NotMeReported,
        #[strum(message = "Session ended")]
        SessionEnded,
        #[strum(message = "Other sessions ended")]
        OtherSessionsEnded,
        #[strum(message = "Application password created")]
        AppPasswordCreated,
        #[strum(message = "Application password revoked")]
        AppPasswordRevoked,
        #[strum(message = "API token created")]
        ApiTokenCreated,
        #[strum(message = "API token revoked")]
        ApiTokenRevoked,
        #[strum(message = "All application passwords and API tokens revoked")]
        CredentialsRevoked,
        #[strum(message = "Password changed")]
        PasswordChanged,
        #[strum(message = "Login email change requested")]
        EmailChangeRequested,
        #[strum(message = "Login email changed")]
        EmailChanged,
        #[strum(message = "Recovery email and phone changed")]
        RecoveryContactsChanged,
        #[strum(message = "Tag created")]
        TagCreated,
        #[strum(message = "Tag renamed or recoloured")]
        TagChanged,
        #[strum(message = "Tag deleted")]
        TagDeleted,
        #[strum(message = "Tag put on products")]
        ProductsTagged,
        #[strum(message = "Tag taken off products")]
        ProductsUntagged,
        #[strum(message = "Product management blocked")]
        ProductBlocked,
        #[strum(message = "Product management unblocked")]
        ProductUnblocked,
        #[strum(message = "Holder of a product changed")]
        HolderChanged,
        #[strum(message = "Move of a product to another organization requested")]
        ProductMoveRequested,
        #[strum(message = "Move of a product cancelled")]
        ProductMoveCancelled,
        #[strum(message = "Move of a product refused")]
        ProductMoveRefused,
        #[strum(message = "Product moved to another organization")]
        ProductMovedOut,
        #[strum(message = "Product received from another organization")]
        ProductMovedIn,
        #[strum(message = "Role changed")]
        RoleChanged,
        #[strum(message = "Product access changed")]
        ProductAccessChanged,
        #[strum(message = "Invitation sent")]
        InvitationSent,
        #[strum(message = "Invitation sent again")]
        InvitationResent,
        #[strum(message = "Invitation revoked")]
        InvitationRevoked,
        #[strum(message = "Invitation accepted")]
        InvitationAccepted,
        #[strum(message = "User blocked")]
        MemberBlocked,
        #[strum(message = "User unblocked")]
        MemberUnblocked,
        #[strum(message = "User removed from the organization")]
        MemberRemoved,
        #[strum(message = "Left the organization")]
        LeftOrganization,
        #[strum(message = "Organization renamed")]
        OrganizationRenamed,
        #[strum(message = "Two-factor requirement changed")]
        TwoFactorRequirementChanged,
        #[strum(message = "Password reset by SMS setting changed")]
        SmsResetSettingChanged,
        #[strum(message = "Organization deleted")]
        OrganizationDeleted,
        #[strum(message = "Account deleted")]
        AccountDeleted,
        #[strum(message = "Name changed")]
        ProfileChanged,
        #[strum(message = "Profile picture changed")]
        AvatarChanged,
        #[strum(message = "Wrong password given to confirm a change")]
        PasswordCheckFailed,
        #[strum(message = "Confirmed it's them with the password")]
        IdentityConfirmed,
        #[strum(message = "Wrong application password")]
        AppPasswordFailed,
        #[strum(message = "Password reset requested")]
        PasswordResetRequested,
        #[strum(message = "Password reset through an emailed link")]
        PasswordReset,
        #[strum(message = "Email address confirmed")]
        EmailConfirmed,
        #[strum(message = "Someone tried to sign up with this address")]
        SignUpAttempted,
        #[strum(message = "Billing address added")]
        BillingAddressAdded,
        #[strum(message = "Billing address changed")]
        BillingAddressChanged,
        #[strum(message = "Default billing address changed")]
        BillingAddressMadeDefault,
        #[strum(message = "Billing address of a product's renewals chosen")]
        RenewalAddressChosen,
        #[strum(message = "Billing address deleted")]
        BillingAddressDeleted,
        #[strum(message = "Prepaid account topped up")]
        PrepaidTopUp,
        #[strum(message = "Billing email turned on or off")]
        BillingNotificationChanged,
        #[strum(message = "Expiry reminders changed")]
        ExpiryRemindersChanged,
        #[strum(message = "Expiry reminder sent")]
        ExpiryReminderSent,
        #[strum(message = "Cart changed")]
        CartChanged,
        #[strum(message = "Order placed")]
        OrderPlaced,
        #[strum(message = "Order paid")]
        OrderPaid,
        #[strum(message = "Order cancelled")]
        OrderCancelled,
        #[strum(message = "Product ordered")]
        ProductOrdered,
        #[strum(message = "Product renewed")]
        ProductRenewed,
        #[strum(message = "Promo code created")]
        PromoCodeCreated,
        #[strum(message = "Free offer granted")]
        FreeOfferGranted,
        #[strum(message = "Withdrawal requested")]
        WithdrawalRequested,
        #[strum(message = "Withdrawal paid out")]
        WithdrawalCompleted,
        #[strum(message = "Withdrawal given back")]
        WithdrawalReversed,
        #[strum(message = "Automatic renewal turned on or off")]
        AutoRenewChanged,
        #[strum(message = "Renewal reminder sent")]
        RenewalReminderSent,
        #[strum(message = "Automatic renewal failed")]
        RenewalFailed,
        #[strum(message = "Domain moved on after expiry")]
        DomainStageChanged,
        #[strum(message = "Domain restored")]
        DomainRestored,
        #[strum(message = "Renewal warranty bought")]
        WarrantyBought,
        #[strum(message = "Domain transferred in")]
        DomainTransferred,
        #[strum(message = "Domain transfer failed")]
        TransferFailed,
        #[strum(message = "Mail address created")]
        MailAddressCreated,
        #[strum(message = "Mail address user added")]
        MailUserAdded,
        #[strum(message = "Mail address user removed")]
        MailUserRemoved,
        #[strum(message = "Mail permissions changed")]
        MailRightsChanged,
        #[strum(message = "Mail global configuration changed")]
        MailDefaultsChanged,
        #[strum(message = "Mail address maintenance")]
        MailMaintenanceChanged,
        #[strum(message = "Device password created")]
        DevicePasswordCreated,
        #[strum(message = "Device disconnected")]
        DeviceDisconnected,
        #[strum(message = "Device setup link created")]
        DeviceSetupSent,
        #[strum(message = "Device sign-in refused")]
        DeviceSignInRefused,
        #[strum(message = "Applied to the partner program")]
        PartnerApplied,
        #[strum(message = "Partner application approved")]
        PartnerApproved,
        #[strum(message = "Partner application refused")]
        PartnerRefused,
        #[strum(message = "Partner discount rates changed")]
        PartnerRatesChanged,
        #[strum(message = "Partner access requested")]
        PartnerAccessRequested,
        #[strum(message = "Partner access request cancelled")]
        PartnerRequestCancelled,
        #[strum(message = "Partner access request refused")]
        PartnerRequestRefused,
        #[strum(message = "Partner access granted")]
        PartnerAccessGranted,
        #[strum(message = "Partner access ended")]
        PartnerAccessEnded,
        #[strum(message = "Partner access end announced")]
        PartnerAccessEndReminded,
        #[strum(message = "Customer delegated to a collaborator")]
        CustomerDelegationChanged,
        #[strum(message = "Cashback credited")]
        CashbackCredited,
        #[strum(message = "Domain added for verification")]
        VerifiedDomainAdded,
        #[strum(message = "Domain verified")]
        VerifiedDomainVerified,
        #[strum(message = "Verified domain removed")]
        VerifiedDomainRemoved,
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

/// The header of the activity export (CSV, RFC 4180, CRLF).
pub const CSV_HEADER: &str =
    "id,time_utc,action,action_label,organization,actor,product,detail,ip,user_agent\r\n";

/// One entry as a row of the activity export, written and defused by [`crate::export`].
#[cfg(feature = "ssr")]
pub fn csv_row(entry: &ActivityEntry) -> [crate::export::Cell<'_>; 10] {
    use crate::export::Cell;
    [
        Cell::number(entry.id),
        // UTC, as the column says, whoever exports; plain spaces in a file for spreadsheets,
        // which read `22.11.2026 13:05` as a time.
        Cell::text(
            crate::format::datetime_in(entry.occurred_at, &crate::format::Zone::utc())
                .replace('\u{a0}', " ")
                .trim_end_matches(" UTC")
                .to_owned(),
        ),
        Cell::text(entry.action_code.as_str()),
        Cell::text(entry.action.map(|a| a.label()).unwrap_or_default()),
        Cell::text(entry.organization_name.as_deref().unwrap_or_default()),
        Cell::text(entry.actor.as_deref().unwrap_or_default()),
        Cell::text(entry.product_name.as_deref().unwrap_or_default()),
        Cell::text(entry.detail.as_str()),
        Cell::text(entry.ip.as_str()),
        Cell::text(entry.user_agent.as_str()),
    ]
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
    fn action_names_round_trip() {
        for &action in ActivityAction::ALL {
            assert_eq!(ActivityAction::parse(action.as_str()), Some(action));
            // Every action has its label (not the stored name as a fallback).
            assert_ne!(action.label(), action.as_str(), "{action:?}");
        }
        assert_eq!(ActivityAction::ALL.len(), 117);
        assert_eq!(
            ActivityAction::SignInSucceeded.as_str(),
            "sign_in_succeeded"
        );
        assert_eq!(
            ActivityAction::CredentialsRevoked.label(),
            "All application passwords and API tokens revoked"
        );
        assert_eq!(ActivityAction::parse("made_up"), None);
    }
}
