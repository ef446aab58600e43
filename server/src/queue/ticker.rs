//! When an idle worker looks for jobs: on a fixed tick, and at once when this process
//! queued one (its bell rang).

use apalis::prelude::*;
use std::{
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

/// Wakes this process' worker of one queue when this process pushes a job to it, so the
/// job does not wait for the worker's next poll tick. Jobs pushed by other processes
/// (scale-out) are still found by the tick.
#[derive(Clone, Default)]
pub struct Bell(Arc<tokio::sync::Notify>);

impl Bell {
    /// Wakes the worker, or, if it is busy, makes its next look for jobs come at once.
    pub fn ring(&self) {
        self.0.notify_one();
    }
}

/// A fixed-interval poll strategy that never loses its wake-up, and that also wakes the
/// worker when its [`Bell`] rings.
///
/// apalis-core 1.0's `IntervalStrategy` swaps in a fresh timer when a tick fires but does
/// not poll it, so no waker is registered for the next tick. When a fetch completes in the
/// same poll (fetches slower than the interval, i.e. under load) nothing wakes the worker
/// until its 30 s heartbeat: jobs sit in the queue. This strategy re-arms and polls its
/// timer at once, so the next tick always wakes the worker.
pub struct Ticker {
    every: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
    bell: Option<(Bell, Pin<Box<tokio::sync::futures::OwnedNotified>>)>,
}

impl Ticker {
    pub fn new(every: Duration) -> Self {
        Self { every, sleep: Box::pin(tokio::time::sleep(every)), bell: None }
    }

    /// Also wakes the worker whenever `bell` rings.
    pub fn or_when_rung(mut self, bell: &Bell) -> Self {
        self.bell = Some((bell.clone(), Box::pin(Arc::clone(&bell.0).notified_owned())));
        self
    }
}

impl PollStrategy for Ticker {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _snapshot: &PollSnapshot) -> Poll<Option<()>> {
        let mut due = false;
        if let Some((bell, rung)) = &mut self.bell
            && rung.as_mut().poll(cx).is_ready()
        {
            // Listens for the next ring (polling registers this task's waker).
            *rung = Box::pin(Arc::clone(&bell.0).notified_owned());
            let _ = rung.as_mut().poll(cx);
            due = true;
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.sleep.as_mut().reset(tokio::time::Instant::now() + self.every);
            // Registers this task's waker for the next tick.
            let _ = self.sleep.as_mut().poll(cx);
            due = true;
        }
        if due { Poll::Ready(Some(())) } else { Poll::Pending }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        sync::atomic::{AtomicUsize, Ordering},
        task::Wake,
    };

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_ticker_wakes_the_worker_after_every_tick_without_being_polled_in_between() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = std::task::Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let mut ticker = Ticker::new(Duration::from_millis(50));
        let snapshot = PollSnapshot::default();

        assert!(ticker.poll_drive(&mut cx, &snapshot).is_pending());
        for tick in 1..=3 {
            tokio::time::advance(Duration::from_millis(50)).await;
            tokio::task::yield_now().await;
            // The timer woke us; polling it is the only poll of this round (a fetch that
            // completes in the same poll registers nothing else).
            assert_eq!(counter.0.load(Ordering::SeqCst), tick, "woken for tick {tick}");
            assert_eq!(ticker.poll_drive(&mut cx, &snapshot), Poll::Ready(Some(())));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn ringing_the_bell_wakes_the_worker_before_its_tick_every_time() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = std::task::Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        let bell = Bell::default();
        let mut ticker = Ticker::new(Duration::from_secs(60)).or_when_rung(&bell);
        let snapshot = PollSnapshot::default();

        assert!(ticker.poll_drive(&mut cx, &snapshot).is_pending());
        for ring in 1..=3 {
            bell.ring();
            assert_eq!(counter.0.load(Ordering::SeqCst), ring, "woken by ring {ring}");
            assert_eq!(ticker.poll_drive(&mut cx, &snapshot), Poll::Ready(Some(())));
            // Nothing more is due until the next ring (or the tick, a minute away).
            assert!(ticker.poll_drive(&mut cx, &snapshot).is_pending());
        }
        // Rung twice before the worker looks again: it looks.
        bell.ring();
        bell.ring();
        assert_eq!(ticker.poll_drive(&mut cx, &snapshot), Poll::Ready(Some(())));
    }
}
