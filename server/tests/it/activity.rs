//! The activity log (SEC-9) on SQLite and Postgres: filters by date range, action type,
//! product and free text; keyset pages; my own log and the organization's (its legal
//! representatives and administrators only, never another organization's rows); the CSV export.

use crate::common;

use app::policy::Role;
use common::TestApp;
use http::{Method, StatusCode};

async fn mine(app: &TestApp, cookie: &str, filters: &[(&str, &str)]) -> common::Reply {
    app.call("my_activity", Some(cookie), filters).await
}

async fn theirs(
    app: &TestApp,
    cookie: &str,
    organization: i64,
    filters: &[(&str, &str)],
) -> common::Reply {
    let organization = organization.to_string();
    let mut form = vec![("organization_id", organization.as_str())];
    form.extend_from_slice(filters);
    app.call("organization_activity", Some(cookie), &form).await
}

fn actions(reply: &common::Reply) -> Vec<String> {
    reply.json()["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["action_code"].as_str().map(str::to_owned))
        .collect()
}

on_every_backend!(
    the_log_filters_pages_and_keeps_organizations_apart,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (_, worker_organization) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        let _ = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let worker_id = app
            .add_member(organization, "wil@example.com", Role::Collaborator)
            .await;
        let names: Vec<String> = (0..30).map(|i| format!("shop-{i:02}.ch")).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let ids = app.add_products(organization, &name_refs).await;
        let org = organization.to_string();
        let all_ids = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");

        // Day one: 30 products tagged (one entry each), one blocked.
        let tagged = app
            .call(
                "tag_products",
                Some(&boss),
                &[
                    ("organization_id", &org),
                    ("product_ids", &all_ids),
                    ("tag_id", ""),
                    ("new_name", "VIP, gold"),
                    ("new_colour", "blue"),
                ],
            )
            .await;
        assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.body);
        let blocked = app
            .call(
                "set_product_blocked",
                Some(&boss),
                &[
                    ("organization_id", &org),
                    ("product_id", &ids[3].to_string()),
                    ("blocked", "true"),
                ],
            )
            .await;
        assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
        // Two days later: a role change, and something in the worker's own organization.
        app.clock.advance(2 * 86_400);
        // (Sessions end sooner: both sign in again.)
        let boss = app.sign_in("boss@example.com").await;
        let worker = app.sign_in("wil@example.com").await;
        let stranger = app.sign_in("sid@example.com").await;
        let changed = app
            .call(
                "change_role",
                Some(&boss),
                &[
                    ("organization_id", &org),
                    ("user_id", &worker_id.to_string()),
                    ("role", "external"),
                ],
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        app.call(
            "rename_organization",
            Some(&worker),
            &[
                ("organization_id", &worker_organization.to_string()),
                ("name", "Wil's 50% shop"),
            ],
        )
        .await;

        // Keyset pages: 25, then the rest, no overlap, no gap.
        let first = mine(&app, &boss, &[("action", "products_tagged")]).await;
        assert_eq!(
            first.json()["entries"].as_array().map(Vec::len),
            Some(25),
            "{}",
            first.body
        );
        let cursor = first.json()["older"]
            .as_i64()
            .expect("an older page")
            .to_string();
        let second = mine(
            &app,
            &boss,
            &[("action", "products_tagged"), ("before", &cursor)],
        )
        .await;
        assert_eq!(second.json()["entries"].as_array().map(Vec::len), Some(5));
        assert!(second.json()["older"].is_null());
        let last_of_first = first.json()["entries"][24]["id"]
            .as_i64()
            .unwrap_or_default();
        assert!(
            second.json()["entries"][0]["id"]
                .as_i64()
                .unwrap_or_default()
                < last_of_first
        );

        // By product: that product's story only.
        let story = mine(&app, &boss, &[("product", &ids[3].to_string())]).await;
        assert_eq!(actions(&story), vec!["product_blocked", "products_tagged"]);
        assert_eq!(story.json()["entries"][0]["product_name"], "shop-03.ch");

        // By date: day one has the tagging and the block, not the role change.
        let today = app::format::iso_date(app.state.now());
        let day_one = app::format::iso_date(app.state.now() - 2 * 86_400);
        let on_day_one = mine(&app, &boss, &[("from", &day_one), ("to", &day_one)]).await;
        assert!(!actions(&on_day_one).contains(&"role_changed".to_owned()));
        assert!(actions(&on_day_one).contains(&"product_blocked".to_owned()));
        let on_today = mine(&app, &boss, &[("from", &today)]).await;
        assert_eq!(
            actions(&on_today),
            vec!["role_changed", "sign_in_succeeded"]
        );

        // Free text, wildcards taken literally; bad input is named.
        let search = mine(&app, &worker, &[("search", "50%")]).await;
        assert_eq!(actions(&search), vec!["organization_renamed"]);
        assert_eq!(
            mine(&app, &worker, &[("search", "5_%")]).await.json()["entries"]
                .as_array()
                .map(Vec::len),
            Some(0)
        );
        let bad = mine(&app, &boss, &[("from", "2026-02-30")]).await;
        assert_eq!(bad.json()["field"], "from");
        assert_eq!(
            mine(&app, &boss, &[("action", "made_up")]).await.json()["field"],
            "action"
        );

        // The organization's log: everyone's entries there, nothing from elsewhere.
        let whole = theirs(&app, &boss, organization, &[]).await;
        assert_eq!(whole.status, StatusCode::OK, "{}", whole.body);
        let everything = theirs(&app, &boss, organization, &[("search", "50%")]).await;
        assert_eq!(
            everything.json()["entries"].as_array().map(Vec::len),
            Some(0),
            "the worker's own organization stays apart"
        );
        assert_eq!(whole.json()["entries"][0]["actor"], "Bea Boss");
        assert_eq!(
            theirs(&app, &worker, organization, &[]).await.code(),
            "forbidden"
        );
        assert_eq!(
            theirs(&app, &stranger, organization, &[]).await.code(),
            "not_found"
        );
    }
);

