//! Automatic renewal (BIL-2, BIL-4) by the scheduler, on SQLite and Postgres, with the manual
//! clock: the reminder 14 days before (once, and only when wanted), the renewal at expiry paid
//! from the balance with its invoice and confirmation (once, whichever of two workers runs), and
//! a renewal the balance cannot pay, said to those who see billing.

use crate::common;

use app::money::{Currency, Money};
use app::shop::renewals::{self, Run};
use common::TestApp;
use http::StatusCode;

const DAY: i64 = 24 * 3600;

/// Two workers at the same moment; what they did together.
async fn race(app: &TestApp) -> Run {
    let (a, b) = (app.state.clone(), app.state.clone());
    let first = tokio::spawn(async move { renewals::renewals(&a, "worker-a").await });
    let second = tokio::spawn(async move { renewals::renewals(&b, "worker-b").await });
    let mut all = Run::default();
    for run in [first.await.expect("joined"), second.await.expect("joined")] {
        if let Some(run) = run.expect("ran") {
            all.reminders += run.reminders;
            all.renewed += run.renewed;
            all.failed += run.failed;
        }
    }
    all
}

async fn mails(app: &TestApp, subject: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%{subject}%'"
    ))
    .await
}

on_every_backend!(
    a_product_renews_itself_once_at_expiry_paid_from_the_balance,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("olga@example.com", "Olga", "Owner").await;
        let id = organization.to_string();
        let reply = app
            .call(
                "add_billing_address",
                Some(&cookie),
                &[
                    ("organization_id", &id),
                    ("name", "Olga Owner"),
                    ("company", ""),
                    ("street", "Rue du Lac 1"),
                    ("postal_code", "1003"),
                    ("city", "Lausanne"),
                    ("country", "CH"),
                    ("vat_number", ""),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        app::shop::operator::record_transfer(
            &app.state,
            &app::billing::reference::for_organization(organization),
            Money::new(20_00, Currency::Chf),
            "T-1",
        )
        .await
        .expect("top-up");
        let products = app
            .add_products(organization, &["renew.ch", "lapse.ch"])
            .await;
        let (renewing, lapsing) = (products[0], products[1]);
        let expires = app.state.now() + 20 * DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expires} WHERE organization_id = {organization}"
        ))
        .await;
        for product in [renewing, lapsing] {
            let on = app
                .call(
                    "set_auto_renew",
                    Some(&cookie),
                    &[
                        ("organization_id", &id),
                        ("product_id", &product.to_string()),
                        ("on", "true"),
                    ],
                )
                .await;
            assert_eq!(on.status, StatusCode::OK, "{}", on.body);
        }

        // 20 days before: nothing yet. 13 days before: one reminder per product, once.
        assert_eq!(race(&app).await, Run::default());
        app.clock.advance(7 * DAY);
        assert_eq!(race(&app).await.reminders, 2);
        assert_eq!(race(&app).await, Run::default());
        assert_eq!(mails(&app, "renews itself on").await, 2);

        // At expiry: the balance (CHF 20.00) pays one renewal (CHF 14.05), not the second.
        app.clock.advance(14 * DAY);
        let run = race(&app).await;
        assert_eq!((run.renewed, run.failed), (1, 1), "{run:?}");
        assert_eq!(race(&app).await, Run::default(), "each renewal once");
        assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 1);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM orders WHERE organization_id = {organization} AND status = 'paid' AND placed_by IS NULL"))
                .await,
            1
        );
        let renewed_until = app
            .count(&format!(
                "SELECT expires_at FROM products WHERE id = {renewing}"
            ))
            .await;
        assert_eq!(renewed_until, app::format::add_months(expires, 12));
        assert_eq!(
            app.count(&format!(
                "SELECT expires_at FROM products WHERE id = {lapsing}"
            ))
            .await,
            expires
        );
        assert_eq!(mails(&app, "was renewed").await, 1);
        assert_eq!(mails(&app, "could not be renewed").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'renewal_failed'")
                .await,
            1
        );
        let mut tx = app.state.db.read().await.expect("tx");
        let balance = app::billing::ledger::balance(&mut tx, organization, Currency::Chf)
            .await
            .expect("balance");
        tx.commit().await.expect("commit");
        assert_eq!(balance, Money::new(5_95, Currency::Chf));
    }
);

