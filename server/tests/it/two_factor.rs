//! Two-factor authentication (SEC-1..3): enrolment, the two-step sign-in, replay and
//! single-use rules under concurrency, backup codes, methods — on SQLite and Postgres.

use crate::common;

use app::two_factor::totp;
use common::{Reply, TestApp, PASSWORD};
use http::{Method, StatusCode};

/// A person with an authenticator app set up at the test clock's start.
struct Enrolled {
    email: String,
    cookie: String,
    organization: i64,
    secret: Vec<u8>,
    backup_codes: Vec<String>,
}

fn code(secret: &[u8], at: i64) -> String {
    totp::code_at(secret, totp::DIGITS, at as u64)
}

async fn enrol(app: &TestApp, email: &str) -> Enrolled {
    let (cookie, organization) = app.sign_up(email, "Tess", "Two").await;
    let started = app.call("start_totp_enrolment", Some(&cookie), &[]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let secret_text = started.json()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let secret = totp::decode_secret(&secret_text).expect("base32 secret");
    assert!(started.json()["uri"]
        .as_str()
        .unwrap_or_default()
        .starts_with("otpauth://totp/Steward:"));
    assert!(started.json()["qr"]["path"]
        .as_str()
        .unwrap_or_default()
        .starts_with('M'));
    let now = app.state.now();
    let confirmed = app
        .call(
            "confirm_totp_enrolment",
            Some(&cookie),
            &[("code", &code(&secret, now)), ("label", "Phone")],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let backup_codes: Vec<String> = confirmed.json()["codes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Enrolled {
        email: email.to_owned(),
        cookie,
        organization,
        secret,
        backup_codes,
    }
}

/// The password step: returns the pending sign-in's cookie.
async fn password_step(app: &TestApp, email: &str) -> String {
    let reply = app
        .call("sign_in", None, &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["redirect"], "/login/two-factor");
    let cookie = reply.set_cookie().unwrap_or_default();
    assert!(
        !cookie.contains("Max-Age"),
        "a pending sign-in never outlives the browser: {cookie}"
    );
    reply.session_cookie().expect("pending cookie")
}

/// The same proof submitted twice on each pending sign-in, all at once.
fn twice_on_each<'a>(pendings: &[String], proof: &str, code: &str) -> Vec<common::Call<'a>> {
    pendings
        .iter()
        .flat_map(|cookie| {
            [0, 1].map(|_| {
                (
                    "verify_second_factor",
                    Some(cookie.clone()),
                    vec![("proof", proof.to_owned()), ("code", code.to_owned())],
                )
            })
        })
        .collect()
}

async fn verify(app: &TestApp, cookie: &str, proof: &str, code: &str) -> Reply {
    app.call(
        "verify_second_factor",
        Some(cookie),
        &[("proof", proof), ("code", code)],
    )
    .await
}

on_every_backend!(
    enrolment_needs_a_valid_code_and_gives_ten_backup_codes,
    |app: TestApp| async move {
        let (cookie, _) = app.sign_up("una@example.com", "Una", "U").await;
        let started = app.call("start_totp_enrolment", Some(&cookie), &[]).await;
        let secret = totp::decode_secret(started.json()["secret"].as_str().unwrap_or_default())
            .expect("secret");
        let now = app.state.now();
        let wrong = app
            .call(
                "confirm_totp_enrolment",
                Some(&cookie),
                &[("code", &code(&secret, now + 300)), ("label", "")],
            )
            .await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            wrong.body
        );
        assert_eq!(wrong.json()["field"], "code");
        assert_eq!(app.count("SELECT COUNT(*) FROM second_factors").await, 0);

        let ok = app
            .call(
                "confirm_totp_enrolment",
                Some(&cookie),
                &[("code", &code(&secret, now)), ("label", "")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(ok.json()["codes"].as_array().map(Vec::len), Some(10));
        assert_eq!(app.count("SELECT COUNT(*) FROM second_factors WHERE is_default AND label = 'Authenticator app'").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM backup_codes WHERE used_at IS NULL")
                .await,
            10
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM totp_enrolments").await, 0);
        // Codes are stored hashed only.
        let first = ok.json()["codes"][0]
            .as_str()
            .unwrap_or_default()
            .replace('-', "");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM backup_codes WHERE code_hash LIKE '%{first}%'"
            ))
            .await,
            0
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action IN ('two_factor_method_added', 'backup_codes_generated')").await, 2);

        let status = app.call("two_factor_status", Some(&cookie), &[]).await;
        assert_eq!(status.json()["methods"].as_array().map(Vec::len), Some(1));
        assert_eq!(status.json()["backup_codes_remaining"], 10);
    }
);

on_every_backend!(
    sign_in_with_two_factor_takes_two_steps_and_a_new_token,
    |app: TestApp| async move {
        let person = enrol(&app, "tess@example.com").await;
        let pending = password_step(&app, &person.email).await;
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions WHERE stage = 'second_factor'")
                .await,
            1
        );
        let wrong = verify(&app, &pending, "authenticator_app", "000000").await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            wrong.body
        );
        assert_eq!(wrong.json()["field"], "code");

        app.clock.advance(30);
        let now = app.state.now();
        let ok = verify(
            &app,
            &pending,
            "authenticator_app",
            &code(&person.secret, now),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(ok.json()["redirect"], format!("/o/{}", person.organization));
        let full = ok.session_cookie().expect("a full session cookie");
        assert_ne!(full, pending, "the full session gets a new token");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions WHERE stage = 'second_factor'")
                .await,
            0
        );
        let me = app.call("my_account", Some(&full), &[]).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        let old = app.call("my_account", Some(&pending), &[]).await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'sign_in_succeeded' AND detail = 'password and authenticator app'").await, 1);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'second_factor_failed'")
                .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'second_factor_requested'")
                .await,
            1
        );
    }
);

