//! The product page's "Move to another organization" and the page the emailed link opens.

use super::api::{
    open_product_move, product_move, AcceptProductMove, CancelProductMove, RefuseProductMove,
    StartProductMove,
};
use super::MoveOpening;
use crate::calls::{resource, FormAction, ServerForm};
use crate::components::{invalid, FieldError, FormError, Loading, PageTitle};
use crate::format;
use leptos::prelude::*;

/// On a product's page, for those who may move it: the request waiting (and Cancel), or the
/// form that asks a legal representative of another organization to take it.
#[component]
pub fn MovePanel(organization_id: i64, product_id: i64) -> impl IntoView {
    let start = FormAction::<StartProductMove>::new();
    let cancel = FormAction::<CancelProductMove>::new();
    let facts = resource(
        move || (start.version().get(), cancel.version().get()),
        move |_| product_move(organization_id, product_id),
    );
    let error = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| cancel.value().get().and_then(Result::err))
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                facts.await.ok().filter(|f| f.may_move).map(|f| {
                    let body = match f.pending {
                        Some(pending) => {
                            let expired = pending.expired;
                            let state = if expired {
                                format!("The request to {} expired on {} without an answer: cancel it to ask again.", pending.to_email, format::date(pending.expires_at))
                            } else {
                                format!(
                                    "Waiting for {} to accept it{}: the link works until {}.",
                                    pending.to_email,
                                    pending.requested_by.map(|by| format!(" (asked by {by} on {})", format::date(pending.created_at))).unwrap_or_default(),
                                    format::date(pending.expires_at)
                                )
                            };
                            view! {
                                <p data-testid="move-pending">{state}</p>
                                <ServerForm action=cancel attr:class="inline-form">
                                    <input type="hidden" name="organization_id" value=organization_id />
                                    <input type="hidden" name="product_id" value=product_id />
                                    <button class="button small secondary" type="submit">"Cancel the request"</button>
                                </ServerForm>
                            }.into_any()
                        }
                        None => view! {
                            <p class="muted">"A legal representative of the other organization accepts it by email within 14 days. Once accepted, that organization holds and pays for it: this organization's tags and people's accesses on it are removed, and its automatic renewal stays off until they turn it on."</p>
                            <ServerForm action=start attr:class="stacked-form">
                                <input type="hidden" name="organization_id" value=organization_id />
                                <input type="hidden" name="product_id" value=product_id />
                                <div class="field">
                                    <label for="move-email">"Email of a legal representative of the receiving organization"</label>
                                    <input id="move-email" name="email" type="email" required aria-describedby="move-email-error" aria-invalid=invalid(error, "email") />
                                    <FieldError error field="email" input="move-email" />
                                </div>
                                <button class="button" type="submit" disabled=move || start.pending().get()>"Send the request"</button>
                            </ServerForm>
                        }.into_any(),
                    };
                    view! {
                        <details class="panel more-actions" data-testid="move-panel" open=true>
                            <summary>"Move to another organization"</summary>
                            {body}
                            <FormError error />
                            {move || matches!(start.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"The request is sent by email."</p> })}
                        </details>
                    }
                })
            })}
        </Transition>
    }
}

/// The page the emailed link opens (`/product-move?token=…`).
#[component]
pub fn ProductMovePage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let opening = resource(move || token.get(), open_product_move);
    view! {
        <PageTitle text="Move a product" />
        <main class="auth-page" id="main">
            <div class="auth-card">
                <p class="brand-large">"Steward"</p>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match opening.await {
                            Ok(opening) => view! { <Opening opening token=token.get_untracked() /> }.into_any(),
                            Err(e) => view! {
                                <h1>"Move a product"</h1>
                                <p class="form-error" role="alert" data-testid="move-refused"><span>{e.message}</span></p>
                                <a class="button secondary wide" href="/">"Go to Steward"</a>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </main>
    }
}

#[component]
fn Opening(opening: MoveOpening, token: String) -> impl IntoView {
    let accept = FormAction::<AcceptProductMove>::new();
    let refuse = FormAction::<RefuseProductMove>::new();
    let error = Signal::derive(move || {
        accept
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| refuse.value().get().and_then(Result::err))
    });
    let chosen = RwSignal::new(opening.receivers.first().map(|r| r.id).unwrap_or(0));
    Effect::new(move |_| {
        if let Some(Ok(product)) = accept.value().get() {
            crate::components::load_page(&format!(
                "/o/{}/products/{product}",
                chosen.get_untracked()
            ));
        }
    });
    let who = opening
        .requested_by
        .clone()
        .unwrap_or_else(|| "An administrator".into());
    let title = format!(
        "{} wants to move {} to you",
        opening.from_organization, opening.product
    );
    let next_path = format!("/product-move?token={token}");
    let answer = match (&opening.signed_in_as, opening.receivers.is_empty()) {
        (None, _) => view! {
            <p>{format!("Sign in as a legal representative of the organization that is to receive it (the request was sent to {}).", opening.to_email)}</p>
            <a class="button primary wide" href=format!("/login?next={}", format::percent_encode(&next_path))>"Sign in to accept"</a>
        }.into_any(),
        (Some(email), true) => view! {
            <p class="form-error" role="alert"><span>{format!("You are signed in as {email}, who represents no other organization as its legal representative: only a legal representative can receive it. Sign in as one, or ask one of yours to open this link.")}</span></p>
        }.into_any(),
        (Some(_), false) => {
            let token = token.clone();
            view! {
                <ServerForm action=accept attr:class="stacked-form">
                    <input type="hidden" name="token" value=token />
                    <div class="field">
                        <label for="move-into">"Receive it into"</label>
                        <select id="move-into" name="organization_id" aria-describedby="move-into-error" aria-invalid=invalid(error, "organization_id")
                            on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {opening.receivers.iter().map(|r| view! { <option value=r.id>{r.name.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError error field="organization_id" input="move-into" />
                    </div>
                    <p class="muted">"Your organization then holds it and pays for it; its automatic renewal stays off until you turn it on."</p>
                    <button class="button primary wide" type="submit" disabled=move || accept.pending().get()>"Accept the product"</button>
                </ServerForm>
            }.into_any()
        }
    };
    let refused = move || matches!(refuse.value().get(), Some(Ok(())));
    view! {
        <h1>{title}</h1>
        <dl class="facts" data-testid="move-facts">
            <dt>"Product"</dt><dd>{format!("{} ({})", opening.product, opening.kind.label())}</dd>
            <dt>"Expires"</dt><dd>{opening.expires_at_product.map(format::date).unwrap_or_else(|| "No expiry".into())}</dd>
            <dt>"Holder"</dt><dd>{opening.holder.join(", ")}</dd>
            <dt>"Asked by"</dt><dd>{format!("{who}, {}", opening.from_organization)}</dd>
            <dt>"Answer until"</dt><dd>{format::date(opening.expires_at)}</dd>
        </dl>
        {move || refused().then(|| view! { <p class="notice" role="status" data-testid="move-refused-done">"Refused: the product stays where it is, and they were told."</p> })}
        <div hidden=refused>
            {answer}
            <FormError error />
            <ServerForm action=refuse attr:class="inline-form">
                <input type="hidden" name="token" value=token.clone() />
                <button class="button secondary wide" type="submit">"Refuse"</button>
            </ServerForm>
        </div>
    }
}
