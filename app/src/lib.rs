//! Steward's application: shared by the server (feature `ssr`) and the browser (feature `hydrate`).

pub mod access;
pub mod account;
pub mod activity;
pub mod address;
pub mod billing;
pub mod calls;
pub mod components;
pub mod credentials;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod dns;
pub mod domains;
mod enums;
pub mod error;
#[cfg(feature = "ssr")]
pub mod export;
pub mod format;
pub mod invitations;
#[cfg(test)]
mod layers;
pub mod layout;
pub mod lockout;
pub mod mail;
pub mod mailboxes;
pub mod money;
pub mod organizations;
pub mod partners;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod pdf_font;
#[cfg(feature = "ssr")]
pub mod pdf_text;
#[cfg(feature = "ssr")]
pub mod places;
pub mod policy;
pub mod products;
pub mod recovery;
#[cfg(feature = "ssr")]
pub mod request;
pub mod sessions;
pub mod shop;
pub mod sign_in;
#[cfg(feature = "ssr")]
pub mod sms;
#[cfg(feature = "ssr")]
pub mod state;
pub mod tags;
#[cfg(feature = "ssr")]
pub mod tokens;
pub mod two_factor;
#[cfg(feature = "ssr")]
pub mod workers;

use components::PageTitle;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy};

/// How the browser's code is split (built with `cargo leptos build --split`): the sign-in page,
/// the router and the shell are in the first piece; every other page is in one second piece,
/// fetched once, the first time any of them is opened. Chosen by measurement (README, "What
/// reaches the browser"): one piece per page meant some 240 requests for the first signed-in
/// page; one bundle for everything, the sign-in page carrying all of Steward.
mod routes {
    use leptos::prelude::*;
    use leptos_router::LazyRoute;

    /// The one split point: everything only these pages use lands in its piece.
    #[leptos::lazy]
    fn page_view(page: Page) -> AnyView {
        use crate::*;
        match page {
            Page::Shell => layout::OrganizationShell().into_any(),
            Page::SignUp => account::view::SignUpPage().into_any(),
            Page::ConfirmSignUp => account::view::ConfirmSignUpPage().into_any(),
            Page::TwoFactorSignIn => sign_in::view::TwoFactorSignInPage().into_any(),
            Page::Unlock => lockout::view::UnlockPage().into_any(),
            Page::ForgotPassword => recovery::view::ForgotPasswordPage().into_any(),
            Page::ResetPassword => recovery::view::ResetPasswordPage().into_any(),
            Page::NotMe => lockout::view::NotMePage().into_any(),
            Page::ConfirmEmail => account::view::ConfirmEmailPage().into_any(),
            Page::Overview => organizations::view::OverviewPage().into_any(),
            Page::Activity => organizations::activity::view::ActivityPage().into_any(),
            Page::Products => products::view::ProductsPage().into_any(),
            Page::Product => {
                let panel: products::view::KindPanel = kind_panel;
                view! { <products::view::ProductPage panel /> }.into_any()
            }
            Page::ReleasedDomains => domains::view::ReleasedDomainsPage().into_any(),
            Page::TransferDomain => domains::view::TransferDomainPage().into_any(),
            Page::MailAddress => mailboxes::view::MailAddressPage().into_any(),
            Page::MyMail => mailboxes::view::MyMailPage().into_any(),
            Page::DeviceSetup => mailboxes::view::DeviceSetupPage().into_any(),
            Page::Tags => tags::view::TagsPage().into_any(),
            Page::Users => organizations::view::UsersPage().into_any(),
            Page::Invite => invitations::view::InvitePage().into_any(),
            Page::RemoveUser => organizations::removal::view::RemoveUserPage().into_any(),
            Page::Person => organizations::people::view::PersonPage().into_any(),
            Page::ProductMove => organizations::moves::view::ProductMovePage().into_any(),
            Page::Welcome => organizations::view::WelcomePage().into_any(),
            Page::Settings => organizations::settings::view::SettingsPage().into_any(),
            Page::Invitation => invitations::view::InvitationPage().into_any(),
            Page::MyOrganizations => organizations::view::MyOrganizationsPage().into_any(),
            Page::Profile => account::view::ProfilePage().into_any(),
            Page::Security => two_factor::view::SecurityPage().into_any(),
            Page::Compromised => recovery::wizard::CompromisedPage().into_any(),
            Page::Prepaid => billing::view::PrepaidPage().into_any(),
            Page::BillingAddresses => billing::view::AddressesPage().into_any(),
            Page::BillingNotifications => billing::view::NotificationsPage().into_any(),
            Page::Shop => shop::view::CartPage().into_any(),
            Page::Invoices => shop::view::InvoicesPage().into_any(),
            Page::Order => shop::guest_view::OrderStartPage().into_any(),
            Page::Reseller => partners::view::ResellerPage().into_any(),
            Page::CustomerProfile => partners::view::CustomerProfilePage().into_any(),
            Page::PartnerRequest => partners::view::PartnerRequestPage().into_any(),
        }
    }

