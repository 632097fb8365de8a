//! The notifier port: what the dispatcher hands to a delivery adapter and what it gets back. The
//! adapters (SMTP, SMS and IM providers) live in `yingke-notify`; only the server names them.

use async_trait::async_trait;
use serde_json::Value;

/// One delivery to send, with its channel's configuration and opened secrets.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub delivery_id: i64,
    /// Stable across retries: providers that take one dedupe on it (SMS `OutId`, e-mail Message-ID).
    pub idempotency_key: &'a str,
    /// Channel kind: `smtp`, `aliyun_sms`, `tencent_sms`, `http_sms`, `wecom_robot`,
    /// `dingtalk_robot`, `feishu_bot`, `wecom_app`; `web_push` for an agent's browser (`to` is
    /// the subscription as JSON, `secrets.vapid_pkcs8` the server's key).
    pub kind: &'a str,
    pub config: &'a Value,
    pub secrets: &'a Value,
    /// E-mail address, phone number (E.164 or mainland 11 digits), WeCom user id; empty for a
    /// group robot.
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    /// Template variables by name, for SMS providers whose templates are registered with them.
    pub vars: &'a Value,
    /// Links the e-mail carries.
    pub links: Links<'a>,
    /// The host part for Message-IDs and the thread root (`ticket-12@host`).
    pub mail_domain: &'a str,
    /// Groups notices of one ticket into one thread.
    pub thread_key: Option<&'a str>,
    /// Files an e-mail carries as attachments (other media ignore them).
    pub files: &'a [MailFile],
}

/// A file attached to an e-mail notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    pub name: String,
    /// As stored with the upload (checked against its content then).
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// Links an e-mail notice carries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Links<'a> {
    pub ticket_page: Option<&'a str>,
    /// For an agent: where the notice leads in the workspace (a ticket, a conversation, the inbox).
    pub workspace: Option<&'a str>,
    pub unsubscribe: Option<&'a str>,
    pub open_pixel: Option<&'a str>,
    /// Where the provider posts delivery receipts for this channel.
    pub receipts: Option<&'a str>,
}

/// A provider took the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub provider_id: Option<String>,
    pub response: String,
    /// The provider's answer confirms delivery (an IM robot's `errcode 0`, the SMTP server's
    /// 250); otherwise a receipt is awaited.
    pub confirmed: bool,
}

/// A provider refused or could not be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    pub response: Option<String>,
    /// Worth trying again on the same channel (a timeout, a 5xx, throttling); otherwise fail over.
    pub retryable: bool,
    /// The address no longer exists (a browser unsubscribed from web push): forget it.
    pub gone: bool,
}

impl SendError {
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            response: None,
            retryable: false,
            gone: false,
        }
    }
}

#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    async fn send(&self, out: &Outgoing<'_>) -> Result<Sent, SendError>;

    /// A new web push (VAPID) key: its PKCS#8 document. `None` when these adapters cannot push.
    fn new_push_key(&self) -> Option<Vec<u8>> {
        None
    }

    /// The public key (base64url, as browsers take it) of a stored VAPID key.
    fn push_public_key(&self, _pkcs8: &[u8]) -> Option<String> {
        None
    }
}

/// No adapters: every external send fails over (in-app notices still work).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoNotifier;

#[async_trait]
impl Notifier for NoNotifier {
    async fn send(&self, out: &Outgoing<'_>) -> Result<Sent, SendError> {
        Err(SendError::permanent(format!(
            "no delivery adapter for {} in this build",
            out.kind
        )))
    }
}
