//! How a page calls its server functions: the data it loads ([`resource`]) and the forms it
//! sends ([`FormAction`], [`ServerForm`]).
//!
//! Both are Leptos's own (`Resource`, `ServerAction`, `ActionForm`) with one difference that
//! decides the size of the browser's code: nothing here is compiled once per server function.
//! Leptos's `ServerAction<S>` is an action of `S` (the function's arguments), so each of
//! Steward's 90 forms carried its own copy of the action machinery, a form-data deserializer
//! for its arguments and a serializer to send them again; a [`FormAction`] is an action of the
//! form's [`Fields`] as the browser encodes them, compiled once per *answer* type (23 of them).
//! The request on the wire is the same (`application/x-www-form-urlencoded`, read by the server
//! function as before), so programs and pages without JavaScript see no change. Measured in
//! the README ("What reaches the browser").

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use server_fn::ServerFn;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

/// How a page's data travels from the server's render to the browser: JSON, read back with the
/// same reader as a server function's answer (`serde_json::from_slice`, as `server_fn` does).
/// Leptos's default codec reads with `from_str`, another reader type, so the browser's code held
/// two JSON deserializers for every type a page loads: 320 KB of 4.9 MB of code before
/// optimisation.
pub struct Wire;

impl<T: Serialize> Encoder<T> for Wire {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Wire {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(encoded.as_bytes())
    }
}

/// Data a page loads: rendered on the server, carried to the browser with [`Wire`].
pub type Loaded<T> = Resource<T, Wire>;

/// A page's data (Leptos's `Resource::new`, with the [`Wire`] codec): `fetcher` runs again
/// whenever `source` changes.
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// A server function's arguments as the browser sends them: the body of its request,
/// `application/x-www-form-urlencoded` (a form's fields, or arguments serialized to that form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields(String);

/// The answer of a server function whose answer is `O`.
type Answer<O> = Result<O, AppError>;

/// A server function a page calls with a form or with arguments (Leptos's `ServerAction`):
/// `value()` is its last answer, `pending()` whether a call is under way, `version()` how many
/// calls have ended. Dereferences to the action of [`Fields`] it sends.
pub struct FormAction<S: ServerFn> {
    inner: Action<Fields, Answer<S::Output>>,
    function: PhantomData<fn() -> S>,
}

impl<S: ServerFn> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for FormAction<S> {}

impl<S: ServerFn> std::ops::Deref for FormAction<S> {
    type Target = Action<Fields, Answer<S::Output>>;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl<S> FormAction<S>
where
    S: ServerFn<Error = AppError> + Serialize,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    /// The action of server function `S`. On a page rendered after a form was sent without
    /// JavaScript, it starts with that form's error (as Leptos's `ServerAction` does).
    #[track_caller]
    pub fn new() -> Self {
        Self {
            inner: action::<S::Output>(S::PATH),
            function: PhantomData,
        }
    }

    /// Calls the server function with these arguments.
    pub fn dispatch(&self, arguments: S) {
        match serde_qs::to_string(&arguments) {
            Ok(fields) => {
                self.inner.dispatch(Fields(fields));
            }
            Err(_) => fail(self.inner),
        }
    }
}

impl<S> Default for FormAction<S>
where
    S: ServerFn<Error = AppError> + Serialize,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

/// The action behind every [`FormAction`] whose answer is `O`.
#[track_caller]
fn action<O>(path: &'static str) -> Action<Fields, Answer<O>>
where
    O: DeserializeOwned + Send + Sync + 'static,
{
    let failed = use_context::<leptos::server::ServerActionError>().and_then(|error| {
        (error.path() == path).then(|| {
            Err(server_fn::error::ServerFnUrlError::<AppError>::decode_err(
                error.err(),
            ))
        })
    });
    Action::new_with_value(failed, move |fields: &Fields| {
        let fields = fields.0.clone();
        async move { decode(send(path, fields).await) }
    })
}

/// A form that could not be read or arguments that could not be encoded: the same message
/// as a malformed form the server refuses.
fn fail<O>(action: Action<Fields, Answer<O>>)
where
    O: Send + Sync + 'static,
{
    action.value().set(Some(Err(malformed())));
    action.version().update(|n| *n += 1);
}

fn malformed() -> AppError {
    use server_fn::error::{FromServerFnError, ServerFnErrorErr};
    AppError::from_server_fn_error(ServerFnErrorErr::Serialization(String::new()))
}

/// What came back: the answer's body when the call succeeded, or the error it carries.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Reply {
    Answer(server_fn::Bytes),
    Error(AppError),
}

