//! Process metrics in Prometheus' text format, at `/metrics`.
//!
//! Counters and the histogram are this process's own (Prometheus adds up the instances);
//! orders by status are read from the database at scrape time, so they are the
//! deployment's.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{
        Mutex,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};

/// Upper bounds of the render duration buckets, in seconds.
const RENDER_BUCKETS: [f64; 10] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0];

/// Upper bounds of the request duration buckets, in seconds.
const REQUEST_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// One route and status's request durations: cumulative counts per bucket of
/// [`REQUEST_BUCKETS`], then the count and sum (µs).
#[derive(Default)]
struct Durations {
    buckets: [u64; REQUEST_BUCKETS.len()],
    count: u64,
    micros: u64,
}

/// The jobs of one queue: waiting, and being worked on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Depth {
    pub pending: i64,
    pub running: i64,
}

#[derive(Default)]
pub struct Metrics {
    draws_started: AtomicU64,
    draws_succeeded: AtomicU64,
    draws_failed: AtomicU64,
    draws_retried: AtomicU64,
    orders_requeued: AtomicU64,
    /// Cumulative counts per bucket of [`RENDER_BUCKETS`], then the count and sum (µs).
    render_buckets: [AtomicU64; RENDER_BUCKETS.len()],
    render_count: AtomicU64,
    render_micros: AtomicU64,
    sse_open: AtomicI64,
    webhook_events: Mutex<BTreeMap<(String, String), u64>>,
    http_requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    http_durations: Mutex<BTreeMap<(String, u16), Durations>>,
}

/// What `/metrics` reads besides this struct: the database's and the mail worker's figures.
pub struct Snapshot {
    pub orders_by_status: Vec<(String, i64)>,
    pub mails_sent: u64,
    pub mails_failed: u64,
    /// Jobs per queue (`draw`, `mail`) and state (`pending`, `running`); empty when the
    /// queue did not answer.
    pub queue_depth: Vec<(&'static str, Depth)>,
}

impl Metrics {
    pub fn draw_started(&self) {
        self.draws_started.fetch_add(1, Ordering::Relaxed);
    }

    pub fn draw_succeeded(&self) {
        self.draws_succeeded.fetch_add(1, Ordering::Relaxed);
    }

    pub fn draw_retried(&self) {
        self.draws_retried.fetch_add(1, Ordering::Relaxed);
    }

