//! My profile (ACC-3) and deleting my account (ACC-5), on SQLite and Postgres.

use crate::common;

use app::policy::Role;
use common::{TestApp, PASSWORD};
use http::StatusCode;

async fn delete_me(app: &TestApp, cookie: &str, password: &str, understood: bool) -> common::Reply {
    let mut form = vec![("password", password)];
    if understood {
        form.push(("understood", "on"));
    }
    app.call("delete_my_account", Some(cookie), &form).await
}

on_every_backend!(
    an_account_is_deleted_only_when_no_organization_is_orphaned,
    |app: TestApp| async move {
        let (me, personal) = app.sign_up("me@example.com", "Mia", "Me").await;
        let (other, shared) = app.sign_up("oli@example.com", "Oli", "Other").await;
        let me_id = app
            .count("SELECT id FROM users WHERE email = 'me@example.com'")
            .await;
        app.add_member(shared, "me@example.com", Role::LegalRepresentative)
            .await;
        app.add_products(shared, &["shared.ch"]).await;
        app.call("create_app_password", Some(&me), &[("name", "Mail app")])
            .await;
        app.call(
            "create_api_token",
            Some(&me),
            &[
                ("name", "Script"),
                ("scope", "read"),
                ("expires_in_days", "30"),
            ],
        )
        .await;

        // Alone in my own organization: that organization would be orphaned.
        let check = app.call("account_deletion_check", Some(&me), &[]).await;
        assert_eq!(
            check.json().as_array().map(Vec::len),
            Some(1),
            "{}",
            check.body
        );
        assert!(check.json()[0]
            .as_str()
            .unwrap_or_default()
            .contains("only user of Mia Me"));
        assert_eq!(
            delete_me(&app, &me, PASSWORD, true).await.code(),
            "validation"
        );
        let deleted = app
            .call(
                "delete_organization",
                Some(&me),
                &[
                    ("organization_id", &personal.to_string()),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);

        // The last legal representative of the shared organization once Oli is demoted.
        let oli_id = app
            .count("SELECT id FROM users WHERE email = 'oli@example.com'")
            .await;
        let demoted = app
            .call(
                "change_role",
                Some(&me),
                &[
                    ("organization_id", &shared.to_string()),
                    ("user_id", &oli_id.to_string()),
                    ("role", "administrator"),
                ],
            )
            .await;
        assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);
        let refused = delete_me(&app, &me, PASSWORD, true).await;
        assert_eq!(refused.code(), "validation");
        assert!(
            refused.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("only legal representative of Oli Other"),
            "{}",
            refused.body
        );
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM users WHERE id = {me_id}"))
                .await,
            1
        );

        // Oli is made legal representative again: nothing stands in the way.
        let promoted = app
            .call(
                "change_role",
                Some(&me),
                &[
                    ("organization_id", &shared.to_string()),
                    ("user_id", &oli_id.to_string()),
                    ("role", "legal_representative"),
                ],
            )
            .await;
        assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
        assert_eq!(
            app.call("account_deletion_check", Some(&me), &[])
                .await
                .json(),
            serde_json::json!([])
        );
        assert_eq!(
            delete_me(&app, &me, "wrong password", true).await.json()["field"],
            "password"
        );
        assert_eq!(
            delete_me(&app, &me, PASSWORD, false).await.json()["field"],
            "understood"
        );
        let gone = delete_me(&app, &me, PASSWORD, true).await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
        assert!(
            gone.set_cookie().unwrap_or_default().contains("Max-Age=0"),
            "the cookie is cleared"
        );

        for table in [
            "users WHERE id",
            "sessions WHERE user_id",
            "memberships WHERE user_id",
            "app_passwords WHERE user_id",
            "api_tokens WHERE user_id",
        ] {
            assert_eq!(
                app.count(&format!("SELECT COUNT(*) FROM {table} = {me_id}"))
                    .await,
                0,
                "{table}"
            );
        }
        assert_eq!(
            app.call("my_account", Some(&me), &[]).await.code(),
            "unauthenticated"
        );
        // The organization keeps its products and its log, which still names what I did.
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM products WHERE organization_id = {shared}"
            ))
            .await,
            1
        );
        assert!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE actor_user_id = {me_id}"
            ))
            .await
                > 3
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'me@example.com' AND subject = 'Your Steward account is deleted'").await, 1);
        // And the people who stay can still sign in and work.
        assert_eq!(
            app.call(
                "organization_users",
                Some(&other),
                &[("organization_id", &shared.to_string()), ("search", "")]
            )
            .await
            .status,
            StatusCode::OK
        );
    }
);

fn picture(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .expect("encode");
    bytes
}

