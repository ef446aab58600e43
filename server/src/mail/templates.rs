//! The mails, as text and HTML, from the templates in `server/templates/mail/`.
//!
//! A template names its values `{{name}}`; values are HTML-escaped in the HTML part.

use super::{InlineImage, Mail};
use app::domain::{Colour, Shape};

/// One mail's templates.
struct Template {
    text: &'static str,
    html: &'static str,
}

macro_rules! template {
    ($name:literal) => {
        Template {
            text: include_str!(concat!("../../templates/mail/", $name, ".txt")),
            html: include_str!(concat!("../../templates/mail/", $name, ".html")),
        }
    };
}

const LAYOUT: &str = include_str!("../../templates/mail/layout.html");
const PICTURE_READY: Template = template!("picture_ready");
const PAYMENT_FAILED: Template = template!("payment_failed");
const CHECKOUT_EXPIRED: Template = template!("checkout_expired");
const DRAW_FAILED: Template = template!("draw_failed");
const REFUNDED: Template = template!("refunded");
const REFUNDED_BY_SHOP: Template = template!("refunded_by_shop");
const FAILURE_ALERT: Template = template!("failure_alert");
const VERIFY_EMAIL: Template = template!("verify_email");
const RESET_PASSWORD: Template = template!("reset_password");
const CHANGE_EMAIL: Template = template!("change_email");
const SIGN_UP_TAKEN: Template = template!("sign_up_taken");

/// The content id of the thumbnail in the "picture ready" mail.
pub const THUMBNAIL_CID: &str = "thumbnail";

/// What a mail about an order says about it.
pub struct OrderFacts<'a> {
    pub id: &'a str,
    pub shape: Shape,
    pub colour: &'a Colour,
}

/// What was paid for an order, for the receipt line of its "picture ready" mail.
pub struct Paid {
    /// E.g. `$5.00`.
    pub amount: String,
    /// E.g. `2026-12-03 18:20 UTC`.
    pub on: String,
}

/// One failed drawing, or one mail that could not be sent, in an alert mail.
pub struct AlertLine {
    /// The order that could not be drawn; for a mail, its id.
    pub order_id: String,
    /// A mail rather than a drawing.
    pub mail: bool,
    /// E.g. "circle in red, paid 3.00 USD".
    pub what: String,
    pub error: String,
    /// RFC 3339, UTC.
    pub failed_at: String,
}

/// Builds the product's mails, with links to the site at `site_url`.
#[derive(Clone)]
pub struct Templates {
    site_url: String,
}

impl Templates {
    pub fn new(site_url: &str) -> Self {
        Self { site_url: site_url.trim_end_matches('/').to_owned() }
    }

    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    fn order_url(&self, id: &str) -> String {
        format!("{}/orders/{id}", self.site_url)
    }

    /// The picture is drawn: a link to the order page and a thumbnail (PNG), if there is one.
    pub fn picture_ready(
        &self,
        to: &str,
        order: &OrderFacts<'_>,
        thumbnail_png_base64: Option<String>,
        paid: Option<&Paid>,
    ) -> Mail {
        let order_url = self.order_url(order.id);
        let receipt = paid.map_or_else(String::new, |paid| {
            format!(" You paid {} on {}; this mail is your receipt.", paid.amount, paid.on)
        });
        let values = [
            ("shape", order.shape.display_name().to_lowercase()),
            ("color", order.colour.as_css().to_owned()),
            ("order_url", order_url),
            ("thumbnail_cid", THUMBNAIL_CID.to_owned()),
            ("receipt", receipt),
        ];
        let mut mail = self.mail(to, "Your picture is ready", &PICTURE_READY, &values);
        match thumbnail_png_base64 {
            Some(png_base64) => {
                mail.images.push(InlineImage { content_id: THUMBNAIL_CID.into(), png_base64 })
            }
            // Without a thumbnail, drop the image rather than show a broken one.
            None => mail.html = drop_images(&mail.html),
        }
        mail
    }

