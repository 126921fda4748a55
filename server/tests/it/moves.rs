//! Moving a product to another organization (PRD-8), on SQLite and Postgres: accepted, refused,
//! expired and cancelled requests; the giving organization's tags, accesses and cart lines gone;
//! automatic renewal paused; both logs.

use crate::common;

use app::policy::Role;
use common::TestApp;
use http::StatusCode;

const DAY: i64 = 86_400;

/// The link's token in the newest request email to `to`.
async fn move_token(app: &TestApp, to: &str) -> String {
    app.mailed_token(to, "/product-move")
        .await
        .expect("a move link")
}

struct Giver {
    cookie: String,
    organization: String,
    product: i64,
}

/// Bea's organization with a product, a tag on it, a collaborator with access, a renewal line in
/// its cart; and Rita, legal representative of another organization.
async fn world(app: &TestApp) -> (Giver, String, i64) {
    let (bea, organization) = app.sign_up("bea@example.com", "Bea", "Giver").await;
    let product = app.add_products(organization, &["moving.ch"]).await[0];
    let org = organization.to_string();
    app.sign_up("cleo@example.com", "Cleo", "Colleague").await;
    let cleo = app
        .add_member(organization, "cleo@example.com", Role::Collaborator)
        .await;
    app.exec(&format!(
        "UPDATE products SET expires_at = {}, auto_renew = TRUE WHERE id = {product}",
        app.state.now() + 90 * DAY
    ))
    .await;
    {
        let mut tx = app.state.db.write().await.expect("tx");
        app::products::store::grant_access(&mut tx, product, cleo, true, 0)
            .await
            .expect("grant");
        tx.commit().await.expect("commit");
    }
    let tag = app
        .call(
            "create_tag",
            Some(&bea),
            &[
                ("organization_id", &org),
                ("name", "Clients"),
                ("colour", "blue"),
            ],
        )
        .await;
    assert_eq!(tag.status, StatusCode::OK, "{}", tag.body);
    let tag_id = tag.json()["id"].as_i64().expect("tag id").to_string();
    let tagged = app
        .call(
            "tag_products",
            Some(&bea),
            &[
                ("organization_id", &org),
                ("product_ids", &product.to_string()),
                ("tag_id", &tag_id),
                ("new_name", ""),
                ("new_colour", ""),
            ],
        )
        .await;
    assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.body);
    app.exec(&format!(
        "INSERT INTO cart_lines (organization_id, kind, plan, name, product_id, quantity, periods, created_at) \
         VALUES ({organization}, 'domain', 'standard', 'moving.ch', {product}, 1, 1, 0)"
    ))
    .await;
    let (rita, receiving) = app.sign_up("rita@example.com", "Rita", "Receiver").await;
    (
        Giver {
            cookie: bea,
            organization: org,
            product,
        },
        rita,
        receiving,
    )
}

/// The product is still the giver's.
async fn stays(app: &TestApp, giver: &Giver) {
    assert_eq!(
        app.count(&format!(
            "SELECT organization_id FROM products WHERE id = {}",
            giver.product
        ))
        .await
        .to_string(),
        giver.organization
    );
}

impl Giver {
    async fn ask(&self, app: &TestApp, email: &str) -> common::Reply {
        app.call(
            "start_product_move",
            Some(&self.cookie),
            &[
                ("organization_id", &self.organization),
                ("product_id", &self.product.to_string()),
                ("email", email),
            ],
        )
        .await
    }
}

on_every_backend!(
    an_accepted_move_takes_the_product_and_leaves_the_givers_tags_and_accesses_behind,
    |app: TestApp| async move {
        let (giver, rita, receiving) = world(&app).await;
        let asked = giver.ask(&app, "Rita@Example.com").await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        // One request at a time.
        assert_eq!(
            giver.ask(&app, "rita@example.com").await.code(),
            "validation"
        );
        let facts = app
            .call(
                "product_move",
                Some(&giver.cookie),
                &[
                    ("organization_id", &giver.organization),
                    ("product_id", &giver.product.to_string()),
                ],
            )
            .await
            .json();
        assert_eq!(facts["pending"]["to_email"], "rita@example.com");
        assert_eq!(facts["may_move"], true);
        let token = move_token(&app, "rita@example.com").await;

        // Opened signed out: what it is, and no organization to choose yet.
        let opened = app
            .call("open_product_move", None, &[("token", &token)])
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        assert_eq!(opened.json()["product"], "moving.ch");
        assert_eq!(opened.json()["from_organization"], "Bea Giver");
        assert_eq!(opened.json()["receivers"].as_array().map(Vec::len), Some(0));
        // Signed in as Rita: her organization is offered.
        let opened = app
            .call("open_product_move", Some(&rita), &[("token", &token)])
            .await
            .json();
        assert_eq!(opened["receivers"][0]["id"], receiving);

        let accepted = app
            .call(
                "accept_product_move",
                Some(&rita),
                &[
                    ("organization_id", &receiving.to_string()),
                    ("token", &token),
                ],
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        let product = giver.product;
        assert_eq!(
            app.count(&format!(
                "SELECT organization_id FROM products WHERE id = {product}"
            ))
            .await,
            receiving
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM products WHERE id = {product} AND auto_renew"
            ))
            .await,
            0,
            "renewal paused"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM product_tags WHERE product_id = {product}"
            ))
            .await,
            0
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM product_access WHERE product_id = {product}"
            ))
            .await,
            0
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM cart_lines WHERE product_id = {product}"
            ))
            .await,
            0
        );
        // Both logs.
        let giver_org: i64 = giver.organization.parse().expect("id");
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {giver_org} AND action = 'product_moved_out' AND product_id = {product}")).await,
            1
        );
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {receiving} AND action = 'product_moved_in' AND product_id = {product}")).await,
            1
        );
        // The giver no longer reaches it; the receiver does; the requester was told.
        let lost = app
            .call(
                "get_product",
                Some(&giver.cookie),
                &[
                    ("organization_id", &giver.organization),
                    ("product_id", &product.to_string()),
                ],
            )
            .await;
        assert_eq!(lost.code(), "not_found");
        let held = app
            .call(
                "get_product",
                Some(&rita),
                &[
                    ("organization_id", &receiving.to_string()),
                    ("product_id", &product.to_string()),
                ],
            )
            .await;
        assert_eq!(held.status, StatusCode::OK, "{}", held.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'bea@example.com' AND subject = 'moving.ch moved to Rita Receiver'").await,
            1
        );
        // The link works once.
        assert_eq!(
            app.call("open_product_move", None, &[("token", &token)])
                .await
                .code(),
            "not_found"
        );
    }
);

