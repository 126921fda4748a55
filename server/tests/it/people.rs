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
