//! The shop (BIL-3, BIL-4) through its server functions and the operator's commands, on SQLite
//! and Postgres: an order paid from the balance (its products, its numbered invoice, its log
//! and email, the same key placing it once), a balance short of the total changing nothing (and
//! leaving no gap in the invoice numbers), a bank-transfer order paid by its reference, a
//! cancelled one credited to the prepaid account, promo codes and free offers with their
//! limits, and two identical checkouts at once placing one order.

use crate::common;

use app::shop::operator::{self, PromoCodeRequest};
use app::shop::quote::PromoReduction;
use common::buyer::{balance, buyer, chf, minor, top_up, Buyer};
use common::TestApp;
use http::StatusCode;

/// Each buyer places its cart at the same moment, paying from its balance.
async fn all_at_once(app: &TestApp, buyers: &[&Buyer]) -> Vec<common::Reply> {
    let calls = buyers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                "place_order",
                Some(b.cookie.clone()),
                vec![
                    ("organization_id", b.organization.clone()),
                    ("currency", "CHF".to_owned()),
                    ("address_id", b.address.clone()),
                    ("payment", "prepaid".to_owned()),
                    ("key", format!("order-key-at-once-{i:04}")),
                ],
            )
        })
        .collect();
    app.call_all(calls).await
}

on_every_backend!(
    an_order_paid_from_the_balance_creates_its_products_and_a_numbered_invoice,
    |app: TestApp| async move {
        let bea = buyer(&app, "bea@example.com").await;
        top_up(&app, bea.id(), chf(100_00), "T-1").await;
        bea.add(&app, "domain", "Shop-Test.CH", "1", "1").await;
        bea.add(&app, "web_hosting", "site", "2", "3").await;

        // 13.00 + 9.92 × 2 × 3 = 72.52; VAT 8.1 % = 5.87; 78.39 rounds to 78.40.
        let shop = bea.shop(&app).await;
        let quote = &shop["quote"];
        assert_eq!(minor(&quote["net"]), 72_52);
        assert_eq!(minor(&quote["vat"][0]["tax"]), 5_87);
        assert_eq!(minor(&quote["rounding"]), 1);
        assert_eq!(minor(&quote["total"]), 78_40);
        assert_eq!(quote["lines"][0]["description"], "Domain name shop-test.ch");

        let key = "order-key-0000000001";
        let placed = bea.place(&app, "prepaid", key).await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        let placed = placed.json();
        assert_eq!(placed["status"], "Paid");
        assert_eq!(placed["invoice"], "CHF-000001");
        assert_eq!(balance(&app, bea.id()).await, chf(21_60));
        let products = app
            .texts(&format!(
                "SELECT name FROM products WHERE organization_id = {} ORDER BY name",
                bea.id()
            ))
            .await;
        assert_eq!(products, ["shop-test.ch", "site", "site 2"]);

        // The same key again (a double click, a retried request): the same order, nothing new.
        let again = bea.place(&app, "prepaid", key).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.json()["order_id"], placed["order_id"]);
        assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 1);
        assert_eq!(balance(&app, bea.id()).await, chf(21_60));
        assert_eq!(
            bea.shop(&app).await["quote"]["lines"]
                .as_array()
                .map(Vec::len),
            Some(0)
        );

        for (action, times) in [
            ("order_placed", 1),
            ("order_paid", 1),
            ("product_ordered", 3),
            ("cart_changed", 2),
        ] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM activity_log WHERE action = '{action}' AND organization_id = {}",
                    bea.id()
                ))
                .await,
                times,
                "{action}"
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'bea@example.com' AND subject = 'Order placed: invoice CHF-000001'")
                .await,
            1
        );
        // An issued invoice never changes.
        let mut tx = app.state.db.write().await.expect("tx");
        let changed = on_db!(&mut tx, |c| sqlx::query(
            "UPDATE invoices SET total_minor = 1"
        )
        .execute(&mut **c)
        .await
        .map(|_| ()));
        assert!(changed.is_err(), "invoices are immutable");
        drop(tx);
        // …and cannot gain a line, nor lose or change one: the database refuses each.
        let invoice_id = placed["invoice_id"].as_i64().expect("id");
        for statement in [
            format!(
                "INSERT INTO invoice_lines (invoice_id, position, description, quantity, periods, period, list_minor, net_minor, vat_rate) \
                 VALUES ({invoice_id}, 99, 'A line added later', 1, 1, 'year', 100, 100, 810)"
            ),
            format!("UPDATE invoice_lines SET net_minor = 1 WHERE invoice_id = {invoice_id}"),
            format!("DELETE FROM invoice_lines WHERE invoice_id = {invoice_id}"),
        ] {
            let mut tx = app.state.db.write().await.expect("tx");
            let done = on_db!(&mut tx, |c| sqlx::query(&statement)
                .execute(&mut **c)
                .await
                .map(|_| ()));
            assert!(done.is_err(), "{statement}");
            drop(tx);
        }
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = {invoice_id}"
            ))
            .await,
            2
        );

        // The PDF, to its organization's billing people only.
        let invoice = placed["invoice_id"].as_i64().expect("id");
        let pdf = app
            .send(
                http::Method::GET,
                &format!("/invoice.pdf?organization={}&invoice={invoice}", bea.id()),
                &[("cookie", bea.cookie.as_str())],
                String::new(),
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        let other = buyer(&app, "other@example.com").await;
        let refused = app
            .send(
                http::Method::GET,
                &format!("/invoice.pdf?organization={}&invoice={invoice}", other.id()),
                &[("cookie", other.cookie.as_str())],
                String::new(),
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
    }
);

