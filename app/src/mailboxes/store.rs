//! The SQL of mail services: addresses, their users and permissions, the global configuration,
//! maintenance, devices and their setup links, and what the device-authentication endpoint
//! reads and writes. Every function that takes an object id from the browser also takes the
//! product it must belong to, so an id of another service is simply not found.

use super::{AddressSummary, Device, MailUser, PendingSetup, Rights};
use crate::db::Tx;
use crate::db::{
    affected, exec, fetch_all, fetch_one, fetch_optional, scalar_one, scalar_optional,
};

/// A mail service of the organization (with `only_for`, only if that person was given access
/// to it): its name and its global configuration.
pub async fn service(
    tx: &mut Tx,
    organization_id: i64,
    only_for: Option<i64>,
    product_id: i64,
) -> Result<Option<(String, Rights)>, sqlx::Error> {
    const SQL: &str = "SELECT p.name, p.mail_default_rights FROM products p \
        WHERE p.id = $1 AND p.organization_id = $2 AND p.kind = 'mail_service' \
          AND ($3 = 0 OR EXISTS (SELECT 1 FROM product_reach a WHERE a.product_id = p.id AND a.user_id = $3))";
    let row: Option<(String, i64)> =
        fetch_optional!(tx, SQL, product_id, organization_id, only_for.unwrap_or(0))?;
    Ok(row.map(|(name, bits)| (name, Rights::from_bits(bits))))
}

pub async fn set_defaults(tx: &mut Tx, product_id: i64, rights: Rights) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE products SET mail_default_rights = $2 WHERE id = $1";
    exec!(tx, SQL, product_id, rights.bits())
}

/// The organization's domains an address can be created at: registered here (not released,
/// not waiting for a transfer in).
pub async fn domains(tx: &mut Tx, organization_id: i64) -> Result<Vec<String>, sqlx::Error> {
    const SQL: &str = "SELECT name FROM products WHERE organization_id = $1 AND kind = 'domain' \
        AND stage <> 'released' AND (transfer_state IS NULL OR transfer_state = 'done') ORDER BY name";
    let rows: Vec<(String,)> = fetch_all!(tx, SQL, organization_id)?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The addresses of a mail service, with their users and connected devices.
pub async fn addresses(tx: &mut Tx, product_id: i64) -> Result<Vec<AddressSummary>, sqlx::Error> {
    const ADDRESSES: &str = "SELECT a.id, a.address, a.maintenance_at IS NOT NULL, \
          (SELECT COUNT(*) FROM mail_devices d WHERE d.address_id = a.id AND d.disconnected_at IS NULL) \
        FROM mail_addresses a WHERE a.product_id = $1 ORDER BY a.address";
    const USERS: &str = "SELECT u.address_id, u.email FROM mail_users u \
        JOIN mail_addresses a ON a.id = u.address_id WHERE a.product_id = $1 ORDER BY u.email";
    let rows: Vec<(i64, String, bool, i64)> = fetch_all!(tx, ADDRESSES, product_id)?;
    let users: Vec<(i64, String)> = fetch_all!(tx, USERS, product_id)?;
    Ok(rows
        .into_iter()
        .map(|(id, address, in_maintenance, devices)| AddressSummary {
            id,
            address,
            users: users
                .iter()
                .filter(|(a, _)| *a == id)
                .map(|(_, e)| e.clone())
                .collect(),
            in_maintenance,
            devices,
        })
        .collect())
}

pub async fn address_count(tx: &mut Tx, product_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM mail_addresses WHERE product_id = $1";
    scalar_one!(tx, SQL, product_id)
}

/// Whether an address exists, in any mail service.
pub async fn address_taken(tx: &mut Tx, address: &str) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM mail_addresses WHERE address = $1";
    let n: i64 = scalar_one!(tx, SQL, address)?;
    Ok(n > 0)
}

