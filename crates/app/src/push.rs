//! Web push to agents (VAPID): the installation's key (created on first use, sealed, shared by
//! every instance through the database), agents' subscriptions, and the push deliveries an agent
//! notice queues beside its in-app copy. Push deliveries go through the dispatcher like any
//! other: retried when the push service fails, dropped with the subscription when it says the
//! browser unsubscribed.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use serde::Deserialize;
use serde_json::{Value, json};
use yingke_core::{FieldErrors, notify::Medium};
use yingke_store::{Json, Scope, Tx, notify::Delivery, push};

use crate::{
    App, AppError, AppResult, Principal,
    notifier::{Outgoing, SendError, Sent},
};

const VAPID: &str = "vapid";

/// The VAPID key as PKCS#8 and its public half (base64url).
pub(crate) type VapidPair = (Vec<u8>, String);
const VAPID_CONTEXT: &str = "server-key:vapid";

/// A browser's push subscription: its push service URL and keys.
#[derive(Debug, Clone)]
pub struct PushSubscriptionInput {
    pub endpoint: String,
    pub keys: PushKeys,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

/// One of the agent's subscribed browsers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PushDevice {
    pub id: i64,
    pub endpoint: String,
    pub created_at: i64,
}

fn check_subscription(s: &PushSubscriptionInput) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    let url = s.endpoint.trim();
    let host = url
        .split_once("://")
        .map(|(_, r)| r.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    let host_name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let loopback = matches!(host_name, "127.0.0.1" | "localhost" | "[::1]");
    if url.len() > 1000
        || host.is_empty()
        || !(url.starts_with("https://") || (url.starts_with("http://") && loopback))
    {
        e.add("endpoint", "must be the push service's https URL");
    }
    let decoded = |v: &str| B64.decode(v.trim_end_matches('=')).ok();
    match decoded(&s.keys.p256dh) {
        Some(p) if p.len() == 65 && p[0] == 4 => {}
        _ => e.add(
            "keys.p256dh",
            "must be an uncompressed P-256 point, base64url",
        ),
    }
    if decoded(&s.keys.auth).is_none_or(|a| a.len() != 16) {
        e.add("keys.auth", "must be 16 bytes, base64url");
    }
    e.finish()
}

impl App {
    /// The VAPID key (PKCS#8) and its public half; created and stored on first use. `None`
    /// when the adapters cannot push.
    async fn push_key(&self) -> AppResult<Option<VapidPair>> {
        if let Some(k) = self.push_key.get() {
            return Ok(k.clone());
        }
        let sealed = match push::server_key(self.db(), VAPID).await? {
            Some(s) => s,
            None => {
                let Some(pkcs8) = self.notifier.new_push_key() else {
                    return Ok(None);
                };
                let sealed = self.keys().seal(&B64.encode(pkcs8), VAPID_CONTEXT);
                let mut tx = self.db().begin().await?;
                let stored = push::claim_server_key(&mut tx, VAPID, &sealed, self.now()).await?;
                tx.commit().await?;
                stored
            }
        };
        let pkcs8 = self
            .keys()
            .open(&sealed, VAPID_CONTEXT)
            .and_then(|s| B64.decode(s).ok())
            .ok_or_else(|| {
                AppError::Internal("the VAPID key does not open with this secret key".into())
            })?;
        let key = self.notifier.push_public_key(&pkcs8).map(|p| (pkcs8, p));
        Ok(self.push_key.get_or_init(|| key).clone())
    }

    /// The public key browsers subscribe with (`applicationServerKey`).
    pub async fn push_public_key(&self, _p: &Principal) -> AppResult<String> {
        match self.push_key().await? {
            Some((_, public)) => Ok(public),
            None => Err(AppError::Refused {
                field: "push".into(),
                message: "this server cannot send web push".into(),
            }),
        }
    }

