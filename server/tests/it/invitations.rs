//! Invitations (ORG-4) on SQLite and Postgres: a collaborator invited with two products joins
//! with a new account and reaches exactly those; the link is single-use, expires after seven
//! days, is replaced by a resend, dies with a revoke and only works for its own organization;
//! a known address must sign in as that person; nobody invites above their own role.

use crate::common;

use app::policy::Role;
use common::{TestApp, PASSWORD};
use http::StatusCode;

/// The token of the last invitation link mailed to `email`.
async fn invitation_token(app: &TestApp, email: &str) -> Option<String> {
    let bodies = app.mail_bodies(&format!("recipient = '{email}'")).await;
    bodies.iter().find_map(|body| {
        let rest = body.split("/invitation?organization=").nth(1)?;
        let rest = rest.split("&token=").nth(1)?;
        rest.split_whitespace().next().map(str::to_owned)
    })
}

async fn invite(
    app: &TestApp,
    cookie: &str,
    organization: i64,
    email: &str,
    role: &str,
    products: &str,
    billing: &str,
) -> common::Reply {
    let organization = organization.to_string();
    app.call(
        "invite_person",
        Some(cookie),
        &[
            ("organization_id", &organization),
            ("email", email),
            ("role", role),
            ("products", products),
            ("billing", billing),
        ],
    )
    .await
}

async fn open(
    app: &TestApp,
    cookie: Option<&str>,
    organization: i64,
    token: &str,
) -> common::Reply {
    let organization = organization.to_string();
    app.call(
        "open_invitation",
        cookie,
        &[("organization_id", &organization), ("token", token)],
    )
    .await
}

async fn join_new(app: &TestApp, organization: i64, token: &str) -> common::Reply {
    let organization = organization.to_string();
    app.call(
        "join_with_new_account",
        None,
        &[
            ("organization_id", &organization),
            ("token", token),
            ("first_name", "Nina"),
            ("last_name", "New"),
            ("password", PASSWORD),
        ],
    )
    .await
}

on_every_backend!(
    a_collaborator_invited_with_two_products_joins_and_reaches_only_those,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let ids = app
            .add_products(organization, &["one.ch", "two.ch", "three.ch"])
            .await;
        let chosen = format!("{},{}", ids[0], ids[1]);
        let billing = ids[1].to_string();

        let form = app
            .call(
                "invitation_form",
                Some(&boss),
                &[("organization_id", &organization.to_string())],
            )
            .await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert_eq!(form.json()["products"].as_array().map(Vec::len), Some(3));
        assert_eq!(form.json()["roles"].as_array().map(Vec::len), Some(4));

        let sent = invite(
            &app,
            &boss,
            organization,
            " Nina@Example.com ",
            "collaborator",
            &chosen,
            &billing,
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let token = invitation_token(&app, "nina@example.com")
            .await
            .expect("mailed link");
        let mail = app
            .mail_bodies("recipient = 'nina@example.com'")
            .await
            .join("\n");
        assert!(mail.contains("Bea Boss invites you"), "{mail}");
        assert!(
            mail.contains("two.ch (Domain name, with billing rights)"),
            "{mail}"
        );
        assert!(!mail.contains("three.ch"));
        // Only the hash is stored.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM invitations WHERE token_hash = '{token}'"
            ))
            .await,
            0
        );

        let pending = app
            .call(
                "pending_invitations",
                Some(&boss),
                &[("organization_id", &organization.to_string())],
            )
            .await;
        assert_eq!(pending.json()[0]["email"], "nina@example.com");
        assert_eq!(
            pending.json()[0]["products"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(pending.json()[0]["expired"], false);

        let opened = open(&app, None, organization, &token).await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        assert_eq!(opened.json()["next"], "CreateAccount");
        assert_eq!(opened.json()["role"], "collaborator");

        let joined = join_new(&app, organization, &token).await;
        assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
        assert_eq!(joined.json()["redirect"], format!("/o/{organization}"));
        let nina = joined.session_cookie().expect("signed in");

        // A member with the invited role, no organization of her own, two products.
        let memberships = app.call("my_organizations", Some(&nina), &[]).await;
        assert_eq!(memberships.json().as_array().map(Vec::len), Some(1));
        assert_eq!(memberships.json()[0]["role"], "collaborator");
        let organization_text = organization.to_string();
        let mut form = vec![("organization_id", organization_text.as_str())];
        form.extend([
            ("search", ""),
            ("kind", ""),
            ("status", ""),
            ("tag", ""),
            ("sort", ""),
        ]);
        let listed = app.call("list_products", Some(&nina), &form).await;
        let mut names: Vec<String> = listed.json()["products"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        assert_eq!(names, vec!["one.ch", "two.ch"]);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM product_access a JOIN users u ON u.id = a.user_id WHERE u.email = 'nina@example.com' AND a.billing").await,
            1
        );

        // Single use: the same link again, with a new account or signed in, is refused.
        let again = join_new(&app, organization, &token).await;
        assert_eq!(again.code(), "not_found", "{}", again.body);
        let again = app
            .call(
                "accept_invitation",
                Some(&nina),
                &[("organization_id", &organization_text), ("token", &token)],
            )
            .await;
        assert_eq!(again.code(), "not_found", "{}", again.body);

        // The log tells the story; the inviter hears of it; nothing is pending any more.
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action IN ('invitation_sent', 'invitation_accepted')")).await,
            2
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'boss@example.com' AND subject = 'Nina New joined Bea Boss'").await,
            1
        );
        let pending = app
            .call(
                "pending_invitations",
                Some(&boss),
                &[("organization_id", &organization_text)],
            )
            .await;
        assert_eq!(pending.json().as_array().map(Vec::len), Some(0));
    }
);