pub async fn insert_address(
    tx: &mut Tx,
    product_id: i64,
    local_part: &str,
    domain: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO mail_addresses (product_id, address, local_part, domain, created_at) \
        VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let address = format!("{local_part}@{domain}");
    scalar_one!(tx, SQL, product_id, &address, local_part, domain, now)
}

/// An address of a mail service: its id, the address, since when it is in maintenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressRow {
    pub id: i64,
    pub address: String,
    pub maintenance_at: Option<i64>,
}

pub async fn address(
    tx: &mut Tx,
    product_id: i64,
    address_id: i64,
) -> Result<Option<AddressRow>, sqlx::Error> {
    const SQL: &str =
        "SELECT id, address, maintenance_at FROM mail_addresses WHERE id = $1 AND product_id = $2";
    let row: Option<(i64, String, Option<i64>)> = fetch_optional!(tx, SQL, address_id, product_id)?;
    Ok(row.map(|(id, address, maintenance_at)| AddressRow {
        id,
        address,
        maintenance_at,
    }))
}

/// The users of an address, with whether each is a member of `organization_id` and blocked
/// there.
pub async fn users(
    tx: &mut Tx,
    organization_id: i64,
    address_id: i64,
    defaults: Rights,
) -> Result<Vec<MailUser>, sqlx::Error> {
    // A user invited by email before they had an account is that account once it exists.
    const SQL: &str =
        "SELECT u.id, u.email, s.first_name, s.last_name, m.user_id IS NOT NULL AS member, \
          m.blocked_at IS NOT NULL AS blocked, u.rights \
        FROM mail_users u \
        LEFT JOIN users s ON s.id = u.user_id OR (u.user_id IS NULL AND s.email = u.email) \
        LEFT JOIN memberships m ON m.user_id = s.id AND m.organization_id = $2 \
        WHERE u.address_id = $1 ORDER BY u.email";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        email: String,
        first_name: Option<String>,
        last_name: Option<String>,
        member: bool,
        blocked: bool,
        rights: i64,
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, address_id, organization_id)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let Row {
                id,
                email,
                first_name: first,
                last_name: last,
                member,
                blocked,
                rights: bits,
            } = row;
            let rights = Rights::from_bits(bits);
            MailUser {
                id,
                email,
                name: first.zip(last).map(|(f, l)| format!("{f} {l}")),
                member,
                blocked,
                rights,
                as_defaults: rights == defaults,
            }
        })
        .collect())
}

pub async fn user_count(tx: &mut Tx, address_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM mail_users WHERE address_id = $1";
    scalar_one!(tx, SQL, address_id)
}

/// The account with this login email, if any.
pub async fn account_of(tx: &mut Tx, email: &str) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT id FROM users WHERE email = $1";
    scalar_optional!(tx, SQL, email)
}

/// Adds a user to an address; `None` when that email uses it already.
pub async fn insert_user(
    tx: &mut Tx,
    address_id: i64,
    email: &str,
    user_id: Option<i64>,
    rights: Rights,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "INSERT INTO mail_users (address_id, email, user_id, rights, added_at) \
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (address_id, email) DO NOTHING RETURNING id";
    scalar_optional!(tx, SQL, address_id, email, user_id, rights.bits(), now)
}

/// A user of one of the service's addresses.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub address_id: i64,
    pub address: String,
    pub email: String,
    #[sqlx(try_from = "i64")]
    pub rights: Rights,
}

pub async fn user(
    tx: &mut Tx,
    product_id: i64,
    mail_user_id: i64,
) -> Result<Option<UserRow>, sqlx::Error> {
    const SQL: &str = "SELECT u.id, u.address_id, a.address, u.email, u.rights FROM mail_users u \
        JOIN mail_addresses a ON a.id = u.address_id WHERE u.id = $1 AND a.product_id = $2";
    fetch_optional!(tx, SQL, mail_user_id, product_id)
}

