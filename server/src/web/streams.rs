//! Live-update streams (server-sent events) that end with their session: each user may hold
//! a few open at once, and every stream checks now and then that the session it was opened
//! with is still live (and, for the admin feed, still an admin's); it ends when not, so a
//! sign-out, a password reset or `admin revoke` closes what was open.

use crate::{
    accounts::Accounts,
    platform::metrics::{Metrics, SseGuard},
};
use app::{domain::User, error::AppError, services::Caller};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::broadcast;

/// How often an idle stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The open streams of this process, per user.
pub struct Streams {
    open: Mutex<HashMap<String, u32>>,
    max_per_user: u32,
    recheck: Duration,
    /// Counts every open stream (`ltd_sse_streams_open`).
    metrics: Arc<Metrics>,
}

/// Who may hear a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The signed-in user (their own orders).
    User,
    /// Admins only (everyone's payments).
    Admin,
}

impl Streams {
    /// At most `max_per_user` streams per user; sessions re-checked every `recheck`.
    pub fn new(max_per_user: u32, recheck: Duration, metrics: Arc<Metrics>) -> Arc<Self> {
        Arc::new(Self { open: Mutex::default(), max_per_user, recheck, metrics })
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Lets the caller open one more stream: the caller's user and the pass that keeps the
    /// stream counted and ends it with its session. 401/403 without the right to hear it,
    /// 429 when the user holds the most streams already.
    pub fn open(
        self: &Arc<Self>,
        accounts: &Arc<Accounts>,
        caller: &Caller,
        audience: Audience,
    ) -> Result<(User, StreamPass), AppError> {
        let user = match audience {
            Audience::User => caller.user()?,
            Audience::Admin => caller.admin()?,
        };
        let session = caller.session_token.clone().ok_or(AppError::Unauthenticated)?;
        {
            let mut counts = self.counts();
            let count = counts.entry(user.id.clone()).or_insert(0);
            if *count >= self.max_per_user {
                return Err(AppError::TooManyRequests {
                    message: format!(
                        "you have {} live updates open already (other tabs or windows): close one first",
                        self.max_per_user
                    ),
                    retry_after_secs: self.recheck.as_secs().max(1),
                });
            }
            *count += 1;
        }
        let pass = StreamPass {
            streams: self.clone(),
            accounts: accounts.clone(),
            user_id: user.id.clone(),
            session,
            audience,
            _counted: self.metrics.sse_stream(),
        };
        Ok((user, pass))
    }
}

/// One admitted stream: counted (per user and in the metrics) while it lives.
pub struct StreamPass {
    streams: Arc<Streams>,
    accounts: Arc<Accounts>,
    user_id: String,
    session: String,
    audience: Audience,
    _counted: SseGuard,
}

impl Drop for StreamPass {
    fn drop(&mut self) {
        let mut counts = self.streams.counts();
        if let Some(count) = counts.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.user_id);
            }
        }
    }
}

impl StreamPass {
    /// Completes when the stream's session has ended or no longer grants the audience: at
    /// once when it is signed out in this process, else at the next check.
    async fn session_ended(
        accounts: Arc<Accounts>,
        session: String,
        user_id: String,
        audience: Audience,
        every: Duration,
    ) {
        let mut signed_out = accounts.signed_out();
        loop {
            let woken = async {
                loop {
                    match signed_out.recv().await {
                        Ok(token) if token == session => return,
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
                    }
                }
            };
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = woken => {}
            }
            match accounts.user_of_session(&session).await {
                Ok(Some(user)) if user.id == user_id && (audience == Audience::User || user.is_admin) => {}
                Ok(_) => {
                    tracing::info!(user.id = %user_id, "a live stream ends with its session or role");
                    return;
                }
                // The database did not answer: the stream goes on and the next check retries.
                Err(error) => tracing::warn!(%error, "could not re-check a live stream's session"),
            }
        }
    }

    /// The server-sent events of `events`, until the session ends, `closing` completes
    /// (the server shuts down) or the events run out.
    pub fn serve<S, C>(self, events: S, closing: C) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
    where
        S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
        C: Future<Output = ()> + Send + 'static,
    {
        let ended = Self::session_ended(
            self.accounts.clone(),
            self.session.clone(),
            self.user_id.clone(),
            self.audience,
            self.streams.recheck,
        );
        let stream = events.take_until(ended).take_until(closing).map(move |event| {
            // The pass lives (and counts) as long as the stream.
            let _pass = &self;
            event
        });
        Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
    }
}