on_every_backend!(
    a_link_expires_after_seven_days_and_a_resend_replaces_it,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let sent = invite(
            &app,
            &boss,
            organization,
            "late@example.com",
            "administrator",
            "",
            "",
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let first = invitation_token(&app, "late@example.com")
            .await
            .expect("link");

        app.clock.advance(7 * 24 * 3600 - 60);
        assert_eq!(
            open(&app, None, organization, &first).await.status,
            StatusCode::OK
        );
        app.clock.advance(61);
        let expired = open(&app, None, organization, &first).await;
        assert_eq!(expired.code(), "validation");
        assert!(
            expired.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("expired"),
            "{}",
            expired.body
        );
        assert_eq!(
            join_new(&app, organization, &first).await.code(),
            "validation"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email = 'late@example.com'")
                .await,
            0
        );

        // A week later the boss signs in again (sessions end sooner than invitations).
        let boss = app
            .call(
                "sign_in",
                None,
                &[("email", "boss@example.com"), ("password", PASSWORD)],
            )
            .await
            .session_cookie()
            .expect("signed in again");
        let pending = app
            .call(
                "pending_invitations",
                Some(&boss),
                &[("organization_id", &organization.to_string())],
            )
            .await;
        assert_eq!(pending.json()[0]["expired"], true, "{}", pending.body);
        let id = pending.json()[0]["id"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        let resent = app
            .call(
                "resend_invitation",
                Some(&boss),
                &[
                    ("organization_id", &organization.to_string()),
                    ("invitation_id", &id),
                ],
            )
            .await;
        assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
        let second = invitation_token(&app, "late@example.com")
            .await
            .expect("new link");
        assert_ne!(first, second);
        assert_eq!(
            open(&app, None, organization, &first).await.code(),
            "not_found",
            "the old link died"
        );
        let joined = join_new(&app, organization, &second).await;
        assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'late@example.com' AND m.organization_id = {organization} AND m.role = 'administrator'")).await,
            1
        );
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action = 'invitation_resent'")).await,
            1
        );
    }
);

