//! Accounts, sessions, organizations and the request-wide defences, on SQLite and Postgres.

use crate::common;

use app::password::PasswordHasher;
use app::state::Clock;
use common::{TestApp, PASSWORD, START};
use http::{Method, StatusCode};

on_every_backend!(
    sign_up_creates_exactly_one_organization_membership_and_log_entry,
    |app: TestApp| async move {
        let reply = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", " Ada@Example.com "),
                    ("first_name", "Ada"),
                    ("last_name", "Lovelace"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        // Nothing exists until the address is confirmed.
        assert_eq!(reply.set_cookie(), None);
        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
        let reply = app.confirm_sign_up("ada@example.com").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let cookie = reply.set_cookie().expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(
            !cookie.contains("Max-Age"),
            "without 'keep me signed in' the cookie ends with the browser: {cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email = 'ada@example.com'")
                .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM organizations WHERE name = 'Ada Lovelace'")
                .await,
            1
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM memberships WHERE role = 'legal_representative'")
                .await,
            1
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log").await, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'sign_up' AND organization_id IS NOT NULL").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'email_confirmed'")
                .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email_verified_at IS NOT NULL")
                .await,
            1
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM pending_sign_ups").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
        // Only the hash of the token is stored.
        let token = reply
            .session_cookie()
            .unwrap_or_default()
            .trim_start_matches("steward_session=")
            .to_owned();
        let sql = format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'");
        assert_eq!(app.count(&sql).await, 0);
    }
);

on_every_backend!(
    remembered_sign_in_gets_a_persistent_cookie,
    |app: TestApp| async move {
        app.sign_up("kim@example.com", "Kim", "Lee").await;
        let reply = app
            .call(
                "sign_in",
                None,
                &[
                    ("email", "kim@example.com"),
                    ("password", PASSWORD),
                    ("remember", "on"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(reply
            .set_cookie()
            .unwrap_or_default()
            .contains("Max-Age=2592000"));
    }
);

on_every_backend!(
    duplicate_email_and_bad_input_are_refused_with_nothing_written,
    |app: TestApp| async move {
        app.sign_up("sam@example.com", "Sam", "One").await;
        let again = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", "SAM@example.com"),
                    ("first_name", "Sam"),
                    ("last_name", "Two"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        // A taken address gets the same answer as a free one; its owner is told instead.
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.json()["email"], "sam@example.com");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'sam@example.com' AND subject LIKE 'Someone tried%'")
                .await,
            1
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM pending_sign_ups").await, 0);

        let common = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", "new@example.com"),
                    ("first_name", "N"),
                    ("last_name", "W"),
                    ("password", "password123"),
                ],
            )
            .await;
        assert_eq!(common.code(), "validation");
        assert_eq!(common.json()["field"], "password");
        let short = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", "new@example.com"),
                    ("first_name", "N"),
                    ("last_name", "W"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(short.json()["field"], "password");
        let bad_email = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", "nobody"),
                    ("first_name", "N"),
                    ("last_name", "W"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(bad_email.json()["field"], "email");
        let missing = app
            .call("sign_up", None, &[("email", "new@example.com")])
            .await;
        assert_eq!(missing.code(), "validation", "{}", missing.body);

        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);
        // Sign-up, confirmed address, and the attempt on the taken address (in its owner's log).
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log").await, 3);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'sign_up_attempted'")
                .await,
            1
        );
    }
);

