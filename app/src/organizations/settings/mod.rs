//! The organization's settings: rename, require two-factor authentication (SEC-4), forbid
//! password reset by SMS (SEC-12), delete the organization once it is empty.

pub mod api;
pub mod view;