    /// The panel of a product page for its kind (domains, mail services).
    fn kind_panel(
        kind: crate::products::ProductKind,
        organization: i64,
        product: i64,
    ) -> Option<AnyView> {
        let own = crate::domains::view::panel(kind, organization, product)
            .or_else(|| crate::mailboxes::view::panel(kind, organization, product));
        let renewal = crate::shop::view::renewal_panel(kind, organization, product);
        // Moving it to another organization (PRD-8), for those who may: last, it is rare.
        let moving = view! { <crate::organizations::moves::view::MovePanel organization_id=organization product_id=product /> };
        Some(view! { {renewal} {own} {moving} }.into_any())
    }

    /// Each page in the second piece: a variant of `Page` (which `page_view` renders) and a
    /// route type of the same name that loads the piece first.
    macro_rules! lazy_pages {
        ($($name:ident),* $(,)?) => {
        /// The pages in the second piece.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Page {
            $($name,)*
        }
        $(
            pub struct $name;
            impl LazyRoute for $name {
                fn data() -> Self {
                    $name
                }
                async fn view(_this: Self) -> AnyView {
                    page_view(Page::$name).await
                }
                // The router loads the piece before it hydrates the page, so the browser's
                // first render matches the server's HTML.
                async fn preload() {
                    #[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
                    __preload_page_view().await;
                }
            }
        )*};
    }

    lazy_pages!(
        Shell,
        SignUp,
        ConfirmSignUp,
        TwoFactorSignIn,
        Unlock,
        ForgotPassword,
        ResetPassword,
        NotMe,
        ConfirmEmail,
        Overview,
        Activity,
        Products,
        Product,
        Tags,
        Users,
        Invite,
        RemoveUser,
        Person,
        ProductMove,
        Welcome,
        Settings,
        Invitation,
        MyOrganizations,
        Profile,
        Prepaid,
        BillingAddresses,
        BillingNotifications,
        Shop,
        Invoices,
        Order,
        ReleasedDomains,
        TransferDomain,
        MailAddress,
        MyMail,
        DeviceSetup,
        Security,
        Compromised,
        Reseller,
        CustomerProfile,
        PartnerRequest,
    );
}

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Set here, outside the hydrated body: the browser must find there exactly what App renders.
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    #[cfg(feature = "ssr")]
    let zone = page_zone();
    #[cfg(not(feature = "ssr"))]
    let zone = String::new();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                // The time zone this page's times are shown in, for the browser to do the same.
                <meta name="steward-zone" content=zone />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                // The stylesheet is in the page itself (about 4 KB compressed): the first paint
                // waits for no other request.
                <style inner_html=STYLESHEET></style>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The time zone of the page being rendered (the server's middleware found it from the
/// person, their browser or the operator), made the one `format::datetime` uses.
#[cfg(feature = "ssr")]
fn page_zone() -> String {
    let zone = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<format::Zone>().cloned())
        .unwrap_or_else(format::operator_zone);
    let line = zone.encode();
    provide_context(zone);
    line
}

/// Steward's whole stylesheet, sent inside every page's `<head>` (and the server's own pages).
#[cfg(feature = "ssr")]
pub const STYLESHEET: &str = include_str!("../../style/main.css");
#[cfg(not(feature = "ssr"))]
const STYLESHEET: &str = "";

