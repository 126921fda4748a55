//! A person with an organization ready to buy (a billing address), and what the shop tests ask
//! of it: add to the cart, price it, place it; the balance; a top-up by bank transfer.

use super::{Reply, TestApp};
use app::money::{Currency, Money};
use app::shop::operator;
use http::StatusCode;
use serde_json::Value;

pub fn chf(minor: i64) -> Money {
    Money::new(minor, Currency::Chf)
}

pub struct Buyer {
    pub cookie: String,
    pub organization: String,
    pub address: String,
}

/// Someone with an organization and a billing address.
pub async fn buyer(app: &TestApp, email: &str) -> Buyer {
    let (cookie, organization) = app.sign_up(email, "Bea", "Buyer").await;
    let organization = organization.to_string();
    let reply = app
        .call(
            "add_billing_address",
            Some(&cookie),
            &[
                ("organization_id", &organization),
                ("name", "Bea Buyer"),
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
    let address = reply.json().as_i64().expect("address id").to_string();
    Buyer {
        cookie,
        organization,
        address,
    }
}

impl Buyer {
    pub async fn add(
        &self,
        app: &TestApp,
        kind: &str,
        name: &str,
        quantity: &str,
        periods: &str,
    ) -> i64 {
        let reply = app
            .call(
                "add_to_cart",
                Some(&self.cookie),
                &[
                    ("organization_id", &self.organization),
                    ("kind", kind),
                    ("name", name),
                    ("quantity", quantity),
                    ("periods", periods),
                    ("product_id", "0"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json().as_i64().expect("line id")
    }

    pub async fn set_line(&self, app: &TestApp, line: i64, code: &str, offer: i64) -> Reply {
        app.call(
            "update_cart_line",
            Some(&self.cookie),
            &[
                ("organization_id", &self.organization),
                ("line_id", &line.to_string()),
                ("quantity", "1"),
                ("periods", "1"),
                ("promo_code", code),
                ("free_offer_id", &offer.to_string()),
            ],
        )
        .await
    }

    pub async fn shop(&self, app: &TestApp) -> Value {
        let reply = app
            .call(
                "shop_page",
                Some(&self.cookie),
                &[("organization_id", &self.organization), ("currency", "CHF")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    pub async fn place(&self, app: &TestApp, payment: &str, key: &str) -> Reply {
        app.call(
            "place_order",
            Some(&self.cookie),
            &[
                ("organization_id", &self.organization),
                ("currency", "CHF"),
                ("address_id", &self.address),
                ("payment", payment),
                ("key", key),
            ],
        )
        .await
    }

    /// Places the cart, paid from the prepaid balance, and expects it placed: the answer.
    pub async fn placed(&self, app: &TestApp, key: &str) -> Value {
        let reply = self.place(app, "prepaid", key).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    pub fn id(&self) -> i64 {
        self.organization.parse().expect("id")
    }
}

pub fn minor(value: &Value) -> i64 {
    value["minor"].as_i64().expect("minor units")
}

pub async fn balance(app: &TestApp, organization: i64) -> Money {
    let mut tx = app.state.db.read().await.expect("tx");
    let balance = app::billing::ledger::balance(&mut tx, organization, Currency::Chf)
        .await
        .expect("balance");
    tx.commit().await.expect("commit");
    balance
}

pub async fn top_up(app: &TestApp, organization: i64, amount: Money, transfer: &str) {
    operator::record_transfer(
        &app.state,
        &app::billing::reference::for_organization(organization),
        amount,
        transfer,
    )
    .await
    .expect("top-up");
}