    /// A delayed payment failed: nothing is drawn.
    pub fn payment_failed(&self, to: &str, order: &OrderFacts<'_>) -> Mail {
        self.mail(to, "Your payment did not go through", &PAYMENT_FAILED, &self.order_values(order))
    }

    /// The checkout session expired unpaid.
    pub fn checkout_expired(&self, to: &str, order: &OrderFacts<'_>) -> Mail {
        self.mail(to, "Your checkout expired", &CHECKOUT_EXPIRED, &self.order_values(order))
    }

    /// The artist could not draw the order.
    pub fn draw_failed(&self, to: &str, order: &OrderFacts<'_>, reason: &str) -> Mail {
        let mut values = self.order_values(order);
        values.push(("reason", reason.to_owned()));
        self.mail(to, "We could not draw your picture", &DRAW_FAILED, &values)
    }

    /// A paid order could not be drawn and its payment was refunded.
    pub fn refunded(&self, to: &str, order: &OrderFacts<'_>, reason: &str, amount: &str) -> Mail {
        let mut values = self.order_values(order);
        values.push(("reason", reason.to_owned()));
        values.push(("amount", amount.to_owned()));
        self.mail(to, "We could not draw your picture: your payment is refunded", &REFUNDED, &values)
    }

    /// A paid order that was drawn, refunded by the shop; `points_note` tells what became
    /// of the points it earned (empty when it earned none).
    pub fn refunded_by_shop(
        &self,
        to: &str,
        order: &OrderFacts<'_>,
        amount: &str,
        points_note: &str,
    ) -> Mail {
        let mut values = self.order_values(order);
        values.push(("amount", amount.to_owned()));
        values.push(("points_note", points_note.to_owned()));
        self.mail(to, "Your payment is refunded", &REFUNDED_BY_SHOP, &values)
    }

    /// The operators' alert: drawings and mails that failed for good, at most one mail per
    /// `window`.
    pub fn failure_alert(&self, to: &str, failures: &[AlertLine], window: &str) -> Mail {
        let count = failures.len();
        let mails = failures.iter().filter(|line| line.mail).count();
        let failed = match (count - mails, mails) {
            (drawings, 0) => format!("{drawings} drawing(s)"),
            (0, mails) => format!("{mails} mail(s)"),
            (drawings, mails) => format!("{drawings} drawing(s) and {mails} mail(s)"),
        };
        let subject = format!("Let Them Draw: {failed} failed");
        let values = [
            ("failed", failed),
            ("failures_url", format!("{}/admin/failures", self.site_url)),
            ("window", window.to_owned()),
        ];
        let mut mail = self.mail(to, &subject, &FAILURE_ALERT, &values);
        let mut text = String::new();
        let mut html = String::from("<ul>");
        for line in failures {
            if line.mail {
                text.push_str(&format!(
                    "- {} at {}\n  mail {}\n  error: {}\n\n",
                    line.what, line.failed_at, line.order_id, line.error
                ));
                html.push_str(&format!(
                    "<li><strong>{}</strong> at {}<br>mail <code>{}</code><br><span style=\"color:#a61e4d\">{}</span></li>",
                    escape_html(&line.what),
                    escape_html(&line.failed_at),
                    escape_html(&line.order_id),
                    escape_html(&line.error)
                ));
                continue;
            }
            let order_url = self.order_url(&line.order_id);
            text.push_str(&format!(
                "- {} ({}) at {}\n  order {} {}\n  error: {}\n\n",
                line.what, line.order_id, line.failed_at, line.order_id, order_url, line.error
            ));
            html.push_str(&format!(
                "<li><strong>{}</strong> at {}<br>order <code>{}</code><br><span style=\"color:#a61e4d\">{}</span></li>",
                escape_html(&line.what),
                escape_html(&line.failed_at),
                escape_html(&line.order_id),
                escape_html(&line.error)
            ));
        }
        html.push_str("</ul>");
        // The lists are built here (the HTML one escaped item by item), then spliced in.
        mail.text = mail.text.replace("{{list_text}}", &text);
        mail.html = mail.html.replace("{{list_html}}", &html);
        mail
    }