on_every_backend!(
    wrong_password_and_unknown_email_get_the_same_answer,
    |app: TestApp| async move {
        app.sign_up("lea@example.com", "Léa", "Roux").await;
        let wrong = app
            .call(
                "sign_in",
                None,
                &[
                    ("email", "lea@example.com"),
                    ("password", "not the password"),
                ],
            )
            .await;
        let unknown = app
            .call(
                "sign_in",
                None,
                &[
                    ("email", "nobody@example.com"),
                    ("password", "not the password"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.status, unknown.status);
        assert_eq!(wrong.body, unknown.body);
        assert_eq!(wrong.code(), "invalid_credentials");
        assert!(wrong.session_cookie().is_none() && unknown.session_cookie().is_none());
        // Both failures are logged; the one against a real account is in that account's activity.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'sign_in_failed'")
                .await,
            2
        );
        assert_eq!(
        app.count("SELECT COUNT(*) FROM activity_log a JOIN users u ON u.id = a.actor_user_id WHERE a.action = 'sign_in_failed'").await,
        1
    );

        let right = app
            .call(
                "sign_in",
                None,
                &[("email", "LEA@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(right.status, StatusCode::OK, "{}", right.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'sign_in_succeeded'")
                .await,
            1
        );
    }
);

on_every_backend!(
    a_session_from_another_organization_cannot_read_this_one,
    |app: TestApp| async move {
        let (alice, alice_org) = app.sign_up("alice@example.com", "Alice", "A").await;
        let (bob, bob_org) = app.sign_up("bob@example.com", "Bob", "B").await;
        let alice_org = alice_org.to_string();
        let bob_org = bob_org.to_string();

        let own = app
            .call(
                "organization_overview",
                Some(&alice),
                &[("organization_id", &alice_org)],
            )
            .await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.body);
        assert_eq!(own.json()["name"], "Alice A");
        assert_eq!(own.json()["members"][0]["email"], "alice@example.com");

        for function in ["organization_overview", "organization_shell"] {
            let other = app
                .call(function, Some(&bob), &[("organization_id", &alice_org)])
                .await;
            assert_eq!(
                other.status,
                StatusCode::NOT_FOUND,
                "{function}: {}",
                other.body
            );
            assert_eq!(other.code(), "not_found");
            assert!(
                !other.body.contains("Alice"),
                "{function} leaked: {}",
                other.body
            );
            // A made-up id answers exactly the same.
            let missing = app
                .call(function, Some(&bob), &[("organization_id", "999999")])
                .await;
            assert_eq!(missing.body, other.body);
        }
        let mine = app.call("my_organizations", Some(&bob), &[]).await;
        assert_eq!(mine.json().as_array().map(Vec::len), Some(1));
        assert_eq!(mine.json()[0]["id"].to_string(), bob_org);

        let anonymous = app
            .call(
                "organization_overview",
                None,
                &[("organization_id", &alice_org)],
            )
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.code(), "unauthenticated");
    }
);

on_every_backend!(
    creating_an_organization_makes_me_its_legal_representative,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("carl@example.com", "Carl", "C").await;
        let created = app
            .call(
                "create_organization",
                Some(&cookie),
                &[("name", "  Carl's Shop  ")],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let id = created.json().as_i64().expect("the new id");
        let shell = app
            .call(
                "organization_shell",
                Some(&cookie),
                &[("organization_id", &id.to_string())],
            )
            .await;
        assert_eq!(shell.json()["current"]["name"], "Carl's Shop");
        assert_eq!(shell.json()["current"]["role"], "legal_representative");
        assert_eq!(
            shell.json()["organizations"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'organization_created'")
                .await,
            1
        );

        let blank = app
            .call("create_organization", Some(&cookie), &[("name", "   ")])
            .await;
        assert_eq!(blank.code(), "validation");
        let anonymous = app
            .call("create_organization", None, &[("name", "Ghost")])
            .await;
        assert_eq!(anonymous.code(), "unauthenticated");
        assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 2);
    }
);

on_every_backend!(
    a_cross_site_post_is_refused_and_changes_nothing,
    |app: TestApp| async move {
        let form =
            "email=eve%40example.com&first_name=Eve&last_name=E&password=a+long+and+unusual+phrase";
        for headers in [
            vec![
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "cross-site"),
            ],
            vec![
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "same-site"),
            ],
            vec![
                ("content-type", "application/x-www-form-urlencoded"),
                ("origin", "https://evil.example"),
            ],
        ] {
            let reply = app
                .send(Method::POST, "/api/sign_up", &headers, form.to_owned())
                .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN);
            assert_eq!(reply.code(), "cross_site");
            assert!(reply.json()["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log").await, 0);
        // The same request from the site itself goes through.
        let same = app
            .send(
                Method::POST,
                "/api/sign_up",
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("origin", "http://127.0.0.1:3000"),
                ],
                form.to_owned(),
            )
            .await;
        assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    }
);

