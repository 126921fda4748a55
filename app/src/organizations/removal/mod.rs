//! Removing a person from the organization (ORG-7) and leaving it myself (ORG-8).

pub mod api;
pub mod view;
