//! ORG-9: the permission model, proven.
//!
//! `policy::SERVER_FUNCTIONS` gives every server function its door (who may call it at all) and
//! its reach (what it touches, and which row of the role × action table decides). This file
//! checks that the table lists exactly the server functions the server registers, and then
//! runs every server function as every kind of caller, against its own organization, against
//! another organization's ids, and against its own organization with another organization's
//! object ids. Each answer must be the one the table predicts (allowed, unauthenticated,
//! forbidden, not found, refused), and after every refusal the database must be unchanged.

use crate::common;

use app::password::HashedPassword;
use app::policy::{self, Action, Caller, Ids, Reach, Role, Standing};
use common::snapshot::{Changes, Snapshot};
use common::{TestApp, PASSWORD};
use http::StatusCode;
use std::collections::BTreeSet;

#[test]
fn every_registered_server_function_has_a_row_and_every_row_a_function() {
    // The server registers its functions when its router is built.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| {
            path.strip_prefix("/api/")
                .unwrap_or_else(|| panic!("{path} is not under /api/"))
                .to_owned()
        })
        .collect();
    assert!(
        registered.len() >= 70,
        "only {} server functions registered",
        registered.len()
    );
    let listed: BTreeSet<String> = policy::SERVER_FUNCTIONS
        .iter()
        .map(|f| f.endpoint.to_owned())
        .collect();
    assert_eq!(
        listed.len(),
        policy::SERVER_FUNCTIONS.len(),
        "a server function is listed twice"
    );
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "server functions without a row in policy::SERVER_FUNCTIONS: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "rows for server functions that do not exist: {stale:?}"
    );
}

/// Every server function written in `app/src`: its file's source, its endpoint and its text
/// (from its signature to the line that closes it).
struct Written {
    file: std::path::PathBuf,
    source: std::rc::Rc<String>,
    endpoint: String,
    body: String,
}

fn written_server_functions() -> Vec<Written> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("app/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::rc::Rc::new(std::fs::read_to_string(&path).expect("a source file"));
            for (at, _) in source.match_indices("#[server(endpoint = \"") {
                let rest = &source[at + "#[server(endpoint = \"".len()..];
                let endpoint = &rest[..rest.find('"').expect("a closing quote")];
                let body = &rest[..rest.find("\n}\n").expect("the end of the function")];
                found.push(Written {
                    file: path.clone(),
                    source: source.clone(),
                    endpoint: endpoint.to_owned(),
                    body: body.to_owned(),
                });
            }
        }
    }
    found
}

/// A server function's door and reach are its row's because its body runs behind
/// `<ItsOwnType>::serve` (`app::access::Serve`), which finds the row by the function's own
/// path: no body picks a door of its own, and none borrows another function's row.
#[test]
fn every_server_function_body_starts_from_its_own_rows_context() {
    let written = written_server_functions();
    let mut wrong = Vec::new();
    for Written {
        file,
        endpoint,
        body,
        ..
    } in &written
    {
        let own_type: String = endpoint
            .split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        let serves = body.contains(&format!("{own_type}::serve("));
        let others = body.matches("::serve(").count();
        if !serves || others != 1 || policy::server_function(endpoint).is_none() {
            wrong.push(format!("{} ({endpoint})", file.display()));
        }
    }
    assert_eq!(
        written.len(),
        policy::SERVER_FUNCTIONS.len(),
        "server functions found in app/src"
    );
    assert!(
        wrong.is_empty(),
        "server functions whose body does not run behind their own row: {wrong:?}"
    );
}

/// The helpers of a source file (the functions of its `mod ssr`), by name, with their text.
fn helpers_of(source: &str) -> std::collections::HashMap<String, String> {
    let mut found = std::collections::HashMap::new();
    let Some(start) = source
        .find("\nmod ssr {")
        .or_else(|| source.find("\npub mod ssr {"))
    else {
        return found;
    };
    let module = &source[start..];
    for (at, _) in module.match_indices("\n    pub(super) async fn ").chain(
        module
            .match_indices("\n    pub(super) fn ")
            .chain(module.match_indices("\n    pub async fn "))
            .chain(module.match_indices("\n    pub fn ")),
    ) {
        let from = at + module[at..].find("fn ").expect("fn") + 3;
        let name: String = module[from..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let end = module[at..]
            .find("\n    }\n")
            .map_or(module.len(), |e| at + e);
        found.insert(name, module[at..end].to_owned());
    }
    found
}

/// Whether `text` calls `name` (not a method, not a longer name that ends so).
fn calls(text: &str, name: &str) -> bool {
    text.match_indices(&format!("{name}("))
        .any(|(at, _)| !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.'))
}

/// Whether `text`, or a helper of the same file it calls (three calls deep), contains one of
/// `needles`.
fn reaches(
    text: &str,
    helpers: &std::collections::HashMap<String, String>,
    needles: &[&str],
    depth: usize,
) -> bool {
    if needles.iter().any(|n| text.contains(n)) {
        return true;
    }
    depth > 0
        && helpers
            .iter()
            .any(|(name, body)| calls(text, name) && reaches(body, helpers, needles, depth - 1))
}

/// The row's reach is enforced by the entry it names: a body whose row reaches an organization
/// opens its transaction through `Context::read_in`/`write_in` (the membership checked with the
/// row's action), one whose row reaches a product through `read_products`/`write_products` (or
/// enters the organization and names its products through `products_of`, the one product-reach
/// query), itself or in a helper of its file; neither asks for a bare transaction (which the
/// context also refuses at run time); and no body reads the clock: its instant is the
/// context's, read once.
#[test]
fn every_body_uses_the_entry_its_rows_reach_names() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for Written {
        source,
        endpoint,
        body,
        ..
    } in written_server_functions()
    {
        let helpers = helpers_of(&source);
        let Some(row) = policy::server_function(&endpoint) else {
            continue;
        };
        // One instant per call: the body takes it from its context, never the clock.
        if body.contains("state.now()") || body.contains(".clock.") {
            wrong.push(format!("{endpoint} reads the clock itself"));
        }
        const ORGANIZATION: &[&str] = &["cx.read_in(", "cx.write_in("];
        const PRODUCTS: &[&str] = &["cx.read_products(", "cx.write_products("];
        // From the opening brace: the signature names the function itself.
        let body = &body[body.find('{').expect("a body")..];
        let entered = match row.reach {
            Reach::Product(_) => {
                reaches(body, &helpers, PRODUCTS, 3)
                    || (reaches(body, &helpers, ORGANIZATION, 3)
                        && reaches(body, &helpers, &["cx.products_of("], 3))
            }
            Reach::Organization(_) => {
                reaches(body, &helpers, ORGANIZATION, 3) || reaches(body, &helpers, PRODUCTS, 3)
            }
            _ => continue,
        };
        checked += 1;
        if !entered {
            wrong.push(format!("{endpoint} ({:?})", row.reach));
        }
        if reaches(body, &helpers, &["cx.read()", "cx.write()"], 3) {
            wrong.push(format!("{endpoint} asks for a bare transaction"));
        }
    }
    let reaching = policy::SERVER_FUNCTIONS
        .iter()
        .filter(|row| matches!(row.reach, Reach::Organization(_) | Reach::Product(_)))
        .count();
    assert_eq!(
        checked, reaching,
        "bodies checked, of rows that reach inside"
    );
    assert!(
        wrong.is_empty(),
        "bodies that do not go through the entry their row's reach names: {wrong:?}"
    );
}

/// Every kind of caller the issue names, plus a sign-in that still owes its second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Principal {
    LegalRepresentative,
    Administrator,
    /// An administrator of A without two-factor authentication, when A requires it (SEC-4):
    /// for calls that reach into A, the matrix makes A require it first (`owes_two_factor`).
    OwesTwoFactor,
    CollaboratorWithAccess,
    CollaboratorWithBilling,
    CollaboratorWithoutAccess,
    External,
    BlockedMember,
    NonMember,
    Anonymous,
    ReadToken,
    ReadWriteToken,
    HalfwaySignedIn,
}

use Principal::*;

const PRINCIPALS: [Principal; 13] = [
    LegalRepresentative,
    Administrator,
    OwesTwoFactor,
    CollaboratorWithAccess,
    CollaboratorWithBilling,
    CollaboratorWithoutAccess,
    External,
    BlockedMember,
    NonMember,
    Anonymous,
    ReadToken,
    ReadWriteToken,
    HalfwaySignedIn,
];

impl Principal {
    /// How they stand in organization A (the tokens are the legal representative's).
    fn standing(self) -> Option<Standing> {
        let (role, blocked) = match self {
            LegalRepresentative | ReadToken | ReadWriteToken => (Role::LegalRepresentative, false),
            Administrator | OwesTwoFactor | HalfwaySignedIn => (Role::Administrator, false),
            CollaboratorWithAccess | CollaboratorWithBilling | CollaboratorWithoutAccess => {
                (Role::Collaborator, false)
            }
            External => (Role::External, false),
            BlockedMember => (Role::Collaborator, true),
            NonMember | Anonymous => return None,
        };
        Some(Standing {
            role,
            blocked,
            missing_two_factor: self == OwesTwoFactor,
            billing: self == CollaboratorWithBilling,
            partner: None,
        })
    }

    /// Given access to product P1 of organization A.
    fn reaches_p1(self) -> bool {
        matches!(
            self,
            CollaboratorWithAccess | CollaboratorWithBilling | External | BlockedMember
        )
    }

    fn token(self) -> bool {
        matches!(self, ReadToken | ReadWriteToken)
    }

    /// A complete sign-in in a browser (a session cookie).
    fn session(self) -> bool {
        !matches!(
            self,
            Anonymous | ReadToken | ReadWriteToken | HalfwaySignedIn
        )
    }
}

/// Whose ids a call carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Organization A and its objects (for one's own account: one's own objects).
    Own,
    /// Organization B and its objects (for an account: another person's objects).
    Foreign,
    /// Organization A's id with organization B's object ids.
    Mixed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Unauthenticated,
    Forbidden,
    NotFound,
    /// A well-formed refusal of the request itself (422): "sign out first", "already signed in".
    Refused,
}

fn outcome_of(status: StatusCode) -> Option<Outcome> {
    Some(match status.as_u16() {
        200 => Outcome::Allowed,
        401 => Outcome::Unauthenticated,
        403 => Outcome::Forbidden,
        404 => Outcome::NotFound,
        422 => Outcome::Refused,
        _ => return None,
    })
}

/// What the table says `principal` gets through the door `caller` to `reach` with `target`'s
/// ids.
fn expected(caller: Caller, reach: Reach, principal: Principal, target: Target) -> Outcome {
    use Outcome::*;
    match caller {
        Caller::Anyone => {}
        Caller::SignedOut => {
            if principal.session() || principal.token() {
                return Refused;
            }
        }
        Caller::HalfwaySignedIn => {
            return match principal {
                HalfwaySignedIn => Allowed,
                Anonymous | ReadToken | ReadWriteToken => Unauthenticated,
                _ => Refused,
            }
        }
        Caller::Reader | Caller::Writer | Caller::InPerson => {
            if matches!(principal, Anonymous | HalfwaySignedIn) {
                return Unauthenticated;
            }
            let refused_token = match caller {
                Caller::Writer => principal == ReadToken,
                Caller::InPerson => principal.token(),
                _ => false,
            };
            if refused_token {
                return Forbidden;
            }
        }
    }
    match reach {
        Reach::Entry => Allowed,
        Reach::OwnAccount | Reach::Link => match target {
            Target::Own => Allowed,
            _ => NotFound,
        },
        Reach::Invitee => match (target, principal) {
            (Target::Own, NonMember) => Allowed,
            (Target::Own, _) => Forbidden,
            _ => NotFound,
        },
        Reach::Organization(action) | Reach::Product(action) => {
            let Some(standing) = principal.standing() else {
                return NotFound;
            };
            if target == Target::Foreign {
                return NotFound;
            }
            if !policy::permits(standing, action) {
                return Forbidden;
            }
            if target == Target::Mixed {
                return NotFound;
            }
            let sees_all = policy::allows(standing.role, Action::ViewAllProducts);
            if matches!(reach, Reach::Product(_)) && !sees_all && !principal.reaches_p1() {
                return NotFound;
            }
            Allowed
        }
    }
}