    /// A local account's e-mail verification link, valid `hours`.
    pub fn verify_email(&self, to: &str, code: &str, hours: u32) -> Mail {
        let link = self.account_link("/accounts/confirm", to, code);
        let values = [("email", to.to_owned()), ("link", link), ("hours", hours.to_string())];
        self.mail(to, "Confirm your e-mail address", &VERIFY_EMAIL, &values)
    }

    /// A local account's password reset link, valid `hours`.
    pub fn reset_password(&self, to: &str, code: &str, hours: u32) -> Mail {
        let link = self.account_link("/accounts/reset", to, code);
        let values = [("email", to.to_owned()), ("link", link), ("hours", hours.to_string())];
        self.mail(to, "Reset your password", &RESET_PASSWORD, &values)
    }

    /// The code that moves an account to the address `to`, valid `hours`: a link to the
    /// account page, opened while signed in.
    pub fn change_email(&self, to: &str, code: &str, hours: u32) -> Mail {
        let link = format!(
            "{}/account?{}",
            self.site_url,
            url::form_urlencoded::Serializer::new(String::new()).append_pair("code", code).finish()
        );
        let values = [("email", to.to_owned()), ("link", link), ("hours", hours.to_string())];
        self.mail(to, "Confirm your new e-mail address", &CHANGE_EMAIL, &values)
    }

    /// Tells the owner of `to` that someone tried to sign up with it, with the ways in.
    pub fn sign_up_taken(&self, to: &str) -> Mail {
        let with_email = |path: &str| {
            let query: String =
                url::form_urlencoded::Serializer::new(String::new()).append_pair("email", to).finish();
            format!("{}{path}?{query}", self.site_url)
        };
        let values = [
            ("email", to.to_owned()),
            ("signin_link", with_email("/signin")),
            ("reset_link", with_email("/accounts/forgot")),
        ];
        self.mail(to, "Someone tried to sign up with your address", &SIGN_UP_TAKEN, &values)
    }

    fn account_link(&self, path: &str, email: &str, code: &str) -> String {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email)
            .append_pair("code", code)
            .finish();
        format!("{}{path}?{query}", self.site_url)
    }

    fn order_values(&self, order: &OrderFacts<'_>) -> Vec<(&'static str, String)> {
        vec![
            ("shape", order.shape.display_name().to_lowercase()),
            ("color", order.colour.as_css().to_owned()),
            ("order_url", self.order_url(order.id)),
            ("new_order_url", format!("{}/orders/new?shape={}", self.site_url, order.shape.name())),
        ]
    }

    fn mail(&self, to: &str, subject: &str, template: &Template, values: &[(&str, String)]) -> Mail {
        let body = fill(template.html, values, escape_html);
        let page = fill(
            LAYOUT,
            &[("subject", subject.to_owned()), ("site_url", self.site_url.clone())],
            escape_html,
        );
        Mail {
            to: to.to_owned(),
            subject: subject.to_owned(),
            text: fill(template.text, values, str::to_owned),
            // The body is HTML already: spliced in after the layout's own values are filled.
            html: page.replace("{{body}}", &body),
            images: Vec::new(),
        }
    }
}

/// Replaces every `{{name}}` by its value, passed through `escape`.
fn fill(template: &str, values: &[(&str, String)], escape: fn(&str) -> String) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{{{name}}}}}"), &escape(value));
    }
    out
}

