//! Moving a product to another organization (PRD-8). An administrator or legal representative
//! of the giving organization names the email of a legal representative of the receiving one;
//! that person gets a link (14 days, single use, only its hash kept) and, signed in, accepts the
//! product into one of the organizations they represent, or refuses it. On acceptance the
//! product changes organization in one transaction: the giving organization's tags, accesses
//! and cart lines on it are gone, its automatic renewal is off until the new payer turns it on,
//! and both organizations' logs say so.

pub mod api;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::products::ProductKind;
use serde::{Deserialize, Serialize};

/// How long a request to move a product waits for its answer.
pub const MOVE_LIFETIME_SECONDS: i64 = 14 * 86_400;

/// A request waiting for its answer, as the product's page shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PendingMove {
    pub to_email: String,
    pub requested_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    /// Its 14 days are over (by the server's clock): it can only be cancelled.
    #[serde(default)]
    pub expired: bool,
}

/// The product page's part about moving it: the request waiting, and whether I may start or
/// cancel one.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MoveFacts {
    pub pending: Option<PendingMove>,
    pub may_move: bool,
}

/// An organization the signed-in person may receive the product into.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Receiver {
    pub id: i64,
    pub name: String,
}

/// What the emailed link opens.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MoveOpening {
    pub product: String,
    pub kind: ProductKind,
    pub expires_at_product: Option<i64>,
    /// The holder, line by line.
    pub holder: Vec<String>,
    pub from_organization: String,
    pub requested_by: Option<String>,
    pub to_email: String,
    /// Until when the request can be answered.
    pub expires_at: i64,
    /// Who is signed in here, if anyone.
    pub signed_in_as: Option<String>,
    /// The organizations the signed-in person represents (not blocked), but the giving one.
    pub receivers: Vec<Receiver>,
}