on_every_backend!(
    a_balance_short_of_the_total_changes_nothing_and_leaves_no_gap,
    |app: TestApp| async move {
        let bea = buyer(&app, "bea@example.com").await;
        top_up(&app, bea.id(), chf(10_00), "T-1").await;
        bea.add(&app, "drive", "archive", "1", "1").await;
        let refused = bea.place(&app, "prepaid", "order-key-0000000001").await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert_eq!(refused.code(), "insufficient_balance");
        assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM invoices").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM products").await, 0);
        assert_eq!(
            bea.shop(&app).await["quote"]["lines"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert_eq!(balance(&app, bea.id()).await, chf(10_00));

        // Paid by transfer instead: the invoice takes number 1, the one the failure gave back.
        let placed = bea
            .place(&app, "bank_transfer", "order-key-0000000002")
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        assert_eq!(placed.json()["invoice"], "CHF-000001");
        assert_eq!(placed.json()["status"], "AwaitingPayment");
    }
);

on_every_backend!(
    a_transfer_pays_its_order_and_a_cancelled_orders_transfer_is_credited,
    |app: TestApp| async move {
        let bea = buyer(&app, "bea@example.com").await;
        bea.add(&app, "domain", "waiting.ch", "1", "1").await;
        let placed = bea
            .place(&app, "bank_transfer", "order-key-0000000001")
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        let placed = placed.json();
        let reference = placed["reference"].as_str().expect("reference").to_owned();
        assert!(reference.starts_with("RF"), "{reference}");
        assert_eq!(app.count("SELECT COUNT(*) FROM products").await, 0, "waits");

        // 13.00 + 1.05 VAT = 14.05.
        let said = operator::record_transfer(&app.state, &reference, chf(14_05), "BANK-1")
            .await
            .expect("recorded");
        assert!(said.contains("is paid"), "{said}");
        assert_eq!(app.texts("SELECT name FROM products").await, ["waiting.ch"]);
        assert_eq!(balance(&app, bea.id()).await, chf(0));
        let replay = operator::record_transfer(&app.state, &reference, chf(14_05), "BANK-1")
            .await
            .expect("replayed");
        assert!(replay.contains("nothing changed"), "{replay}");

        // The seed's case: cancelled while the transfer is on its way.
        bea.add(&app, "drive", "archive", "1", "1").await;
        let second = bea
            .place(&app, "bank_transfer", "order-key-0000000002")
            .await;
        let second = second.json();
        let cancelled = app
            .call(
                "cancel_order",
                Some(&bea.cookie),
                &[
                    ("organization_id", &bea.organization),
                    ("order_id", &second["order_id"].to_string()),
                ],
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        let said = operator::record_transfer(
            &app.state,
            second["reference"].as_str().expect("reference"),
            chf(64_85),
            "BANK-2",
        )
        .await
        .expect("recorded");
        assert!(said.contains("credited to the prepaid account"), "{said}");
        assert_eq!(balance(&app, bea.id()).await, chf(64_85));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'order_credit'")
                .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM products WHERE kind = 'drive'")
                .await,
            0
        );
        // A paid order cannot be cancelled.
        let late = app
            .call(
                "cancel_order",
                Some(&bea.cookie),
                &[
                    ("organization_id", &bea.organization),
                    ("order_id", &placed["order_id"].to_string()),
                ],
            )
            .await;
        assert_eq!(
            late.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            late.body
        );
    }
);

on_every_backend!(
    promo_codes_and_free_offers_apply_within_their_limits,
    |app: TestApp| async move {
        operator::create_promo_code(
            &app.state,
            &PromoCodeRequest {
                code: "move-2027",
                reduction: PromoReduction::Percent(app::money::Percent::WHOLE),
                kinds: &[app::products::ProductKind::Domain],
                expires_at: None,
                max_uses: Some(1),
            },
        )
        .await
        .expect("created");
        let bea = buyer(&app, "bea@example.com").await;
        let line = bea.add(&app, "domain", "free.ch", "1", "1").await;
        let unknown = bea.set_line(&app, line, "NOPE", 0).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.json()["field"], "promo_code");
        let applied = bea.set_line(&app, line, "move-2027", 0).await;
        assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
        assert_eq!(minor(&bea.shop(&app).await["quote"]["total"]), 0);
        // A 100 % order: a valid zero invoice, nothing to pay.
        let placed = bea
            .place(&app, "bank_transfer", "order-key-0000000001")
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        assert_eq!(placed.json()["status"], "Paid");
        assert_eq!(app.count("SELECT total_minor FROM invoices").await, 0);

        // Once per organization…
        let line = bea.add(&app, "domain", "again.ch", "1", "1").await;
        bea.set_line(&app, line, "MOVE-2027", 0).await;
        let problem = bea.shop(&app).await["quote"]["lines"][0]["problem"].clone();
        assert!(
            problem
                .as_str()
                .is_some_and(|p| p.contains("used the code")),
            "{problem}"
        );
        let refused = bea.place(&app, "prepaid", "order-key-0000000002").await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        // …and as many times as the operator allowed.
        let cleo = buyer(&app, "cleo@example.com").await;
        let line = cleo.add(&app, "domain", "cleo.ch", "1", "1").await;
        cleo.set_line(&app, line, "MOVE-2027", 0).await;
        let problem = cleo.shop(&app).await["quote"]["lines"][0]["problem"].clone();
        assert!(
            problem
                .as_str()
                .is_some_and(|p| p.contains("as many times")),
            "{problem}"
        );

        // A free offer granted by the operator, chosen in the line's drop-down.
        let offer = operator::grant_free_offer(
            &app.state,
            cleo.id(),
            app::products::ProductKind::Domain,
            1,
            "A domain for a year",
        )
        .await
        .expect("granted");
        let chosen = cleo.set_line(&app, line, "", offer).await;
        assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
        let quote = cleo.shop(&app).await["quote"].clone();
        assert_eq!(minor(&quote["total"]), 0);
        assert_eq!(
            quote["lines"][0]["offers"][0]["label"],
            "A domain for a year"
        );
        let placed = cleo.place(&app, "prepaid", "order-key-0000000003").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM free_offers WHERE used_by_order IS NOT NULL AND organization_id = {}", cleo.id()))
                .await,
            1
        );
    }
);

