//! Server functions of mail services. Who reaches a service is the product's reach (PRD-3);
//! changing permissions, the global configuration or a device's password asks for a recent
//! "confirm it's you" (MAIL-5, the rows' `.confirmed()`); maintenance is for administrators and
//! legal representatives (MAIL-3).

use super::{
    AddressFacts, MailServiceFacts, MyAddress, NewDevicePassword, NewSetupLink, SetupFacts,
};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "mail_service")]
pub async fn mail_service(
    organization_id: i64,
    product_id: i64,
) -> Result<MailServiceFacts, AppError> {
    MailService::serve(|cx| async move {
        let Reached {
            mut tx,
            member,
            name,
            defaults,
        } = reached(&cx, organization_id, product_id).await?;
        let domains = store::domains(&mut tx, organization_id).await?;
        let addresses = store::addresses(&mut tx, product_id).await?;
        tx.commit().await?;
        Ok(MailServiceFacts {
            product_id,
            name,
            defaults,
            domains,
            addresses,
            may_manage: true,
            may_maintain: member.may(Action::BlockProducts),
        })
    })
    .await
}

#[server(endpoint = "mail_address")]
pub async fn mail_address(
    organization_id: i64,
    product_id: i64,
    mail_address_id: i64,
) -> Result<AddressFacts, AppError> {
    MailAddress::serve(|cx| async move {
        let address_id: i64 = mail_address_id;
        let Reached {
            mut tx,
            member,
            name: service,
            defaults,
        } = reached(&cx, organization_id, product_id).await?;
        let row = store::address(&mut tx, product_id, address_id)
            .await?
            .ok_or_else(|| AppError::not_found("mail address"))?;
        let users = store::users(&mut tx, organization_id, address_id, defaults).await?;
        let devices = store::devices(&mut tx, address_id, None).await?;
        let setups = store::setups(&mut tx, address_id, cx.now()).await?;
        tx.commit().await?;
        Ok(AddressFacts {
            id: row.id,
            product_id,
            service,
            address: row.address,
            maintenance_since: row.maintenance_at,
            users,
            devices,
            setups,
            defaults,
            may_manage: true,
            may_maintain: member.may(Action::BlockProducts),
            suggested_password: Some(device::generate()),
        })
    })
    .await
}

/// Creates `local_part@domain` with its first users (email addresses, comma- or line-separated),
/// each given `rights` (the form pre-selects the global configuration). Answers the new id.
#[server(endpoint = "create_mail_address")]
pub async fn create_mail_address(
    organization_id: i64,
    product_id: i64,
    local_part: String,
    domain: String,
    users: String,
    rights: String,
) -> Result<i64, AppError> {
    CreateMailAddress::serve(|cx| async move {
        let local = check_local_part(&local_part)?;
        let users = check_users(&users)?;
        let rights = rights_of(&rights)?;
        let Reached { mut tx, member, .. } = managed(&cx, organization_id, product_id).await?;
        let domain = domain.trim().to_lowercase();
        if !store::domains(&mut tx, organization_id)
            .await?
            .contains(&domain)
        {
            return Err(AppError::validation(
                "domain",
                "Choose one of the organization's domains.",
            ));
        }
        if store::address_count(&mut tx, product_id).await? >= ADDRESSES_MAX as i64 {
            return Err(AppError::validation(
                "local_part",
                format!("A mail service holds at most {ADDRESSES_MAX} addresses."),
            ));
        }
        let address = format!("{local}@{domain}");
        if store::address_taken(&mut tx, &address).await? {
            return Err(AppError::validation(
                "local_part",
                format!("{address} exists already."),
            ));
        }
        let id = store::insert_address(&mut tx, product_id, &local, &domain, cx.now()).await?;
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::MailAddressCreated,
                organization_id,
                product_id,
                &address,
            ),
        )
        .await?;
        for email in &users {
            add_one(
                &cx,
                &mut tx,
                (organization_id, &member.name),
                product_id,
                (id, &address),
                email,
                rights,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    })
    .await
}