on_every_backend!(
    server_functions_answer_post_only_and_refuse_huge_bodies,
    |app: TestApp| async move {
        let get = app
            .send(Method::GET, "/api/sign_out", &[], String::new())
            .await;
        assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
        let huge = format!(
            "email=x%40example.com&password={}",
            "a".repeat(server::BODY_LIMIT_BYTES + 1)
        );
        let reply = app
            .send(
                Method::POST,
                "/api/sign_in",
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("sec-fetch-site", "same-origin"),
                ],
                huge,
            )
            .await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log").await, 0);
    }
);

on_every_backend!(sign_out_ends_the_session, |app: TestApp| async move {
    let (cookie, _) = app.sign_up("olga@example.com", "Olga", "O").await;
    assert_eq!(
        app.call("my_account", Some(&cookie), &[]).await.status,
        StatusCode::OK
    );
    let out = app.call("sign_out", Some(&cookie), &[]).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.set_cookie().unwrap_or_default().contains("Max-Age=0"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        app.call("my_account", Some(&cookie), &[]).await.code(),
        "unauthenticated"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'sign_out'")
            .await,
        1
    );
});

on_every_backend!(
    every_sign_in_gets_a_new_token_and_ends_the_old_one,
    |app: TestApp| async move {
        let (first, _) = app.sign_up("tom@example.com", "Tom", "T").await;
        let again = app
            .call(
                "sign_in",
                Some(&first),
                &[("email", "tom@example.com"), ("password", PASSWORD)],
            )
            .await;
        let second = again.session_cookie().expect("new cookie");
        assert_ne!(first, second);
        assert_eq!(
            app.call("my_account", Some(&first), &[]).await.code(),
            "unauthenticated"
        );
        assert_eq!(
            app.call("my_account", Some(&second), &[]).await.status,
            StatusCode::OK
        );
    }
);