/// `value` safe to put in HTML text and attribute values.
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The HTML without its `<img>` elements.
fn drop_images(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<img ") {
        out.push_str(&rest[..start]);
        match rest[start..].find('>') {
            Some(end) => rest = &rest[start + end + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(colour: &Colour) -> OrderFacts<'_> {
        OrderFacts { id: "0190-abc", shape: Shape::HypnoticSquares, colour }
    }

    fn every_mail() -> Vec<Mail> {
        let templates = Templates::new("https://draw.example/");
        let colour = Colour::parse("rebeccapurple").expect("a colour");
        let order = facts(&colour);
        vec![
            templates.picture_ready("a@example.com", &order, Some("iVBORw0KGgo=".into()), None),
            templates.picture_ready("a@example.com", &order, None, None),
            templates.payment_failed("a@example.com", &order),
            templates.checkout_expired("a@example.com", &order),
            templates.draw_failed("a@example.com", &order, "the artist could not draw it"),
            templates.refunded("a@example.com", &order, "storage down", "$3.00"),
            templates.failure_alert(
                "ops@example.com",
                &[AlertLine {
                    mail: false,
                    order_id: "0190-abc".into(),
                    what: "circle in <red>".into(),
                    error: "storage down".into(),
                    failed_at: "2026-11-22T10:00:00Z".into(),
                }],
                "15 minutes",
            ),
            templates.verify_email("a+b@example.com", "c0de", 48),
            templates.reset_password("a+b@example.com", "c0de", 1),
        ]
    }

    #[test]
    fn every_placeholder_is_filled_in_both_parts() {
        for mail in every_mail() {
            assert!(!mail.text.contains("{{"), "{}: {}", mail.subject, mail.text);
            assert!(!mail.html.contains("{{"), "{}: {}", mail.subject, mail.html);
            assert!(mail.html.contains(&format!("<title>{}</title>", mail.subject)));
        }
    }

    #[test]
    fn the_ready_mail_links_the_order_page_and_shows_the_thumbnail_inline() {
        let mail = &every_mail()[0];
        assert_eq!(mail.subject, "Your picture is ready");
        assert!(mail.text.contains("https://draw.example/orders/0190-abc"));
        assert!(mail.text.contains("hypnotic squares in rebeccapurple"));
        assert!(mail.html.contains(r#"href="https://draw.example/orders/0190-abc""#));
        assert!(mail.html.contains(r#"src="cid:thumbnail""#));
        assert_eq!(mail.images.len(), 1);
        let without = &every_mail()[1];
        assert!(!without.html.contains("<img"), "no broken image without a thumbnail");
        assert!(without.images.is_empty());
    }

    #[test]
    fn values_are_escaped_in_html_but_not_in_text() {
        let templates = Templates::new("http://127.0.0.1:3000");
        let colour = Colour::parse("red").expect("a colour");
        let mail = templates.draw_failed("a@example.com", &facts(&colour), "<script>x</script> & more");
        assert!(mail.html.contains("&lt;script&gt;x&lt;/script&gt; &amp; more"));
        assert!(mail.text.contains("<script>x</script> & more"));
    }

    #[test]
    fn the_alert_lists_each_failure_escaped_in_html() {
        let alert = &every_mail()[6];
        assert_eq!(alert.to, "ops@example.com");
        assert_eq!(alert.subject, "Let Them Draw: 1 drawing(s) failed");
        assert!(alert.text.contains("circle in <red> (0190-abc)"));
        assert!(alert.text.contains("https://draw.example/admin/failures"));
        assert!(alert.html.contains("circle in &lt;red&gt;"));
        assert!(!alert.html.contains("<red>"));
    }

    #[test]
    fn account_links_carry_the_email_and_code_url_encoded() {
        let mail = &every_mail()[7];
        assert!(
            mail.text.contains("https://draw.example/accounts/confirm?email=a%2Bb%40example.com&code=c0de")
        );
        let reset = &every_mail()[8];
        assert!(
            reset.text.contains("https://draw.example/accounts/reset?email=a%2Bb%40example.com&code=c0de")
        );
        assert!(reset.html.contains("accounts/reset?email=a%2Bb%40example.com&amp;code=c0de"));
    }
}
