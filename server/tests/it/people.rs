//! The users page (ORG-3): members with role, 2FA status and last activity, externals apart,
//! search — on SQLite and Postgres.

use crate::common;

use app::policy::Role;
use app::two_factor::totp;
use common::TestApp;
use http::StatusCode;

on_every_backend!(
    the_users_page_lists_members_and_externals_apart,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (colleague, _) = app.sign_up("cara@example.com", "Cara", "Colleague").await;
        let (guest, _) = app.sign_up("gus@example.com", "Gus", "Guest").await;
        let (stranger, _) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let id = |email: &'static str| {
            let app = &app;
            async move {
                app.count(&format!("SELECT id FROM users WHERE email = '{email}'"))
                    .await
            }
        };
        let (cara, gus) = (id("cara@example.com").await, id("gus@example.com").await);
        {
            let mut tx = app.state.db.write().await.expect("tx");
            app::access::store::insert_membership(
                &mut tx,
                organization,
                cara,
                Role::Collaborator,
                0,
            )
            .await
            .expect("member");
            app::access::store::insert_membership(&mut tx, organization, gus, Role::External, 0)
                .await
                .expect("member");
            tx.commit().await.expect("commit");
        }
        // Cara turns on two-factor authentication.
        let started = app
            .call("start_totp_enrolment", Some(&colleague), &[])
            .await;
        let secret = totp::decode_secret(started.json()["secret"].as_str().unwrap_or_default())
            .expect("secret");
        let code = totp::code_at(&secret, 6, app.state.now() as u64);
        app.call(
            "confirm_totp_enrolment",
            Some(&colleague),
            &[("code", &code), ("label", "")],
        )
        .await;

        let org = organization.to_string();
        let page = app
            .call(
                "organization_users",
                Some(&boss),
                &[("organization_id", &org), ("search", "")],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let members = page.json()["members"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let externals = page.json()["externals"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let emails: Vec<&str> = members.iter().filter_map(|m| m["email"].as_str()).collect();
        assert_eq!(emails, vec!["boss@example.com", "cara@example.com"]);
        assert_eq!(externals.len(), 1);
        assert_eq!(externals[0]["email"], "gus@example.com");
        assert_eq!(members[1]["two_factor"], true);
        assert_eq!(members[0]["two_factor"], false);
        assert!(
            members[0]["last_active"].as_i64().is_some(),
            "signing up is activity"
        );
        assert_eq!(page.json()["can_unlock"], true);

        // Search by name or email, case and wildcards aside.
        let found = app
            .call(
                "organization_users",
                Some(&boss),
                &[("organization_id", &org), ("search", "CARA col")],
            )
            .await;
        assert_eq!(found.json()["members"].as_array().map(Vec::len), Some(1));
        let by_email = app
            .call(
                "organization_users",
                Some(&boss),
                &[("organization_id", &org), ("search", "gus@")],
            )
            .await;
        assert_eq!(
            by_email.json()["externals"].as_array().map(Vec::len),
            Some(1)
        );
        assert_eq!(by_email.json()["members"].as_array().map(Vec::len), Some(0));

        // A collaborator sees the list; an external does not; a stranger does not even find it.
        let seen = app
            .call(
                "organization_users",
                Some(&colleague),
                &[("organization_id", &org), ("search", "")],
            )
            .await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.json()["can_unlock"], false);
        assert_eq!(
            app.call(
                "organization_users",
                Some(&guest),
                &[("organization_id", &org), ("search", "")]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call(
                "organization_users",
                Some(&stranger),
                &[("organization_id", &org), ("search", "")]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
);

on_every_backend!(
    roles_change_within_the_rules_and_take_effect_at_once,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("lr@example.com", "Lea", "Rep").await;
        let (admin, _) = app.sign_up("ad@example.com", "Adi", "Min").await;
        let (worker, _) = app.sign_up("wo@example.com", "Wolf", "Ker").await;
        let id = |email: &'static str| {
            let app = &app;
            async move {
                app.count(&format!("SELECT id FROM users WHERE email = '{email}'"))
                    .await
            }
        };
        let (lr, ad, wo) = (
            id("lr@example.com").await,
            id("ad@example.com").await,
            id("wo@example.com").await,
        );
        {
            let mut tx = app.state.db.write().await.expect("tx");
            app::access::store::insert_membership(
                &mut tx,
                organization,
                ad,
                Role::Administrator,
                0,
            )
            .await
            .expect("member");
            app::access::store::insert_membership(&mut tx, organization, wo, Role::Collaborator, 0)
                .await
                .expect("member");
            tx.commit().await.expect("commit");
        }
        let org = organization.to_string();
        let change = |cookie: &str, user: i64, role: &'static str| {
            let app = &app;
            let (org, cookie, user) = (org.clone(), cookie.to_owned(), user.to_string());
            async move {
                app.call(
                    "change_role",
                    Some(&cookie),
                    &[
                        ("organization_id", &org),
                        ("user_id", &user),
                        ("role", role),
                    ],
                )
                .await
            }
        };
        // Nobody grants above their own role, or touches someone above them.
        assert_eq!(
            change(&admin, wo, "legal_representative").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            change(&admin, lr, "collaborator").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            change(&worker, wo, "administrator").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            change(&boss, wo, "owner").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // The last legal representative cannot be demoted, not even by themselves.
        let last = change(&boss, lr, "administrator").await;
        assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(last.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("only legal representative"));
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {organization} AND role = 'legal_representative'"))
                .await,
            1
        );

        // An administrator promotes the collaborator; the very next request has the new rights.
        assert_eq!(
            app.call(
                "organization_users",
                Some(&worker),
                &[("organization_id", &org), ("search", "")]
            )
            .await
            .json()["can_unlock"],
            false
        );
        let promoted = change(&admin, wo, "administrator").await;
        assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
        assert_eq!(
            app.call(
                "organization_users",
                Some(&worker),
                &[("organization_id", &org), ("search", "")]
            )
            .await
            .json()["can_unlock"],
            true
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'wo@example.com' AND subject LIKE 'Your role in % is now Administrator'").await, 1);
        // Demoted to external: the users page is closed at once.
        assert_eq!(change(&boss, wo, "external").await.status, StatusCode::OK);
        assert_eq!(
            app.call(
                "organization_users",
                Some(&worker),
                &[("organization_id", &org), ("search", "")]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        // With a second legal representative, the first may step down.
        assert_eq!(
            change(&boss, ad, "legal_representative").await.status,
            StatusCode::OK
        );
        assert_eq!(
            change(&boss, lr, "administrator").await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'role_changed'")
                .await,
            4
        );
    }
);

/// `set_product_access`'s form.
fn access<'a>(
    organization: &'a str,
    user: &'a str,
    product: &'a str,
    access: &'a str,
) -> [(&'a str, &'a str); 4] {
    [
        ("organization_id", organization),
        ("user_id", user),
        ("product_id", product),
        ("access", access),
    ]
}

on_every_backend!(
    a_persons_products_are_granted_changed_and_revoked_at_any_time,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (cara, _) = app.sign_up("cara@example.com", "Cara", "Colleague").await;
        let (adam, _) = app.sign_up("adam@example.com", "Adam", "Admin").await;
        let (gus, _) = app.sign_up("gus@example.com", "Gus", "Guest").await;
        let cara_id = app
            .add_member(organization, "cara@example.com", Role::Collaborator)
            .await;
        let adam_id = app
            .add_member(organization, "adam@example.com", Role::Administrator)
            .await;
        let gus_id = app
            .add_member(organization, "gus@example.com", Role::External)
            .await;
        let boss_id = app
            .count("SELECT id FROM users WHERE email = 'boss@example.com'")
            .await;
        let products = app
            .add_products(organization, &["alpha.ch", "beta.ch"])
            .await;
        let (org, alpha) = (organization.to_string(), products[0].to_string());
        let (cara_text, gus_text) = (cara_id.to_string(), gus_id.to_string());
        let reached = |cookie: String| {
            let (app, org) = (&app, org.clone());
            async move {
                let reply = app.all_products(&cookie, &org).await;
                reply.json()["products"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            }
        };
        let uses_billing = |cookie: String| {
            let (app, org) = (&app, org.clone());
            async move {
                app.call(
                    "prepaid_account",
                    Some(&cookie),
                    &[("organization_id", &org)],
                )
                .await
                .status
                    == StatusCode::OK
            }
        };
        assert!(reached(cara.clone()).await.is_empty());

        // The administrator gives Cara alpha.ch: her very next request reaches it.
        let granted = app
            .call(
                "set_product_access",
                Some(&adam),
                &access(&org, &cara_text, &alpha, "access"),
            )
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        assert_eq!(reached(cara.clone()).await, ["alpha.ch"]);
        assert!(!uses_billing(cara.clone()).await);
        // With billing rights: she uses the organization's billing.
        app.call(
            "set_product_access",
            Some(&boss),
            &access(&org, &cara_text, &alpha, "billing"),
        )
        .await;
        assert!(uses_billing(cara.clone()).await);
        // Saving the same again changes nothing: no log entry, no email.
        let same = app
            .call(
                "set_product_access",
                Some(&boss),
                &access(&org, &cara_text, &alpha, "billing"),
            )
            .await;
        assert_eq!(same.status, StatusCode::OK);
        // Revoked: gone at the next request, billing with it.
        app.call(
            "set_product_access",
            Some(&boss),
            &access(&org, &cara_text, &alpha, "none"),
        )
        .await;
        assert!(reached(cara.clone()).await.is_empty());
        assert!(!uses_billing(cara.clone()).await);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE action = 'product_access_changed' AND product_id = {alpha}")).await,
            3
        );
        assert_eq!(
            app.texts("SELECT detail FROM activity_log WHERE action = 'product_access_changed' ORDER BY id").await,
            [
                "Cara Colleague: No access → Access",
                "Cara Colleague: Access → Access with billing rights",
                "Cara Colleague: Access with billing rights → No access",
            ]
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'cara@example.com' AND subject LIKE 'Your access to alpha.ch in %'").await,
            3
        );

        // The policy's limits: an external person gets no billing rights (they never use
        // billing), legal representatives and administrators reach everything through their
        // role, a collaborator changes nobody's access, nobody acts above their own role, and a
        // product or person of another organization is not found.
        let external_billing = app
            .call(
                "set_product_access",
                Some(&boss),
                &access(&org, &gus_text, &alpha, "billing"),
            )
            .await;
        assert_eq!(
            external_billing.code(),
            "validation",
            "{}",
            external_billing.body
        );
        let external = app
            .call(
                "set_product_access",
                Some(&boss),
                &access(&org, &gus_text, &alpha, "access"),
            )
            .await;
        assert_eq!(external.status, StatusCode::OK, "{}", external.body);
        assert_eq!(reached(gus.clone()).await, ["alpha.ch"]);
        let to_admin = app
            .call(
                "set_product_access",
                Some(&boss),
                &access(&org, &adam_id.to_string(), &alpha, "access"),
            )
            .await;
        assert_eq!(to_admin.code(), "validation", "{}", to_admin.body);
        let by_collaborator = app
            .call(
                "set_product_access",
                Some(&cara),
                &access(&org, &gus_text, &alpha, "none"),
            )
            .await;
        assert_eq!(by_collaborator.code(), "forbidden");
        let above = app
            .call(
                "set_product_access",
                Some(&adam),
                &access(&org, &boss_id.to_string(), &alpha, "access"),
            )
            .await;
        assert_eq!(above.code(), "forbidden", "{}", above.body);
        let (_, elsewhere) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let foreign = app.add_products(elsewhere, &["gamma.ch"]).await[0].to_string();
        let foreign_product = app
            .call(
                "set_product_access",
                Some(&boss),
                &access(&org, &cara_text, &foreign, "access"),
            )
            .await;
        assert_eq!(foreign_product.code(), "not_found");

        // A member moved between roles: an administrator demoted to collaborator reaches
        // nothing, and is given products on their page.
        app.call(
            "change_role",
            Some(&boss),
            &[
                ("organization_id", &org),
                ("user_id", &adam_id.to_string()),
                ("role", "collaborator"),
            ],
        )
        .await;
        assert!(reached(adam.clone()).await.is_empty());
        let page = app
            .call(
                "organization_member",
                Some(&boss),
                &[("organization_id", &org), ("user_id", &adam_id.to_string())],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.json()["reaches_all"], false);
        assert_eq!(page.json()["products"].as_array().map(Vec::len), Some(2));
        app.call(
            "set_product_access",
            Some(&boss),
            &access(&org, &adam_id.to_string(), &alpha, "access"),
        )
        .await;
        assert_eq!(reached(adam.clone()).await, ["alpha.ch"]);
    }
);

on_every_backend!(
    a_persons_page_says_how_they_joined_and_what_they_reach,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let org = organization.to_string();
        let products = app.add_products(organization, &["alpha.ch"]).await;
        // Cara comes by invitation, with alpha.ch and billing rights.
        let invited = app
            .call(
                "invite_person",
                Some(&boss),
                &[
                    ("organization_id", &org),
                    ("email", "cara@example.com"),
                    ("role", "collaborator"),
                    ("products", &products[0].to_string()),
                    ("billing", &products[0].to_string()),
                ],
            )
            .await;
        assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
        let (cara, _) = app.sign_up("cara@example.com", "Cara", "Colleague").await;
        let token = app
            .mail_bodies("recipient = 'cara@example.com'")
            .await
            .iter()
            .find_map(|body| {
                body.split("&token=")
                    .nth(1)?
                    .split_whitespace()
                    .next()
                    .map(str::to_owned)
            })
            .expect("the invitation's token");
        let accepted = app
            .call(
                "accept_invitation",
                Some(&cara),
                &[("organization_id", &org), ("token", &token)],
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        let cara_id = app
            .count("SELECT id FROM users WHERE email = 'cara@example.com'")
            .await;
        let boss_id = app
            .count("SELECT id FROM users WHERE email = 'boss@example.com'")
            .await;
        let page = |user: i64| {
            let (app, org, boss) = (&app, org.clone(), boss.clone());
            async move {
                app.call(
                    "organization_member",
                    Some(&boss),
                    &[("organization_id", &org), ("user_id", &user.to_string())],
                )
                .await
            }
        };
        let cara_page = page(cara_id).await.json();
        assert_eq!(
            cara_page["joined_how"]["Invited"]["by"], "Bea Boss",
            "{cara_page}"
        );
        assert_eq!(cara_page["products"][0]["access"], "billing");
        assert_eq!(cara_page["person"]["role"], "collaborator");
        let boss_page = page(boss_id).await.json();
        assert_eq!(boss_page["joined_how"], "Created", "{boss_page}");
        assert_eq!(boss_page["reaches_all"], true);
        assert_eq!(boss_page["products"].as_array().map(Vec::len), Some(0));
        // Cara (a collaborator) does not open people's pages; nobody finds a stranger's.
        let by_cara = app
            .call(
                "organization_member",
                Some(&cara),
                &[("organization_id", &org), ("user_id", &boss_id.to_string())],
            )
            .await;
        assert_eq!(by_cara.code(), "forbidden");
        let (_, elsewhere) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let sid = app
            .count("SELECT id FROM users WHERE email = 'sid@example.com'")
            .await;
        assert_eq!(page(sid).await.code(), "not_found");
        let _ = elsewhere;
        // The users page links each name to the page for those who may open it.
        let users = app
            .call(
                "organization_users",
                Some(&boss),
                &[("organization_id", &org), ("search", "")],
            )
            .await;
        assert_eq!(users.json()["can_open_people"], true);
    }
);

on_every_backend!(
    colleagues_see_a_members_picture_instead_of_initials,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (cara, _) = app.sign_up("cara@example.com", "Cara", "Colleague").await;
        let (gus, _) = app.sign_up("gus@example.com", "Gus", "Guest").await;
        let (sid, _) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        app.add_member(organization, "cara@example.com", Role::Collaborator)
            .await;
        app.add_member(organization, "gus@example.com", Role::External)
            .await;
        let boss_id = app
            .count("SELECT id FROM users WHERE email = 'boss@example.com'")
            .await;
        // Bea has a picture.
        let png = {
            let pixels = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8, y as u8, 9]));
            let mut png = Vec::new();
            image::DynamicImage::ImageRgb8(pixels)
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .expect("encode");
            png
        };
        let mut tx = app.state.db.write().await.expect("tx");
        app::account::store::save_avatar(&mut tx, boss_id, &png, app.state.now())
            .await
            .expect("avatar");
        tx.commit().await.expect("commit");
        let org = organization.to_string();
        // The users page gives her picture's version; Cara fetches it.
        let page = app
            .call(
                "organization_users",
                Some(&cara),
                &[("organization_id", &org), ("search", "")],
            )
            .await
            .json();
        let bea = page["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["email"] == "boss@example.com")
            .cloned()
            .expect("Bea");
        assert!(bea["avatar_version"].is_i64(), "{bea}");
        let path = format!("/people/avatar?organization={org}&user={boss_id}&v=1");
        let fetch = |cookie: String| {
            let (app, path) = (&app, path.clone());
            async move {
                app.send(
                    http::Method::GET,
                    &path,
                    &[("cookie", cookie.as_str())],
                    String::new(),
                )
                .await
            }
        };
        let seen = fetch(cara.clone()).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.headers["content-type"], "image/png");
        // An external person does not see the people; someone outside finds nothing.
        assert_eq!(fetch(gus).await.status, StatusCode::FORBIDDEN);
        assert_eq!(fetch(sid).await.status, StatusCode::NOT_FOUND);
        // Cara has none: 404 for her picture, initials on the page.
        let cara_id = app
            .count("SELECT id FROM users WHERE email = 'cara@example.com'")
            .await;
        let none = app
            .send(
                http::Method::GET,
                &format!("/people/avatar?organization={org}&user={cara_id}&v=1"),
                &[("cookie", boss.as_str())],
                String::new(),
            )
            .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
    }
);
