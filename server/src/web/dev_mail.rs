//! `/dev/mail`: the mail outbox, for development (never served with `LTD_ENV=production`;
//! to admins only unless the server listens on a loopback address).
//!
//! `/dev/mail` lists the newest mails, `/dev/mail/{id}` shows one as its recipient would
//! see it (inline images included), `/dev/mail.json` lists them for scripts.

use crate::mail::{Mailer, OutboxMessage, templates::escape_html as escape};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use std::sync::Arc;

/// How many mails the lists show.
const LIMIT: i64 = 100;

pub fn routes(mailer: Arc<dyn Mailer>) -> Router {
    Router::new()
        .route("/dev/mail", get(list))
        .route("/dev/mail.json", get(list_json))
        .route("/dev/mail/{id}", get(show))
        .with_state(mailer)
}

async fn recent(mailer: &Arc<dyn Mailer>) -> Result<Vec<OutboxMessage>, Response> {
    let Some(outbox) = mailer.outbox() else {
        return Err((StatusCode::NOT_FOUND, "mail goes out over SMTP: there is no outbox").into_response());
    };
    outbox.recent(LIMIT).await.map_err(|error| {
        tracing::error!(error = %format!("{error:#}"), "cannot read the outbox");
        (StatusCode::SERVICE_UNAVAILABLE, "cannot read the outbox").into_response()
    })
}

async fn list_json(State(mailer): State<Arc<dyn Mailer>>) -> Response {
    match recent(&mailer).await {
        Ok(mails) => Json(mails).into_response(),
        Err(response) => response,
    }
}

async fn list(State(mailer): State<Arc<dyn Mailer>>) -> Response {
    let mails = match recent(&mailer).await {
        Ok(mails) => mails,
        Err(response) => return response,
    };
    let rows: String = mails
        .iter()
        .map(|mail| {
            format!(
                r#"<tr><td>{}</td><td>{}</td><td><a href="/dev/mail/{}">{}</a></td></tr>"#,
                when(mail.sent_at),
                escape(&mail.to),
                escape(&mail.id),
                escape(&mail.subject)
            )
        })
        .collect();
    let body = if mails.is_empty() {
        "<p>No mail yet.</p>".to_owned()
    } else {
        format!(
            "<table><thead><tr><th>Sent</th><th>To</th><th>Subject</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    page("Mail outbox", &format!("<h1>Mail outbox</h1><p>The newest {LIMIT} mails the app sent.</p>{body}"))
}

async fn show(State(mailer): State<Arc<dyn Mailer>>, Path(id): Path<String>) -> Response {
    let Some(outbox) = mailer.outbox() else {
        return (StatusCode::NOT_FOUND, "mail goes out over SMTP: there is no outbox").into_response();
    };
    let mail = match outbox.get(&id).await {
        Ok(Some(mail)) => mail,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such mail").into_response(),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "cannot read the outbox");
            return (StatusCode::SERVICE_UNAVAILABLE, "cannot read the outbox").into_response();
        }
    };
    // The HTML part as a mail client shows it: its inline images resolved.
    let mut html = mail.html.clone();
    for image in &mail.images {
        html = html.replace(
            &format!("cid:{}", image.content_id),
            &format!("data:image/png;base64,{}", image.png_base64),
        );
    }
    let body = format!(
        r#"<p><a href="/dev/mail">← All mail</a></p>
<dl><dt>To</dt><dd class="to">{to}</dd><dt>Subject</dt><dd class="subject">{subject}</dd><dt>Sent</dt><dd>{sent}</dd></dl>
<h2>HTML</h2><iframe title="HTML part" sandbox="" srcdoc="{html}" style="width:100%;height:480px;border:1px solid #ccc"></iframe>
<h2>Text</h2><pre class="text">{text}</pre>"#,
        to = escape(&mail.to),
        subject = escape(&mail.subject),
        sent = when(mail.sent_at),
        html = escape(&html),
        text = escape(&mail.text),
    );
    page(&mail.subject, &body)
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{} · dev mail</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}td,th{{text-align:left;padding:.3rem .6rem}}pre{{white-space:pre-wrap;background:#f4f4f4;padding:1rem}}</style>
</head><body>{body}</body></html>"#,
        escape(title)
    );
    // The HTML part is shown in a sandboxed frame; nothing here runs scripts.
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-src 'self'",
        )],
        Html(html),
    )
        .into_response()
}

fn when(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