on_every_backend!(
    a_pending_sign_in_can_do_nothing_but_finish,
    |app: TestApp| async move {
        let person = enrol(&app, "pia@example.com").await;
        let pending = password_step(&app, &person.email).await;
        let organization = person.organization.to_string();
        for (name, form) in [
            ("my_account", vec![]),
            ("my_organizations", vec![]),
            (
                "organization_shell",
                vec![("organization_id", organization.as_str())],
            ),
            (
                "organization_overview",
                vec![("organization_id", organization.as_str())],
            ),
            ("create_organization", vec![("name", "Sneaky")]),
            ("my_activity", vec![]),
            ("two_factor_status", vec![]),
            ("start_totp_enrolment", vec![]),
            ("disable_two_factor", vec![("password", PASSWORD)]),
            ("generate_backup_codes", vec![("password", PASSWORD)]),
        ] {
            let reply = app.call(name, Some(&pending), &form).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{name}: {}",
                reply.body
            );
            assert_eq!(reply.code(), "second_factor_required", "{name}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM second_factors").await, 1);
        let page = app
            .send(
                Method::GET,
                &format!("/o/{organization}"),
                &[("cookie", &pending)],
                String::new(),
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(
            page.headers.get("location").and_then(|v| v.to_str().ok()),
            Some("/login/two-factor"),
            "a pending sign-in is sent back to its second step"
        );

        // The person's earlier full session is untouched, and cancelling ends the pending one.
        let cancel = app.call("cancel_sign_in", Some(&pending), &[]).await;
        assert_eq!(cancel.status, StatusCode::OK);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions WHERE stage = 'second_factor'")
                .await,
            0
        );
        let after = verify(
            &app,
            &pending,
            "authenticator_app",
            &code(&person.secret, app.state.now() + 30),
        )
        .await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.call("my_account", Some(&person.cookie), &[])
                .await
                .status,
            StatusCode::OK
        );
    }
);

