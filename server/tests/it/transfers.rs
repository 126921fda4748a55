//! Domain transfers in (PRD-5) on SQLite and Postgres, against the embedded registry
//! simulation: each refusal of the registry in words (emailed with what to do, shown on the
//! domain's page), the single-use restart link, restarts from the link and from the page, and
//! the transfer fee paid exactly once after three failures and a success.

use crate::common;

use app::domains::transfer::{self, Run};
use app::products::registry::{set_at_registrar, AtRegistrar};
use common::buyer::{balance, buyer, chf, top_up, Buyer};
use common::TestApp;
use http::StatusCode;

const DAY: i64 = 24 * 3600;

async fn at_registrar(app: &TestApp, domain: &str, at: AtRegistrar) {
    let mut tx = app.state.db.write().await.expect("tx");
    set_at_registrar(&mut tx, domain, &at)
        .await
        .expect("simulated");
    tx.commit().await.expect("commit");
}

fn registrar(app: &TestApp, code: &str) -> AtRegistrar {
    AtRegistrar {
        auth_code: code.into(),
        locked: false,
        registered_at: app.state.now() - 400 * DAY,
        in_redemption: false,
        holder_confirms: true,
    }
}

/// Two workers at once; what they did together.
async fn race(app: &TestApp) -> Run {
    let (a, b) = (app.state.clone(), app.state.clone());
    let first = tokio::spawn(async move { transfer::run(&a, "worker-a").await });
    let second = tokio::spawn(async move { transfer::run(&b, "worker-b").await });
    let mut all = Run::default();
    for run in [first.await.expect("joined"), second.await.expect("joined")] {
        if let Some(run) = run.expect("ran") {
            all.transferred += run.transferred;
            all.failed += run.failed;
        }
    }
    all
}

