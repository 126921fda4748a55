//! Partner pricing and cashback (PAR-4, PAR-5), on both databases, through real orders: the
//! seeds' example to the cent in CHF and EUR on the order summary and on the partner's invoice;
//! cashback in each of the seeds' cases, none where the discount applied, credited once whatever
//! is retried or raced, and only once the order is paid.

use crate::common;

use app::money::{Currency, Money, Percent};
use app::partners::{operator, Rate};
use app::policy::Role;
use app::products::ProductKind;
use common::buyer::{buyer, chf, minor, top_up, Buyer};
use common::TestApp;
use http::StatusCode;
use serde_json::Value;

/// A partner, its customer, and what the customer granted.
pub struct World {
    /// The partner's legal representative.
    pub agency: String,
    pub partner: i64,
    /// The partner's billing address.
    pub partner_address: String,
    pub bakery: Buyer,
    pub relationship: i64,
}

/// Helvetia (20 % on web hostings, 10 % on domain names) with a billing address and CHF 1,000
/// and EUR 1,000 on its prepaid account; Bea's bakery (with its own address) granted it
/// `access` — limited to `products` of the bakery, named, when limited.
pub async fn world(app: &TestApp, access: &str, products: &[&str]) -> World {
    let partner_shop = buyer(app, "hella@agency.ch").await;
    let partner = partner_shop.id();
    let applied = app
        .call(
            "apply_as_partner",
            Some(&partner_shop.cookie),
            &[
                ("organization_id", &partner_shop.organization),
                ("trade_register", "CHE-123.456.789"),
                ("website", "www.helvetia-web.ch"),
            ],
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let rates = [
        Rate {
            kind: ProductKind::WebHosting,
            percent: Percent(20_00),
        },
        Rate {
            kind: ProductKind::Domain,
            percent: Percent(10_00),
        },
    ];
    operator::approve(&app.state, partner, &rates)
        .await
        .expect("approved");
    top_up(app, partner, chf(1_000_00), "PARTNER-CHF").await;
    top_up(
        app,
        partner,
        Money::new(1_000_00, Currency::Eur),
        "PARTNER-EUR",
    )
    .await;
    let bakery = buyer(app, "bea@bakery.ch").await;
    let ids = app.add_products(bakery.id(), products).await;
    let relationship =
        grant_customer(app, &partner_shop, &bakery, "bea@bakery.ch", access, &ids).await;
    World {
        agency: partner_shop.cookie,
        partner,
        partner_address: partner_shop.address,
        bakery,
        relationship,
    }
}

/// The partner (its legal representative's `agency`) asks `email` for `access`; the customer
/// (whose legal representative that is) grants it — limited to `products` when limited. The
/// relationship's id.
pub async fn grant_customer(
    app: &TestApp,
    agency: &Buyer,
    customer: &Buyer,
    email: &str,
    access: &str,
    products: &[i64],
) -> i64 {
    let asked = app
        .call(
            "request_customer",
            Some(&agency.cookie),
            &[
                ("organization_id", &agency.organization),
                ("email", email),
                ("access", access),
                ("until", ""),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let token = app
        .mailed_token(email, "/partner-request")
        .await
        .expect("a link in the email");
    let product_ids = products
        .iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let granted = app
        .call(
            "grant_partner_access",
            Some(&customer.cookie),
            &[
                ("organization_id", &customer.organization),
                ("token", &token),
                ("access", access),
                ("until", ""),
                ("product_ids", &product_ids),
            ],
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    app.count(&format!(
        "SELECT id FROM partner_customers WHERE customer_id = {} AND state = 'active'",
        customer.id()
    ))
    .await
}

/// A line added to the bakery's cart by `cookie`: a new product, or the renewal of `product`.
pub async fn add(
    app: &TestApp,
    cookie: &str,
    bakery: &Buyer,
    kind: &str,
    name: &str,
    quantity: &str,
    product: i64,
) {
    let reply = app
        .call(
            "add_to_cart",
            Some(cookie),
            &[
                ("organization_id", &bakery.organization),
                ("kind", kind),
                ("name", name),
                ("quantity", quantity),
                ("periods", "1"),
                ("product_id", &product.to_string()),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn shop(app: &TestApp, cookie: &str, bakery: &Buyer, currency: &str) -> Value {
    let reply = app
        .call(
            "shop_page",
            Some(cookie),
            &[
                ("organization_id", &bakery.organization),
                ("currency", currency),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

pub async fn place(
    app: &TestApp,
    cookie: &str,
    bakery: &Buyer,
    currency: &str,
    address: &str,
    payment: &str,
    key: &str,
) -> common::Reply {
    app.call(
        "place_order",
        Some(cookie),
        &[
            ("organization_id", &bakery.organization),
            ("currency", currency),
            ("address_id", address),
            ("payment", payment),
            ("key", key),
        ],
    )
    .await
}

fn balance_in(
    app: &TestApp,
    organization: i64,
    currency: Currency,
) -> impl std::future::Future<Output = Money> + '_ {
    async move {
        let mut tx = app.state.db.read().await.expect("tx");
        let balance = app::billing::ledger::balance(&mut tx, organization, currency)
            .await
            .expect("balance");
        tx.commit().await.expect("commit");
        balance
    }
}

/// The cashback credited to the partner: `(amount in minor units, rows)`.
async fn cashback(app: &TestApp, partner: i64) -> (i64, i64) {
    let sum = app
        .count(&format!(
            "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM ledger_entries WHERE organization_id = {partner} AND kind = 'cashback'"
        ))
        .await;
    let rows = app
        .count(&format!(
            "SELECT COUNT(*) FROM partner_cashback WHERE partner_id = {partner} AND credited_at IS NOT NULL"
        ))
        .await;
    (sum, rows)
}

on_every_backend!(
    the_seeds_example_is_on_the_order_summary_and_the_partners_invoice_to_the_cent,
    |app: TestApp| async move {
        let w = world(&app, "full_partner_pays", &[]).await;
        for (currency, list, after_partner, net) in [
            (Currency::Chf, 347_20, 277_76, 208_32),
            (Currency::Eur, 201_25, 161_00, 120_75),
        ] {
            let code = currency.code();
            // Hella, inside the bakery's manager, orders 35 web hostings for a month.
            add(&app, &w.agency, &w.bakery, "web_hosting", "site", "35", 0).await;
            let page = shop(&app, &w.agency, &w.bakery, code).await;
            let partner_name = &app
                .texts(&format!(
                    "SELECT name FROM organizations WHERE id = {}",
                    w.partner
                ))
                .await[0];
            assert_eq!(page["paid_by"]["partner"], partner_name.as_str(), "{page}");
            assert_eq!(page["paid_by"]["may_pay"], true, "{page}");
            let line = &page["quote"]["lines"][0];
            assert_eq!(minor(&line["list"]), list, "{line}");
            let steps = line["reductions"].as_array().expect("reductions");
            assert_eq!(steps.len(), 2, "{line}");
            assert!(
                steps[0]["label"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Partner discount 20"),
                "{line}"
            );
            assert_eq!(list - minor(&steps[0]["taken"]), after_partner);
            assert!(
                steps[1]["label"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Volume rate"),
                "{line}"
            );
            assert_eq!(after_partner - minor(&steps[1]["taken"]), net);
            assert_eq!(minor(&line["net"]), net);
            // −40 % in all.
            assert_eq!(list - net, list * 40 / 100);
            // The addresses offered are the partner's.
            let addresses: Vec<String> = page["addresses"]
                .as_array()
                .expect("addresses")
                .iter()
                .map(|a| a["id"].to_string())
                .collect();
            assert_eq!(addresses, vec![w.partner_address.clone()]);

            // The bakery's own address is not the partner's to use; a bank transfer is refused.
            let foreign = place(
                &app,
                &w.agency,
                &w.bakery,
                code,
                &w.bakery.address,
                "prepaid",
                &format!("partner-order-foreign-{code}"),
            )
            .await;
            assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
            let transfer = place(
                &app,
                &w.agency,
                &w.bakery,
                code,
                &w.partner_address,
                "bank_transfer",
                &format!("partner-order-transfer-{code}"),
            )
            .await;
            assert_eq!(transfer.code(), "validation", "{}", transfer.body);
            assert_eq!(transfer.json()["field"], "payment");

            let before = balance_in(&app, w.partner, currency).await;
            let placed = place(
                &app,
                &w.agency,
                &w.bakery,
                code,
                &w.partner_address,
                "prepaid",
                &format!("partner-order-{code}-0001"),
            )
            .await;
            assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
            assert_eq!(placed.json()["status"], "Paid");
            let invoice = placed.json()["invoice_id"].as_i64().expect("invoice");
            // The invoice is the partner's, its line the seeds' example.
            assert_eq!(
                app.count(&format!(
                    "SELECT organization_id FROM invoices WHERE id = {invoice}"
                ))
                .await,
                w.partner
            );
            let texts = app
                .texts(&format!(
                    "SELECT description || '|' || CAST(list_minor AS TEXT) || '|' || reductions || '|' || CAST(net_minor AS TEXT) FROM invoice_lines WHERE invoice_id = {invoice}"
                ))
                .await;
            assert_eq!(texts.len(), 1);
            let fields: Vec<&str> = texts[0].split('|').collect();
            let bakery_name = &app
                .texts(&format!(
                    "SELECT name FROM organizations WHERE id = {}",
                    w.bakery.id()
                ))
                .await[0];
            assert!(
                fields[0].ends_with(&format!("(for {bakery_name})")),
                "{}",
                texts[0]
            );
            assert_eq!(fields[1], list.to_string());
            let reductions: Vec<i64> = fields[2]
                .lines()
                .map(|l| {
                    l.rsplit('\t')
                        .next()
                        .expect("taken")
                        .parse()
                        .expect("minor")
                })
                .collect();
            assert_eq!(reductions, vec![list - after_partner, after_partner - net]);
            assert_eq!(fields[3], net.to_string());
            let total = minor(&placed.json()["total"]);
            assert_eq!(
                balance_in(&app, w.partner, currency).await,
                Money::new(before.minor - total, currency),
                "paid from the partner's balance"
            );
            assert_eq!(balance_in(&app, w.bakery.id(), currency).await.minor, 0);
        }
        // The partner's invoices list both; the bakery's shows none of them; the products are
        // the bakery's.
        let listed = |cookie: &str, organization: &str| {
            let (app, cookie, organization) = (&app, cookie.to_owned(), organization.to_owned());
            async move {
                let reply = app
                    .call(
                        "list_invoices",
                        Some(&cookie),
                        &[("organization_id", &organization)],
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                reply.json().as_array().expect("invoices").len()
            }
        };
        assert_eq!(listed(&w.agency, &w.partner.to_string()).await, 2);
        assert_eq!(listed(&w.bakery.cookie, &w.bakery.organization).await, 0);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM products WHERE organization_id = {} AND kind = 'web_hosting'",
                w.bakery.id()
            ))
            .await,
            app.count("SELECT COUNT(*) FROM products WHERE kind = 'web_hosting'")
                .await,
        );
        assert!(
            app.count("SELECT COUNT(*) FROM products WHERE kind = 'web_hosting'")
                .await
                > 0
        );
        // Where the discount applied, no cashback.
        assert_eq!(cashback(&app, w.partner).await, (0, 0));
        assert_eq!(app.count("SELECT COUNT(*) FROM partner_cashback").await, 0);
        // The order is in the bakery's log "for" the partner, and in the partner's log.
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE organization_id = {} AND action = 'order_placed' AND for_organization_id = {}",
                w.bakery.id(),
                w.partner
            ))
            .await
                >= 2
        );
    }
);

on_every_backend!(
    a_delegated_collaborator_without_billing_rights_fills_the_cart_but_does_not_spend_the_partners_money,
    |app: TestApp| async move {
        let w = world(&app, "full_partner_pays", &[]).await;
        app.sign_up("carl@agency.ch", "Carl", "Collab").await;
        let carl_id = app.add_member(w.partner, "carl@agency.ch", Role::Collaborator).await;
        let delegated = app
            .call(
                "set_customer_delegation",
                Some(&w.agency),
                &[
                    ("organization_id", &w.partner.to_string()),
                    ("relationship_id", &w.relationship.to_string()),
                    ("user_id", &carl_id.to_string()),
                    ("delegated", "true"),
                ],
            )
            .await;
        assert_eq!(delegated.status, StatusCode::OK, "{}", delegated.body);
        let carl = app.sign_in("carl@agency.ch").await;
        add(&app, &carl, &w.bakery, "web_hosting", "carl site", "1", 0).await;
        let page = shop(&app, &carl, &w.bakery, "CHF").await;
        assert_eq!(page["paid_by"]["may_pay"], false, "{page}");
        assert_eq!(page["addresses"].as_array().map(Vec::len), Some(0), "the partner's addresses are not his to see");
        let before = balance_in(&app, w.partner, Currency::Chf).await;
        let refused = place(&app, &carl, &w.bakery, "CHF", &w.partner_address, "prepaid", "carl-order-000000001").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(balance_in(&app, w.partner, Currency::Chf).await, before);
        assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 0, "nothing written");
    }
);

on_every_backend!(
    cashback_is_credited_in_each_of_the_seeds_cases_once_the_order_is_paid,
    |app: TestApp| async move {
        // Full access with the customer's payment methods: Bea orders a web hosting (CHF 9.92
        // a month; the partner price 9.92 − 20 % = 7.94): CHF 1.98 back to the partner.
        let w = world(&app, "full_customer_pays", &[]).await;
        w.bakery
            .add(&app, "web_hosting", "bakery site", "1", "1")
            .await;
        let placed = w
            .bakery
            .place(&app, "prepaid", "bakery-order-0000001")
            .await;
        // The bakery has no balance yet: the order waits for the bank transfer instead.
        assert_eq!(placed.code(), "insufficient_balance", "{}", placed.body);
        let placed = w
            .bakery
            .place(&app, "bank_transfer", "bakery-order-0000001")
            .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        assert_eq!(placed.json()["status"], "AwaitingPayment");
        // Owed, not credited, until the money is in.
        assert_eq!(app.count("SELECT COUNT(*) FROM partner_cashback").await, 1);
        assert_eq!(cashback(&app, w.partner).await, (0, 0));
        let order = placed.json()["order_id"].as_i64().expect("order");
        let reference = app::billing::reference::for_order(order);
        let total = Money::new(minor(&placed.json()["total"]), Currency::Chf);
        for _ in 0..2 {
            app::shop::operator::record_transfer(&app.state, &reference, total, "BANK-1")
                .await
                .expect("transfer");
        }
        assert_eq!(cashback(&app, w.partner).await, (1_98, 1), "credited once");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE organization_id = {} AND action = 'cashback_credited'",
                w.partner
            ))
            .await,
            1
        );
        // The partner orders for the bakery with the bakery's payment methods: cashback too.
        top_up(&app, w.bakery.id(), chf(100_00), "BAKERY-1").await;
        add(
            &app,
            &w.agency,
            &w.bakery,
            "web_hosting",
            "agency site",
            "1",
            0,
        )
        .await;
        let page = shop(&app, &w.agency, &w.bakery, "CHF").await;
        assert!(page["paid_by"].is_null(), "the customer pays: {page}");
        let placed = place(
            &app,
            &w.agency,
            &w.bakery,
            "CHF",
            &w.bakery.address,
            "prepaid",
            "agency-for-bakery-001",
        )
        .await;
        assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
        // A retried request is the same order: nothing more.
        let again = place(
            &app,
            &w.agency,
            &w.bakery,
            "CHF",
            &w.bakery.address,
            "prepaid",
            "agency-for-bakery-001",
        )
        .await;
        assert_eq!(again.json()["order_id"], placed.json()["order_id"]);
        assert_eq!(cashback(&app, w.partner).await, (2 * 1_98, 2));

        // The statement in the Reseller area: this month, the bakery, two lines.
        let area = app
            .call(
                "reseller",
                Some(&w.agency),
                &[("organization_id", &w.partner.to_string())],
            )
            .await
            .json();
        let months = area["cashback"].as_array().expect("statement");
        assert_eq!(months.len(), 1, "{area}");
        assert_eq!(minor(&months[0]["amount"]), 2 * 1_98);
        assert_eq!(months[0]["lines"], 2);
        // The ledger shows it as the partner's cashback.
        let page = app
            .call(
                "prepaid_account",
                Some(&w.agency),
                &[
                    ("organization_id", &w.partner.to_string()),
                    ("currency", "CHF"),
                ],
            )
            .await;
        assert!(page.body.contains("Partner cashback"), "{}", page.body);
    }
);

on_every_backend!(
    with_full_access_paid_by_the_partner_the_customers_own_orders_earn_cashback,
    |app: TestApp| async move {
        let w = world(&app, "full_partner_pays", &[]).await;
        top_up(&app, w.bakery.id(), chf(100_00), "BAKERY-1").await;
        w.bakery
            .add(&app, "web_hosting", "bakery site", "1", "1")
            .await;
        let page = w.bakery.shop(&app).await;
        assert!(page["paid_by"].is_null(), "Bea pays her own orders: {page}");
        w.bakery.placed(&app, "bakery-order-0000001").await;
        assert_eq!(cashback(&app, w.partner).await, (1_98, 1));
    }
);

on_every_backend!(
    with_limited_access_only_the_products_the_partner_manages_earn_cashback,
    |app: TestApp| async move {
        // Bea granted the partner her domain bakery.ch only; she also has bread.ch.
        let w = world(&app, "limited", &["bakery.ch"]).await;
        let others = app.add_products(w.bakery.id(), &["bread.ch"]).await;
        let managed = app
            .count(&format!("SELECT id FROM products WHERE name = 'bakery.ch'"))
            .await;
        top_up(&app, w.bakery.id(), chf(100_00), "BAKERY-1").await;
        // Renewing both domains (CHF 13.00 a year each) and a new web hosting: only the
        // managed domain earns (10 %: CHF 1.30).
        add(
            &app,
            &w.bakery.cookie,
            &w.bakery,
            "domain",
            "bakery.ch",
            "1",
            managed,
        )
        .await;
        add(
            &app,
            &w.bakery.cookie,
            &w.bakery,
            "domain",
            "bread.ch",
            "1",
            others[0],
        )
        .await;
        w.bakery
            .add(&app, "web_hosting", "bakery site", "1", "1")
            .await;
        w.bakery.placed(&app, "bakery-order-0000001").await;
        assert_eq!(cashback(&app, w.partner).await, (1_30, 1));
        assert_eq!(
            app.texts("SELECT description FROM partner_cashback").await,
            vec!["Renewal of Domain name bakery.ch, 1 year".to_owned()]
        );
        // Once the access ended, nothing more.
        let ended = app
            .call(
                "end_customer",
                Some(&w.agency),
                &[
                    ("organization_id", &w.partner.to_string()),
                    ("relationship_id", &w.relationship.to_string()),
                ],
            )
            .await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        add(
            &app,
            &w.bakery.cookie,
            &w.bakery,
            "domain",
            "bakery.ch",
            "1",
            managed,
        )
        .await;
        w.bakery.placed(&app, "bakery-order-0000002").await;
        assert_eq!(cashback(&app, w.partner).await, (1_30, 1));
    }
);

on_every_backend!(
    two_checkouts_of_one_order_at_once_credit_its_cashback_once,
    |app: TestApp| async move {
        let w = world(&app, "full_customer_pays", &[]).await;
        top_up(&app, w.bakery.id(), chf(100_00), "BAKERY-1").await;
        w.bakery
            .add(&app, "web_hosting", "bakery site", "3", "1")
            .await;
        let calls = (0..2)
            .map(|_| -> common::Call<'_> {
                (
                    "place_order",
                    Some(w.bakery.cookie.clone()),
                    vec![
                        ("organization_id", w.bakery.organization.clone()),
                        ("currency", "CHF".into()),
                        ("address_id", w.bakery.address.clone()),
                        ("payment", "prepaid".into()),
                        ("key", "bakery-order-raced-01".into()),
                    ],
                )
            })
            .collect();
        let replies = app.call_all(calls).await;
        for reply in &replies {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        assert_eq!(replies[0].json()["order_id"], replies[1].json()["order_id"]);
        // 3 × 9.92 = 29.76; the partner's price 23.81: CHF 5.95 back, once.
        assert_eq!(cashback(&app, w.partner).await, (5_95, 1));
    }
);

on_every_backend!(
    an_automatic_renewal_raced_by_two_workers_credits_its_cashback_once,
    |app: TestApp| async move {
        // Limited access to bakery.ch, which renews itself from the bakery's balance.
        let w = world(&app, "limited", &["bakery.ch"]).await;
        top_up(&app, w.bakery.id(), chf(100_00), "BAKERY-1").await;
        let domain = app
            .count("SELECT id FROM products WHERE name = 'bakery.ch'")
            .await;
        let expires = app.state.now() + 10 * 86_400;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expires} WHERE id = {domain}"
        ))
        .await;
        let on = app
            .call(
                "set_auto_renew",
                Some(&w.bakery.cookie),
                &[
                    ("organization_id", &w.bakery.organization),
                    ("product_id", &domain.to_string()),
                    ("on", "true"),
                ],
            )
            .await;
        assert_eq!(on.status, StatusCode::OK, "{}", on.body);
        app.clock.advance(11 * 86_400);
        let (a, b) = (app.state.clone(), app.state.clone());
        let first =
            tokio::spawn(async move { app::shop::renewals::renewals(&a, "worker-a").await });
        let second =
            tokio::spawn(async move { app::shop::renewals::renewals(&b, "worker-b").await });
        let mut renewed = 0;
        for run in [first.await.expect("joined"), second.await.expect("joined")] {
            renewed += run.expect("ran").map_or(0, |r| r.renewed);
        }
        assert_eq!(renewed, 1, "one renewal");
        // 10 % of CHF 13.00, once.
        assert_eq!(cashback(&app, w.partner).await, (1_30, 1));
        let again = app::shop::renewals::renewals(&app.state, "worker-a")
            .await
            .expect("ran");
        assert_eq!(again.map_or(0, |r| r.renewed), 0);
        assert_eq!(cashback(&app, w.partner).await, (1_30, 1));
    }
);
