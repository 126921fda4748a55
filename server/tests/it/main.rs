//! The integration tests: one binary, a module per area of the app (it links the server once).

#[macro_use]
mod common;

mod account_secrets;
mod activity;
mod delivery;
mod domains;
mod first_look;
mod foundation;
mod hardening;
mod invitations;
mod ledger;
mod mail;
mod mail_services;
mod membership;
mod moves;
mod partner_export;
mod partner_pricing;
mod partners;
mod people;
mod permission_matrix;
mod products;
mod profile;
mod races;
mod recovery;
mod renewals;
mod safety;
mod scheduler;
mod schema;
mod settings;
mod shop;
mod transfers;
mod two_factor;
mod verified_domains;
mod withdrawals;