on_every_backend!(
    the_reminder_and_the_confirmation_follow_the_switches,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("olga@example.com", "Olga", "Owner").await;
        let id = organization.to_string();
        for notice in ["renewal_reminder", "renewal_confirmation"] {
            let off = app
                .call(
                    "set_billing_notification",
                    Some(&cookie),
                    &[
                        ("organization_id", &id),
                        ("notice", notice),
                        ("on", "false"),
                    ],
                )
                .await;
            assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        }
        let product = app.add_products(organization, &["quiet.ch"]).await[0];
        let expires = app.state.now() + 10 * DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expires}, auto_renew = TRUE WHERE id = {product}"
        ))
        .await;
        assert_eq!(race(&app).await.reminders, 0);
        assert_eq!(mails(&app, "renews itself").await, 0);
        // No billing address: the renewal fails, and says so whatever the switches.
        app.clock.advance(11 * DAY);
        assert_eq!(race(&app).await.failed, 1);
        assert_eq!(mails(&app, "could not be renewed").await, 1);
    }
);

on_every_backend!(
    an_organization_that_buys_in_euros_renews_in_euros,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("eva@example.com", "Eva", "Euro").await;
        let id = organization.to_string();
        let address = app
            .call(
                "add_billing_address",
                Some(&cookie),
                &[
                    ("organization_id", &id),
                    ("name", "Eva Euro"),
                    ("company", ""),
                    ("street", "Rue de Rivoli 1"),
                    ("postal_code", "75001"),
                    ("city", "Paris"),
                    ("country", "FR"),
                    ("vat_number", ""),
                ],
            )
            .await
            .json()
            .to_string();
        app::shop::operator::record_transfer(
            &app.state,
            &app::billing::reference::for_organization(organization),
            Money::new(50_00, Currency::Eur),
            "T-EUR",
        )
        .await
        .expect("top-up");
        let added = app
            .call(
                "add_to_cart",
                Some(&cookie),
                &[
                    ("organization_id", &id),
                    ("kind", "domain"),
                    ("name", "euro.fr"),
                    ("quantity", "1"),
                    ("periods", "1"),
                    ("product_id", "0"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let placed = app
            .call(
                "place_order",
                Some(&cookie),
                &[
                    ("organization_id", &id),
                    ("currency", "EUR"),
                    ("address_id", &address),
                    ("payment", "prepaid"),
                    ("key", "order-key-euro-000001"),
                ],
            )
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        app.exec(&format!(
            "UPDATE products SET auto_renew = TRUE WHERE organization_id = {organization}"
        ))
        .await;
        // A year and a day later: renewed from the euro balance (.fr: EUR 11.00 + 8.1 % = 11.89).
        app.clock.advance(367 * DAY);
        assert_eq!(race(&app).await.renewed, 1);
        let mut tx = app.state.db.read().await.expect("tx");
        let euros = app::billing::ledger::balance(&mut tx, organization, Currency::Eur)
            .await
            .expect("balance");
        tx.commit().await.expect("commit");
        assert_eq!(euros, Money::new(50_00 - 2 * 11_89, Currency::Eur));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM invoices WHERE currency = 'EUR'")
                .await,
            2
        );
    }
);

/// Adds a billing address to the organization; its id.
async fn address(
    app: &TestApp,
    cookie: &str,
    organization: &str,
    name: &str,
    city: &str,
) -> String {
    let reply = app
        .call(
            "add_billing_address",
            Some(cookie),
            &[
                ("organization_id", organization),
                ("name", name),
                ("company", ""),
                ("street", "Bahnhofstrasse 1"),
                ("postal_code", "8001"),
                ("city", city),
                ("country", "CH"),
                ("vat_number", ""),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_i64().expect("address id").to_string()
}

/// An invoice's PDF as text, read back with poppler's `pdftotext` (scripts/test installs it);
/// `None` where it is not installed.
pub async fn invoice_text(
    app: &TestApp,
    cookie: &str,
    organization: &str,
    invoice: i64,
) -> Option<String> {
    let pdf = app
        .send(
            http::Method::GET,
            &format!("/invoice.pdf?organization={organization}&invoice={invoice}"),
            &[("cookie", cookie)],
            String::new(),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let file = std::env::temp_dir().join(format!(
        "invoice-{}-{}.pdf",
        std::process::id(),
        app::tokens::new_token().0
    ));
    std::fs::write(&file, &pdf.bytes).expect("write");
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output();
    std::fs::remove_file(&file).ok();
    out.ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

on_every_backend!(
    a_product_renews_to_the_billing_address_chosen_for_it,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("olga@example.com", "Olga", "Owner").await;
        let id = organization.to_string();
        address(&app, &cookie, &id, "Olga Owner", "Lausanne").await;
        let accounts = address(&app, &cookie, &id, "Accounts Department", "Winterthur").await;
        app::shop::operator::record_transfer(
            &app.state,
            &app::billing::reference::for_organization(organization),
            Money::new(50_00, Currency::Chf),
            "T-1",
        )
        .await
        .expect("top-up");
        let products = app
            .add_products(organization, &["chosen.ch", "default.ch"])
            .await;
        let expires = app.state.now() + 2 * DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expires}, auto_renew = TRUE WHERE organization_id = {organization}"
        ))
        .await;
        let form = |product: i64, address: &str| {
            vec![
                ("organization_id".to_owned(), id.clone()),
                ("product_id".to_owned(), product.to_string()),
                ("address_id".to_owned(), address.to_owned()),
            ]
        };
        let call = |product: i64, address: &str| {
            let (app, cookie, form) = (&app, cookie.clone(), form(product, address));
            async move {
                let pairs: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                app.call("set_renewal_address", Some(&cookie), &pairs).await
            }
        };
        let chosen = call(products[0], &accounts).await;
        assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
        let read = app
            .call(
                "renewal_address",
                Some(&cookie),
                &[
                    ("organization_id", &id),
                    ("product_id", &products[0].to_string()),
                ],
            )
            .await;
        assert_eq!(
            read.json()["chosen"].as_i64().map(|a| a.to_string()),
            Some(accounts.clone())
        );
        assert_eq!(read.json()["addresses"].as_array().map(Vec::len), Some(2));
        // Another organization's address is not found; 0 means the default again.
        let (other_cookie, other) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let foreign = address(&app, &other_cookie, &other.to_string(), "Sid", "Bern").await;
        assert_eq!(call(products[1], &foreign).await.code(), "not_found");
        assert_eq!(call(products[1], "0").await.status, StatusCode::OK);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'renewal_address_chosen'")
                .await,
            1,
            "saving the default it already had changes nothing"
        );

        // At expiry both renew: one invoiced to the chosen address, the other to the default.
        app.clock.advance(3 * DAY);
        assert_eq!(race(&app).await.renewed, 2);
        let addresses = app
            .texts(&format!(
                "SELECT address FROM invoices WHERE organization_id = {organization} ORDER BY id"
            ))
            .await;
        assert_eq!(addresses.len(), 2);
        let for_chosen = app
            .count(&format!(
                "SELECT i.id FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.description LIKE '%chosen.ch%'"
            ))
            .await;
        let chosen_address = app
            .texts(&format!(
                "SELECT address FROM invoices WHERE id = {for_chosen}"
            ))
            .await;
        assert!(
            chosen_address[0].contains("Accounts Department"),
            "{chosen_address:?}"
        );
        assert!(
            addresses.iter().any(|a| a.contains("Olga Owner")),
            "{addresses:?}"
        );
        // Days went by: Olga signs in again to read the invoice.
        let cookie = app.sign_in("olga@example.com").await;
        if let Some(text) = invoice_text(&app, &cookie, &id, for_chosen).await {
            assert!(text.contains("Accounts Department"), "{text}");
            assert!(text.contains("Winterthur"), "{text}");
        }
    }
);

