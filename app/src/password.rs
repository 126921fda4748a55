//! Password hashing (argon2id) on a fixed pool of worker threads.
//!
//! Hashing costs ~19 MiB and tens of milliseconds of one core. One worker per core, each with
//! its own argon2 memory block, allocated once and reused for every hash it computes: under a
//! sign-in flood the server's memory stays at `workers × 19 MiB` above idle. At most `queue`
//! more hashes wait; anything beyond is refused at once with [`AppError::busy`], so a burst of
//! sign-ins never stalls the whole server (see [`crate::workers`]).

use crate::error::AppError;
use crate::workers::WorkerPool;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

pub use crate::workers::Admission;

/// A password's argon2 hash as stored (a PHC string). A secret: it cannot be serialized (no
/// `Serialize`), and its `Debug` shows nothing of it, so no answer or log line carries one.
#[derive(Clone, PartialEq, Eq, sqlx::Type)]
#[sqlx(transparent)]
pub struct HashedPassword(String);

impl HashedPassword {
    /// The PHC string, for the hashing code and the database only.
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// A hash read from elsewhere than the database (tests, migrations of old accounts).
    pub fn from_phc(phc: impl Into<String>) -> Self {
        HashedPassword(phc.into())
    }
}

impl std::fmt::Debug for HashedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashedPassword(…)")
    }
}

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn params() -> Params {
    // These constants are valid parameters; `Params::new` only fails on out-of-range values.
    Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_default()
}

/// One worker's argon2 memory: today's cost, 19 MiB.
fn memory_block() -> Vec<Block> {
    vec![Block::default(); params().block_count()]
}

