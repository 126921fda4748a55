//! Demo data for a first look: filled into an empty database when the server is started with
//! demo data enabled. Everything goes through the same store functions as real sign-ups.

use crate::account::api::create_account;
use crate::account::store::NewUser;
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::error::AppError;
use crate::policy::Role;
use crate::request::Origin;
use crate::state::AppState;

/// Every demo person signs in with this password.
pub const DEMO_PASSWORD: &str = "steward-demo-2026";

pub struct DemoPerson {
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
}

pub const PEOPLE: [DemoPerson; 8] = [
    DemoPerson {
        first_name: "Alice",
        last_name: "Martin",
        email: "alice@demo.steward.test",
    },
    DemoPerson {
        first_name: "Bruno",
        last_name: "Keller",
        email: "bruno@demo.steward.test",
    },
    DemoPerson {
        first_name: "Chloé",
        last_name: "Dubois",
        email: "chloe@demo.steward.test",
    },
    DemoPerson {
        first_name: "David",
        last_name: "Meier",
        email: "david@demo.steward.test",
    },
    DemoPerson {
        first_name: "Emma",
        last_name: "Rossi",
        email: "emma@demo.steward.test",
    },
    DemoPerson {
        first_name: "Felix",
        last_name: "Weber",
        email: "felix@demo.steward.test",
    },
    DemoPerson {
        first_name: "Giulia",
        last_name: "Bernasconi",
        email: "giulia@demo.steward.test",
    },
    DemoPerson {
        first_name: "Hugo",
        last_name: "Favre",
        email: "hugo@demo.steward.test",
    },
];

/// Shared organizations and who is in them with which role (indexes into [`PEOPLE`]).
const ORGANIZATIONS: [(&str, &[(usize, Role)]); 3] = [
    (
        "Helvetia Web Agency",
        &[
            (1, Role::LegalRepresentative),
            (0, Role::Administrator),
            (2, Role::Administrator),
            (3, Role::Collaborator),
            (4, Role::External),
        ],
    ),
    (
        "Lakeside Bakery",
        &[
            (5, Role::LegalRepresentative),
            (6, Role::Administrator),
            (2, Role::Collaborator),
            (7, Role::External),
        ],
    ),
    (
        "Alpine Trail Club",
        &[
            (0, Role::LegalRepresentative),
            (7, Role::Collaborator),
            (3, Role::External),
        ],
    ),
];