on_every_backend!(
    a_profile_picture_is_decoded_reencoded_and_refused_when_it_is_not_one,
    |app: TestApp| async move {
        let (me, _) = app.sign_up("me@example.com", "Mia", "Me").await;
        let path = app::access::AVATAR_PATH;

        // Not signed in, not an image, too large: refused, nothing stored.
        let anonymous = app
            .upload(
                path,
                None,
                "image/png",
                picture(300, 300, image::ImageFormat::Png),
            )
            .await;
        assert_eq!(anonymous.code(), "unauthenticated");
        let text = app
            .upload(
                path,
                Some(&me),
                "image/png",
                b"just some text, named .png".to_vec(),
            )
            .await;
        assert_eq!(text.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(text.json()["field"], "avatar");
        assert!(text.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a PNG, JPEG or WebP"));
        let mut oversized = picture(64, 64, image::ImageFormat::Png);
        oversized.resize(app::account::profile::AVATAR_MAX_BYTES + 10, 0);
        let big = app.upload(path, Some(&me), "image/png", oversized).await;
        assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(big.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("5 MB"));
        assert_eq!(app.count("SELECT COUNT(*) FROM avatars").await, 0);
        assert_eq!(
            app.call("my_account", Some(&me), &[]).await.json()["avatar_version"],
            serde_json::Value::Null
        );

        // A JPEG is stored as a 256×256 PNG; a small one comes with a warning.
        let saved = app
            .upload(
                path,
                Some(&me),
                "image/jpeg",
                picture(800, 600, image::ImageFormat::Jpeg),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert!(saved.json()["warning"].is_null());
        let served = app
            .send(http::Method::GET, path, &[("cookie", &me)], String::new())
            .await;
        assert_eq!(
            served
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("image/png")
        );
        let stored = image::load_from_memory_with_format(&served.bytes, image::ImageFormat::Png)
            .expect("a png");
        assert_eq!((stored.width(), stored.height()), (256, 256));
        let small = app
            .upload(
                path,
                Some(&me),
                "image/webp",
                picture(120, 160, image::ImageFormat::WebP),
            )
            .await;
        assert!(
            small.json()["warning"]
                .as_str()
                .unwrap_or_default()
                .contains("120×160"),
            "{}",
            small.body
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM avatars").await, 1);
        assert!(app.call("my_account", Some(&me), &[]).await.json()["avatar_version"].is_i64());
        assert_eq!(
            app.send(http::Method::GET, path, &[], String::new())
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );

        assert_eq!(
            app.call("remove_my_avatar", Some(&me), &[]).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.send(http::Method::GET, path, &[("cookie", &me)], String::new())
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.call("remove_my_avatar", Some(&me), &[]).await.code(),
            "validation"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'avatar_changed'")
                .await,
            3
        );
    }
);

on_every_backend!(my_name_changes_and_is_logged, |app: TestApp| async move {
    let (me, _) = app.sign_up("me@example.com", "Mia", "Me").await;
    let empty = app
        .call(
            "change_my_name",
            Some(&me),
            &[("first_name", " "), ("last_name", "Me")],
        )
        .await;
    assert_eq!(empty.json()["field"], "first_name");
    let changed = app
        .call(
            "change_my_name",
            Some(&me),
            &[("first_name", "Maria"), ("last_name", "Meier")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        app.call("my_account", Some(&me), &[]).await.json()["first_name"],
        "Maria"
    );
    assert_eq!(
        app.texts("SELECT detail FROM activity_log WHERE action = 'profile_changed'")
            .await,
        vec!["Mia Me → Maria Meier".to_owned()]
    );
});

on_every_backend!(times_are_shown_in_my_time_zone, |app: TestApp| async move {
    let (me, organization) = app.sign_up("tz@example.com", "Tia", "Zone").await;
    let page_zone = |cookies: String| {
        let app = &app;
        async move {
            let page = app
                .send(
                    http::Method::GET,
                    &format!("/o/{organization}/profile"),
                    &[("cookie", &cookies)],
                    String::new(),
                )
                .await;
            assert_eq!(page.status, StatusCode::OK);
            let html = page.body;
            let start = html
                .find("name=\"steward-zone\" content=\"")
                .expect("zone in the page");
            let rest = &html[start + 29..];
            rest[..rest.find(';').expect("encoded")].to_owned()
        }
    };
    // Nothing chosen, nothing reported: the operator's (UTC in tests).
    assert_eq!(page_zone(me.clone()).await, "UTC");
    // The browser reported its zone.
    let reported = format!("{me}; steward_tz=America/New_York");
    assert_eq!(page_zone(reported.clone()).await, "America/New_York");
    // A made-up one is ignored.
    assert_eq!(
        page_zone(format!("{me}; steward_tz=Mars/Base")).await,
        "UTC"
    );
    let choice = app.call("my_time_zone", Some(&reported), &[]).await.json();
    assert_eq!(choice["chosen"], "");
    assert_eq!(choice["browser"], "America/New_York");
    assert_eq!(choice["in_use"], "America/New_York");
    assert!(choice["names"]
        .as_array()
        .expect("names")
        .iter()
        .any(|n| n == "Europe/Zurich"));

    let wrong = app
        .call(
            "set_my_time_zone",
            Some(&me),
            &[("time_zone", "Europe/Atlantis")],
        )
        .await;
    assert_eq!(wrong.json()["field"], "time_zone");
    let chosen = app
        .call(
            "set_my_time_zone",
            Some(&me),
            &[("time_zone", "Europe/Zurich")],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
    // My choice wins over what the browser says.
    assert_eq!(page_zone(reported.clone()).await, "Europe/Zurich");
    // Saving it again changes nothing and logs nothing.
    app.call(
        "set_my_time_zone",
        Some(&me),
        &[("time_zone", "Europe/Zurich")],
    )
    .await;
    app.call("set_my_time_zone", Some(&me), &[("time_zone", "")])
        .await;
    assert_eq!(page_zone(reported).await, "America/New_York");
    assert_eq!(
        app.texts("SELECT detail FROM activity_log WHERE action = 'profile_changed' ORDER BY id")
            .await,
        vec![
            "Time zone: Europe/Zurich".to_owned(),
            "Time zone: the browser's".to_owned()
        ]
    );
});