/// The answer as `O` (JSON, read as `server_fn` reads it).
fn decode<O: DeserializeOwned>(reply: Reply) -> Answer<O> {
    match reply {
        Reply::Answer(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            use server_fn::error::{FromServerFnError, ServerFnErrorErr};
            AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string()))
        }),
        Reply::Error(error) => Err(error),
    }
}

/// Sends the fields to the server function at `path`, as `server_fn`'s own client does
/// (`Http::run_client`): an error status carries the error, and a redirect on success goes
/// through the router's redirect hook.
#[cfg(feature = "hydrate")]
async fn send(path: &'static str, fields: String) -> Reply {
    use server_fn::client::{browser::BrowserClient, Client};
    use server_fn::codec::{Json, PostUrl};
    use server_fn::error::FromServerFnError;
    use server_fn::request::{browser::BrowserRequest, ClientReq};
    use server_fn::response::ClientRes;
    use server_fn::ContentType;
    let reply = async {
        let request = <BrowserRequest as ClientReq<AppError>>::try_new_post(
            path,
            PostUrl::CONTENT_TYPE,
            Json::CONTENT_TYPE,
            fields,
        )?;
        let response = <BrowserClient as Client<AppError>>::send(request).await?;
        let status = ClientRes::<AppError>::status(&response);
        let location = ClientRes::<AppError>::location(&response);
        let redirect = ClientRes::<AppError>::has_redirect(&response);
        let body = ClientRes::<AppError>::try_into_bytes(response).await?;
        if (400..=599).contains(&status) {
            return Ok(Reply::Error(AppError::de(body)));
        }
        if (300..=399).contains(&status) || redirect {
            server_fn::redirect::call_redirect_hook(&location);
        }
        Ok::<_, AppError>(Reply::Answer(body))
    };
    reply.await.unwrap_or_else(Reply::Error)
}

/// On the server a page is rendered once and never sends its forms: nothing calls this.
#[cfg(not(feature = "hydrate"))]
async fn send(_path: &'static str, _fields: String) -> Reply {
    Reply::Error(AppError::internal())
}

/// A form that calls a server function (Leptos's `ActionForm`): posted to the function's
/// address, so it works without JavaScript too; with it, the fields are sent by the action and
/// the page stays.
#[component]
pub fn ServerForm<S>(
    /// The server function the form calls.
    action: FormAction<S>,
    /// Where the `<form>` element is kept, for a page that needs it.
    #[prop(optional)]
    node_ref: Option<NodeRef<leptos::html::Form>>,
    children: Children,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Serialize,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    let inner = action.inner;
    let send = Arc::new(move |fields: Option<Fields>| match fields {
        Some(fields) => {
            inner.dispatch(fields);
        }
        None => fail(inner),
    });
    form_view(S::PATH, send, node_ref, children)
}

/// The `<form>` of every [`ServerForm`], compiled once.
fn form_view(
    path: &'static str,
    send: Arc<dyn Fn(Option<Fields>) + Send + Sync>,
    node_ref: Option<NodeRef<leptos::html::Form>>,
    children: Children,
) -> AnyView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        send(fields_of(&ev));
    };
    let form = leptos::html::form()
        .action(path)
        .method("post")
        .on(leptos::ev::submit, on_submit)
        .child(children());
    match node_ref {
        Some(node_ref) => form.node_ref(node_ref).into_any(),
        None => form.into_any(),
    }
}

/// The submitted form's fields, the button that sent it included, encoded as a browser encodes
/// a form it posts.
#[cfg(feature = "hydrate")]
fn fields_of(ev: &leptos::ev::SubmitEvent) -> Option<Fields> {
    let data = leptos::form::form_data_from_event(ev).ok()?;
    let encoded = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    Some(Fields(encoded.to_string().as_string()?))
}

/// Submissions happen in the browser only.
#[cfg(not(feature = "hydrate"))]
fn fields_of(_ev: &leptos::ev::SubmitEvent) -> Option<Fields> {
    None
}
