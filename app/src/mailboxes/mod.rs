//! Mail services (MAIL-1..5, ACC-9): the email addresses of a mail service (a local part at one
//! of the organization's domains), the people who use each address with the 11 permissions of
//! [`MailRight`], the service's global configuration (its default permissions, pre-selected when
//! an address is created and applied in bulk), maintenance, and the devices' passwords with the
//! endpoint the operator's IMAP/SMTP servers ask ([`device`]).
//!
//! (The module is not called `mail`: that is Steward's own outbox.)

pub mod api;
#[cfg(feature = "ssr")]
pub mod device;
pub mod servers;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::enums::stored;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

stored! {
    /// One of the 11 permissions a user of an email address may hold (the seed's table, in its
    /// order).
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum MailRight labelled {
        #[strum(message = "Configure a device")]
        Devices,
        #[strum(message = "Manage responders")]
        Responders,
        #[strum(message = "Manage signatures")]
        Signatures,
        #[strum(message = "Manage redirections")]
        Redirections,
        #[strum(message = "Manage aliases")]
        Aliases,
        #[strum(message = "Manage action history")]
        ActionHistory,
        #[strum(message = "Manage restorations")]
        Restorations,
        #[strum(message = "Manage filters")]
        Filters,
        #[strum(message = "Manage rules")]
        Rules,
        #[strum(message = "Manage folders")]
        Folders,
        #[strum(message = "Manage security")]
        Security,
    }
}

/// What the user's own view does with a menu whose permission they do not hold: most menus
/// disappear; a few stay in sight with their buttons disabled (the seed: "even if the menu is
/// still accessible, it's the buttons that will be inoperative or grayed out").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Withheld {
    Hidden,
    Disabled,
}

impl MailRight {
    fn bit(self) -> u16 {
        1 << (MailRight::ALL.iter().position(|r| *r == self).unwrap_or(0) as u16)
    }

    /// Where a person holding this permission uses it. Steward ships the device passwords
    /// (below, on this page); the rest are the mail service's own features, used in webmail
    /// or in the mail client, which Steward only grants.
    pub fn where_used(self) -> &'static str {
        match self {
            MailRight::Devices => "Granted: below",
            MailRight::Responders
            | MailRight::Signatures
            | MailRight::Filters
            | MailRight::Rules => "Granted: in webmail",
            MailRight::Folders => "Granted: used by your mail client",
            MailRight::Redirections
            | MailRight::Aliases
            | MailRight::ActionHistory
            | MailRight::Restorations
            | MailRight::Security => "Granted: in webmail",
        }
    }

    /// What it lets the user do (the seed's words).
    pub fn description(self) -> &'static str {
        match self {
            MailRight::Devices => "Manage devices (create a dedicated password)",
            MailRight::Responders => "Create an out-of-office message (automatic reply)",
            MailRight::Signatures => "Add signatures and manage reply email addresses",
            MailRight::Redirections => "Redirect emails to one or more other addresses",
            MailRight::Aliases => {
                "Create variants of your email address (by modifying what is before the @)"
            }
            MailRight::ActionHistory => "Access logs of the email address",
            MailRight::Restorations => "Access backups and restorations",
            MailRight::Filters => "Access SPAM filters and others",
            MailRight::Rules => "Automatically sort and classify incoming emails",
            MailRight::Folders => "Customize IMAP folders",
            MailRight::Security => "Manage blocked and approved addresses",
        }
    }

    /// Its icon: the path of a line icon (the label is its accessible name).
    pub fn icon(self) -> &'static str {
        // One set of line icons (24 × 24, drawn with a 2-unit stroke, `components::Icon`):
        // every system draws them alike, where symbol glyphs showed as empty boxes.
        match self {
            MailRight::Devices => "M7 2h10v20H7z M11 18h2",
            MailRight::Responders => "M9 14 4 9l5-5 M4 9h11a5 5 0 0 1 0 10h-3",
            MailRight::Signatures => "M4 20l4-1 11-11-3-3L5 16z",
            MailRight::Redirections => "M15 14l5-5-5-5 M20 9H9a5 5 0 0 0 0 10h3",
            MailRight::Aliases => "M16 12a4 4 0 1 1-8 0 4 4 0 0 1 8 0z M16 12v1.5a2.5 2.5 0 0 0 5 0V12a9 9 0 1 0-3.5 7.1",
            MailRight::ActionHistory => "M12 7v5l3 3 M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0z",
            MailRight::Restorations => "M3 12a9 9 0 1 0 3-6.7L3 8 M3 3v5h5",
            MailRight::Filters => "M3 4h18l-7 8v6l-4 2v-8z",
            MailRight::Rules => "M4 6h16 M4 12h10 M4 18h6",
            MailRight::Folders => "M3 6h6l2 2h10v11H3z",
            MailRight::Security => "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z",
        }
    }

    /// In the user's own view, without this permission: the menus of history, restorations
    /// and security stay in sight with their actions disabled (what they show belongs to the
    /// address, not to its user); every other menu is hidden.
    pub fn when_withheld(self) -> Withheld {
        match self {
            MailRight::ActionHistory | MailRight::Restorations | MailRight::Security => {
                Withheld::Disabled
            }
            _ => Withheld::Hidden,
        }
    }
}

