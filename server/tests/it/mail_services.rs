//! Mail services (MAIL-1..5) on SQLite and Postgres: addresses at the organization's domains,
//! users with the 11 permissions, the global configuration pre-selected and applied in bulk
//! (replacing, exactly the ticked addresses, one log entry per changed user), the "confirm it's
//! you" step before permissions change, maintenance, device passwords (shown once, only a keyed
//! hash stored, changed, disconnected, the generic one not resettable), setup links (single use,
//! 30 days) and the device-authentication endpoint the operator's mail servers call.

use crate::common;

use app::policy::Role;
use app::state::Settings;
use common::TestApp;
use http::{Method, StatusCode};
use serde_json::Value;

const DAY: i64 = 24 * 3600;
const MAIL_SERVER_SECRET: &str = "a-mail-server-secret-of-at-least-32-characters";

fn settings() -> Settings {
    Settings {
        mail_auth_token: Some(app::tokens::hash_token(MAIL_SERVER_SECRET)),
        ..Settings::default()
    }
}

/// An organization with a domain and a mail service; its legal representative signed in.
struct Service {
    cookie: String,
    email: String,
    organization: String,
    product: String,
}

async fn service(app: &TestApp) -> Service {
    let email = common::unique_address("lr");
    let (cookie, organization) = app.sign_up(&email, "Lena", "Legal").await;
    app.add_products(organization, &["acme.ch", "acme-shop.com"])
        .await;
    let product = {
        use app::products::store::{insert, NewProduct};
        let mut tx = app.state.db.write().await.expect("tx");
        let id = insert(
            &mut tx,
            &NewProduct {
                organization_id: organization,
                kind: app::products::ProductKind::MailService,
                name: "Acme mail",
                status: app::products::ProductStatus::Active,
                expires_at: None,
                holder: "Acme AG",
                at: app.state.now(),
            },
        )
        .await
        .expect("mail service");
        tx.commit().await.expect("commit");
        id
    };
    Service {
        cookie,
        email,
        organization: organization.to_string(),
        product: product.to_string(),
    }
}

impl Service {
    async fn call(&self, app: &TestApp, name: &str, form: &[(&str, &str)]) -> common::Reply {
        self.call_as(app, &self.cookie, name, form).await
    }

    async fn call_as(
        &self,
        app: &TestApp,
        cookie: &str,
        name: &str,
        form: &[(&str, &str)],
    ) -> common::Reply {
        let mut all = vec![
            ("organization_id", self.organization.as_str()),
            ("product_id", self.product.as_str()),
        ];
        all.extend_from_slice(form);
        app.call(name, Some(cookie), &all).await
    }

    async fn ok(&self, app: &TestApp, name: &str, form: &[(&str, &str)]) -> Value {
        let reply = self.call(app, name, form).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
        reply.json()
    }

    async fn create(&self, app: &TestApp, local: &str, users: &str, rights: &str) -> String {
        self.ok(
            app,
            "create_mail_address",
            &[
                ("local_part", local),
                ("domain", "acme.ch"),
                ("users", users),
                ("rights", rights),
            ],
        )
        .await
        .as_i64()
        .expect("address id")
        .to_string()
    }

    async fn address(&self, app: &TestApp, id: &str) -> Value {
        self.ok(app, "mail_address", &[("mail_address_id", id)])
            .await
    }

    /// The rights of each user of an address, by email.
    async fn rights(&self, app: &TestApp, id: &str) -> Vec<(String, u64)> {
        self.address(app, id).await["users"]
            .as_array()
            .expect("users")
            .iter()
            .map(|u| {
                (
                    u["email"].as_str().unwrap_or_default().to_owned(),
                    u["rights"].as_u64().expect("rights"),
                )
            })
            .collect()
    }

    async fn first_user(&self, app: &TestApp, id: &str) -> String {
        self.address(app, id).await["users"][0]["id"]
            .as_i64()
            .expect("user")
            .to_string()
    }

    async fn new_device(&self, app: &TestApp, user: &str, name: &str) -> (String, String) {
        let password = app::mailboxes::device::generate();
        let made = self
            .ok(
                app,
                "create_device_password",
                &[
                    ("mail_user_id", user),
                    ("name", name),
                    ("password", &password),
                ],
            )
            .await;
        assert_eq!(made["password"], password.as_str());
        // With the servers the mail client needs, and the same in an Apple profile.
        let address = made["servers"]["address"]
            .as_str()
            .expect("address")
            .to_owned();
        let domain = address.rsplit_once('@').expect("an address").1;
        assert_eq!(made["servers"]["imap"]["host"], format!("mail.{domain}"));
        assert_eq!(made["servers"]["imap"]["port"], 993);
        assert_eq!(made["servers"]["smtp"]["port"], 465);
        let profile = made["profile"].as_str().expect("profile");
        assert!(profile.contains(&format!(
            "<key>EmailAddress</key><string>{address}</string>"
        )));
        assert!(profile.contains(&format!(
            "<key>IncomingPassword</key><string>{password}</string>"
        )));
        (
            made["device_id"].as_i64().expect("id").to_string(),
            password,
        )
    }
}

