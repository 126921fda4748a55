//! Account secrets (ACC-4, ACC-7): password and login email changes, recovery contacts,
//! application passwords and API tokens with their scopes — on SQLite and Postgres.

use crate::common;

use base64::Engine;
use common::{Reply, TestApp, PASSWORD};
use http::{Method, StatusCode};

const NEW_PASSWORD: &str = "another quite unusual phrase";

/// Calls a server function as a program would: no cookie, no browser headers, a credential.
async fn as_program(
    app: &TestApp,
    name: &str,
    authorization: &str,
    form: &[(&str, &str)],
) -> Reply {
    let body = serde_urlencoded::to_string(form).expect("form");
    app.send(
        Method::POST,
        &format!("/api/{name}"),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
            ("authorization", authorization),
        ],
        body,
    )
    .await
}

async fn new_token(app: &TestApp, cookie: &str, name: &str, scope: &str, days: &str) -> String {
    let reply = app
        .call(
            "create_api_token",
            Some(cookie),
            &[("name", name), ("scope", scope), ("expires_in_days", days)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let secret = reply.json()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(secret.starts_with("stw_"), "{secret}");
    format!("Bearer {secret}")
}

on_every_backend!(
    api_tokens_work_within_their_scope_until_expired_or_revoked,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("tok@example.com", "Tok", "T").await;
        let read = new_token(&app, &cookie, "reporting", "read", "").await;
        let write = new_token(&app, &cookie, "automation", "read_write", "30").await;
        assert_eq!(
            app.count("SELECT COUNT(*) FROM api_tokens WHERE expires_at IS NULL")
                .await,
            1
        );
        let secret = read.trim_start_matches("Bearer ");
        assert!(!app
            .texts("SELECT token_hash FROM api_tokens")
            .await
            .iter()
            .any(|h| h == secret));

        // A read token lists, and changes nothing.
        let listed = as_program(&app, "my_organizations", &read, &[]).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert_eq!(listed.json()[0]["id"].as_i64(), Some(organization));
        let refused = as_program(&app, "create_organization", &read, &[("name", "By token")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NOT NULL")
                .await,
            1
        );

        // A read-and-write token changes things, but never the account's own security.
        let created =
            as_program(&app, "create_organization", &write, &[("name", "By token")]).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        for (name, form) in [
            (
                "create_api_token",
                vec![
                    ("name", "more"),
                    ("scope", "read_write"),
                    ("expires_in_days", ""),
                ],
            ),
            ("my_credentials", vec![]),
            ("disable_two_factor", vec![("password", PASSWORD)]),
            (
                "change_password",
                vec![
                    ("current_password", PASSWORD),
                    ("new_password", NEW_PASSWORD),
                    ("confirm_password", NEW_PASSWORD),
                ],
            ),
        ] {
            let reply = as_program(&app, name, &write, &form).await;
            assert!(
                reply.status == StatusCode::FORBIDDEN || reply.status == StatusCode::UNAUTHORIZED,
                "{name}: {} {}",
                reply.status,
                reply.body
            );
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 2);

        // Expiry.
        app.clock.advance(30 * 86_400 + 1);
        let expired = as_program(&app, "my_organizations", &write, &[]).await;
        assert_eq!(expired.status, StatusCode::UNAUTHORIZED, "{}", expired.body);
        // Revocation.
        let id = app
            .count("SELECT id FROM api_tokens WHERE name = 'reporting'")
            .await
            .to_string();
        // The cookie was idle all that time: sign in again first.
        let cookie = app
            .call(
                "sign_in",
                None,
                &[("email", "tok@example.com"), ("password", PASSWORD)],
            )
            .await
            .session_cookie()
            .expect("session");
        let revoked = app
            .call("revoke_api_token", Some(&cookie), &[("id", &id)])
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        assert_eq!(
            as_program(&app, "my_organizations", &read, &[])
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            as_program(&app, "my_organizations", "Bearer stw_made-up", &[])
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action IN ('api_token_created', 'api_token_revoked')").await, 3);
    }
);

on_every_backend!(
    application_passwords_sign_programs_in_until_revoked,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("app@example.com", "App", "A").await;
        let made = app
            .call(
                "create_app_password",
                Some(&cookie),
                &[("name", "Mail client")],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let secret = made.json()["secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(secret.len(), 19, "{secret}");
        let basic = |email: &str, secret: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{email}:{secret}"))
            )
        };
        let me = as_program(
            &app,
            "my_account",
            &basic("APP@example.com", &secret.to_uppercase()),
            &[],
        )
        .await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.json()["email"], "app@example.com");
        assert_eq!(
            as_program(&app, "my_account", &basic("app@example.com", PASSWORD), &[])
                .await
                .status,
            StatusCode::UNAUTHORIZED,
            "the account password is not an application password"
        );
        let (_, _) = app.sign_up("other@example.com", "O", "O").await;
        assert_eq!(
            as_program(
                &app,
                "my_account",
                &basic("other@example.com", &secret),
                &[]
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );

        let id = made.json()["id"].as_i64().unwrap_or_default().to_string();
        let (stranger, _) = app.sign_up("str@example.com", "S", "S").await;
        assert_eq!(
            app.call("revoke_app_password", Some(&stranger), &[("id", &id)])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call("revoke_app_password", Some(&cookie), &[("id", &id)])
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            as_program(&app, "my_account", &basic("app@example.com", &secret), &[])
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
);

on_every_backend!(
    changing_the_password_ends_other_sessions_and_keeps_app_passwords_unless_asked,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("pat@example.com", "Pat", "P").await;
        let other = app
            .call(
                "sign_in",
                None,
                &[("email", "pat@example.com"), ("password", PASSWORD)],
            )
            .await
            .session_cookie()
            .expect("other session");
        let made = app
            .call("create_app_password", Some(&cookie), &[("name", "Sync")])
            .await;
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "pat@example.com:{}",
                made.json()["secret"].as_str().unwrap_or_default()
            ))
        );

        let change =
            |current: &'static str, new: &'static str, confirm: &'static str, revoke: bool| {
                let app = &app;
                let cookie = cookie.clone();
                async move {
                    let mut form = vec![
                        ("current_password", current),
                        ("new_password", new),
                        ("confirm_password", confirm),
                    ];
                    if revoke {
                        form.push(("revoke_app_passwords", "on"));
                    }
                    app.call("change_password", Some(&cookie), &form).await
                }
            };
        assert_eq!(
            change("wrong one", NEW_PASSWORD, NEW_PASSWORD, false)
                .await
                .json()["field"],
            "current_password"
        );
        assert_eq!(
            change(PASSWORD, NEW_PASSWORD, "something else", false)
                .await
                .json()["field"],
            "confirm_password"
        );
        assert_eq!(
            change(PASSWORD, "password123", "password123", false)
                .await
                .json()["field"],
            "new_password"
        );
        assert_eq!(
            change(PASSWORD, PASSWORD, PASSWORD, false).await.json()["field"],
            "new_password"
        );
        assert_eq!(
            app.call("my_account", Some(&other), &[]).await.status,
            StatusCode::OK,
            "refusals change nothing"
        );

        let done = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD, false).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["other_sessions_ended"], 1);
        let rotated = done.session_cookie().expect("a new token for this browser");
        assert_ne!(rotated, cookie);
        assert_eq!(
            app.call("my_account", Some(&other), &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call("my_account", Some(&cookie), &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call("my_account", Some(&rotated), &[]).await.status,
            StatusCode::OK
        );
        assert_eq!(
            as_program(&app, "my_account", &basic, &[]).await.status,
            StatusCode::OK,
            "kept unless asked"
        );
        assert_eq!(
            app.call(
                "sign_in",
                None,
                &[("email", "pat@example.com"), ("password", PASSWORD)]
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM outbox WHERE subject = 'Your Steward password was changed'"
            )
            .await,
            1
        );

        // This time, application passwords go too.
        let again = app
            .call(
                "change_password",
                Some(&rotated),
                &[
                    ("current_password", NEW_PASSWORD),
                    ("new_password", "a third long passphrase"),
                    ("confirm_password", "a third long passphrase"),
                    ("revoke_app_passwords", "on"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.json()["app_passwords_revoked"], 1);
        assert_eq!(
            as_program(&app, "my_account", &basic, &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

on_every_backend!(
    the_login_email_changes_only_through_the_link_sent_to_the_new_address,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("old@example.com", "Eve", "E").await;
        app.sign_up("taken@example.com", "T", "T").await;
        let wrong = app
            .call(
                "request_email_change",
                Some(&cookie),
                &[("new_email", "new@example.com"), ("password", "nope")],
            )
            .await;
        assert_eq!(wrong.json()["field"], "password");
        let taken = app
            .call(
                "request_email_change",
                Some(&cookie),
                &[("new_email", "taken@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(taken.code(), "email_taken");
        let asked = app
            .call(
                "request_email_change",
                Some(&cookie),
                &[("new_email", "New@Example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'old@example.com' AND subject LIKE 'A change of your%'").await, 1);
        let token = app
            .mailed_token("new@example.com", "/confirm-email")
            .await
            .expect("a confirmation link");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email = 'old@example.com'")
                .await,
            1,
            "nothing changes before the link"
        );

        let confirmed = app
            .call("confirm_email_change", None, &[("token", &token)])
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        assert_eq!(confirmed.json(), "new@example.com");
        assert_eq!(
            app.call("confirm_email_change", None, &[("token", &token)])
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.call(
                "sign_in",
                None,
                &[("email", "new@example.com"), ("password", PASSWORD)]
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_eq!(
            app.call(
                "sign_in",
                None,
                &[("email", "old@example.com"), ("password", PASSWORD)]
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'old@example.com' AND subject = 'Your Steward login email was changed'").await, 1);
    }
);

on_every_backend!(
    recovery_contacts_need_the_password_and_a_valid_shape,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("rec@example.com", "Rec", "R").await;
        let bad_phone = app
            .call(
                "set_recovery_contacts",
                Some(&cookie),
                &[
                    ("recovery_email", "backup@example.org"),
                    ("recovery_phone", "079 123"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(bad_phone.json()["field"], "recovery_phone");
        let same = app
            .call(
                "set_recovery_contacts",
                Some(&cookie),
                &[
                    ("recovery_email", "rec@example.com"),
                    ("recovery_phone", ""),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(same.json()["field"], "recovery_email");
        let no_password = app
            .call(
                "set_recovery_contacts",
                Some(&cookie),
                &[
                    ("recovery_email", "backup@example.org"),
                    ("recovery_phone", "+41 79 123 45 67"),
                    ("password", ""),
                ],
            )
            .await;
        assert_eq!(no_password.json()["field"], "password");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE recovery_email IS NOT NULL")
                .await,
            0
        );
        let saved = app
            .call(
                "set_recovery_contacts",
                Some(&cookie),
                &[
                    ("recovery_email", "backup@example.org"),
                    ("recovery_phone", "+41 79 123 45 67"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(saved.json()["recovery_phone"], "+41791234567");
        let review = app.call("review_security", Some(&cookie), &[]).await;
        assert_eq!(review.json()["recovery_email"], "backup@example.org");
        assert_eq!(review.json()["two_factor_methods"], 0);
        assert_eq!(review.json()["lockout_threshold"], 10);
        let cleared = app
            .call(
                "set_recovery_contacts",
                Some(&cookie),
                &[
                    ("recovery_email", ""),
                    ("recovery_phone", ""),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(cleared.json()["recovery_email"], serde_json::Value::Null);
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM activity_log WHERE action = 'recovery_contacts_changed'"
            )
            .await,
            2
        );
    }
);

on_every_backend!(
    minting_a_credential_asks_to_confirm_it_is_you_after_ten_minutes,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("cora@example.com", "Cora", "Confirm").await;
        let token = |name: &'static str| {
            let cookie = cookie.clone();
            let app = &app;
            async move {
                app.call(
                    "create_api_token",
                    Some(&cookie),
                    &[("name", name), ("scope", "read"), ("expires_in_days", "")],
                )
                .await
            }
        };
        // Signing in is a confirmation: right after it, nothing more is asked.
        assert_eq!(token("fresh").await.status, StatusCode::OK);
        app.clock.advance(app::policy::CONFIRMATION_SECONDS);
        let refused = token("later").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.code(), "confirmation_required");
        let count = "SELECT COUNT(*) FROM api_tokens";
        assert_eq!(app.count(count).await, 1, "nothing was created");
        // A wrong password confirms nothing and counts like a failed sign-in.
        let wrong = app
            .call(
                "confirm_identity",
                Some(&cookie),
                &[("password", "not it at all")],
            )
            .await;
        assert_eq!(wrong.json()["field"], "password", "{}", wrong.body);
        assert_eq!(token("still later").await.code(), "confirmation_required");
        let right = app
            .call("confirm_identity", Some(&cookie), &[("password", PASSWORD)])
            .await;
        assert_eq!(right.status, StatusCode::OK, "{}", right.body);
        assert_eq!(token("confirmed").await.status, StatusCode::OK);
        assert_eq!(app.count(count).await, 2);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'identity_confirmed'")
                .await,
            1
        );
        // The confirmation belongs to this session only, and it lapses again.
        let other = app.sign_in("cora@example.com").await;
        app.clock.advance(app::policy::CONFIRMATION_SECONDS);
        for session in [&cookie, &other] {
            let reply = app
                .call(
                    "create_app_password",
                    Some(session),
                    &[("name", "Mail client")],
                )
                .await;
            assert_eq!(reply.code(), "confirmation_required");
        }
    }
);
