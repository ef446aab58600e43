//! Requests operators can follow: every request gets an id (`X-Request-Id`: the load
//! balancer's when it comes from a trusted proxy, else a new one), answered in the same
//! header and carried by a `request` span, so every log line the request causes names it;
//! the jobs it sends carry it to the worker ([`request_id`]);
//! one access-log line at INFO when the answer starts (method, route pattern, status,
//! latency, request id, user id when signed in); and its count and duration in `/metrics`.

use crate::{
    platform::{metrics::Metrics, net::Cidr, request_id},
    web::caching,
};
use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::Response,
};
use std::{net::SocketAddr, sync::Arc, time::Instant};
use tracing::Instrument;

/// The header that carries a request's id.
pub const REQUEST_ID: &str = "x-request-id";

/// What the access layer needs: the metrics it counts in and the proxies whose request ids
/// it takes.
#[derive(Clone)]
pub struct Access {
    pub metrics: Arc<Metrics>,
    pub trusted_proxies: Arc<Vec<Cidr>>,
}

/// The signed-in user of a request, left in its response for the access log.
#[derive(Clone, Debug)]
pub struct ServedUser(pub String);

/// An id a proxy may hand us: short, and only characters that are safe in a log line.
fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// The request's id: the trusted proxy's, or a new one.
fn request_id(headers: &HeaderMap, peer: Option<SocketAddr>, trusted: &[Cidr]) -> String {
    let from_proxy = peer.is_some_and(|peer| trusted.iter().any(|cidr| cidr.contains(peer.ip())));
    headers
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| from_proxy && acceptable(id))
        .map_or_else(|| uuid::Uuid::now_v7().simple().to_string(), str::to_owned)
}

/// The method as a metric and log label: the standard ones by name, anything made up as
/// `OTHER`, so a client cannot grow a new series per request.
pub fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "OTHER",
    }
}

/// The route as a log and metric label: the pattern, not the path (`/api/v1/orders/{id}`),
/// `static` for the site's files and `unmatched` for anything else, so the values are a
/// bounded set.
fn route_of(request: &Request) -> String {
    match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None if caching::is_site_file(request.uri().path()) => "static".to_owned(),
        None => "unmatched".to_owned(),
    }
}

/// Ids, logs and counts every request (see the module's words).
pub async fn follow(State(access): State<Access>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = route_of(&request);
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0);
    let id = request_id(request.headers(), peer, &access.trusted_proxies);
    let span = tracing::info_span!("request", request.id = %id, %method, %route);
    let mut response = request_id::scope(Some(id.clone()), next.run(request)).instrument(span.clone()).await;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let user = response.extensions().get::<ServedUser>().map(|user| user.0.clone());
    span.in_scope(|| {
        tracing::info!(
            request.id = %id,
            method,
            route = %route,
            status,
            latency_ms = latency.as_secs_f64() * 1000.0,
            user.id = user.as_deref().unwrap_or("-"),
            "request"
        );
    });
    access.metrics.http_request(method, &route, status, latency);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_id(id: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_str(id).expect("header"));
        headers
    }

    #[test]
    fn only_a_trusted_proxys_well_formed_id_is_taken() {
        let trusted = [Cidr::parse("10.0.0.0/8").expect("cidr")];
        let proxy: SocketAddr = "10.1.2.3:4000".parse().expect("addr");
        let stranger: SocketAddr = "203.0.113.9:4000".parse().expect("addr");
        assert_eq!(request_id(&with_id("lb-123"), Some(proxy), &trusted), "lb-123");
        assert_ne!(request_id(&with_id("lb-123"), Some(stranger), &trusted), "lb-123");
        assert_ne!(request_id(&with_id("bad id"), Some(proxy), &trusted), "bad id");
        let made = request_id(&HeaderMap::new(), Some(proxy), &trusted);
        assert_eq!(made.len(), 32, "{made}");
        assert_ne!(made, request_id(&HeaderMap::new(), Some(proxy), &trusted), "a new id each time");
    }

    #[test]
    fn made_up_methods_are_other() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").expect("method")), "OTHER");
    }
}
