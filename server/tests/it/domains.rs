//! A domain's life after expiry (PRD-4) on SQLite and Postgres, with the manual clock: each
//! extension's stages at its own deadlines, each move once with two schedulers racing, a
//! released domain gone from the list and kept in the history, a restore through the cart for
//! exactly the restore fee + one renewal, and the renewal warranty renewing at expiry even with
//! the balance short.

use crate::common;

use app::domains::lifecycle::{self, Run};
use common::buyer::{balance, buyer, chf, minor, top_up};
use common::TestApp;
use http::StatusCode;

const DAY: i64 = 24 * 3600;

/// Two schedulers at the same moment; what they did together.
async fn race(app: &TestApp) -> Run {
    let (a, b) = (app.state.clone(), app.state.clone());
    let first = tokio::spawn(async move { lifecycle::run(&a, "worker-a").await });
    let second = tokio::spawn(async move { lifecycle::run(&b, "worker-b").await });
    let mut all = Run::default();
    for run in [first.await.expect("joined"), second.await.expect("joined")] {
        if let Some(run) = run.expect("ran") {
            all.moved += run.moved;
            all.released += run.released;
        }
    }
    all
}

async fn stage(app: &TestApp, product: i64) -> String {
    app.texts(&format!("SELECT stage FROM products WHERE id = {product}"))
        .await
        .concat()
}

