//! Password hashing (argon2id) behind admission control.
//!
//! Hashing costs ~19 MiB and tens of milliseconds of one core. At most `workers` hashes run at
//! once, on blocking threads; at most `queue` more wait. Anything beyond that is refused at once
//! with [`AppError::busy`], so a burst of sign-ins never stalls the whole server.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    // These constants are valid parameters; `Params::new` only fails on out-of-range values.
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Whether a stored hash was made with weaker settings than today's (another algorithm, an
/// older version, less memory or fewer passes): it is then replaced at the next sign-in, when
/// the password is at hand.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13 as u32)
        || params.m_cost() < MEMORY_KIB
        || params.t_cost() < PASSES
}

pub fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::internal()
        })
}

pub fn verify_now(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A place in the hasher's admission queue. Holding one keeps a slot taken.
pub struct Admission(#[allow(dead_code)] OwnedSemaphorePermit);

pub struct PasswordHasher {
    admit: Arc<Semaphore>,
    run: Arc<Semaphore>,
    dummy: OnceLock<String>,
}

impl PasswordHasher {
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        PasswordHasher {
            admit: Arc::new(Semaphore::new(workers + queue)),
            run: Arc::new(Semaphore::new(workers)),
            dummy: OnceLock::new(),
        }
    }

    /// One worker per core and a short queue of twice that.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        Self::new(cores, cores * 2)
    }

    /// Takes a place in the queue, or says busy at once.
    pub fn try_admit(&self) -> Result<Admission, AppError> {
        self.admit
            .clone()
            .try_acquire_owned()
            .map(Admission)
            .map_err(|_| AppError::busy())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let admission = self.try_admit()?;
        let running = self
            .run
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::internal())?;
        let result = tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| AppError::internal());
        drop(running);
        drop(admission);
        result
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_now(&password)).await?
    }

    /// Verifies `password` against `stored`; with no stored hash (unknown account) it verifies
    /// against a dummy hash, so both failures cost the same.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let known = stored.is_some();
        let stored = match stored {
            Some(hash) => hash,
            None => self.dummy_hash()?,
        };
        let ok = self.run(move || verify_now(&password, &stored)).await?;
        Ok(ok && known)
    }

    fn dummy_hash(&self) -> Result<String, AppError> {
        if let Some(hash) = self.dummy.get() {
            return Ok(hash.clone());
        }
        let hash = hash_now("steward-dummy-password-for-equal-timing")?;
        Ok(self.dummy.get_or_init(|| hash).clone())
    }

    /// Computes the dummy hash ahead of the first unknown-account sign-in.
    pub fn warm_up(&self) {
        let _ = self.dummy_hash();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_the_chosen_cost_and_verify() {
        let hash = hash_now("correct horse battery").unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_now("correct horse battery", &hash));
        assert!(!verify_now("correct horse batterY", &hash));
        assert!(!verify_now("anything", "not a hash"));
    }

    #[test]
    fn only_weaker_hashes_need_a_new_one() {
        let current = hash_now("correct horse battery").unwrap_or_default();
        assert!(!needs_rehash(&current));
        let weak = |m, t| {
            let params = Params::new(m, t, 1, None).unwrap_or_default();
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(b"correct horse battery", &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        };
        assert!(needs_rehash(&weak(4_096, 2)));
        assert!(needs_rehash(&weak(19_456, 1)));
        assert!(!needs_rehash(&weak(65_536, 3)), "stronger stays");
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default())
            .hash_password(b"x", &SaltString::generate(&mut rand::rngs::OsRng))
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(needs_rehash(&argon2i));
    }

    #[test]
    fn same_password_gets_a_new_salt_each_time() {
        assert_ne!(
            hash_now("same password").ok(),
            hash_now("same password").ok()
        );
    }

    #[tokio::test]
    async fn full_queue_answers_busy_and_frees_up_afterwards() {
        let hasher = PasswordHasher::new(1, 1);
        let first = hasher.try_admit();
        let second = hasher.try_admit();
        assert!(first.is_ok() && second.is_ok());
        let refused = hasher.hash("another password".into()).await;
        assert_eq!(
            refused.err().map(|e| e.code),
            Some(crate::error::ErrorCode::Busy)
        );
        drop(first);
        drop(second);
        assert!(hasher.hash("another password".into()).await.is_ok());
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        let hasher = PasswordHasher::new(1, 0);
        assert_eq!(
            hasher
                .verify("steward-dummy-password-for-equal-timing".into(), None)
                .await,
            Ok(false)
        );
    }
}
