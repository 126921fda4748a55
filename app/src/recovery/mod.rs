//! "Forgot your password?": a single-use link, valid 30 minutes, to the login email (or to the
//! recovery email when that is the address given) — or, where the server has an SMS provider
//! and none of the person's organizations forbids it (SEC-12), to the recovery phone. Only the
//! link's hash is stored; the answer is the same whether or not the address has an account.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;
pub mod wizard;

use crate::enums::stored;
use serde::{Deserialize, Serialize};

/// How long a reset link works.
pub const RESET_LINK_SECONDS: i64 = 30 * 60;
/// At most this many links are sent for one account per hour; further requests get the same
/// answer and send nothing (no mailbox or phone is flooded).
pub const RESETS_PER_HOUR: i64 = 3;

/// What the "Forgot your password?" page may offer.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetOptions {
    /// The server has an SMS provider (none by default).
    pub sms: bool,
}

stored! {
    /// Where the link goes.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Channel {
        Email,
        Sms,
    }
}

impl Channel {
    /// The form's value; anything else is the email.
    pub fn chosen(value: &str) -> Channel {
        Channel::parse(value).unwrap_or(Channel::Email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_default_to_email() {
        assert_eq!(Channel::chosen("sms"), Channel::Sms);
        assert_eq!(Channel::chosen("email"), Channel::Email);
        assert_eq!(Channel::chosen(""), Channel::Email);
        assert_eq!(Channel::chosen("SMS; DROP"), Channel::Email);
    }
}
