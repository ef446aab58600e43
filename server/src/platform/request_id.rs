//! The id of the request that is being served, for whatever it causes: the access layer
//! sets it for the handler's task, the queues copy it into the jobs they send, and a
//! worker sets it again around the job, so the log lines of one order, from the web
//! process to the worker and the mail it sends, name the request that started it.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: Option<String>;
}

/// Runs `work` with `id` as the current request id (`None`: there is none, e.g. a job
/// sent by the sweep).
pub async fn scope<F: Future>(id: Option<String>, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The current request id, if this task serves a request or a job one sent.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_id_is_known_inside_its_scope_only() {
        assert_eq!(current(), None);
        let inside = scope(Some("r-1".to_owned()), async { current() }).await;
        assert_eq!(inside.as_deref(), Some("r-1"));
        assert_eq!(scope(None, async { current() }).await, None);
        assert_eq!(current(), None);
    }
}