on_every_backend!(
    sessions_expire_when_idle_and_at_their_absolute_limit,
    |app: TestApp| async move {
        let settings = app.state.settings.clone();
        let (cookie, _) = app.sign_up("ida@example.com", "Ida", "I").await;
        // Activity keeps a browser session alive…
        for _ in 0..3 {
            app.clock.advance(settings.session_idle_seconds - 120);
            assert_eq!(
                app.call("my_account", Some(&cookie), &[]).await.status,
                StatusCode::OK
            );
        }
        // …but idleness ends it.
        app.clock.advance(settings.session_idle_seconds);
        assert_eq!(
            app.call("my_account", Some(&cookie), &[]).await.code(),
            "unauthenticated"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

        let signed_in = app
            .call(
                "sign_in",
                None,
                &[("email", "ida@example.com"), ("password", PASSWORD)],
            )
            .await;
        let cookie = signed_in.session_cookie().expect("cookie");
        let mut elapsed = 0;
        while elapsed + settings.session_idle_seconds / 2 < settings.session_absolute_seconds {
            app.clock.advance(settings.session_idle_seconds / 2);
            elapsed += settings.session_idle_seconds / 2;
            assert_eq!(
                app.call("my_account", Some(&cookie), &[]).await.status,
                StatusCode::OK
            );
        }
        app.clock
            .advance(settings.session_absolute_seconds - elapsed);
        assert_eq!(
            app.call("my_account", Some(&cookie), &[]).await.code(),
            "unauthenticated"
        );
    }
);

on_every_backend!(
    activity_is_mine_only_newest_first_with_keyset_pages,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("pat@example.com", "Pat", "P").await;
        let (other, _) = app.sign_up("quinn@example.com", "Quinn", "Q").await;
        for i in 0..30 {
            app.clock.advance(1);
            let name = format!("Org {i}");
            assert_eq!(
                app.call("create_organization", Some(&cookie), &[("name", &name)])
                    .await
                    .status,
                StatusCode::OK
            );
        }
        app.call(
            "create_organization",
            Some(&other),
            &[("name", "Not Pat's")],
        )
        .await;

        let first = app.call("my_activity", Some(&cookie), &[]).await.json();
        let entries = first["entries"].as_array().cloned().unwrap_or_default();
        assert_eq!(entries.len(), 25);
        assert_eq!(entries[0]["organization_name"], "Org 29");
        assert_eq!(entries[0]["action"], "organization_created");
        let ids: Vec<i64> = entries.iter().filter_map(|e| e["id"].as_i64()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
        let cursor = first["older"].as_i64().expect("a next page");

        let second = app
            .call(
                "my_activity",
                Some(&cookie),
                &[("before", &cursor.to_string())],
            )
            .await
            .json();
        let rest = second["entries"].as_array().cloned().unwrap_or_default();
        assert_eq!(
            rest.len(),
            7,
            "5 more organizations, the confirmed address and the sign-up"
        );
        assert_eq!(rest[5]["action"], "email_confirmed");
        assert_eq!(rest[6]["action"], "sign_up");
        assert!(second["older"].is_null());
        let all = format!("{}{}", first, second);
        assert!(!all.contains("Not Pat's") && !all.contains("quinn"));
        assert!(app.clock.now() > START);
    }
);

on_every_backend!(the_activity_log_is_append_only, |app: TestApp| async move {
    app.sign_up("uma@example.com", "Uma", "U").await;
    let mut tx = app.state.db.write().await.expect("tx");
    let update = on_db!(&mut tx, |c| sqlx::query(
        "UPDATE activity_log SET action = 'x'"
    )
    .execute(&mut **c)
    .await
    .map(|_| ()));
    assert!(update.is_err(), "an update of the activity log must fail");
    drop(tx);
    let mut tx = app.state.db.write().await.expect("tx");
    let delete = on_db!(&mut tx, |c| sqlx::query("DELETE FROM activity_log")
        .execute(&mut **c)
        .await
        .map(|_| ()));
    assert!(delete.is_err(), "a delete from the activity log must fail");
});

on_every_backend!(
    pages_need_a_session_and_the_root_opens_my_first_organization,
    |app: TestApp| async move {
        let anonymous = app.send(Method::GET, "/o/1", &[], String::new()).await;
        assert!(anonymous.status.is_redirection());
        assert_eq!(
            anonymous
                .headers
                .get("location")
                .and_then(|v| v.to_str().ok()),
            Some("/login")
        );
        let (cookie, organization) = app.sign_up("vic@example.com", "Vic", "V").await;
        let root = app
            .send(Method::GET, "/", &[("cookie", &cookie)], String::new())
            .await;
        assert_eq!(
            root.headers.get("location").and_then(|v| v.to_str().ok()),
            Some(format!("/o/{organization}").as_str())
        );
    }
);

#[tokio::test]
async fn a_full_hash_queue_answers_busy_and_writes_nothing() {
    let db = app::db::Db::connect("sqlite::memory:").await.expect("db");
    let app = TestApp::with_db(db, PasswordHasher::new(1, 1)).await;
    let _held = (
        app.state.passwords.try_admit(),
        app.state.passwords.try_admit(),
    );
    let reply = app
        .call(
            "sign_up",
            None,
            &[
                ("email", "zoe@example.com"),
                ("first_name", "Zoe"),
                ("last_name", "Z"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.code(), "busy");
    assert_eq!(
        reply.json()["message"],
        "The server is busy, try again in a moment."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    let sign_in = app
        .call(
            "sign_in",
            None,
            &[("email", "zoe@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(sign_in.code(), "busy");
}

async fn start_sign_up(app: &TestApp, email: &str) -> common::Reply {
    app.call(
        "sign_up",
        None,
        &[
            ("email", email),
            ("first_name", "Cleo"),
            ("last_name", "Code"),
            ("password", PASSWORD),
        ],
    )
    .await
}

/// The 6-digit code of the newest confirmation mailed to `email`.
async fn mailed_code(app: &TestApp, email: &str) -> String {
    let bodies = app.mail_bodies(&format!("recipient = '{email}'")).await;
    bodies
        .iter()
        .find_map(|body| {
            body.split_whitespace()
                .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_owned)
        })
        .expect("a code in the outbox")
}

on_every_backend!(
    the_emailed_code_confirms_a_sign_up_once,
    |app: TestApp| async move {
        let email = "cleo@example.com";
        assert_eq!(start_sign_up(&app, email).await.status, StatusCode::OK);
        let code = mailed_code(&app, email).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let confirm = |code: String| {
            let app = &app;
            async move {
                app.call(
                    "confirm_sign_up",
                    None,
                    &[("email", email), ("code", &code)],
                )
                .await
            }
        };
        let refused = confirm(wrong.to_owned()).await;
        assert_eq!(refused.code(), "validation");
        assert_eq!(refused.json()["field"], "code");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        let done = confirm(spaced).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.session_cookie().is_some());
        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
        assert_eq!(confirm(code).await.code(), "validation", "single use");
    }
);

on_every_backend!(
    a_new_code_can_be_asked_for_without_buying_guesses,
    |app: TestApp| async move {
        let email = "rita@example.com";
        const FORM: &[(&str, &str)] = &[("email", "rita@example.com")];
        let resend = || app.call("resend_sign_up_code", None, FORM);
        // Nothing waiting: the same calm answer, and no email.
        assert_eq!(resend().await.status, StatusCode::OK);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);

        start_sign_up(&app, email).await;
        let first = mailed_code(&app, email).await;
        let wrong = if first == "000000" {
            "111111"
        } else {
            "000000"
        };
        app.call(
            "confirm_sign_up",
            None,
            &[("email", email), ("code", wrong)],
        )
        .await;
        let too_soon = resend().await;
        assert_eq!(too_soon.code(), "rate_limited", "{}", too_soon.body);
        app.clock.advance(60);
        assert_eq!(resend().await.status, StatusCode::OK);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 2);
        // The new row carries the wrong guess already spent.
        assert_eq!(
            app.count("SELECT MIN(attempts) FROM pending_sign_ups")
                .await,
            1
        );
        app.clock.advance(60);
        assert_eq!(resend().await.status, StatusCode::OK);
        app.clock.advance(60);
        let fourth = resend().await;
        assert_eq!(
            fourth.code(),
            "rate_limited",
            "three an hour: {}",
            fourth.body
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 3);

        // The newest code works, and the organization takes the company's name when one was
        // given at sign-up.
        let newest = mailed_code(&app, email).await;
        let done = app
            .call(
                "confirm_sign_up",
                None,
                &[("email", email), ("code", &newest)],
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM pending_sign_ups").await, 0);

        let company = "ivo@example.com";
        let started = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", company),
                    ("first_name", "Ivo"),
                    ("last_name", "Ink"),
                    ("password", PASSWORD),
                    ("company", "  Ink & Paper Sàrl "),
                ],
            )
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.body);
        let confirmed = app
            .call(
                "confirm_sign_up",
                None,
                &[
                    ("email", company),
                    ("code", &mailed_code(&app, company).await),
                ],
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        assert_eq!(
            app.texts("SELECT name FROM organizations ORDER BY id")
                .await,
            ["Cleo Code", "Ink & Paper Sàrl"]
        );
    }
);

on_every_backend!(
    five_wrong_codes_void_a_sign_up_and_links_expire,
    |app: TestApp| async move {
        let email = "guess@example.com";
        start_sign_up(&app, email).await;
        let code = mailed_code(&app, email).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            app.call(
                "confirm_sign_up",
                None,
                &[("email", email), ("code", wrong)],
            )
            .await;
        }
        let late = app
            .call(
                "confirm_sign_up",
                None,
                &[("email", email), ("code", &code)],
            )
            .await;
        assert_eq!(late.code(), "validation", "{}", late.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);

        // A new sign-up gets a new link, which works for 24 hours only.
        start_sign_up(&app, "late@example.com").await;
        app.clock.advance(24 * 3600);
        let expired = app.confirm_sign_up("late@example.com").await;
        assert_eq!(expired.code(), "validation", "{}", expired.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    }
);

on_every_backend!(
    a_taken_address_gets_the_same_answer_and_its_owner_a_notice,
    |app: TestApp| async move {
        let email = "owner@example.com";
        app.sign_up(email, "Own", "Er").await;
        let free = start_sign_up(&app, "free@example.com").await;
        let taken = start_sign_up(&app, email).await;
        assert_eq!(free.status, taken.status);
        assert_eq!(
            free.body.replace("free@example.com", "X"),
            taken.body.replace(email, "X")
        );
        let notices = format!(
            "SELECT COUNT(*) FROM outbox WHERE recipient = '{email}' AND subject LIKE 'Someone tried%'"
        );
        assert_eq!(app.count(&notices).await, 1);
        // With a sign-in and a reset link, and no code.
        let body = app
            .mail_bodies(&format!(
                "recipient = '{email}' AND subject LIKE 'Someone tried%'"
            ))
            .await
            .remove(0);
        assert!(
            body.contains("/login") && body.contains("/forgot-password"),
            "{body}"
        );
        // At most one notice an hour.
        start_sign_up(&app, email).await;
        assert_eq!(app.count(&notices).await, 1);
        app.clock.advance(3600);
        start_sign_up(&app, email).await;
        assert_eq!(app.count(&notices).await, 2);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM pending_sign_ups WHERE email = '{email}'"
            ))
            .await,
            0
        );
    }
);

