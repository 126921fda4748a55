//! The server functions of verified domains: for those who change the organization's settings
//! (legal representatives and administrators).

use super::{DomainCheck, DomainsPanel};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// The organization's domains, each with the record that proves it or the day it was verified.
#[server(endpoint = "verified_domains")]
pub async fn verified_domains(organization_id: i64) -> Result<DomainsPanel, AppError> {
    VerifiedDomains::serve(|cx| async move {
        let (mut tx, _) = cx.read_in(organization_id).await?;
        let domains = store::list(&mut tx, organization_id).await?;
        tx.commit().await?;
        Ok(DomainsPanel { domains })
    })
    .await
}

/// Adds a domain to prove: its record's random value is made here, shown on the page until the
/// domain is verified. Logged.
#[server(endpoint = "add_verified_domain")]
pub async fn add_verified_domain(organization_id: i64, domain: String) -> Result<i64, AppError> {
    AddVerifiedDomain::serve(|cx| async move {
        let domain = super::normalize_domain(&domain)?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        if store::count(&mut tx, organization_id).await? >= super::DOMAINS_MAX as i64 {
            return Err(AppError::validation(
                "domain",
                format!("An organization has at most {} domains: remove one first.", super::DOMAINS_MAX),
            ));
        }
        match store::verified_by(&mut tx, &domain).await? {
            Some(owner) if owner == organization_id => {
                return Err(AppError::validation(
                    "domain",
                    format!("{domain} is verified for this organization already."),
                ))
            }
            Some(_) => {
                return Err(AppError::validation(
                    "domain",
                    format!("{domain} is verified by another organization: a domain belongs to one organization at a time."),
                ))
            }
            None => {}
        }
        // The record's value: random, long enough that nobody guesses another's.
        let (token, _) = crate::tokens::new_token();
        let token: String = token.chars().filter(char::is_ascii_alphanumeric).take(32).collect();
        let id = store::insert(
            &mut tx,
            organization_id,
            &domain,
            &token,
            cx.account()?.id,
            cx.now(),
        )
        .await?
        .ok_or_else(|| {
            AppError::validation("domain", format!("{domain} is in the list already: check its record."))
        })?;
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::VerifiedDomainAdded,
                organization_id,
                &format!("{domain}: waiting for its DNS record"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Looks the domain's TXT record up now: verified when one holds the value; otherwise says what
/// was found. Nothing is written unless the domain becomes verified (logged then). A verified
/// domain stays verified: checking it again changes nothing.
#[server(endpoint = "check_verified_domain")]
pub async fn check_verified_domain(
    organization_id: i64,
    domain_id: i64,
) -> Result<DomainCheck, AppError> {
    CheckVerifiedDomain::serve(|cx| async move {
        let (mut tx, _) = cx.read_in(organization_id).await?;
        let found = store::find(&mut tx, organization_id, domain_id)
            .await?
            .ok_or_else(|| AppError::not_found("domain"))?;
        tx.commit().await?;
        if found.verified_at.is_some() {
            return Ok(DomainCheck {
                domain: found.domain,
                verified: true,
                problem: String::new(),
            });
        }
        let name = found.record_name();
        let expected = found.record_value();
        // Asked outside any transaction: a slow resolver holds no lock.
        let answer = match &cx.state.dns {
            Some(dns) => dns.txt(&name).await,
            None => Err(DnsError::Unavailable("no resolver configured".into())),
        };
        let problem = match answer {
            Ok(values) if values.iter().any(|v| v.trim() == expected) => None,
            Ok(values) => Some(format!(
                "{name} has TXT records, but none holds {expected} ({} found). Correct the record, wait for the change to spread, and check again.",
                values.len()
            )),
            Err(DnsError::NotFound) => Some(format!(
                "No TXT record at {name} yet. Create it, then check again: DNS changes can take from minutes to a few hours."
            )),
            Err(DnsError::Unavailable(why)) => {
                tracing::warn!(%why, "a DNS lookup failed");
                Some("The DNS servers did not answer: try again in a few minutes.".to_owned())
            }
        };
        if let Some(problem) = problem {
            return Ok(DomainCheck {
                domain: found.domain,
                verified: false,
                problem,
            });
        }
        let taken = || {
            AppError::validation(
                "domain_id",
                format!("{} was verified by another organization meanwhile: a domain belongs to one organization at a time.", found.domain),
            )
        };
        let (mut tx, _) = cx.write_in(organization_id).await?;
        if store::verified_by(&mut tx, &found.domain).await?.is_some_and(|o| o != organization_id) {
            return Err(taken());
        }
        let marked = store::mark_verified(&mut tx, found.id, cx.now()).await?;
        if marked == store::Marked::Taken {
            return Err(taken());
        }
        if marked == store::Marked::Now {
            cx.log(
                &mut tx,
                Log::organization(
                    ActivityAction::VerifiedDomainVerified,
                    organization_id,
                    &format!("{}: TXT record found at {name}", found.domain),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(DomainCheck {
            domain: found.domain,
            verified: true,
            problem: String::new(),
        })
    })
    .await
}

/// Removes a domain (verified or not). Logged.
#[server(endpoint = "remove_verified_domain")]
pub async fn remove_verified_domain(organization_id: i64, domain_id: i64) -> Result<(), AppError> {
    RemoveVerifiedDomain::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let found = store::find(&mut tx, organization_id, domain_id)
            .await?
            .ok_or_else(|| AppError::not_found("domain"))?;
        store::remove(&mut tx, organization_id, domain_id).await?;
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::VerifiedDomainRemoved,
                organization_id,
                &found.domain,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::store;
    pub(super) use crate::access::Log;
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::dns::DnsError;
}
