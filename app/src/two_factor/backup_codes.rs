//! Backup codes: ten single-use codes given at every two-factor setup, for the day the phone is
//! lost. Twelve characters from a 31-letter alphabet without look-alikes (about 59 bits each);
//! only SHA-256 of (user id, code) is stored.

use rand::Rng;
use sha2::{Digest, Sha256};

pub const COUNT: usize = 10;
pub const LENGTH: usize = 12;
/// No 0/o, 1/l/i: codes are read off paper.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Ten fresh codes, formatted for people: `xxxx-xxxx-xxxx`.
pub fn generate() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..COUNT)
        .map(|_| {
            let raw: String = (0..LENGTH)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
        })
        .collect()
}

/// What people type, reduced to the stored form: lower case, no spaces or dashes.
/// `None` when it cannot be a backup code at all.
pub fn normalize(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The stored form of a (normalised) code, bound to its owner.
pub fn hash(user_id: i64, normalized: &str) -> String {
    let digest = Sha256::digest(format!("steward-backup-code:{user_id}:{normalized}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_well_formed_codes() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 14, "{code}");
            assert!(normalize(code).is_some(), "{code}");
        }
    }

    #[test]
    fn typing_variations_normalise_to_the_same_code() {
        assert_eq!(normalize("ABCD-EFGH-JKMN"), Some("abcdefghjkmn".into()));
        assert_eq!(normalize(" abcd efgh jkmn "), Some("abcdefghjkmn".into()));
        assert_eq!(normalize("abcd-efgh-jkm"), None);
        assert_eq!(
            normalize("abcd-efgh-jkm0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(
            normalize("123456"),
            None,
            "an app code is not a backup code"
        );
    }

    #[test]
    fn hashes_are_bound_to_the_user() {
        assert_ne!(hash(1, "abcdefghjkmn"), hash(2, "abcdefghjkmn"));
        assert_eq!(hash(1, "abcdefghjkmn").len(), 64);
        assert_ne!(hash(1, "abcdefghjkmn"), "abcdefghjkmn");
    }
}
