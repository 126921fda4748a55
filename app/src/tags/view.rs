//! Tag chips, the batch tagging bar of the product list, and the tag management page.

use super::api::{list_tags, CreateTag, DeleteTag, TagProducts, UntagProducts, UpdateTag};
use super::{Colour, Tag, TagChip, NAME_MAX_CHARS};
use crate::calls::{resource, FormAction, Loaded, ServerForm};
use crate::components::use_organization_id;
use crate::components::PageTitle;
use crate::components::{invalid, ErrorPanel, FieldError, FormError, Loading};
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn TagChips(tags: Vec<TagChip>) -> impl IntoView {
    view! {
        <span class="tag-chips">
            {tags.into_iter().map(|t| view! { <span class=format!("tag tag-{}", t.colour.as_str())>{t.name}</span> }).collect_view()}
        </span>
    }
}

fn colour_options(current: Option<Colour>) -> impl IntoView {
    Colour::ALL
        .iter()
        .copied()
        .map(
            |c| view! { <option value=c.as_str() selected=current == Some(c)>{c.label()}</option> },
        )
        .collect_view()
}

/// The bar above the product list: put a tag (existing or new) on the selected rows, or take
/// one off.
#[component]
pub fn TagPicker(
    organization_id: Memo<i64>,
    selected: RwSignal<Vec<i64>>,
    tags: Loaded<Result<Vec<Tag>, AppError>>,
    tag_action: FormAction<TagProducts>,
    untag_action: FormAction<UntagProducts>,
) -> impl IntoView {
    let choice = RwSignal::new(String::new());
    let error = Signal::derive(move || {
        tag_action
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| untag_action.value().get().and_then(Result::err))
    });
    let ids = move || {
        selected
            .read()
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let count = move || selected.read().len();
    view! {
        // With nothing selected, a phone shows only the heading (the form folds away).
        <section class="panel batch-bar" class:batch-empty=move || count() == 0 aria-labelledby="batch-heading">
            <h2 id="batch-heading" class="small-heading">
                {move || match count() {
                    0 => "Tag products: select rows first".to_owned(),
                    1 => "1 product selected".to_owned(),
                    n => format!("{n} products selected"),
                }}
            </h2>
            <ServerForm action=tag_action>
                <FormError error />
                <input type="hidden" name="organization_id" prop:value=move || organization_id.get().to_string() />
                <input type="hidden" name="product_ids" prop:value=ids />
                <div class="filters">
                    <div class="field">
                        <label for="batch-tag">"Tag for the selection"</label>
                        <select id="batch-tag" name="tag_id" on:change=move |ev| choice.set(event_target_value(&ev))>
                            <option value="">"New tag…"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    tags.await.unwrap_or_default().into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()
                                })}
                            </Transition>
                        </select>
                    </div>
                    <div class="field" class:hidden-field=move || !choice.get().is_empty()>
                        <label for="new-tag-name">"New tag name"</label>
                        <input id="new-tag-name" name="new_name" maxlength=NAME_MAX_CHARS.to_string() aria-describedby="new-tag-name-error" aria-invalid=invalid(error, "name") />
                        <FieldError error field="name" input="new-tag-name" />
                    </div>
                    <div class="field" class:hidden-field=move || !choice.get().is_empty()>
                        <label for="new-tag-colour">"Colour"</label>
                        <select id="new-tag-colour" name="new_colour">{colour_options(None)}</select>
                    </div>
                    <div class="filter-buttons">
                        <button class="button primary" type="submit" disabled=move || count() == 0 || tag_action.pending().get()>"Add tag"</button>
                        <button class="button" type="button" disabled=move || count() == 0 || choice.get().is_empty()
                            on:click=move |_| {
                                if let Ok(tag_id) = choice.get_untracked().parse::<i64>() {
                                    untag_action.dispatch(UntagProducts { organization_id: organization_id.get_untracked(), product_ids: ids(), tag_id });
                                }
                            }>
                            "Remove tag"
                        </button>
                    </div>
                </div>
            </ServerForm>
        </section>
    }
}