/// A set of [`MailRight`]s (one bit each).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rights(pub u16);

impl Rights {
    pub const NONE: Rights = Rights(0);
    pub const ALL: Rights = Rights((1 << 11) - 1);

    /// From the stored number; bits beyond the 11 permissions are dropped.
    pub fn from_bits(bits: i64) -> Rights {
        Rights((bits & i64::from(Rights::ALL.0)) as u16)
    }

    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }
}

/// As stored ([`Rights::from_bits`]): how a row reads its `rights` column.
impl From<i64> for Rights {
    fn from(bits: i64) -> Rights {
        Rights::from_bits(bits)
    }
}

impl Rights {
    pub fn has(self, right: MailRight) -> bool {
        self.0 & right.bit() != 0
    }

    pub fn with(self, right: MailRight, on: bool) -> Rights {
        if on {
            Rights(self.0 | right.bit())
        } else {
            Rights(self.0 & !right.bit())
        }
    }

    pub fn granted(self) -> Vec<MailRight> {
        MailRight::ALL
            .iter()
            .copied()
            .filter(|r| self.has(*r))
            .collect()
    }

    pub fn count(self) -> usize {
        self.granted().len()
    }

    /// As a form sends them: names separated by commas (or several fields joined so); empty
    /// is no permission at all.
    pub fn parse(text: &str) -> Result<Rights, String> {
        let mut rights = Rights::NONE;
        for name in text
            .split([',', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let right =
                MailRight::parse(name).ok_or_else(|| format!("Unknown permission: {name}."))?;
            rights = rights.with(right, true);
        }
        Ok(rights)
    }

    /// The names, comma-separated (what [`Rights::parse`] reads).
    pub fn names(self) -> String {
        self.granted()
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// In words, for the activity log and the pages.
    pub fn describe(self) -> String {
        match self.count() {
            0 => "no permission".to_owned(),
            11 => "all 11 permissions".to_owned(),
            _ => self
                .granted()
                .iter()
                .map(|r| r.label().trim_start_matches("Manage ").to_lowercase())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Length bounds of a device password typed (or edited) by a person; generated ones are 29
/// characters, five groups of five.
pub const DEVICE_PASSWORD_MIN: usize = 16;
pub const DEVICE_PASSWORD_MAX: usize = 128;
/// Length bound of a device's name.
pub const DEVICE_NAME_MAX: usize = 60;
/// How long a device setup link works.
pub const SETUP_LINK_DAYS: i64 = 30;
/// At most this many addresses in one mail service, users per address, devices per address.
pub const ADDRESSES_MAX: usize = 500;
pub const USERS_MAX: usize = 50;
pub const DEVICES_MAX: usize = 50;

pub use crate::account::IDENTIFIERS_NOTE;

/// One address of a mail service, in the service's table.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AddressSummary {
    pub id: i64,
    pub address: String,
    /// Its users (their email addresses), for the Users column.
    pub users: Vec<String>,
    pub in_maintenance: bool,
    /// Connected devices (the generic password included).
    pub devices: i64,
}

/// A mail service's panel on its product page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MailServiceFacts {
    pub product_id: i64,
    pub name: String,
    /// The global configuration: the permissions given to users of a new address.
    pub defaults: Rights,
    /// The organization's domains an address can be created at.
    pub domains: Vec<String>,
    pub addresses: Vec<AddressSummary>,
    /// May create addresses and change users, permissions and devices (PRD-3).
    pub may_manage: bool,
    /// May put an address into maintenance (MAIL-3): administrators and legal representatives.
    pub may_maintain: bool,
}

/// A user of an address.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MailUser {
    pub id: i64,
    pub email: String,
    /// Their name, when they have a Steward account.
    pub name: Option<String>,
    /// A member of the organization (else someone outside it, invited by email).
    pub member: bool,
    /// Blocked in the organization (ORG-6): their devices are refused.
    pub blocked: bool,
    pub rights: Rights,
    /// Rights equal to the global configuration.
    pub as_defaults: bool,
}

/// A device's password (never the password itself).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Device {
    pub id: i64,
    pub name: String,
    /// Whose device (the user's email); `None` for the generic password.
    pub user: Option<String>,
    /// The address's one "generic" password from before device passwords.
    pub generic: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A setup link sent for a device, not used yet.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PendingSetup {
    pub id: i64,
    pub user: String,
    pub device_name: String,
    pub expires_at: i64,
}

/// An address's page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AddressFacts {
    pub id: i64,
    pub product_id: i64,
    pub service: String,
    pub address: String,
    pub maintenance_since: Option<i64>,
    pub users: Vec<MailUser>,
    pub devices: Vec<Device>,
    pub setups: Vec<PendingSetup>,
    pub defaults: Rights,
    pub may_manage: bool,
    pub may_maintain: bool,
    /// A freshly generated password the person may edit once before it is saved (nothing is
    /// stored until then); only for those who manage the address.
    pub suggested_password: Option<String>,
}

/// A device password just made: shown this once.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NewDevicePassword {
    pub device_id: i64,
    pub name: String,
    pub password: String,
    /// What the mail client needs besides the password.
    #[serde(default)]
    pub servers: Option<servers::MailServers>,
    /// The same as an Apple configuration profile, the password in it: to download now.
    #[serde(default)]
    pub profile: String,
}

