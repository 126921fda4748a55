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