on_every_backend!(
    thunderbird_finds_the_servers_of_an_address,
    |app: TestApp| async move {
        let reply = app
            .send(
                http::Method::GET,
                "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=anna%40cafe-du-lac.ch",
                &[],
                String::new(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(
            reply.body.contains("<domain>cafe-du-lac.ch</domain>"),
            "{}",
            reply.body
        );
        assert!(reply
            .body
            .contains("<hostname>mail.cafe-du-lac.ch</hostname>"));
        let nonsense = app
            .send(
                http::Method::GET,
                "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=%3Cscript%3E",
                &[],
                String::new(),
            )
            .await;
        assert_eq!(nonsense.status, StatusCode::NOT_FOUND);

        // iPhone and iPad install a profile from an https link, and ask for its password.
        let apple = app
            .send_bytes(
                http::Method::GET,
                "/mail-setup/apple.mobileconfig?emailaddress=Anna%40Cafe-du-Lac.ch",
                &[],
                Vec::new(),
            )
            .await;
        assert_eq!(apple.status, StatusCode::OK);
        assert_eq!(
            apple.headers[http::header::CONTENT_TYPE],
            "application/x-apple-aspen-config"
        );
        assert_eq!(
            apple.headers[http::header::CONTENT_DISPOSITION],
            "attachment; filename=\"anna@cafe-du-lac.ch.mobileconfig\""
        );
        let profile = String::from_utf8_lossy(&apple.bytes).into_owned();
        assert!(
            profile.contains(
                "<key>IncomingMailServerHostName</key><string>mail.cafe-du-lac.ch</string>"
            ),
            "{profile}"
        );
        assert!(
            !profile.contains("<key>IncomingPassword</key>"),
            "no password in a public profile"
        );
    }
);

/// The device-authentication endpoint, as the operator's mail server calls it.
async fn device_auth(app: &TestApp, address: &str, password: &str) -> (StatusCode, String) {
    device_auth_from(app, address, password, "198.51.100.4").await
}

/// A device sign-in from the client address `ip`: the status, and the reason ("allowed",
/// "wrong_password", …).
async fn device_auth_from(
    app: &TestApp,
    address: &str,
    password: &str,
    ip: &str,
) -> (StatusCode, String) {
    let body = serde_json::json!({ "address": address, "password": password, "remote_ip": ip })
        .to_string();
    let bearer = format!("Bearer {MAIL_SERVER_SECRET}");
    let reply = app
        .send(
            Method::POST,
            "/mail/device-auth",
            &[
                ("authorization", &bearer),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await;
    let reason = if reply.status == StatusCode::OK {
        assert_eq!(reply.json()["allowed"], true, "{}", reply.body);
        "allowed".to_owned()
    } else {
        reply.json()["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    (reply.status, reason)
}

fn bits(names: &str) -> u64 {
    app::mailboxes::Rights::parse(names).expect("rights").bits() as u64
}

async fn log_count(app: &TestApp, action: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM activity_log WHERE action = '{action}'"
    ))
    .await
}

on_every_backend!(
    addresses_are_created_with_the_global_configuration_preselected,
    |app: TestApp| async move {
        let s = service(&app).await;
        let facts = s.ok(&app, "mail_service", &[]).await;
        assert_eq!(facts["defaults"], bits("devices,responders,signatures,redirections,aliases,action_history,restorations,filters,rules,folders,security"));
        assert_eq!(
            facts["domains"],
            serde_json::json!(["acme-shop.com", "acme.ch"])
        );
        s.ok(
            &app,
            "set_mail_defaults",
            &[("rights", "devices,responders,signatures")],
        )
        .await;
        let facts = s.ok(&app, "mail_service", &[]).await;
        let defaults = facts["defaults"].as_u64().expect("defaults");
        assert_eq!(defaults, bits("devices,responders,signatures"));

        let outsider = common::unique_address("outsider");
        let id = s
            .create(
                &app,
                "Info",
                &format!("{}\n{outsider}", s.email),
                "devices,responders,signatures",
            )
            .await;
        let address = s.address(&app, &id).await;
        assert_eq!(address["address"], "info@acme.ch");
        let users = address["users"].as_array().expect("users").clone();
        assert_eq!(users.len(), 2);
        for user in &users {
            assert_eq!(user["rights"].as_u64(), Some(defaults));
            assert_eq!(user["as_defaults"], true);
        }
        let member = users
            .iter()
            .find(|u| u["email"] == s.email.as_str())
            .expect("member");
        assert_eq!(member["member"], true);
        let outside = users
            .iter()
            .find(|u| u["email"] == outsider.as_str())
            .expect("outsider");
        assert_eq!(outside["member"], false);
        // Each user is told, in the same transaction.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM outbox WHERE recipient = '{outsider}' AND subject LIKE '%info@acme.ch%'"
            ))
            .await,
            1
        );
        assert_eq!(log_count(&app, "mail_address_created").await, 1);
        assert_eq!(log_count(&app, "mail_user_added").await, 2);

        // Refusals, each in words, nothing stored.
        for (local, domain, users, field) in [
            ("info", "acme.ch", "", "local_part"),
            ("bad..dots", "acme.ch", "", "local_part"),
            ("sales", "elsewhere.ch", "", "domain"),
            ("sales", "acme.ch", "not-an-address", "users"),
        ] {
            let reply = s
                .call(
                    &app,
                    "create_mail_address",
                    &[
                        ("local_part", local),
                        ("domain", domain),
                        ("users", users),
                        ("rights", ""),
                    ],
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                reply.body
            );
            assert_eq!(reply.json()["field"], field, "{}", reply.body);
        }
        let unknown = s
            .call(
                &app,
                "create_mail_address",
                &[
                    ("local_part", "x"),
                    ("domain", "acme.ch"),
                    ("users", ""),
                    ("rights", "admin"),
                ],
            )
            .await;
        assert_eq!(unknown.json()["field"], "rights");
        assert_eq!(app.count("SELECT COUNT(*) FROM mail_addresses").await, 1);

        // The outsider, once they have an account with that address, sees it in their own view.
        let (cookie, _) = app.sign_up(&outsider, "Olga", "Outside").await;
        let mine = app.call("my_mail_addresses", Some(&cookie), &[]).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        assert_eq!(mine.json()[0]["address"], "info@acme.ch");
        assert_eq!(mine.json()[0]["rights"].as_u64(), Some(defaults));
    }
);

on_every_backend!(
    the_global_configuration_applied_in_bulk_replaces_exactly_the_ticked_addresses,
    |app: TestApp| async move {
        let s = service(&app).await;
        let people: Vec<String> = (0..3)
            .map(|i| common::unique_address(&format!("p{i}")))
            .collect();
        let a = s.create(&app, "a", &people[0], "rules,folders").await;
        let b = s
            .create(
                &app,
                "b",
                &format!("{}\n{}", people[1], people[2]),
                "devices",
            )
            .await;
        let c = s.create(&app, "c", &people[2], "security").await;
        // One user of b already stands as the configuration will: not a change, not logged.
        let b_users = s.address(&app, &b).await["users"].clone();
        let already = b_users
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["email"] == people[2].as_str())
            .expect("user")["id"]
            .to_string();
        s.ok(
            &app,
            "set_mail_rights",
            &[
                ("mail_user_id", &already),
                ("rights", "responders,signatures"),
            ],
        )
        .await;
        s.ok(
            &app,
            "set_mail_defaults",
            &[("rights", "responders,signatures")],
        )
        .await;
        let before = log_count(&app, "mail_rights_changed").await;

        let applied = s
            .ok(
                &app,
                "apply_global_configuration",
                &[
                    ("mail_address_ids", &format!("{a},{b}")),
                    ("mail_user_id", "0"),
                ],
            )
            .await;
        assert_eq!(applied, 2, "two users changed, one already stood so");
        let config = bits("responders,signatures");
        // Replaced, not merged: rules, folders and devices are gone.
        for id in [&a, &b] {
            for (email, rights) in s.rights(&app, id).await {
                assert_eq!(rights, config, "{email} on {id}");
            }
        }
        assert_eq!(
            s.rights(&app, &c).await,
            vec![(people[2].clone(), bits("security"))]
        );
        assert_eq!(log_count(&app, "mail_rights_changed").await, before + 2);

        // To one user, from the rights editor.
        let on_c = s.first_user(&app, &c).await;
        let one = s
            .ok(
                &app,
                "apply_global_configuration",
                &[("mail_address_ids", ""), ("mail_user_id", &on_c)],
            )
            .await;
        assert_eq!(one, 1);
        assert_eq!(s.rights(&app, &c).await, vec![(people[2].clone(), config)]);

        // An address of another service among the ticked ones: not found, nothing changed.
        let other = service(&app).await;
        let foreign = other.create(&app, "z", &people[0], "rules").await;
        s.ok(&app, "set_mail_defaults", &[("rights", "")]).await;
        let refused = s
            .call(
                &app,
                "apply_global_configuration",
                &[
                    ("mail_address_ids", &format!("{a},{foreign}")),
                    ("mail_user_id", "0"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        assert_eq!(s.rights(&app, &a).await[0].1, config);
        assert_eq!(other.rights(&app, &foreign).await[0].1, bits("rules"));
        let foreign_user = other.first_user(&app, &foreign).await;
        let refused = s
            .call(
                &app,
                "apply_global_configuration",
                &[("mail_address_ids", ""), ("mail_user_id", &foreign_user)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        assert_eq!(other.rights(&app, &foreign).await[0].1, bits("rules"));
        let nothing = s
            .call(
                &app,
                "apply_global_configuration",
                &[("mail_address_ids", ""), ("mail_user_id", "0")],
            )
            .await;
        assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

on_every_backend!(
    changing_permissions_asks_to_confirm_it_is_you_after_ten_minutes,
    |app: TestApp| async move {
        let s = service(&app).await;
        let id = s.create(&app, "team", &s.email, "devices").await;
        let user = s.first_user(&app, &id).await;
        app.clock.advance(11 * 60);
        for (name, form) in [
            (
                "set_mail_rights",
                vec![("mail_user_id", user.as_str()), ("rights", "rules")],
            ),
            ("set_mail_defaults", vec![("rights", "rules")]),
            (
                "apply_global_configuration",
                vec![("mail_address_ids", id.as_str()), ("mail_user_id", "0")],
            ),
        ] {
            let reply = s.call(&app, name, &form).await;
            assert_eq!(
                reply.code(),
                "confirmation_required",
                "{name}: {}",
                reply.body
            );
        }
        assert_eq!(s.rights(&app, &id).await[0].1, bits("devices"));
        let confirmed = app
            .call(
                "confirm_identity",
                Some(&s.cookie),
                &[("password", common::PASSWORD)],
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        s.ok(
            &app,
            "set_mail_rights",
            &[("mail_user_id", &user), ("rights", "rules")],
        )
        .await;
        assert_eq!(s.rights(&app, &id).await[0].1, bits("rules"));
    }
);

on_every_backend!(
    maintenance_refuses_devices_and_lifting_it_restores_them,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        let id = s.create(&app, "desk", &s.email, "devices").await;
        let user = s.first_user(&app, &id).await;
        let (_, password) = s.new_device(&app, &user, "Laptop").await;
        assert_eq!(device_auth(&app, "desk@acme.ch", &password).await, (StatusCode::OK, "allowed".into()));
        assert!(app.count("SELECT COUNT(*) FROM mail_devices WHERE last_used_at IS NOT NULL").await == 1);

        // A collaborator with access manages the service, but cannot put it into maintenance.
        let collaborator = common::unique_address("collab");
        let (collab_cookie, _) = app.sign_up(&collaborator, "Cole", "Collab").await;
        let organization: i64 = s.organization.parse().expect("id");
        let collab_id = app.add_member(organization, &collaborator, Role::Collaborator).await;
        {
            let mut tx = app.state.db.write().await.expect("tx");
            app::products::store::grant_access(&mut tx, s.product.parse().expect("id"), collab_id, false, app.state.now())
                .await
                .expect("access");
            tx.commit().await.expect("commit");
        }
        let seen = s.call_as(&app, &collab_cookie, "mail_address", &[("mail_address_id", &id)]).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        assert_eq!(seen.json()["may_maintain"], false);
        let refused = s
            .call_as(&app, &collab_cookie, "set_mail_maintenance", &[("mail_address_id", &id), ("on", "true")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

        s.ok(&app, "set_mail_maintenance", &[("mail_address_id", &id), ("on", "true")]).await;
        assert!(s.address(&app, &id).await["maintenance_since"].is_i64());
        assert_eq!(
            device_auth(&app, "desk@acme.ch", &password).await,
            (StatusCode::FORBIDDEN, "in_maintenance".into())
        );
        // The client retries: refused each time, logged once an hour, never rate-limited.
        for _ in 0..12 {
            assert_eq!(device_auth(&app, "desk@acme.ch", &password).await.1, "in_maintenance");
        }
        assert_eq!(log_count(&app, "device_sign_in_refused").await, 1);
        let again = s.call(&app, "set_mail_maintenance", &[("mail_address_id", &id), ("on", "true")]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        s.ok(&app, "set_mail_maintenance", &[("mail_address_id", &id), ("on", "false")]).await;
        assert_eq!(device_auth(&app, "desk@acme.ch", &password).await, (StatusCode::OK, "allowed".into()));
        assert_eq!(log_count(&app, "mail_maintenance_changed").await, 2);
        assert_eq!(log_count(&app, "device_sign_in_refused").await, 1);

        // A blocked user's devices are refused; the endpoint wants the operator's secret.
        app.exec(&format!(
            "UPDATE memberships SET blocked_at = {} WHERE user_id = (SELECT id FROM users WHERE email = '{}')",
            app.state.now(),
            s.email
        ))
        .await;
        assert_eq!(
            device_auth(&app, "desk@acme.ch", &password).await,
            (StatusCode::FORBIDDEN, "user_blocked".into())
        );
        let anonymous = app
            .send(Method::POST, "/mail/device-auth", &[("content-type", "application/json")], "{}".into())
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
);

on_every_backend!(
    device_passwords_are_shown_once_and_only_their_keyed_hash_is_kept,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        let id = s.create(&app, "office", &s.email, "devices").await;
        let user = s.first_user(&app, &id).await;
        let (laptop, password) = s.new_device(&app, &user, "Laptop").await;
        let (_, phone_password) = s.new_device(&app, &user, "Phone").await;
        let stored = app.texts("SELECT secret_hash FROM mail_devices").await;
        assert_eq!(stored.len(), 2);
        for hash in &stored {
            assert_eq!(hash.len(), 64);
            assert!(!hash.contains(&password) && !hash.contains(&phone_password));
        }
        let page = s.address(&app, &id).await.to_string();
        assert!(!page.contains(&password), "the page never shows a saved password");
        assert_eq!(log_count(&app, "device_password_created").await, 2);

        // An edited password must stay long; one already used is refused.
        for typed in ["short", &password] {
            let refused = s
                .call(&app, "create_device_password", &[("mail_user_id", &user), ("name", "Tablet"), ("password", typed)])
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
            assert_eq!(refused.json()["field"], "password");
        }
        assert_eq!(device_auth(&app, "office@acme.ch", "wrong-password-entirely").await.1, "wrong_password");

        // "Change password": the old one is cut off at once, the new one works.
        let changed = s.ok(&app, "change_device_password", &[("device_id", &laptop)]).await;
        let fresh = changed["password"].as_str().expect("password").to_owned();
        assert_ne!(fresh, password);
        assert_eq!(device_auth(&app, "office@acme.ch", &password).await.1, "device_disconnected");
        assert_eq!(device_auth(&app, "office@acme.ch", &fresh).await.1, "allowed");

        // The generic password: shown as such, never displayable, not resettable.
        {
            let mut tx = app.state.db.write().await.expect("tx");
            let key = app::mailboxes::device::key(&app.state, &mut tx).await.expect("key");
            let hash = app::mailboxes::device::hash(&key, id.parse().expect("id"), "old-generic-password-2019");
            app::mailboxes::store::insert_device(
                &mut tx,
                &app::mailboxes::store::NewDevice {
                    address_id: id.parse().expect("id"),
                    mail_user_id: None,
                    name: "Generic password",
                    generic: true,
                    secret_hash: &hash,
                    at: app.state.now(),
                },
            )
            .await
            .expect("generic");
            tx.commit().await.expect("commit");
        }
        let devices = s.address(&app, &id).await["devices"].clone();
        let generic = devices.as_array().expect("devices").iter().find(|d| d["generic"] == true).expect("generic").clone();
        assert!(generic["user"].is_null());
        let reset = s.call(&app, "change_device_password", &[("device_id", &generic["id"].to_string())]).await;
        assert_eq!(reset.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reset.body);
        assert!(reset.json()["message"].as_str().unwrap_or_default().contains("cannot be reset"));
        assert_eq!(device_auth(&app, "office@acme.ch", "old-generic-password-2019").await.1, "allowed");

        // "Disconnect all devices": every password stops, the generic one included.
        let count = s.ok(&app, "disconnect_all_devices", &[("mail_address_id", &id)]).await;
        assert_eq!(count, 3);
        for old in [fresh.as_str(), phone_password.as_str(), "old-generic-password-2019"] {
            assert_eq!(device_auth(&app, "office@acme.ch", old).await.1, "device_disconnected");
        }
        assert_eq!(s.address(&app, &id).await["devices"], serde_json::json!([]));

        // Too many refusals for one address: the endpoint stops checking for a while.
        let (_, newest) = s.new_device(&app, &user, "Desktop").await;
        for _ in 0..10 {
            device_auth(&app, "office@acme.ch", "guess-guess-guess-guess").await;
        }
        assert_eq!(
            device_auth(&app, "office@acme.ch", &newest).await,
            (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".into())
        );
        app.clock.advance(16 * 60);
        assert_eq!(device_auth(&app, "office@acme.ch", &newest).await.1, "allowed");
    }
);

on_every_backend!(
    setup_links_work_once_and_for_thirty_days,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        let helper = common::unique_address("helper");
        let id = s.create(&app, "help", &helper, "").await;
        let user = s.first_user(&app, &id).await;
        let made = s
            .ok(&app, "send_device_setup", &[("mail_user_id", &user), ("device_name", "Phone"), ("send", "true")])
            .await;
        assert_eq!(made["emailed_to"], helper.as_str());
        let token = app.mailed_token(&helper, "/mail-setup").await.expect("mailed link");
        assert!(made["link"].as_str().expect("link").ends_with(&token));
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM mail_device_setups WHERE token_hash = '{}'", app::tokens::hash_token(&token).as_str())).await,
            1,
            "only the token's hash is kept"
        );
        let opened = app.call("open_device_setup", None, &[("token", &token)]).await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        assert_eq!(opened.json()["address"], "help@acme.ch");
        let password = opened.json()["suggested_password"].as_str().expect("suggested").to_owned();
        let edited = format!("{password}-mine");
        let finished = app.call("finish_device_setup", None, &[("token", &token), ("password", &edited)]).await;
        assert_eq!(finished.status, StatusCode::OK, "{}", finished.body);
        assert_eq!(finished.json()["password"], edited.as_str());
        assert_eq!(device_auth(&app, "help@acme.ch", &edited).await.1, "allowed");
        let twice = app.call("finish_device_setup", None, &[("token", &token), ("password", &password)]).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", twice.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM mail_devices").await, 1);

        // "Disconnect all devices" voids the links not used yet.
        s.ok(&app, "send_device_setup", &[("mail_user_id", &user), ("device_name", "Laptop"), ("send", "true")])
            .await;
        let pending = app.mailed_token(&helper, "/mail-setup").await.expect("mailed link");
        s.ok(&app, "disconnect_all_devices", &[("mail_address_id", &id)]).await;
        let voided = app.call("open_device_setup", None, &[("token", &pending)]).await;
        assert_eq!(voided.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", voided.body);
        assert_eq!(device_auth(&app, "help@acme.ch", &edited).await.1, "device_disconnected");

        // A second link, opened after 30 days: refused.
        s.ok(&app, "send_device_setup", &[("mail_user_id", &user), ("device_name", "Tablet"), ("send", "true")])
            .await;
        let second = app.mailed_token(&helper, "/mail-setup").await.expect("mailed link");
        assert_ne!(second, token);
        app.clock.advance(30 * DAY + 1);
        let expired = app.call("open_device_setup", None, &[("token", &second)]).await;
        assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", expired.body);
        let late = app.call("finish_device_setup", None, &[("token", &second), ("password", &password)]).await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", late.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM mail_devices").await, 1);
    }
);

on_every_backend!(
    removing_a_user_disconnects_their_devices,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        let id = s.create(&app, "shared", &format!("{}\n{}", s.email, common::unique_address("x")), "devices").await;
        let user = s.first_user(&app, &id).await;
        let (_, password) = s.new_device(&app, &user, "Laptop").await;
        s.ok(&app, "remove_mail_user", &[("mail_user_id", &user)]).await;
        assert_eq!(device_auth(&app, "shared@acme.ch", &password).await.1, "device_disconnected");
        assert_eq!(s.address(&app, &id).await["users"].as_array().map(Vec::len), Some(1));
        assert_eq!(log_count(&app, "mail_user_removed").await, 1);
    }
);

on_every_backend!(
    the_demo_has_a_mail_service_to_try,
    settings: settings(),
    |app: TestApp| async move {
        assert!(app::demo::seed_if_empty(&app.state).await.expect("demo"));
        let addresses = app
            .texts("SELECT address FROM mail_addresses ORDER BY address")
            .await;
        assert_eq!(
            addresses,
            ["chef@cafe-du-lac.ch", "events@cafe-du-lac.ch", "info@cafe-du-lac.ch", "reservations@cafe-du-lac.ch"]
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM mail_addresses WHERE maintenance_at IS NOT NULL").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM mail_devices WHERE generic").await, 1);
        assert!(app.count("SELECT COUNT(*) FROM mail_users WHERE user_id IS NULL").await >= 2, "people outside the organization");
        assert_eq!(
            device_auth(&app, "info@cafe-du-lac.ch", app::demo::DEMO_DEVICE_PASSWORD).await,
            (StatusCode::OK, "allowed".into())
        );
        // David, a collaborator given access to the service, sees it and manages it.
        let david = app.sign_in_with("david@demo.steward.test", app::demo::DEMO_PASSWORD).await;
        let organization = app.count("SELECT id FROM organizations WHERE name = 'Helvetia Web Agency'").await.to_string();
        let service = app.count("SELECT id FROM products WHERE name = 'Mail cafe-du-lac.ch'").await.to_string();
        let facts = app
            .call("mail_service", Some(&david), &[("organization_id", &organization), ("product_id", &service)])
            .await;
        assert_eq!(facts.status, StatusCode::OK, "{}", facts.body);
        assert_eq!(facts.json()["addresses"].as_array().map(Vec::len), Some(4));
        assert_eq!(facts.json()["may_maintain"], false);
        let mine = app.call("my_mail_addresses", Some(&david), &[]).await;
        assert_eq!(mine.json().as_array().map(Vec::len), Some(2), "{}", mine.body);
    }
);

on_every_backend!(
    someone_invited_by_email_is_blocked_once_they_are_a_member,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        // Added by email before they had an account; they sign up and join the organization.
        let hire = common::unique_address("hire");
        let id = s.create(&app, "newhire", &hire, "devices").await;
        let user = s.first_user(&app, &id).await;
        let (_, password) = s.new_device(&app, &user, "Laptop").await;
        app.sign_up(&hire, "Nina", "New").await;
        let organization: i64 = s.organization.parse().expect("id");
        app.add_member(organization, &hire, Role::Collaborator).await;
        let seen = s.address(&app, &id).await["users"][0].clone();
        assert_eq!(seen["member"], true, "{seen}");
        assert_eq!(seen["name"], "Nina New");
        assert_eq!(device_auth(&app, "newhire@acme.ch", &password).await.1, "allowed");
        app.exec(&format!(
            "UPDATE memberships SET blocked_at = {} WHERE user_id = (SELECT id FROM users WHERE email = '{hire}')",
            app.state.now()
        ))
        .await;
        assert_eq!(s.address(&app, &id).await["users"][0]["blocked"], true);
        assert_eq!(device_auth(&app, "newhire@acme.ch", &password).await.1, "user_blocked");
        // A guesser from elsewhere cannot lock the address's devices out.
        let bearer = format!("Bearer {MAIL_SERVER_SECRET}");
        let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
        for _ in 0..12 {
            let body = serde_json::json!({ "address": "newhire@acme.ch", "password": "guess-guess-guess-guess", "remote_ip": "203.0.113.9" });
            app.send(Method::POST, "/mail/device-auth", &headers, body.to_string()).await;
        }
        app.exec("UPDATE memberships SET blocked_at = NULL").await;
        assert_eq!(device_auth(&app, "newhire@acme.ch", &password).await.1, "allowed");
        let body = serde_json::json!({ "address": "newhire@acme.ch", "password": password, "remote_ip": "not an address" });
        let bad = app.send(Method::POST, "/mail/device-auth", &headers, body.to_string()).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }
);

on_every_backend!(
    removing_a_member_ends_their_mail_access_and_the_review_says_so,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        let hire = common::unique_address("hire");
        app.sign_up(&hire, "Nina", "New").await;
        let organization: i64 = s.organization.parse().expect("id");
        let nina = app.add_member(organization, &hire, Role::Collaborator).await;
        let id = s.create(&app, "nina", &hire, "devices").await;
        let user = s.first_user(&app, &id).await;
        let (_, password) = s.new_device(&app, &user, "Nina's phone").await;
        assert_eq!(device_auth(&app, "nina@acme.ch", &password).await.1, "allowed");
        let person = [("organization_id", s.organization.as_str()), ("user_id", &nina.to_string())];
        let review = app.call("removal_review", Some(&s.cookie), &person).await;
        assert_eq!(review.status, StatusCode::OK, "{}", review.body);
        assert_eq!(
            review.json()["mail"],
            serde_json::json!([{ "address": "nina@acme.ch", "devices": ["Nina's phone"] }])
        );
        let mut form = person.to_vec();
        form.extend([("my_email", s.email.as_str()), ("understood", "on")]);
        let removed = app.call("remove_member", Some(&s.cookie), &form).await;
        assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
        // Her device's password stops working at once, and she no longer uses the address.
        assert_eq!(device_auth(&app, "nina@acme.ch", &password).await.1, "device_disconnected");
        assert_eq!(s.address(&app, &id).await["users"].as_array().map(Vec::len), Some(0));
        let logged = app
            .texts("SELECT detail FROM activity_log WHERE action = 'member_removed'")
            .await;
        assert!(logged[0].contains("mail access ended: nina@acme.ch"), "{logged:?}");
    }
);

on_every_backend!(
    leaving_is_refused_while_the_login_address_is_a_mail_address_of_the_organization,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        s.create(&app, "max", &s.email, "devices").await;
        // Max signs in with max@acme.ch, an address of the organization's own mail service.
        let (max, _) = app.sign_up("max@acme.ch", "Max", "Mail").await;
        let organization: i64 = s.organization.parse().expect("id");
        app.add_member(organization, "max@acme.ch", Role::Collaborator).await;
        let refused = app
            .call("leave_organization", Some(&max), &[("organization_id", &s.organization)])
            .await;
        assert_eq!(refused.code(), "validation", "{}", refused.body);
        assert_eq!(refused.json()["field"], app::organizations::removal::api::LOGIN_ADDRESS_FIELD);
        assert!(refused.json()["message"].as_str().unwrap_or_default().contains("max@acme.ch"));
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {organization}"))
                .await,
            2
        );
    }
);

