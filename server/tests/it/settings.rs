//! Organization settings on SQLite and Postgres: rename, require two-factor authentication
//! (SEC-4, with SEC-3's refusal to turn it off), forbid password reset by SMS (SEC-12), and
//! delete an organization once it is empty.

use crate::common;

use app::policy::Role;
use common::{TestApp, PASSWORD};
use http::StatusCode;

on_every_backend!(
    renaming_is_for_administrators_and_logged,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (worker, _) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        app.add_member(organization, "wil@example.com", Role::Collaborator)
            .await;
        let org = organization.to_string();
        let by_worker = app
            .call(
                "rename_organization",
                Some(&worker),
                &[("organization_id", &org), ("name", "Mine")],
            )
            .await;
        assert_eq!(by_worker.code(), "forbidden");
        assert_eq!(
            app.call(
                "organization_settings",
                Some(&worker),
                &[("organization_id", &org)]
            )
            .await
            .code(),
            "forbidden"
        );
        let empty = app
            .call(
                "rename_organization",
                Some(&boss),
                &[("organization_id", &org), ("name", "  ")],
            )
            .await;
        assert_eq!(empty.json()["field"], "name");
        let renamed = app
            .call(
                "rename_organization",
                Some(&boss),
                &[("organization_id", &org), ("name", " Acme SA ")],
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        let shell = app
            .call(
                "organization_shell",
                Some(&worker),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(shell.json()["current"]["name"], "Acme SA");
        assert_eq!(
            app.texts(&format!("SELECT detail FROM activity_log WHERE organization_id = {organization} AND action = 'organization_renamed'")).await,
            vec!["Bea Boss → Acme SA".to_owned()]
        );
    }
);

on_every_backend!(
    required_two_factor_holds_members_without_it_at_the_door_and_cannot_be_turned_off,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (worker, worker_organization) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        app.add_member(organization, "wil@example.com", Role::Collaborator)
            .await;
        let org = organization.to_string();
        let require = |cookie: &str, on: bool| {
            let (app, org, cookie) = (&app, org.clone(), cookie.to_owned());
            async move {
                app.call(
                    "set_two_factor_requirement",
                    Some(&cookie),
                    &[
                        ("organization_id", &org),
                        ("required", if on { "true" } else { "false" }),
                    ],
                )
                .await
            }
        };

        // Whoever requires it must have it: nobody locks themselves out by accident.
        let first = require(&boss, true).await;
        assert_eq!(first.code(), "validation", "{}", first.body);
        app.turn_on_totp(&boss).await;
        let preview = app
            .call(
                "organization_settings",
                Some(&boss),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(
            preview.json()["without_two_factor"],
            serde_json::json!(["Wil Worker"])
        );
        assert_eq!(require(&worker, true).await.code(), "forbidden");
        let on = require(&boss, true).await;
        assert_eq!(on.status, StatusCode::OK, "{}", on.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'wil@example.com' AND subject = 'Bea Boss now requires two-factor authentication'").await,
            1
        );

        // Wil reaches the frame (to be sent to set-up) and nothing else here; his own
        // organization is not affected.
        let shell = app
            .call(
                "organization_shell",
                Some(&worker),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(shell.json()["current"]["missing_two_factor"], true);
        assert_eq!(
            app.all_products(&worker, &org).await.code(),
            "two_factor_required"
        );
        assert_eq!(
            app.all_products(&worker, &worker_organization.to_string())
                .await
                .status,
            StatusCode::OK
        );
        let status = app.call("two_factor_status", Some(&worker), &[]).await;
        assert_eq!(
            status.json()["required_by"],
            serde_json::json!(["Bea Boss"])
        );
        // The boss, who has it, works as before.
        assert_eq!(app.all_products(&boss, &org).await.status, StatusCode::OK);

        app.turn_on_totp(&worker).await;
        assert_eq!(app.all_products(&worker, &org).await.status, StatusCode::OK);

        // While required, it cannot be turned off, neither at once nor method by method.
        let off = app
            .call(
                "disable_two_factor",
                Some(&worker),
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(off.code(), "forbidden", "{}", off.body);
        assert!(off.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Bea Boss requires two-factor authentication"));
        let method = app.count("SELECT f.id FROM second_factors f JOIN users u ON u.id = f.user_id WHERE u.email = 'wil@example.com'").await;
        let removed = app
            .call(
                "remove_method",
                Some(&worker),
                &[("method_id", &method.to_string()), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(removed.code(), "forbidden");
        assert_eq!(app.count("SELECT COUNT(*) FROM second_factors f JOIN users u ON u.id = f.user_id WHERE u.email = 'wil@example.com'").await, 1);

        assert_eq!(require(&boss, false).await.status, StatusCode::OK);
        let off = app
            .call(
                "disable_two_factor",
                Some(&worker),
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action = 'two_factor_requirement_changed'")).await,
            2
        );
    }
);

on_every_backend!(
    password_reset_by_sms_can_be_forbidden,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let org = organization.to_string();
        let set = |on: &'static str| {
            let (app, org, boss) = (&app, org.clone(), boss.clone());
            async move {
                app.call(
                    "set_sms_reset_forbidden",
                    Some(&boss),
                    &[("organization_id", &org), ("forbidden", on)],
                )
                .await
            }
        };
        assert_eq!(set("false").await.code(), "validation", "already allowed");
        assert_eq!(set("true").await.status, StatusCode::OK);
        let shown = app
            .call(
                "organization_settings",
                Some(&boss),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(shown.json()["forbid_sms_reset"], true);
        assert_eq!(set("true").await.code(), "validation");
        assert_eq!(set("false").await.status, StatusCode::OK);
    }
);

on_every_backend!(
    an_organization_is_deleted_only_once_empty_and_with_the_password,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (worker, _) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        let (stranger, _) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let second = app
            .call(
                "create_organization",
                Some(&boss),
                &[("name", "Side project")],
            )
            .await;
        let side: i64 = second.json().as_i64().expect("id");
        app.add_member(organization, "wil@example.com", Role::Administrator)
            .await;
        let ids = app.add_products(organization, &["shop.ch"]).await;
        let org = organization.to_string();
        let delete = |cookie: &str, org: String, password: &'static str| {
            let (app, cookie) = (&app, cookie.to_owned());
            async move {
                app.call(
                    "delete_organization",
                    Some(&cookie),
                    &[("organization_id", &org), ("password", password)],
                )
                .await
            }
        };
        assert_eq!(
            delete(&stranger, org.clone(), PASSWORD).await.code(),
            "not_found"
        );
        let busy = delete(&boss, org.clone(), PASSWORD).await;
        assert_eq!(busy.code(), "validation");
        assert!(
            busy.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("1 other user"),
            "{}",
            busy.body
        );
        let wrong = delete(&boss, org.clone(), "not my password").await;
        assert_eq!(wrong.json()["field"], "password");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM organizations WHERE id = {organization}"
            ))
            .await,
            1
        );

        // An empty organization goes, with the password; the log keeps the story.
        let gone = delete(&boss, side.to_string(), PASSWORD).await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
        assert_eq!(gone.json(), format!("/o/{organization}"));
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM organizations WHERE id = {side}"
            ))
            .await,
            0
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE organization_id = {side}"
            ))
            .await,
            0
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'organization_deleted' AND organization_id IS NULL AND detail LIKE 'Side project%'").await,
            1
        );
        let _ = (worker, ids);
    }
);