    pub fn draw_failed(&self) {
        self.draws_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// Orders the watchdog queued again (their job was lost).
    pub fn orders_requeued(&self, count: usize) {
        self.orders_requeued.fetch_add(u64::try_from(count).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub fn rendered_in(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        for (bucket, bound) in self.render_buckets.iter().zip(RENDER_BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.render_count.fetch_add(1, Ordering::Relaxed);
        self.render_micros.fetch_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Counts an open SSE stream until the guard is dropped (the stream ends).
    pub fn sse_stream(self: &std::sync::Arc<Self>) -> SseGuard {
        self.sse_open.fetch_add(1, Ordering::Relaxed);
        SseGuard(self.clone())
    }

    pub fn webhook_event(&self, kind: &str, outcome: &str) {
        let mut events = self.webhook_events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *events.entry((kind.to_owned(), outcome.to_owned())).or_default() += 1;
    }

    /// A request answered with `status` after `took` (until its answer started).
    pub fn http_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut requests = self.http_requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *requests.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
        drop(requests);
        let mut durations = self.http_durations.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = durations.entry((route.to_owned(), status)).or_default();
        let seconds = took.as_secs_f64();
        for (bucket, bound) in entry.buckets.iter_mut().zip(REQUEST_BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        entry.count += 1;
        entry.micros += u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
    }

    /// The text exposition of every metric.
    pub fn render(&self, snapshot: &Snapshot) -> String {
        let mut out = String::new();
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        family(&mut out, "ltd_orders", "gauge", "Orders by status (the whole deployment).");
        for (status, count) in &snapshot.orders_by_status {
            let _ = writeln!(out, "ltd_orders{{status=\"{}\"}} {count}", label(status));
        }
        family(
            &mut out,
            "ltd_queue_depth",
            "gauge",
            "Jobs in the queue by queue and state (the deployment).",
        );
        for (queue, depth) in &snapshot.queue_depth {
            let _ = writeln!(out, "ltd_queue_depth{{queue=\"{queue}\",state=\"pending\"}} {}", depth.pending);
            let _ = writeln!(out, "ltd_queue_depth{{queue=\"{queue}\",state=\"running\"}} {}", depth.running);
        }
        family(&mut out, "ltd_draw_jobs_total", "counter", "Drawing jobs by outcome (this process).");
        for (outcome, counter) in [
            ("started", &self.draws_started),
            ("succeeded", &self.draws_succeeded),
            ("retried", &self.draws_retried),
            ("failed", &self.draws_failed),
        ] {
            let _ = writeln!(out, "ltd_draw_jobs_total{{outcome=\"{outcome}\"}} {}", load(counter));
        }
        family(
            &mut out,
            "ltd_orders_requeued_total",
            "counter",
            "Orders the watchdog queued again after their job made no progress in time (this process).",
        );
        let _ = writeln!(out, "ltd_orders_requeued_total {}", load(&self.orders_requeued));
        family(&mut out, "ltd_render_seconds", "histogram", "Time to rasterise a picture.");
        for (bucket, bound) in self.render_buckets.iter().zip(RENDER_BUCKETS) {
            let _ = writeln!(out, "ltd_render_seconds_bucket{{le=\"{bound}\"}} {}", load(bucket));
        }
        let count = load(&self.render_count);
        let _ = writeln!(out, "ltd_render_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "ltd_render_seconds_sum {}", load(&self.render_micros) as f64 / 1e6);
        let _ = writeln!(out, "ltd_render_seconds_count {count}");
        family(&mut out, "ltd_sse_streams_open", "gauge", "Open server-sent event streams (this process).");
        let _ = writeln!(out, "ltd_sse_streams_open {}", self.sse_open.load(Ordering::Relaxed));
        family(&mut out, "ltd_mails_total", "counter", "Mails sent, and given up after the last attempt.");
        let _ = writeln!(out, "ltd_mails_total{{outcome=\"sent\"}} {}", snapshot.mails_sent);
        let _ = writeln!(out, "ltd_mails_total{{outcome=\"failed\"}} {}", snapshot.mails_failed);
        family(&mut out, "ltd_webhook_events_total", "counter", "Stripe webhook events by type and outcome.");
        for ((kind, outcome), count) in self.webhook_events.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(
                out,
                "ltd_webhook_events_total{{type=\"{}\",outcome=\"{}\"}} {count}",
                label(kind),
                label(outcome)
            );
        }
        family(&mut out, "ltd_http_requests_total", "counter", "HTTP requests by method, route and status.");
        for ((method, route, status), count) in
            self.http_requests.lock().unwrap_or_else(|p| p.into_inner()).iter()
        {
            let _ = writeln!(
                out,
                "ltd_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {count}",
                label(method),
                label(route)
            );
        }
        family(
            &mut out,
            "ltd_http_request_duration_seconds",
            "histogram",
            "Time until the answer starts, by route and status (this process).",
        );
        for ((route, status), durations) in
            self.http_durations.lock().unwrap_or_else(|p| p.into_inner()).iter()
        {
            let labels = format!("route=\"{}\",status=\"{status}\"", label(route));
            for (count, bound) in durations.buckets.iter().zip(REQUEST_BUCKETS) {
                let _ = writeln!(
                    out,
                    "ltd_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let count = durations.count;
            let _ = writeln!(out, "ltd_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            let sum = durations.micros as f64 / 1e6;
            let _ = writeln!(out, "ltd_http_request_duration_seconds_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "ltd_http_request_duration_seconds_count{{{labels}}} {count}");
        }
        out
    }
}

/// Decrements the open SSE streams when dropped.
pub struct SseGuard(std::sync::Arc<Metrics>);

impl Drop for SseGuard {
    fn drop(&mut self) {
        self.0.sse_open.fetch_sub(1, Ordering::Relaxed);
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value, escaped as the text format wants.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_labels_are_escaped() {
        let metrics = Metrics::default();
        metrics.rendered_in(Duration::from_micros(1500));
        metrics.rendered_in(Duration::from_millis(30));
        metrics.webhook_event("weird\"type", "applied");
        metrics.http_request("GET", "/api/v1/shapes", 200, Duration::from_millis(7));
        metrics.http_request("GET", "/api/v1/shapes", 200, Duration::from_millis(300));
        let depth = Depth { pending: 3, running: 1 };
        let text = metrics.render(&Snapshot {
            orders_by_status: vec![],
            mails_sent: 0,
            mails_failed: 0,
            queue_depth: vec![("draw", depth)],
        });
        assert!(text.contains("ltd_queue_depth{queue=\"draw\",state=\"pending\"} 3\n"), "{text}");
        assert!(text.contains("ltd_queue_depth{queue=\"draw\",state=\"running\"} 1\n"));
        assert!(text.contains("ltd_render_seconds_bucket{le=\"0.001\"} 0\n"), "{text}");
        assert!(text.contains("ltd_render_seconds_bucket{le=\"0.002\"} 1\n"));
        assert!(text.contains("ltd_render_seconds_bucket{le=\"0.05\"} 2\n"));
        assert!(text.contains("ltd_render_seconds_bucket{le=\"+Inf\"} 2\n"));
        assert!(text.contains("ltd_render_seconds_count 2\n"));
        assert!(text.contains("ltd_render_seconds_sum 0.0315\n"));
        assert!(text.contains(r#"ltd_webhook_events_total{type="weird\"type",outcome="applied"} 1"#));
        let shapes = r#"route="/api/v1/shapes",status="200""#;
        assert!(
            text.contains(&format!("ltd_http_request_duration_seconds_bucket{{{shapes},le=\"0.005\"}} 0\n"))
        );
        assert!(
            text.contains(&format!("ltd_http_request_duration_seconds_bucket{{{shapes},le=\"0.01\"}} 1\n"))
        );
        assert!(
            text.contains(&format!("ltd_http_request_duration_seconds_bucket{{{shapes},le=\"0.5\"}} 2\n"))
        );
        assert!(text.contains(&format!("ltd_http_request_duration_seconds_count{{{shapes}}} 2\n")), "{text}");
        assert!(text.contains(&format!("ltd_http_request_duration_seconds_sum{{{shapes}}} 0.307\n")));
        assert!(
            text.contains(
                "ltd_http_requests_total{method=\"GET\",route=\"/api/v1/shapes\",status=\"200\"} 2\n"
            )
        );
    }
}