#[component]
pub fn TagsPage() -> impl IntoView {
    let organization_id = use_organization_id();
    let create = FormAction::<CreateTag>::new();
    let update = FormAction::<UpdateTag>::new();
    let delete = FormAction::<DeleteTag>::new();
    let tags = resource(
        move || {
            (
                organization_id.get(),
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |(organization, ..)| list_tags(organization),
    );
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let other_error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let confirming = RwSignal::new(None::<(i64, String)>);
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            confirming.set(None);
        }
    });
    view! {
        <PageTitle text="Tags" />
        <p class="breadcrumb"><a href=move || format!("/o/{}/products", organization_id.get())>"Products"</a></p>
        <h1>"Tags"</h1>
        <p class="lead">"Tags group products across kinds. Everyone who can reach a product sees its tags."</p>
        <section class="panel" aria-labelledby="tag-list-heading">
            <h2 id="tag-list-heading">"Tags of this organization"</h2>
            <FormError error=other_error />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match tags.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No tags yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="session-list" data-testid="tags">
                                {list.into_iter().map(|t| {
                                    let id = t.id;
                                    let name = t.name.clone();
                                    let delete_label = format!(" {}", t.name);
                                    view! {
                                        <li class="session">
                                            <ServerForm action=update attr:class="tag-edit">
                                                <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                                                <input type="hidden" name="tag_id" value=id />
                                                <input type="hidden" name="version" value=t.version />
                                                <span class=format!("tag tag-{}", t.colour.as_str())>{t.name.clone()}</span>
                                                <span class="muted">{format!("{} product(s)", t.products)}</span>
                                                <label class="visually-hidden" for=format!("tag-name-{id}")>{format!("Name of {}", t.name)}</label>
                                                <input id=format!("tag-name-{id}") name="name" value=t.name.clone() maxlength=NAME_MAX_CHARS.to_string() required />
                                                <label class="visually-hidden" for=format!("tag-colour-{id}")>{format!("Colour of {}", t.name)}</label>
                                                <select id=format!("tag-colour-{id}") name="colour">{colour_options(Some(t.colour))}</select>
                                                <button class="button small" type="submit">"Save" <span class="visually-hidden">{format!(" {}", t.name)}</span></button>
                                            </ServerForm>
                                            <button class="button small danger" type="button" on:click=move |_| confirming.set(Some((id, name.clone())))>
                                                "Delete" <span class="visually-hidden">{delete_label}</span>
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            {move || confirming.get().map(|(id, name)| view! {
                <div class="confirm-box" role="group" aria-labelledby="delete-tag-heading">
                    <h3 id="delete-tag-heading">{format!("Delete the tag “{name}”?")}</h3>
                    <p>"It is taken off every product; the products themselves stay."</p>
                    <ServerForm action=delete>
                        <input type="hidden" name="organization_id" value=organization_id.get_untracked() />
                        <input type="hidden" name="tag_id" value=id />
                        <div class="button-row">
                            <button class="button danger" type="submit">"Delete the tag"</button>
                            <button class="button secondary" type="button" on:click=move |_| confirming.set(None)>"Keep it"</button>
                        </div>
                    </ServerForm>
                </div>
            })}
        </section>
        <section class="panel" aria-labelledby="new-tag-heading">
            <h2 id="new-tag-heading">"Add a tag"</h2>
            <ServerForm action=create>
                <FormError error=create_error />
                <input type="hidden" name="organization_id" prop:value=move || organization_id.get().to_string() />
                <div class="filters">
                    <div class="field">
                        <label for="tag-name">"Name"</label>
                        <input id="tag-name" name="name" required maxlength=NAME_MAX_CHARS.to_string() aria-describedby="tag-name-error" aria-invalid=invalid(create_error, "name") />
                        <FieldError error=create_error field="name" input="tag-name" />
                    </div>
                    <div class="field">
                        <label for="tag-colour">"Colour"</label>
                        <select id="tag-colour" name="colour">{colour_options(None)}</select>
                    </div>
                    <div class="filter-buttons">
                        <button class="button primary" type="submit" disabled=move || create.pending().get()>"Add the tag"</button>
                    </div>
                </div>
            </ServerForm>
        </section>
    }
}