    /// Subscribes the signed-in agent's browser; an endpoint another agent had moves to them.
    pub async fn subscribe_push(&self, p: &Principal, s: PushSubscriptionInput) -> AppResult<()> {
        check_subscription(&s)?;
        self.push_public_key(p).await?;
        let keys = serde_json::to_string(&s.keys).unwrap_or_default();
        let sealed = self.keys().seal(&keys, "push-subscription");
        let mut tx = self.db().begin().await?;
        push::upsert_subscription(
            &mut tx,
            p.scope(),
            p.user_id().0,
            s.endpoint.trim(),
            &sealed,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unsubscribe_push(&self, p: &Principal, endpoint: &str) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        let found =
            push::delete_subscription(&mut tx, p.scope(), p.user_id().0, endpoint.trim()).await?;
        tx.commit().await?;
        if found {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    pub async fn push_devices(&self, p: &Principal) -> AppResult<Vec<PushDevice>> {
        Ok(push::subscriptions(self.db(), p.scope(), p.user_id().0)
            .await?
            .into_iter()
            .map(|s| PushDevice {
                id: s.id,
                endpoint: s.endpoint,
                created_at: s.created_at,
            })
            .collect())
    }

    /// Queues a push of an agent notice to each of the agent's browsers, in the notice's
    /// transaction; `base` is the in-app copy.
    pub(crate) async fn queue_push(
        &self,
        tx: &mut Tx,
        scope: Scope,
        base: &Delivery,
        now: i64,
    ) -> AppResult<bool> {
        let Some(user) = base.user_id else {
            return Ok(false);
        };
        let subs = push::subscriptions_in(tx, scope, user).await?;
        for s in &subs {
            let mut d = base.clone();
            d.idempotency_key = format!("{}:push:{}", base.notice_key, s.id);
            d.medium = Medium::Push.as_str().to_owned();
            d.address = format!("push:{}", s.id);
            d.status = "queued".into();
            d.due_at = Some(now);
            d.sent_at = None;
            d.confirmed_at = None;
            d.params = Json(base.params.0.clone());
            yingke_store::notify::insert_delivery(tx, &d).await?;
        }
        Ok(!subs.is_empty())
    }

    /// Sends one push delivery (`address` = `push:{subscription id}`).
    pub(crate) async fn send_push(&self, d: &Delivery) -> Result<Sent, SendError> {
        let scope = Scope::new(yingke_core::AccountId(d.account_id));
        let id = d
            .address
            .strip_prefix("push:")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| SendError::permanent("not a push address"))?;
        let sub = match push::subscription(self.db(), scope, id).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(SendError::permanent("the browser unsubscribed")),
            Err(e) => {
                return Err(SendError {
                    message: format!("reading the subscription failed: {e}"),
                    response: None,
                    retryable: true,
                    gone: false,
                });
            }
        };
        let keys: Value = self
            .keys()
            .open(&sub.keys, "push-subscription")
            .and_then(|k| serde_json::from_str(&k).ok())
            .ok_or_else(|| SendError::permanent("the subscription's keys do not open"))?;
        let vapid = match self.push_key().await {
            Ok(Some((pkcs8, _))) => B64.encode(pkcs8),
            _ => return Err(SendError::permanent("no VAPID key")),
        };
        let to = json!({"endpoint": sub.endpoint, "keys": keys}).to_string();
        let payload = json!({
            "title": "迎客",
            "body": d.subject,
            "kind": d.notice_kind,
            "tag": d.notice_key,
            "url": notice_url(d.ticket_id, &d.params.0),
        })
        .to_string();
        let subject = if self.public_url().starts_with("https://") {
            self.public_url().to_owned()
        } else {
            "mailto:admin@yingke.local".to_owned()
        };
        let config = json!({ "subject": subject });
        let secrets = json!({ "vapid_pkcs8": vapid });
        let out = Outgoing {
            delivery_id: d.id,
            idempotency_key: &d.idempotency_key,
            kind: "web_push",
            config: &config,
            secrets: &secrets,
            to: &to,
            subject: &d.subject,
            text: &payload,
            vars: &Value::Null,
            links: Default::default(),
            files: &[],
            mail_domain: "",
            thread_key: None,
        };
        self.notifier.send(&out).await
    }

    /// After a failed push: the browser unsubscribed (404/410), so its subscription goes.
    pub(crate) async fn forget_gone_subscription(
        &self,
        tx: &mut Tx,
        scope: Scope,
        d: &Delivery,
        e: &SendError,
    ) -> AppResult<()> {
        if let Some(id) = d.address.strip_prefix("push:").and_then(|s| s.parse().ok())
            && e.gone
        {
            push::delete_subscription_by_id(tx, scope, id).await?;
        }
        Ok(())
    }
}

/// Where tapping the notification leads in the workspace.
pub(crate) fn notice_url(ticket_id: Option<i64>, params: &Value) -> String {
    let id = |k: &str| params.get(k).and_then(Value::as_i64);
    // A rule's notice about a ticket carries it on the delivery, an agent notice in its params.
    if let Some(t) = ticket_id.or_else(|| id("ticket_id")) {
        format!("/tickets/{t}")
    } else if let Some(c) = id("conversation_id") {
        format!("/inbox/{c}")
    } else if id("todo_id").is_some() || params.get("todos").is_some() {
        "/todos".into()
    } else {
        "/inbox".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(endpoint: &str, p256dh: &str, auth: &str) -> PushSubscriptionInput {
        PushSubscriptionInput {
            endpoint: endpoint.into(),
            keys: PushKeys {
                p256dh: p256dh.into(),
                auth: auth.into(),
            },
        }
    }

    fn fields(r: Result<(), FieldErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.into_vec().into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn subscriptions_need_an_https_endpoint_and_well_formed_keys() {
        let p = B64.encode([4u8; 65]);
        let a = B64.encode([9u8; 16]);
        assert!(
            fields(check_subscription(&input(
                "https://fcm.googleapis.com/fcm/send/x",
                &p,
                &a
            )))
            .is_empty()
        );
        assert!(
            fields(check_subscription(&input(
                "http://127.0.0.1:9000/push/1",
                &p,
                &a
            )))
            .is_empty()
        );
        assert_eq!(
            fields(check_subscription(&input("http://push.example/x", &p, &a))),
            ["endpoint"]
        );
        assert_eq!(
            fields(check_subscription(&input("https://", &p, &a))),
            ["endpoint"]
        );
        assert_eq!(
            fields(check_subscription(&input(
                "https://p.example/x",
                &B64.encode([3u8; 65]),
                "zz"
            ))),
            ["keys.p256dh", "keys.auth"]
        );
    }

    #[test]
    fn tapping_a_notice_opens_what_it_is_about() {
        assert_eq!(
            notice_url(None, &json!({"ticket_id": 3, "todo_id": 1})),
            "/tickets/3"
        );
        assert_eq!(notice_url(None, &json!({"conversation_id": 5})), "/inbox/5");
        assert_eq!(notice_url(None, &json!({"todo_id": 1})), "/todos");
        assert_eq!(notice_url(None, &json!({})), "/inbox");
    }
}