/// Fills an empty database; returns false (and changes nothing) when it already has accounts.
pub async fn seed_if_empty(state: &AppState) -> Result<bool, AppError> {
    let mut tx = state.db.write().await?;
    if crate::account::store::has_accounts(&mut tx).await? {
        return Ok(false);
    }
    let origin = Origin {
        ip: "127.0.0.1".into(),
        user_agent: "Steward demo data".into(),
        https: false,
    };
    let now = state.now();
    // One hash for all demo people: they share a published password anyway.
    let password_hash = crate::password::hash_now(DEMO_PASSWORD)?;
    let mut ids = Vec::with_capacity(PEOPLE.len());
    for person in &PEOPLE {
        let new = NewUser {
            email: person.email,
            first_name: person.first_name,
            last_name: person.last_name,
            password_hash: &password_hash,
            at: now,
        };
        let (user_id, _) = create_account(&mut tx, &new, None, &origin).await?;
        ids.push(user_id);
    }
    for (name, members) in ORGANIZATIONS {
        let organization_id = crate::access::store::insert_organization(&mut tx, name, now).await?;
        for (person, role) in members {
            crate::access::store::insert_membership(
                &mut tx,
                organization_id,
                ids[*person],
                *role,
                now,
            )
            .await?;
        }
        let founder = members
            .iter()
            .find(|(_, role)| *role == Role::LegalRepresentative)
            .map(|(p, _)| ids[*p]);
        record(
            &mut tx,
            NewEntry {
                action: ActivityAction::OrganizationCreated,
                actor_user_id: founder,
                organization_id: Some(organization_id),
                product_id: None,
                detail: name,
                origin: &origin,
                at: now,
            },
        )
        .await?;
        seed_address(&mut tx, organization_id, name, now).await?;
        // Something to try in the shop: a free offer the operator granted.
        crate::shop::store::insert_free_offer(
            &mut tx,
            organization_id,
            crate::products::ProductKind::Domain,
            1,
            "A domain name for a year (welcome offer)",
            now,
        )
        .await?;
    }
    // A promo code anyone may try once per organization (the operator creates real ones with
    // `server create-promo-code`).
    crate::shop::store::insert_promo_code(
        &mut tx,
        &crate::shop::store::NewPromoCode {
            code: DEMO_PROMO_CODE,
            reduction: crate::shop::quote::PromoReduction::Percent(crate::money::Percent(20_00)),
            kinds: &[],
            expires_at: None,
            max_uses: None,
            at: now,
        },
    )
    .await?;
    let products = seed_products(&mut tx, &ids, now).await?;
    seed_mail(state, &mut tx, &products, now).await?;
    for (name, members) in ORGANIZATIONS {
        let organization_id = crate::organizations::store::first_named(&mut tx, name)
            .await?
            .ok_or_else(AppError::internal)?;
        let founder = members
            .iter()
            .find(|(_, role)| *role == Role::LegalRepresentative)
            .map(|(p, _)| ids[*p]);
        seed_billing(&mut tx, organization_id, name, founder, &origin, now).await?;
    }
    seed_partners(&mut tx, &ids, &products, &origin, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// The partner program (PAR-1..3, PAR-7): Helvetia Web Agency is a partner (20 % on web
/// hostings, 15 % on mail services) managing Lakeside Bakery with full access paid by the
/// bakery, and Alpine Trail Club with limited access to its hosting and mail service until two
/// months from now; a request to a new customer waits for its answer; its collaborator David
/// is delegated the bakery.
async fn seed_partners(
    tx: &mut crate::db::Tx,
    ids: &[i64],
    products: &ProductIds,
    origin: &Origin,
    now: i64,
) -> Result<(), AppError> {
    use crate::partners::{store, PartnerAccess, PartnerState, Rate};
    const DAY: i64 = 86_400;
    let mut organization = Vec::new();
    for (name, _) in ORGANIZATIONS {
        organization.push(
            crate::organizations::store::first_named(&mut *tx, name)
                .await?
                .ok_or_else(AppError::internal)?,
        );
    }
    let [agency, bakery, club] = [organization[0], organization[1], organization[2]];
    let (bruno, alice, david, felix) = (ids[1], ids[0], ids[3], ids[5]);
    store::apply(
        tx,
        agency,
        "CHE-105.832.117",
        "https://www.helvetia-web.example",
        bruno,
        now,
    )
    .await?;
    store::decide(tx, agency, PartnerState::Approved, "", now).await?;
    store::set_rates(
        tx,
        agency,
        &[
            Rate {
                kind: crate::products::ProductKind::WebHosting,
                percent: crate::money::Percent(20_00),
            },
            Rate {
                kind: crate::products::ProductKind::MailService,
                percent: crate::money::Percent(15_00),
            },
        ],
    )
    .await?;
    let log = |action, organization_id, actor, detail: String| NewEntryOwned {
        action,
        organization_id,
        actor,
        detail,
    };
    let mut entries = vec![log(
        ActivityAction::PartnerApproved,
        agency,
        bruno,
        "partner program: approved, 20 % on web hosting, 15 % on mail service".to_owned(),
    )];
    // Each request's link is made and forgotten: only its hash is kept, as always.
    let request = |email: &'static str, access: PartnerAccess, until: Option<i64>| {
        let (_, hash) = crate::tokens::new_token();
        (email, access, until, hash)
    };
    let granted = [
        (
            request(
                "felix@demo.steward.test",
                PartnerAccess::FullCustomerPays,
                None,
            ),
            bakery,
            felix,
            Vec::new(),
        ),
        (
            request(
                "alice@demo.steward.test",
                PartnerAccess::Limited,
                Some(now + 60 * DAY),
            ),
            club,
            alice,
            vec!["Hosting alpine-trail-club", "Mail alpine-trail-club.ch"],
        ),
    ];
    for ((email, access, until, hash), customer, answered_by, granted_products) in granted {
        let id = store::insert_request(
            tx,
            &store::NewRequest {
                partner_id: agency,
                email,
                token_hash: hash.as_str(),
                requested_by: bruno,
                at: now,
                expires_at: now + crate::partners::REQUEST_LIFETIME_SECONDS,
                access,
                until,
            },
        )
        .await?;
        store::grant(tx, id, customer, answered_by, now, access, until).await?;
        let chosen: Vec<i64> = granted_products
            .iter()
            .filter_map(|name| products.get(*name).copied())
            .collect();
        store::add_products(tx, id, &chosen).await?;
        let customer_name = crate::partners::store::organization_name(tx, customer).await?;
        entries.push(log(
            ActivityAction::PartnerAccessGranted,
            customer,
            answered_by,
            format!("{} granted to Helvetia Web Agency", access.label()),
        ));
        entries.push(log(
            ActivityAction::PartnerAccessGranted,
            agency,
            answered_by,
            format!("{customer_name} granted {}", access.label()),
        ));
    }
    let (_, hash) = crate::tokens::new_token();
    store::insert_request(
        tx,
        &store::NewRequest {
            partner_id: agency,
            email: "hello@cafe-du-port.example",
            token_hash: hash.as_str(),
            requested_by: bruno,
            at: now,
            expires_at: now + crate::partners::REQUEST_LIFETIME_SECONDS,
            access: PartnerAccess::FullPartnerPays,
            until: None,
        },
    )
    .await?;
    store::set_delegated(tx, agency, david, bakery, true, now).await?;
    // Cashback in the partner's history (PAR-5): the bakery renews its hosting and the club the
    // mail service the partner manages for it, both paid from their own balances.
    for (customer, organization_name, payer, kind, product) in [
        (
            bakery,
            "Lakeside Bakery",
            felix,
            crate::products::ProductKind::WebHosting,
            "Hosting lakeside-bakery",
        ),
        (
            club,
            "Alpine Trail Club",
            alice,
            crate::products::ProductKind::MailService,
            "Mail alpine-trail-club.ch",
        ),
    ] {
        let product_id = products
            .get(product)
            .copied()
            .ok_or_else(AppError::internal)?;
        renew_once(
            tx,
            Renewing {
                organization_id: customer,
                organization_name,
                kind,
                product_name: product,
                product_id,
                payment: crate::shop::Payment::Prepaid,
                key: &format!("demo-cashback-{customer}"),
            },
            &crate::shop::checkout::Actor {
                user_id: Some(payer),
                origin,
                now,
            },
        )
        .await?;
    }
    entries.push(log(
        ActivityAction::CustomerDelegationChanged,
        agency,
        bruno,
        "Lakeside Bakery delegated to David Meier".to_owned(),
    ));
    for entry in entries {
        record(
            tx,
            NewEntry {
                action: entry.action,
                actor_user_id: Some(entry.actor),
                organization_id: Some(entry.organization_id),
                product_id: None,
                detail: &entry.detail,
                origin,
                at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// A log entry the demo writes once its rows are in.
struct NewEntryOwned {
    action: ActivityAction,
    organization_id: i64,
    actor: i64,
    detail: String,
}

/// The demo's promo code: 20 % off any product, once per organization.
pub const DEMO_PROMO_CODE: &str = "WELCOME-20";

/// The organization's default billing address.
async fn seed_address(
    tx: &mut crate::db::Tx,
    organization_id: i64,
    name: &str,
    now: i64,
) -> Result<(), AppError> {
    let input = crate::billing::AddressInput::check(
        "Accounts department",
        name,
        "Avenue de la Gare 12",
        "1003",
        "Lausanne",
        "CH",
        "",
    )?;
    crate::billing::store::insert_address(tx, organization_id, &input, true, now).await?;
    Ok(())
}

/// A billing history made the way a real one is: CHF 500.00 paid in by bank transfer, then
/// three orders through the checkout's own code, each renewing one of the organization's
/// longest-running products for a period — one paid from the prepaid balance, one by bank
/// transfer (recorded by the operator's command), one cancelled while its transfer was on its
/// way (its amount credited to the prepaid account, the seeds' case). So every demo
/// organization has invoices, a ledger with each kind of entry, and products with automatic
/// renewal on (the first) and off.
async fn seed_billing(
    tx: &mut crate::db::Tx,
    organization_id: i64,
    name: &str,
    founder: Option<i64>,
    origin: &Origin,
    now: i64,
) -> Result<(), AppError> {
    use crate::billing::ledger::{book, EntryKind, Event};
    use crate::money::{Currency, Money};
    use crate::shop::checkout::{self, Actor};
    use crate::shop::Payment;
    const DAY: i64 = 24 * 3600;
    book(
        tx,
        &Event {
            organization_id,
            kind: EntryKind::TopUp,
            amount: Money::new(500_00, Currency::Chf),
            key: &format!("demo:{organization_id}:transfer"),
            reference: "Bank transfer RF18 5390 0754",
            at: now - 40 * DAY,
        },
    )
    .await?;
    let mut products: Vec<_> = crate::shop::store::renewable(tx, organization_id)
        .await?
        .into_iter()
        .filter(|p| p.expires_at.is_some())
        .collect();
    products.sort_by_key(|p| std::cmp::Reverse(p.expires_at));
    if products.is_empty() {
        return Ok(());
    }
    let operator = Origin {
        ip: "command line".into(),
        user_agent: "steward operator command".into(),
        https: false,
    };
    for (step, ago) in [(1, 30), (2, 20), (3, 12)] {
        let product = &products[(step - 1) % products.len()];
        let at = now - ago * DAY;
        let actor = Actor {
            user_id: founder,
            origin,
            now: at,
        };
        let (written, quote) = renew_once(
            tx,
            Renewing {
                organization_id,
                organization_name: name,
                kind: product.kind,
                product_name: &product.name,
                product_id: product.product_id,
                payment: if step == 1 {
                    Payment::Prepaid
                } else {
                    Payment::BankTransfer
                },
                key: &format!("demo-order-{step}"),
            },
            &actor,
        )
        .await?;
        if step == 3 {
            checkout::cancel(
                tx,
                organization_id,
                written.order_id,
                &Actor {
                    now: at + DAY,
                    ..actor
                },
            )
            .await?;
        }
        if step >= 2 {
            checkout::record_order_transfer(
                tx,
                written.order_id,
                quote.total,
                &format!("demo-{organization_id}-{step}"),
                &Actor {
                    user_id: None,
                    origin: &operator,
                    now: at + 2 * DAY,
                },
            )
            .await?;
        }
    }
    crate::products::store::set_auto_renew(tx, organization_id, products[0].product_id, true)
        .await?;
    Ok(())
}

/// One product's renewal for a period, as the demo's history holds it.
struct Renewing<'a> {
    organization_id: i64,
    organization_name: &'a str,
    kind: crate::products::ProductKind,
    product_name: &'a str,
    product_id: i64,
    payment: crate::shop::Payment,
    key: &'a str,
}

/// Writes a renewal order of the demo (its invoice, its payment from the balance or the wait
/// for a transfer, the partners' cashback) through the shop's own checkout.
async fn renew_once(
    tx: &mut crate::db::Tx,
    renewing: Renewing<'_>,
    actor: &crate::shop::checkout::Actor<'_>,
) -> Result<(crate::shop::checkout::Written, crate::shop::Quote), AppError> {
    use crate::shop::checkout::{self, OrderToWrite};
    use crate::shop::quote::{self, Line};
    let addresses = crate::billing::store::addresses(tx, renewing.organization_id).await?;
    let address = addresses.first().ok_or_else(AppError::internal)?.clone();
    let lines = [Line {
        id: 0,
        kind: renewing.kind,
        plan: "standard".into(),
        name: renewing.product_name.to_owned(),
        product_id: Some(renewing.product_id),
        purpose: crate::shop::Purpose::Renewal,
        quantity: 1,
        periods: 1,
        promo: None,
        free_offer_id: None,
        auth_code: String::new(),
    }];
    let quote = quote::quote(
        crate::billing::catalogue::current(),
        crate::products::domain::current(),
        crate::money::Currency::Chf,
        &lines,
        &[],
        &quote::public,
        actor.now,
    )
    .map_err(|_| AppError::internal())?;
    let written = checkout::write_order(
        tx,
        &OrderToWrite {
            organization_id: renewing.organization_id,
            organization_name: renewing.organization_name,
            lines: &lines,
            offers: &[],
            quote: &quote,
            address: &address,
            payment: renewing.payment,
            key: renewing.key,
            placed_by: actor.user_id,
            grant_to: None,
            paid_by: None,
        },
        actor,
    )
    .await?;
    Ok((written, quote))
}

/// Clients of the web agency: each gets a domain, and most a hosting and a mail service.
const AGENCY_CLIENTS: [&str; 14] = [
    "atelier-rochat",
    "bergblick-hotel",
    "cafe-du-lac",
    "chocolats-zeller",
    "clinique-aurora",
    "ecole-montana",
    "fromagerie-gruyere",
    "garage-steiner",
    "immobilier-leman",
    "kanzlei-frei",
    "musik-ensemble",
    "pharmacie-centrale",
    "swiss-alpine-tours",
    "velo-atelier",
];

/// Products of the three shared organizations, and who (besides administrators) may reach which.
/// The demo's products, by name.
type ProductIds = std::collections::HashMap<String, i64>;

async fn seed_products(
    tx: &mut crate::db::Tx,
    ids: &[i64],
    now: i64,
) -> Result<ProductIds, AppError> {
    use crate::products::store::{grant_access, insert, NewProduct};
    use crate::products::{ProductKind, ProductStatus};
    const DAY: i64 = 86_400;
    let organization_ids: Vec<i64> = {
        let mut found = Vec::new();
        for (name, _) in ORGANIZATIONS {
            let id = crate::organizations::store::first_named(&mut *tx, name)
                .await?
                .ok_or_else(AppError::internal)?;
            found.push(id);
        }
        found
    };
    let add = |organization_id: i64,
               kind: ProductKind,
               name: String,
               days: Option<i64>,
               suspended: bool,
               holder: &str| {
        let expires_at = days.map(|d| now + d * DAY);
        let status = match (suspended, expires_at) {
            (true, _) => ProductStatus::Suspended,
            (false, Some(at)) if at <= now => ProductStatus::Expired,
            _ => ProductStatus::Active,
        };
        (
            organization_id,
            kind,
            name,
            status,
            expires_at,
            holder.to_owned(),
        )
    };
    let mut products = Vec::new();
    let agency = organization_ids[0];
    for (i, client) in AGENCY_CLIENTS.iter().enumerate() {
        let i = i as i64;
        let holder = if i % 3 == 0 {
            "Helvetia Web Agency".to_owned()
        } else {
            format!("{} SA", client.replace('-', " "))
        };
        products.push(add(
            agency,
            ProductKind::Domain,
            format!("{client}.ch"),
            Some(-20 + i * 29),
            false,
            &holder,
        ));
        if i % 5 != 4 {
            products.push(add(
                agency,
                ProductKind::WebHosting,
                format!("Hosting {client}"),
                Some(10 + i * 23),
                i == 7,
                &holder,
            ));
        }
        if i % 2 == 0 {
            products.push(add(
                agency,
                ProductKind::MailService,
                format!("Mail {client}.ch"),
                Some(45 + i * 17),
                false,
                &holder,
            ));
        }
    }
    products.push(add(
        agency,
        ProductKind::CloudServer,
        "Cloud server agency-prod-1".into(),
        Some(300),
        false,
        "Helvetia Web Agency",
    ));
    products.push(add(
        agency,
        ProductKind::CloudServer,
        "Cloud server agency-staging".into(),
        Some(5),
        false,
        "Helvetia Web Agency",
    ));
    products.push(add(
        agency,
        ProductKind::Drive,
        "Agency drive".into(),
        None,
        false,
        "Helvetia Web Agency",
    ));
    // Domains past their expiry, one in each stage (PRD-4): renewable at the normal price,
    // restorable, released (kept in the history). Their stages are set below from the table.
    for (name, days, holder) in [
        ("helvetia-agency.com", -3, "Helvetia Web Agency"),
        ("alpenblick-events.com", -40, "alpenblick events SA"),
        ("summer-campaign.fr", -45, "Helvetia Web Agency"),
    ] {
        products.push(add(
            agency,
            ProductKind::Domain,
            name.into(),
            Some(days),
            false,
            holder,
        ));
    }
    // Two transfers in from another registrar that failed on a mistyped authorization code
    // (PRD-5): their pages show the red banner; the simulated registrar's code is
    // BERG-2026-OK (the browser tests restart one each).
    for name in ["bergbahn-tickets.com", "bergbahn-tickets.net"] {
        products.push(add(
            agency,
            ProductKind::Domain,
            name.into(),
            None,
            false,
            "Helvetia Web Agency",
        ));
    }
    let bakery = organization_ids[1];
    products.push(add(
        bakery,
        ProductKind::Domain,
        "lakeside-bakery.ch".into(),
        Some(120),
        false,
        "Felix Weber",
    ));
    products.push(add(
        bakery,
        ProductKind::Domain,
        "lakeside-bakery.com".into(),
        Some(12),
        false,
        "Felix Weber",
    ));
    products.push(add(
        bakery,
        ProductKind::WebHosting,
        "Hosting lakeside-bakery".into(),
        Some(200),
        false,
        "Lakeside Bakery",
    ));
    products.push(add(
        bakery,
        ProductKind::MailService,
        "Mail lakeside-bakery.ch".into(),
        Some(200),
        false,
        "Lakeside Bakery",
    ));
    products.push(add(
        bakery,
        ProductKind::Drive,
        "Bakery recipes drive".into(),
        None,
        false,
        "Lakeside Bakery",
    ));
    let club = organization_ids[2];
    products.push(add(
        club,
        ProductKind::Domain,
        "alpine-trail-club.ch".into(),
        Some(-3),
        false,
        "Alpine Trail Club",
    ));
    // Two race sites of past years left to lapse: in redemption, restorable (the browser
    // tests restore one each).
    for (name, days) in [("trail-run-2024.ch", -6), ("trail-run-2025.ch", -5)] {
        products.push(add(
            club,
            ProductKind::Domain,
            name.into(),
            Some(days),
            false,
            "Alpine Trail Club",
        ));
    }
    products.push(add(
        club,
        ProductKind::WebHosting,
        "Hosting alpine-trail-club".into(),
        Some(60),
        false,
        "Alpine Trail Club",
    ));
    products.push(add(
        club,
        ProductKind::MailService,
        "Mail alpine-trail-club.ch".into(),
        Some(60),
        false,
        "Alpine Trail Club",
    ));

    let mut by_name = std::collections::HashMap::new();
    for (organization_id, kind, name, status, expires_at, holder) in &products {
        let id = insert(
            tx,
            &NewProduct {
                organization_id: *organization_id,
                kind: *kind,
                name,
                status: *status,
                expires_at: *expires_at,
                holder,
                at: now,
            },
        )
        .await?;
        by_name.insert(name.clone(), id);
        // The holder's contact (PRD-7), as a registry asks for it; the agency's drive keeps
        // only a name, so the demo shows the page asking for the rest.
        if let Some(contact) = demo_holder(holder).filter(|_| name != "Agency drive") {
            crate::products::store::set_holder(tx, *organization_id, id, &contact).await?;
        }
        // Where the scheduler would have moved a domain past its expiry by now.
        if let (ProductKind::Domain, Some(expires_at)) = (kind, expires_at) {
            if let Some(extension) = crate::products::domain::current().of(name) {
                let stage = extension.stage_at(*expires_at, now);
                if stage != crate::products::DomainStage::Active {
                    crate::products::lifecycle::set_stage(tx, id, stage, now).await?;
                }
            }
        }
    }
    for name in ["bergbahn-tickets.com", "bergbahn-tickets.net"] {
        let Some(id) = by_name.get(name).copied() else {
            continue;
        };
        crate::products::lifecycle::start_transfer(tx, id, "").await?;
        let (_, hash) = crate::tokens::new_token();
        crate::products::lifecycle::transfer_failed(
            tx,
            id,
            crate::domains::TransferFailure::WrongAuthorizationCode.as_str(),
            hash.as_str(),
            now + 30 * DAY,
        )
        .await?;
        crate::products::registry::set_at_registrar(
            tx,
            name,
            &crate::products::registry::AtRegistrar {
                auth_code: "BERG-2026-OK".into(),
                locked: false,
                registered_at: now - 800 * DAY,
                in_redemption: false,
                holder_confirms: true,
            },
        )
        .await?;
    }
    // (person, product, billing rights): collaborators and externals reach only these.
    let grants: [(usize, &str, bool); 8] = [
        (3, "cafe-du-lac.ch", true),
        (3, "Hosting cafe-du-lac", true),
        (3, "Mail cafe-du-lac.ch", false),
        (4, "velo-atelier.ch", false),
        (4, "Hosting velo-atelier", false),
        (2, "lakeside-bakery.ch", false),
        (7, "lakeside-bakery.com", false),
        (7, "Hosting alpine-trail-club", true),
    ];
    for (person, product, billing) in grants {
        if let Some(product_id) = by_name.get(product) {
            grant_access(tx, *product_id, ids[person], billing, now).await?;
        }
    }
    // A few tags in the agency.
    use crate::tags::store as tags;
    use crate::tags::Colour;
    for (name, colour, products) in [
        (
            "VIP client",
            Colour::Blue,
            &[
                "cafe-du-lac.ch",
                "Hosting cafe-du-lac",
                "clinique-aurora.ch",
            ][..],
        ),
        (
            "Internal",
            Colour::Grey,
            &[
                "Cloud server agency-prod-1",
                "Cloud server agency-staging",
                "Agency drive",
            ][..],
        ),
    ] {
        let tag_id = tags::insert(tx, agency, name, colour, now).await?;
        let product_ids: Vec<i64> = products
            .iter()
            .filter_map(|p| by_name.get(*p).copied())
            .collect();
        tags::attach(tx, tag_id, &product_ids).await?;
    }
    // One invitation waiting for an answer in the agency (its link was never mailed: the demo
    // shows the list, resend and revoke).
    use crate::invitations::store as invitations;
    let (_, token_hash) = crate::tokens::new_token();
    let invitation_id = invitations::insert(
        tx,
        &invitations::NewInvitation {
            organization_id: agency,
            email: "noah.new@example.com",
            role: Role::Collaborator,
            token_hash: &token_hash,
            invited_by: ids[1],
            at: now,
            expires_at: now + crate::invitations::INVITATION_LIFETIME_SECONDS,
        },
    )
    .await?;
    for (product, billing) in [("clinique-aurora.ch", false), ("Agency drive", true)] {
        if let Some(product_id) = by_name.get(product) {
            invitations::insert_product(tx, invitation_id, *product_id, billing).await?;
        }
    }
    Ok(by_name)
}

/// A device password of the demo, published like the demo's account password, so that the
/// device-authentication endpoint can be tried (README, "Mail services").
pub const DEMO_DEVICE_PASSWORD: &str = "cafe-demo-device-2026";

/// The agency's mail service for its client Café du Lac (MAIL-1..5): several addresses, users
/// inside and outside the organization, devices, one generic password from before device
/// passwords, and one address in maintenance.
async fn seed_mail(
    state: &AppState,
    tx: &mut crate::db::Tx,
    products: &ProductIds,
    now: i64,
) -> Result<(), AppError> {
    use crate::mailboxes::{device, store as mail, MailRight, Rights};
    let Some(service) = products.get("Mail cafe-du-lac.ch").copied() else {
        return Ok(());
    };
    let defaults = Rights::ALL
        .with(MailRight::ActionHistory, false)
        .with(MailRight::Restorations, false)
        .with(MailRight::Security, false);
    mail::set_defaults(tx, service, defaults).await?;
    let key = device::key(state, tx).await?;
    let limited = Rights::NONE
        .with(MailRight::Devices, true)
        .with(MailRight::Responders, true)
        .with(MailRight::Signatures, true);
    let david = PEOPLE[3].email;
    let addresses: [(&str, &[(&str, Rights)], bool); 4] = [
        (
            "info",
            &[
                (david, Rights::ALL),
                ("marie.dubois@cafe-du-lac.example", limited),
            ],
            false,
        ),
        (
            "reservations",
            &[("marie.dubois@cafe-du-lac.example", defaults)],
            true,
        ),
        (
            "chef",
            &[("luca.rossi@cafe-du-lac.example", limited)],
            false,
        ),
        ("events", &[(david, defaults)], false),
    ];
    for (local, users, in_maintenance) in addresses {
        let address =
            mail::insert_address(tx, service, local, "cafe-du-lac.ch", now - 400 * 86_400).await?;
        let mut user_ids = Vec::new();
        for (email, rights) in users {
            let account = mail::account_of(tx, email).await?;
            if let Some(id) = mail::insert_user(tx, address, email, account, *rights, now).await? {
                user_ids.push((id, *email));
            }
        }
        if in_maintenance {
            let by = mail::account_of(tx, PEOPLE[1].email)
                .await?
                .unwrap_or_default();
            mail::set_maintenance(tx, address, Some((now - 2 * 86_400, by))).await?;
        }
        let add = |name: &'static str,
                   user: Option<i64>,
                   generic: bool,
                   password: String,
                   used: Option<i64>| {
            let hash = device::hash(&key, address, &password);
            (name, user, generic, hash, used)
        };
        let mut devices = Vec::new();
        match local {
            "info" => {
                devices.push(add(
                    "Generic password",
                    None,
                    true,
                    device::generate(),
                    Some(now - 3600),
                ));
                if let Some((david_id, _)) = user_ids.iter().find(|(_, e)| *e == david) {
                    devices.push(add(
                        "David's laptop",
                        Some(*david_id),
                        false,
                        DEMO_DEVICE_PASSWORD.to_owned(),
                        Some(now - 600),
                    ));
                    devices.push(add(
                        "David's phone",
                        Some(*david_id),
                        false,
                        device::generate(),
                        None,
                    ));
                }
            }
            "chef" => {
                if let Some((id, _)) = user_ids.first() {
                    devices.push(add(
                        "Kitchen tablet",
                        Some(*id),
                        false,
                        device::generate(),
                        Some(now - 86_400),
                    ));
                }
            }
            _ => {}
        }
        for (name, user, generic, hash, used) in devices {
            let id = mail::insert_device(
                tx,
                &mail::NewDevice {
                    address_id: address,
                    mail_user_id: user,
                    name,
                    generic,
                    secret_hash: &hash,
                    at: now - 30 * 86_400,
                },
            )
            .await?;
            if let Some(at) = used {
                mail::touch_device(tx, id, at).await?;
            }
        }
    }
    Ok(())
}

/// A demo holder's contact, by the holder's name (kept as it is).
fn demo_holder(name: &str) -> Option<crate::products::Holder> {
    let (street, postal_code, city, email) = match name {
        "Helvetia Web Agency" => (
            "Bahnhofstrasse 12",
            "8001",
            "Zürich",
            "hello@helvetia-agency.ch".to_owned(),
        ),
        "Felix Weber" => (
            "Seestrasse 8",
            "6004",
            "Luzern",
            "felix@lakeside-bakery.ch".to_owned(),
        ),
        "Lakeside Bakery" => (
            "Seestrasse 8",
            "6004",
            "Luzern",
            "office@lakeside-bakery.ch".to_owned(),
        ),
        "Alpine Trail Club" => (
            "Dorfstrasse 3",
            "3920",
            "Zermatt",
            "board@alpine-trail-club.ch".to_owned(),
        ),
        client => {
            let domain = client.trim_end_matches(" SA").replace(' ', "-");
            (
                "Rue du Lac 5",
                "1003",
                "Lausanne",
                format!("contact@{domain}.ch"),
            )
        }
    };
    crate::products::Holder::check(name, "", street, postal_code, city, "CH", &email).ok()
}
