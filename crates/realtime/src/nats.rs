//! Fan-out across instances: each instance publishes what its use cases commit to NATS, and relays
//! what other instances published into its own hub. NATS core is at-most-once, which is enough:
//! the database holds every message and clients resync by sequence.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use yingke_app::{Live, Publisher};
use yingke_core::AccountId;

use crate::Hub;

const SUBJECT_PREFIX: &str = "yingke.live";

#[derive(Serialize, Deserialize)]
struct Envelope {
    /// The publishing instance, so it does not deliver its own items twice.
    origin: String,
    account: AccountId,
    live: Live,
}

/// Publishes locally at once and to the other instances through NATS.
pub struct NatsFanout {
    hub: Arc<Hub>,
    outbox: mpsc::UnboundedSender<(AccountId, Live)>,
}

impl NatsFanout {
    /// Connects (retrying in the background while NATS is down) and starts relaying.
    pub async fn start(url: &str, hub: Arc<Hub>) -> Result<Arc<Self>, async_nats::ConnectError> {
        let client = async_nats::ConnectOptions::new()
            .name("yingke")
            .retry_on_initial_connect()
            .connect(url)
            .await?;
        let origin = format!("{}-{}", std::process::id(), uuid_like());
        let (tx, mut rx) = mpsc::unbounded_channel::<(AccountId, Live)>();

        // One task publishes in commit order.
        let publisher = client.clone();
        let me = origin.clone();
        tokio::spawn(async move {
            while let Some((account, live)) = rx.recv().await {
                let envelope = Envelope {
                    origin: me.clone(),
                    account,
                    live,
                };
                match serde_json::to_vec(&envelope) {
                    Ok(bytes) => {
                        let subject = format!("{SUBJECT_PREFIX}.{}", account.0);
                        if let Err(e) = publisher.publish(subject, bytes.into()).await {
                            tracing::warn!(error = %e, "NATS publish failed; clients will resync");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "cannot encode a live item"),
                }
            }
        });

        // Another relays the other instances' items into the local hub.
        let relay_hub = hub.clone();
        let me = origin;
        let subscriber = client.clone();
        tokio::spawn(async move {
            let mut sub = match subscriber.subscribe(format!("{SUBJECT_PREFIX}.>")).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "cannot subscribe to NATS; cross-instance fan-out is off");
                    return;
                }
            };
            use futures_util::StreamExt;
            while let Some(msg) = sub.next().await {
                match serde_json::from_slice::<Envelope>(&msg.payload) {
                    Ok(env) if env.origin != me => relay_hub.publish(env.account, env.live),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "ignoring a malformed live item from NATS")
                    }
                }
            }
        });
        Ok(Arc::new(Self { hub, outbox: tx }))
    }
}

impl Publisher for NatsFanout {
    fn publish(&self, account: AccountId, live: Live) {
        self.hub.publish(account, live.clone());
        let _ = self.outbox.send((account, live));
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{nanos:x}")
}