/// Whether a stored hash was made with weaker settings than today's (another algorithm, an
/// older version, less memory or fewer passes): it is then replaced at the next sign-in, when
/// the password is at hand.
pub fn needs_rehash(stored: &HashedPassword) -> bool {
    let Ok(parsed) = PasswordHash::new(stored.as_phc()) else {
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

/// Hashes with `argon2` into `memory` (which must hold its block count; a larger stored cost
/// than today's gets memory of its own, once).
fn compute(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut [Block],
) -> Result<(), argon2::Error> {
    let needed = argon2.params().block_count();
    if needed <= memory.len() {
        argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..needed])
    } else {
        tracing::warn!(
            blocks = needed,
            "a stored password hash costs more memory than today's settings"
        );
        argon2.hash_password_into(password, salt, out)
    }
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`.
fn hash_with(memory: &mut [Block], password: &str) -> Result<HashedPassword, AppError> {
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "password hashing failed");
        AppError::internal()
    };
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        compute(&argon2, password.as_bytes(), salt_raw, out, memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13 as u32),
        params: ParamsString::try_from(&params()).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(HashedPassword(hash.to_string()))
}

/// Whether `password` matches the PHC string `stored` (any argon2 variant, version and cost).
/// The comparison of the outputs takes constant time.
fn verify_with(memory: &mut [Block], password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = Output::init_with(expected.len(), |out| {
        compute(&argon2, password.as_bytes(), salt_raw, out, memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    });
    // `Output`'s equality is constant-time.
    matches!(computed, Ok(computed) if computed == expected)
}

/// Hashes on the calling thread with memory of its own: for demo data and tests, never on a
/// request path (use [`PasswordHasher::hash`]).
pub fn hash_now(password: &str) -> Result<HashedPassword, AppError> {
    hash_with(&mut memory_block(), password)
}

/// Verifies on the calling thread: for tests.
pub fn verify_now(password: &str, stored: &HashedPassword) -> bool {
    verify_with(&mut memory_block(), password, stored.as_phc())
}

/// What an unknown account's sign-in is checked against, so that it costs what a known one
/// does: the hash of a random password nobody kept, with today's settings. A constant, so that
/// no worker needs its memory before the first real sign-in.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$DdiND7PO18S1SuilTW88fw$GNCByxafUL99L4bZisCcSXTDdWe18h3Nh37DqkAe0Sk";

pub struct PasswordHasher {
    pool: WorkerPool<Vec<Block>>,
}

impl PasswordHasher {
    /// `workers` threads, each with its own argon2 memory; at most `queue` hashes wait.
    pub fn new(workers: usize, queue: usize) -> Self {
        PasswordHasher {
            pool: WorkerPool::new("argon2", workers, queue, memory_block),
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
        self.pool.try_admit()
    }

    /// How many argon2 memory blocks exist: one per worker that has hashed, never more.
    pub fn memory_blocks(&self) -> usize {
        self.pool.states_made()
    }

    pub fn workers(&self) -> usize {
        self.pool.workers()
    }

    pub async fn hash(&self, password: String) -> Result<HashedPassword, AppError> {
        self.pool
            .run(move |memory| hash_with(memory, &password))
            .await?
    }

    /// Verifies `password` against `stored`; with no stored hash (unknown account) it verifies
    /// against [`DUMMY_HASH`], so both failures cost the same.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<HashedPassword>,
    ) -> Result<bool, AppError> {
        let known = stored.is_some();
        let stored = stored.map_or_else(|| DUMMY_HASH.to_owned(), |s| s.0);
        let ok = self
            .pool
            .run(move |memory| verify_with(memory, &password, &stored))
            .await?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher as _;

    #[test]
    fn hashes_are_argon2id_with_the_chosen_cost_and_verify() {
        let hash = hash_now("correct horse battery").expect("hash");
        assert!(
            hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.as_phc()
        );
        assert!(verify_now("correct horse battery", &hash));
        assert!(!verify_now("correct horse batterY", &hash));
        assert!(!verify_now(
            "anything",
            &HashedPassword::from_phc("not a hash")
        ));
        // A secret shows nothing of itself when printed.
        assert_eq!(format!("{hash:?}"), "HashedPassword(…)");
    }

    #[test]
    fn only_weaker_hashes_need_a_new_one() {
        let current = hash_now("correct horse battery").expect("hash");
        assert!(!needs_rehash(&current));
        let weak = |m, t| {
            let params = Params::new(m, t, 1, None).unwrap_or_default();
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(b"correct horse battery", &salt)
                .map(|h| HashedPassword::from_phc(h.to_string()))
                .expect("hash")
        };
        assert!(needs_rehash(&weak(4_096, 2)));
        assert!(needs_rehash(&weak(19_456, 1)));
        assert!(!needs_rehash(&weak(65_536, 3)), "stronger stays");
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default())
            .hash_password(b"x", &SaltString::generate(&mut rand::rngs::OsRng))
            .map(|h| HashedPassword::from_phc(h.to_string()))
            .expect("hash");
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

    #[test]
    fn hashes_from_the_argon2_crate_verify_and_ours_verify_there() {
        use argon2::password_hash::PasswordVerifier as _;
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"correct horse battery", &salt)
            .map(|h| HashedPassword::from_phc(h.to_string()))
            .expect("hash");
        assert!(verify_now("correct horse battery", &theirs));
        assert!(!verify_now("correct horse batterx", &theirs));
        let ours = hash_now("correct horse battery").expect("hash");
        let parsed = PasswordHash::new(ours.as_phc()).expect("phc");
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        // Older, cheaper settings still verify (and are replaced at sign-in).
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4_096, 1, 1, None).expect("params"),
        )
        .hash_password(b"pw", &salt)
        .map(|h| HashedPassword::from_phc(h.to_string()))
        .expect("hash");
        assert!(verify_now("pw", &cheap));
    }

    #[tokio::test]
    async fn the_hasher_reuses_one_memory_block_per_worker() {
        let hasher = std::sync::Arc::new(PasswordHasher::new(2, 64));
        let stored = hasher
            .hash("correct horse battery".into())
            .await
            .expect("hash");
        let mut checks = Vec::new();
        for n in 0..12 {
            let (hasher, stored) = (hasher.clone(), stored.clone());
            checks.push(tokio::spawn(async move {
                let guess = if n % 2 == 0 {
                    "correct horse battery"
                } else {
                    "wrong"
                };
                hasher.verify(guess.into(), Some(stored)).await
            }));
        }
        for (n, check) in checks.into_iter().enumerate() {
            assert_eq!(check.await.ok(), Some(Ok(n % 2 == 0)));
        }
        assert_eq!(hasher.workers(), 2);
        assert!(
            (1..=2).contains(&hasher.memory_blocks()),
            "13 hashes made {} memory blocks",
            hasher.memory_blocks()
        );
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        let hasher = PasswordHasher::new(1, 0);
        assert_eq!(hasher.verify("anything".into(), None).await, Ok(false));
        // The dummy is a well-formed hash with today's settings: it costs what a real one does.
        let parsed = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        assert_eq!(parsed.algorithm, Algorithm::Argon2id.ident());
        let cost = Params::try_from(&parsed).expect("parameters");
        assert_eq!(
            (cost.m_cost(), cost.t_cost(), cost.p_cost()),
            (MEMORY_KIB, PASSES, LANES)
        );
        assert_eq!(
            parsed.hash.map(|h| h.len()),
            Some(Params::DEFAULT_OUTPUT_LEN)
        );
        assert!(!needs_rehash(&HashedPassword::from_phc(DUMMY_HASH)));
    }
}