on_every_backend!(
    two_identical_checkouts_at_once_place_one_order,
    |app: TestApp| async move {
        let bea = buyer(&app, "bea@example.com").await;
        top_up(&app, bea.id(), chf(100_00), "T-1").await;
        bea.add(&app, "domain", "once.ch", "1", "1").await;
        let form: Vec<(&str, String)> = vec![
            ("organization_id", bea.organization.clone()),
            ("currency", "CHF".into()),
            ("address_id", bea.address.clone()),
            ("payment", "prepaid".into()),
            ("key", "order-key-0000000001".into()),
        ];
        let replies = app
            .call_all(vec![
                ("place_order", Some(bea.cookie.clone()), form.clone()),
                ("place_order", Some(bea.cookie.clone()), form),
            ])
            .await;
        for reply in &replies {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        assert_eq!(replies[0].json()["order_id"], replies[1].json()["order_id"]);
        assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 1);
        assert_eq!(balance(&app, bea.id()).await, chf(100_00 - 14_05));
    }
);

on_every_backend!(
    orders_placed_at_once_get_invoice_numbers_without_a_gap,
    |app: TestApp| async move {
        let mut buyers = Vec::new();
        for i in 0..8 {
            let buyer = buyer(&app, &format!("buyer{i}@example.com")).await;
            top_up(&app, buyer.id(), chf(100_00), &format!("T-{i}")).await;
            buyer
                .add(&app, "domain", &format!("parallel-{i}.ch"), "1", "1")
                .await;
            buyers.push(buyer);
        }
        // Half of them short of nothing, one refused midway (no balance for a second item):
        // the refused one must not leave a hole.
        buyers[3].add(&app, "cloud_server", "big", "10", "12").await;
        let replies = all_at_once(&app, &buyers.iter().collect::<Vec<_>>()).await;
        let placed = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(
            placed,
            7,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        assert_eq!(replies[3].code(), "insufficient_balance");
        let numbers = app
            .texts(
                "SELECT CAST(number AS TEXT) FROM invoices WHERE currency = 'CHF' ORDER BY number",
            )
            .await;
        assert_eq!(numbers, (1..=7).map(|n| n.to_string()).collect::<Vec<_>>());
    }
);

on_every_backend!(
    a_code_with_one_use_left_goes_to_one_of_two_organizations_at_once,
    |app: TestApp| async move {
        operator::create_promo_code(
            &app.state,
            &PromoCodeRequest {
                code: "LAST-ONE",
                reduction: PromoReduction::Amount(chf(5_00)),
                kinds: &[],
                expires_at: None,
                max_uses: Some(1),
            },
        )
        .await
        .expect("created");
        let mut buyers = Vec::new();
        for i in 0..2 {
            let buyer = buyer(&app, &format!("racer{i}@example.com")).await;
            top_up(&app, buyer.id(), chf(100_00), &format!("T-{i}")).await;
            let line = buyer.add(&app, "drive", "archive", "1", "1").await;
            let applied = buyer.set_line(&app, line, "LAST-ONE", 0).await;
            assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
            buyers.push(buyer);
        }
        let replies = all_at_once(&app, &buyers.iter().collect::<Vec<_>>()).await;
        let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == StatusCode::OK).count(),
            1,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        assert_eq!(app.count("SELECT uses FROM promo_codes").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM promo_code_uses").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 1);
    }
);

on_every_backend!(
    each_demo_organization_has_a_billing_history_made_by_real_orders,
    |app: TestApp| async move {
        assert!(app::demo::seed_if_empty(&app.state)
            .await
            .expect("demo data"));
        for name in [
            "Helvetia Web Agency",
            "Lakeside Bakery",
            "Alpine Trail Club",
        ] {
            let organization = app
                .count(&format!(
                    "SELECT id FROM organizations WHERE name = '{name}'"
                ))
                .await;
            let statuses = app
                .texts(&format!(
                    "SELECT o.payment || ' ' || o.status FROM orders o JOIN invoices i ON i.order_id = o.id \
                     WHERE o.organization_id = {organization} ORDER BY o.id"
                ))
                .await;
            // The partner's customers renewed one more product today, earning it cashback.
            let customer = name != "Helvetia Web Agency";
            let mut expected = vec![
                "prepaid paid",
                "bank_transfer paid",
                "bank_transfer cancelled",
            ];
            if customer {
                expected.push("prepaid paid");
            }
            assert_eq!(statuses, expected, "{name}");
            let kinds = app
                .texts(&format!(
                    "SELECT kind || ' ' || CAST(amount_minor AS TEXT) FROM ledger_entries \
                     WHERE organization_id = {organization} ORDER BY id"
                ))
                .await;
            eprintln!(
                "{name}: {kinds:?} balance {}",
                balance(&app, organization).await
            );
            let mut expected = vec!["top_up", "payment", "top_up", "payment", "order_credit"];
            expected.push(if customer { "payment" } else { "cashback" });
            if !customer {
                expected.push("cashback");
            }
            assert_eq!(
                kinds
                    .iter()
                    .map(|k| k.split(' ').next().unwrap_or(""))
                    .collect::<Vec<_>>(),
                expected,
                "{name}"
            );
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM products WHERE organization_id = {organization} AND auto_renew"
                ))
                .await,
                1
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM promo_codes WHERE code = 'WELCOME-20'")
                .await,
            1
        );
    }
);