on_every_backend!(
    a_totp_step_is_accepted_once_only,
    |app: TestApp| async move {
        let person = enrol(&app, "rey@example.com").await;
        let now = app.state.now();
        // The enrolment spent the current step: the same code cannot sign in.
        let pending = password_step(&app, &person.email).await;
        let replay = verify(
            &app,
            &pending,
            "authenticator_app",
            &code(&person.secret, now),
        )
        .await;
        assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(replay.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already been used"));
        // The next step's code works once…
        let next = code(&person.secret, now + 30);
        assert_eq!(
            verify(&app, &pending, "authenticator_app", &next)
                .await
                .status,
            StatusCode::OK
        );
        // …and never again, in another sign-in.
        let again = password_step(&app, &person.email).await;
        let replay = verify(&app, &again, "authenticator_app", &next).await;
        assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
        // An older step, still inside the skew window, is refused too.
        app.clock.advance(30);
        let older = verify(
            &app,
            &again,
            "authenticator_app",
            &code(&person.secret, now),
        )
        .await;
        assert_eq!(older.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fresh = verify(
            &app,
            &again,
            "authenticator_app",
            &code(&person.secret, app.state.now() + 30),
        )
        .await;
        assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    }
);

on_every_backend!(
    the_same_totp_code_submitted_in_parallel_signs_in_exactly_once,
    |app: TestApp| async move {
        let person = enrol(&app, "par@example.com").await;
        let mut pendings = Vec::new();
        for _ in 0..6 {
            pendings.push(password_step(&app, &person.email).await);
        }
        let next = code(&person.secret, app.state.now() + 30);
        let calls = twice_on_each(&pendings, "authenticator_app", &next);
        let replies = app.call_all(calls).await;
        let successes = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(
            successes,
            1,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions WHERE stage = 'full'")
                .await,
            2
        );
    }
);

on_every_backend!(
    a_backup_code_submitted_in_parallel_works_exactly_once,
    |app: TestApp| async move {
        let person = enrol(&app, "bea@example.com").await;
        let mut pendings = Vec::new();
        for _ in 0..6 {
            pendings.push(password_step(&app, &person.email).await);
        }
        // Typed in upper case with spaces: still the same code.
        let typed = person.backup_codes[3].to_uppercase().replace('-', " ");
        let calls = twice_on_each(&pendings, "backup_code", &typed);
        let replies = app.call_all(calls).await;
        let successes = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(
            successes,
            1,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM backup_codes WHERE used_at IS NOT NULL")
                .await,
            1
        );
        let status = app
            .call("two_factor_status", Some(&person.cookie), &[])
            .await;
        assert_eq!(status.json()["backup_codes_remaining"], 9);
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'sign_in_succeeded' AND detail = 'password and backup code'").await, 1);
    }
);

on_every_backend!(
    too_many_wrong_codes_end_the_pending_sign_in,
    |app: TestApp| async move {
        let person = enrol(&app, "max@example.com").await;
        let pending = password_step(&app, &person.email).await;
        for attempt in 1..=app::two_factor::SECOND_FACTOR_ATTEMPTS {
            let reply = verify(&app, &pending, "authenticator_app", "111111").await;
            let expected = if attempt < app::two_factor::SECOND_FACTOR_ATTEMPTS {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(reply.status, expected, "attempt {attempt}: {}", reply.body);
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions WHERE stage = 'second_factor'")
                .await,
            0
        );
        let late = verify(
            &app,
            &pending,
            "authenticator_app",
            &code(&person.secret, app.state.now() + 30),
        )
        .await;
        assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    }
);

on_every_backend!(
    new_backup_codes_void_the_old_ones,
    |app: TestApp| async move {
        let person = enrol(&app, "gus@example.com").await;
        let wrong = app
            .call(
                "generate_backup_codes",
                Some(&person.cookie),
                &[("password", "not my password")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong.json()["field"], "password");
        let fresh = app
            .call(
                "generate_backup_codes",
                Some(&person.cookie),
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
        let new_code = fresh.json()["codes"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(app.count("SELECT COUNT(*) FROM backup_codes").await, 10);

        let pending = password_step(&app, &person.email).await;
        let old = verify(&app, &pending, "backup_code", &person.backup_codes[0]).await;
        assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
        let new = verify(&app, &pending, "backup_code", &new_code).await;
        assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    }
);

on_every_backend!(
    methods_can_be_defaulted_removed_and_turned_off_with_the_password,
    |app: TestApp| async move {
        let person = enrol(&app, "meg@example.com").await;
        // A second app.
        let started = app
            .call("start_totp_enrolment", Some(&person.cookie), &[])
            .await;
        let second = totp::decode_secret(started.json()["secret"].as_str().unwrap_or_default())
            .expect("secret");
        app.clock.advance(30);
        let added = app
            .call(
                "confirm_totp_enrolment",
                Some(&person.cookie),
                &[
                    ("code", &code(&second, app.state.now())),
                    ("label", "Tablet"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let status = app
            .call("two_factor_status", Some(&person.cookie), &[])
            .await;
        let methods = status.json()["methods"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(methods.len(), 2);
        assert_eq!(methods[0]["label"], "Phone");
        assert_eq!(methods[0]["is_default"], true);
        let tablet = methods[1]["id"].as_i64().unwrap_or_default().to_string();
        let phone = methods[0]["id"].as_i64().unwrap_or_default().to_string();

        let made = app
            .call(
                "set_default_method",
                Some(&person.cookie),
                &[("method_id", &tablet)],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM second_factors WHERE is_default AND id = {tablet}"
            ))
            .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM second_factors WHERE is_default")
                .await,
            1
        );

        // Someone else cannot touch these methods: they do not exist for them.
        let (other, _) = app.sign_up("oz@example.com", "Oz", "O").await;
        let theirs = app
            .call(
                "remove_method",
                Some(&other),
                &[("method_id", &phone), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);
        let theirs = app
            .call("set_default_method", Some(&other), &[("method_id", &phone)])
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);

        let no_password = app
            .call(
                "remove_method",
                Some(&person.cookie),
                &[("method_id", &tablet), ("password", "wrong one")],
            )
            .await;
        assert_eq!(no_password.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("SELECT COUNT(*) FROM second_factors").await, 2);
        let removed = app
            .call(
                "remove_method",
                Some(&person.cookie),
                &[("method_id", &tablet), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
        // The default went with it; the remaining method takes over.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM second_factors WHERE is_default AND id = {phone}"
            ))
            .await,
            1
        );

        let refused = app
            .call(
                "disable_two_factor",
                Some(&person.cookie),
                &[("password", "wrong one")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let off = app
            .call(
                "disable_two_factor",
                Some(&person.cookie),
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM second_factors").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM backup_codes").await, 0);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'two_factor_disabled'")
                .await,
            1
        );
        // Signing in is one step again.
        let reply = app
            .call(
                "sign_in",
                None,
                &[("email", "meg@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            reply.json()["redirect"],
            format!("/o/{}", person.organization)
        );
    }
);