on_every_backend!(
    an_invitation_is_bound_to_its_organization,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (other, other_organization) = app.sign_up("olga@example.com", "Olga", "Other").await;
        let foreign_products = app.add_products(other_organization, &["theirs.ch"]).await;
        let sent = invite(
            &app,
            &boss,
            organization,
            "nina@example.com",
            "collaborator",
            "",
            "",
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let token = invitation_token(&app, "nina@example.com")
            .await
            .expect("link");
        let id = app.count("SELECT id FROM invitations").await.to_string();

        // The link with another organization's id is not a link at all.
        assert_eq!(
            open(&app, None, other_organization, &token).await.code(),
            "not_found"
        );
        assert_eq!(
            join_new(&app, other_organization, &token).await.code(),
            "not_found"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email = 'nina@example.com'")
                .await,
            0
        );

        // Another organization's administrator cannot see, resend or revoke it.
        for name in ["resend_invitation", "revoke_invitation"] {
            for org in [organization, other_organization] {
                let reply = app
                    .call(
                        name,
                        Some(&other),
                        &[
                            ("organization_id", &org.to_string()),
                            ("invitation_id", &id),
                        ],
                    )
                    .await;
                assert_eq!(
                    reply.code(),
                    "not_found",
                    "{name} from {org}: {}",
                    reply.body
                );
            }
        }
        let theirs = app
            .call(
                "pending_invitations",
                Some(&other),
                &[("organization_id", &other_organization.to_string())],
            )
            .await;
        assert_eq!(theirs.json().as_array().map(Vec::len), Some(0));
        // Nor can a product of another organization be handed out.
        let refused = invite(
            &app,
            &boss,
            organization,
            "x@example.com",
            "collaborator",
            &foreign_products[0].to_string(),
            "",
        )
        .await;
        assert_eq!(refused.code(), "not_found");
        assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'nina@example.com'")
                .await,
            1,
            "nothing was resent"
        );

        // Revoked by its own organization: the link dies.
        let revoked = app
            .call(
                "revoke_invitation",
                Some(&boss),
                &[
                    ("organization_id", &organization.to_string()),
                    ("invitation_id", &id),
                ],
            )
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        assert_eq!(
            open(&app, None, organization, &token).await.code(),
            "not_found"
        );
    }
);

on_every_backend!(
    a_known_address_must_sign_in_as_that_person,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (known, _) = app.sign_up("kim@example.com", "Kim", "Known").await;
        let (someone, _) = app.sign_up("sam@example.com", "Sam", "Else").await;
        invite(
            &app,
            &boss,
            organization,
            "kim@example.com",
            "external",
            "",
            "",
        )
        .await;
        let token = invitation_token(&app, "kim@example.com")
            .await
            .expect("link");
        let org = organization.to_string();

        assert_eq!(
            open(&app, None, organization, &token).await.json()["next"],
            "SignIn"
        );
        assert_eq!(
            join_new(&app, organization, &token).await.code(),
            "email_taken"
        );
        let wrong = open(&app, Some(&someone), organization, &token).await;
        assert_eq!(
            wrong.json()["next"]["WrongAccount"]["signed_in_as"],
            "sam@example.com"
        );
        let refused = app
            .call(
                "accept_invitation",
                Some(&someone),
                &[("organization_id", &org), ("token", &token)],
            )
            .await;
        assert_eq!(refused.code(), "forbidden");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE organization_id = {organization}"
            ))
            .await,
            1
        );

        assert_eq!(
            open(&app, Some(&known), organization, &token).await.json()["next"],
            "Accept"
        );
        let accepted = app
            .call(
                "accept_invitation",
                Some(&known),
                &[("organization_id", &org), ("token", &token)],
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        let theirs = app.call("my_organizations", Some(&known), &[]).await;
        let joined: Vec<_> = theirs
            .json()
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o["id"] == organization)
            .collect();
        assert_eq!(joined.len(), 1, "{}", theirs.body);
        assert_eq!(joined[0]["role"], "external");
    }
);