on_every_backend!(
    one_organization_checking_out_twice_at_once_uses_its_code_once,
    |app: TestApp| async move {
        operator::create_promo_code(
            &app.state,
            &PromoCodeRequest {
                code: "TWICE",
                reduction: PromoReduction::Percent(app::money::Percent(10_00)),
                kinds: &[],
                expires_at: None,
                max_uses: None,
            },
        )
        .await
        .expect("created");
        let bea = buyer(&app, "bea@example.com").await;
        top_up(&app, bea.id(), chf(100_00), "T-1").await;
        let line = bea.add(&app, "domain", "twice.ch", "1", "1").await;
        bea.set_line(&app, line, "TWICE", 0).await;
        // Two tabs, two keys, one cart: the second finds the cart the first emptied.
        let replies = all_at_once(&app, &[&bea, &bea]).await;
        let placed = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(
            placed,
            1,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        assert_eq!(app.count("SELECT uses FROM promo_codes").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 1);
    }
);

on_every_backend!(
    a_cart_filled_while_signed_out_waits_in_the_new_organization,
    |app: TestApp| async move {
        use app::shop::{OrderCatalogue, Quote};
        // The catalogue: what each product is for, its price per period, domains by extension.
        let catalogue: OrderCatalogue =
            serde_json::from_value(app.call("order_page", None, &[]).await.json()).expect("page");
        assert!(catalogue.quote.lines.is_empty());
        let hosting = catalogue
            .offerings
            .iter()
            .find(|o| o.kind.as_str() == "web_hosting")
            .expect("hosting is sold");
        assert!(!hosting.description.is_empty());
        assert!(catalogue.domain_prices.iter().any(|p| p.extension == ".ch"));

        // A domain search, before anything else.
        let found = app
            .call("find_domain", None, &[("name", " Guest-Bakery.CH ")])
            .await
            .json();
        assert_eq!(found["name"], "guest-bakery.ch");
        assert_eq!(found["available"], true);
        let wrong = app.call("find_domain", None, &[("name", "bakery")]).await;
        assert_eq!(wrong.json()["field"], "name");

        // The first line gives the browser its cart cookie; the second one keeps it.
        let added = app
            .call(
                "add_to_guest_cart",
                None,
                &[
                    ("kind", "domain"),
                    ("name", "guest-bakery.ch"),
                    ("periods", "2"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let cart = added
            .set_cookie()
            .and_then(|c| c.split(';').next().map(str::to_owned))
            .expect("a cart cookie");
        assert!(cart.starts_with("steward_cart="), "{cart}");
        let hosting = app
            .call(
                "add_to_guest_cart",
                Some(&cart),
                &[
                    ("kind", "web_hosting"),
                    ("name", "bakery site"),
                    ("periods", "12"),
                ],
            )
            .await;
        assert_eq!(hosting.status, StatusCode::OK, "{}", hosting.body);
        let twice = app
            .call(
                "add_to_guest_cart",
                Some(&cart),
                &[
                    ("kind", "domain"),
                    ("name", "guest-bakery.ch"),
                    ("periods", "1"),
                ],
            )
            .await;
        assert_eq!(twice.json()["field"], "name");
        let priced: OrderCatalogue =
            serde_json::from_value(app.call("order_page", Some(&cart), &[]).await.json())
                .expect("page");
        assert_eq!(priced.quote.lines.len(), 2);
        // Another browser sees its own (empty) cart.
        let other: OrderCatalogue =
            serde_json::from_value(app.call("order_page", None, &[]).await.json()).expect("page");
        assert!(other.quote.lines.is_empty());

        // Sign-up, confirmed in the same browser: the person lands in the shop.
        let email = "guest@example.com";
        let started = app
            .call(
                "sign_up",
                Some(&cart),
                &[
                    ("email", email),
                    ("first_name", "Gina"),
                    ("last_name", "Gast"),
                    ("password", common::PASSWORD),
                ],
            )
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.body);
        let token = app
            .mailed_token(email, "/signup/confirm")
            .await
            .expect("a confirmation link");
        let confirmed = app
            .call(
                "confirm_sign_up",
                Some(&cart),
                &[("token", &token), ("password", common::PASSWORD)],
            )
            .await;
        let redirect = confirmed.json()["redirect"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            redirect.ends_with("/billing/shop?added=1#cart"),
            "{redirect}"
        );
        let organization: i64 = redirect
            .trim_start_matches("/o/")
            .split('/')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("organization");
        let session = confirmed.session_cookie().expect("signed in");
        let both = format!("{session}; {cart}");
        let shop = |cookies: String| {
            let app = &app;
            async move {
                let reply = app
                    .call(
                        "shop_page",
                        Some(&cookies),
                        &[
                            ("organization_id", &organization.to_string()),
                            ("currency", "CHF"),
                        ],
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                let quote: Quote =
                    serde_json::from_value(reply.json()["quote"].clone()).expect("quote");
                (quote, reply.set_cookie())
            }
        };
        let (quote, cleared) = shop(both.clone()).await;
        let described: Vec<String> = quote.lines.iter().map(|l| l.description.clone()).collect();
        assert_eq!(
            described,
            vec![
                "Domain name guest-bakery.ch".to_owned(),
                "Web hosting bakery site".to_owned()
            ]
        );
        assert_eq!((quote.lines[0].periods, quote.lines[1].periods), (2, 12));
        assert!(
            cleared.is_some_and(|c| c.starts_with("steward_cart=;")),
            "the cookie is cleared"
        );
        // Moved once: the same cookie again (a browser that missed the clearing) adds nothing.
        let (again, _) = shop(both).await;
        assert_eq!(again.lines.len(), 2);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM guest_cart_lines").await,
            0,
            "nothing is left behind"
        );
        assert_eq!(
            app.texts("SELECT detail FROM activity_log WHERE action = 'cart_changed'")
                .await,
            vec![
                "Added from the order page: Domain name guest-bakery.ch, Web hosting bakery site"
                    .to_owned()
            ]
        );
        // In a cart is not registered: the search still finds it free until the order is placed.
        let taken = app
            .call("find_domain", None, &[("name", "guest-bakery.ch")])
            .await
            .json();
        assert_eq!(taken["available"], true, "in a cart, not yet registered");
    }
);

on_every_backend!(
    the_carts_one_promo_code_field_finds_the_line_it_fits,
    |app: TestApp| async move {
        operator::create_promo_code(
            &app.state,
            &PromoCodeRequest {
                code: "mail-20",
                reduction: PromoReduction::Percent(app::money::Percent::parse("20").expect("20")),
                kinds: &[app::products::ProductKind::MailService],
                expires_at: None,
                max_uses: None,
            },
        )
        .await
        .expect("created");
        let cleo = buyer(&app, "cleo@example.com").await;
        let apply = |code: &'static str| {
            let (app, cleo) = (&app, &cleo);
            async move {
                app.call(
                    "apply_promo_code",
                    Some(&cleo.cookie),
                    &[
                        ("organization_id", &cleo.organization),
                        ("currency", "CHF"),
                        ("promo_code", code),
                    ],
                )
                .await
            }
        };
        // Nothing in the cart: nothing to apply it to.
        assert!(apply("MAIL-20").await.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("The cart is empty"));
        cleo.add(&app, "domain", "cleo.ch", "1", "1").await;
        // Said line by line when no line fits.
        let none = apply("mail-20").await.json();
        assert_eq!(none["field"], "promo_code");
        let message = none["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("MAIL-20 fits no line of the cart.")
                && message
                    .contains("Domain name cleo.ch: The code MAIL-20 is for mail service only"),
            "{message}"
        );
        assert_eq!(apply("NOPE").await.json()["field"], "promo_code");
        // With a mail service in the cart, the code goes there.
        cleo.add(&app, "mail_service", "team mail", "1", "3").await;
        let applied = apply("mail-20").await;
        assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
        assert_eq!(applied.json()["line"], "Mail service team mail");
        let shop = cleo.shop(&app).await;
        let lines = shop["quote"]["lines"].as_array().expect("lines").clone();
        assert_eq!(lines[0]["promo_code"], "");
        assert_eq!(lines[1]["promo_code"], "MAIL-20");
        assert_eq!(lines[1]["reductions"][0]["label"], "Promo code MAIL-20");
        // Once on a line, applying it again says where it is.
        assert!(apply("MAIL-20").await.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("MAIL-20 is on Mail service team mail already."));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE detail = 'Promo code MAIL-20 on Mail service team mail'")
                .await,
            1
        );
    }
);

on_every_backend!(
    every_product_page_renews_and_the_list_switches_automatic_renewal_at_once,
    |app: TestApp| async move {
        let dora = buyer(&app, "dora@example.com").await;
        top_up(&app, dora.id(), chf(500_00), "T-1").await;
        dora.add(&app, "web_hosting", "dora site", "1", "12").await;
        dora.add(&app, "domain", "dora.ch", "1", "1").await;
        let placed = dora.place(&app, "prepaid", "order-key-renewals-01").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        // Each invoice line states the period it pays for: from today, twelve months and a year.
        let now = app.state.now();
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM invoice_lines WHERE service_from = {now} AND service_until = {}",
                app::format::add_months(now, 12)
            ))
            .await,
            2
        );
        let ids: Vec<(i64, String)> = {
            let listed = app
                .call(
                    "list_products",
                    Some(&dora.cookie),
                    &[
                        ("organization_id", &dora.organization),
                        ("search", ""),
                        ("kind", ""),
                        ("status", ""),
                        ("tag", ""),
                        ("sort", "name"),
                    ],
                )
                .await
                .json();
            listed["products"]
                .as_array()
                .expect("products")
                .iter()
                .map(|p| {
                    (
                        p["id"].as_i64().expect("id"),
                        p["kind"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        };
        let hosting = ids
            .iter()
            .find(|(_, k)| k == "web_hosting")
            .expect("hosting")
            .0;
        let domain = ids.iter().find(|(_, k)| k == "domain").expect("domain").0;
        let renewal = |product: i64| {
            let (app, dora) = (&app, &dora);
            async move {
                app.call(
                    "product_renewal",
                    Some(&dora.cookie),
                    &[
                        ("organization_id", &dora.organization),
                        ("product_id", &product.to_string()),
                    ],
                )
                .await
                .json()
            }
        };
        // A hosting's page: when it expires, a month's price, automatic renewal off.
        let facts = renewal(hosting).await;
        assert_eq!(facts["name"], "dora site");
        assert_eq!(facts["period"], "month");
        assert_eq!(minor(&facts["price"]), 992);
        assert_eq!(facts["auto_renew"], false);
        assert_eq!(facts["may_order"], true);
        // A domain's page has its own panel.
        assert!(renewal(domain).await.is_null());

        // Both switched on from the list; one unknown product changes nothing.
        let both = format!("{hosting},{domain}");
        let wrong = app
            .call(
                "set_auto_renew_many",
                Some(&dora.cookie),
                &[
                    ("organization_id", &dora.organization),
                    ("product_ids", &format!("{both},999999")),
                    ("on", "true"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert_eq!(renewal(hosting).await["auto_renew"], false);
        let switched = app
            .call(
                "set_auto_renew_many",
                Some(&dora.cookie),
                &[
                    ("organization_id", &dora.organization),
                    ("product_ids", &both),
                    ("on", "true"),
                ],
            )
            .await;
        assert_eq!(switched.status, StatusCode::OK, "{}", switched.body);
        assert_eq!(switched.json(), 2);
        assert_eq!(renewal(hosting).await["auto_renew"], true);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE action = 'auto_renew_changed' AND detail = 'on' AND organization_id = {}",
                dora.id()
            ))
            .await,
            2
        );
    }
);

on_every_backend!(
    billing_rights_on_a_product_reach_that_product_only_and_never_a_blocked_one,
    |app: TestApp| async move {
        let boss = buyer(&app, "boss@example.com").await;
        let org = boss.organization.clone();
        let ids = app
            .add_products(boss.id(), &["billed.ch", "seen.ch", "hidden.ch"])
            .await;
        let (billed, seen, hidden) = (ids[0].to_string(), ids[1].to_string(), ids[2].to_string());
        app.exec(&format!(
            "UPDATE products SET expires_at = {} WHERE organization_id = {org}",
            common::START + 200 * 86_400
        ))
        .await;
        let (cookie, _) = app.sign_up("bill@example.com", "Bill", "Billing").await;
        let bill_id = app
            .add_member(
                boss.id(),
                "bill@example.com",
                app::policy::Role::Collaborator,
            )
            .await;
        for (product, billing) in [(&billed, "TRUE"), (&seen, "FALSE")] {
            app.exec(&format!(
                "INSERT INTO product_access (product_id, user_id, billing, created_at) \
                 VALUES ({product}, {bill_id}, {billing}, 0)"
            ))
            .await;
        }
        let bill = Buyer {
            cookie,
            organization: org.clone(),
            address: boss.address.clone(),
        };
        let auto_renew = |who: &Buyer, product: &str| {
            let (cookie, org, product) = (who.cookie.clone(), org.clone(), product.to_owned());
            let app = &app;
            async move {
                app.call(
                    "set_auto_renew",
                    Some(&cookie),
                    &[
                        ("organization_id", &org),
                        ("product_id", &product),
                        ("on", "true"),
                    ],
                )
                .await
            }
        };
        let renew = |who: &Buyer, product: &str| {
            let (cookie, org, product) = (who.cookie.clone(), org.clone(), product.to_owned());
            let app = &app;
            async move {
                app.call(
                    "add_to_cart",
                    Some(&cookie),
                    &[
                        ("organization_id", &org),
                        ("kind", "domain"),
                        ("name", ""),
                        ("quantity", "1"),
                        ("periods", "1"),
                        ("product_id", &product),
                    ],
                )
                .await
            }
        };
        let renewing = format!(
            "SELECT COUNT(*) FROM products WHERE organization_id = {org} AND auto_renew = TRUE"
        );

        // Automatic renewal: the product billed, not one merely seen, not one never given.
        for product in [&seen, &hidden] {
            let refused = auto_renew(&bill, product).await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        }
        assert_eq!(app.count(&renewing).await, 0);
        let done = auto_renew(&bill, &billed).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(app.count(&renewing).await, 1);
        // Several at once: all of them or none.
        let many = app
            .call(
                "set_auto_renew_many",
                Some(&bill.cookie),
                &[
                    ("organization_id", &org),
                    ("product_ids", &format!("{billed},{seen}")),
                    ("on", "false"),
                ],
            )
            .await;
        assert_eq!(many.status, StatusCode::NOT_FOUND, "{}", many.body);
        assert_eq!(app.count(&renewing).await, 1);

        // The shop offers them the renewal of the product they bill, and only that.
        let shop = bill.shop(&app).await;
        let renewable: Vec<&str> = shop["renewable"]
            .as_array()
            .expect("renewable")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(renewable, ["billed.ch"]);
        assert_eq!(
            boss.shop(&app).await["renewable"].as_array().map(Vec::len),
            Some(3)
        );
        let refused = renew(&bill, &seen).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        let added = renew(&bill, &billed).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);

        // An order pays for every line: with the renewal of a product they do not bill in the
        // cart (put there by the legal representative), they cannot place it, nor change or
        // remove that line; the lines stay.
        let theirs = renew(&boss, &hidden).await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        let theirs = theirs.json().as_i64().expect("line id");
        top_up(&app, boss.id(), chf(100_00), "T-BILL").await;
        let refused = bill
            .place(&app, "prepaid", "order-key-billing-reach-1")
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(
            refused.body.contains("outside your billing rights"),
            "{}",
            refused.body
        );
        let refused = bill.set_line(&app, theirs, "", 0).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        let refused = app
            .call(
                "remove_cart_line",
                Some(&bill.cookie),
                &[("organization_id", &org), ("line_id", &theirs.to_string())],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM cart_lines WHERE organization_id = {org}"
            ))
            .await,
            2
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM orders WHERE organization_id = {org}"
            ))
            .await,
            0
        );
        // Without it, the order of their own renewal goes through.
        let removed = app
            .call(
                "remove_cart_line",
                Some(&boss.cookie),
                &[("organization_id", &org), ("line_id", &theirs.to_string())],
            )
            .await;
        assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
        let placed = bill
            .place(&app, "prepaid", "order-key-billing-reach-2")
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);

        // The prepaid account and the invoices stay the organization's, for them as the
        // policy table says.
        for function in ["prepaid_account", "list_invoices"] {
            let read = app
                .call(function, Some(&bill.cookie), &[("organization_id", &org)])
                .await;
            assert_eq!(read.status, StatusCode::OK, "{function}: {}", read.body);
        }

        // Once its management is blocked, the product is theirs to see, not to manage: neither
        // its automatic renewal nor its renewal; the legal representative still may.
        let blocked = app
            .call(
                "set_product_blocked",
                Some(&boss.cookie),
                &[
                    ("organization_id", &org),
                    ("product_id", &billed),
                    ("blocked", "true"),
                ],
            )
            .await;
        assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
        for refused in [
            auto_renew(&bill, &billed).await,
            renew(&bill, &billed).await,
        ] {
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
            assert!(refused.body.contains("blocked"), "{}", refused.body);
        }
        assert!(bill.shop(&app).await["renewable"]
            .as_array()
            .is_some_and(Vec::is_empty));
        let done = auto_renew(&boss, &billed).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    }
);

