//! DNS lookups behind a trait: the TXT records that prove an organization holds a domain
//! (verified domains, SEC-10's prerequisite). `SystemResolver` asks the machine's resolvers
//! (`/etc/resolv.conf`) through hickory-resolver, the maintained pure-Rust stub resolver;
//! `FakeZone` answers only what was put in it — the tests' zone, deterministic, never a network
//! query, and never installed by the server itself.

use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Mutex;

/// Why a lookup found nothing to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsError {
    /// The name has no TXT record (or does not exist).
    NotFound,
    /// The resolvers did not answer (timeout, refusal): try again later.
    Unavailable(String),
}

/// Looks up the TXT records of a name.
pub trait TxtLookup: Send + Sync {
    /// Each TXT record of `name`, its strings joined, as published.
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, DnsError>>;
}

/// The machine's own resolvers, through hickory-resolver (answers cached for their TTL).
pub struct SystemResolver {
    resolver: hickory_resolver::TokioResolver,
}

impl SystemResolver {
    /// From the system's configuration; `Err` when it cannot be read.
    pub fn from_system() -> Result<SystemResolver, String> {
        let resolver = hickory_resolver::TokioResolver::builder_tokio()
            .map_err(|e| e.to_string())?
            .build();
        Ok(SystemResolver { resolver })
    }
}

impl TxtLookup for SystemResolver {
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, DnsError>> {
        Box::pin(async move {
            // Fully qualified: no search domain of the machine is tried.
            let fqdn = format!("{}.", name.trim_end_matches('.'));
            match self.resolver.txt_lookup(fqdn).await {
                Ok(answer) => Ok(answer
                    .iter()
                    .map(|txt| {
                        txt.txt_data()
                            .iter()
                            .map(|part| String::from_utf8_lossy(part).into_owned())
                            .collect::<String>()
                    })
                    .collect()),
                Err(error) if error.is_no_records_found() || error.is_nx_domain() => {
                    Err(DnsError::NotFound)
                }
                Err(error) => Err(DnsError::Unavailable(error.to_string())),
            }
        })
    }
}

/// A zone held in memory: the records a test published, nothing else.
#[derive(Default)]
pub struct FakeZone {
    records: Mutex<HashMap<String, Vec<String>>>,
    unavailable: Mutex<bool>,
}

impl FakeZone {
    /// Publishes `value` as a TXT record of `name` (beside the others).
    pub fn publish(&self, name: &str, value: &str) {
        if let Ok(mut records) = self.records.lock() {
            records
                .entry(name.trim_end_matches('.').to_lowercase())
                .or_default()
                .push(value.to_owned());
        }
    }

    /// Removes every record of `name`.
    pub fn withdraw(&self, name: &str) {
        if let Ok(mut records) = self.records.lock() {
            records.remove(&name.trim_end_matches('.').to_lowercase());
        }
    }

    /// From now on every lookup fails as an unreachable resolver would (or works again).
    pub fn set_unavailable(&self, unavailable: bool) {
        if let Ok(mut flag) = self.unavailable.lock() {
            *flag = unavailable;
        }
    }
}

impl TxtLookup for FakeZone {
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, DnsError>> {
        Box::pin(async move {
            if self.unavailable.lock().map(|f| *f).unwrap_or(false) {
                return Err(DnsError::Unavailable("the test zone is down".into()));
            }
            let records = self
                .records
                .lock()
                .map_err(|_| DnsError::Unavailable("poisoned".into()))?;
            match records.get(&name.trim_end_matches('.').to_lowercase()) {
                Some(values) if !values.is_empty() => Ok(values.clone()),
                _ => Err(DnsError::NotFound),
            }
        })
    }
}
