//! Where my account is signed in (SEC-5, "access to the account") and the connection log of
//! successful and failed sign-ins (SEC-8).

pub mod api;
pub mod view;

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ActiveSession {
    pub id: i64,
    /// "Firefox on Linux", parsed from the user agent.
    pub device: String,
    pub ip: String,
    /// "Lausanne, Switzerland" from the operator's IP geolocation database, else "Unknown".
    #[serde(default)]
    pub place: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The session this request came from.
    pub current: bool,
    /// Signed in with "keep me signed in".
    pub persistent: bool,
}