on_every_backend!(
    a_domain_registered_at_another_registrar_is_not_offered_for_registration,
    |app: TestApp| async move {
        // The registry (the simulation behind the trait) holds elsewhere.ch at another registrar.
        {
            let mut tx = app.state.db.write().await.expect("tx");
            app::products::registry::set_at_registrar(
                &mut tx,
                "elsewhere.ch",
                &app::products::registry::AtRegistrar {
                    auth_code: "Xy7-secret".into(),
                    locked: false,
                    registered_at: 0,
                    in_redemption: false,
                    holder_confirms: true,
                },
            )
            .await
            .expect("registry");
            tx.commit().await.expect("commit");
        }
        let found = app
            .call("find_domain", None, &[("name", "elsewhere.ch")])
            .await
            .json();
        assert_eq!(found["available"], false, "{found}");
        assert_eq!(found["price"], serde_json::Value::Null);
        let free = app
            .call("find_domain", None, &[("name", "nowhere-else.ch")])
            .await
            .json();
        assert_eq!(free["available"], true);
        let b = buyer(&app, "reg@example.com").await;
        let refused = app
            .call(
                "add_to_cart",
                Some(&b.cookie),
                &[
                    ("organization_id", &b.organization),
                    ("kind", "domain"),
                    ("name", "Elsewhere.ch"),
                    ("quantity", "1"),
                    ("periods", "1"),
                    ("product_id", "0"),
                ],
            )
            .await;
        assert_eq!(refused.code(), "validation", "{}", refused.body);
        assert_eq!(refused.json()["field"], "name");
        assert!(refused.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("transfer it"));
        let guest = app
            .call(
                "add_to_guest_cart",
                None,
                &[
                    ("kind", "domain"),
                    ("name", "elsewhere.ch"),
                    ("periods", "1"),
                ],
            )
            .await;
        assert_eq!(guest.code(), "validation", "{}", guest.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM cart_lines").await, 0);
        b.add(&app, "domain", "nowhere-else.ch", "1", "1").await;
    }
);

on_every_backend!(
    an_order_is_invoiced_to_the_address_chosen_at_checkout_and_the_pdf_says_so,
    |app: TestApp| async move {
        let bea = buyer(&app, "bea@example.com").await;
        top_up(&app, bea.id(), chf(100_00), "T-1").await;
        // A second address, not the default: Zürich's accounts department, with letters a PDF
        // must print.
        let second = app
            .call(
                "add_billing_address",
                Some(&bea.cookie),
                &[
                    ("organization_id", &bea.organization),
                    ("name", "Zoë Müller"),
                    ("company", "Bäckerei Zürich AG"),
                    ("street", "Löwenstrasse 2"),
                    ("postal_code", "8001"),
                    ("city", "Zürich"),
                    ("country", "CH"),
                    ("vat_number", ""),
                ],
            )
            .await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.body);
        let second = second.json().as_i64().expect("id").to_string();
        bea.add(&app, "web_hosting", "site", "1", "1").await;
        let placed = app
            .call(
                "place_order",
                Some(&bea.cookie),
                &[
                    ("organization_id", &bea.organization),
                    ("currency", "CHF"),
                    ("address_id", &second),
                    ("payment", "prepaid"),
                    ("key", "order-key-address-0001"),
                ],
            )
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        let invoice = placed.json()["invoice_id"].as_i64().expect("invoice");
        let stored = app
            .texts(&format!(
                "SELECT address FROM invoices WHERE id = {invoice}"
            ))
            .await;
        assert!(stored[0].contains("Bäckerei Zürich AG"), "{stored:?}");
        assert!(!stored[0].contains("Bea Buyer"), "{stored:?}");
        if let Some(text) =
            crate::renewals::invoice_text(&app, &bea.cookie, &bea.organization, invoice).await
        {
            for expected in [
                "Bäckerei Zürich AG",
                "Zoë Müller",
                "Löwenstrasse 2",
                "Zürich",
            ] {
                assert!(text.contains(expected), "{expected} missing from:\n{text}");
            }
            // (The organization's own name, "Bea Buyer", heads the invoice; the default
            // address's street does not appear.)
            assert!(!text.contains("Rue du Lac 1"), "{text}");
        }
    }
);