/// The users of the given addresses of a service (ids of other services are ignored), or one
/// user of them.
pub async fn users_of(
    tx: &mut Tx,
    product_id: i64,
    address_ids: &[i64],
) -> Result<Vec<UserRow>, sqlx::Error> {
    const SQL: &str = "SELECT u.id, u.address_id, a.address, u.email, u.rights FROM mail_users u \
        JOIN mail_addresses a ON a.id = u.address_id WHERE a.product_id = $1 ORDER BY a.address, u.email";
    let rows: Vec<UserRow> = fetch_all!(tx, SQL, product_id)?;
    Ok(rows
        .into_iter()
        .filter(|r| address_ids.contains(&r.address_id))
        .collect())
}

pub async fn set_rights(tx: &mut Tx, mail_user_id: i64, rights: Rights) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE mail_users SET rights = $2 WHERE id = $1";
    exec!(tx, SQL, mail_user_id, rights.bits())
}

/// Removes a user from an address; their devices are disconnected first (their passwords then
/// answer "disconnected").
pub async fn remove_user(tx: &mut Tx, mail_user_id: i64, now: i64) -> Result<(), sqlx::Error> {
    const DEVICES: &str = "UPDATE mail_devices SET disconnected_at = $2 \
        WHERE mail_user_id = $1 AND disconnected_at IS NULL";
    const USER: &str = "DELETE FROM mail_users WHERE id = $1";
    exec!(tx, DEVICES, mail_user_id, now)?;
    exec!(tx, USER, mail_user_id)
}

/// Puts an address into maintenance (`Some((at, by))`) or lifts it; `false` when it already
/// stood so.
pub async fn set_maintenance(
    tx: &mut Tx,
    address_id: i64,
    on: Option<(i64, i64)>,
) -> Result<bool, sqlx::Error> {
    const ON: &str = "UPDATE mail_addresses SET maintenance_at = $2, maintenance_by = $3 \
        WHERE id = $1 AND maintenance_at IS NULL";
    const OFF: &str = "UPDATE mail_addresses SET maintenance_at = NULL, maintenance_by = NULL \
        WHERE id = $1 AND maintenance_at IS NOT NULL";
    let changed = match on {
        Some((at, by)) => affected!(tx, ON, address_id, at, by)?,
        None => affected!(tx, OFF, address_id)?,
    };
    Ok(changed == 1)
}

/// Puts every address of a mail service into maintenance (`Some((at, by))`) or lifts it from
/// every one (MAIL-6); how many changed (those already so are left as they are).
pub async fn set_service_maintenance(
    tx: &mut Tx,
    product_id: i64,
    on: Option<(i64, i64)>,
) -> Result<u64, sqlx::Error> {
    const ON: &str = "UPDATE mail_addresses SET maintenance_at = $2, maintenance_by = $3 \
        WHERE product_id = $1 AND maintenance_at IS NULL";
    const OFF: &str = "UPDATE mail_addresses SET maintenance_at = NULL, maintenance_by = NULL \
        WHERE product_id = $1 AND maintenance_at IS NOT NULL";
    match on {
        Some((at, by)) => affected!(tx, ON, product_id, at, by),
        None => affected!(tx, OFF, product_id),
    }
}

/// The connected devices of an address (with `of_user`, only that user's), generic first.
pub async fn devices(
    tx: &mut Tx,
    address_id: i64,
    of_user: Option<i64>,
) -> Result<Vec<Device>, sqlx::Error> {
    const SQL: &str =
        "SELECT d.id, d.name, u.email AS user_email, d.generic, d.created_at, d.last_used_at \
        FROM mail_devices d LEFT JOIN mail_users u ON u.id = d.mail_user_id \
        WHERE d.address_id = $1 AND d.disconnected_at IS NULL AND ($2 = 0 OR d.mail_user_id = $2) \
        ORDER BY d.generic DESC, d.created_at, d.id";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        user_email: Option<String>,
        generic: bool,
        created_at: i64,
        last_used_at: Option<i64>,
    }
    let rows: Vec<Row> = fetch_all!(tx, SQL, address_id, of_user.unwrap_or(0))?;
    Ok(rows
        .into_iter()
        .map(|row| Device {
            id: row.id,
            name: row.name,
            user: row.user_email,
            generic: row.generic,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        })
        .collect())
}