on_every_backend!(
    each_billing_notification_switch_decides_who_is_emailed,
    |app: TestApp| async move {
        // Invoice issued and renewal confirmation, each on and then off: the legal
        // representative and the billing collaborator are emailed only while it is on.
        let (cookie, organization) = app.sign_up("olga@example.com", "Olga", "Owner").await;
        let id = organization.to_string();
        app.sign_up("bill@example.com", "Bill", "Payer").await;
        let bill = app
            .add_member(
                organization,
                "bill@example.com",
                app::policy::Role::Collaborator,
            )
            .await;
        address(&app, &cookie, &id, "Olga Owner", "Lausanne").await;
        app::shop::operator::record_transfer(
            &app.state,
            &app::billing::reference::for_organization(organization),
            Money::new(100_00, Currency::Chf),
            "T-1",
        )
        .await
        .expect("top-up");
        let products = app
            .add_products(organization, &["both.ch", "invoice.ch", "none.ch"])
            .await;
        {
            let mut tx = app.state.db.write().await.expect("tx");
            for product in &products {
                app::products::store::grant_access(&mut tx, *product, bill, true, 0)
                    .await
                    .expect("grant");
            }
            tx.commit().await.expect("commit");
        }
        let _ = cookie;
        let switch = |notice: &'static str, on: &'static str| {
            let (app, id) = (&app, id.clone());
            async move {
                // Days go by between renewals: a fresh sign-in each time.
                let cookie = app.sign_in("olga@example.com").await;
                let reply = app
                    .call(
                        "set_billing_notification",
                        Some(&cookie),
                        &[("organization_id", &id), ("notice", notice), ("on", on)],
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            }
        };
        // How many renewal confirmations and invoice emails each person has had.
        let mailed = |who: &'static str| {
            let app = &app;
            async move {
                (
                    app.count(&format!("SELECT COUNT(*) FROM outbox WHERE recipient = '{who}' AND subject LIKE '% was renewed'")).await,
                    app.count(&format!("SELECT COUNT(*) FROM outbox WHERE recipient = '{who}' AND subject LIKE 'Invoice % issued'")).await,
                )
            }
        };
        let renew = |product: i64| {
            let app = &app;
            async move {
                let at = app.state.now() + DAY;
                app.exec(&format!(
                    "UPDATE products SET expires_at = {at}, auto_renew = TRUE WHERE id = {product}"
                ))
                .await;
                app.clock.advance(2 * DAY);
                assert_eq!(race(app).await.renewed, 1);
            }
        };
        // Both on: the confirmation (which names the invoice), to each person who sees billing.
        renew(products[0]).await;
        assert_eq!(mailed("olga@example.com").await, (1, 0));
        assert_eq!(mailed("bill@example.com").await, (1, 0));
        // Confirmation off, invoice on: the invoice email instead.
        switch("renewal_confirmation", "false").await;
        renew(products[1]).await;
        assert_eq!(mailed("olga@example.com").await, (1, 1));
        assert_eq!(mailed("bill@example.com").await, (1, 1));
        // Both off: nobody is emailed about the renewal; the invoice is issued all the same.
        switch("invoice_issued", "false").await;
        renew(products[2]).await;
        assert_eq!(mailed("olga@example.com").await, (1, 1));
        assert_eq!(mailed("bill@example.com").await, (1, 1));
        assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 3);
    }
);