on_every_backend!(
    the_csv_export_streams_the_filtered_view,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (worker, _) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        let (stranger, _) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        app.add_member(organization, "wil@example.com", Role::Collaborator)
            .await;
        let names: Vec<String> = (0..1203).map(|i| format!("p{i:04}.ch")).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let ids = app.add_products(organization, &name_refs).await;
        let org = organization.to_string();
        for chunk in ids.chunks(200) {
            let chosen = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let tagged = app
                .call(
                    "tag_products",
                    Some(&boss),
                    &[
                        ("organization_id", &org),
                        ("product_ids", &chosen),
                        ("tag_id", ""),
                        ("new_name", &format!("say \"hi\", {}", chunk[0])),
                        ("new_colour", "green"),
                    ],
                )
                .await;
            assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.body);
        }
        let path = format!("/activity.csv?organization={organization}&action=products_tagged");
        let csv = app
            .send(Method::GET, &path, &[("cookie", &boss)], String::new())
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        assert_eq!(
            csv.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/csv; charset=utf-8")
        );
        let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines[0],
            "id,time_utc,action,action_label,organization,actor,product,detail,ip,user_agent"
        );
        assert_eq!(
            lines.len(),
            1 + 1203,
            "every entry across several batches, once"
        );
        assert!(lines[1].contains(",products_tagged,Tag put on products,Bea Boss,Bea Boss,p1202.ch,\"say \"\"hi\"\", "), "{}", lines[1]);
        assert!(csv.body.ends_with("\r\n"));
        // A real CSV parser reads every record back, the quoted detail whole.
        let records: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.body.as_bytes())
            .records()
            .collect::<Result<_, _>>()
            .expect("RFC 4180");
        assert_eq!(records.len(), 1203);
        assert!(
            records[0][7].starts_with("say \"hi\", "),
            "{:?}",
            &records[0]
        );

        // Mine: only my rows; a filter that matches nothing still has its header.
        let nothing = app
            .send(
                Method::GET,
                "/activity.csv?action=role_changed",
                &[("cookie", &worker)],
                String::new(),
            )
            .await;
        assert_eq!(nothing.body, app::activity::CSV_HEADER);
        // Refusals are answered before the first byte.
        let forbidden = app
            .send(Method::GET, &path, &[("cookie", &worker)], String::new())
            .await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        let hidden = app
            .send(Method::GET, &path, &[("cookie", &stranger)], String::new())
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.send(Method::GET, &path, &[], String::new())
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let bad = app
            .send(
                Method::GET,
                "/activity.csv?from=yesterday",
                &[("cookie", &boss)],
                String::new(),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);