/// Whether a connected device of the address already has this password.
pub async fn secret_in_use(
    tx: &mut Tx,
    address_id: i64,
    secret_hash: &str,
) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "SELECT COUNT(*) FROM mail_devices WHERE address_id = $1 AND secret_hash = $2";
    let n: i64 = scalar_one!(tx, SQL, address_id, secret_hash)?;
    Ok(n > 0)
}

/// A new device password of an address (its keyed hash only).
pub struct NewDevice<'a> {
    pub address_id: i64,
    /// `None` for the generic password.
    pub mail_user_id: Option<i64>,
    pub name: &'a str,
    pub generic: bool,
    pub secret_hash: &'a str,
    pub at: i64,
}

pub async fn insert_device(tx: &mut Tx, device: &NewDevice<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO mail_devices (address_id, mail_user_id, name, generic, secret_hash, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        device.address_id,
        device.mail_user_id,
        device.name,
        device.generic,
        device.secret_hash,
        device.at
    )
}

/// A connected device of one of the service's addresses.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceRow {
    pub id: i64,
    pub address_id: i64,
    pub address: String,
    pub mail_user_id: Option<i64>,
    pub name: String,
    pub generic: bool,
}

pub async fn device(
    tx: &mut Tx,
    product_id: i64,
    device_id: i64,
) -> Result<Option<DeviceRow>, sqlx::Error> {
    const SQL: &str = "SELECT d.id, d.address_id, a.address, d.mail_user_id, d.name, d.generic \
        FROM mail_devices d JOIN mail_addresses a ON a.id = d.address_id \
        WHERE d.id = $1 AND a.product_id = $2 AND d.disconnected_at IS NULL";
    fetch_optional!(tx, SQL, device_id, product_id)
}

/// Disconnects one device; `false` when it was disconnected already.
pub async fn disconnect(tx: &mut Tx, device_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str =
        "UPDATE mail_devices SET disconnected_at = $2 WHERE id = $1 AND disconnected_at IS NULL";
    let n = affected!(tx, SQL, device_id, now)?;
    Ok(n == 1)
}

/// Disconnects every device of an address, the generic password included, and voids its setup
/// links not used yet (else one could connect a device again); how many of each.
pub async fn disconnect_all(
    tx: &mut Tx,
    address_id: i64,
    now: i64,
) -> Result<(u64, u64), sqlx::Error> {
    const DEVICES: &str = "UPDATE mail_devices SET disconnected_at = $2 \
        WHERE address_id = $1 AND disconnected_at IS NULL";
    const LINKS: &str = "UPDATE mail_device_setups SET used_at = $2 \
        WHERE address_id = $1 AND used_at IS NULL AND expires_at > $2";
    let mut counts = [0u64; 2];
    for (count, sql) in counts.iter_mut().zip([DEVICES, LINKS]) {
        *count = affected!(tx, sql, address_id, now)?;
    }
    Ok((counts[0], counts[1]))
}

pub async fn insert_setup(
    tx: &mut Tx,
    address_id: i64,
    mail_user_id: i64,
    device_name: &str,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO mail_device_setups (address_id, mail_user_id, device_name, token_hash, created_at, expires_at) \
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        address_id,
        mail_user_id,
        device_name,
        token_hash,
        now,
        expires_at
    )
}

/// The setup links of an address not used and not expired.
pub async fn setups(
    tx: &mut Tx,
    address_id: i64,
    now: i64,
) -> Result<Vec<PendingSetup>, sqlx::Error> {
    const SQL: &str = "SELECT s.id, u.email, s.device_name, s.expires_at FROM mail_device_setups s \
        JOIN mail_users u ON u.id = s.mail_user_id \
        WHERE s.address_id = $1 AND s.used_at IS NULL AND s.expires_at > $2 ORDER BY s.created_at, s.id";
    let rows: Vec<(i64, String, String, i64)> = fetch_all!(tx, SQL, address_id, now)?;
    Ok(rows
        .into_iter()
        .map(|(id, user, device_name, expires_at)| PendingSetup {
            id,
            user,
            device_name,
            expires_at,
        })
        .collect())
}