#[server(endpoint = "add_mail_user")]
pub async fn add_mail_user(
    organization_id: i64,
    product_id: i64,
    mail_address_id: i64,
    email: String,
    rights: String,
) -> Result<i64, AppError> {
    AddMailUser::serve(|cx| async move {
        let address_id: i64 = mail_address_id;
        let email = crate::mail::normalize_email(&email)?;
        let rights = rights_of(&rights)?;
        let Reached { mut tx, member, .. } = managed(&cx, organization_id, product_id).await?;
        let address = store::address(&mut tx, product_id, address_id)
            .await?
            .ok_or_else(|| AppError::not_found("mail address"))?;
        if store::user_count(&mut tx, address_id).await? >= USERS_MAX as i64 {
            return Err(AppError::validation(
                "email",
                format!("An address has at most {USERS_MAX} users."),
            ));
        }
        let id = add_one(
            &cx,
            &mut tx,
            (organization_id, &member.name),
            product_id,
            (address_id, &address.address),
            &email,
            rights,
        )
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "email",
                format!("{email} uses {} already.", address.address),
            )
        })?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

#[server(endpoint = "remove_mail_user")]
pub async fn remove_mail_user(
    organization_id: i64,
    product_id: i64,
    mail_user_id: i64,
) -> Result<(), AppError> {
    RemoveMailUser::serve(|cx| async move {
        let Reached { mut tx, .. } = managed(&cx, organization_id, product_id).await?;
        let user = store::user(&mut tx, product_id, mail_user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        store::remove_user(&mut tx, mail_user_id, cx.now()).await?;
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::MailUserRemoved,
                organization_id,
                product_id,
                &format!(
                    "{} from {} (their devices disconnected)",
                    user.email, user.address
                ),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Replaces one user's permissions ("Modify rights", or one icon toggled).
#[server(endpoint = "set_mail_rights")]
pub async fn set_mail_rights(
    organization_id: i64,
    product_id: i64,
    mail_user_id: i64,
    rights: String,
) -> Result<(), AppError> {
    SetMailRights::serve(|cx| async move {
        let rights = rights_of(&rights)?;
        let Reached { mut tx, .. } = managed(&cx, organization_id, product_id).await?;
        let user = store::user(&mut tx, product_id, mail_user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        change_rights(&cx, &mut tx, organization_id, product_id, &user, rights, "").await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The global configuration: the service's default permissions (MAIL-2).
#[server(endpoint = "set_mail_defaults")]
pub async fn set_mail_defaults(
    organization_id: i64,
    product_id: i64,
    rights: String,
) -> Result<(), AppError> {
    SetMailDefaults::serve(|cx| async move {
        let rights = rights_of(&rights)?;
        let Reached {
            mut tx,
            name,
            defaults: old,
            ..
        } = managed(&cx, organization_id, product_id).await?;
        if old != rights {
            store::set_defaults(&mut tx, product_id, rights).await?;
            cx.log(
                &mut tx,
                Log::product(
                    ActivityAction::MailDefaultsChanged,
                    organization_id,
                    product_id,
                    &format!("{name}: {} (was: {})", rights.describe(), old.describe()),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Replaces the permissions of every user of the ticked addresses with the global
/// configuration — or, with `mail_user_id`, of that one user — in one transaction; answers how
/// many users changed.
#[server(endpoint = "apply_global_configuration")]
pub async fn apply_global_configuration(
    organization_id: i64,
    product_id: i64,
    mail_address_ids: String,
    mail_user_id: i64,
) -> Result<usize, AppError> {
    ApplyGlobalConfiguration::serve(|cx| async move {
        let address_ids: String = mail_address_ids;
        let address_ids = ids_of(&address_ids)?;
        let Reached {
            mut tx, defaults, ..
        } = managed(&cx, organization_id, product_id).await?;
        let users = if mail_user_id != 0 {
            vec![store::user(&mut tx, product_id, mail_user_id)
                .await?
                .ok_or_else(|| AppError::not_found("user"))?]
        } else {
            if address_ids.is_empty() {
                return Err(AppError::validation(
                    "mail_address_ids",
                    "Tick the addresses to apply the global configuration to.",
                ));
            }
            // Every ticked id must be one of this service's addresses.
            for id in &address_ids {
                store::address(&mut tx, product_id, *id)
                    .await?
                    .ok_or_else(|| AppError::not_found("mail address"))?;
            }
            store::users_of(&mut tx, product_id, &address_ids).await?
        };
        let mut changed = 0;
        for user in &users {
            if change_rights(
                &cx,
                &mut tx,
                organization_id,
                product_id,
                user,
                defaults,
                " (global configuration applied)",
            )
            .await?
            {
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(changed)
    })
    .await
}

#[server(endpoint = "set_mail_maintenance")]
pub async fn set_mail_maintenance(
    organization_id: i64,
    product_id: i64,
    mail_address_id: i64,
    on: bool,
) -> Result<(), AppError> {
    SetMailMaintenance::serve(|cx| async move {
        let address_id: i64 = mail_address_id;
        let account_id = cx.account()?.id;
        let Reached { mut tx, .. } = managed(&cx, organization_id, product_id).await?;
        let address = store::address(&mut tx, product_id, address_id)
            .await?
            .ok_or_else(|| AppError::not_found("mail address"))?;
        let changed =
            store::set_maintenance(&mut tx, address_id, on.then_some((cx.now(), account_id)))
                .await?;
        if !changed {
            return Err(AppError::validation(
                "on",
                if on {
                    format!("{} is in maintenance already.", address.address)
                } else {
                    format!("{} is not in maintenance.", address.address)
                },
            ));
        }
        let detail = if on {
            format!(
                "{}: maintenance on — mail is still received; consultation and devices are refused",
                address.address
            )
        } else {
            format!("{}: maintenance lifted", address.address)
        };
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::MailMaintenanceChanged,
                organization_id,
                product_id,
                &detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Puts the whole mail service into maintenance in one step (MAIL-6, the seed's "Manage →
/// Activate maintenance"): every address is suspended — mail is still received, consultation
/// and devices are refused — or lifted from every one. Answers how many addresses changed.
#[server(endpoint = "set_service_maintenance")]
pub async fn set_service_maintenance(
    organization_id: i64,
    product_id: i64,
    on: bool,
) -> Result<u64, AppError> {
    SetServiceMaintenance::serve(|cx| async move {
        let account_id = cx.account()?.id;
        let Reached { mut tx, name, .. } = managed(&cx, organization_id, product_id).await?;
        let changed = store::set_service_maintenance(
            &mut tx,
            product_id,
            on.then_some((cx.now(), account_id)),
        )
        .await?;
        if changed == 0 {
            return Err(AppError::validation(
                "on",
                if on {
                    "Every address of this mail service is in maintenance already (or it has none)."
                } else {
                    "No address of this mail service is in maintenance."
                },
            ));
        }
        let detail = if on {
            format!("{name}: maintenance on for {changed} address(es) — mail is still received; consultation and devices are refused")
        } else {
            format!("{name}: maintenance lifted on {changed} address(es)")
        };
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::MailMaintenanceChanged,
                organization_id,
                product_id,
                &detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(changed)
    })
    .await
}

/// Saves a device password for a user of an address (the suggested one, or as edited once);
/// answers it, to be shown this once.
#[server(endpoint = "create_device_password")]
pub async fn create_device_password(
    organization_id: i64,
    product_id: i64,
    mail_user_id: i64,
    name: String,
    password: String,
) -> Result<NewDevicePassword, AppError> {
    CreateDevicePassword::serve(|cx| async move {
        let name = check_device_name(&name)?;
        let password = device::check_password(&password)?;
        let Reached { mut tx, .. } = managed(&cx, organization_id, product_id).await?;
        let user = store::user(&mut tx, product_id, mail_user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let made = save_device(
            &cx,
            &mut tx,
            organization_id,
            product_id,
            (user.address_id, &user.address),
            (user.id, &user.email),
            &name,
            password,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    })
    .await
}

/// Cuts a device's connection and gives it a new password (shown this once).
#[server(endpoint = "change_device_password")]
pub async fn change_device_password(
    organization_id: i64,
    product_id: i64,
    device_id: i64,
) -> Result<NewDevicePassword, AppError> {
    ChangeDevicePassword::serve(|cx| async move {
        let Reached { mut tx, .. } = managed(&cx, organization_id, product_id).await?;
        let old = store::device(&mut tx, product_id, device_id)
            .await?
            .ok_or_else(|| AppError::not_found("device"))?;
        let Some(mail_user_id) = old.mail_user_id.filter(|_| !old.generic) else {
            return Err(AppError::validation(
                "device_id",
                "The generic password cannot be reset: add a device password beside it instead.",
            ));
        };
        let user = store::user(&mut tx, product_id, mail_user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        // The old password stops working at once (it answers "disconnected").
        store::disconnect(&mut tx, device_id, cx.now()).await?;
        let made = save_device(
            &cx,
            &mut tx,
            organization_id,
            product_id,
            (old.address_id, &old.address),
            (user.id, &user.email),
            &old.name,
            device::generate(),
            " (password changed: the old one is cut off)",
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    })
    .await
}

#[server(endpoint = "disconnect_device")]
pub async fn disconnect_device(
    organization_id: i64,
    product_id: i64,
    device_id: i64,
) -> Result<(), AppError> {
    DisconnectDevice::serve(|cx| async move {
        let Reached { mut tx, .. } = managed(&cx, organization_id, product_id).await?;
        let device = store::device(&mut tx, product_id, device_id)
            .await?
            .ok_or_else(|| AppError::not_found("device"))?;
        store::disconnect(&mut tx, device_id, cx.now()).await?;
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::DeviceDisconnected,
                organization_id,
                product_id,
                &format!("{}: device {} disconnected", device.address, device.name),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Disconnects every device of an address, the generic password included; answers how many.
#[server(endpoint = "disconnect_all_devices")]
pub async fn disconnect_all_devices(
    organization_id: i64,
    product_id: i64,
    mail_address_id: i64,
) -> Result<u64, AppError> {
    DisconnectAllDevices::serve(|cx| async move {
        let address_id: i64 = mail_address_id;
        let Reached { mut tx, .. } = managed(&cx, organization_id, product_id).await?;
        let address = store::address(&mut tx, product_id, address_id)
            .await?
            .ok_or_else(|| AppError::not_found("mail address"))?;
        let (count, links) = store::disconnect_all(&mut tx, address_id, cx.now()).await?;
        if count + links > 0 {
            cx.log(
                &mut tx,
                Log::product(
                    ActivityAction::DeviceDisconnected,
                    organization_id,
                    product_id,
                    &format!(
                        "{}: all {count} device(s) disconnected, {links} unused setup link(s) voided",
                        address.address
                    ),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(count)
    })
    .await
}

/// A setup link (30 days, single use) for a user's device, shown once and, with `send`,
/// emailed to the user.
#[server(endpoint = "send_device_setup")]
pub async fn send_device_setup(
    organization_id: i64,
    product_id: i64,
    mail_user_id: i64,
    device_name: String,
    send: bool,
) -> Result<NewSetupLink, AppError> {
    SendDeviceSetup::serve(|cx| async move {
        let name = check_device_name(&device_name)?;
        let Reached { mut tx, member, .. } = managed(&cx, organization_id, product_id).await?;
        let user = store::user(&mut tx, product_id, mail_user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let (token, hash) = crate::tokens::new_token();
        let expires_at = cx.now() + SETUP_LINK_DAYS * 86_400;
        store::insert_setup(
            &mut tx,
            user.address_id,
            user.id,
            &name,
            hash.as_str(),
            cx.now(),
            expires_at,
        )
        .await?;
        let link = format!("{}/mail-setup?token={token}", cx.state.settings.public_url);
        if send {
            let message = crate::mail::messages::device_setup(
                &user.email,
                &user.address,
                &member.name,
                &name,
                &link,
                SETUP_LINK_DAYS,
            )?;
            crate::mail::store::enqueue(&mut tx, &message, cx.now()).await?;
        }
        cx.log(
            &mut tx,
            Log::product(
                ActivityAction::DeviceSetupSent,
                organization_id,
                product_id,
                &format!(
                    "{}: setup link for device {name} of {}{}",
                    user.address,
                    user.email,
                    if send { ", emailed" } else { "" }
                ),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(NewSetupLink {
            link,
            expires_at,
            emailed_to: send.then_some(user.email),
        })
    })
    .await
}

/// The addresses I use, with what I may do on each (the user's own view).
#[server(endpoint = "my_mail_addresses")]
pub async fn my_mail_addresses() -> Result<Vec<MyAddress>, AppError> {
    MyMailAddresses::serve(|cx| async move {
        let account = cx.account()?.clone();
        let mut tx = cx.read().await?;
        let rows = store::my_addresses(&mut tx, account.id, &account.email).await?;
        let mut mine = Vec::with_capacity(rows.len());
        for store::MyAddressRow {
            mail_user_id,
            address_id,
            organization,
            address,
            in_maintenance,
            rights,
        } in rows
        {
            let devices = if rights.has(super::MailRight::Devices) {
                store::devices(&mut tx, address_id, Some(mail_user_id)).await?
            } else {
                Vec::new()
            };
            let devices_allowed = rights.has(super::MailRight::Devices);
            mine.push(MyAddress {
                id: mail_user_id,
                organization,
                address,
                in_maintenance,
                rights,
                devices,
                suggested_password: devices_allowed.then(device::generate),
            });
        }
        tx.commit().await?;
        Ok(mine)
    })
    .await
}

/// A device password for myself on an address I use, with its devices permission
/// ("Configure a device"); shown this once.
#[server(endpoint = "create_my_device_password")]
pub async fn create_my_device_password(
    id: i64,
    name: String,
    password: String,
) -> Result<NewDevicePassword, AppError> {
    CreateMyDevicePassword::serve(|cx| async move {
        let mail_user_id: i64 = id;
        let account = cx.account()?.clone();
        let name = check_device_name(&name)?;
        let password = device::check_password(&password)?;
        let mut tx = cx.write().await?;
        let mine = store::my_user(&mut tx, mail_user_id, account.id, &account.email)
            .await?
            .ok_or_else(|| AppError::not_found("mail address"))?;
        if !mine.user.rights.has(super::MailRight::Devices) {
            return Err(AppError::new(
                crate::error::ErrorCode::Forbidden,
                "You may not configure devices on this address: ask its administrator.",
            ));
        }
        if mine.in_maintenance {
            return Err(AppError::validation(
                "name",
                format!(
                    "{} is in maintenance: devices cannot be added until it is lifted.",
                    mine.user.address
                ),
            ));
        }
        let made = save_device(
            &cx,
            &mut tx,
            mine.organization_id,
            mine.product_id,
            (mine.user.address_id, &mine.user.address),
            (mine.user.id, &mine.user.email),
            &name,
            password,
            " (by its user)",
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    })
    .await
}

#[server(endpoint = "open_device_setup")]
pub async fn open_device_setup(token: String) -> Result<SetupFacts, AppError> {
    OpenDeviceSetup::serve(|cx| async move {
        if !crate::tokens::well_formed(&token) {
            return Err(link_refused());
        }
        let hash = crate::tokens::hash_token(&token);
        let mut tx = cx.read().await?;
        let setup = store::setup(&mut tx, hash.as_str(), cx.now())
            .await?
            .ok_or_else(link_refused)?;
        tx.commit().await?;
        Ok(SetupFacts {
            address: setup.address,
            device_name: setup.device_name,
            expires_at: setup.expires_at,
            suggested_password: device::generate(),
        })
    })
    .await
}

/// Spends a setup link: the device's password (the suggested one, or as edited once) is saved
/// and shown this once.
#[server(endpoint = "finish_device_setup")]
pub async fn finish_device_setup(
    token: String,
    password: String,
) -> Result<NewDevicePassword, AppError> {
    FinishDeviceSetup::serve(|cx| async move {
        if !crate::tokens::well_formed(&token) {
            return Err(link_refused());
        }
        let password = device::check_password(&password)?;
        let hash = crate::tokens::hash_token(&token);
        let mut tx = cx.write().await?;
        let setup = store::setup(&mut tx, hash.as_str(), cx.now())
            .await?
            .ok_or_else(link_refused)?;
        if !store::use_setup(&mut tx, setup.id, cx.now()).await? {
            return Err(link_refused());
        }
        let user = store::user(&mut tx, setup.product_id, setup.mail_user_id)
            .await?
            .ok_or_else(link_refused)?;
        let made = save_device(
            &cx,
            &mut tx,
            setup.organization_id,
            setup.product_id,
            (setup.address_id, &setup.address),
            (user.id, &user.email),
            &setup.device_name,
            password,
            " (from a setup link)",
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    })
    .await
}

#[cfg(feature = "ssr")]
use crate::policy::Action;
/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{
        check_device_name, check_local_part, check_users, device, ids_of, rights_of, store,
        NewDevicePassword, Rights, ADDRESSES_MAX, DEVICES_MAX, SETUP_LINK_DAYS, USERS_MAX,
    };
    pub(super) use crate::access::organization::{may_manage, products_for};
    pub(super) use crate::access::{Context, Log, Member};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::AppError;

    /// A mail service the caller reached through the row's product reach: the transaction,
    /// the membership, the service's name and its global configuration.
    pub(super) struct Reached {
        pub tx: Tx,
        pub member: Member,
        pub name: String,
        pub defaults: Rights,
    }

    /// The service, to read, if the caller reaches it; not found otherwise.
    pub(super) async fn reached(
        cx: &Context,
        organization_id: i64,
        product_id: i64,
    ) -> Result<Reached, AppError> {
        let (tx, member) = cx.read_products(organization_id, &[product_id]).await?;
        service(cx, tx, member, organization_id, product_id).await
    }

    /// As [`reached`], for a change: the organization locked, and the caller allowed to manage
    /// the product (a mail service is never blocked, PRD-3, but the rule is the one rule).
    pub(super) async fn managed(
        cx: &Context,
        organization_id: i64,
        product_id: i64,
    ) -> Result<Reached, AppError> {
        let (mut tx, member) = cx.write_products(organization_id, &[product_id]).await?;
        may_manage(member.role, false)?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        service(cx, tx, member, organization_id, product_id).await
    }

    async fn service(
        cx: &Context,
        mut tx: Tx,
        member: Member,
        organization_id: i64,
        product_id: i64,
    ) -> Result<Reached, AppError> {
        let (name, defaults) = store::service(
            &mut tx,
            organization_id,
            products_for(&member, cx.account()?.id),
            product_id,
        )
        .await?
        .ok_or_else(|| AppError::not_found("mail service"))?;
        Ok(Reached {
            tx,
            member,
            name,
            defaults,
        })
    }

    /// Adds a user (an account with that login email, or someone invited by email) and tells
    /// them; `None` when they use the address already.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn add_one(
        cx: &Context,
        tx: &mut Tx,
        organization: (i64, &str),
        product_id: i64,
        address: (i64, &str),
        email: &str,
        rights: Rights,
    ) -> Result<Option<i64>, AppError> {
        let account = store::account_of(tx, email).await?;
        let Some(id) = store::insert_user(tx, address.0, email, account, rights, cx.now()).await?
        else {
            return Ok(None);
        };
        let message = crate::mail::messages::mail_access_given(
            email,
            address.1,
            organization.1,
            &rights.describe(),
            &cx.state.settings.public_url,
        )?;
        crate::mail::store::enqueue(tx, &message, cx.now()).await?;
        cx.log(
            tx,
            Log::product(
                ActivityAction::MailUserAdded,
                organization.0,
                product_id,
                &format!("{email} on {}: {}", address.1, rights.describe()),
            ),
        )
        .await?;
        Ok(Some(id))
    }

    /// Writes one user's new permissions and its log entry, if they change.
    pub(super) async fn change_rights(
        cx: &Context,
        tx: &mut Tx,
        organization_id: i64,
        product_id: i64,
        user: &store::UserRow,
        rights: Rights,
        how: &str,
    ) -> Result<bool, AppError> {
        if user.rights == rights {
            return Ok(false);
        }
        store::set_rights(tx, user.id, rights).await?;
        cx.log(
            tx,
            Log::product(
                ActivityAction::MailRightsChanged,
                organization_id,
                product_id,
                &format!(
                    "{} on {}{how}: {} (was: {})",
                    user.email,
                    user.address,
                    rights.describe(),
                    user.rights.describe()
                ),
            ),
        )
        .await?;
        Ok(true)
    }

    /// Stores a new device password of a user (its keyed hash), logged.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn save_device(
        cx: &Context,
        tx: &mut Tx,
        organization_id: i64,
        product_id: i64,
        address: (i64, &str),
        mail_user: (i64, &str),
        name: &str,
        password: String,
        how: &str,
    ) -> Result<NewDevicePassword, AppError> {
        if store::devices(tx, address.0, None).await?.len() >= DEVICES_MAX {
            return Err(AppError::validation(
                "name",
                format!("An address has at most {DEVICES_MAX} devices: disconnect one first."),
            ));
        }
        let key = device::key(&cx.state, tx).await?;
        let hash = device::hash(&key, address.0, &password);
        if store::secret_in_use(tx, address.0, &hash).await? {
            return Err(AppError::validation(
                "password",
                "This password was used on this address before: keep the generated one, or choose another.",
            ));
        }
        let device_id = store::insert_device(
            tx,
            &store::NewDevice {
                address_id: address.0,
                mail_user_id: Some(mail_user.0),
                name,
                generic: false,
                secret_hash: &hash,
                at: cx.now(),
            },
        )
        .await?;
        let detail = format!("{}: device {name} of {}{how}", address.1, mail_user.1);
        let mut entry = Log::product(
            ActivityAction::DevicePasswordCreated,
            organization_id,
            product_id,
            &detail,
        );
        // From a setup link nobody is signed in: the user it was for, when they have an account.
        if cx.proven().is_none() {
            if let Some(account) = store::account_of(tx, mail_user.1).await? {
                entry = entry.by(account);
            }
        }
        cx.log(tx, entry).await?;
        let servers =
            super::super::servers::ServerTemplate::from_settings(&cx.state.settings.mail_servers)
                .for_address(&address.1);
        let profile = servers.mobileconfig(name, Some(&password), device_id);
        Ok(NewDevicePassword {
            device_id,
            name: name.to_owned(),
            password,
            servers: Some(servers),
            profile,
        })
    }

    pub(super) fn link_refused() -> AppError {
        AppError::validation(
            "token",
            "This setup link was used already or has expired: ask the address's administrator for a new one.",
        )
    }
}
