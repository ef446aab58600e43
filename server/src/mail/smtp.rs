//! Mail over SMTP (lettre): `SMTP_URL` such as `smtp://host:25`, `smtp://host:587?tls=required`
//! or `smtps://user:pass@host:465`.

use super::{Mail, Mailer};
use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
};
use std::time::Duration;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .with_context(|| {
                format!("SMTP_URL is not an SMTP URL: {}", crate::platform::secret::redacted_url(url))
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self { transport, from: super::parse_from(from)? })
    }

    /// The MIME message: text and HTML alternatives, the HTML with its inline images.
    fn message(&self, id: &str, mail: &Mail) -> anyhow::Result<Message> {
        let to: Mailbox = mail.to.parse().with_context(|| format!("not a mail address: {:?}", mail.to))?;
        let domain = self.from.email.domain().to_owned();
        let mut html = MultiPart::related().singlepart(SinglePart::html(mail.html.clone()));
        for image in &mail.images {
            let png = STANDARD.decode(&image.png_base64).context("an inline image is not base64")?;
            html = html.singlepart(
                Attachment::new_inline(image.content_id.clone()).body(png, ContentType::parse("image/png")?),
            );
        }
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(format!("<{id}@{domain}>")))
            .multipart(
                MultiPart::alternative().singlepart(SinglePart::plain(mail.text.clone())).multipart(html),
            )
            .context("cannot build the mail")
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, id: &str, mail: &Mail) -> anyhow::Result<()> {
        let message = self.message(id, mail)?;
        self.transport.send(message).await.context("the SMTP server did not take the mail")?;
        Ok(())
    }
}