/// A setup link, found by its token's hash, still usable.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SetupRow {
    pub id: i64,
    pub address_id: i64,
    pub address: String,
    pub organization_id: i64,
    pub product_id: i64,
    pub mail_user_id: i64,
    pub device_name: String,
    pub expires_at: i64,
}

pub async fn setup(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<SetupRow>, sqlx::Error> {
    const SQL: &str = "SELECT s.id, s.address_id, a.address, p.organization_id, a.product_id, \
          s.mail_user_id, s.device_name, s.expires_at \
        FROM mail_device_setups s JOIN mail_addresses a ON a.id = s.address_id \
        JOIN products p ON p.id = a.product_id \
        WHERE s.token_hash = $1 AND s.used_at IS NULL AND s.expires_at > $2";
    fetch_optional!(tx, SQL, token_hash, now)
}

/// Spends a setup link; `false` when it was spent or expired meanwhile.
pub async fn use_setup(tx: &mut Tx, setup_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE mail_device_setups SET used_at = $2 \
        WHERE id = $1 AND used_at IS NULL AND expires_at > $2";
    let n = affected!(tx, SQL, setup_id, now)?;
    Ok(n == 1)
}

/// An address I use, as the person's own view reads it.
#[derive(sqlx::FromRow)]
pub struct MyAddressRow {
    /// The user row's id (which of the address's users I am).
    pub mail_user_id: i64,
    pub address_id: i64,
    /// The organization's name.
    pub organization: String,
    pub address: String,
    pub in_maintenance: bool,
    /// My permissions.
    #[sqlx(try_from = "i64")]
    pub rights: Rights,
}

/// The addresses this account uses (as the account, or invited under its login email before
/// it had one).
pub async fn my_addresses(
    tx: &mut Tx,
    user_id: i64,
    email: &str,
) -> Result<Vec<MyAddressRow>, sqlx::Error> {
    const SQL: &str =
        "SELECT u.id AS mail_user_id, a.id AS address_id, o.name AS organization, a.address, \
          a.maintenance_at IS NOT NULL AS in_maintenance, u.rights \
        FROM mail_users u JOIN mail_addresses a ON a.id = u.address_id \
        JOIN products p ON p.id = a.product_id JOIN organizations o ON o.id = p.organization_id \
        WHERE u.user_id = $1 OR (u.user_id IS NULL AND u.email = $2) ORDER BY a.address";
    fetch_all!(tx, SQL, user_id, email)
}

/// An address of one organization's mail services that a person uses (as their account, or
/// under their login email), with their devices still connected: the person's page and the
/// review before removing them (ORG-10, ORG-11).
#[derive(sqlx::FromRow)]
pub struct UsedAddressRow {
    pub mail_user_id: i64,
    pub address_id: i64,
    pub product_id: i64,
    pub address: String,
    pub in_maintenance: bool,
    #[sqlx(try_from = "i64")]
    pub rights: Rights,
}

pub async fn used_in(
    tx: &mut Tx,
    organization_id: i64,
    user_id: i64,
    email: &str,
) -> Result<Vec<UsedAddressRow>, sqlx::Error> {
    const SQL: &str = "SELECT u.id AS mail_user_id, a.id AS address_id, a.product_id, a.address, \
          a.maintenance_at IS NOT NULL AS in_maintenance, u.rights \
        FROM mail_users u JOIN mail_addresses a ON a.id = u.address_id \
        JOIN products p ON p.id = a.product_id \
        WHERE p.organization_id = $1 AND (u.user_id = $2 OR (u.user_id IS NULL AND u.email = $3)) \
        ORDER BY a.address, u.id";
    fetch_all!(tx, SQL, organization_id, user_id, email)
}

/// The address of one of the organization's mail services that is this login email, if any:
/// such a person cannot leave the organization on their own (ORG-8, the seed's condition).
pub async fn login_address_in(
    tx: &mut Tx,
    organization_id: i64,
    email: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT a.product_id, a.id FROM mail_addresses a \
        JOIN products p ON p.id = a.product_id WHERE p.organization_id = $1 AND a.address = $2";
    fetch_optional!(tx, SQL, organization_id, email.to_lowercase())
}

/// One of the address users that this account is (by account, or by its login email when
/// invited before it had one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyUserRow {
    pub user: UserRow,
    pub product_id: i64,
    pub organization_id: i64,
    pub in_maintenance: bool,
}