/// A setup link just made: shown this once (and emailed when asked).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NewSetupLink {
    pub link: String,
    pub expires_at: i64,
    pub emailed_to: Option<String>,
}

/// An address I use (the user's own view).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MyAddress {
    /// My user row on it (what my own device passwords are made for).
    pub id: i64,
    pub organization: String,
    pub address: String,
    pub in_maintenance: bool,
    pub rights: Rights,
    /// My devices on it (only with the devices permission).
    pub devices: Vec<Device>,
    /// A freshly generated password for a new device of mine (only with the devices
    /// permission), editable once before it is saved.
    pub suggested_password: Option<String>,
}

/// What a device setup link opens.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SetupFacts {
    pub address: String,
    pub device_name: String,
    pub expires_at: i64,
    pub suggested_password: String,
}

stored! {
    /// What the device-authentication endpoint answers (MAIL-4).
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum DeviceAnswer {
        Allowed,
        WrongPassword,
        DeviceDisconnected,
        InMaintenance,
        UserBlocked,
        TooManyAttempts,
    }
}

impl DeviceAnswer {
    /// In words, for the mail server's log and the activity log.
    pub fn message(self) -> &'static str {
        match self {
            DeviceAnswer::Allowed => "Allowed.",
            DeviceAnswer::WrongPassword => "Wrong address or device password.",
            DeviceAnswer::DeviceDisconnected => {
                "This device was disconnected: give it a new device password."
            }
            DeviceAnswer::InMaintenance => {
                "This address is in maintenance: mail is received, but it cannot be consulted until maintenance is lifted."
            }
            DeviceAnswer::UserBlocked => {
                "The user of this device is blocked in the organization."
            }
            DeviceAnswer::TooManyAttempts => {
                "Too many refused attempts for this address: try again in a few minutes."
            }
        }
    }
}

/// The client network an IP address belongs to, for the device sign-in limits: an IPv4
/// address itself, an IPv6 address's /64 (one subscriber's network: guessing from a thousand
/// addresses of the same /64 counts as one client). `None` for what is not an IP address.
pub fn client_network(ip: &str) -> Option<String> {
    match ip.trim().parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => Some(v4.to_string()),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Some(v4.to_string()),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                Some(format!("{prefix}/64"))
            }
        },
    }
}

// ---- Input as typed, checked (pure: the server functions call these) ----------------------

/// The permissions as sent: their names, comma-separated.
pub fn rights_of(names: &str) -> Result<Rights, AppError> {
    Rights::parse(names).map_err(|e| AppError::validation("rights", e))
}

/// Ids as sent: comma-separated.
pub fn ids_of(text: &str) -> Result<Vec<i64>, AppError> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse()
                .map_err(|_| AppError::validation("mail_address_ids", "Tick the addresses again."))
        })
        .collect()
}

/// A local part as typed: lower-case letters, digits, dots, hyphens, underscores and plus
/// signs, 1 to 64, no dot at either end or twice in a row.
pub fn check_local_part(text: &str) -> Result<String, AppError> {
    let local = text.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-+".contains(c);
    if local.is_empty()
        || local.len() > 64
        || !local.chars().all(allowed)
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Err(AppError::validation(
            "local_part",
            "Enter what comes before the @: 1 to 64 letters, digits, dots, hyphens, underscores or plus signs (no dot at either end, no two dots in a row).",
        ));
    }
    Ok(local)
}