/// The Content-Security-Policy of an HTML page: scripts run only from this origin or when they
/// carry this response's nonce (Leptos puts it on its hydration and streaming scripts), so
/// markup that slipped into a page can never execute. Other responses get the server's default
/// policy, which allows no inline script at all.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(Some(&*nonce))) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The policy, with a script nonce for HTML pages or without one (no inline script at all).
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // Page titles arrive escaped on the server (components::PageTitle); the formatter only
        // adds the product name.
        <Title formatter=|page: String| if page.is_empty() { "Steward".to_owned() } else { format!("{page} · Steward") } />
        <Router>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <Route path=path!("/login") view=sign_in::view::SignInPage />
                <Route path=path!("/signup") view={Lazy::<routes::SignUp>::new()} />
                <Route path=path!("/order") view={Lazy::<routes::Order>::new()} />
                <Route path=path!("/signup/confirm") view={Lazy::<routes::ConfirmSignUp>::new()} />
                <Route path=path!("/login/two-factor") view={Lazy::<routes::TwoFactorSignIn>::new()} />
                <Route path=path!("/unlock") view={Lazy::<routes::Unlock>::new()} />
                <Route path=path!("/forgot-password") view={Lazy::<routes::ForgotPassword>::new()} />
                <Route path=path!("/reset-password") view={Lazy::<routes::ResetPassword>::new()} />
                <Route path=path!("/not-me") view={Lazy::<routes::NotMe>::new()} />
                <Route path=path!("/confirm-email") view={Lazy::<routes::ConfirmEmail>::new()} />
                <Route path=path!("/invitation") view={Lazy::<routes::Invitation>::new()} />
                <Route path=path!("/product-move") view={Lazy::<routes::ProductMove>::new()} />
                <Route path=path!("/partner-request") view={Lazy::<routes::PartnerRequest>::new()} />
                <Route path=path!("/welcome") view={Lazy::<routes::Welcome>::new()} />
                <Route path=path!("/mail-setup") view={Lazy::<routes::DeviceSetup>::new()} />
                <ParentRoute path=path!("/o/:organization") view={Lazy::<routes::Shell>::new()}>
                    <Route path=path!("") view={Lazy::<routes::Overview>::new()} />
                    <Route path=path!("products") view={Lazy::<routes::Products>::new()} />
                    <Route path=path!("products/:product") view={Lazy::<routes::Product>::new()} />
                    <Route path=path!("domains/released") view={Lazy::<routes::ReleasedDomains>::new()} />
                    <Route path=path!("domains/transfer") view={Lazy::<routes::TransferDomain>::new()} />
                    <Route path=path!("products/:product/addresses/:address") view={Lazy::<routes::MailAddress>::new()} />
                    <Route path=path!("mail") view={Lazy::<routes::MyMail>::new()} />
                    <Route path=path!("tags") view={Lazy::<routes::Tags>::new()} />
                    <Route path=path!("users") view={Lazy::<routes::Users>::new()} />
                    <Route path=path!("users/invite") view={Lazy::<routes::Invite>::new()} />
                    <Route path=path!("users/:user") view={Lazy::<routes::Person>::new()} />
                    <Route path=path!("users/:user/remove") view={Lazy::<routes::RemoveUser>::new()} />
                    <Route path=path!("activity") view={Lazy::<routes::Activity>::new()} />
                    <Route path=path!("settings") view={Lazy::<routes::Settings>::new()} />
                    <Route path=path!("billing/prepaid") view={Lazy::<routes::Prepaid>::new()} />
                    <Route path=path!("billing/addresses") view={Lazy::<routes::BillingAddresses>::new()} />
                    <Route path=path!("billing/notifications") view={Lazy::<routes::BillingNotifications>::new()} />
                    <Route path=path!("billing/shop") view={Lazy::<routes::Shop>::new()} />
                    <Route path=path!("billing/invoices") view={Lazy::<routes::Invoices>::new()} />
                    <Route path=path!("reseller") view={Lazy::<routes::Reseller>::new()} />
                    <Route path=path!("reseller/:relationship") view={Lazy::<routes::CustomerProfile>::new()} />
                    <Route path=path!("organizations") view={Lazy::<routes::MyOrganizations>::new()} />
                    <Route path=path!("profile") view={Lazy::<routes::Profile>::new()} />
                    <Route path=path!("security") view={Lazy::<routes::Security>::new()} />
                    <Route path=path!("security/compromised") view={Lazy::<routes::Compromised>::new()} />
                    // An unknown address inside an organization keeps the frame: its menu is
                    // the way back.
                    <Route path=path!("*any") view=NotFoundInOrganization />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[component]
fn NotFoundInOrganization() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let organization = components::use_organization_id();
    view! {
        <PageTitle text="Page not found" />
        <h1>"Page not found"</h1>
        <p data-testid="not-found">"There is nothing at this address in this organization."</p>
        <p><a href=move || format!("/o/{}", organization.get())>"Back to the overview"</a></p>
    }
}

#[component]
fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text="Page not found" />
        <main class="centered-page" id="main">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p><a href="/">"Go to my organizations"</a></p>
        </main>
    }
}

/// The enums people read: each declared once (variant, stored value, label), by strum.
#[cfg(test)]
mod enum_labels {
    use strum::{EnumMessage, VariantArray};

    /// Every variant has its label and a stored value that reads back as itself.
    fn check<T>()
    where
        T: VariantArray + EnumMessage + Copy + std::fmt::Debug + PartialEq,
        T: Into<&'static str> + std::str::FromStr,
    {
        for &variant in T::VARIANTS {
            assert!(variant.get_message().is_some(), "{variant:?} has no label");
            let stored: &'static str = variant.into();
            assert!(
                stored.parse::<T>().ok() == Some(variant),
                "{variant:?} does not read back from {stored:?}"
            );
        }
    }

    #[test]
    fn every_variant_shown_to_people_has_its_label_and_reads_back() {
        check::<crate::activity::ActivityAction>();
        check::<crate::policy::Role>();
        check::<crate::policy::TokenScope>();
        check::<crate::products::ProductKind>();
        check::<crate::products::ProductStatus>();
        check::<crate::products::DomainStage>();
        check::<crate::mailboxes::MailRight>();
        check::<crate::billing::Notice>();
        check::<crate::billing::WithdrawalMethod>();
        check::<crate::billing::WithdrawalStatus>();
        check::<crate::shop::OrderStatus>();
        check::<crate::shop::Payment>();
        check::<crate::tags::Colour>();
        check::<crate::two_factor::MethodKind>();
    }
}
