//! The users page (ORG-3): members with role, 2FA status and last activity, externals apart,
//! search — on SQLite and Postgres.

mod common;

use app::policy::Role;
use app::security::totp;
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
            app::organizations::store::insert_membership(
                &mut tx,
                organization,
                cara,
                Role::Collaborator,
                0,
            )
            .await
            .expect("member");
            app::organizations::store::insert_membership(
                &mut tx,
                organization,
                gus,
                Role::External,
                0,
            )
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
