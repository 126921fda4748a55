//! Access control in one place (server only): who is calling ([`authentication`]), what a member
//! may reach in an organization ([`organization`]; the role × action table itself is
//! `crate::policy`, shared with the pages), and the request [`Context`] every server function
//! starts from, whose door and reach come from the function's row in `policy::SERVER_FUNCTIONS`.

pub mod authentication;
mod context;
pub mod organization;

pub use authentication::{Proven, Via};
pub use context::{Context, Log, Serve};
pub use organization::Member;
