//! What reaches the browser: compression, and how long each answer may be kept.

use crate::common;

use common::TestApp;
use http::{Method, StatusCode};
use std::io::Read;

/// A site root like the build's: a WASM file named by the hash of its content, with its
/// precompressed copies; a file whose name carries a hash that is not its content's (as the
/// build leaves the loaders it rewrites); a file without a hash; the favicon.
fn site() -> (tempfile_dir::Dir, String, String) {
    let dir = tempfile_dir::Dir::new();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let wasm: Vec<u8> = (0..40_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    let name = format!("steward.{}.wasm", server::content_hash(&wasm));
    std::fs::write(pkg.join(&name), &wasm).expect("wasm");
    std::fs::write(pkg.join(format!("{name}.br")), b"brotli bytes").expect("br");
    std::fs::write(pkg.join(format!("{name}.gz")), b"gzip bytes").expect("gz");
    std::fs::write(
        pkg.join("steward.Xb3k9_-Qm2aZ0pLr7TnYcw.js"),
        "rewritten after naming",
    )
    .expect("js");
    std::fs::write(pkg.join("unhashed.js"), "console.log('x');".repeat(200)).expect("js");
    // Two modules that import each other share one hash: MD5 of both, in name order, with that
    // hash written as zeros (scripts/name-by-content.mjs); a pair that breaks the rule is not kept.
    let zeros = "0".repeat(22);
    let main = format!("import * as n from './loader.{zeros}.js'; export function init() {{}}");
    let loader = format!("import {{ init }} from './steward.{zeros}.js'; init();");
    let shared = server::content_hash(format!("{loader}{main}").as_bytes());
    for (name, text) in [("steward", &main), ("loader", &loader)] {
        std::fs::write(
            pkg.join(format!("{name}.{shared}.js")),
            text.replace(&zeros, &shared),
        )
        .expect("pair");
    }
    for name in ["broken", "pair"] {
        std::fs::write(
            pkg.join(format!("{name}.Pq3k9_-Qm2aZ0pLr7TnYcw.js")),
            format!("import './{name}.Pq3k9_-Qm2aZ0pLr7TnYcw.js';"),
        )
        .expect("broken pair");
    }
    std::fs::write(
        dir.path().join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    )
    .expect("svg");
    (dir, format!("/pkg/{name}"), shared)
}

/// A temporary directory removed when dropped (no extra crate for it).
mod tempfile_dir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let path = std::env::temp_dir().join(format!(
                "steward-site-{}-{}",
                std::process::id(),
                rand::random::<u64>()
            ));
            std::fs::create_dir_all(&path).expect("temp dir");
            Dir(path)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A gzip body, decoded.
fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("gzip");
    text
}

/// What Chromium sends.
const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

