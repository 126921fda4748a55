//! Sign-in safety (SEC-5..8): lockout, unlock links, administrator unlock, per-address
//! throttling, alerts and "this wasn't me", active sessions and the connection log —
//! on SQLite and Postgres.

use crate::common;

use app::state::Settings;
use app::two_factor::totp;
use common::{received, test_smtp, TestApp, PASSWORD};
use http::StatusCode;

fn generous() -> Settings {
    Settings {
        address_failure_limit: 10_000,
        ..Settings::default()
    }
}

async fn set_safety(app: &TestApp, cookie: &str, success: bool, failure: bool, threshold: i64) {
    let threshold = threshold.to_string();
    let mut form = vec![("lockout_threshold", threshold.as_str())];
    if success {
        form.push(("alert_on_sign_in", "on"));
    }
    if failure {
        form.push(("alert_on_failed_sign_in", "on"));
    }
    let reply = app.call("save_safety_settings", Some(cookie), &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn wrong_password(app: &TestApp, email: &str) -> common::Reply {
    app.call(
        "sign_in",
        None,
        &[("email", email), ("password", "not the password")],
    )
    .await
}

async fn right_password(app: &TestApp, email: &str) -> common::Reply {
    app.call("sign_in", None, &[("email", email), ("password", PASSWORD)])
        .await
}

on_every_backend!(
    fifty_parallel_failures_count_exactly_fifty,
    settings: generous(),
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("lou@example.com", "Lou", "L").await;
        set_safety(&app, &cookie, false, false, 20).await;
        let calls = (0..50)
            .map(|_| {
                (
                    "sign_in",
                    None,
                    vec![("email", "lou@example.com".to_owned()), ("password", "wrong password".to_owned())],
                )
            })
            .collect();
        let replies = app.call_all(calls).await;
        assert!(replies.iter().all(|r| r.code() == "invalid_credentials"), "{:?}", replies.iter().map(|r| &r.body).collect::<Vec<_>>());
        assert_eq!(app.count("SELECT failed_sign_ins FROM users WHERE email = 'lou@example.com'").await, 50);
        assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE locked_at IS NOT NULL").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE subject = 'Your Steward account has been locked'").await,
            1,
            "exactly one lockout email"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM email_links WHERE purpose = 'unlock'").await, 1);
        // The right password now learns about the lock; nothing else does.
        let locked = right_password(&app, "lou@example.com").await;
        assert_eq!(locked.status.as_u16(), 423, "{}", locked.body);
        assert_eq!(locked.code(), "account_locked");
        assert_eq!(wrong_password(&app, "lou@example.com").await.code(), "invalid_credentials");
    }
);