on_every_backend!(
    the_emailed_link_asks_for_the_password_chosen_at_sign_up,
    |app: TestApp| async move {
        let email = "victim@example.com";
        // Someone else signs up with this address; its owner opens the link.
        start_sign_up(&app, email).await;
        let token = app
            .mailed_token(email, "/signup/confirm")
            .await
            .expect("link");
        let without = app
            .call("confirm_sign_up", None, &[("token", &token)])
            .await;
        assert_eq!(without.json()["field"], "password", "{}", without.body);
        let wrong = app
            .call(
                "confirm_sign_up",
                None,
                &[("token", &token), ("password", "what the owner would type")],
            )
            .await;
        assert_eq!(wrong.json()["field"], "password", "{}", wrong.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
        // Whoever chose the password can confirm.
        let right = app.confirm_sign_up(email).await;
        assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    }
);

on_every_backend!(
    at_most_three_confirmation_emails_an_hour_reach_one_address,
    |app: TestApp| async move {
        for _ in 0..5 {
            assert_eq!(
                start_sign_up(&app, "flooded@example.com").await.status,
                StatusCode::OK
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'flooded@example.com'")
                .await,
            3
        );
    }
);

on_every_backend!(
    an_unreachable_database_answers_stewards_own_page_and_keeps_the_session,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("una@example.com", "Una", "Down").await;
        let path = format!("/o/{organization}/products");
        app.state.db.close().await;
        let page = app
            .send(
                http::Method::GET,
                &path,
                &[("cookie", &cookie)],
                String::new(),
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            page.body
        );
        assert_eq!(
            page.headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        // Steward's own frame and words, styled, with a way back to the same page, and nothing
        // that sends the person to sign in again.
        for part in [
            "<html lang=\"en\">",
            "<title>Temporarily unavailable – Steward</title>",
            "<main class=\"auth-page\" id=\"main\">",
            "<h1>Temporarily unavailable</h1>",
            &format!("<a class=\"button primary\" href=\"{path}\">Try again</a>"),
            ".auth-card",
        ] {
            assert!(page.body.contains(part), "{part} in {}", page.body);
        }
        assert!(!page.body.contains("<script"), "{}", page.body);
        assert!(page.headers.get("location").is_none());
    }
);