fn header<'a>(reply: &'a common::Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn hashed_assets_are_precompressed_and_immutable_others_revalidate() {
    let (site, path, shared) = site();
    let app = TestApp::sqlite_with_site(site.path().to_str().expect("utf-8")).await;
    let path = path.as_str();

    let brotli = app
        .send(
            Method::GET,
            path,
            &[("accept-encoding", "gzip, deflate, br")],
            String::new(),
        )
        .await;
    assert_eq!(brotli.status, StatusCode::OK);
    assert_eq!(header(&brotli, "content-encoding"), "br");
    assert_eq!(
        brotli.bytes, b"brotli bytes",
        "the precompressed file, as built"
    );
    assert_eq!(
        header(&brotli, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&brotli, "vary")
        .to_ascii_lowercase()
        .contains("accept-encoding"));

    let gzip = app
        .send(
            Method::GET,
            path,
            &[("accept-encoding", "gzip")],
            String::new(),
        )
        .await;
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert_eq!(gzip.bytes, b"gzip bytes");

    let plain = app.send(Method::GET, path, &[], String::new()).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(plain.bytes.len(), 160_000);
    assert_eq!(
        header(&plain, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    // A file of the build without a hash in its name: compressed on the fly, checked each time.
    let unhashed = app
        .send(
            Method::GET,
            "/pkg/unhashed.js",
            &[("accept-encoding", BROWSER_ENCODINGS)],
            String::new(),
        )
        .await;
    assert_eq!(unhashed.status, StatusCode::OK);
    assert_eq!(header(&unhashed, "content-encoding"), "gzip");
    assert_eq!(header(&unhashed, "cache-control"), "no-cache");
    assert_eq!(gunzip(&unhashed.bytes), "console.log('x');".repeat(200));

    // Named by a hash its content no longer has: asked for again each time, never kept; the
    // browser's conditional request is answered 304 while the file is unchanged.
    let stale = app
        .send(
            Method::GET,
            "/pkg/steward.Xb3k9_-Qm2aZ0pLr7TnYcw.js",
            &[],
            String::new(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(header(&stale, "cache-control"), "no-cache");
    let modified = header(&stale, "last-modified").to_owned();
    assert!(!modified.is_empty());
    let again = app
        .send(
            Method::GET,
            "/pkg/steward.Xb3k9_-Qm2aZ0pLr7TnYcw.js",
            &[("if-modified-since", &modified), ("accept-encoding", "br")],
            String::new(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());

    // A signed-in page whose address ends like a picture stays a page: never stored.
    let (cookie, organization) = app.sign_up("ida@example.com", "Ida", "Berg").await;
    let page = app
        .send(
            Method::GET,
            &format!("/o/{organization}/products/favicon.svg"),
            &[("cookie", &cookie)],
            String::new(),
        )
        .await;
    assert_eq!(header(&page, "cache-control"), "no-store");

    let icon = app
        .send(Method::GET, "/favicon.svg", &[], String::new())
        .await;
    assert_eq!(header(&icon, "cache-control"), "public, max-age=86400");

    // The two modules that name each other are kept, both; a pair whose shared hash is not
    // theirs is revalidated.
    for name in [
        format!("steward.{shared}.js"),
        format!("loader.{shared}.js"),
    ] {
        let module = app
            .send(Method::GET, &format!("/pkg/{name}"), &[], String::new())
            .await;
        assert_eq!(module.status, StatusCode::OK, "{name}");
        assert_eq!(
            header(&module, "cache-control"),
            "public, max-age=31536000, immutable",
            "{name}"
        );
    }
    let broken = app
        .send(
            Method::GET,
            "/pkg/broken.Pq3k9_-Qm2aZ0pLr7TnYcw.js",
            &[],
            String::new(),
        )
        .await;
    assert_eq!(header(&broken, "cache-control"), "no-cache");

    // A missing hashed name is not cached for a year.
    let missing = app
        .send(
            Method::GET,
            "/pkg/steward.AAAAAAAAAAAAAAAAAAAAAA.wasm",
            &[],
            String::new(),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_ne!(
        header(&missing, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}

on_every_backend!(
    pages_and_answers_are_compressed_and_never_stored,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("nora@example.com", "Nora", "Frei").await;

        // A signed-in page: compressed when the browser accepts it (gzip at its fastest level,
        // never brotli: README "The server"), never stored.
        let page = app
            .send(
                Method::GET,
                &format!("/o/{organization}"),
                &[("cookie", &cookie), ("accept-encoding", BROWSER_ENCODINGS)],
                String::new(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(header(&page, "content-encoding"), "gzip");
        assert_eq!(header(&page, "cache-control"), "no-store");
        let html = gunzip(&page.bytes);
        assert!(html.contains("<!DOCTYPE html>"), "{html}");
        // The stylesheet is part of the page: nothing to fetch before the first paint.
        assert!(html.contains("<style>") && html.contains("--color-primary"));

        // A streamed answer (the activity export) is compressed to its end.
        let export = app
            .send(
                Method::GET,
                "/activity.csv",
                &[("cookie", &cookie), ("accept-encoding", BROWSER_ENCODINGS)],
                String::new(),
            )
            .await;
        assert_eq!(export.status, StatusCode::OK);
        assert_eq!(header(&export, "content-encoding"), "gzip");
        let csv = gunzip(&export.bytes);
        assert!(csv.starts_with("id,time_utc,action"), "{csv}");
        assert!(
            csv.contains("account_created") || csv.lines().count() >= 2,
            "{csv}"
        );

        // gzip for a browser without brotli; a client asking for brotli alone gets the page as
        // it is (a dynamic answer is never brotli-compressed).
        for (accepted, sent) in [("gzip", "gzip"), ("br", "")] {
            let login = app
                .send(
                    Method::GET,
                    "/login",
                    &[("accept-encoding", accepted)],
                    String::new(),
                )
                .await;
            assert_eq!(header(&login, "content-encoding"), sent, "{accepted}");
        }

        // A server function's answer above the threshold is compressed; a small one is not.
        let list = app
            .call_with(
                "my_organizations",
                &[("cookie", &cookie), ("accept-encoding", BROWSER_ENCODINGS)],
                &[],
            )
            .await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(header(&list, "cache-control"), "no-store");
        assert_eq!(
            header(&list, "content-encoding"),
            "",
            "an answer of {} bytes is sent as it is",
            list.bytes.len()
        );
        let names: Vec<String> = (0..30).map(|n| format!("product-{n}.ch")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        app.add_products(organization, &names).await;
        let organization = organization.to_string();
        let overview = app
            .call_with(
                "list_products",
                &[("cookie", &cookie), ("accept-encoding", BROWSER_ENCODINGS)],
                &[
                    ("organization_id", &organization),
                    ("search", ""),
                    ("kind", ""),
                    ("status", ""),
                    ("tag", ""),
                    ("sort", ""),
                ],
            )
            .await;
        assert_eq!(overview.status, StatusCode::OK);
        assert_eq!(header(&overview, "content-encoding"), "gzip");
    }
);