on_every_backend!(
    the_whole_service_goes_into_maintenance_in_one_step,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        let desk = s.create(&app, "desk", &s.email, "devices").await;
        let user = s.first_user(&app, &desk).await;
        let (_, password) = s.new_device(&app, &user, "Laptop").await;
        s.create(&app, "sales", &s.email, "devices").await;
        let shop = s.create(&app, "shop", &s.email, "devices").await;
        // One address is in maintenance already: the service's step takes the other two.
        s.ok(&app, "set_mail_maintenance", &[("mail_address_id", &shop), ("on", "true")]).await;
        let on = s.ok(&app, "set_service_maintenance", &[("on", "true")]).await;
        assert_eq!(on, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM mail_addresses WHERE maintenance_at IS NOT NULL").await, 3);
        assert_eq!(device_auth(&app, "desk@acme.ch", &password).await.1, "in_maintenance");
        let again = s.call(&app, "set_service_maintenance", &[("on", "true")]).await;
        assert_eq!(again.code(), "validation", "{}", again.body);
        // Lifted from every address at once; devices work again.
        let off = s.ok(&app, "set_service_maintenance", &[("on", "false")]).await;
        assert_eq!(off, 3);
        assert_eq!(device_auth(&app, "desk@acme.ch", &password).await.1, "allowed");
        let logged = app
            .texts("SELECT detail FROM activity_log WHERE action = 'mail_maintenance_changed' ORDER BY id")
            .await;
        assert_eq!(logged.len(), 3, "{logged:?}");
        assert!(logged[1].contains("maintenance on for 2 address(es)"), "{logged:?}");
        assert!(logged[2].contains("maintenance lifted on 3 address(es)"), "{logged:?}");
        // A collaborator with access to the service may not do it.
        let collaborator = common::unique_address("collab");
        let (collab_cookie, _) = app.sign_up(&collaborator, "Cole", "Collab").await;
        let organization: i64 = s.organization.parse().expect("id");
        let collab_id = app.add_member(organization, &collaborator, Role::Collaborator).await;
        {
            let mut tx = app.state.db.write().await.expect("tx");
            app::products::store::grant_access(&mut tx, s.product.parse().expect("id"), collab_id, false, app.state.now())
                .await
                .expect("access");
            tx.commit().await.expect("commit");
        }
        let refused = s.call_as(&app, &collab_cookie, "set_service_maintenance", &[("on", "true")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
);

/// A device sign-in from `ip`: the answer's reason ("allowed", "wrong_password", …).
async fn auth_from(app: &TestApp, address: &str, password: &str, ip: &str) -> String {
    device_auth_from(app, address, password, ip).await.1
}

on_every_backend!(
    guessing_is_bounded_per_address_from_any_number_of_clients_and_never_locks_a_device_out,
    settings: settings(),
    |app: TestApp| async move {
        let s = service(&app).await;
        let id = s.create(&app, "desk", &s.email, "devices").await;
        let user = s.first_user(&app, &id).await;
        let (_, password) = s.new_device(&app, &user, "Laptop").await;
        // The real device signs in from its usual network: that network is known from now on.
        assert_eq!(auth_from(&app, "desk@acme.ch", &password, "198.51.100.4").await, "allowed");
        // A guesser from a thousand addresses of one IPv6 /64 is one client: stopped at 10.
        for n in 0..10 {
            let ip = format!("2001:db8:77:1::{n:x}");
            assert_eq!(auth_from(&app, "desk@acme.ch", "guess-guess-guess-guess", &ip).await, "wrong_password");
        }
        assert_eq!(
            auth_from(&app, "desk@acme.ch", "guess-guess-guess-guess", "2001:db8:77:1:ffff::1").await,
            "too_many_attempts"
        );
        // Guessing from ever new IPv4 addresses: bounded per address (50 in 15 minutes), however
        // many clients.
        for n in 0..40 {
            let ip = format!("203.0.113.{n}");
            assert_eq!(auth_from(&app, "desk@acme.ch", "guess-guess-guess-guess", &ip).await, "wrong_password", "{ip}");
        }
        assert_eq!(
            auth_from(&app, "desk@acme.ch", "guess-guess-guess-guess", "203.0.113.200").await,
            "too_many_attempts"
        );
        // …even with the right password from an unknown client: guessing stops there.
        assert_eq!(auth_from(&app, "desk@acme.ch", &password, "192.0.2.99").await, "too_many_attempts");
        // The real device, from its known network, is never locked out.
        assert_eq!(auth_from(&app, "desk@acme.ch", &password, "198.51.100.4").await, "allowed");
        // Fifteen minutes later the budget is back.
        app.clock.advance(16 * 60);
        assert_eq!(auth_from(&app, "desk@acme.ch", &password, "192.0.2.99").await, "allowed");
        // A mail server that does not send the client's address is refused.
        let bearer = format!("Bearer {MAIL_SERVER_SECRET}");
        let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
        let body = serde_json::json!({ "address": "desk@acme.ch", "password": password });
        let missing = app.send(Method::POST, "/mail/device-auth", &headers, body.to_string()).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert!(missing.body.contains("remote_ip is required"), "{}", missing.body);
    }
);
