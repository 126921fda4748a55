//! "Forgot your password?" (issue 11), on SQLite and Postgres.

use crate::common;

use app::sms::RecordingSms;
use app::state::Settings;
use common::{TestApp, PASSWORD};
use http::StatusCode;
use std::sync::Arc;

const NEW_PASSWORD: &str = "a completely new phrase";

/// The token of the newest reset link mailed to `to`, from the outbox.
async fn reset_token(app: &TestApp, to: &str) -> Option<String> {
    app.mailed_token(to, "/reset-password").await
}

async fn ask(app: &TestApp, email: &str) -> common::Reply {
    app.call("request_password_reset", None, &[("email", email)])
        .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> common::Reply {
    app.call(
        "reset_password",
        None,
        &[
            ("token", token),
            ("new_password", password),
            ("confirm_password", password),
        ],
    )
    .await
}

on_every_backend!(
    a_reset_link_sets_a_new_password_once_and_ends_every_session,
    |app: TestApp| async move {
        let email = "forgot@example.com";
        let (cookie, _) = app.sign_up(email, "Flo", "Forgot").await;
        let other = app.sign_in(email).await;

        // The same answer for an address with an account and one without.
        let known = ask(&app, email).await;
        let unknown = ask(&app, "nobody@example.com").await;
        assert_eq!(known.status, StatusCode::OK, "{}", known.body);
        assert_eq!(
            (known.status, known.body.clone()),
            (unknown.status, unknown.body)
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'nobody@example.com'")
                .await,
            0
        );
        let token = reset_token(&app, email).await.expect("a reset link");
        // Only the hash is stored.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM password_resets WHERE token_hash = '{token}'"
            ))
            .await,
            0
        );

        // A weak password is refused and spends nothing.
        let weak = reset(&app, &token, "password").await;
        assert_eq!(weak.code(), "validation");
        assert_eq!(weak.json()["field"], "new_password");
        let done = reset(&app, &token, NEW_PASSWORD).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        // Every session ended; the old password is gone, the new one works.
        for session in [&cookie, &other] {
            assert_eq!(
                app.call("my_account", Some(session), &[]).await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        let old = app
            .call("sign_in", None, &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(old.code(), "invalid_credentials");
        let new = app
            .call(
                "sign_in",
                None,
                &[("email", email), ("password", NEW_PASSWORD)],
            )
            .await;
        assert_eq!(new.status, StatusCode::OK, "{}", new.body);
        // Single use.
        let again = reset(&app, &token, "yet another long phrase").await;
        assert_eq!(again.code(), "validation");
        // Logged, and the person is told.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action IN ('password_reset_requested', 'password_reset')")
                .await,
            2
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM outbox WHERE recipient = '{email}' AND subject = 'Your Steward password was reset'"
            ))
            .await,
            1
        );
    }
);

on_every_backend!(a_link_expires_after_30_minutes, |app: TestApp| async move {
    let email = "slow@example.com";
    app.sign_up(email, "Sam", "Slow").await;
    ask(&app, email).await;
    let token = reset_token(&app, email).await.expect("link");
    app.clock.advance(30 * 60);
    assert_eq!(reset(&app, &token, NEW_PASSWORD).await.code(), "validation");
});

on_every_backend!(
    two_factor_authentication_is_still_asked_after_a_reset,
    |app: TestApp| async move {
        let email = "twofa@example.com";
        let (cookie, _) = app.sign_up(email, "Tia", "Twofa").await;
        app.turn_on_totp(&cookie).await;
        ask(&app, email).await;
        let token = reset_token(&app, email).await.expect("link");
        assert_eq!(
            reset(&app, &token, NEW_PASSWORD).await.status,
            StatusCode::OK
        );
        let signed_in = app
            .call(
                "sign_in",
                None,
                &[("email", email), ("password", NEW_PASSWORD)],
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::OK);
        assert_eq!(
            signed_in.json()["redirect"].as_str().unwrap_or_default(),
            "/login/two-factor"
        );
    }
);