on_every_backend!(
    every_letter_a_billing_address_accepts_prints_on_the_invoice,
    |app: TestApp| async move {
        let bea = buyer(&app, "bea@example.com").await;
        top_up(&app, bea.id(), chf(100_00), "T-1").await;
        let address = |name: &'static str,
                       company: &'static str,
                       street: &'static str,
                       city: &'static str| {
            let (app, cookie, organization) = (&app, bea.cookie.clone(), bea.organization.clone());
            async move {
                app.call(
                    "add_billing_address",
                    Some(&cookie),
                    &[
                        ("organization_id", organization.as_str()),
                        ("name", name),
                        ("company", company),
                        ("street", street),
                        ("postal_code", "8001"),
                        ("city", city),
                        ("country", "CH"),
                        ("vat_number", ""),
                    ],
                )
                .await
            }
        };
        // Letters Helvetica's WinAnsi never had (Polish, Greek, Cyrillic), and a street far
        // longer than the address column.
        let street =
            "Улица Льва Толстого 16, корпус 2, подъезд 3, этаж 4, квартира 56, вход со двора";
        let added = address(
            "Łukasz Żółć",
            "Οικογένεια Παπαδοπούλου ΑΕ",
            street,
            "Ærøskøbing",
        )
        .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let id = added.json().as_i64().expect("id").to_string();
        // A letter the invoice cannot print is refused where it is typed, named.
        let refused = address("Li Wei", "", "Main Street 1", "東京").await;
        assert_eq!(refused.code(), "validation", "{}", refused.body);
        assert_eq!(refused.json()["field"], "city", "{}", refused.body);
        assert!(refused.body.contains("東"), "{}", refused.body);

        bea.add(&app, "web_hosting", "site", "1", "1").await;
        let placed = app
            .call(
                "place_order",
                Some(&bea.cookie),
                &[
                    ("organization_id", &bea.organization),
                    ("currency", "CHF"),
                    ("address_id", &id),
                    ("payment", "prepaid"),
                    ("key", "order-key-letters-0001"),
                ],
            )
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        let invoice = placed.json()["invoice_id"].as_i64().expect("invoice");
        if let Some(text) =
            crate::renewals::invoice_text(&app, &bea.cookie, &bea.organization, invoice).await
        {
            let flowing = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for expected in [
                "Łukasz Żółć",
                "Οικογένεια Παπαδοπούλου ΑΕ",
                street,
                "Ærøskøbing",
            ] {
                assert!(
                    flowing.contains(expected),
                    "{expected} missing from:\n{text}"
                );
            }
            assert!(
                !text.lines().any(|line| line.contains(street)),
                "the long street wraps onto two lines:\n{text}"
            );
        }
    }
);

