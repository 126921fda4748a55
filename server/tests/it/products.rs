//! Products (PRD-1, PRD-6): who sees which, filters, search, sort and keyset pages, the product
//! page — on SQLite and Postgres.

use crate::common;

use app::policy::Role;
use app::products::store::{grant_access, insert, NewProduct};
use app::products::{ProductKind, ProductStatus, PAGE_SIZE};
use common::TestApp;
use http::StatusCode;
use serde_json::Value;

struct World {
    admin: String,
    collaborator: String,
    stranger: String,
    organization: i64,
    stranger_organization: i64,
    granted: i64,
    hidden: i64,
    foreign: i64,
}

/// An organization with 45 products (3 kinds, one suspended, some expired), a collaborator given
/// one of them, and a stranger with a product of their own.
async fn world(app: &TestApp) -> World {
    let (admin, organization) = app.sign_up("ann@example.com", "Ann", "Admin").await;
    let (collaborator, _) = app.sign_up("col@example.com", "Col", "Lab").await;
    let (stranger, stranger_organization) = app.sign_up("sid@example.com", "Sid", "S").await;
    let collaborator_id = app
        .count("SELECT id FROM users WHERE email = 'col@example.com'")
        .await;
    let now = app.state.now();
    let mut tx = app.state.db.write().await.expect("tx");
    app::access::store::insert_membership(
        &mut tx,
        organization,
        collaborator_id,
        Role::Collaborator,
        now,
    )
    .await
    .expect("membership");
    let mut ids = Vec::new();
    for i in 0..45i64 {
        let kind = [
            ProductKind::Domain,
            ProductKind::WebHosting,
            ProductKind::MailService,
        ][(i % 3) as usize];
        let status = if i == 7 {
            ProductStatus::Suspended
        } else if i % 10 == 0 {
            ProductStatus::Expired
        } else {
            ProductStatus::Active
        };
        let name = format!("{}shop-{i:02}.ch", if i == 13 { "100%_" } else { "" });
        let id = insert(
            &mut tx,
            &NewProduct {
                organization_id: organization,
                kind,
                name: &name,
                status,
                expires_at: (i % 4 != 0).then_some(now + (45 - i) * 86_400),
                holder: "Holder AG",
                at: now,
            },
        )
        .await
        .expect("product");
        ids.push(id);
    }
    grant_access(&mut tx, ids[4], collaborator_id, false, now)
        .await
        .expect("grant");
    let foreign = insert(
        &mut tx,
        &NewProduct {
            organization_id: stranger_organization,
            kind: ProductKind::Drive,
            name: "Secret drive",
            status: ProductStatus::Active,
            expires_at: None,
            holder: "Sid",
            at: now,
        },
    )
    .await
    .expect("foreign product");
    tx.commit().await.expect("commit");
    World {
        admin,
        collaborator,
        stranger,
        organization,
        stranger_organization,
        granted: ids[4],
        hidden: ids[5],
        foreign,
    }
}

async fn list(
    app: &TestApp,
    cookie: &str,
    organization: i64,
    filters: &[(&str, &str)],
) -> common::Reply {
    let organization = organization.to_string();
    let mut form = vec![("organization_id", organization.as_str())];
    for key in ["search", "kind", "status", "tag", "sort"] {
        form.push((
            key,
            filters
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| *v)
                .unwrap_or(""),
        ));
    }
    if let Some((_, after)) = filters.iter().find(|(k, _)| *k == "after") {
        form.push(("after", after));
    }
    app.call("list_products", Some(cookie), &form).await
}

