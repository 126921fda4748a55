//! The activity pages (SEC-9): my own log and the organization's, filtered, paged and
//! exported as CSV.

pub mod api;
pub mod view;
