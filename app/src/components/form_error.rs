use crate::error::AppError;
use leptos::{
    prelude::*,
    server_fn::{ServerFn, error::ServerFnUrlError},
};
use leptos_router::hooks::use_query_map;

/// The latest error of a form's server function: from the action when JavaScript ran it,
/// or from the URL when a plain HTML form post was redirected back with the error.
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let query = use_query_map();
    Signal::derive(move || {
        let from_action =
            action.value().with(|value| value.as_ref().map(|result| result.as_ref().err().cloned()));
        if let Some(error) = from_action {
            return error;
        }
        query.with(|query| {
            (query.get_str("__path") == Some(S::PATH))
                .then(|| query.get_str("__err").map(ServerFnUrlError::<AppError>::decode_err))
                .flatten()
        })
    })
}

/// The form-wide part of an error (one not about a single field).
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || error.get().filter(|e| e.field().is_none()).map(|e| e.to_string());
    view! {
        <Show when=move || message().is_some()>
            <p class="form-error" role="alert">
                {message}
            </p>
        </Show>
    }
}

/// The message about one field, shown next to it.
#[component]
pub fn FieldError(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    let message = move || error.get().filter(|e| e.field() == Some(field)).map(|e| e.to_string());
    view! {
        <Show when=move || message().is_some()>
            <p class="field-error" id=format!("{field}-error") role="alert">
                {message}
            </p>
        </Show>
    }
}