fn names(reply: &common::Reply) -> Vec<String> {
    reply.json()["products"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

on_every_backend!(
    administrators_see_every_product_collaborators_only_theirs,
    |app: TestApp| async move {
        let w = world(&app).await;
        let all = list(&app, &w.admin, w.organization, &[]).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        assert_eq!(names(&all).len() as i64, PAGE_SIZE);
        assert_eq!(all.json()["sees_all"], true);

        let theirs = list(&app, &w.collaborator, w.organization, &[]).await;
        assert_eq!(names(&theirs), vec!["shop-04.ch"]);
        assert_eq!(theirs.json()["sees_all"], false);

        // Product pages: holder apart from payer; out of reach says where and who.
        let org = w.organization.to_string();
        let page = app
            .call(
                "get_product",
                Some(&w.collaborator),
                &[
                    ("organization_id", &org),
                    ("product_id", &w.granted.to_string()),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.json()["holder"], "Holder AG");
        assert_eq!(page.json()["payer"], "Ann Admin");
        let hidden = app
            .call(
                "get_product",
                Some(&w.collaborator),
                &[
                    ("organization_id", &org),
                    ("product_id", &w.hidden.to_string()),
                ],
            )
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        let message = hidden.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("Ann Admin") && message.contains("col@example.com"),
            "{message}"
        );
        // Another organization's product, asked through my own organization: not found.
        let foreign = app
            .call(
                "get_product",
                Some(&w.admin),
                &[
                    ("organization_id", &org),
                    ("product_id", &w.foreign.to_string()),
                ],
            )
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        // Another organization's list: not a member, not found.
        let theirs = list(&app, &w.admin, w.stranger_organization, &[]).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        let mine = list(&app, &w.stranger, w.stranger_organization, &[]).await;
        assert_eq!(names(&mine), vec!["Secret drive"]);
    }
);

on_every_backend!(
    filters_and_search_narrow_the_list,
    |app: TestApp| async move {
        let w = world(&app).await;
        let domains = list(&app, &w.admin, w.organization, &[("kind", "domain")]).await;
        assert_eq!(names(&domains).len(), 15);
        assert!(domains.json()["products"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|p| p["kind"] == "domain"));
        let suspended = list(&app, &w.admin, w.organization, &[("status", "suspended")]).await;
        assert_eq!(names(&suspended), vec!["shop-07.ch"]);
        let search = list(&app, &w.admin, w.organization, &[("search", "SHOP-1")]).await;
        assert_eq!(names(&search).len(), 10, "{:?}", names(&search));
        // % and _ are taken literally.
        let literal = list(&app, &w.admin, w.organization, &[("search", "100%_")]).await;
        assert_eq!(names(&literal), vec!["100%_shop-13.ch"]);
        let none = list(&app, &w.admin, w.organization, &[("search", "%nothing%")]).await;
        assert!(names(&none).is_empty());
        assert_eq!(none.json()["organization_name"], "Ann Admin");
        assert_eq!(none.json()["account_email"], "ann@example.com");
        let bad = list(&app, &w.admin, w.organization, &[("kind", "toaster")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["field"], "kind");
        let cursor = list(&app, &w.admin, w.organization, &[("after", "garbage")]).await;
        assert_eq!(cursor.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

on_every_backend!(
    keyset_pages_cover_the_list_once_in_either_order,
    |app: TestApp| async move {
        let w = world(&app).await;
        for sort in ["name", "expiry"] {
            let mut seen: Vec<Value> = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut filters = vec![("sort", sort)];
                if let Some(a) = &after {
                    filters.push(("after", a.as_str()));
                }
                let page = list(&app, &w.admin, w.organization, &filters).await;
                assert_eq!(page.status, StatusCode::OK, "{}", page.body);
                seen.extend(
                    page.json()["products"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                );
                match page.json()["next"].as_str() {
                    Some(next) => after = Some(next.to_owned()),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 45, "{sort}");
            let mut ids: Vec<i64> = seen.iter().filter_map(|p| p["id"].as_i64()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 45, "no product twice ({sort})");
            if sort == "name" {
                let names: Vec<String> = seen
                    .iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_lowercase))
                    .collect();
                let mut sorted = names.clone();
                sorted.sort();
                assert_eq!(names, sorted);
            } else {
                let keys: Vec<i64> = seen
                    .iter()
                    .map(|p| p["expires_at"].as_i64().unwrap_or(i64::MAX))
                    .collect();
                assert!(
                    keys.windows(2).all(|w| w[0] <= w[1]),
                    "soonest expiry first, none last"
                );
            }
        }
    }
);

on_every_backend!(
    tags_go_on_reachable_products_and_filter_the_list,
    |app: TestApp| async move {
        let w = world(&app).await;
        let org = w.organization.to_string();
        let tag = |cookie: &str, ids: String, tag_id: &str, name: &str, colour: &str| {
            let app = &app;
            let org = org.clone();
            let cookie = cookie.to_owned();
            let (tag_id, name, colour) = (tag_id.to_owned(), name.to_owned(), colour.to_owned());
            async move {
                app.call(
                    "tag_products",
                    Some(&cookie),
                    &[
                        ("organization_id", &org),
                        ("product_ids", &ids),
                        ("tag_id", &tag_id),
                        ("new_name", &name),
                        ("new_colour", &colour),
                    ],
                )
                .await
            }
        };
        let some = format!("{},{}", w.granted, w.hidden);
        // A new tag, created with its first products.
        let vip = tag(&w.admin, some.clone(), "", "VIP", "blue").await;
        assert_eq!(vip.status, StatusCode::OK, "{}", vip.body);
        assert_eq!(vip.json(), 2);
        let tag_id = app
            .count("SELECT id FROM tags WHERE name = 'VIP'")
            .await
            .to_string();
        assert_eq!(
            tag(&w.admin, some.clone(), "", "vip", "red").await.json()["field"],
            "name",
            "names are unique whatever the case"
        );
        assert_eq!(
            tag(&w.admin, some.clone(), "", "Other", "magenta")
                .await
                .json()["field"],
            "colour"
        );

        // The list filters by tag and shows the chips.
        let tagged = list(&app, &w.admin, w.organization, &[("tag", tag_id.as_str())]).await;
        assert_eq!(names(&tagged), vec!["shop-04.ch", "shop-05.ch"]);
        assert_eq!(tagged.json()["products"][0]["tags"][0]["name"], "VIP");
        // The collaborator sees the tag on the product they reach, not the other one.
        let theirs = list(
            &app,
            &w.collaborator,
            w.organization,
            &[("tag", tag_id.as_str())],
        )
        .await;
        assert_eq!(names(&theirs), vec!["shop-04.ch"]);
        let their_tags = app
            .call(
                "list_tags",
                Some(&w.collaborator),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(their_tags.json()[0]["products"], 1);

        // A collaborator may tag what they reach, nothing else; may not rename or delete.
        let reach = tag(&w.collaborator, w.granted.to_string(), "", "Mine", "green").await;
        assert_eq!(reach.status, StatusCode::OK, "{}", reach.body);
        let beyond = tag(&w.collaborator, w.hidden.to_string(), &tag_id, "", "").await;
        assert_eq!(beyond.status, StatusCode::NOT_FOUND);
        let rename = app
            .call(
                "update_tag",
                Some(&w.collaborator),
                &[
                    ("organization_id", &org),
                    ("tag_id", &tag_id),
                    ("name", "Gold"),
                    ("colour", "orange"),
                ],
            )
            .await;
        assert_eq!(rename.status, StatusCode::FORBIDDEN);
        // Another organization's product or tag is out of reach.
        let foreign = tag(&w.admin, w.foreign.to_string(), &tag_id, "", "").await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        let stranger_org = w.stranger_organization.to_string();
        let their_tag = app
            .call(
                "tag_products",
                Some(&w.stranger),
                &[
                    ("organization_id", &stranger_org),
                    ("product_ids", &w.foreign.to_string()),
                    ("tag_id", &tag_id),
                    ("new_name", ""),
                    ("new_colour", ""),
                ],
            )
            .await;
        assert_eq!(
            their_tag.status,
            StatusCode::NOT_FOUND,
            "a tag of another organization"
        );

        // Rename and recolour, take off, delete.
        let renamed = app
            .call(
                "update_tag",
                Some(&w.admin),
                &[
                    ("organization_id", &org),
                    ("tag_id", &tag_id),
                    ("name", "Gold"),
                    ("colour", "orange"),
                ],
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        let off = app
            .call(
                "untag_products",
                Some(&w.admin),
                &[
                    ("organization_id", &org),
                    ("product_ids", &w.hidden.to_string()),
                    ("tag_id", &tag_id),
                ],
            )
            .await;
        assert_eq!(off.json(), 1);
        let page = app
            .call(
                "get_product",
                Some(&w.admin),
                &[
                    ("organization_id", &org),
                    ("product_id", &w.granted.to_string()),
                ],
            )
            .await;
        let chips: Vec<String> = page.json()["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(chips, vec!["Gold", "Mine"]);
        let deleted = app
            .call(
                "delete_tag",
                Some(&w.admin),
                &[("organization_id", &org), ("tag_id", &tag_id)],
            )
            .await;
        assert_eq!(deleted.status, StatusCode::OK);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM product_tags").await,
            1,
            "only 'Mine' is left on a product"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM products").await,
            46,
            "products stay"
        );
        // Tagging and untagging write one entry per product (the log's product filter).
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action IN ('tag_created', 'products_tagged', 'tag_changed', 'products_untagged', 'tag_deleted')").await, 8);
    }
);

on_every_backend!(
    blocking_a_product_stops_collaborators_managing_it_and_tells_everyone,
    |app: TestApp| async move {
        let w = world(&app).await;
        let org = w.organization.to_string();
        let granted = w.granted.to_string();
        let form = [
            ("organization_id", org.as_str()),
            ("product_id", granted.as_str()),
            ("blocked", "true"),
        ];
        let unblock = [
            ("organization_id", org.as_str()),
            ("product_id", granted.as_str()),
            ("blocked", "false"),
        ];
        // Only administrators and legal representatives block.
        assert_eq!(
            app.call("set_product_blocked", Some(&w.collaborator), &form)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let mail = w.hidden.to_string();
        let refused = app
            .call(
                "set_product_blocked",
                Some(&w.admin),
                &[
                    ("organization_id", org.as_str()),
                    ("product_id", mail.as_str()),
                    ("blocked", "true"),
                ],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a mail service goes into maintenance instead"
        );
        let blocked = app.call("set_product_blocked", Some(&w.admin), &form).await;
        assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
        assert_eq!(
            app.call("set_product_blocked", Some(&w.admin), &form)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM outbox WHERE subject = 'Management of shop-04.ch is blocked'"
            )
            .await,
            2,
            "both members are emailed"
        );

        // The collaborator still sees it, blocked, but can no longer manage it.
        let theirs = list(&app, &w.collaborator, w.organization, &[]).await;
        assert_eq!(theirs.json()["products"][0]["blocked"], true);
        let page = app.call("get_product", Some(&w.collaborator), &form).await;
        assert_eq!(page.json()["blocked_by"], "Ann Admin");
        assert_eq!(page.json()["can_block"], false);
        let tag = |cookie: &str| {
            let app = &app;
            let (org, granted, cookie) = (org.clone(), granted.clone(), cookie.to_owned());
            async move {
                app.call(
                    "tag_products",
                    Some(&cookie),
                    &[
                        ("organization_id", &org),
                        ("product_ids", &granted),
                        ("tag_id", ""),
                        ("new_name", &format!("T{}", cookie.len() % 97)),
                        ("new_colour", "teal"),
                    ],
                )
                .await
            }
        };
        let denied = tag(&w.collaborator).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM tags").await,
            0,
            "nothing was written"
        );
        assert_eq!(
            tag(&w.admin).await.status,
            StatusCode::OK,
            "administrators still manage it"
        );

        let unblocked = app
            .call("set_product_blocked", Some(&w.admin), &unblock)
            .await;
        assert_eq!(unblocked.status, StatusCode::OK, "{}", unblocked.body);
        let again = app
            .call(
                "tag_products",
                Some(&w.collaborator),
                &[
                    ("organization_id", &org),
                    ("product_ids", &granted),
                    ("tag_id", ""),
                    ("new_name", "Back"),
                    ("new_colour", "teal"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM activity_log WHERE action IN ('product_blocked', 'product_unblocked')").await, 2);
    }
);

on_every_backend!(
    the_products_page_makes_the_same_few_statements_whatever_it_lists,
    |app: TestApp| async move {
        // The number of statements one products page runs (session and membership, each read
        // once for the page, the page of products with their tags, the tag list, the shell's
        // menu). The point is that it does not grow with the products listed: an N+1 shows up
        // here as soon as it is written.
        const STATEMENTS: u64 = 12;
        let (cookie, organization) = app.sign_up("quinn@example.com", "Quinn", "Count").await;
        let path = format!("/o/{organization}/products");
        let statements = |what: &'static str| {
            let (app, cookie, path) = (&app, &cookie, &path);
            async move {
                let before = app.state.db.statements();
                let page = app
                    .send(
                        http::Method::GET,
                        path,
                        &[("cookie", cookie)],
                        String::new(),
                    )
                    .await;
                assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.body);
                app.state.db.statements() - before
            }
        };

        let one = app.add_products(organization, &["one.ch"]).await;
        tag_all(&app, organization, "First", &one).await;
        // The first visit also remembers the organization as the one used last.
        statements("the first visit").await;
        let few = statements("one product").await;

        let names: Vec<String> = (0..PAGE_SIZE).map(|i| format!("many-{i}.ch")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let many = app.add_products(organization, &names).await;
        tag_all(&app, organization, "Second", &many).await;
        tag_all(&app, organization, "Third", &many).await;
        let full = statements("a full page, each product with two tags").await;

        assert_eq!(few, full, "the statements grow with the products listed");
        assert_eq!(full, STATEMENTS, "the products page's statements");
    }
);

/// A new tag of the organization on each of these products.
async fn tag_all(app: &TestApp, organization: i64, name: &str, products: &[i64]) {
    let now = app.state.now();
    let mut tx = app.state.db.write().await.expect("tx");
    let tag = app::tags::store::insert(&mut tx, organization, name, app::tags::Colour::ALL[0], now)
        .await
        .expect("tag");
    app::tags::store::attach(&mut tx, tag, products)
        .await
        .expect("attach");
    tx.commit().await.expect("commit");
}

on_every_backend!(
    a_products_holder_is_given_checked_and_logged_and_the_payer_stays_apart,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (cleo, _) = app.sign_up("cleo@example.com", "Cleo", "Colleague").await;
        let cleo_id = app
            .add_member(organization, "cleo@example.com", Role::Collaborator)
            .await;
        let product = app.add_products(organization, &["held.ch"]).await[0];
        let org = organization.to_string();
        let product_text = product.to_string();
        let holder = |fields: [(&'static str, &'static str); 7]| {
            let mut form = vec![
                ("organization_id", org.as_str()),
                ("product_id", product_text.as_str()),
            ];
            form.extend(fields);
            form
        };
        let valid = [
            ("name", "Anna Muster"),
            ("company", "Muster AG"),
            ("street", "Rue du Lac 1"),
            ("postal_code", "1003"),
            ("city", "Lausanne"),
            ("country", "ch"),
            ("email", "Anna@Muster.CH"),
        ];
        // The page says the contact is missing until given.
        let page = app
            .call(
                "get_product",
                Some(&boss),
                &[("organization_id", &org), ("product_id", &product_text)],
            )
            .await
            .json();
        assert_eq!(page["holder_contact"]["street"], "");
        assert_eq!(page["can_manage"], true);
        // Checked like a postal address, with an email.
        let mut bad = valid;
        bad[6] = ("email", "anna-at-muster");
        let refused = app.call("set_holder", Some(&boss), &holder(bad)).await;
        assert_eq!(
            (refused.code(), refused.json()["field"].clone()),
            ("validation".into(), Value::from("email"))
        );
        let mut bad = valid;
        bad[5] = ("country", "Atlantis");
        assert_eq!(
            app.call("set_holder", Some(&boss), &holder(bad))
                .await
                .json()["field"],
            "country"
        );
        let saved = app.call("set_holder", Some(&boss), &holder(valid)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let page = app
            .call(
                "get_product",
                Some(&boss),
                &[("organization_id", &org), ("product_id", &product_text)],
            )
            .await
            .json();
        assert_eq!(page["holder"], "Anna Muster");
        assert_eq!(page["holder_contact"]["company"], "Muster AG");
        assert_eq!(page["holder_contact"]["country"], "CH");
        assert_eq!(page["holder_contact"]["email"], "anna@muster.ch");
        // The payer is the organization, apart from the holder.
        assert_eq!(page["payer"], "Bea Boss");
        assert_eq!(
            app.texts(&format!("SELECT detail FROM activity_log WHERE action = 'holder_changed' AND product_id = {product}")).await,
            ["Muster AG, Anna Muster, Rue du Lac 1, CH-1003 Lausanne, anna@muster.ch"]
        );
        // A collaborator manages what they were given; not a product they do not reach, and
        // not one whose management is blocked.
        assert_eq!(
            app.call("set_holder", Some(&cleo), &holder(valid))
                .await
                .code(),
            "not_found"
        );
        {
            let mut tx = app.state.db.write().await.expect("tx");
            grant_access(&mut tx, product, cleo_id, false, 0)
                .await
                .expect("grant");
            tx.commit().await.expect("commit");
        }
        assert_eq!(
            app.call("set_holder", Some(&cleo), &holder(valid))
                .await
                .status,
            StatusCode::OK
        );
        app.exec(&format!(
            "UPDATE products SET blocked_at = 1 WHERE id = {product}"
        ))
        .await;
        assert_eq!(
            app.call("set_holder", Some(&cleo), &holder(valid))
                .await
                .code(),
            "forbidden"
        );
        let seen = app
            .call(
                "get_product",
                Some(&cleo),
                &[("organization_id", &org), ("product_id", &product_text)],
            )
            .await
            .json();
        assert_eq!(seen["can_manage"], false);
    }
);
