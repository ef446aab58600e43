//! Live-update streams (server-sent events) that end with their session: each user may hold
//! a few open at once (counted across instances with Redis), and every stream checks that
//! the session it was opened with is still live (and, for the admin feed, still an admin's)
//! whenever news of its account arrives and at least every re-check period; it ends when
//! not, so a sign-out, a password reset or `admin revoke` closes what was open.

mod slots;

use slots::Slot;
pub use slots::Slots;

use crate::{
    accounts::Accounts,
    platform::metrics::{Metrics, SseGuard},
};
use app::{domain::User, error::AppError, services::Caller};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use std::{convert::Infallible, sync::Arc, time::Duration};
use tokio::sync::broadcast;

/// How often an idle stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The open streams, per user.
pub struct Streams {
    slots: Slots,
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
    /// At most `max_per_user` streams per user, counted in `slots`; sessions re-checked
    /// every `recheck`.
    pub fn new(slots: Slots, max_per_user: u32, recheck: Duration, metrics: Arc<Metrics>) -> Arc<Self> {
        Arc::new(Self { slots, max_per_user, recheck, metrics })
    }

    /// How long a slot's Redis lease lasts unless renewed (at every check).
    fn lease(&self) -> Duration {
        (self.recheck * 3).max(Duration::from_secs(3))
    }

    /// Lets the caller open one more stream: the caller's user and the pass that keeps the
    /// stream counted and ends it with its session. 401/403 without the right to hear it,
    /// 429 when the user holds the most streams already.
    pub async fn open(
        self: &Arc<Self>,
        accounts: &Arc<Accounts>,
        caller: &Caller,
        audience: Audience,
    ) -> Result<(User, StreamPass), AppError> {
        let user = match audience {
            Audience::User => caller.user()?,
            Audience::Admin => caller.admin()?,
        };
        let credential = match (&caller.api_token, &caller.session_token) {
            (Some(grant), _) => Credential::Token(grant.id.clone()),
            (None, Some(session)) => Credential::Session(session.clone()),
            (None, None) => return Err(AppError::Unauthenticated),
        };
        let Some(slot) = self.slots.take(&user.id, self.max_per_user, self.lease()).await else {
            return Err(AppError::TooManyRequests {
                message: format!(
                    "you have {} live updates open already (other tabs or windows): close one first",
                    self.max_per_user
                ),
                retry_after_secs: self.recheck.as_secs().max(1),
            });
        };
        let pass = StreamPass {
            streams: self.clone(),
            accounts: accounts.clone(),
            user_id: user.id.clone(),
            slot: Arc::new(slot),
            credential,
            audience,
            _counted: self.metrics.sse_stream(),
        };
        Ok((user, pass))
    }
}

/// What a stream was opened with, and is re-checked with.
#[derive(Clone, Debug)]
enum Credential {
    /// A session token (a browser).
    Session(String),
    /// An API token's id (a script or partner).
    Token(String),
}

/// One admitted stream: counted (per user and in the metrics) while it lives.
pub struct StreamPass {
    streams: Arc<Streams>,
    accounts: Arc<Accounts>,
    user_id: String,
    slot: Arc<Slot>,
    credential: Credential,
    audience: Audience,
    _counted: SseGuard,
}

impl Drop for StreamPass {
    fn drop(&mut self) {
        self.streams.slots.give_back(&self.slot);
    }
}

impl StreamPass {
    /// Completes when the stream's session has ended or no longer grants the audience: at
    /// once when news of the account arrives, else at the next check.
    async fn session_ended(
        streams: Arc<Streams>,
        accounts: Arc<Accounts>,
        slot: Arc<Slot>,
        credential: Credential,
        user_id: String,
        audience: Audience,
    ) {
        let every = streams.recheck;
        let mut news = accounts.news();
        loop {
            let woken = async {
                loop {
                    match news.recv().await {
                        Ok(changed) if changed.user_id == user_id => return,
                        // Missed some: whether one was this account's is unknown, so check.
                        Err(broadcast::error::RecvError::Lagged(_)) => return,
                        Ok(_) => {}
                        Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
                    }
                }
            };
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = woken => {}
            }
            streams.slots.renew(&slot, streams.lease()).await;
            let still = match &credential {
                Credential::Session(session) => accounts.user_of_session(session).await.map(|user| {
                    user.is_some_and(|user| {
                        user.id == user_id && (audience == Audience::User || user.is_admin)
                    })
                }),
                Credential::Token(id) => accounts.token_works(id).await,
            };
            match still {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(user.id = %user_id, "a live stream ends with its session, token or role");
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
            self.streams.clone(),
            self.accounts.clone(),
            self.slot.clone(),
            self.credential.clone(),
            self.user_id.clone(),
            self.audience,
        );
        let stream = events.take_until(ended).take_until(closing).map(move |event| {
            // The pass lives (and counts) as long as the stream.
            let _pass = &self;
            event
        });
        Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
    }
}