on_every_backend!(
    the_recovery_email_can_receive_the_link,
    |app: TestApp| async move {
        let email = "main@example.com";
        let (cookie, _) = app.sign_up(email, "Mia", "Main").await;
        let saved = app
            .call(
                "set_recovery_contacts",
                Some(&cookie),
                &[
                    ("recovery_email", "backup@example.org"),
                    ("recovery_phone", ""),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        ask(&app, "backup@example.org").await;
        let token = reset_token(&app, "backup@example.org")
            .await
            .expect("sent to the recovery email");
        assert_eq!(reset_token(&app, email).await, None);
        assert_eq!(
            reset(&app, &token, NEW_PASSWORD).await.status,
            StatusCode::OK
        );
    }
);

on_every_backend!(
    a_locked_account_stays_locked_and_requests_are_throttled,
    settings: Settings { address_failure_limit: 8, ..Settings::default() },
    |app: TestApp| async move {
        let email = "locked@example.com";
        app.sign_up(email, "Lou", "Locked").await;
        ask(&app, email).await;
        let token = reset_token(&app, email).await.expect("link");
        let mut tx = app.state.db.write().await.expect("tx");
        on_db!(&mut tx, |c| sqlx::query(
            "UPDATE users SET locked_at = 1 WHERE email = 'locked@example.com'"
        )
        .execute(&mut **c)
        .await
        .map(|r| r.rows_affected()))
        .expect("lock");
        tx.commit().await.expect("commit");
        let refused = reset(&app, &token, NEW_PASSWORD).await;
        assert_eq!(refused.code(), "account_locked", "{}", refused.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE locked_at IS NOT NULL").await,
            1
        );
        // The link was not spent: after the unlock it works.
        let mut tx = app.state.db.write().await.expect("tx");
        on_db!(&mut tx, |c| sqlx::query("UPDATE users SET locked_at = NULL")
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()))
        .expect("unlock");
        tx.commit().await.expect("commit");
        assert_eq!(reset(&app, &token, NEW_PASSWORD).await.status, StatusCode::OK);

        // At most three links an hour per account, whatever the number of requests…
        for _ in 0..4 {
            ask(&app, email).await;
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM password_resets").await,
            3,
            "three an hour"
        );
        // …and each request counts in the address's window (8 here): then it is refused.
        let mut last = ask(&app, email).await;
        for _ in 0..4 {
            last = ask(&app, "someone@example.com").await;
        }
        assert_eq!(last.code(), "rate_limited", "{}", last.body);
    }
);

on_every_backend!(
    without_a_provider_there_is_no_sms_reset,
    |app: TestApp| async move {
        let options = app.call("password_reset_options", None, &[]).await;
        assert_eq!(options.json()["sms"], false);
        let (cookie, _) = app.sign_up("phone@example.com", "Pho", "Ne").await;
        app.call(
            "set_recovery_contacts",
            Some(&cookie),
            &[
                ("recovery_email", ""),
                ("recovery_phone", "+41791234567"),
                ("password", PASSWORD),
            ],
        )
        .await;
        let reply = app
            .call(
                "request_password_reset",
                None,
                &[("email", "phone@example.com"), ("channel", "sms")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(app.count("SELECT COUNT(*) FROM password_resets").await, 0);
    }
);

/// With a (simulated) SMS provider: the link goes to the recovery phone, unless one of the
/// person's organizations forbids password reset by SMS (SEC-12).
async fn sms_scenario(mut app: TestApp) {
    let sms = Arc::new(RecordingSms::default());
    app.state.sms = Some(sms.clone());
    app.router = server::router(app.state.clone(), common::leptos_options());
    assert_eq!(
        app.call("password_reset_options", None, &[]).await.json()["sms"],
        true
    );
    let email = "texted@example.com";
    let (cookie, organization) = app.sign_up(email, "Tex", "Ted").await;
    app.call(
        "set_recovery_contacts",
        Some(&cookie),
        &[
            ("recovery_email", ""),
            ("recovery_phone", "+41791234567"),
            ("password", PASSWORD),
        ],
    )
    .await;
    let by_sms = [("email", email), ("channel", "sms")];
    app.call("request_password_reset", None, &by_sms).await;
    let sent = sms.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "+41791234567");
    let token = sent[0]
        .1
        .split("token=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        reset(&app, &token, NEW_PASSWORD).await.status,
        StatusCode::OK
    );

    // The organization forbids it: nothing is texted, the answer is the same, and the link goes
    // by email instead (SEC-12) — to the login email while there is no recovery email.
    let cookie = app.sign_in_with(email, NEW_PASSWORD).await;
    let forbidden = app
        .call(
            "set_sms_reset_forbidden",
            Some(&cookie),
            &[
                ("organization_id", &organization.to_string()),
                ("forbidden", "true"),
            ],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::OK, "{}", forbidden.body);
    let links_to = |to: &'static str| {
        let app = &app;
        async move {
            let bodies = app.mail_bodies(&format!("recipient = '{to}'")).await;
            bodies
                .iter()
                .filter(|body| body.contains("/reset-password?token="))
                .count() as i64
        }
    };
    assert_eq!(links_to(email).await, 0);
    let reply = app.call("request_password_reset", None, &by_sms).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(sms.sent().len(), 1);
    assert_eq!(links_to(email).await, 1);
    // With a recovery email, that is where it goes; and the link works.
    let saved = app
        .call(
            "set_recovery_contacts",
            Some(&cookie),
            &[
                ("recovery_email", "rescue@example.com"),
                ("recovery_phone", "+41791234567"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    app.call("request_password_reset", None, &by_sms).await;
    assert_eq!(sms.sent().len(), 1);
    assert_eq!(links_to("rescue@example.com").await, 1);
    let token = app
        .mailed_token("rescue@example.com", "/reset-password")
        .await
        .expect("a link");
    assert_eq!(reset(&app, &token, PASSWORD).await.status, StatusCode::OK);
    let logged = app
        .texts(
            "SELECT detail FROM activity_log WHERE action = 'password_reset_requested' ORDER BY id",
        )
        .await;
    assert_eq!(logged[0], "sms");
    assert!(logged[2].contains("SMS forbidden"), "{logged:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_reset_sqlite() {
    sms_scenario(TestApp::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_reset_postgres() {
    if let Some(app) = TestApp::postgres().await {
        sms_scenario(app).await;
    }
}