/// Expectations written out by hand for a sample of functions, against one's own organization:
/// the matrix derives its predictions from `policy`, the same code the server runs, so a wrong
/// row with code that matches it would pass there; it fails here.
#[test]
fn a_sample_of_rows_gives_the_answers_written_out_by_hand() {
    use Outcome::{
        Allowed as A, Forbidden as F, NotFound as N, Refused as R, Unauthenticated as U,
    };
    #[rustfmt::skip]
    const WRITTEN: &[(&str, [Outcome; 13])] = &[
        // LR admin owes c+acc c+bill c-acc ext blocked non-m anon rtok rwtok halfway
        ("sign_in",            [A, A, A, A, A, A, A, A, A, A, A, A, A]),
        ("join_with_new_account", [R, R, R, R, R, R, R, R, R, A, R, R, A]),
        ("verify_second_factor", [R, R, R, R, R, R, R, R, R, U, U, U, A]),
        ("my_account",         [A, A, A, A, A, A, A, A, A, U, A, A, U]),
        ("create_organization", [A, A, A, A, A, A, A, A, A, U, F, A, U]),
        ("change_password",    [A, A, A, A, A, A, A, A, A, U, F, F, U]),
        ("organization_shell", [A, A, A, A, A, A, A, A, N, U, A, A, U]),
        ("organization_users", [A, A, F, A, A, A, F, F, N, U, A, A, U]),
        ("change_role",        [A, A, F, F, F, F, F, F, N, U, F, A, U]),
        ("organization_member", [A, A, F, F, F, F, F, F, N, U, A, A, U]),
        ("set_product_access", [A, A, F, F, F, F, F, F, N, U, F, A, U]),
        ("invite_person",      [A, A, F, F, F, F, F, F, N, U, F, A, U]),
        ("organization_activity", [A, A, F, F, F, F, F, F, N, U, A, A, U]),
        ("delete_organization", [A, A, F, F, F, F, F, F, N, U, F, F, U]),
        ("list_products",      [A, A, F, A, A, A, A, F, N, U, A, A, U]),
        ("get_product",        [A, A, F, A, A, N, A, F, N, U, A, A, U]),
        ("set_product_blocked", [A, A, F, F, F, F, F, F, N, U, F, A, U]),
        ("tag_products",       [A, A, F, A, A, N, F, F, N, U, F, A, U]),
        ("prepaid_account",    [A, A, F, F, A, F, F, F, N, U, A, A, U]),
        ("add_billing_address", [A, A, F, F, A, F, F, F, N, U, F, A, U]),
        ("place_order",        [A, A, F, F, A, F, F, F, N, U, F, A, U]),
        ("list_invoices",      [A, A, F, F, A, F, F, F, N, U, A, A, U]),
        ("apply_promo_code",   [A, A, F, F, A, F, F, F, N, U, F, A, U]),
        ("set_auto_renew_many", [A, A, F, F, A, F, F, F, N, U, F, A, U]),
        // Ordering while signed out: anyone, whoever they are.
        ("add_to_guest_cart",  [A, A, A, A, A, A, A, A, A, A, A, A, A]),
        // My time zone is mine to read (a program too) and to set in person.
        ("my_time_zone",       [A, A, A, A, A, A, A, A, A, U, A, A, U]),
        ("set_my_time_zone",   [A, A, A, A, A, A, A, A, A, U, F, F, U]),
        // Money leaves the organization by its legal representatives only: billing rights
        // and the administrator's role see the balance, never send it away.
        ("request_withdrawal", [A, F, F, F, F, F, F, F, N, U, F, F, U]),
        ("update_tag",         [A, A, F, F, F, F, F, F, N, U, F, A, U]),
        // The partner program: the Reseller area for legal representatives and
        // administrators; asking customers and granting a partner access commit the
        // organization: legal representatives, in person.
        ("reseller",           [A, A, F, F, F, F, F, F, N, U, A, A, U]),
        ("request_customer",   [A, F, F, F, F, F, F, F, N, U, F, F, U]),
        ("grant_partner_access", [A, F, F, F, F, F, F, F, N, U, F, F, U]),
        ("end_partner_access", [A, A, F, F, F, F, F, F, N, U, F, A, U]),
    ];
    for (endpoint, outcomes) in WRITTEN {
        let row = policy::server_function(endpoint).unwrap_or_else(|| panic!("{endpoint}"));
        for (principal, want) in PRINCIPALS.iter().zip(outcomes) {
            assert_eq!(
                expected(row.caller, row.reach, *principal, Target::Own),
                *want,
                "{endpoint} as {principal:?}"
            );
        }
    }
}

struct Person {
    id: i64,
    email: String,
    cookie: String,
}

/// Two organizations and everyone the matrix needs, built afresh whenever an allowed call
/// changed something.
struct World {
    a: i64,
    b: i64,
    lr: Person,
    admin: Person,
    owing: Person,
    with_access: Person,
    with_billing: Person,
    without_access: Person,
    external: Person,
    blocked: Person,
    non_member: Person,
    halfway: Person,
    /// A collaborator of A whom others change, block, remove, unlock.
    victim: Person,
    /// A member of B.
    stranger_member: i64,
    read_token: String,
    write_token: String,
    halfway_backup_code: String,
    /// The halfway sign-in's cookie (`halfway.cookie` is a complete session, for set-ups).
    halfway_cookie: String,
    p1: i64,
    q1: i64,
    tag_a: i64,
    tag_b: i64,
    /// A billing address of A that is not its default (A has a default one too), and one of B.
    address_a: i64,
    address_b: i64,
    /// A cart line, an order waiting for its bank transfer and its invoice, in A and in B.
    cart_line_a: i64,
    cart_line_b: i64,
    order_a: i64,
    order_b: i64,
    invoice_a: i64,
    invoice_b: i64,
    invitation_a: i64,
    invitation_b: i64,
    /// Invitation links: to the non-member (A), to nobody with an account yet (A).
    accept_token: String,
    join_token: String,
    unlock_token: String,
    not_me_token: String,
    /// A request to move a third organization's product, open: accepted into A by A's legal
    /// representative.
    move_token: String,
    /// A request to move A's p1 elsewhere, open: opened and refused through its link.
    refuse_token: String,
    /// The partner program: A and B are approved partners. Requests of A and of B waiting
    /// for their answer; A's and B's active relationships with a third organization as their
    /// customer; a fourth organization's active access to A and to B as their partner; and a
    /// third organization's request, opened, refused or granted into A through its link.
    request_a: i64,
    request_b: i64,
    customer_a: i64,
    customer_b: i64,
    partner_of_a: i64,
    partner_of_b: i64,
    partner_token: String,
    /// The people of the fourth organization, D, A's partner: its legal representative,
    /// administrator, a collaborator A is delegated to and one it is not (PAR-3).
    partner_people: [Person; 4],
    /// D's billing address: where an order D pays for A is invoiced (PAR-4).
    partner_address: i64,
    /// A domain of A and one of B waiting for their DNS record (verified domains).
    domain_a: i64,
    domain_b: i64,
    email_change_token: String,
    reset_token: String,
    sign_up_token: String,
    stranger_session: i64,
    stranger_method: i64,
    stranger_app_password: i64,
    stranger_api_token: i64,
    /// A mail service in A (reached as P1 is) and one in B, each with an address, a user of it
    /// and a device of that user; a device setup link of A's address.
    mail: [MailWorld; 2],
    setup_token: String,
}

/// A mail service and what is inside it.
#[derive(Clone, Copy)]
struct MailWorld {
    service: i64,
    address: i64,
    user: i64,
    device: i64,
}

/// Makes organization A require two-factor authentication, or no longer, around a call of the
/// principal who owes it; A is built without the requirement, so that everyone else reaches it.
/// A set-up may have given them a second factor (the call needs one when they may make it):
/// they owe it all the same, so it goes.
async fn a_requires_two_factor(app: &TestApp, world: &World, required: bool) {
    if required {
        exec(
            app,
            &format!(
                "DELETE FROM second_factors WHERE user_id = {}",
                world.owing.id
            ),
        )
        .await;
    }
    let value = if required { "TRUE" } else { "FALSE" };
    exec(
        app,
        &format!(
            "UPDATE organizations SET require_two_factor = {value} WHERE id = {}",
            world.a
        ),
    )
    .await;
}

/// Whether a call reaches into an organization, where a member's owed two-factor
/// authentication matters.
fn reaches_inside(reach: Reach) -> bool {
    matches!(reach, Reach::Organization(_) | Reach::Product(_))
}

/// A key no order of this process has used.
fn unique_key() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "matrix-order-key-{:08}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn exec(app: &TestApp, sql: &str) {
    let mut tx = app.state.db.write().await.expect("tx");
    on_db!(&mut tx, |c| sqlx::query(sql)
        .execute(&mut **c)
        .await
        .map(|_| ()))
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.commit().await.expect("commit");
}

/// The test password's hash, computed once: hashing is deliberately slow, and each shard builds
/// a world.
static PASSWORD_HASH: std::sync::Mutex<Option<HashedPassword>> = std::sync::Mutex::new(None);

async fn password_hash(app: &TestApp) -> HashedPassword {
    if let Some(hash) = PASSWORD_HASH.lock().expect("lock").clone() {
        return hash;
    }
    let hash = app
        .state
        .passwords
        .hash(PASSWORD.to_owned())
        .await
        .expect("hash");
    *PASSWORD_HASH.lock().expect("lock") = Some(hash.clone());
    hash
}

/// A person without an organization of their own, with a signed-in browser session.
async fn person(app: &TestApp, name: &str) -> Person {
    use app::access::store::insert_session;
    use app::access::store::NewSession;
    use app::access::store::Stage;
    use app::account::store::{insert_user, NewUser};
    let email = common::unique_address(&name.to_lowercase());
    let hash = password_hash(app).await;
    let now = app.state.now();
    let (token, token_hash) = app::tokens::new_token();
    let mut tx = app.state.db.write().await.expect("tx");
    let id = insert_user(
        &mut tx,
        &NewUser {
            email: &email,
            first_name: name,
            last_name: "Matrix",
            password_hash: &hash,
            at: now,
        },
    )
    .await
    .expect("insert")
    .expect("new address");
    insert_session(
        &mut tx,
        &NewSession {
            user_id: id,
            token_hash: &token_hash,
            persistent: false,
            stage: Stage::Full,
            at: now,
            expires_at: now + 3600,
            origin: &app::request::Origin::default(),
        },
    )
    .await
    .expect("session");
    tx.commit().await.expect("commit");
    let cookie = format!("{}={token}", app::tokens::COOKIE_NAME);
    Person { id, email, cookie }
}