pub async fn my_user(
    tx: &mut Tx,
    mail_user_id: i64,
    user_id: i64,
    email: &str,
) -> Result<Option<MyUserRow>, sqlx::Error> {
    const SQL: &str = "SELECT u.id, u.address_id, a.address, u.email, u.rights, a.product_id, \
          p.organization_id, a.maintenance_at IS NOT NULL AS in_maintenance \
        FROM mail_users u JOIN mail_addresses a ON a.id = u.address_id \
        JOIN products p ON p.id = a.product_id \
        WHERE u.id = $1 AND (u.user_id = $2 OR (u.user_id IS NULL AND u.email = $3))";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        address_id: i64,
        address: String,
        email: String,
        rights: i64,
        product_id: i64,
        organization_id: i64,
        in_maintenance: bool,
    }
    let row: Option<Row> = fetch_optional!(tx, SQL, mail_user_id, user_id, email)?;
    Ok(row.map(
        |Row {
             id,
             address_id,
             address,
             email,
             rights: bits,
             product_id,
             organization_id,
             in_maintenance,
         }| {
            MyUserRow {
                user: UserRow {
                    id,
                    address_id,
                    address,
                    email,
                    rights: Rights::from_bits(bits),
                },
                product_id,
                organization_id,
                in_maintenance,
            }
        },
    ))
}

/// What the device-authentication endpoint needs of an address.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuthAddress {
    pub id: i64,
    pub product_id: i64,
    pub organization_id: i64,
    pub in_maintenance: bool,
}

pub async fn auth_address(tx: &mut Tx, address: &str) -> Result<Option<AuthAddress>, sqlx::Error> {
    const SQL: &str = "SELECT a.id, a.product_id, p.organization_id, \
          a.maintenance_at IS NOT NULL AS in_maintenance \
        FROM mail_addresses a JOIN products p ON p.id = a.product_id WHERE a.address = $1";
    fetch_optional!(tx, SQL, address)
}

/// The device whose password has this keyed hash on an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthDevice {
    pub id: i64,
    pub name: String,
    pub disconnected: bool,
    /// Its user is blocked in the organization (ORG-6).
    pub blocked: bool,
    /// Its last refusal: the reason and when.
    pub last_refusal: Option<(String, i64)>,
    pub last_used_at: Option<i64>,
}

pub async fn auth_device(
    tx: &mut Tx,
    address: &AuthAddress,
    secret_hash: &str,
) -> Result<Option<AuthDevice>, sqlx::Error> {
    const SQL: &str = "SELECT d.id, d.name, d.disconnected_at IS NOT NULL AS disconnected, \
          COALESCE(m.blocked_at IS NOT NULL, FALSE) AS blocked, d.last_refusal, d.last_refused_at, \
          d.last_used_at \
        FROM mail_devices d LEFT JOIN mail_users u ON u.id = d.mail_user_id \
        LEFT JOIN users s ON s.id = u.user_id OR (u.user_id IS NULL AND s.email = u.email) \
        LEFT JOIN memberships m ON m.user_id = s.id AND m.organization_id = $3 \
        WHERE d.address_id = $1 AND d.secret_hash = $2 \
        ORDER BY d.disconnected_at IS NULL DESC, d.id DESC";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        disconnected: bool,
        blocked: bool,
        last_refusal: Option<String>,
        last_refused_at: Option<i64>,
        last_used_at: Option<i64>,
    }
    let row: Option<Row> =
        fetch_optional!(tx, SQL, address.id, secret_hash, address.organization_id)?;
    Ok(row.map(|row| AuthDevice {
        id: row.id,
        name: row.name,
        disconnected: row.disconnected,
        blocked: row.blocked,
        last_refusal: row.last_refusal.zip(row.last_refused_at),
        last_used_at: row.last_used_at,
    }))
}