on_every_backend!(
    each_extension_moves_its_domains_on_at_its_own_deadlines_once,
    |app: TestApp| async move {
        let (_, organization) = app.sign_up("dora@example.com", "Dora", "Domains").await;
        let names = ["a.com", "a.fr", "a.ch", "a.de", "a.eu"];
        let ids = app.add_products(organization, &names).await;
        let expiry = app.state.now() + DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expiry} WHERE organization_id = {organization}"
        ))
        .await;
        // Before the expiry nothing moves.
        assert_eq!(race(&app).await, Run::default());
        // (days after expiry, moves, stages of a.com, a.fr, a.ch, a.de, a.eu)
        let checkpoints: [(i64, usize, [&str; 5]); 5] = [
            (
                1,
                5,
                [
                    "expired",
                    "redemption",
                    "redemption",
                    "redemption",
                    "redemption",
                ],
            ),
            (
                31,
                3,
                [
                    "redemption",
                    "released",
                    "redemption",
                    "released",
                    "redemption",
                ],
            ),
            (
                41,
                2,
                ["redemption", "released", "released", "released", "released"],
            ),
            (
                61,
                1,
                [
                    "pending_delete",
                    "released",
                    "released",
                    "released",
                    "released",
                ],
            ),
            (
                66,
                1,
                ["released", "released", "released", "released", "released"],
            ),
        ];
        let mut now = app.state.now();
        for (days, moves, stages) in checkpoints {
            app.clock.advance(expiry + days * DAY - now);
            now = app.state.now();
            let run = race(&app).await;
            assert_eq!(run.moved, moves, "{days} days after expiry");
            for (id, expected) in ids.iter().zip(stages) {
                assert_eq!(stage(&app, *id).await, expected, "{days} days after expiry");
            }
            // Run again at the same moment: nothing more.
            assert_eq!(race(&app).await, Run::default());
        }
        // A move from a stage the domain has left is refused (what keeps two processes from
        // moving it twice).
        let mut tx = app.state.db.write().await.expect("tx");
        let stale = app::products::lifecycle::move_stage(
            &mut tx,
            ids[0],
            expiry,
            app::products::DomainStage::Expired,
            app::products::DomainStage::Redemption,
            app.state.now(),
        )
        .await
        .expect("move");
        tx.commit().await.expect("commit");
        assert!(!stale);
        // One log entry and one email per move: a.com 4, the others 2 each.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'domain_stage_changed'")
                .await,
            12
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'a.com:%'")
                .await,
            4
        );
        let redemption_mail = app
            .mail_bodies("subject = 'a.com: in redemption'")
            .await
            .concat();
        assert!(
            redemption_mail.contains("restore until") && redemption_mail.contains("CHF 120.00"),
            "{redemption_mail}"
        );
        // Released: gone from the list and the product page, kept in the history.
        let cookie = app.sign_in("dora@example.com").await;
        let id = organization.to_string();
        let list = app.all_products(&cookie, &id).await;
        assert_eq!(list.json()["products"].as_array().map(Vec::len), Some(0));
        let page = app
            .call(
                "get_product",
                Some(&cookie),
                &[
                    ("organization_id", &id),
                    ("product_id", &ids[0].to_string()),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
        let history = app
            .call(
                "released_domains",
                Some(&cookie),
                &[("organization_id", &id)],
            )
            .await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.body);
        let mut released: Vec<String> = history
            .json()
            .as_array()
            .expect("list")
            .iter()
            .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        released.sort();
        assert_eq!(released, ["a.ch", "a.com", "a.de", "a.eu", "a.fr"]);
        // Free again: it can be ordered as a new domain.
        let again = app
            .call(
                "add_to_cart",
                Some(&cookie),
                &[
                    ("organization_id", &id),
                    ("kind", "domain"),
                    ("name", "a.com"),
                    ("quantity", "1"),
                    ("periods", "1"),
                    ("product_id", "0"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    }
);

on_every_backend!(
    a_domain_in_redemption_is_restored_through_the_cart_for_the_fee_and_one_renewal,
    |app: TestApp| async move {
        let mut b = buyer(&app, "rita@example.com").await;
        top_up(&app, b.id(), chf(300_00), "T-RESTORE").await;
        let product = app.add_products(b.id(), &["restore-me.com"]).await[0];
        let expiry = app.state.now() + DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expiry} WHERE id = {product}"
        ))
        .await;
        // 40 days after expiry: past the 30 days of grace, in redemption.
        app.clock.advance(41 * DAY);
        assert_eq!(race(&app).await.moved, 1);
        b.cookie = app.sign_in("rita@example.com").await;
        let id = product.to_string();
        let renewal = app
            .call(
                "add_to_cart",
                Some(&b.cookie),
                &[
                    ("organization_id", &b.organization),
                    ("kind", ""),
                    ("name", ""),
                    ("quantity", "1"),
                    ("periods", "1"),
                    ("product_id", &id),
                ],
            )
            .await;
        assert_eq!(renewal.code(), "validation", "{}", renewal.body);
        assert!(renewal.body.contains("in redemption"), "{}", renewal.body);
        let facts = app
            .call(
                "get_domain",
                Some(&b.cookie),
                &[("organization_id", &b.organization), ("product_id", &id)],
            )
            .await;
        assert_eq!(facts.status, StatusCode::OK, "{}", facts.body);
        let facts = facts.json();
        assert_eq!(minor(&facts["restore"]["fee"]), 120_00);
        assert_eq!(minor(&facts["restore"]["renewal"]), 16_00);
        assert_eq!(minor(&facts["restore"]["total"]), 136_00);
        let standing = facts["standing"].as_str().unwrap_or_default();
        assert!(
            standing.starts_with("in redemption — restore until")
                && standing.ends_with("for CHF 120.00 + renewal"),
            "{standing}"
        );
        // A collaborator with billing rights on another domain only does not reach this one.
        let other = app.add_products(b.id(), &["reachable.com"]).await[0];
        let (bill_cookie, _) = app.sign_up("bill@example.com", "Bill", "Billing").await;
        let bill = app
            .add_member(b.id(), "bill@example.com", app::policy::Role::Collaborator)
            .await;
        app.exec(&format!(
            "INSERT INTO product_access (product_id, user_id, billing, created_at) \
             VALUES ({other}, {bill}, TRUE, 0)"
        ))
        .await;
        let refused = app
            .call(
                "restore_domain",
                Some(&bill_cookie),
                &[("organization_id", &b.organization), ("product_id", &id)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        let restore = app
            .call(
                "restore_domain",
                Some(&b.cookie),
                &[("organization_id", &b.organization), ("product_id", &id)],
            )
            .await;
        assert_eq!(restore.status, StatusCode::OK, "{}", restore.body);
        let twice = app
            .call(
                "restore_domain",
                Some(&b.cookie),
                &[("organization_id", &b.organization), ("product_id", &id)],
            )
            .await;
        assert!(twice.body.contains("in the cart already"), "{}", twice.body);
        let shop = b.shop(&app).await;
        let line = &shop["quote"]["lines"][0];
        assert_eq!(minor(&line["list"]), 136_00);
        assert_eq!(
            line["description"].as_str(),
            Some(
                "Restore of Domain name restore-me.com: restore fee CHF 120.00 + renewal CHF 16.00"
            )
        );
        // 136.00 + 8.1 % VAT = 147.016, rounded to 147.00.
        assert_eq!(minor(&shop["quote"]["total"]), 147_00);
        // Not by bank transfer: the domain may move on before the money arrives.
        let by_transfer = b
            .place(&app, "bank_transfer", "order-key-restore-bank1")
            .await;
        assert_eq!(by_transfer.code(), "validation", "{}", by_transfer.body);
        assert!(
            by_transfer.body.contains("prepaid balance"),
            "{}",
            by_transfer.body
        );
        let placed = b.place(&app, "prepaid", "order-key-restore-00001").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        assert_eq!(stage(&app, product).await, "active");
        let expires = app
            .count(&format!(
                "SELECT expires_at FROM products WHERE id = {product}"
            ))
            .await;
        assert_eq!(expires, app::format::add_months(expiry, 12));
        assert_eq!(balance(&app, b.id()).await, chf(153_00));
        let invoiced = app
            .texts("SELECT description FROM invoice_lines")
            .await
            .concat();
        assert!(
            invoiced.contains("restore fee CHF 120.00 + renewal CHF 16.00"),
            "{invoiced}"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'domain_restored'")
                .await,
            1
        );
        // Active again: nothing to restore.
        let again = app
            .call(
                "restore_domain",
                Some(&b.cookie),
                &[("organization_id", &b.organization), ("product_id", &id)],
            )
            .await;
        assert!(again.body.contains("not in redemption"), "{}", again.body);
    }
);

on_every_backend!(
    a_domain_under_warranty_is_renewed_at_expiry_even_when_the_balance_is_short,
    |app: TestApp| async move {
        let mut b = buyer(&app, "wanda@example.com").await;
        top_up(&app, b.id(), chf(10_00), "T-WARRANTY").await;
        let product = app.add_products(b.id(), &["kept.ch"]).await[0];
        let expiry = app.state.now() + 20 * DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expiry} WHERE id = {product}"
        ))
        .await;
        let id = product.to_string();
        let added = app
            .call(
                "add_domain_warranty",
                Some(&b.cookie),
                &[
                    ("organization_id", &b.organization),
                    ("product_id", &id),
                    ("years", "1"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let placed = b.place(&app, "prepaid", "order-key-warranty-0001").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        // CHF 5.00 + VAT = 5.40: 4.60 left, short of a renewal (14.05).
        assert_eq!(balance(&app, b.id()).await, chf(4_60));
        app.clock.advance(20 * DAY + 3600);
        let renewals = app::shop::renewals::renewals(&app.state, "worker-a")
            .await
            .expect("ran")
            .expect("claimed");
        assert_eq!((renewals.renewed, renewals.failed), (1, 0));
        // The scheduler's lifecycle then finds nothing to move.
        assert_eq!(race(&app).await, Run::default());
        let renewed_until = app::format::add_months(expiry, 12);
        let expires_sql = format!("SELECT expires_at FROM products WHERE id = {product}");
        assert_eq!(app.count(&expires_sql).await, renewed_until);
        let reference = app
            .texts(&format!(
                "SELECT i.payment_reference FROM invoices i JOIN orders o ON o.id = i.order_id \
                 WHERE o.organization_id = {} AND o.status = 'awaiting_payment'",
                b.id()
            ))
            .await
            .concat();
        assert!(!reference.is_empty());
        // Carried out already: it is paid, not cancelled.
        b.cookie = app.sign_in("wanda@example.com").await;
        let waiting = app
            .count(&format!(
                "SELECT id FROM orders WHERE organization_id = {} AND status = 'awaiting_payment'",
                b.id()
            ))
            .await;
        let cancel = app
            .call(
                "cancel_order",
                Some(&b.cookie),
                &[
                    ("organization_id", &b.organization),
                    ("order_id", &waiting.to_string()),
                ],
            )
            .await;
        assert!(
            cancel.body.contains("carried out already"),
            "{}",
            cancel.body
        );
        // The transfer pays the invoice without renewing a second time.
        let paid =
            app::shop::operator::record_transfer(&app.state, &reference, chf(14_05), "T-LATE")
                .await
                .expect("transfer");
        assert!(!paid.is_empty());
        assert_eq!(app.count(&expires_sql).await, renewed_until);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM orders WHERE organization_id = {} AND status = 'paid'",
                b.id()
            ))
            .await,
            2
        );
    }
);
