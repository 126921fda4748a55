//! The registry adapter (PRD-5): whether a domain is registered already (the shop asks before a
//! new domain goes in a cart), and how Steward asks for one to be transferred in. A trait, so
//! a real registrar connection (EPP, a reseller API) can be plugged in; the embedded default is
//! a deterministic simulation — never a real transfer, and said so wherever it shows — that
//! answers from a table of what "the current registrar" knows of each domain
//! (`simulated_registry`, filled by the operator command `simulate-registrar-domain` and by the
//! demo). Its rules, in this order: a domain in redemption at its registrar cannot move; one
//! registered or transferred less than 60 days ago cannot either; a transfer lock refuses it;
//! the authorization code must be the registrar's; the holder must confirm. A domain the table
//! does not list is taken as unlocked, long registered and confirmed, with any code of 6 or
//! more characters accepted; and for registering, a domain the table lists is registered at
//! that other registrar — not available — while one it does not list is free.

use super::TransferFailure;
use crate::db::Tx;
use crate::db::{exec, fetch_optional};
use crate::error::AppError;
use crate::state::AppState;
use futures::future::BoxFuture;

const DAY: i64 = 86_400;
/// A domain registered or transferred less than this many days ago cannot move (ICANN's
/// transfer policy; most ccTLDs follow it).
pub const RECENT_DAYS: i64 = 60;

/// What the losing registrar knows of a domain.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AtRegistrar {
    pub auth_code: String,
    pub locked: bool,
    pub registered_at: i64,
    pub in_redemption: bool,
    pub holder_confirms: bool,
}

/// The simulation's answer, as a pure rule.
pub fn simulate(at: Option<&AtRegistrar>, code: &str, now: i64) -> Result<(), TransferFailure> {
    let code = code.trim();
    let Some(at) = at else {
        return if code.chars().count() >= 6 {
            Ok(())
        } else {
            Err(TransferFailure::WrongAuthorizationCode)
        };
    };
    if at.in_redemption {
        Err(TransferFailure::InRedemption)
    } else if now - at.registered_at < RECENT_DAYS * DAY {
        Err(TransferFailure::TooRecent)
    } else if at.locked {
        Err(TransferFailure::TransferLock)
    } else if code != at.auth_code {
        Err(TransferFailure::WrongAuthorizationCode)
    } else if !at.holder_confirms {
        Err(TransferFailure::HolderDidNotConfirm)
    } else {
        Ok(())
    }
}

/// A registrar connection: asks for `domain` to be transferred in with `code`. Called outside
/// any database transaction (a real connection waits on the network). The outer error is a
/// failure to ask (the transfer is then asked again later); the inner one is the registry's
/// refusal.
pub trait Registry: Send + Sync {
    /// Whether the domain is registered already, at any registrar: it can then only be
    /// transferred in, not ordered.
    fn is_registered<'a>(
        &'a self,
        state: &'a AppState,
        domain: &'a str,
    ) -> BoxFuture<'a, Result<bool, AppError>>;

    fn transfer_in<'a>(
        &'a self,
        state: &'a AppState,
        domain: &'a str,
        code: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<Result<(), TransferFailure>, AppError>>;
}

/// The deterministic simulation Steward ships.
pub struct Simulated;

impl Registry for Simulated {
    fn is_registered<'a>(
        &'a self,
        state: &'a AppState,
        domain: &'a str,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(async move {
            let mut tx = state.db.read().await?;
            let at = at_registrar(&mut tx, domain).await?;
            tx.commit().await?;
            Ok(at.is_some())
        })
    }

    fn transfer_in<'a>(
        &'a self,
        state: &'a AppState,
        domain: &'a str,
        code: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<Result<(), TransferFailure>, AppError>> {
        Box::pin(async move {
            let mut tx = state.db.read().await?;
            let at = at_registrar(&mut tx, domain).await?;
            tx.commit().await?;
            Ok(simulate(at.as_ref(), code, now))
        })
    }
}

/// The registry in use: the simulation (a real connection is plugged in here).
pub fn current() -> &'static dyn Registry {
    &Simulated
}

pub async fn at_registrar(tx: &mut Tx, domain: &str) -> Result<Option<AtRegistrar>, sqlx::Error> {
    const SQL: &str = "SELECT auth_code, locked, registered_at, in_redemption, holder_confirms \
                       FROM simulated_registry WHERE domain = $1";
    fetch_optional!(tx, SQL, domain)
}

/// Sets what the simulated registrar knows of a domain (the operator command, the demo, tests).
pub async fn set_at_registrar(
    tx: &mut Tx,
    domain: &str,
    at: &AtRegistrar,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO simulated_registry \
        (domain, auth_code, locked, registered_at, in_redemption, holder_confirms) \
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (domain) DO UPDATE SET \
        auth_code = excluded.auth_code, locked = excluded.locked, \
        registered_at = excluded.registered_at, in_redemption = excluded.in_redemption, \
        holder_confirms = excluded.holder_confirms";
    exec!(
        tx,
        SQL,
        domain,
        &at.auth_code,
        at.locked,
        at.registered_at,
        at.in_redemption,
        at.holder_confirms
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn each_reason_in_its_order() {
        let ok = AtRegistrar {
            auth_code: "Xy7-secret".into(),
            locked: false,
            registered_at: NOW - 400 * DAY,
            in_redemption: false,
            holder_confirms: true,
        };
        assert_eq!(simulate(Some(&ok), "Xy7-secret", NOW), Ok(()));
        assert_eq!(
            simulate(Some(&ok), "xy7-secret", NOW),
            Err(TransferFailure::WrongAuthorizationCode)
        );
        let locked = AtRegistrar {
            locked: true,
            ..ok.clone()
        };
        assert_eq!(
            simulate(Some(&locked), "wrong", NOW),
            Err(TransferFailure::TransferLock)
        );
        let recent = AtRegistrar {
            registered_at: NOW - 59 * DAY,
            ..locked.clone()
        };
        assert_eq!(
            simulate(Some(&recent), "Xy7-secret", NOW),
            Err(TransferFailure::TooRecent)
        );
        let redemption = AtRegistrar {
            in_redemption: true,
            ..recent
        };
        assert_eq!(
            simulate(Some(&redemption), "Xy7-secret", NOW),
            Err(TransferFailure::InRedemption)
        );
        let unconfirmed = AtRegistrar {
            holder_confirms: false,
            ..ok
        };
        assert_eq!(
            simulate(Some(&unconfirmed), "Xy7-secret", NOW),
            Err(TransferFailure::HolderDidNotConfirm)
        );
        assert_eq!(simulate(None, "abcdef", NOW), Ok(()));
        assert_eq!(
            simulate(None, "abc", NOW),
            Err(TransferFailure::WrongAuthorizationCode)
        );
    }
}
