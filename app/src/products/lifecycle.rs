//! Every write of a product's life after it was created: its expiry (renewal, restore), its
//! status, a domain's stage after expiry (PRD-4), its renewal warranty, and its transfer in
//! from another registrar. The shop carries orders out and the domains' scheduler moves stages
//! on by calling these; nothing else writes these columns. The rules that decide *when* stay
//! with their areas (`domains::lifecycle` for the stages, `shop::checkout` for what an order
//! line does); this is the one place that writes what they decided.

use super::DomainStage;
use crate::db::Tx;
use crate::db::{affected, exec};

/// Moves a product's expiry (a renewal or a restore), and makes it active again.
pub async fn extend_product(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    expires_at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET expires_at = $3, status = 'active', \
                       stage = 'active', stage_since = $4 WHERE organization_id = $1 AND id = $2";
    let done = affected!(tx, SQL, organization_id, product_id, expires_at, now)?;
    Ok(done == 1)
}

/// Restores a domain in redemption: its new expiry, active again; `false` when it is not in
/// redemption (any more).
pub async fn restore_product(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    expires_at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET expires_at = $3, status = 'active', stage = 'active', \
        stage_since = $4 WHERE organization_id = $1 AND id = $2 AND stage = 'redemption'";
    let done = affected!(tx, SQL, organization_id, product_id, expires_at, now)?;
    Ok(done == 1)
}

/// A released domain registered again: active, with a new expiry, its old switches, warranty
/// and block cleared.
pub async fn revive_domain(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    expires_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET expires_at = $3, status = 'active', stage = 'active', \
        stage_since = $4, auto_renew = FALSE, warranty_until = NULL, blocked_at = NULL, \
        blocked_by = NULL, created_at = $4 WHERE organization_id = $1 AND id = $2";
    exec!(tx, SQL, organization_id, product_id, expires_at, now)
}

/// Extends a domain's renewal warranty to `until`.
pub async fn set_warranty(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET warranty_until = $3 \
                       WHERE organization_id = $1 AND id = $2 AND kind = 'domain'";
    let done = affected!(tx, SQL, organization_id, product_id, until)?;
    Ok(done == 1)
}

/// Moves a domain from `from` to `to`; `false` when it is no longer in `from` with that expiry
/// (another scheduler moved it, or it was renewed meanwhile).
pub async fn move_stage(
    tx: &mut Tx,
    product_id: i64,
    expires_at: i64,
    from: DomainStage,
    to: DomainStage,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET stage = $4, stage_since = $5, status = 'expired' \
                       WHERE id = $1 AND expires_at = $2 AND stage = $3";
    let done = affected!(
        tx,
        SQL,
        product_id,
        expires_at,
        from.as_str(),
        to.as_str(),
        now
    )?;
    Ok(done == 1)
}

/// Puts a domain in a stage directly (the demo's history).
pub async fn set_stage(
    tx: &mut Tx,
    product_id: i64,
    stage: DomainStage,
    since: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET stage = $2, stage_since = $3, status = 'expired' \
                       WHERE id = $1";
    exec!(tx, SQL, product_id, stage.as_str(), since)
}

/// Marks a product just created as a transfer in, waiting for the registry, with its code.
pub async fn start_transfer(tx: &mut Tx, product_id: i64, code: &str) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET transfer_state = 'pending', transfer_code = $2, \
                       expires_at = NULL WHERE id = $1";
    exec!(tx, SQL, product_id, code)
}

/// Takes a pending transfer's code to send it; `false` when another worker took it.
pub async fn take_code(tx: &mut Tx, product_id: i64, code: &str) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET transfer_code = NULL \
        WHERE id = $1 AND transfer_state = 'pending' AND transfer_code = $2";
    let done = affected!(tx, SQL, product_id, code)?;
    Ok(done == 1)
}

/// Gives a claimed transfer its code back (the registry could not be asked).
pub async fn put_code_back(tx: &mut Tx, product_id: i64, code: &str) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET transfer_code = $2 \
        WHERE id = $1 AND transfer_state = 'pending' AND transfer_code IS NULL";
    exec!(tx, SQL, product_id, code)
}

/// Gives up a restart the registry could not be asked for: failed again, as it was.
pub async fn back_to_failed(tx: &mut Tx, product_id: i64) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE products SET transfer_state = 'failed' WHERE id = $1 AND transfer_state = 'pending'";
    exec!(tx, SQL, product_id)
}

/// Takes a failed transfer back to the registry; `false` when it is not failed (any more).
pub async fn retry(
    tx: &mut Tx,
    organization_id: i64,
    product_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET transfer_state = 'pending' \
        WHERE id = $1 AND organization_id = $2 AND transfer_state = 'failed'";
    let done = affected!(tx, SQL, product_id, organization_id)?;
    Ok(done == 1)
}

pub async fn transfer_done(
    tx: &mut Tx,
    product_id: i64,
    expires_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET transfer_state = 'done', transfer_failure = NULL, \
        transfer_restart_hash = NULL, transfer_restart_expires = NULL, \
        transfer_attempts = transfer_attempts + 1, expires_at = $2, status = 'active', \
        stage = 'active', stage_since = $3 WHERE id = $1";
    exec!(tx, SQL, product_id, expires_at, now)
}

pub async fn transfer_failed(
    tx: &mut Tx,
    product_id: i64,
    failure: &str,
    restart_hash: &str,
    restart_expires: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET transfer_state = 'failed', transfer_failure = $2, \
        transfer_attempts = transfer_attempts + 1, transfer_restart_hash = $3, \
        transfer_restart_expires = $4 WHERE id = $1";
    exec!(tx, SQL, product_id, failure, restart_hash, restart_expires)
}

/// Spends a restart link: `false` when it is not this domain's, was used, or expired.
pub async fn use_restart_link(
    tx: &mut Tx,
    product_id: i64,
    hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE products SET transfer_restart_hash = NULL, \
        transfer_restart_expires = NULL WHERE id = $1 AND transfer_restart_hash = $2 \
        AND transfer_restart_expires > $3";
    let done = affected!(tx, SQL, product_id, hash, now)?;
    Ok(done == 1)
}
