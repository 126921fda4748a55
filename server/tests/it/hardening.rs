//! Regression tests of the security hardening (issue 11): each fails on the code before its fix.

use crate::common;

use common::TestApp;
use http::{Method, StatusCode};

/// What a person could type as a name to break out of the document head.
const HOSTILE: &str = "</title><script>alert(1)</script><title>";

/// The `script-src` directive of a Content-Security-Policy.
fn script_src(policy: &str) -> String {
    policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or_default()
        .to_owned()
}

/// Every `<script …>` opening tag of an HTML page.
fn script_tags(html: &str) -> Vec<String> {
    html.match_indices("<script")
        .map(|(at, _)| {
            let rest = &html[at..];
            rest[..rest.find('>').map_or(rest.len(), |end| end + 1)].to_owned()
        })
        .collect()
}

on_every_backend!(
    names_typed_by_people_never_reach_the_page_head_as_markup,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("owner@example.com", "Olga", "Owner").await;
        let organization_id = organization.to_string();
        let renamed = app
            .call(
                "rename_organization",
                Some(&cookie),
                &[("organization_id", &organization_id), ("name", HOSTILE)],
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        let product = app.add_products(organization, &[HOSTILE]).await[0];

        for path in [
            format!("/o/{organization}"),
            format!("/o/{organization}/products/{product}"),
            format!("/o/{organization}/products"),
            format!("/o/{organization}/settings"),
            format!("/o/{organization}/organizations"),
        ] {
            let page = app
                .send(Method::GET, &path, &[("cookie", &cookie)], String::new())
                .await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
            let title = page
                .body
                .split("<title>")
                .nth(1)
                .and_then(|rest| rest.split("</title>").next())
                .unwrap_or_default();
            if path == format!("/o/{organization}") && !title.is_empty() {
                // The overview's title is the organization's name, as text (when its data
                // arrived before the head was sent; otherwise the browser sets it).
                assert_eq!(
                    title,
                    "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;title&gt; · Steward"
                );
            }
            assert!(
                !page.body.contains("<script>alert(1)"),
                "{path} renders the typed name as markup:\n{}",
                page.body
            );
            // The policy lets only this response's nonce run inline script…
            let policy = page
                .headers
                .get(http::header::CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let scripts = script_src(&policy);
            assert!(!scripts.contains("unsafe-inline"), "{path}: {policy}");
            let nonce = scripts
                .split_whitespace()
                .find_map(|s| s.strip_prefix("'nonce-"))
                .and_then(|s| s.strip_suffix('\''))
                .unwrap_or_else(|| panic!("{path}: no script nonce in {policy}"));
            assert!(nonce.len() >= 16, "{nonce}");
            // …and every script Steward itself puts on the page carries it.
            for tag in script_tags(&page.body) {
                assert!(
                    tag.contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: a script without the nonce: {tag}"
                );
            }
        }

        // A second response gets a fresh nonce.
        let policies: Vec<String> = page_policies(&app, &cookie, organization).await;
        assert_ne!(policies[0], policies[1]);
    }
);

async fn page_policies(app: &TestApp, cookie: &str, organization: i64) -> Vec<String> {
    let mut policies = Vec::new();
    for _ in 0..2 {
        let page = app
            .send(
                Method::GET,
                &format!("/o/{organization}"),
                &[("cookie", cookie)],
                String::new(),
            )
            .await;
        policies.push(
            page.headers
                .get(http::header::CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
        );
    }
    policies
}

on_every_backend!(
    responses_that_are_not_pages_allow_no_inline_script,
    |app: TestApp| async move {
        let reply = app.call("my_account", None, &[]).await;
        let policy = reply
            .headers
            .get(http::header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let scripts = script_src(&policy);
        assert_eq!(scripts, "script-src 'self' 'wasm-unsafe-eval'", "{policy}");
    }
);

/// Sign-in failures and lockout of the account `email`, as stored.
async fn failures(app: &TestApp, email: &str) -> (i64, bool) {
    (
        app.count(&format!(
            "SELECT failed_sign_ins FROM users WHERE email = '{email}'"
        ))
        .await,
        app.count(&format!(
            "SELECT COUNT(*) FROM users WHERE email = '{email}' AND locked_at IS NOT NULL"
        ))
        .await
            == 1,
    )
}

on_every_backend!(
    every_password_confirmation_counts_toward_lockout,
    |app: TestApp| async move {
        let email = "guessed@example.com";
        let (cookie, organization) = app.sign_up(email, "Gus", "Guessed").await;
        // A second session of the same person (signed in before the guessing started).
        let other = app.sign_in(email).await;
        app.turn_on_totp(&cookie).await;
        let organization = organization.to_string();
        let method = app
            .count("SELECT id FROM second_factors ORDER BY id LIMIT 1")
            .await
            .to_string();
        let wrong = "not the password at all";
        // Every server function that asks for the password again, with a wrong one.
        let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
            (
                "change_password",
                vec![
                    ("current_password", wrong),
                    ("new_password", "another long phrase entirely"),
                    ("confirm_password", "another long phrase entirely"),
                ],
            ),
            (
                "request_email_change",
                vec![("new_email", "new@example.com"), ("password", wrong)],
            ),
            (
                "set_recovery_contacts",
                vec![
                    ("recovery_email", "backup@example.com"),
                    ("recovery_phone", ""),
                    ("password", wrong),
                ],
            ),
            ("generate_backup_codes", vec![("password", wrong)]),
            (
                "remove_method",
                vec![("method_id", &method), ("password", wrong)],
            ),
            ("disable_two_factor", vec![("password", wrong)]),
            (
                "delete_organization",
                vec![("organization_id", &organization), ("password", wrong)],
            ),
            (
                "delete_my_account",
                vec![("password", wrong), ("understood", "on")],
            ),
        ];
        for (n, (name, form)) in calls.iter().enumerate() {
            let reply = app.call(name, Some(&cookie), form).await;
            assert_eq!(reply.code(), "validation", "{name}: {}", reply.body);
            assert_eq!(
                failures(&app, email).await,
                (n as i64 + 1, false),
                "{name} counted the wrong password"
            );
        }
        // Two more (the default threshold is 10) lock the account, with the unlock email.
        for _ in 0..2 {
            app.call(
                "generate_backup_codes",
                Some(&cookie),
                &[("password", wrong)],
            )
            .await;
        }
        assert_eq!(failures(&app, email).await, (10, true));
        assert!(app.mailed_token(email, "/unlock").await.is_some());
        // The session that guessed is ended with the lock; another one, still open, gets
        // nothing confirmed either, even with the right password.
        assert_eq!(
            app.call("my_account", Some(&cookie), &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        let right = app
            .call(
                "generate_backup_codes",
                Some(&other),
                &[("password", common::PASSWORD)],
            )
            .await;
        assert_eq!(right.code(), "account_locked", "{}", right.body);
        let sign_in = app
            .call(
                "sign_in",
                None,
                &[("email", email), ("password", common::PASSWORD)],
            )
            .await;
        assert_eq!(sign_in.code(), "account_locked");
        // Each failure is in the person's activity log.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'password_check_failed'")
                .await,
            10
        );
    }
);

on_every_backend!(
    a_right_confirmation_starts_the_count_again,
    |app: TestApp| async move {
        let email = "forgetful@example.com";
        let (cookie, _) = app.sign_up(email, "Fay", "Forgetful").await;
        for password in ["wrong one", "wrong two"] {
            app.call(
                "generate_backup_codes",
                Some(&cookie),
                &[("password", password)],
            )
            .await;
        }
        assert_eq!(failures(&app, email).await, (2, false));
        app.call(
            "set_recovery_contacts",
            Some(&cookie),
            &[
                ("recovery_email", ""),
                ("recovery_phone", ""),
                ("password", common::PASSWORD),
            ],
        )
        .await;
        assert_eq!(failures(&app, email).await, (0, false));
    }
);

fn basic(email: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{secret}"))
    )
}

on_every_backend!(
    application_passwords_count_failures_and_stop_while_locked,
    |app: TestApp| async move {
        let email = "integrator@example.com";
        let (cookie, _) = app.sign_up(email, "Ian", "Integrator").await;
        let password = app
            .call(
                "create_app_password",
                Some(&cookie),
                &[("name", "Mail app")],
            )
            .await;
        let secret = password.json()["secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let token = app
            .call(
                "create_api_token",
                Some(&cookie),
                &[
                    ("name", "Backup"),
                    ("scope", "read"),
                    ("expires_in_days", "30"),
                ],
            )
            .await;
        let token = token.json()["secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let as_program = |authorization: String| {
            let app = &app;
            async move {
                app.call_with("my_account", &[("authorization", &authorization)], &[])
                    .await
            }
        };
        assert_eq!(
            as_program(basic(email, &secret)).await.status,
            StatusCode::OK
        );

        // Wrong application passwords count like wrong passwords at sign-in…
        for n in 1..=10 {
            let reply = as_program(basic(email, "wrong-wrong-wrong-wrong")).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
            assert_eq!(failures(&app, email).await.0, n);
        }
        // …lock the account at its threshold, with the unlock email…
        assert_eq!(failures(&app, email).await, (10, true));
        assert!(app.mailed_token(email, "/unlock").await.is_some());
        // …and then the right application password is refused too, until unlocked.
        let locked = as_program(basic(email, &secret)).await;
        assert_eq!(locked.code(), "account_locked", "{}", locked.body);
        // API tokens keep working: a lockout anyone can set off must not break integrations.
        let by_token = as_program(format!("Bearer {token}")).await;
        assert_eq!(by_token.status, StatusCode::OK, "{}", by_token.body);

        let unlock = app.mailed_token(email, "/unlock").await.unwrap_or_default();
        let unlocked = app
            .call("unlock_with_link", None, &[("token", &unlock)])
            .await;
        assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
        assert_eq!(
            as_program(basic(email, &secret)).await.status,
            StatusCode::OK
        );
    }
);

on_every_backend!(
    a_threshold_lowered_below_the_count_locks_with_the_unlock_email,
    |app: TestApp| async move {
        let email = "lowered@example.com";
        let (cookie, _) = app.sign_up(email, "Lea", "Lowered").await;
        for _ in 0..5 {
            app.call(
                "sign_in",
                None,
                &[("email", email), ("password", "wrong guess")],
            )
            .await;
        }
        assert_eq!(failures(&app, email).await, (5, false));
        let saved = app
            .call(
                "save_safety_settings",
                Some(&cookie),
                &[("lockout_threshold", "3")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        app.call(
            "sign_in",
            None,
            &[("email", email), ("password", "wrong guess")],
        )
        .await;
        assert_eq!(failures(&app, email).await, (6, true));
        assert!(
            app.mailed_token(email, "/unlock").await.is_some(),
            "the failure that locked the account sent its unlock link"
        );
        // The next failures send nothing more.
        app.call(
            "sign_in",
            None,
            &[("email", email), ("password", "wrong guess")],
        )
        .await;
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM outbox WHERE recipient = '{email}' AND subject LIKE '%locked%'"
            ))
            .await,
            1
        );
    }
);

on_every_backend!(
    pages_and_answers_for_a_signed_in_person_are_never_stored,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("private@example.com", "Pia", "Private").await;
        let page = app
            .send(
                Method::GET,
                &format!("/o/{organization}"),
                &[("cookie", &cookie)],
                String::new(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let answer = app.call("my_account", Some(&cookie), &[]).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer
                .headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let sign_in_page = app.send(Method::GET, "/login", &[], String::new()).await;
        assert_eq!(
            sign_in_page
                .headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "every page carries a nonce meant for one response"
        );
    }
);

on_every_backend!(
    secure_session_cookies_are_host_prefixed,
    settings: app::state::Settings {
        cookie_security: app::state::CookieSecurity::Always,
        ..app::state::Settings::default()
    },
    |app: TestApp| async move {
        let reply = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", "host@example.com"),
                    ("first_name", "Hal"),
                    ("last_name", "Host"),
                    ("password", common::PASSWORD),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reply = app.confirm_sign_up("host@example.com").await;
        let cookie = reply.set_cookie().unwrap_or_default();
        assert!(cookie.starts_with("__Host-steward_session="), "{cookie}");
        assert!(
            cookie.contains("; Path=/;") && cookie.contains("; Secure") && !cookie.contains("Domain"),
            "{cookie}"
        );
        let pair = reply.session_cookie().unwrap_or_default();
        assert_eq!(
            app.call("my_account", Some(&pair), &[]).await.status,
            StatusCode::OK
        );
        // The same token under the plain name (as a subdomain or an http page could plant it)
        // is not a session here.
        let planted = pair.replace("__Host-steward_session=", "steward_session=");
        assert_eq!(
            app.call("my_account", Some(&planted), &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

on_every_backend!(
    a_browser_session_ends_after_30_idle_minutes_a_remembered_one_does_not,
    |app: TestApp| async move {
        assert_eq!(app.state.settings.session_idle_seconds, 30 * 60);
        app.sign_up("idle@example.com", "Ida", "Idle").await;
        let browser = app.sign_in("idle@example.com").await;
        let remembered = app
            .call(
                "sign_in",
                None,
                &[
                    ("email", "idle@example.com"),
                    ("password", common::PASSWORD),
                    ("remember", "on"),
                ],
            )
            .await
            .session_cookie()
            .unwrap_or_default();
        app.clock.advance(29 * 60);
        assert_eq!(
            app.call("my_account", Some(&browser), &[]).await.status,
            StatusCode::OK
        );
        app.clock.advance(30 * 60 + 1);
        assert_eq!(
            app.call("my_account", Some(&browser), &[]).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call("my_account", Some(&remembered), &[]).await.status,
            StatusCode::OK
        );
    }
);

on_every_backend!(
    a_weaker_password_hash_is_renewed_at_the_next_sign_in,
    |app: TestApp| async move {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let email = "legacy@example.com";
        app.sign_up(email, "Leo", "Legacy").await;
        let weak = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(4_096, 1, 1, None).expect("params"),
        )
        .hash_password(
            common::PASSWORD.as_bytes(),
            &SaltString::generate(&mut rand::rngs::OsRng),
        )
        .expect("hash")
        .to_string();
        let weak = app::password::HashedPassword::from_phc(weak);
        let user = app
            .count(&format!("SELECT id FROM users WHERE email = '{email}'"))
            .await;
        let mut tx = app.state.db.write().await.expect("tx");
        app::account::store::set_password_hash(&mut tx, user, &weak)
            .await
            .expect("store");
        tx.commit().await.expect("commit");

        app.sign_in(email).await;
        let stored = app
            .texts(&format!(
                "SELECT password_hash FROM users WHERE id = {user}"
            ))
            .await;
        assert!(
            stored[0].starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            stored[0]
        );
        // The renewed hash is the same password.
        app.sign_in(email).await;
    }
);

on_every_backend!(
    malformed_input_is_a_client_error_for_every_server_function,
    |app: TestApp| async move {
        let (_, organization) = app.sign_up("fuzzy@example.com", "Fuz", "Fuzzy").await;
        let form = "application/x-www-form-urlencoded";
        let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
            ("empty", form, Vec::new()),
            ("truncated", form, b"organization_id=1&name=%E2%8".to_vec()),
            (
                "not UTF-8",
                form,
                b"organization_id=1&name=\xff\xfe\xfd".to_vec(),
            ),
            (
                "bracket syntax",
                form,
                b"organization_id[a]=1&name[]=x".to_vec(),
            ),
            (
                "duplicate fields",
                form,
                b"organization_id=1&organization_id=2&name=a&name=b".to_vec(),
            ),
            (
                "non-number ids",
                form,
                b"organization_id=abc&product_id=1.5&tag_id=-&user_id=1e9&method_id=x&id=%00"
                    .to_vec(),
            ),
            (
                "JSON to a form endpoint",
                "application/json",
                br#"{"organization_id":1,"name":"x"}"#.to_vec(),
            ),
            (
                "JSON with a form type",
                form,
                br#"{"organization_id":1}"#.to_vec(),
            ),
            ("no content type", "", b"organization_id=1".to_vec()),
        ];
        for row in app::policy::SERVER_FUNCTIONS {
            // Signed in afresh for each function: some (sign out) end the session.
            let cookie = app.sign_in("fuzzy@example.com").await;
            for (what, content_type, body) in &bodies {
                let mut headers = vec![
                    ("sec-fetch-site", "same-origin"),
                    ("accept", "application/json"),
                    ("cookie", cookie.as_str()),
                ];
                if !content_type.is_empty() {
                    headers.push(("content-type", content_type));
                }
                let reply = app
                    .send_bytes(
                        Method::POST,
                        &format!("/api/{}", row.endpoint),
                        &headers,
                        body.clone(),
                    )
                    .await;
                assert!(
                    !reply.status.is_server_error(),
                    "{} with {what}: {} {}",
                    row.endpoint,
                    reply.status,
                    reply.body
                );
                if reply.status.is_client_error() {
                    assert!(
                        !reply.code().is_empty(),
                        "{} with {what}: no stable code in {}",
                        row.endpoint,
                        reply.body
                    );
                }
            }
        }
        // Nothing above changed the organization.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM organizations WHERE id = {organization}"
            ))
            .await,
            1
        );
    }
);

on_every_backend!(
    every_email_survives_the_longest_names_validation_accepts,
    |app: TestApp| async move {
        use app::mail::deliver::{self, MailSettings, Mailer, Transport};
        let longest = |c: &str| c.repeat(100);
        let boss_email = format!("{}@example.com", "b".repeat(64));
        let reply = app
            .call(
                "sign_up",
                None,
                &[
                    ("email", &boss_email),
                    ("first_name", &longest("É")),
                    ("last_name", &longest("Ö")),
                    ("password", common::PASSWORD),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reply = app.confirm_sign_up(&boss_email).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let boss = reply.session_cookie().unwrap_or_default();
        let organization = reply.json()["redirect"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("/o/")
            .to_owned();
        let renamed = app
            .call(
                "rename_organization",
                Some(&boss),
                &[("organization_id", &organization), ("name", &longest("Ä"))],
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);

        // An invitation, accepted by a person with the longest names too.
        let invited = format!("{}@example.com", "i".repeat(64));
        let sent = app
            .call(
                "invite_person",
                Some(&boss),
                &[
                    ("organization_id", &organization),
                    ("email", &invited),
                    ("role", "administrator"),
                    ("products", ""),
                    ("billing", ""),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let bodies = app.mail_bodies(&format!("recipient = '{invited}'")).await;
        let token = bodies[0]
            .split("&token=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_default()
            .to_owned();
        let joined = app
            .call(
                "join_with_new_account",
                None,
                &[
                    ("organization_id", &organization),
                    ("token", &token),
                    ("first_name", &longest("Ü")),
                    ("last_name", &longest("ß")),
                    ("password", common::PASSWORD),
                ],
            )
            .await;
        assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
        let member = app
            .count(&format!("SELECT id FROM users WHERE email = '{invited}'"))
            .await
            .to_string();
        for (name, form) in [
            ("change_role", vec![("role", "collaborator")]),
            ("set_member_blocked", vec![("blocked", "true")]),
            ("set_member_blocked", vec![("blocked", "false")]),
        ] {
            let mut form = form;
            form.push(("organization_id", &organization));
            form.push(("user_id", &member));
            let reply = app.call(name, Some(&boss), &form).await;
            assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
        }
        let product = app
            .add_products(organization.parse().unwrap_or_default(), &[&"p".repeat(60)])
            .await[0]
            .to_string();
        let blocked = app
            .call(
                "set_product_blocked",
                Some(&boss),
                &[
                    ("organization_id", &organization),
                    ("product_id", &product),
                    ("blocked", "true"),
                ],
            )
            .await;
        assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
        // A failed sign-in with the alert on, and the lockout email.
        app.call(
            "save_safety_settings",
            Some(&boss),
            &[
                ("alert_on_sign_in", "on"),
                ("alert_on_failed_sign_in", "on"),
                ("lockout_threshold", "3"),
            ],
        )
        .await;
        for _ in 0..3 {
            app.call(
                "sign_in",
                None,
                &[("email", &boss_email), ("password", "wrong guess")],
            )
            .await;
        }

        // A password reset link, and a sign-up attempt on the taken address.
        app.clock.advance(3600);
        app.call("request_password_reset", None, &[("email", &boss_email)])
            .await;
        app.call(
            "sign_up",
            None,
            &[
                ("email", &boss_email),
                ("first_name", &longest("É")),
                ("last_name", &longest("Ö")),
                ("password", common::PASSWORD),
            ],
        )
        .await;
        for subject in ["Reset your Steward password", "Someone tried to create%"] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM outbox WHERE subject LIKE '{subject}'"
                ))
                .await,
                1,
                "{subject}"
            );
        }

        let queued = app.count("SELECT COUNT(*) FROM outbox").await;
        assert!(queued >= 8, "{queued} messages");
        let dir =
            std::env::temp_dir().join(format!("steward-long-{}", common::unique_address("d")));
        let mailer = Mailer::new(&MailSettings {
            from: "Steward <steward@localhost>".into(),
            transport: Transport::Files(dir.clone()),
        })
        .expect("mailer");
        let sent = deliver::deliver_due(&app.state, &mailer)
            .await
            .expect("deliver");
        assert_eq!(sent as i64, queued, "every message was delivered");
        for subject in app.texts("SELECT subject FROM outbox").await {
            assert!(
                subject.chars().count() <= app::mail::SUBJECT_MAX_CHARS,
                "{subject}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
);

on_every_backend!(
    the_activity_filter_offers_only_products_i_reach_even_with_equal_names,
    |app: TestApp| async move {
        use app::products::store::{grant_access, insert, NewProduct};
        use app::products::{ProductKind, ProductStatus};
        let (_, organization) = app.sign_up("chief@example.com", "Cat", "Chief").await;
        let (_, _) = app.sign_up("helper@example.com", "Hel", "Helper").await;
        let helper = app
            .add_member(
                organization,
                "helper@example.com",
                app::policy::Role::Collaborator,
            )
            .await;
        let now = app.state.now();
        let mut tx = app.state.db.write().await.expect("tx");
        let product = |kind| NewProduct {
            organization_id: organization,
            kind,
            name: "shop.example",
            status: ProductStatus::Active,
            expires_at: None,
            holder: "Holder AG",
            at: now,
        };
        let domain = insert(&mut tx, &product(ProductKind::Domain))
            .await
            .expect("domain");
        let hidden = insert(&mut tx, &product(ProductKind::MailService))
            .await
            .expect("mail service");
        grant_access(&mut tx, domain, helper, false, now)
            .await
            .expect("grant");
        tx.commit().await.expect("commit");

        let cookie = app.sign_in("helper@example.com").await;
        let choices = app
            .call(
                "activity_filter_choices",
                Some(&cookie),
                &[("organization_id", &organization.to_string())],
            )
            .await;
        assert_eq!(choices.status, StatusCode::OK, "{}", choices.body);
        let ids: Vec<i64> = choices.json()["products"]
            .as_array()
            .map(|list| list.iter().filter_map(|p| p["id"].as_i64()).collect())
            .unwrap_or_default();
        assert_eq!(
            ids,
            vec![domain],
            "not the mail service {hidden} of the same name"
        );
    }
);

on_every_backend!(
    a_save_from_a_stale_page_is_refused_and_overwrites_nothing,
    |app: TestApp| async move {
        let (alice, organization) = app.sign_up("alice@example.com", "Alice", "First").await;
        app.sign_up("bob@example.com", "Bob", "Second").await;
        app.add_member(
            organization,
            "bob@example.com",
            app::policy::Role::Administrator,
        )
        .await;
        let bob = app.sign_in("bob@example.com").await;
        let organization = organization.to_string();

        // A tag both open at version 1; Alice saves first, Bob's save is then stale.
        let created = app
            .call(
                "create_tag",
                Some(&alice),
                &[
                    ("organization_id", &organization),
                    ("name", "VIP"),
                    ("colour", "blue"),
                ],
            )
            .await;
        let tag = created.json()["id"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        let listed = app
            .call(
                "list_tags",
                Some(&bob),
                &[("organization_id", &organization)],
            )
            .await;
        let version = listed.json()[0]["version"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        let save = |who: &str, name: &str, colour: &str| {
            let (who, name, colour) = (who.to_owned(), name.to_owned(), colour.to_owned());
            let (app, organization, tag, version) = (&app, &organization, &tag, &version);
            async move {
                app.call(
                    "update_tag",
                    Some(&who),
                    &[
                        ("organization_id", organization),
                        ("tag_id", tag),
                        ("name", &name),
                        ("colour", &colour),
                        ("version", version),
                    ],
                )
                .await
            }
        };
        assert_eq!(
            save(&alice, "VIP client", "green").await.status,
            StatusCode::OK
        );
        let stale = save(&bob, "Important", "red").await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert_eq!(stale.code(), "stale");
        assert_eq!(
            app.texts("SELECT name || ' ' || colour FROM tags").await,
            vec!["VIP client green".to_owned()]
        );

        // The organization's name, from the settings page.
        let settings = app
            .call(
                "organization_settings",
                Some(&bob),
                &[("organization_id", &organization)],
            )
            .await;
        let version = settings.json()["version"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        for (who, name, status) in [
            (&alice, "Renamed by Alice", StatusCode::OK),
            (&bob, "Renamed by Bob", StatusCode::CONFLICT),
        ] {
            let reply = app
                .call(
                    "rename_organization",
                    Some(who),
                    &[
                        ("organization_id", &organization),
                        ("name", name),
                        ("version", &version),
                    ],
                )
                .await;
            assert_eq!(reply.status, status, "{}", reply.body);
        }
        assert_eq!(
            app.texts(&format!(
                "SELECT name FROM organizations WHERE id = {organization}"
            ))
            .await,
            vec!["Renamed by Alice".to_owned()]
        );

        // My own name, from two tabs.
        let me = app.call("my_account", Some(&alice), &[]).await;
        let version = me.json()["version"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        for (last, status) in [
            ("Tab One", StatusCode::OK),
            ("Tab Two", StatusCode::CONFLICT),
        ] {
            let reply = app
                .call(
                    "change_my_name",
                    Some(&alice),
                    &[
                        ("first_name", "Alice"),
                        ("last_name", last),
                        ("version", &version),
                    ],
                )
                .await;
            assert_eq!(reply.status, status, "{}", reply.body);
        }
        assert_eq!(
            app.texts("SELECT last_name FROM users WHERE email = 'alice@example.com'")
                .await,
            vec!["Tab One".to_owned()]
        );
        // My sign-in alert and lockout settings, from two tabs.
        let safety = app.call("my_safety_settings", Some(&alice), &[]).await;
        let version = safety.json()["version"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        for (threshold, status) in [("5", StatusCode::OK), ("15", StatusCode::CONFLICT)] {
            let reply = app
                .call(
                    "save_safety_settings",
                    Some(&alice),
                    &[("lockout_threshold", threshold), ("version", &version)],
                )
                .await;
            assert_eq!(reply.status, status, "{}", reply.body);
        }
        assert_eq!(
            app.count("SELECT lockout_threshold FROM users WHERE email = 'alice@example.com'")
                .await,
            5
        );
        // My recovery contacts, from two tabs.
        let contacts = app.call("my_contacts", Some(&alice), &[]).await;
        let version = contacts.json()["version"]
            .as_i64()
            .unwrap_or_default()
            .to_string();
        for (phone, status) in [
            ("+41791111111", StatusCode::OK),
            ("+41792222222", StatusCode::CONFLICT),
        ] {
            let reply = app
                .call(
                    "set_recovery_contacts",
                    Some(&alice),
                    &[
                        ("recovery_email", ""),
                        ("recovery_phone", phone),
                        ("password", common::PASSWORD),
                        ("version", &version),
                    ],
                )
                .await;
            assert_eq!(reply.status, status, "{}", reply.body);
        }
        assert_eq!(
            app.texts("SELECT recovery_phone FROM users WHERE email = 'alice@example.com'")
                .await,
            vec!["+41791111111".to_owned()]
        );
        // Refused saves wrote nothing to the log either.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action IN ('tag_changed', 'organization_renamed', 'profile_changed', 'safety_settings_changed', 'recovery_contacts_changed')")
                .await,
            5
        );
    }
);