on_every_backend!(
    a_renewal_line_charges_for_the_one_product_it_extends,
    |app: TestApp| async move {
        let bea = buyer(&app, "bea@example.com").await;
        top_up(&app, bea.id(), chf(200_00), "T-1").await;
        let product = app.add_products(bea.id(), &["renew-once.ch"]).await[0];
        app.exec(&format!(
            "UPDATE products SET expires_at = {} WHERE id = {product}",
            app.state.now() + 30 * 86_400
        ))
        .await;
        let add = |quantity: &'static str| {
            let (app, cookie, organization) = (&app, bea.cookie.clone(), bea.organization.clone());
            async move {
                app.call(
                    "add_to_cart",
                    Some(&cookie),
                    &[
                        ("organization_id", &organization),
                        ("kind", ""),
                        ("name", ""),
                        ("quantity", quantity),
                        ("periods", "1"),
                        ("product_id", &product.to_string()),
                    ],
                )
                .await
            }
        };
        // Five of one renewal would charge five and extend once: refused.
        let five = add("5").await;
        assert_eq!(five.code(), "validation", "{}", five.body);
        assert_eq!(five.json()["field"], "quantity");
        let one = add("1").await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        let line = one.json().as_i64().expect("line").to_string();
        let changed = app
            .call(
                "update_cart_line",
                Some(&bea.cookie),
                &[
                    ("organization_id", &bea.organization),
                    ("line_id", &line),
                    ("quantity", "3"),
                    ("periods", "1"),
                    ("promo_code", ""),
                    ("free_offer_id", "0"),
                ],
            )
            .await;
        assert_eq!(changed.code(), "validation", "{}", changed.body);
        // A cart kept from before the rule, holding three of it: the order is refused, and
        // nothing is charged.
        app.exec(&format!(
            "UPDATE cart_lines SET quantity = 3 WHERE id = {line}"
        ))
        .await;
        let placed = bea.place(&app, "prepaid", "order-key-renew-once-1").await;
        assert_eq!(placed.code(), "validation", "{}", placed.body);
        assert_eq!(balance(&app, bea.id()).await, chf(200_00));
        app.exec(&format!(
            "UPDATE cart_lines SET quantity = 1 WHERE id = {line}"
        ))
        .await;
        let placed = bea.place(&app, "prepaid", "order-key-renew-once-2").await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    }
);