on_every_backend!(
    the_unlock_link_works_once_and_expires_after_an_hour,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("ula@example.com", "Ula", "U").await;
        set_safety(&app, &cookie, false, false, 3).await;
        for _ in 0..3 {
            wrong_password(&app, "ula@example.com").await;
        }
        assert_eq!(
            right_password(&app, "ula@example.com").await.code(),
            "account_locked"
        );
        let token = app
            .mailed_token("ula@example.com", "/unlock")
            .await
            .expect("an unlock link");
        assert!(
            !app.texts("SELECT token_hash FROM email_links")
                .await
                .contains(&token),
            "only the hash is stored"
        );

        let first = app
            .call("unlock_with_link", None, &[("token", &token)])
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let again = app
            .call("unlock_with_link", None, &[("token", &token)])
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            right_password(&app, "ula@example.com").await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.count("SELECT failed_sign_ins FROM users WHERE email = 'ula@example.com'")
                .await,
            0
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'account_unlocked'")
                .await,
            1
        );

        // Locked again; this time the link is used too late.
        for _ in 0..3 {
            wrong_password(&app, "ula@example.com").await;
        }
        let late = app
            .mailed_token("ula@example.com", "/unlock")
            .await
            .expect("a second link");
        assert_ne!(late, token);
        app.clock.advance(3601);
        let expired = app
            .call("unlock_with_link", None, &[("token", &late)])
            .await;
        assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            right_password(&app, "ula@example.com").await.code(),
            "account_locked"
        );
        let garbage = app
            .call("unlock_with_link", None, &[("token", "nonsense")])
            .await;
        assert_eq!(garbage.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

on_every_backend!(
    a_lockout_email_travels_over_smtp_with_a_working_link,
    |app: TestApp| async move {
        let Some((mailer, maildir)) = test_smtp() else {
            return;
        };
        let email = common::unique_address("locked");
        let (cookie, _) = app.sign_up(&email, "Sam", "Smtp").await;
        set_safety(&app, &cookie, false, false, 3).await;
        for _ in 0..3 {
            wrong_password(&app, &email).await;
        }
        app::mail::deliver::deliver_due(&app.state, &mailer)
            .await
            .expect("deliver");
        // The sign-up confirmation went first; then exactly one lockout email.
        let messages: Vec<String> = received(&maildir, &email)
            .into_iter()
            .filter(|m| m.contains("Subject: Your Steward account has been locked"))
            .collect();
        assert_eq!(messages.len(), 1);
        let message = &messages[0];
        let token = message
            .split("/unlock?token=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a link in the message")
            .to_owned();
        let unlocked = app
            .call("unlock_with_link", None, &[("token", &token)])
            .await;
        assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
        assert_eq!(right_password(&app, &email).await.status, StatusCode::OK);
    }
);

on_every_backend!(
    administrators_unlock_members_of_their_organization_only,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Boss", "B").await;
        let (member_cookie, _) = app.sign_up("mo@example.com", "Mo", "M").await;
        let (helper, _) = app.sign_up("hal@example.com", "Hal", "H").await;
        let (stranger, stranger_org) = app.sign_up("sid@example.com", "Sid", "S").await;
        let id_of = |email: &'static str| {
            let app = &app;
            async move {
                app.count(&format!("SELECT id FROM users WHERE email = '{email}'"))
                    .await
            }
        };
        let (mo, hal) = (
            id_of("mo@example.com").await,
            id_of("hal@example.com").await,
        );
        {
            use app::access::store::insert_membership;
            use app::policy::Role;
            let mut tx = app.state.db.write().await.expect("tx");
            insert_membership(&mut tx, organization, mo, Role::Collaborator, 0)
                .await
                .expect("member");
            insert_membership(&mut tx, organization, hal, Role::Collaborator, 0)
                .await
                .expect("member");
            tx.commit().await.expect("commit");
        }
        set_safety(&app, &member_cookie, false, false, 3).await;
        for _ in 0..3 {
            wrong_password(&app, "mo@example.com").await;
        }
        let overview = app
            .call(
                "organization_overview",
                Some(&boss),
                &[("organization_id", &organization.to_string())],
            )
            .await;
        let members = overview.json()["members"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(members
            .iter()
            .any(|m| m["email"] == "mo@example.com" && m["locked"] == true));
        assert_eq!(overview.json()["can_unlock"], true);

        let form = [
            ("organization_id", organization.to_string()),
            ("user_id", mo.to_string()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // A collaborator may not; someone from another organization does not even see them.
        assert_eq!(
            app.call("unlock_member", Some(&helper), &form).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call("unlock_member", Some(&stranger), &form)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let via_own = [
            ("organization_id", stranger_org.to_string()),
            ("user_id", mo.to_string()),
        ];
        let via_own: Vec<(&str, &str)> = via_own.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            app.call("unlock_member", Some(&stranger), &via_own)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            right_password(&app, "mo@example.com").await.code(),
            "account_locked"
        );

        let done = app.call("unlock_member", Some(&boss), &form).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(
            right_password(&app, "mo@example.com").await.status,
            StatusCode::OK
        );
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE action = 'account_unlocked' AND organization_id = {organization}")).await, 1);
    }
);

on_every_backend!(
    a_success_resets_the_count_and_wrong_codes_count_too,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("cy@example.com", "Cy", "C").await;
        set_safety(&app, &cookie, false, false, 4).await;
        wrong_password(&app, "cy@example.com").await;
        wrong_password(&app, "cy@example.com").await;
        assert_eq!(
            right_password(&app, "cy@example.com").await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.count("SELECT failed_sign_ins FROM users WHERE email = 'cy@example.com'")
                .await,
            0
        );

        // With an authenticator app, wrong codes lock the account like wrong passwords.
        let started = app.call("start_totp_enrolment", Some(&cookie), &[]).await;
        let secret = totp::decode_secret(started.json()["secret"].as_str().unwrap_or_default())
            .expect("secret");
        let code = totp::code_at(&secret, 6, app.state.now() as u64);
        app.call(
            "confirm_totp_enrolment",
            Some(&cookie),
            &[("code", &code), ("label", "")],
        )
        .await;
        wrong_password(&app, "cy@example.com").await;
        let pending = right_password(&app, "cy@example.com")
            .await
            .session_cookie()
            .expect("pending");
        let mut last = None;
        for _ in 0..3 {
            last = Some(
                app.call(
                    "verify_second_factor",
                    Some(&pending),
                    &[("proof", "authenticator_app"), ("code", "999999")],
                )
                .await,
            );
        }
        let last = last.expect("replies");
        assert_eq!(last.code(), "account_locked", "{}", last.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions WHERE stage = 'second_factor'")
                .await,
            0
        );
    }
);

on_every_backend!(
    one_address_cannot_spray_passwords_over_many_accounts,
    settings: Settings { address_failure_limit: 5, ..Settings::default() },
    |app: TestApp| async move {
        app.sign_up("real@example.com", "Real", "R").await;
        for i in 0..5 {
            let reply = wrong_password(&app, &format!("victim{i}@example.com")).await;
            assert_eq!(reply.code(), "invalid_credentials");
        }
        // Even the right password is refused from this address for now, before any hashing.
        let refused = right_password(&app, "real@example.com").await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
        assert_eq!(refused.code(), "rate_limited");
        assert_eq!(app.count("SELECT failed_sign_ins FROM users").await, 0, "no account was charged");
        app.clock.advance(15 * 60);
        assert_eq!(right_password(&app, "real@example.com").await.status, StatusCode::OK);
    }
);

on_every_backend!(
    alerts_are_mailed_and_this_wasnt_me_ends_the_session,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("al@example.com", "Al", "A").await;
        set_safety(&app, &cookie, true, true, 10).await;
        wrong_password(&app, "al@example.com").await;
        let failed = app
            .mail_bodies("subject = 'Failed sign-in to your Steward account'")
            .await;
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0].contains("wrong password") && failed[0].contains("Chrome on Linux"),
            "{}",
            failed[0]
        );

        let intruder = right_password(&app, "al@example.com")
            .await
            .session_cookie()
            .expect("session");
        let alerts = app
            .mail_bodies("subject = 'New sign-in to your Steward account'")
            .await;
        assert_eq!(alerts.len(), 1);
        let alert = &alerts[0];
        assert!(
            alert.contains("Time: ")
                && alert.contains("IP address: ")
                && alert.contains("Device: Chrome on Linux"),
            "{alert}"
        );
        let token = app
            .mailed_token("al@example.com", "/not-me")
            .await
            .expect("a not-me link");
        assert!(alert.contains(&format!("http://127.0.0.1:3000/not-me?token={token}")));

        let reported = app.call("report_not_me", None, &[("token", &token)]).await;
        assert_eq!(reported.status, StatusCode::OK, "{}", reported.body);
        assert_eq!(reported.json()["session_ended"], true);
        assert_eq!(
            app.call("my_account", Some(&intruder), &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call("my_account", Some(&cookie), &[]).await.status,
            StatusCode::OK,
            "my own session stays"
        );
        let again = app.call("report_not_me", None, &[("token", &token)]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

on_every_backend!(
    sessions_are_listed_and_ended_one_or_all_others,
    |app: TestApp| async move {
        let (first, _) = app.sign_up("sue@example.com", "Sue", "S").await;
        let second = right_password(&app, "sue@example.com")
            .await
            .session_cookie()
            .expect("second");
        let third = right_password(&app, "sue@example.com")
            .await
            .session_cookie()
            .expect("third");
        let list = app.call("active_sessions", Some(&first), &[]).await;
        let sessions = list.json().as_array().cloned().unwrap_or_default();
        assert_eq!(sessions.len(), 3);
        assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
        assert!(sessions.iter().all(|s| s["device"] == "Chrome on Linux"));
        let current_id = sessions
            .iter()
            .find(|s| s["current"] == true)
            .and_then(|s| s["id"].as_i64())
            .unwrap_or_default();
        let other_id = sessions
            .iter()
            .find(|s| s["current"] == false)
            .and_then(|s| s["id"].as_i64())
            .unwrap_or_default();

        // Someone else cannot end my sessions: they do not exist for them.
        let (stranger, _) = app.sign_up("sly@example.com", "Sly", "S").await;
        let theirs = app
            .call(
                "end_session",
                Some(&stranger),
                &[("session_id", &other_id.to_string())],
            )
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);

        let ended = app
            .call(
                "end_session",
                Some(&first),
                &[("session_id", &other_id.to_string())],
            )
            .await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        let still = [&second, &third];
        let alive: Vec<bool> = futures_alive(&app, &still).await;
        assert_eq!(
            alive.iter().filter(|a| **a).count(),
            1,
            "exactly the ended one is gone"
        );

        let others = app.call("end_other_sessions", Some(&first), &[]).await;
        assert_eq!(others.json(), 1);
        assert_eq!(futures_alive(&app, &still).await, vec![false, false]);
        let list = app.call("active_sessions", Some(&first), &[]).await;
        assert_eq!(list.json().as_array().map(Vec::len), Some(1));
        assert_eq!(list.json()[0]["id"].as_i64(), Some(current_id));
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action IN ('session_ended', 'other_sessions_ended')").await, 2);
    }
);

async fn futures_alive(app: &TestApp, cookies: &[&String]) -> Vec<bool> {
    let mut alive = Vec::new();
    for cookie in cookies {
        alive.push(app.call("my_account", Some(cookie), &[]).await.status == StatusCode::OK);
    }
    alive
}

on_every_backend!(
    the_connection_log_lists_successes_and_failures_newest_first,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("col@example.com", "Col", "C").await;
        wrong_password(&app, "col@example.com").await;
        right_password(&app, "col@example.com").await;
        let log = app.call("connection_log", Some(&cookie), &[]).await;
        assert_eq!(log.status, StatusCode::OK, "{}", log.body);
        let entries = log.json()["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["succeeded"], true);
        assert_eq!(entries[0]["method"], "password");
        assert_eq!(entries[1]["succeeded"], false);
        assert_eq!(entries[1]["method"], "wrong password");
        assert_eq!(entries[1]["device"], "Chrome on Linux");
    }
);

/// A tiny IP geolocation database, written as the operator's GeoLite2 City file would be:
/// 192.0.2.0/24 in Lausanne, 198.51.100.0/24 in Switzerland with no city.
fn tiny_places() -> app::places::Places {
    use maxminddb_writer::paths::IpAddrWithMask;
    let mut db = maxminddb_writer::Database::default();
    db.metadata.binary_format_major_version = 2;
    db.metadata.database_type = "Steward-Test-City".into();
    db.metadata.languages = vec!["en".into()];
    let lausanne = db
        .insert_value(serde_json::json!({
            "city": { "names": { "en": "Lausanne" } },
            "country": { "iso_code": "CH", "names": { "en": "Switzerland", "de": "Schweiz" } }
        }))
        .expect("value");
    let country_only = db
        .insert_value(serde_json::json!({
            "country": { "iso_code": "CH", "names": { "en": "Switzerland" } }
        }))
        .expect("value");
    db.insert_node(
        "192.0.2.0/24".parse::<IpAddrWithMask>().expect("net"),
        lausanne,
    );
    db.insert_node(
        "198.51.100.0/24".parse::<IpAddrWithMask>().expect("net"),
        country_only,
    );
    let bytes = db.write_to(Vec::new()).expect("written");
    app::places::Places::from_bytes(bytes).expect("a database")
}

#[test]
fn a_place_is_city_and_country_or_the_country_or_unknown() {
    let places = tiny_places();
    assert_eq!(
        places.place("192.0.2.7").as_deref(),
        Some("Lausanne, Switzerland")
    );
    assert_eq!(places.place("198.51.100.9").as_deref(), Some("Switzerland"));
    assert_eq!(places.place("203.0.113.1"), None);
    assert_eq!(places.place("unknown"), None);
    assert_eq!(app::places::shown(Some(&places), "10.0.0.1"), "Unknown");
    assert_eq!(app::places::shown(None, "192.0.2.7"), "Unknown");
    assert!(app::places::Places::from_bytes(b"not a database".to_vec()).is_err());
}

on_every_backend!(
    each_session_shows_its_place_from_the_operators_database,
    |app: TestApp| async move {
        let mut app = app;
        app.state.places = Some(std::sync::Arc::new(tiny_places()));
        app.router = server::router(app.state.clone(), common::leptos_options());
        let (cookie, _) = app.sign_up("placed@example.com", "Pia", "Placed").await;
        let other = app.sign_in("placed@example.com").await;
        let _ = other;
        app.exec("UPDATE sessions SET ip = '192.0.2.7' WHERE id = (SELECT MIN(id) FROM sessions)")
            .await;
        app.exec(
            "UPDATE sessions SET ip = '203.0.113.50' WHERE id = (SELECT MAX(id) FROM sessions)",
        )
        .await;
        let list = app.call("active_sessions", Some(&cookie), &[]).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let mut places: Vec<String> = list
            .json()
            .as_array()
            .expect("sessions")
            .iter()
            .map(|s| s["place"].as_str().unwrap_or_default().to_owned())
            .collect();
        places.sort();
        assert_eq!(places, ["Lausanne, Switzerland", "Unknown"]);
    }
);
