//! The second factor as a proof: what a person can give at the second step of a sign-in, and
//! whether a code they typed is one. The sign-in itself (sessions, failure counting, lockout)
//! is `crate::sign_in`'s.

use super::{backup_codes, store, totp, Challenge, MethodKind, ProofKind};
use crate::db::Tx;
use crate::error::AppError;

/// Which proofs this person can give, and which one to ask for first.
pub async fn challenge(tx: &mut Tx, user_id: i64) -> Result<Challenge, AppError> {
    let methods = store::methods(tx, user_id).await?;
    let backup_codes_remaining = store::backup_codes_remaining(tx, user_id).await?;
    let default_method = methods
        .iter()
        .find(|m| m.is_default)
        .or(methods.first())
        .map(|m| m.kind)
        .unwrap_or(MethodKind::AuthenticatorApp);
    Ok(Challenge {
        default_method,
        backup_codes_remaining,
    })
}

/// Checks `code` as a `proof` of `user_id`'s second factor, spending it when it is one (a
/// backup code works once; an authenticator code's time step is used up). `Ok(Err(refusal))`
/// is a wrong code, with the sentence to show; `Err` is a failure of the server.
pub async fn check(
    tx: &mut Tx,
    user_id: i64,
    proof: ProofKind,
    code: &str,
    now: i64,
) -> Result<Result<(), AppError>, AppError> {
    Ok(match proof {
        ProofKind::AuthenticatorApp => {
            let Some(code) = totp::normalize_code(code) else {
                return Err(AppError::validation(
                    "code",
                    "Enter the 6-digit code your app shows.",
                ));
            };
            let secrets = store::totp_secrets(tx, user_id).await?;
            let matched = secrets.iter().find_map(|(id, secret)| {
                totp::matching_step(secret, &code, now).map(|step| (*id, step))
            });
            match matched {
                Some((method_id, step)) => {
                    if store::consume_totp_step(tx, user_id, step).await? {
                        store::touch_method(tx, method_id, now).await?;
                        Ok(())
                    } else {
                        Err(already_used())
                    }
                }
                None => Err(AppError::validation(
                    "code",
                    "This code is not valid. Enter the code your app shows now.",
                )),
            }
        }
        ProofKind::BackupCode => {
            let Some(code) = backup_codes::normalize(code) else {
                return Err(AppError::validation(
                    "code",
                    "A backup code has 12 letters and digits, like abcd-efgh-jkmn.",
                ));
            };
            let hash = backup_codes::hash(user_id, &code);
            if store::spend_backup_code(tx, user_id, &hash, now).await? {
                Ok(())
            } else {
                Err(AppError::validation(
                    "code",
                    "This backup code is not valid or has already been used.",
                ))
            }
        }
    })
}

pub fn already_used() -> AppError {
    AppError::validation(
        "code",
        "This code has already been used. Wait for your app to show a new one.",
    )
}