/// The email addresses of users as typed (commas, spaces or lines between them).
pub fn check_users(text: &str) -> Result<Vec<String>, AppError> {
    let mut users = Vec::new();
    for raw in text
        .split([',', ';', '\n', '\r', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let email = crate::mail::normalize_email(raw).map_err(|_| {
            AppError::validation(
                "users",
                format!(
                    "{raw} is not an email address: enter one per line, like name@example.com."
                ),
            )
        })?;
        if !users.contains(&email) {
            users.push(email);
        }
    }
    if users.len() > USERS_MAX {
        return Err(AppError::validation(
            "users",
            format!("An address has at most {USERS_MAX} users."),
        ));
    }
    Ok(users)
}

pub fn check_device_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > DEVICE_NAME_MAX
        || name.chars().any(char::is_control)
    {
        return Err(AppError::validation(
            "name",
            format!("Name the device (1 to {DEVICE_NAME_MAX} characters), like \"Laptop\" or \"Phone\"."),
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_network_is_an_ipv4_address_or_an_ipv6_slash_64() {
        assert_eq!(
            client_network("198.51.100.4").as_deref(),
            Some("198.51.100.4")
        );
        assert_eq!(
            client_network("2001:db8:1:2:aaaa::1").as_deref(),
            Some("2001:db8:1:2::/64")
        );
        assert_eq!(
            client_network("2001:db8:1:2:ffff:1:2:3"),
            client_network("2001:db8:1:2::9")
        );
        assert_ne!(
            client_network("2001:db8:1:3::9"),
            client_network("2001:db8:1:2::9")
        );
        assert_eq!(
            client_network("::ffff:192.0.2.1").as_deref(),
            Some("192.0.2.1")
        );
        assert_eq!(client_network("not an address"), None);
        assert_eq!(client_network(""), None);
    }

    #[test]
    fn local_parts_are_checked_and_lower_cased() {
        assert_eq!(check_local_part(" Info.Team ").as_deref(), Ok("info.team"));
        assert_eq!(check_local_part("a+b_c-d").as_deref(), Ok("a+b_c-d"));
        for bad in [
            "",
            ".info",
            "info.",
            "in..fo",
            "in fo",
            "émile",
            &"a".repeat(65),
        ] {
            let error = check_local_part(bad).expect_err(bad);
            assert_eq!(error.field.as_deref(), Some("local_part"), "{bad}");
        }
    }

    #[test]
    fn users_are_read_from_commas_spaces_or_lines_once_each() {
        assert_eq!(
            check_users("Ana@Example.com, bo@example.com\nana@example.com;  cy@example.com"),
            Ok(vec![
                "ana@example.com".to_owned(),
                "bo@example.com".to_owned(),
                "cy@example.com".to_owned()
            ])
        );
        assert_eq!(check_users(""), Ok(vec![]));
        let error = check_users("ana@example.com, not-an-address").expect_err("refused");
        assert!(error
            .message
            .starts_with("not-an-address is not an email address"));
        let many: Vec<String> = (0..=USERS_MAX)
            .map(|i| format!("u{i}@example.com"))
            .collect();
        assert!(check_users(&many.join(",")).is_err());
    }

    #[test]
    fn device_names_are_trimmed_and_bounded() {
        assert_eq!(check_device_name("  Laptop ").as_deref(), Ok("Laptop"));
        assert!(check_device_name("   ").is_err());
        assert!(check_device_name("tab\there").is_err());
        assert!(check_device_name(&"x".repeat(DEVICE_NAME_MAX + 1)).is_err());
        assert!(check_device_name(&"x".repeat(DEVICE_NAME_MAX)).is_ok());
    }

    #[test]
    fn ids_are_read_comma_separated() {
        assert_eq!(ids_of("3, 5,,8"), Ok(vec![3, 5, 8]));
        assert!(ids_of("3,x").is_err());
    }

    #[test]
    fn rights_are_eleven_bits_read_and_written_by_name() {
        assert_eq!(MailRight::ALL.len(), 11);
        assert_eq!(Rights::ALL.count(), 11);
        let bits: std::collections::HashSet<u16> = MailRight::ALL.iter().map(|r| r.bit()).collect();
        assert_eq!(bits.len(), 11);
        for &right in MailRight::ALL {
            assert_eq!(MailRight::parse(right.as_str()), Some(right));
            assert!(Rights::NONE.with(right, true).has(right));
            assert!(!Rights::ALL.with(right, false).has(right));
        }
        let some = Rights::parse("devices, rules,security").expect("parse");
        assert_eq!(
            some.granted(),
            [MailRight::Devices, MailRight::Rules, MailRight::Security]
        );
        assert_eq!(Rights::parse(&some.names()), Ok(some));
        assert_eq!(Rights::parse(""), Ok(Rights::NONE));
        assert!(Rights::parse("devices,admin").is_err());
        assert_eq!(Rights::from_bits(0xffff), Rights::ALL);
        assert_eq!(some.describe(), "configure a device, rules, security");
        assert_eq!(Rights::ALL.describe(), "all 11 permissions");
    }
}