async fn member(app: &TestApp, organization: i64, name: &str, role: Role) -> Person {
    let p = person(app, name).await;
    app.add_member(organization, &p.email, role).await;
    p
}

/// A secret link of `purpose` for `user`, straight into the table the server reads.
/// The id an `INSERT … RETURNING id` gives, committed.
async fn inserted(app: &TestApp, sql: &str) -> i64 {
    let mut tx = app.state.db.write().await.expect("tx");
    let id = on_db!(&mut tx, |c| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&mut **c)
        .await)
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.commit().await.expect("commit");
    id
}

async fn link(app: &TestApp, table_sql: impl Fn(&str) -> String) -> String {
    let (token, hash) = app::tokens::new_token();
    exec(app, &table_sql(&hash)).await;
    token
}

async fn api_token(app: &TestApp, cookie: &str, scope: &str) -> String {
    let reply = app
        .call(
            "create_api_token",
            Some(cookie),
            &[
                ("name", "matrix"),
                ("scope", scope),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["secret"].as_str().expect("secret").to_owned()
}

async fn newest(app: &TestApp, table: &str, user: i64) -> i64 {
    app.count(&format!(
        "SELECT MAX(id) FROM {table} WHERE user_id = {user}"
    ))
    .await
}

impl World {
    async fn build(app: &TestApp) -> World {
        let now = app.state.now();
        let (lr_cookie, a) = app
            .sign_up(&common::unique_address("lr"), "Lea", "Legal")
            .await;
        let lr_id = app
            .count(&format!(
                "SELECT user_id FROM memberships WHERE organization_id = {a}"
            ))
            .await;
        let lr_email = app
            .texts(&format!("SELECT email FROM users WHERE id = {lr_id}"))
            .await
            .remove(0);
        let lr = Person {
            id: lr_id,
            email: lr_email,
            cookie: lr_cookie,
        };
        let (stranger_cookie, b) = app
            .sign_up(&common::unique_address("stranger"), "Sam", "Stranger")
            .await;
        let stranger_id = app
            .count(&format!(
                "SELECT user_id FROM memberships WHERE organization_id = {b}"
            ))
            .await;
        let stranger = Person {
            id: stranger_id,
            email: String::new(),
            cookie: stranger_cookie,
        };
        // A second legal representative, so that the first may leave or delete their account.
        member(app, a, "Colette", Role::LegalRepresentative).await;
        let admin = member(app, a, "Adam", Role::Administrator).await;
        let owing = member(app, a, "Owen", Role::Administrator).await;
        let with_access = member(app, a, "Cora", Role::Collaborator).await;
        let with_billing = member(app, a, "Bill", Role::Collaborator).await;
        let without_access = member(app, a, "Nina", Role::Collaborator).await;
        let external = member(app, a, "Ezra", Role::External).await;
        let blocked = member(app, a, "Blake", Role::Collaborator).await;
        let victim = member(app, a, "Vic", Role::Collaborator).await;
        let non_member = person(app, "Noah").await;
        let stranger_member = member(app, b, "Stella", Role::Collaborator).await.id;

        let products = app.add_products(a, &["alpha.ch", "beta.ch"]).await;
        let p1 = products[0];
        let q1 = app.add_products(b, &["gamma.ch"]).await[0];
        {
            let mut tx = app.state.db.write().await.expect("tx");
            for (user, billing) in [
                (with_access.id, false),
                (with_billing.id, true),
                (external.id, false),
                (blocked.id, false),
                (victim.id, false),
            ] {
                app::products::store::grant_access(&mut tx, p1, user, billing, now)
                    .await
                    .expect("access");
            }
            tx.commit().await.expect("commit");
        }
        exec(
            app,
            &format!(
                "UPDATE memberships SET blocked_at = {now} WHERE organization_id = {a} AND user_id = {}",
                blocked.id
            ),
        )
        .await;
        let mail_world = |organization: i64, domain: &'static str, grant: Vec<i64>| async move {
            use app::mailboxes::store as mail;
            let mut tx = app.state.db.write().await.expect("tx");
            let service = app::products::store::insert(
                &mut tx,
                &app::products::store::NewProduct {
                    organization_id: organization,
                    kind: app::products::ProductKind::MailService,
                    name: "Matrix mail",
                    status: app::products::ProductStatus::Active,
                    expires_at: None,
                    holder: "Matrix AG",
                    at: now,
                },
            )
            .await
            .expect("mail service");
            for user in grant {
                app::products::store::grant_access(&mut tx, service, user, false, now)
                    .await
                    .expect("access");
            }
            let address = mail::insert_address(&mut tx, service, "info", domain, now)
                .await
                .expect("address");
            let user = mail::insert_user(
                &mut tx,
                address,
                &common::unique_address("mailuser"),
                None,
                app::mailboxes::Rights::ALL,
                now,
            )
            .await
            .expect("user")
            .expect("new user");
            let device = mail::insert_device(
                &mut tx,
                &mail::NewDevice {
                    address_id: address,
                    mail_user_id: Some(user),
                    name: "Laptop",
                    generic: false,
                    secret_hash: &format!("{:064}", address),
                    at: now,
                },
            )
            .await
            .expect("device");
            tx.commit().await.expect("commit");
            MailWorld {
                service,
                address,
                user,
                device,
            }
        };
        let mail_a = mail_world(
            a,
            "alpha.ch",
            vec![
                with_access.id,
                with_billing.id,
                external.id,
                blocked.id,
                victim.id,
            ],
        )
        .await;
        let mail_b = mail_world(b, "gamma.ch", vec![]).await;
        let setup_token = {
            let (token, hash) = app::tokens::new_token();
            let mut tx = app.state.db.write().await.expect("tx");
            app::mailboxes::store::insert_setup(
                &mut tx,
                mail_a.address,
                mail_a.user,
                "Phone",
                hash.as_str(),
                now,
                now + 86_400,
            )
            .await
            .expect("setup");
            tx.commit().await.expect("commit");
            token
        };

        let tag = |organization: i64, cookie: String, product: i64| async move {
            let reply = app
                .call(
                    "tag_products",
                    Some(&cookie),
                    &[
                        ("organization_id", &organization.to_string()),
                        ("product_ids", &product.to_string()),
                        ("tag_id", ""),
                        ("new_name", "Matrix"),
                        ("new_colour", "blue"),
                    ],
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            app.count(&format!(
                "SELECT MAX(id) FROM tags WHERE organization_id = {organization}"
            ))
            .await
        };
        let tag_a = tag(a, lr.cookie.clone(), p1).await;
        let tag_b = tag(b, stranger.cookie.clone(), q1).await;
        let address = |organization: i64, is_default: bool| async move {
            let input = app::billing::AddressInput::check(
                "Accounts",
                "",
                "Rue du Lac 1",
                "1003",
                "Lausanne",
                "CH",
                "",
            )
            .expect("valid");
            let mut tx = app.state.db.write().await.expect("tx");
            let id =
                app::billing::store::insert_address(&mut tx, organization, &input, is_default, now)
                    .await
                    .expect("address");
            tx.commit().await.expect("commit");
            id
        };
        address(a, true).await;
        let address_a = address(a, false).await;
        let address_b = address(b, true).await;

        // A promo code the cart's one field can apply (to the drive line below).
        exec(
            app,
            &format!(
                "INSERT INTO promo_codes (code, percent, created_at) VALUES ('MATRIX-TEN', 1000, {now}) \
                 ON CONFLICT (code) DO NOTHING"
            ),
        )
        .await;
        let shop = |organization: i64| async move {
            exec(
                app,
                &format!(
                    "INSERT INTO cart_lines (organization_id, kind, plan, name, quantity, periods, created_at) \
                     VALUES ({organization}, 'drive', 'standard', 'Matrix drive', 1, 1, {now})"
                ),
            )
            .await;
            let line = app
                .count(&format!(
                    "SELECT MAX(id) FROM cart_lines WHERE organization_id = {organization}"
                ))
                .await;
            exec(
                app,
                &format!(
                    "INSERT INTO orders (organization_id, currency, total_minor, payment, status, idempotency_key, placed_at) \
                     VALUES ({organization}, 'CHF', 6485, 'bank_transfer', 'awaiting_payment', '{}', {now})",
                    unique_key()
                ),
            )
            .await;
            let order = app
                .count(&format!(
                    "SELECT MAX(id) FROM orders WHERE organization_id = {organization}"
                ))
                .await;
            exec(
                app,
                &format!(
                    "INSERT INTO invoices (organization_id, order_id, currency, number, organization_name, address, \
                     net_minor, vat_minor, rounding_minor, total_minor, payment_reference, issued_at, line_count) \
                     VALUES ({organization}, {order}, 'CHF', {}, 'Matrix', 'Accounts', 6000, 486, -1, 6485, '', {now}, 1)",
                    1_000_000 + order
                ),
            )
            .await;
            let invoice = app
                .count(&format!(
                    "SELECT MAX(id) FROM invoices WHERE organization_id = {organization}"
                ))
                .await;
            exec(
                app,
                &format!(
                    "INSERT INTO invoice_lines (invoice_id, position, description, quantity, periods, period, \
                     list_minor, net_minor, vat_rate) VALUES ({invoice}, 0, 'Drive Matrix drive', 1, 1, 'year', 6000, 6000, 810)"
                ),
            )
            .await;
            (line, order, invoice)
        };
        // Something to request back (request_withdrawal).
        for organization in [a, b] {
            let mut tx = app.state.db.write().await.expect("tx");
            app::billing::ledger::book(
                &mut tx,
                &app::billing::ledger::Event {
                    organization_id: organization,
                    kind: app::billing::ledger::EntryKind::TopUp,
                    amount: app::money::Money::new(10_00, app::money::Currency::Chf),
                    key: &unique_key(),
                    reference: "matrix",
                    at: now,
                },
            )
            .await
            .expect("top-up");
            tx.commit().await.expect("commit");
        }
        let (cart_line_a, order_a, invoice_a) = shop(a).await;
        let (cart_line_b, order_b, invoice_b) = shop(b).await;

        let invite = |organization: i64, email: String| async move {
            let (token, hash) = app::tokens::new_token();
            let hash = hash.as_str().to_owned();
            exec(
                app,
                &format!(
                    "INSERT INTO invitations (organization_id, email, role, token_hash, created_at, sent_at, expires_at) \
                     VALUES ({organization}, '{email}', 'collaborator', '{hash}', {now}, {now}, {})",
                    now + 86_400
                ),
            )
            .await;
            let id = app
                .count(&format!(
                    "SELECT id FROM invitations WHERE token_hash = '{hash}'"
                ))
                .await;
            (id, token)
        };
        let (invitation_a, _) = invite(a, common::unique_address("pending")).await;
        let (invitation_b, _) = invite(b, common::unique_address("pending")).await;
        let (_, accept_token) = invite(a, non_member.email.clone()).await;
        let (_, join_token) = invite(a, common::unique_address("newcomer")).await;

        let victim_id = victim.id;
        let unlock_token = link(app, |hash| {
            format!(
                "INSERT INTO email_links (token_hash, user_id, purpose, created_at, expires_at) \
                 VALUES ('{hash}', {victim_id}, 'unlock', {now}, {})",
                now + 3600
            )
        })
        .await;
        let not_me_token = link(app, |hash| {
            format!(
                "INSERT INTO email_links (token_hash, user_id, purpose, created_at, expires_at) \
                 VALUES ('{hash}', {victim_id}, 'not_me', {now}, {})",
                now + 3600
            )
        })
        .await;
        // Moving a product (PRD-8) writes to two organizations by nature: the one accepted
        // into (A, the caller's) and the giving one — a third organization, so that no call on
        // A writes to B. Refusing writes to the giving one only: A's own beta.ch there (not p1,
        // which the matrix asks to move).
        let (_, c) = app
            .sign_up(&common::unique_address("giver"), "Gil", "Giver")
            .await;
        let r1 = app.add_products(c, &["delta.ch"]).await[0];
        let move_token = link(app, |hash| {
            format!(
                "INSERT INTO product_moves (product_id, from_organization_id, to_email, token_hash, created_at, expires_at) \
                 VALUES ({r1}, {c}, 'receiver@example.com', '{hash}', {now}, {})",
                now + 3600
            )
        })
        .await;
        let refuse_token = link(app, |hash| {
            format!(
                "INSERT INTO product_moves (product_id, from_organization_id, to_email, token_hash, created_at, expires_at) \
                 VALUES ({}, {a}, 'receiver@example.com', '{hash}', {now}, {})",
                products[1],
                now + 3600
            )
        })
        .await;
        // The partner program: A and B partners; C a customer of both; D a partner of both.
        let (_, third) = app
            .sign_up(&common::unique_address("customer"), "Cleo", "Customer")
            .await;
        let (_, fourth) = app
            .sign_up(&common::unique_address("partner"), "Dana", "Partner")
            .await;
        for organization in [a, b, third, fourth] {
            exec(
                app,
                &format!(
                    "INSERT INTO partners (organization_id, trade_register, website, state, applied_at, decided_at) \
                     VALUES ({organization}, 'CHE-123.456.789', 'https://example.ch', 'approved', {now}, {now})"
                ),
            )
            .await;
        }
        let relationship = |partner: i64, customer: Option<i64>, hash: &str| {
            let (state, customer, granted) = match customer {
                Some(c) => ("active", c.to_string(), "'full_customer_pays'"),
                None => ("requested", "NULL".to_owned(), "NULL"),
            };
            format!(
                "INSERT INTO partner_customers (partner_id, email, token_hash, requested_at, request_expires_at, \
                 requested_access, state, customer_id, granted_access, answered_at) \
                 VALUES ({partner}, 'customer@example.com', '{hash}', {now}, {}, 'full_customer_pays', '{state}', {customer}, {granted}, {now}) RETURNING id",
                now + 86_400
            )
        };
        let mut relationships = Vec::new();
        for (partner, customer) in [
            (a, None),
            (b, None),
            (a, Some(third)),
            (b, Some(third)),
            (fourth, Some(a)),
            (fourth, Some(b)),
        ] {
            let (_, hash) = app::tokens::new_token();
            relationships.push(inserted(app, &relationship(partner, customer, &hash)).await);
        }
        let [request_a, request_b, customer_a, customer_b, partner_of_a, partner_of_b] =
            relationships[..]
        else {
            unreachable!()
        };
        let partner_token = link(app, |hash| relationship(third, None, hash)).await;
        let partner_people = [
            member(app, fourth, "Pia", Role::LegalRepresentative).await,
            member(app, fourth, "Pat", Role::Administrator).await,
            member(app, fourth, "Pol", Role::Collaborator).await,
            member(app, fourth, "Pen", Role::Collaborator).await,
        ];
        let partner_address = address(fourth, true).await;
        let domain_sql = |organization: i64, name: &str| {
            format!(
                "INSERT INTO organization_domains (organization_id, domain, token, added_at) \
                 VALUES ({organization}, '{name}', 'matrix-token', {now}) RETURNING id"
            )
        };
        let domain_a = inserted(app, &domain_sql(a, "a-matrix.example")).await;
        let domain_b = inserted(app, &domain_sql(b, "b-matrix.example")).await;
        exec(
            app,
            &format!(
                "INSERT INTO ledger_entries (organization_id, currency, amount_minor, kind, idempotency_key, reference, created_at) \
                 VALUES ({fourth}, 'CHF', 100000, 'top_up', 'matrix-partner-top-up', '', {now})"
            ),
        )
        .await;
        exec(
            app,
            &format!(
                "INSERT INTO partner_delegations (partner_id, user_id, customer_id, created_at) \
                 VALUES ({fourth}, {}, {a}, {now})",
                partner_people[2].id
            ),
        )
        .await;
        let new_address = common::unique_address("renamed");
        let pending_hash = app::password::hash_now(PASSWORD).expect("hash");
        let pending_hash = pending_hash.as_phc();
        let sign_up_token = link(app, |hash| {
            let email = common::unique_address("pending");
            format!(
                "INSERT INTO pending_sign_ups (email, first_name, last_name, password_hash, remember, token_hash, code_hash, created_at, expires_at) \
                 VALUES ('{email}', 'Pen', 'Ding', '{pending_hash}', FALSE, '{hash}', 'x', {now}, {})",
                now + 3600
            )
        })
        .await;
        let reset_token = link(app, |hash| {
            format!(
                "INSERT INTO password_resets (token_hash, user_id, channel, created_at, expires_at) \
                 VALUES ('{hash}', {victim_id}, 'email', {now}, {})",
                now + 1800
            )
        })
        .await;
        let email_change_token = link(app, |hash| {
            format!(
                "INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) \
                 VALUES ('{hash}', {victim_id}, '{new_address}', {now}, {})",
                now + 3600
            )
        })
        .await;

        // The legal representative's API tokens.
        let read_token = api_token(app, &lr.cookie, "read").await;
        let write_token = api_token(app, &lr.cookie, "read_write").await;

        // An administrator with an authenticator app, halfway through signing in.
        let halfway_full = member(app, a, "Hal", Role::Administrator).await;
        let halfway_backup_code = app.turn_on_totp(&halfway_full.cookie).await.remove(0);
        let pending = app
            .call(
                "sign_in",
                None,
                &[("email", &halfway_full.email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            pending.json()["redirect"],
            "/login/two-factor",
            "{}",
            pending.body
        );
        let halfway_cookie = pending.session_cookie().expect("pending sign-in cookie");
        let halfway = halfway_full;

        // What belongs to the stranger's account.
        app.turn_on_totp(&stranger.cookie).await;
        let stranger_method = newest(app, "second_factors", stranger.id).await;
        let created = app
            .call(
                "create_app_password",
                Some(&stranger.cookie),
                &[("name", "x")],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        let stranger_app_password = newest(app, "app_passwords", stranger.id).await;
        api_token(app, &stranger.cookie, "read").await;
        let stranger_api_token = newest(app, "api_tokens", stranger.id).await;
        let stranger_session = newest(app, "sessions", stranger.id).await;

        // Each API token's first use records it; do that now, not during a refused call.
        for token in [&read_token, &write_token] {
            let bearer = format!("Bearer {token}");
            let reply = app
                .call_with("my_account", &[("authorization", &bearer)], &[])
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }

        World {
            a,
            b,
            lr,
            admin,
            owing,
            with_access,
            with_billing,
            without_access,
            external,
            blocked,
            non_member,
            halfway,
            victim,
            stranger_member,
            read_token,
            write_token,
            halfway_backup_code,
            halfway_cookie,
            p1,
            q1,
            tag_a,
            tag_b,
            address_a,
            address_b,
            cart_line_a,
            cart_line_b,
            order_a,
            order_b,
            invoice_a,
            invoice_b,
            invitation_a,
            invitation_b,
            accept_token,
            join_token,
            unlock_token,
            not_me_token,
            move_token,
            refuse_token,
            request_a,
            request_b,
            customer_a,
            customer_b,
            partner_of_a,
            partner_of_b,
            partner_token,
            partner_people,
            partner_address,
            domain_a,
            domain_b,
            email_change_token,
            reset_token,
            sign_up_token,
            stranger_session,
            stranger_method,
            stranger_app_password,
            stranger_api_token,
            mail: [mail_a, mail_b],
            setup_token,
        }
    }

    /// The account behind the principal (the tokens and the anonymous caller: the legal
    /// representative's, for what a call needs to exist).
    fn account(&self, principal: Principal) -> &Person {
        match principal {
            LegalRepresentative | Anonymous | ReadToken | ReadWriteToken => &self.lr,
            Administrator => &self.admin,
            OwesTwoFactor => &self.owing,
            CollaboratorWithAccess => &self.with_access,
            CollaboratorWithBilling => &self.with_billing,
            CollaboratorWithoutAccess => &self.without_access,
            External => &self.external,
            BlockedMember => &self.blocked,
            NonMember => &self.non_member,
            HalfwaySignedIn => &self.halfway,
        }
    }

    /// The headers that make a request come from `principal`.
    fn credentials(&self, principal: Principal) -> Vec<(String, String)> {
        match principal {
            Anonymous => vec![],
            ReadToken => vec![(
                "authorization".into(),
                format!("Bearer {}", self.read_token),
            )],
            ReadWriteToken => vec![(
                "authorization".into(),
                format!("Bearer {}", self.write_token),
            )],
            HalfwaySignedIn => vec![("cookie".into(), self.halfway_cookie.clone())],
            _ => vec![("cookie".into(), self.account(principal).cookie.clone())],
        }
    }
}

/// A call's arguments: the function's own argument struct, so that a renamed or retyped
/// parameter breaks the build rather than a run, encoded as the browser sends a server
/// function's arguments (a URL-encoded form; for these flat structs, byte for byte what
/// Leptos's serde_qs writes, `None` left out). `path` is the function's own, checked against
/// the row it is sent as.
#[derive(Debug)]
struct Form {
    path: &'static str,
    pairs: Vec<(String, String)>,
}

fn typed<T: leptos::server_fn::ServerFn + serde::Serialize>(arguments: T) -> Form {
    let encoded = serde_urlencoded::to_string(&arguments).expect("arguments encode");
    Form {
        path: T::PATH,
        pairs: serde_urlencoded::from_str(&encoded).expect("arguments decode"),
    }
}

/// Whether the ids a call is sent match what its row says it takes (`policy::Ids`), so that
/// a function given object ids without saying so cannot skip the mixed-ids calls.
fn ids_of_form(form: &Form, ids: Ids) -> Option<String> {
    let has = |names: &[&str]| {
        form.pairs
            .iter()
            .any(|(name, _)| names.contains(&name.as_str()))
    };
    let organization = has(&["organization_id"]);
    let objects = has(&[
        "product_id",
        "product_ids",
        "tag_id",
        "user_id",
        "invitation_id",
        "address_id",
        "line_id",
        "order_id",
        "mail_address_id",
        "mail_address_ids",
        "mail_user_id",
        "device_id",
        "relationship_id",
        "domain_id",
    ]);
    let own = has(&["session_id", "method_id", "id"]);
    let found = match (organization, objects, own) {
        (false, false, false) => Ids::None,
        (true, false, false) => Ids::Organization,
        (true, true, false) => Ids::OrganizationAndObjects,
        (false, false, true) => Ids::OwnObjects,
        _ => return Some(format!("an unexpected mix of ids: {form:?}")),
    };
    (found != ids).then(|| format!("its row says it takes {ids:?}, it is sent {found:?}"))
}

/// The arguments of a call to `endpoint` by `principal` with `target`'s ids, after whatever
/// set-up the call needs to be possible (done as the account owner, before the database is
/// logged). `None` when the target means nothing for this function.
async fn arguments(
    app: &TestApp,
    world: &World,
    endpoint: &str,
    principal: Principal,
    target: Target,
) -> Option<Form> {
    let me = world.account(principal);
    let foreign = target == Target::Foreign;
    let (organization, product, tag, member, invitation) = match target {
        Target::Own => (
            world.a,
            world.p1,
            world.tag_a,
            world.victim.id,
            world.invitation_a,
        ),
        Target::Foreign => (
            world.b,
            world.q1,
            world.tag_b,
            world.stranger_member,
            world.invitation_b,
        ),
        Target::Mixed => (
            world.a,
            world.q1,
            world.tag_b,
            world.stranger_member,
            world.invitation_b,
        ),
    };
    let s = |v: &str| v.to_owned();
    let mail = match target {
        Target::Own => world.mail[0],
        Target::Foreign | Target::Mixed => world.mail[1],
    };
    let address = if target == Target::Own {
        world.address_a
    } else {
        world.address_b
    };
    let (cart_line, order) = if target == Target::Own {
        (world.cart_line_a, world.order_a)
    } else {
        (world.cart_line_b, world.order_b)
    };
    // The shapes of ids the call can be sent, as its row states them.
    let row = policy::server_function(endpoint).expect("row");
    let applies = match (target, row.ids) {
        (Target::Own, _) => true,
        (Target::Foreign, ids) => ids != Ids::None,
        (Target::Mixed, ids) => ids == Ids::OrganizationAndObjects,
    };
    if !applies {
        return None;
    }
    let two_factor = || async {
        if app
            .count(&format!(
                "SELECT COUNT(*) FROM second_factors WHERE user_id = {}",
                me.id
            ))
            .await
            == 0
        {
            app.turn_on_totp(&me.cookie).await;
        }
        newest(app, "second_factors", me.id).await
    };
    use app::{
        account, billing, credentials, domains, invitations, lockout, mailboxes, organizations,
        partners, products, recovery, sessions, shop, sign_in, tags, two_factor,
    };
    let form: Form = match endpoint {
        "sign_up" => typed(account::api::SignUp {
            email: common::unique_address("signup"),
            first_name: s("New"),
            last_name: s("Person"),
            password: s(PASSWORD),
            remember: None,
            company: None,
        }),
        "resend_sign_up_code" => typed(account::api::ResendSignUpCode {
            email: common::unique_address("signup"),
        }),
        "order_page" => typed(shop::guest::OrderPage {}),
        "find_domain" => typed(shop::guest::FindDomain {
            name: s("matrix-search.ch"),
        }),
        "add_to_guest_cart" => typed(shop::guest::AddToGuestCart {
            kind: s("web_hosting"),
            name: s("matrix shop"),
            periods: 1,
        }),
        "remove_from_guest_cart" => typed(shop::guest::RemoveFromGuestCart { id: 1 }),
        "top_up_slip" => typed(billing::api::TopUpSlip {
            organization_id: organization,
            currency: s("CHF"),
            amount: s("150.00"),
        }),
        "sign_in" => typed(sign_in::api::SignIn {
            email: world.lr.email.clone(),
            password: s(PASSWORD),
            remember: None,
            next: None,
        }),
        "sign_out" => typed(account::api::SignOut {}),
        "cancel_sign_in" => typed(sign_in::api::CancelSignIn {}),
        "second_factor_challenge" => typed(sign_in::api::SecondFactorChallenge {}),
        "verify_second_factor" => typed(sign_in::api::VerifySecondFactor {
            proof: s("backup_code"),
            code: world.halfway_backup_code.clone(),
            next: None,
        }),
        "unlock_with_link" => typed(lockout::api::UnlockWithLink {
            token: world.unlock_token.clone(),
        }),
        "report_not_me" => typed(lockout::api::ReportNotMe {
            token: world.not_me_token.clone(),
        }),
        "confirm_email_change" => typed(account::changes::ConfirmEmailChange {
            token: world.email_change_token.clone(),
        }),
        "password_reset_options" => typed(recovery::api::PasswordResetOptions {}),
        "confirm_sign_up" => typed(account::api::ConfirmSignUp {
            email: None,
            code: None,
            token: Some(world.sign_up_token.clone()),
            password: Some(s(PASSWORD)),
        }),
        "request_password_reset" => typed(recovery::api::RequestPasswordReset {
            email: world.victim.email.clone(),
            channel: None,
        }),
        "reset_password" => typed(recovery::api::ResetPassword {
            token: world.reset_token.clone(),
            new_password: s("a completely new phrase"),
            confirm_password: s("a completely new phrase"),
        }),
        "open_invitation" => typed(invitations::api::OpenInvitation {
            organization_id: organization,
            token: world.accept_token.clone(),
        }),
        "accept_invitation" => typed(invitations::api::AcceptInvitation {
            organization_id: organization,
            token: world.accept_token.clone(),
        }),
        "join_with_new_account" => typed(invitations::api::JoinWithNewAccount {
            organization_id: organization,
            token: world.join_token.clone(),
            first_name: s("New"),
            last_name: s("Comer"),
            password: s(PASSWORD),
        }),
        "remove_my_avatar" => {
            let mut tx = app.state.db.write().await.expect("tx");
            app::account::store::save_avatar(&mut tx, me.id, b"png", app.state.now())
                .await
                .expect("avatar");
            tx.commit().await.expect("commit");
            typed(account::profile::RemoveMyAvatar {})
        }
        "my_account" => typed(account::api::MyAccount {}),
        "my_organizations" => typed(organizations::api::MyOrganizations {}),
        "my_activity" => typed(organizations::activity::api::MyActivity {
            from: None,
            to: None,
            action: None,
            product: None,
            search: None,
            before: None,
        }),
        "my_contacts" => typed(account::changes::MyContacts {}),
        "review_security" => typed(recovery::wizard::ReviewSecurity {}),
        "account_deletion_check" => typed(account::deletion::AccountDeletionCheck {}),
        "my_safety_settings" => typed(lockout::api::MySafetySettings {}),
        "active_sessions" => typed(sessions::api::ActiveSessions {}),
        "end_other_sessions" => typed(sessions::api::EndOtherSessions {}),
        "connection_log" => typed(sessions::api::ConnectionLog { before: None }),
        "two_factor_status" => typed(two_factor::api::TwoFactorStatus {}),
        "start_totp_enrolment" => typed(two_factor::api::StartTotpEnrolment {}),
        "my_credentials" => typed(credentials::api::MyCredentials {}),
        "revoke_all_credentials" => typed(credentials::api::RevokeAllCredentials {}),
        "my_mail_addresses" => typed(mailboxes::api::MyMailAddresses {}),
        "my_time_zone" => typed(account::profile::MyTimeZone {}),
        "set_my_time_zone" => typed(account::profile::SetMyTimeZone {
            time_zone: s("Europe/Zurich"),
        }),
        "create_organization" => typed(organizations::api::CreateOrganization {
            name: s("Matrix Ltd"),
        }),
        "change_password" => typed(account::changes::ChangePassword {
            current_password: s(PASSWORD),
            new_password: s("an entirely different long phrase"),
            confirm_password: s("an entirely different long phrase"),
            revoke_app_passwords: None,
        }),
        "request_email_change" => typed(account::changes::RequestEmailChange {
            new_email: common::unique_address("moved"),
            password: s(PASSWORD),
        }),
        "set_recovery_contacts" => typed(account::changes::SetRecoveryContacts {
            recovery_email: common::unique_address("recovery"),
            recovery_phone: s(""),
            password: s(PASSWORD),
            version: None,
        }),
        "change_my_name" => typed(account::profile::ChangeMyName {
            first_name: s("Renamed"),
            last_name: s("Person"),
            version: None,
        }),
        "confirm_identity" => typed(account::api::ConfirmIdentity {
            password: s(PASSWORD),
        }),
        "delete_my_account" => typed(account::deletion::DeleteMyAccount {
            password: s(PASSWORD),
            understood: Some(s("on")),
        }),
        "save_safety_settings" => typed(lockout::api::SaveSafetySettings {
            alert_on_sign_in: Some(s("on")),
            alert_on_failed_sign_in: None,
            lockout_threshold: s("7"),
            version: None,
        }),
        "end_session" => {
            let id = if foreign {
                world.stranger_session
            } else {
                app.sign_in(&me.email).await;
                newest(app, "sessions", me.id).await
            };
            typed(sessions::api::EndSession { session_id: id })
        }
        "confirm_totp_enrolment" => {
            let started = app
                .call("start_totp_enrolment", Some(&me.cookie), &[])
                .await;
            let secret = app::two_factor::totp::decode_secret(
                started.json()["secret"].as_str().unwrap_or_default(),
            )
            .unwrap_or_default();
            let code = app::two_factor::totp::code_at(
                &secret,
                app::two_factor::totp::DIGITS,
                app.state.now() as u64,
            );
            typed(two_factor::api::ConfirmTotpEnrolment {
                code,
                label: s("Tablet"),
            })
        }
        "generate_backup_codes" => {
            two_factor().await;
            typed(two_factor::api::GenerateBackupCodes {
                password: s(PASSWORD),
            })
        }
        "disable_two_factor" => {
            two_factor().await;
            typed(two_factor::api::DisableTwoFactor {
                password: s(PASSWORD),
            })
        }
        "set_default_method" | "remove_method" => {
            let method_id = if foreign {
                world.stranger_method
            } else {
                two_factor().await
            };
            if endpoint == "remove_method" {
                let password = s(PASSWORD);
                typed(two_factor::api::RemoveMethod {
                    method_id,
                    password,
                })
            } else {
                typed(two_factor::api::SetDefaultMethod { method_id })
            }
        }
        "create_app_password" => typed(credentials::api::CreateAppPassword {
            name: s("Mail client"),
        }),
        "create_api_token" => typed(credentials::api::CreateApiToken {
            name: s("Script"),
            scope: s("read"),
            expires_in_days: s("30"),
        }),
        "revoke_app_password" => {
            let id = if foreign {
                world.stranger_app_password
            } else {
                let reply = app
                    .call("create_app_password", Some(&me.cookie), &[("name", "y")])
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                newest(app, "app_passwords", me.id).await
            };
            typed(credentials::api::RevokeAppPassword { id })
        }
        "revoke_api_token" => {
            let id = if foreign {
                world.stranger_api_token
            } else {
                api_token(app, &me.cookie, "read").await;
                newest(app, "api_tokens", me.id).await
            };
            typed(credentials::api::RevokeApiToken { id })
        }
        "organization_shell" => typed(organizations::api::OrganizationShell {
            organization_id: organization,
        }),
        "organization_overview" => typed(organizations::api::OrganizationOverview {
            organization_id: organization,
        }),
        "activity_filter_choices" => typed(organizations::activity::api::ActivityFilterChoices {
            organization_id: organization,
        }),
        "leave_organization" => typed(organizations::removal::api::LeaveOrganization {
            organization_id: organization,
        }),
        "invitation_form" => typed(invitations::api::InvitationForm {
            organization_id: organization,
        }),
        "pending_invitations" => typed(invitations::api::PendingInvitations {
            organization_id: organization,
        }),
        "organization_settings" => typed(organizations::settings::api::OrganizationSettings {
            organization_id: organization,
        }),
        "list_tags" => typed(tags::api::ListTags {
            organization_id: organization,
        }),
        "organization_activity" => typed(organizations::activity::api::OrganizationActivity {
            organization_id: organization,
            from: None,
            to: None,
            action: None,
            product: None,
            search: None,
            before: None,
        }),
        "prepaid_account" => typed(billing::api::PrepaidAccount {
            organization_id: organization,
        }),
        "organization_users" => typed(organizations::api::OrganizationUsers {
            organization_id: organization,
            search: s(""),
        }),
        "list_products" => typed(products::api::ListProducts {
            organization_id: organization,
            search: s(""),
            kind: s(""),
            status: s(""),
            tag: s(""),
            sort: s(""),
            after: None,
        }),
        "unlock_member" => {
            exec(
                app,
                &format!(
                    "UPDATE users SET locked_at = {}, failed_sign_ins = 5 WHERE id IN ({}, {})",
                    app.state.now(),
                    world.victim.id,
                    world.stranger_member
                ),
            )
            .await;
            typed(organizations::api::UnlockMember {
                organization_id: organization,
                user_id: member,
            })
        }
        "change_role" => typed(organizations::api::ChangeRole {
            organization_id: organization,
            user_id: member,
            role: s("external"),
        }),
        "organization_member" => typed(organizations::people::api::OrganizationMember {
            organization_id: organization,
            user_id: member,
        }),
        "set_product_access" => typed(organizations::people::api::SetProductAccess {
            organization_id: organization,
            user_id: member,
            product_id: product,
            access: s("access"),
        }),
        "removal_review" => typed(organizations::removal::api::RemovalReview {
            organization_id: organization,
            user_id: member,
        }),
        // Half the callers block, the other half unblock (what they unblock blocked first).
        "set_member_blocked" if !unblocks(principal) => {
            typed(organizations::api::SetMemberBlocked {
                organization_id: organization,
                user_id: member,
                blocked: true,
            })
        }
        "set_member_blocked" => {
            let blocked = if target == Target::Own {
                world.blocked.id
            } else {
                member
            };
            exec(
                app,
                &format!(
                    "UPDATE memberships SET blocked_at = {} WHERE organization_id = {} AND user_id = {}",
                    app.state.now(),
                    world.b,
                    world.stranger_member
                ),
            )
            .await;
            typed(organizations::api::SetMemberBlocked {
                organization_id: organization,
                user_id: blocked,
                blocked: false,
            })
        }
        "remove_member" => typed(organizations::removal::api::RemoveMember {
            organization_id: organization,
            user_id: member,
            my_email: me.email.clone(),
            understood: Some(s("on")),
        }),
        "invite_person" => typed(invitations::api::InvitePerson {
            organization_id: organization,
            email: common::unique_address("invitee"),
            role: s("collaborator"),
            products: product.to_string(),
            billing: s(""),
        }),
        "resend_invitation" => typed(invitations::api::ResendInvitation {
            organization_id: organization,
            invitation_id: invitation,
        }),
        "revoke_invitation" => typed(invitations::api::RevokeInvitation {
            organization_id: organization,
            invitation_id: invitation,
        }),
        "rename_organization" => typed(organizations::settings::api::RenameOrganization {
            organization_id: organization,
            name: s("Renamed Ltd"),
            version: None,
        }),
        "set_two_factor_requirement" => {
            // Only someone with two-factor authentication may require it of everyone.
            two_factor().await;
            typed(organizations::settings::api::SetTwoFactorRequirement {
                organization_id: organization,
                required: true,
            })
        }
        "set_sms_reset_forbidden" => typed(organizations::settings::api::SetSmsResetForbidden {
            organization_id: organization,
            forbidden: true,
        }),
        "delete_organization" => {
            // Only an empty organization can be deleted: empty A but for the caller (or, for
            // someone outside it, its legal representative).
            if target == Target::Own {
                let keep = if principal.standing().is_some() {
                    me.id
                } else {
                    world.lr.id
                };
                let a = world.a;
                exec(
                    app,
                    &format!("DELETE FROM products WHERE organization_id = {a}"),
                )
                .await;
                exec(
                    app,
                    &format!(
                        "DELETE FROM memberships WHERE organization_id = {a} AND user_id <> {keep}"
                    ),
                )
                .await;
            }
            typed(organizations::settings::api::DeleteOrganization {
                organization_id: organization,
                password: s(PASSWORD),
            })
        }
        "get_product" => typed(products::api::GetProduct {
            organization_id: organization,
            product_id: product,
        }),
        "product_move" => typed(organizations::moves::api::ProductMove {
            organization_id: organization,
            product_id: product,
        }),
        "start_product_move" => typed(organizations::moves::api::StartProductMove {
            organization_id: organization,
            product_id: product,
            email: common::unique_address("receiver"),
        }),
        "cancel_product_move" => {
            // A request to cancel, on the product the call names.
            exec(
                app,
                &format!(
                    "INSERT INTO product_moves (product_id, from_organization_id, to_email, token_hash, created_at, expires_at) \
                     VALUES ({product}, {organization}, 'x@example.com', '{}', 0, 1) ON CONFLICT DO NOTHING",
                    unique_key()
                ),
            )
            .await;
            typed(organizations::moves::api::CancelProductMove {
                organization_id: organization,
                product_id: product,
            })
        }
        "partner_program" => typed(partners::api::PartnerProgram {
            organization_id: organization,
        }),
        "apply_as_partner" => {
            // An organization whose application was refused applies again.
            exec(
                app,
                &format!(
                    "UPDATE partners SET state = 'refused' WHERE organization_id = {organization}"
                ),
            )
            .await;
            typed(partners::api::ApplyAsPartner {
                organization_id: organization,
                trade_register: s("CHE-987.654.321"),
                website: s("https://agency.example.ch"),
            })
        }
        "reseller" => typed(partners::api::Reseller {
            organization_id: organization,
        }),
        "reseller_customer" => typed(partners::api::ResellerCustomer {
            organization_id: organization,
            relationship_id: if target == Target::Own {
                world.customer_a
            } else {
                world.customer_b
            },
        }),
        "request_customer" => typed(partners::api::RequestCustomer {
            organization_id: organization,
            email: common::unique_address("customer"),
            access: s("limited"),
            until: s(""),
        }),
        "cancel_customer_request" => typed(partners::api::CancelCustomerRequest {
            organization_id: organization,
            relationship_id: if target == Target::Own {
                world.request_a
            } else {
                world.request_b
            },
        }),
        "end_customer" => typed(partners::api::EndCustomer {
            organization_id: organization,
            relationship_id: if target == Target::Own {
                world.customer_a
            } else {
                world.customer_b
            },
        }),
        "open_partner_request" => typed(partners::api::OpenPartnerRequest {
            token: world.partner_token.clone(),
        }),
        "refuse_partner_request" => typed(partners::api::RefusePartnerRequest {
            token: world.partner_token.clone(),
        }),
        "grant_partner_access" => typed(partners::api::GrantPartnerAccess {
            organization_id: organization,
            token: world.partner_token.clone(),
            access: s("limited"),
            until: s(""),
            product_ids: product.to_string(),
        }),
        "verified_domains" => typed(organizations::verified::api::VerifiedDomains {
            organization_id: organization,
        }),
        "add_verified_domain" => typed(organizations::verified::api::AddVerifiedDomain {
            organization_id: organization,
            domain: s("new-matrix.example"),
        }),
        "check_verified_domain" => typed(organizations::verified::api::CheckVerifiedDomain {
            organization_id: organization,
            domain_id: if target == Target::Own {
                world.domain_a
            } else {
                world.domain_b
            },
        }),
        "remove_verified_domain" => typed(organizations::verified::api::RemoveVerifiedDomain {
            organization_id: organization,
            domain_id: if target == Target::Own {
                world.domain_a
            } else {
                world.domain_b
            },
        }),
        "partners_with_access" => typed(partners::api::PartnersWithAccess {
            organization_id: organization,
        }),
        "set_customer_delegation" => typed(partners::api::SetCustomerDelegation {
            organization_id: organization,
            relationship_id: if target == Target::Own {
                world.customer_a
            } else {
                world.customer_b
            },
            user_id: member,
            delegated: true,
        }),
        "end_partner_access" => typed(partners::api::EndPartnerAccess {
            organization_id: organization,
            relationship_id: if target == Target::Own {
                world.partner_of_a
            } else {
                world.partner_of_b
            },
        }),
        "open_product_move" => typed(organizations::moves::api::OpenProductMove {
            token: world.refuse_token.clone(),
        }),
        "refuse_product_move" => typed(organizations::moves::api::RefuseProductMove {
            token: world.refuse_token.clone(),
        }),
        "accept_product_move" => typed(organizations::moves::api::AcceptProductMove {
            organization_id: organization,
            token: world.move_token.clone(),
        }),
        "set_holder" => typed(products::api::SetHolder {
            organization_id: organization,
            product_id: product,
            name: s("Anna Muster"),
            company: s("Muster AG"),
            street: s("Rue du Lac 1"),
            postal_code: s("1003"),
            city: s("Lausanne"),
            country: s("CH"),
            email: s("anna@example.com"),
        }),
        "set_product_blocked" if !unblocks(principal) => typed(products::api::SetProductBlocked {
            organization_id: organization,
            product_id: product,
            blocked: true,
        }),
        "set_product_blocked" => {
            exec(
                app,
                &format!(
                    "UPDATE products SET blocked_at = {} WHERE id IN ({}, {})",
                    app.state.now(),
                    world.p1,
                    world.q1
                ),
            )
            .await;
            typed(products::api::SetProductBlocked {
                organization_id: organization,
                product_id: product,
                blocked: false,
            })
        }
        "create_tag" => typed(tags::api::CreateTag {
            organization_id: organization,
            name: s("Fresh"),
            colour: s("green"),
        }),
        "tag_products" => typed(tags::api::TagProducts {
            organization_id: organization,
            product_ids: product.to_string(),
            tag_id: tag.to_string(),
            new_name: s(""),
            new_colour: s(""),
        }),
        "untag_products" => typed(tags::api::UntagProducts {
            organization_id: organization,
            product_ids: product.to_string(),
            tag_id: tag,
        }),
        "update_tag" => typed(tags::api::UpdateTag {
            organization_id: organization,
            tag_id: tag,
            name: s("Recoloured"),
            colour: s("red"),
            version: None,
        }),
        "delete_tag" => typed(tags::api::DeleteTag {
            organization_id: organization,
            tag_id: tag,
        }),
        "billing_addresses" => typed(billing::api::BillingAddresses {
            organization_id: organization,
        }),
        "billing_notifications" => typed(billing::api::BillingNotifications {
            organization_id: organization,
        }),
        "set_billing_notification" => typed(billing::api::SetBillingNotification {
            organization_id: organization,
            notice: s("renewal_reminder"),
            on: false,
        }),
        "set_expiry_reminders" => typed(billing::api::SetExpiryReminders {
            organization_id: organization,
            days: s("20, 10"),
        }),
        "add_billing_address" => typed(billing::api::AddBillingAddress {
            organization_id: organization,
            name: s("Accounts"),
            company: s(""),
            street: s("Rue du Lac 2"),
            postal_code: s("1003"),
            city: s("Lausanne"),
            country: s("CH"),
            vat_number: s(""),
        }),
        "update_billing_address" => typed(billing::api::UpdateBillingAddress {
            organization_id: organization,
            address_id: address,
            name: s("Accounts"),
            company: s(""),
            street: s("Rue du Lac 2"),
            postal_code: s("1003"),
            city: s("Lausanne"),
            country: s("CH"),
            vat_number: s(""),
            version: 1,
        }),
        "set_default_billing_address" => typed(billing::api::SetDefaultBillingAddress {
            organization_id: organization,
            address_id: address,
        }),
        "delete_billing_address" => typed(billing::api::DeleteBillingAddress {
            organization_id: organization,
            address_id: address,
        }),
        "shop_page" => typed(shop::api::ShopPage {
            organization_id: organization,
            currency: s("CHF"),
        }),
        "list_invoices" => typed(shop::api::ListInvoices {
            organization_id: organization,
        }),
        "add_to_cart" => typed(shop::api::AddToCart {
            organization_id: organization,
            kind: s(""),
            name: s(""),
            quantity: 1,
            periods: 1,
            product_id: product,
        }),
        "update_cart_line" => typed(shop::api::UpdateCartLine {
            organization_id: organization,
            line_id: cart_line,
            quantity: 1,
            periods: 2,
            promo_code: s(""),
            free_offer_id: 0,
        }),
        "remove_cart_line" => typed(shop::api::RemoveCartLine {
            organization_id: organization,
            line_id: cart_line,
        }),
        "apply_promo_code" => typed(shop::api::ApplyPromoCode {
            organization_id: organization,
            currency: s("CHF"),
            promo_code: s("matrix-ten"),
        }),
        "place_order" => typed(shop::api::PlaceOrder {
            organization_id: organization,
            currency: s("CHF"),
            address_id: address,
            payment: s("bank_transfer"),
            key: unique_key(),
        }),
        "cancel_order" => typed(shop::api::CancelOrder {
            organization_id: organization,
            order_id: order,
        }),
        "set_auto_renew" => typed(shop::api::SetAutoRenew {
            organization_id: organization,
            product_id: product,
            on: true,
        }),
        "set_auto_renew_many" => typed(products::api::SetAutoRenewMany {
            organization_id: organization,
            product_ids: product.to_string(),
            on: true,
        }),
        "product_renewal" => typed(shop::api::ProductRenewal {
            organization_id: organization,
            product_id: product,
        }),
        "request_withdrawal" => typed(billing::api::RequestWithdrawal {
            organization_id: organization,
            currency: s("CHF"),
            amount: s("1.00"),
            method: s("bank_account"),
            destination: s("CH93 0076 2011 6238 5295 7"),
            holder: s("Accounts"),
        }),
        "get_domain" => typed(domains::api::GetDomain {
            organization_id: organization,
            product_id: product,
        }),
        "released_domains" => typed(domains::api::ReleasedDomains {
            organization_id: organization,
        }),
        "restore_domain" => {
            // A .ch domain ten days past its expiry: in redemption, restorable.
            exec(
                app,
                &format!(
                    "UPDATE products SET stage = 'redemption', expires_at = {} WHERE id = {product}",
                    app.state.now() - 10 * 24 * 3600
                ),
            )
            .await;
            typed(domains::api::RestoreDomain {
                organization_id: organization,
                product_id: product,
            })
        }
        "add_domain_warranty" => typed(domains::api::AddDomainWarranty {
            organization_id: organization,
            product_id: product,
            years: 1,
        }),
        "add_transfer" => typed(domains::api::AddTransfer {
            organization_id: organization,
            name: format!("{}.ch", unique_key()),
            auth_code: s("AUTH-CODE"),
        }),
        "restart_transfer" => {
            // A transfer the registry refused: restarted with a code the simulation accepts.
            exec(
                app,
                &format!(
                    "UPDATE products SET transfer_state = 'failed', transfer_failure = 'transfer_lock' WHERE id = {product}"
                ),
            )
            .await;
            typed(domains::api::RestartTransfer {
                organization_id: organization,
                product_id: product,
                auth_code: s("AUTH-CODE"),
                token: s(""),
            })
        }
        "open_device_setup" => typed(mailboxes::api::OpenDeviceSetup {
            token: world.setup_token.clone(),
        }),
        "create_my_device_password" => {
            // Me, a user of A's address (by my account); someone else's user row otherwise.
            let id = if foreign {
                world.mail[1].user
            } else {
                let address = world.mail[0].address;
                exec(
                    app,
                    &format!(
                        "INSERT INTO mail_users (address_id, email, user_id, rights, added_at) \
                         VALUES ({address}, '{}', {}, 2047, 0) ON CONFLICT (address_id, email) DO NOTHING",
                        me.email, me.id
                    ),
                )
                .await;
                app.count(&format!(
                    "SELECT id FROM mail_users WHERE address_id = {address} AND email = '{}'",
                    me.email
                ))
                .await
            };
            typed(mailboxes::api::CreateMyDevicePassword {
                id,
                name: s("Phone"),
                password: app::mailboxes::device::generate(),
            })
        }
        "finish_device_setup" => typed(mailboxes::api::FinishDeviceSetup {
            token: world.setup_token.clone(),
            password: app::mailboxes::device::generate(),
        }),
        "mail_service" => typed(mailboxes::api::MailService {
            organization_id: organization,
            product_id: mail.service,
        }),
        "set_mail_defaults" => typed(mailboxes::api::SetMailDefaults {
            organization_id: organization,
            product_id: mail.service,
            rights: s("rules"),
        }),
        "mail_address" => typed(mailboxes::api::MailAddress {
            organization_id: organization,
            product_id: mail.service,
            mail_address_id: mail.address,
        }),
        "disconnect_all_devices" => typed(mailboxes::api::DisconnectAllDevices {
            organization_id: organization,
            product_id: mail.service,
            mail_address_id: mail.address,
        }),
        "set_mail_maintenance" => typed(mailboxes::api::SetMailMaintenance {
            organization_id: organization,
            product_id: mail.service,
            mail_address_id: mail.address,
            on: true,
        }),
        "set_service_maintenance" => typed(mailboxes::api::SetServiceMaintenance {
            organization_id: organization,
            product_id: mail.service,
            on: true,
        }),
        "renewal_address" => typed(shop::api::RenewalAddress {
            organization_id: organization,
            product_id: product,
        }),
        "set_renewal_address" => typed(shop::api::SetRenewalAddress {
            organization_id: organization,
            product_id: product,
            address_id: address,
        }),
        "create_mail_address" => typed(mailboxes::api::CreateMailAddress {
            organization_id: organization,
            product_id: mail.service,
            local_part: unique_key(),
            domain: s("alpha.ch"),
            users: common::unique_address("new"),
            rights: s("devices"),
        }),
        "add_mail_user" => typed(mailboxes::api::AddMailUser {
            organization_id: organization,
            product_id: mail.service,
            mail_address_id: mail.address,
            email: common::unique_address("added"),
            rights: s("devices"),
        }),
        "remove_mail_user" => typed(mailboxes::api::RemoveMailUser {
            organization_id: organization,
            product_id: mail.service,
            mail_user_id: mail.user,
        }),
        "set_mail_rights" => typed(mailboxes::api::SetMailRights {
            organization_id: organization,
            product_id: mail.service,
            mail_user_id: mail.user,
            rights: s("rules"),
        }),
        "create_device_password" => typed(mailboxes::api::CreateDevicePassword {
            organization_id: organization,
            product_id: mail.service,
            mail_user_id: mail.user,
            name: s("Tablet"),
            password: app::mailboxes::device::generate(),
        }),
        "send_device_setup" => typed(mailboxes::api::SendDeviceSetup {
            organization_id: organization,
            product_id: mail.service,
            mail_user_id: mail.user,
            device_name: s("Tablet"),
            send: true,
        }),
        "apply_global_configuration" => typed(mailboxes::api::ApplyGlobalConfiguration {
            organization_id: organization,
            product_id: mail.service,
            mail_address_ids: mail.address.to_string(),
            mail_user_id: 0,
        }),
        "change_device_password" => typed(mailboxes::api::ChangeDevicePassword {
            organization_id: organization,
            product_id: mail.service,
            device_id: mail.device,
        }),
        "disconnect_device" => typed(mailboxes::api::DisconnectDevice {
            organization_id: organization,
            product_id: mail.service,
            device_id: mail.device,
        }),
        other => panic!("the matrix has no arguments for {other}: add them"),
    };
    Some(form)
}

/// For a function that both sets and lifts (a block): whether this caller's sample lifts it —
/// every other caller, so each way is called by callers allowed and refused.
fn unblocks(principal: Principal) -> bool {
    PRINCIPALS.iter().position(|p| *p == principal).unwrap_or(0) % 2 == 1
}

/// Notes what is wrong with one answer: not the outcome the table predicts, a refusal that
/// wrote anything, or an allowed call that wrote a row of organization B.
fn judge(
    what: String,
    want: Outcome,
    reply: &common::Reply,
    changed: &Changes,
    mismatches: &mut Vec<String>,
) {
    if outcome_of(reply.status) != Some(want) {
        let body: String = reply.body.chars().take(300).collect();
        mismatches.push(format!(
            "{what}: expected {want:?}, got {} {body}",
            reply.status
        ));
    }
    if want != Outcome::Allowed && changed.any() {
        mismatches.push(format!(
            "{what} was refused but wrote to {:?}",
            changed.tables
        ));
    } else if changed.in_organization > 0 {
        mismatches.push(format!(
            "{what} wrote {} rows of organization B (in {:?})",
            changed.in_organization, changed.tables
        ));
    }
}

/// The world every call starts from: built once, logged from then on, kept as a snapshot.
async fn world(app: &TestApp) -> (World, Snapshot) {
    let world = World::build(app).await;
    app.log_changes().await;
    let pristine = app.snapshot().await;
    (world, pristine)
}

/// How many tests share the rows of `policy::SERVER_FUNCTIONS` (per database).
const SHARDS: usize = 4;

/// One shard of the rows (every `SHARDS`th, from `shard`), as every caller with every target.
/// Each call starts from the world as built: a call that wrote anything (or whose set-up did)
/// is followed by a restore of the snapshot; refusals and reads share one world.
async fn run_matrix(app: TestApp, shard: usize) {
    let started = std::time::Instant::now();
    let (world, pristine) = world(&app).await;
    let mut restores = 0;
    let mut restore_time = 0.0;
    let mut call_time = 0.0;
    let mut checked = 0;
    let mut mismatches = Vec::new();
    let rows = policy::SERVER_FUNCTIONS.iter().skip(shard).step_by(SHARDS);
    for function in rows {
        for target in [Target::Own, Target::Foreign, Target::Mixed] {
            for principal in PRINCIPALS {
                let Some(form) =
                    arguments(&app, &world, function.endpoint, principal, target).await
                else {
                    continue;
                };
                if target == Target::Own && principal == LegalRepresentative {
                    if let Some(wrong) = ids_of_form(&form, function.ids) {
                        mismatches.push(format!("{}: {wrong}", function.endpoint));
                    }
                }
                let want = expected(function.caller, function.reach, principal, target);
                let owes = principal == OwesTwoFactor && reaches_inside(function.reach);
                if owes {
                    a_requires_two_factor(&app, &world, true).await;
                }
                // The set-up's writes, other than the requirement switched on and off.
                let set_up = app.changes(world.b).await;
                let set_up_wrote = set_up.tables.iter().any(|t| t != "organizations");
                if set_up.any() {
                    app.forget_changes().await;
                }
                let credentials = world.credentials(principal);
                let headers: Vec<(&str, &str)> = credentials
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                assert_eq!(
                    form.path.strip_prefix("/api/"),
                    Some(function.endpoint),
                    "the matrix sends {} another function's arguments",
                    function.endpoint
                );
                let form_ref: Vec<(&str, &str)> = form
                    .pairs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let t = std::time::Instant::now();
                let reply = app.call_with(function.endpoint, &headers, &form_ref).await;
                call_time += t.elapsed().as_secs_f64();
                checked += 1;
                let changed = app.changes(world.b).await;
                let what = format!("{} as {principal:?} on {target:?}", function.endpoint);
                judge(what, want, &reply, &changed, &mut mismatches);
                if set_up_wrote || changed.any() {
                    let t = std::time::Instant::now();
                    app.restore(&pristine).await;
                    restore_time += t.elapsed().as_secs_f64();
                    restores += 1;
                } else if owes {
                    a_requires_two_factor(&app, &world, false).await;
                    app.forget_changes().await;
                }
            }
        }
    }
    eprintln!(
        "shard {shard} on {}: {checked} calls, {restores} restores ({restore_time:.1} s), calls {call_time:.1} s, {:.1} s",
        app.state.db.backend(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} calls did not match policy::SERVER_FUNCTIONS:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(checked > 1500 / SHARDS, "only {checked} calls were checked");
}

on_every_backend!(every_server_function_as_every_caller_0, |app| run_matrix(
    app, 0
));
on_every_backend!(every_server_function_as_every_caller_1, |app| run_matrix(
    app, 1
));
on_every_backend!(every_server_function_as_every_caller_2, |app| run_matrix(
    app, 2
));
on_every_backend!(every_server_function_as_every_caller_3, |app| run_matrix(
    app, 3
));

/// The HTTP routes that are not server functions (the activity CSV, the profile picture), as
/// every kind of caller, against `policy::HTTP_ROUTES`.
async fn run_routes(app: TestApp) {
    let (world, pristine) = world(&app).await;
    let mut checked = 0;
    let mut mismatches = Vec::new();
    let pixels = image::RgbImage::from_fn(240, 240, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    for route in policy::HTTP_ROUTES {
        for target in [Target::Own, Target::Foreign] {
            let organization_scoped = matches!(route.reach, Reach::Organization(_));
            if target == Target::Foreign && !organization_scoped {
                continue;
            }
            for principal in PRINCIPALS {
                let me = world.account(principal);
                if route.method == "GET" && route.path == "/account/avatar" {
                    // A picture to fetch.
                    let mut tx = app.state.db.write().await.expect("tx");
                    app::account::store::save_avatar(&mut tx, me.id, &png, app.state.now())
                        .await
                        .expect("avatar");
                    tx.commit().await.expect("commit");
                }
                let path = if route.path.starts_with("/people/avatar") {
                    // A member's picture: the victim's in A, a member's of B.
                    let (organization, user) = if target == Target::Own {
                        (world.a, world.victim.id)
                    } else {
                        (world.b, world.stranger_member)
                    };
                    let mut tx = app.state.db.write().await.expect("tx");
                    app::account::store::save_avatar(&mut tx, user, &png, app.state.now())
                        .await
                        .expect("avatar");
                    tx.commit().await.expect("commit");
                    format!("/people/avatar?organization={organization}&user={user}&v=1")
                } else if route.path.starts_with("/invoice.pdf") {
                    let (organization, invoice) = if target == Target::Own {
                        (world.a, world.invoice_a)
                    } else {
                        (world.b, world.invoice_b)
                    };
                    format!("/invoice.pdf?invoice={invoice}&organization={organization}")
                } else if organization_scoped {
                    let id = if target == Target::Own {
                        world.a
                    } else {
                        world.b
                    };
                    format!("{}{id}", route.path)
                } else {
                    route.path.to_owned()
                };
                let want = expected(route.caller, route.reach, principal, target);
                let owes = principal == OwesTwoFactor && reaches_inside(route.reach);
                if owes {
                    a_requires_two_factor(&app, &world, true).await;
                }
                let set_up = app.changes(world.b).await;
                let set_up_wrote = set_up.tables.iter().any(|t| t != "organizations");
                if set_up.any() {
                    app.forget_changes().await;
                }
                let mut headers = world.credentials(principal);
                let (method, body) = if route.method == "POST" {
                    headers.push(("content-type".into(), "image/png".into()));
                    headers.push(("sec-fetch-site".into(), "same-origin".into()));
                    (http::Method::POST, png.clone())
                } else {
                    (http::Method::GET, Vec::new())
                };
                let headers: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let reply = app.send_bytes(method, &path, &headers, body).await;
                checked += 1;
                let changed = app.changes(world.b).await;
                let what = format!("{} {path} as {principal:?}", route.method);
                judge(what, want, &reply, &changed, &mut mismatches);
                if set_up_wrote || changed.any() {
                    app.restore(&pristine).await;
                } else if owes {
                    a_requires_two_factor(&app, &world, false).await;
                    app.forget_changes().await;
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} requests did not match policy::HTTP_ROUTES:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(checked, 15 * PRINCIPALS.len());
}

on_every_backend!(every_http_route_as_every_caller, run_routes);

/// One of a partner's people (PAR-3), as the partner-principal matrix calls them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PartnerPrincipal {
    LegalRepresentative,
    Administrator,
    DelegatedCollaborator,
    UndelegatedCollaborator,
}

/// What A granted its partner D, as the partner-principal matrix sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relationship {
    Full(policy::PartnerAccess),
    /// Limited to P1 and A's mail service (the products the matrix's calls name).
    Limited,
    /// Ended by either side.
    Ended,
    /// Past its end date (the scheduler has not run).
    Expired,
    /// A's partner is another organization, not D.
    Foreign,
}

/// What a partner's person gets in customer A with `relationship`: not found unless the
/// access is in force and the person may enter (legal representatives, administrators, the
/// delegated collaborator); then `policy::partner_permits`; A's ids with B's objects are not
/// found.
fn expected_for_partner(
    reach: Reach,
    principal: PartnerPrincipal,
    relationship: Relationship,
    target: Target,
) -> Outcome {
    use Outcome::*;
    let (Reach::Organization(action) | Reach::Product(action)) = reach else {
        unreachable!("only organization rows")
    };
    let access = match relationship {
        Relationship::Full(access) => access,
        Relationship::Limited => policy::PartnerAccess::Limited,
        Relationship::Ended | Relationship::Expired | Relationship::Foreign => return NotFound,
    };
    if principal == PartnerPrincipal::UndelegatedCollaborator {
        return NotFound;
    }
    if !policy::partner_permits(access, action) {
        return Forbidden;
    }
    if target == Target::Mixed {
        return NotFound;
    }
    Allowed
}

/// PAR-3, proven: every server function that reaches an organization, called by each of a
/// partner's people inside a customer, for each kind of relationship — nothing beyond what the
/// customer granted, nothing after it ended or expired, nothing through another partner's
/// relationship, and nothing written by a refusal.
async fn run_partner_matrix(app: TestApp, relationships: &[Relationship]) {
    use PartnerPrincipal::*;
    let (world, pristine) = world(&app).await;
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for &relationship in relationships {
        // A's relationship with D as this round needs it, set again after every restore.
        let apply = || async {
            let set = match relationship {
                Relationship::Full(access) => format!("granted_access = '{}'", access.as_str()),
                Relationship::Limited => "granted_access = 'limited'".to_owned(),
                Relationship::Ended => "state = 'ended', ended_at = 1".to_owned(),
                Relationship::Expired => format!("granted_until = {}", app.state.now()),
                Relationship::Foreign => format!("partner_id = {}", world.b),
            };
            exec(
                &app,
                &format!(
                    "UPDATE partner_customers SET {set} WHERE id = {}",
                    world.partner_of_a
                ),
            )
            .await;
            if relationship == Relationship::Limited {
                exec(
                    &app,
                    &format!(
                        "INSERT INTO partner_customer_products (relationship_id, product_id) \
                         VALUES ({0}, {1}), ({0}, {2})",
                        world.partner_of_a, world.p1, world.mail[0].service
                    ),
                )
                .await;
            }
            app.forget_changes().await;
        };
        apply().await;
        for function in policy::SERVER_FUNCTIONS {
            if !matches!(function.reach, Reach::Organization(_) | Reach::Product(_)) {
                continue;
            }
            for target in [Target::Own, Target::Mixed] {
                for (principal, person) in [
                    LegalRepresentative,
                    Administrator,
                    DelegatedCollaborator,
                    UndelegatedCollaborator,
                ]
                .into_iter()
                .zip(&world.partner_people)
                {
                    // The arguments A's legal representative would send (A's ids).
                    let Some(form) = arguments(
                        &app,
                        &world,
                        function.endpoint,
                        Principal::LegalRepresentative,
                        target,
                    )
                    .await
                    else {
                        continue;
                    };
                    let set_up = app.changes(world.b).await;
                    let set_up_wrote = set_up.tables.iter().any(|t| t != "organizations");
                    if set_up.any() {
                        app.forget_changes().await;
                    }
                    let mut want =
                        expected_for_partner(function.reach, principal, relationship, target);
                    // An order D pays for A (PAR-4) is invoiced at D's address, and only D's
                    // people with billing rights in D spend its money.
                    let partner_pays = function.endpoint == "place_order"
                        && relationship
                            == Relationship::Full(policy::PartnerAccess::FullPartnerPays)
                        && target == Target::Own;
                    if partner_pays && principal == DelegatedCollaborator {
                        want = Outcome::Forbidden;
                    }
                    let partner_address = world.partner_address.to_string();
                    let pairs: Vec<(&str, &str)> = form
                        .pairs
                        .iter()
                        .map(|(k, v)| match k.as_str() {
                            "address_id" if partner_pays => (k.as_str(), partner_address.as_str()),
                            // D pays from its prepaid balance (a transfer is refused).
                            "payment" if partner_pays => (k.as_str(), "prepaid"),
                            _ => (k.as_str(), v.as_str()),
                        })
                        .collect();
                    let reply = app
                        .call_with(
                            function.endpoint,
                            &[("cookie", person.cookie.as_str())],
                            &pairs,
                        )
                        .await;
                    checked += 1;
                    let changed = app.changes(world.b).await;
                    let what = format!(
                        "{} as the partner's {principal:?} with {relationship:?} on {target:?}",
                        function.endpoint
                    );
                    judge(what, want, &reply, &changed, &mut mismatches);
                    if set_up_wrote || changed.any() {
                        app.restore(&pristine).await;
                        apply().await;
                    }
                }
            }
        }
        app.restore(&pristine).await;
    }
    // Never a member: nothing any partner's person did made them one of A's.
    let members = app
        .count(&format!(
            "SELECT COUNT(*) FROM memberships WHERE organization_id = {} AND user_id IN ({})",
            world.a,
            world
                .partner_people
                .iter()
                .map(|p| p.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .await;
    assert_eq!(
        members, 0,
        "a partner's person became a member of the customer"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} partner calls did not match policy::partner_permits:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

on_every_backend!(
    every_organization_function_as_a_partner_with_full_access,
    |app| {
        run_partner_matrix(
            app,
            &[
                Relationship::Full(policy::PartnerAccess::FullCustomerPays),
                Relationship::Full(policy::PartnerAccess::FullPartnerPays),
            ],
        )
    }
);
on_every_backend!(
    every_organization_function_as_a_partner_with_limited_or_no_access,
    |app| {
        run_partner_matrix(
            app,
            &[
                Relationship::Limited,
                Relationship::Ended,
                Relationship::Expired,
                Relationship::Foreign,
            ],
        )
    }
);
