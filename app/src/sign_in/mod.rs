//! Signing in, in one place (ACC-2, SEC-1): the password step, the second step for those who
//! set up two-factor authentication, and the common tail both end with — a new session, its
//! log entry, the failure count reset and the sign-in alert, the cookie, and where to go.
//! The rules they apply live lower down: lockout and sessions in `crate::access`, what counts
//! as a second factor in `crate::two_factor::proof`.

pub mod api;
pub mod view;