on_every_backend!(
    nobody_invites_above_their_role_or_twice,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (admin, _) = app.sign_up("adam@example.com", "Adam", "Admin").await;
        let (colleague, _) = app.sign_up("cara@example.com", "Cara", "Colleague").await;
        app.add_member(organization, "adam@example.com", Role::Administrator)
            .await;
        app.add_member(organization, "cara@example.com", Role::Collaborator)
            .await;
        let ids = app.add_products(organization, &["one.ch"]).await;

        let product = ids[0].to_string();
        // (who, email, role, products, billing, expected code, the field it names, why)
        #[rustfmt::skip]
        let refusals = [
            (&admin, "lr@example.com", "legal_representative", "", "", "forbidden", None, "above the administrator"),
            (&colleague, "x@example.com", "external", "", "", "forbidden", None, "collaborators do not invite"),
            (&admin, "CARA@example.com", "external", "", "", "validation", None, "already a member"),
            (&admin, "y@example.com", "administrator", product.as_str(), "", "validation", None, "products are for collaborators and externals"),
            (&admin, "y@example.com", "collaborator", "", product.as_str(), "validation", None, "billing without the product"),
            (&admin, "z@example.com", "external", product.as_str(), product.as_str(), "validation", Some("products"), "externals never use billing"),
            (&admin, "not an address", "collaborator", "", "", "validation", Some("email"), "not an email address"),
        ];
        for (who, email, role, products, billing, code, field, why) in refusals {
            let reply = invite(&app, who, organization, email, role, products, billing).await;
            assert_eq!(reply.code(), code, "{why}: {}", reply.body);
            if let Some(field) = field {
                assert_eq!(reply.json()["field"], field, "{why}");
            }
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%invites you%'")
                .await,
            0
        );

        // The boss invites a legal representative; the administrator cannot revoke it.
        assert_eq!(
            invite(
                &app,
                &boss,
                organization,
                "lr@example.com",
                "legal_representative",
                "",
                ""
            )
            .await
            .status,
            StatusCode::OK
        );
        let twice = invite(
            &app,
            &boss,
            organization,
            "lr@example.com",
            "external",
            "",
            "",
        )
        .await;
        assert_eq!(
            twice.code(),
            "validation",
            "one pending invitation per address"
        );
        let listed = app
            .call(
                "pending_invitations",
                Some(&admin),
                &[("organization_id", &organization.to_string())],
            )
            .await;
        assert_eq!(listed.json()[0]["can_manage"], false);
        let id = listed.json()[0]["id"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        let revoke = app
            .call(
                "revoke_invitation",
                Some(&admin),
                &[
                    ("organization_id", &organization.to_string()),
                    ("invitation_id", &id),
                ],
            )
            .await;
        assert_eq!(revoke.code(), "forbidden");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM invitations WHERE revoked_at IS NULL")
                .await,
            1
        );
        let by_collaborator = app
            .call(
                "pending_invitations",
                Some(&colleague),
                &[("organization_id", &organization.to_string())],
            )
            .await;
        assert_eq!(by_collaborator.code(), "forbidden");
    }
);

on_every_backend!(
    the_demo_agency_has_an_invitation_waiting,
    |app: TestApp| async move {
        assert!(app::demo::seed_if_empty(&app.state)
            .await
            .expect("demo data"));
        let bruno = app
            .call(
                "sign_in",
                None,
                &[
                    ("email", "bruno@demo.steward.test"),
                    ("password", app::demo::DEMO_PASSWORD),
                ],
            )
            .await
            .session_cookie()
            .expect("signed in");
        let agency = app
            .count("SELECT id FROM organizations WHERE name = 'Helvetia Web Agency'")
            .await;
        let pending = app
            .call(
                "pending_invitations",
                Some(&bruno),
                &[("organization_id", &agency.to_string())],
            )
            .await;
        assert_eq!(
            pending.json().as_array().map(Vec::len),
            Some(1),
            "{}",
            pending.body
        );
        assert_eq!(pending.json()[0]["invited_by"], "Bruno Keller");
        assert_eq!(
            pending.json()[0]["products"].as_array().map(Vec::len),
            Some(2)
        );
    }
);