on_every_backend!(
    a_move_is_refused_expires_or_is_cancelled_and_the_product_stays,
    |app: TestApp| async move {
        let (giver, rita, receiving) = world(&app).await;
        // Refused from the link, signed out: the requester is told, the product stays.
        giver.ask(&app, "rita@example.com").await;
        let token = move_token(&app, "rita@example.com").await;
        let refused = app
            .call("refuse_product_move", None, &[("token", &token)])
            .await;
        assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
        stays(&app, &giver).await;
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM outbox WHERE subject = 'The move of moving.ch was refused'"
            )
            .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'product_move_refused'")
                .await,
            1
        );
        let late = app
            .call(
                "accept_product_move",
                Some(&rita),
                &[
                    ("organization_id", &receiving.to_string()),
                    ("token", &token),
                ],
            )
            .await;
        assert_eq!(late.code(), "not_found");

        // Expired after 14 days: not accepted, and the page says it must be cancelled.
        giver.ask(&app, "rita@example.com").await;
        let token = move_token(&app, "rita@example.com").await;
        app.clock.advance(15 * DAY);
        let rita = app.sign_in("rita@example.com").await;
        let expired = app
            .call(
                "accept_product_move",
                Some(&rita),
                &[
                    ("organization_id", &receiving.to_string()),
                    ("token", &token),
                ],
            )
            .await;
        assert_eq!(expired.code(), "not_found", "{}", expired.body);
        stays(&app, &giver).await;
        let bea = app.sign_in("bea@example.com").await;
        let product = giver.product.to_string();
        let facts = app
            .call(
                "product_move",
                Some(&bea),
                &[
                    ("organization_id", &giver.organization),
                    ("product_id", &product),
                ],
            )
            .await
            .json();
        assert_eq!(facts["pending"]["expired"], true);
        // Cancelled: a new request can go.
        let cancelled = app
            .call(
                "cancel_product_move",
                Some(&bea),
                &[
                    ("organization_id", &giver.organization),
                    ("product_id", &product),
                ],
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        let again = app
            .call(
                "start_product_move",
                Some(&bea),
                &[
                    ("organization_id", &giver.organization),
                    ("product_id", &product),
                    ("email", "rita@example.com"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);

        // Only legal representatives receive: an administrator of the receiving organization
        // is refused, and so is the giving organization itself.
        let token = move_token(&app, "rita@example.com").await;
        app.sign_up("adam@example.com", "Adam", "Admin").await;
        app.add_member(receiving, "adam@example.com", Role::Administrator)
            .await;
        let adam = app.sign_in("adam@example.com").await;
        let by_admin = app
            .call(
                "accept_product_move",
                Some(&adam),
                &[
                    ("organization_id", &receiving.to_string()),
                    ("token", &token),
                ],
            )
            .await;
        assert_eq!(by_admin.code(), "forbidden");
        let into_itself = app
            .call(
                "accept_product_move",
                Some(&bea),
                &[("organization_id", &giver.organization), ("token", &token)],
            )
            .await;
        assert_eq!(into_itself.code(), "validation");
        stays(&app, &giver).await;
        // A collaborator cannot start one.
        let cleo = app.sign_in("cleo@example.com").await;
        let by_collaborator = app
            .call(
                "cancel_product_move",
                Some(&cleo),
                &[
                    ("organization_id", &giver.organization),
                    ("product_id", &product),
                ],
            )
            .await;
        assert_eq!(by_collaborator.code(), "forbidden");
    }
);