async fn order_transfer(app: &TestApp, b: &Buyer, name: &str, code: &str) {
    let added = app
        .call(
            "add_transfer",
            Some(&b.cookie),
            &[
                ("organization_id", &b.organization),
                ("name", name),
                ("auth_code", code),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
}

async fn product_of(app: &TestApp, name: &str) -> i64 {
    app.count(&format!(
        "SELECT id FROM products WHERE name = '{name}' AND kind = 'domain'"
    ))
    .await
}

async fn facts(app: &TestApp, b: &Buyer, product: i64) -> serde_json::Value {
    let reply = app
        .call(
            "get_domain",
            Some(&b.cookie),
            &[
                ("organization_id", &b.organization),
                ("product_id", &product.to_string()),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

/// The restart token of the last failure email about `domain`.
async fn restart_token(app: &TestApp, domain: &str) -> String {
    let bodies = app
        .mail_bodies(&format!("subject = 'The transfer of {domain} failed'"))
        .await;
    let body = bodies.first().cloned().unwrap_or_default();
    let at = body.find("?restart=").expect("a restart link") + "?restart=".len();
    body[at..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn restart(app: &TestApp, b: &Buyer, product: i64, code: &str, token: &str) -> common::Reply {
    app.call(
        "restart_transfer",
        Some(&b.cookie),
        &[
            ("organization_id", &b.organization),
            ("product_id", &product.to_string()),
            ("auth_code", code),
            ("token", token),
        ],
    )
    .await
}

on_every_backend!(
    each_refusal_of_the_registry_is_said_in_words_with_what_to_do,
    |app: TestApp| async move {
        let b = buyer(&app, "rene@example.com").await;
        top_up(&app, b.id(), chf(200_00), "T-REASONS").await;
        let now = app.state.now();
        let cases = [
            (
                "wrong-code.ch",
                "transfer_lock",
                "The domain is locked against transfers",
            ),
            ("recent.ch", "too_recent", "less than 60 days ago"),
            (
                "lapsed.ch",
                "in_redemption",
                "in redemption at its current registrar",
            ),
            (
                "mistyped.ch",
                "wrong_authorization_code",
                "not the one the current registrar gave",
            ),
            (
                "unconfirmed.ch",
                "holder_did_not_confirm",
                "did not confirm the transfer",
            ),
        ];
        for (name, _, _) in cases {
            let mut at = registrar(&app, "RIGHT-CODE");
            match name {
                "wrong-code.ch" => at.locked = true,
                "recent.ch" => at.registered_at = now - 59 * DAY,
                "lapsed.ch" => at.in_redemption = true,
                "unconfirmed.ch" => at.holder_confirms = false,
                _ => {}
            }
            at_registrar(&app, name, at).await;
            let code = if name == "mistyped.ch" {
                "RIGHT-C0DE"
            } else {
                "RIGHT-CODE"
            };
            order_transfer(&app, &b, name, code).await;
        }
        let placed = b.place(&app, "prepaid", "order-key-transfers-001").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        // Nothing was asked yet: pending, without an expiry, the code kept only on the product.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM products WHERE transfer_state = 'pending'")
                .await,
            5
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM cart_lines WHERE auth_code <> ''")
                .await
                + app
                    .count("SELECT COUNT(*) FROM order_lines WHERE auth_code <> ''")
                    .await,
            0
        );
        assert_eq!(
            race(&app).await,
            Run {
                transferred: 0,
                failed: 5
            }
        );
        assert_eq!(race(&app).await, Run::default());
        // Asked once: no code is kept any more.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM products WHERE transfer_code IS NOT NULL")
                .await,
            0
        );
        for (name, failure, words) in cases {
            let product = product_of(&app, name).await;
            let facts = facts(&app, &b, product).await;
            assert_eq!(facts["transfer"]["state"], "failed", "{name}");
            assert_eq!(facts["transfer"]["failure"], failure, "{name}");
            let mail = app
                .mail_bodies(&format!("subject = 'The transfer of {name} failed'"))
                .await
                .concat();
            assert!(mail.contains(words), "{name}: {mail}");
            assert!(mail.contains("What to do:"), "{name}: {mail}");
            assert!(mail.contains("not charged again"), "{name}: {mail}");
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'transfer_failed'")
                .await,
            5
        );
        // A restart link is good for 30 days.
        let link = restart_token(&app, "recent.ch").await;
        let product = product_of(&app, "recent.ch").await;
        app.clock.advance(31 * DAY);
        let b = Buyer {
            cookie: app.sign_in("rene@example.com").await,
            ..b
        };
        let late = restart(&app, &b, product, "RIGHT-CODE", &link).await;
        assert!(
            late.body.contains("used already or has expired"),
            "{}",
            late.body
        );
    }
);

on_every_backend!(
    three_failures_and_a_success_cost_the_transfer_fee_once,
    |app: TestApp| async move {
        let b = buyer(&app, "tom@example.com").await;
        top_up(&app, b.id(), chf(100_00), "T-TRANSFER").await;
        let mut at = registrar(&app, "RIGHT-CODE-1");
        at.locked = true;
        at_registrar(&app, "moving.com", at.clone()).await;
        order_transfer(&app, &b, "moving.com", "WRONG-CODE").await;
        let placed = b.place(&app, "prepaid", "order-key-transfer-0001").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        // .com: CHF 16.00 + 8.1 % = 17.296, rounded to 17.30.
        assert_eq!(balance(&app, b.id()).await, chf(82_70));
        // 1: the scheduler asks; the domain is locked at its registrar.
        assert_eq!(race(&app).await.failed, 1);
        let product = product_of(&app, "moving.com").await;
        let first_link = restart_token(&app, "moving.com").await;
        // 2: unlocked; restarted from the emailed link, still with the wrong code.
        at.locked = false;
        at_registrar(&app, "moving.com", at.clone()).await;
        let reply = restart(&app, &b, product, "WRONG-CODE", &first_link).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json(), serde_json::json!(false));
        assert_eq!(
            facts(&app, &b, product).await["transfer"]["failure"],
            "wrong_authorization_code"
        );
        // The link is single-use.
        let again = restart(&app, &b, product, "RIGHT-CODE-1", &first_link).await;
        assert_eq!(again.code(), "validation", "{}", again.body);
        assert!(again.body.contains("used already"), "{}", again.body);
        // 3: from the page, the right code, but the holder does not confirm.
        at.holder_confirms = false;
        at_registrar(&app, "moving.com", at.clone()).await;
        let reply = restart(&app, &b, product, "RIGHT-CODE-1", "").await;
        assert_eq!(reply.json(), serde_json::json!(false), "{}", reply.body);
        // 4: the holder confirms; the newest link works.
        at.holder_confirms = true;
        at_registrar(&app, "moving.com", at).await;
        let link = restart_token(&app, "moving.com").await;
        assert_ne!(link, first_link);
        let reply = restart(&app, &b, product, "RIGHT-CODE-1", &link).await;
        assert_eq!(reply.json(), serde_json::json!(true), "{}", reply.body);
        let facts = facts(&app, &b, product).await;
        assert_eq!(facts["transfer"]["state"], "done");
        assert_eq!(facts["transfer"]["attempts"], 4);
        assert_eq!(facts["stage"], "active");
        let expires = app
            .count(&format!(
                "SELECT expires_at FROM products WHERE id = {product}"
            ))
            .await;
        assert_eq!(expires, app::format::add_months(app.state.now(), 12));
        // Paid once: one invoice, one debit, the balance as after the order.
        assert_eq!(balance(&app, b.id()).await, chf(82_70));
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM invoices WHERE organization_id = {}",
                b.id()
            ))
            .await,
            1
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM ledger_entries WHERE organization_id = {} AND amount_minor < 0",
                b.id()
            ))
            .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'domain_transferred'")
                .await,
            1
        );
        // Done: nothing to restart.
        let after = restart(&app, &b, product, "RIGHT-CODE-1", "").await;
        assert!(
            after.body.contains("not waiting for a restart"),
            "{}",
            after.body
        );
    }
);

