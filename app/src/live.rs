//! Live updates in the browser, over server-sent events.

use crate::domain::Order;
use serde::de::DeserializeOwned;

/// Follows the SSE stream at `url` and calls `on_order` with every `status` event; when
/// it returns `true` the stream is closed (the order is final). The stream also closes
/// when the calling component goes away. Does nothing on the server.
///
/// Every (re)connection starts with the current state, so a dropped connection that the
/// browser re-opens misses nothing.
pub fn follow_orders(url: String, on_order: impl Fn(Order) -> bool + 'static) {
    follow::<Order>(url, "status", on_order);
}

/// Follows the SSE stream at `url`, calling `on_item` with the JSON of every event named
/// `event`; when it returns `true` the stream is closed. Closes with the calling component.
pub fn follow<T: DeserializeOwned + 'static>(
    url: String,
    event: &'static str,
    on_item: impl Fn(T) -> bool + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{JsCast, closure::Closure};
        let Ok(source) = web_sys::EventSource::new(&url) else {
            return;
        };
        let closer = source.clone();
        let listener =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
                let item = message.data().as_string().and_then(|text| serde_json::from_str::<T>(&text).ok());
                if let Some(item) = item
                    && on_item(item)
                {
                    closer.close();
                }
            });
        let _ = source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        let held = send_wrapper::SendWrapper::new((source, listener));
        leptos::prelude::on_cleanup(move || {
            let (source, _listener) = held.take();
            source.close();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, event, on_item);
}
