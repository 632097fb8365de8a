//! E-mail over SMTP: a text part and a mobile-friendly HTML part, files as attachments, a button
//! to the customer's ticket page, the one-click "不再提醒" link (also as `List-Unsubscribe` with
//! `List-Unsubscribe-Post`, RFC 8058), an open pixel, and threading headers so every notice of one
//! ticket lands in one conversation in the customer's mail client.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Attachment, Mailbox, MultiPart, SinglePart,
        header::{ContentType, HeaderName, HeaderValue},
    },
    transport::smtp::authentication::Credentials,
};
use yingke_app::notifier::{Outgoing, SendError, Sent};

fn conf<'a>(out: &'a Outgoing<'_>, key: &str) -> &'a str {
    out.config.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

/// HTML-escapes text (notices are plain text; nothing in them is markup).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The message id of a delivery: stable across retries, so a receiving server (and the tests)
/// can tell a re-send from a new notice.
pub fn message_id(out: &Outgoing<'_>) -> String {
    let local: String = out
        .idempotency_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("<{local}@{}>", out.mail_domain)
}

/// The text part: the notice, then its links spelled out.
pub fn text_part(out: &Outgoing<'_>) -> String {
    let mut t = out.text.to_owned();
    if let Some(l) = out.links.ticket_page {
        t.push_str(&format!("\n\n查看工单 / View ticket: {l}"));
    }
    if let Some(l) = out.links.workspace {
        t.push_str(&format!("\n\n打开迎客 / Open Yingke: {l}"));
    }
    if let Some(l) = out.links.unsubscribe {
        t.push_str(&format!("\n不再提醒 / Stop these notices: {l}"));
    }
    t
}

/// The HTML part: one column, readable on a phone, no external resources but the pixel.
pub fn html_part(out: &Outgoing<'_>) -> String {
    let body: String = out
        .text
        .split('\n')
        .map(|line| format!("<p style=\"margin:0 0 12px\">{}</p>", escape(line)))
        .collect();
    let button = |href: &str, label: &str| {
        format!(
            "<p style=\"margin:20px 0\"><a href=\"{}\" style=\"display:inline-block;background:#1677ff;color:#fff;text-decoration:none;padding:10px 18px;border-radius:6px\">{label}</a></p>",
            escape(href)
        )
    };
    let button = match (out.links.ticket_page, out.links.workspace) {
        (Some(l), _) => button(l, "查看工单进度 / View ticket"),
        (None, Some(l)) => button(l, "打开迎客 / Open Yingke"),
        (None, None) => String::new(),
    };
    let footer = out.links.unsubscribe.map_or(String::new(), |l| {
        format!(
            "<p style=\"margin-top:24px;font-size:12px;color:#888\"><a href=\"{}\" style=\"color:#888\">不再提醒 / Stop these notices</a></p>",
            escape(l)
        )
    });
    let pixel = out.links.open_pixel.map_or(String::new(), |l| {
        format!(
            "<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block\">",
            escape(l)
        )
    });
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title></head>\
<body style=\"margin:0;padding:0;background:#f5f5f5\"><div style=\"max-width:560px;margin:0 auto;padding:24px 16px;font-family:-apple-system,'PingFang SC','Microsoft YaHei',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.6;color:#222;background:#fff\">\
<h1 style=\"font-size:18px;margin:0 0 16px\">{title}</h1>{body}{button}{footer}</div>{pixel}</body></html>",
        title = escape(out.subject),
    )
}

fn invalid(what: &str, e: impl std::fmt::Display) -> SendError {
    SendError::permanent(format!("{what}: {e}"))
}

/// Builds the message (public for tests of its shape).
pub fn build(out: &Outgoing<'_>) -> Result<Message, SendError> {
    let from_addr = conf(out, "from_address")
        .parse()
        .map_err(|e| invalid("from_address", e))?;
    let from_name = conf(out, "from_name");
    let from = Mailbox::new(
        (!from_name.is_empty()).then(|| from_name.to_owned()),
        from_addr,
    );
    let to: Mailbox = out
        .to
        .parse()
        .map_err(|e| invalid("recipient address", e))?;
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(out.subject)
        .message_id(Some(message_id(out)));
    let reply_to = conf(out, "reply_to");
    if !reply_to.is_empty() {
        b = b.reply_to(reply_to.parse().map_err(|e| invalid("reply_to", e))?);
    }
    if let Some(thread) = out.thread_key {
        let root = format!("<{thread}@{}>", out.mail_domain);
        b = b.in_reply_to(root.clone()).references(root);
    }
    if let Some(l) = out.links.unsubscribe {
        b = b
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{l}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(text_part(out)),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html_part(out)),
        );
    if out.files.is_empty() {
        return b.multipart(body).map_err(|e| invalid("message", e));
    }
    // With files: multipart/mixed, the readable alternative first, then each file.
    let mut mixed = MultiPart::mixed().multipart(body);
    for f in out.files {
        let kind = ContentType::parse(&f.mime)
            .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
        mixed = mixed.singlepart(Attachment::new(f.name.clone()).body(f.bytes.clone(), kind));
    }
    b.multipart(mixed).map_err(|e| invalid("message", e))
}

pub async fn send(out: &Outgoing<'_>) -> Result<Sent, SendError> {
    let msg = build(out)?;
    let host = conf(out, "host");
    let port = out
        .config
        .get("port")
        .and_then(|v| v.as_u64())
        .unwrap_or(25) as u16;
    let builder = match conf(out, "security") {
        "tls" => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| invalid("host", e))?
        }
        "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| invalid("host", e))?,
        _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
    };
    let mut builder = builder.port(port).timeout(Some(Duration::from_secs(10)));
    let user = out
        .secrets
        .get("username")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    if !user.is_empty() {
        let pass = out
            .secrets
            .get("password")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        builder = builder.credentials(Credentials::new(user.to_owned(), pass.to_owned()));
    }
    let transport = builder.build();
    match transport.send(msg).await {
        Ok(r) => Ok(Sent {
            provider_id: Some(message_id(out)),
            response: format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")),
            confirmed: true,
        }),
        Err(e) => Err(SendError {
            message: format!("SMTP: {e}"),
            response: None,
            // 5xx is permanent (bad address, policy); connection problems and 4xx are not.
            retryable: !e.is_permanent(),
            gone: false,
        }),
    }
}