/// Records a refusal of a device's password.
pub async fn refused_device(
    tx: &mut Tx,
    device_id: i64,
    reason: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE mail_devices SET last_refusal = $2, last_refused_at = $3 WHERE id = $1";
    exec!(tx, SQL, device_id, reason, now)
}

pub async fn touch_device(tx: &mut Tx, device_id: i64, now: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE mail_devices SET last_used_at = $2 WHERE id = $1";
    exec!(tx, SQL, device_id, now)
}

/// Wrong device passwords since `since`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// For this mail address from this client network.
    pub address_from_client: i64,
    /// From this client network, whatever the mail addresses.
    pub client: i64,
    /// For this mail address, from every client.
    pub address: i64,
}

pub async fn failures(
    tx: &mut Tx,
    address: &str,
    network: &str,
    since: i64,
) -> Result<Failures, sqlx::Error> {
    const SQL: &str = "SELECT \
          COALESCE(SUM(CASE WHEN address = $1 AND remote_ip = $2 THEN 1 ELSE 0 END), 0), \
          COALESCE(SUM(CASE WHEN remote_ip = $2 THEN 1 ELSE 0 END), 0), \
          COALESCE(SUM(CASE WHEN address = $1 THEN 1 ELSE 0 END), 0) \
        FROM mail_auth_failures WHERE (remote_ip = $2 OR address = $1) AND at >= $3";
    let (address_from_client, client, address): (i64, i64, i64) =
        fetch_one!(tx, SQL, address, network, since)?;
    Ok(Failures {
        address_from_client,
        client,
        address,
    })
}

/// Whether a device of the address signed in from this client network since `since`.
pub async fn known_client(
    tx: &mut Tx,
    address_id: i64,
    network: &str,
    since: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*) FROM mail_known_clients \
        WHERE address_id = $1 AND network = $2 AND last_allowed_at >= $3";
    let n: i64 = crate::db::scalar_one!(tx, SQL, address_id, network, since)?;
    Ok(n > 0)
}

/// Remembers a client network a device of the address signed in from.
pub async fn remember_client(
    tx: &mut Tx,
    address_id: i64,
    network: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO mail_known_clients (address_id, network, last_allowed_at) \
        VALUES ($1, $2, $3) ON CONFLICT (address_id, network) DO UPDATE SET last_allowed_at = excluded.last_allowed_at";
    exec!(tx, SQL, address_id, network, now)
}

/// Records a refusal, and forgets those older than `forget_before`.
pub async fn record_failure(
    tx: &mut Tx,
    address: &str,
    remote_ip: &str,
    now: i64,
    forget_before: i64,
) -> Result<(), sqlx::Error> {
    const INSERT: &str =
        "INSERT INTO mail_auth_failures (address, remote_ip, at) VALUES ($1, $2, $3)";
    const FORGET: &str = "DELETE FROM mail_auth_failures WHERE at < $1";
    exec!(tx, INSERT, address, remote_ip, now)?;
    exec!(tx, FORGET, forget_before)
}

/// A key the server keeps for itself, if it was made already.
pub async fn stored_secret(tx: &mut Tx, name: &str) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "SELECT value FROM server_secrets WHERE name = $1";
    scalar_optional!(tx, SQL, name)
}

/// A key the server keeps for itself, made on first use (two processes racing keep the first).
pub async fn server_secret(tx: &mut Tx, name: &str, fresh: &str) -> Result<String, sqlx::Error> {
    const INSERT: &str =
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
    exec!(tx, INSERT, name, fresh)?;
    stored_secret(tx, name)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}
