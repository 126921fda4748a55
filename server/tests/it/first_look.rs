//! What a person sees first: where they land after signing in, and the overview's dashboard —
//! each part for the roles that may see it, and only the products they can reach.

use crate::common;

use app::policy::Role;
use app::products::store::{insert, set_blocked, NewProduct};
use app::products::{ProductKind, ProductStatus};
use common::{TestApp, START};
use http::StatusCode;

const DAY: i64 = 86_400;

async fn product(app: &TestApp, organization: i64, name: &str, expires_at: Option<i64>) -> i64 {
    let mut tx = app.state.db.write().await.expect("tx");
    let id = insert(
        &mut tx,
        &NewProduct {
            organization_id: organization,
            kind: ProductKind::Domain,
            name,
            status: ProductStatus::Active,
            expires_at,
            holder: "Holder AG",
            at: START,
        },
    )
    .await
    .expect("product");
    tx.commit().await.expect("commit");
    id
}

async fn landing(app: &TestApp, email: &str) -> String {
    let reply = app
        .call(
            "sign_in",
            None,
            &[("email", email), ("password", common::PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["redirect"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

on_every_backend!(
    lands_where_there_is_most_to_see_then_where_they_were,
    |app: TestApp| async move {
        let (cookie, personal) = app.sign_up("lea@example.com", "Léa", "Muller").await;
        let created = app
            .call(
                "create_organization",
                Some(&cookie),
                &[("name", "Muller Web")],
            )
            .await;
        let agency = created.json().as_i64().expect("organization id");
        app.add_products(agency, &["muller.ch", "muller-web.ch"])
            .await;

        // The very first time: the organization with the most to see, not the empty personal one.
        assert_eq!(
            landing(&app, "lea@example.com").await,
            format!("/o/{agency}")
        );

        // Opening an organization remembers it for the next sign-in.
        let shell = app
            .call(
                "organization_shell",
                Some(&cookie),
                &[("organization_id", &personal.to_string())],
            )
            .await;
        assert_eq!(shell.status, StatusCode::OK, "{}", shell.body);
        assert_eq!(
            landing(&app, "lea@example.com").await,
            format!("/o/{personal}")
        );
        let root = app
            .send(
                http::Method::GET,
                "/",
                &[("cookie", &cookie)],
                String::new(),
            )
            .await;
        assert_eq!(
            root.headers.get("location").and_then(|v| v.to_str().ok()),
            Some(format!("/o/{personal}").as_str())
        );

        // Remembered, but not a member there (any more): back to the one with the most to see.
        let (_, other) = app.sign_up("max@example.com", "Max", "Weber").await;
        let lea = app
            .count("SELECT id FROM users WHERE email = 'lea@example.com'")
            .await;
        let mut tx = app.state.db.write().await.expect("tx");
        app::organizations::store::set_last_organization(&mut tx, lea, other)
            .await
            .expect("remember");
        tx.commit().await.expect("commit");
        assert_eq!(
            landing(&app, "lea@example.com").await,
            format!("/o/{agency}")
        );
    }
);

// The overview of an agency: two products expire soon, one expired, one is far off, one is
// blocked; one invitation waits; a collaborator has no second factor.
on_every_backend!(
    the_dashboard_shows_each_role_what_needs_attention,
    |app: TestApp| async move {
        let (owner, agency) = app.sign_up("anna@example.com", "Anna", "Keller").await;
        let (helper, _) = app.sign_up("ben@example.com", "Ben", "Roth").await;
        let ben = app
            .add_member(agency, "ben@example.com", Role::Collaborator)
            .await;
        let now = START;
        let soon = product(&app, agency, "soon.ch", Some(now + 3 * DAY)).await;
        let later = product(&app, agency, "later.ch", Some(now + 20 * DAY)).await;
        let expired = product(&app, agency, "expired.ch", Some(now - 2 * DAY)).await;
        product(&app, agency, "far.ch", Some(now + 200 * DAY)).await;
        let blocked = product(&app, agency, "blocked.ch", None).await;
        let mut tx = app.state.db.write().await.expect("tx");
        set_blocked(&mut tx, agency, blocked, Some((now, ben)))
            .await
            .expect("block");
        tx.commit().await.expect("commit");
        let invited = app
            .call(
                "invite_person",
                Some(&owner),
                &[
                    ("organization_id", &agency.to_string()),
                    ("email", "carla@example.com"),
                    ("role", "administrator"),
                    ("products", ""),
                    ("billing", ""),
                ],
            )
            .await;
        assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);

        let overview = app
            .call(
                "organization_overview",
                Some(&owner),
                &[("organization_id", &agency.to_string())],
            )
            .await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
        let dashboard = &overview.json()["dashboard"];
        let names = |list: &serde_json::Value| -> Vec<String> {
            list.as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|p| p["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        // Soonest first, the expired one included, nothing beyond 30 days.
        assert_eq!(
            names(&dashboard["due"]),
            ["expired.ch", "soon.ch", "later.ch"]
        );
        assert_eq!(dashboard["due_total"], 3);
        assert_eq!(names(&dashboard["blocked_products"]), ["blocked.ch"]);
        assert_eq!(dashboard["invitations"][0]["email"], "carla@example.com");
        let without = dashboard["without_two_factor"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(without.len(), 2, "{without:?}");
        assert_eq!(dashboard["without_two_factor_total"], 2);
        assert_eq!(dashboard["invitations_total"], 1);
        assert!(dashboard["activity"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
        assert_eq!(dashboard["my_security"]["two_factor"], false);
        assert!(dashboard["my_security"]["sessions"].as_i64().unwrap_or(0) >= 1);

        // A collaborator sees only the products given to them, and none of the people parts.
        let mut tx = app.state.db.write().await.expect("tx");
        app::products::store::grant_access(&mut tx, later, ben, false, now)
            .await
            .expect("grant");
        tx.commit().await.expect("commit");
        let theirs = app
            .call(
                "organization_overview",
                Some(&helper),
                &[("organization_id", &agency.to_string())],
            )
            .await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        let dashboard = &theirs.json()["dashboard"];
        assert_eq!(names(&dashboard["due"]), ["later.ch"]);
        assert_eq!(dashboard["due_total"], 1);
        assert!(names(&dashboard["blocked_products"]).is_empty());
        assert!(dashboard["invitations"].is_null());
        assert!(dashboard["without_two_factor"].is_null());
        assert!(dashboard["activity"].is_null());
        let _ = (soon, expired);

        // A program (API token) reads the overview without the person's own security, and its
        // reads leave the remembered organization alone.
        let token = app
            .call(
                "create_api_token",
                Some(&owner),
                &[
                    ("name", "Reports"),
                    ("scope", "read"),
                    ("expires_in_days", "30"),
                ],
            )
            .await;
        assert_eq!(token.status, StatusCode::OK, "{}", token.body);
        let bearer = format!(
            "Bearer {}",
            token.json()["secret"].as_str().unwrap_or_default()
        );
        let organization = agency.to_string();
        let as_program = app
            .call_with(
                "organization_overview",
                &[("authorization", &bearer)],
                &[("organization_id", &organization)],
            )
            .await;
        assert_eq!(as_program.status, StatusCode::OK, "{}", as_program.body);
        assert!(as_program.json()["dashboard"]["my_security"].is_null());
        assert_eq!(as_program.json()["dashboard"]["due_total"], 3);
        let anna = app
            .count("SELECT id FROM users WHERE email = 'anna@example.com'")
            .await;
        let before = app
            .count(&format!(
                "SELECT COALESCE(last_organization_id, 0) FROM users WHERE id = {anna}"
            ))
            .await;
        let (_, elsewhere) = {
            let created = app
                .call(
                    "create_organization",
                    Some(&owner),
                    &[("name", "Elsewhere")],
                )
                .await;
            ((), created.json().as_i64().expect("id"))
        };
        let shell = app
            .call_with(
                "organization_shell",
                &[("authorization", &bearer)],
                &[("organization_id", &elsewhere.to_string())],
            )
            .await;
        assert_eq!(shell.status, StatusCode::OK, "{}", shell.body);
        let after = app
            .count(&format!(
                "SELECT COALESCE(last_organization_id, 0) FROM users WHERE id = {anna}"
            ))
            .await;
        assert_eq!(before, after);
    }
);