on_every_backend!(
    a_domain_being_transferred_in_is_renewed_once_the_transfer_is_done,
    |app: TestApp| async move {
        // A renewal paid while the transfer waits would be overwritten by the transfer's own
        // year: it is refused until the transfer is done, so no paid day is lost.
        let b = buyer(&app, "tina@example.com").await;
        top_up(&app, b.id(), chf(100_00), "T-WAIT").await;
        at_registrar(&app, "waiting.com", registrar(&app, "RIGHT-CODE-2")).await;
        order_transfer(&app, &b, "waiting.com", "RIGHT-CODE-2").await;
        let placed = b.place(&app, "prepaid", "order-key-transfer-wait").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        let product = product_of(&app, "waiting.com").await;
        let renew = || {
            let (app, cookie, organization) = (&app, b.cookie.clone(), b.organization.clone());
            async move {
                app.call(
                    "add_to_cart",
                    Some(&cookie),
                    &[
                        ("organization_id", &organization),
                        ("kind", ""),
                        ("name", ""),
                        ("quantity", "1"),
                        ("periods", "1"),
                        ("product_id", &product.to_string()),
                    ],
                )
                .await
            }
        };
        let refused = renew().await;
        assert_eq!(refused.code(), "validation", "{}", refused.body);
        assert!(
            refused.body.contains("being transferred in"),
            "{}",
            refused.body
        );
        assert_eq!(race(&app).await.transferred, 1);
        let after_transfer = app
            .count(&format!(
                "SELECT expires_at FROM products WHERE id = {product}"
            ))
            .await;
        assert_eq!(after_transfer, app::format::add_months(app.state.now(), 12));
        // Done: the renewal adds its year to the transferred one.
        assert_eq!(renew().await.status, StatusCode::OK);
        let placed = b.place(&app, "prepaid", "order-key-transfer-renew").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        let renewed = app
            .count(&format!(
                "SELECT expires_at FROM products WHERE id = {product}"
            ))
            .await;
        assert_eq!(renewed, app::format::add_months(after_transfer, 12));
    }
);
