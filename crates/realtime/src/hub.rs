//! In-process fan-out. Agents of an account share one broadcast channel; each visitor (contact)
//! has its own, so a message wakes the agents and the one visitor it concerns — not every visitor
//! socket of the account. A subscriber that falls behind is told to resync rather than silently
//! missing items.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::broadcast;
use yingke_app::{Live, Publisher};
use yingke_core::AccountId;

/// A live item on its way to sockets, with each audience's frame serialised at most once: fifty
/// agents watching one account share one JSON string per message.
pub struct Fanned {
    pub live: Live,
    agent_frame: std::sync::OnceLock<Option<axum::extract::ws::Utf8Bytes>>,
    visitor_frame: std::sync::OnceLock<Option<axum::extract::ws::Utf8Bytes>>,
}

impl Fanned {
    pub fn new(live: Live) -> Self {
        Self {
            live,
            agent_frame: Default::default(),
            visitor_frame: Default::default(),
        }
    }

    /// The frame agents get (`None`: agents get nothing for this item).
    pub fn agent_frame(
        &self,
        build: impl FnOnce(&Live) -> Option<serde_json::Value>,
    ) -> Option<axum::extract::ws::Utf8Bytes> {
        self.agent_frame
            .get_or_init(|| build(&self.live).map(|v| v.to_string().into()))
            .clone()
    }

    /// The frame the concerned visitor gets (`None`: nothing, e.g. an internal note).
    pub fn visitor_frame(
        &self,
        build: impl FnOnce(&Live) -> Option<serde_json::Value>,
    ) -> Option<axum::extract::ws::Utf8Bytes> {
        self.visitor_frame
            .get_or_init(|| build(&self.live).map(|v| v.to_string().into()))
            .clone()
    }
}

const AGENT_CAPACITY: usize = 4096;
const CONTACT_CAPACITY: usize = 256;

type Channels<K> = Mutex<HashMap<K, broadcast::Sender<Arc<Fanned>>>>;

#[derive(Default)]
pub struct Hub {
    agents: Channels<AccountId>,
    contacts: Channels<(AccountId, i64)>,
}

fn subscribe<K: std::hash::Hash + Eq>(
    map: &Channels<K>,
    key: K,
    capacity: usize,
) -> broadcast::Receiver<Arc<Fanned>> {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    map.entry(key)
        .or_insert_with(|| broadcast::channel(capacity).0)
        .subscribe()
}

fn send<K: std::hash::Hash + Eq>(map: &Channels<K>, key: &K, item: Arc<Fanned>) {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(tx) = map.get(key)
        && tx.send(item).is_err()
    {
        // Nobody listens any more: forget the channel.
        map.remove(key);
    }
}

/// The contact a live item concerns, if any.
fn contact_of(live: &Live) -> Option<i64> {
    match live {
        Live::Message { conversation, .. }
        | Live::Conversation { conversation, .. }
        | Live::Typing { conversation, .. }
        | Live::Read { conversation, .. } => Some(conversation.contact_id),
        Live::Queue { contact_id, .. } => Some(*contact_id),
        Live::Presence { .. } | Live::Notice { .. } => None,
    }
}

impl Hub {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Everything of one account, from now on (agents' sockets).
    pub fn subscribe_agents(&self, account: AccountId) -> broadcast::Receiver<Arc<Fanned>> {
        subscribe(&self.agents, account, AGENT_CAPACITY)
    }

    /// What concerns one contact, from now on (visitors' sockets).
    pub fn subscribe_contact(
        &self,
        account: AccountId,
        contact: i64,
    ) -> broadcast::Receiver<Arc<Fanned>> {
        subscribe(&self.contacts, (account, contact), CONTACT_CAPACITY)
    }
}

impl Publisher for Hub {
    fn publish(&self, account: AccountId, live: Live) {
        let contact = contact_of(&live);
        let item = Arc::new(Fanned::new(live));
        if let Some(c) = contact {
            send(&self.contacts, &(account, c), item.clone());
        }
        // Queue positions are the visitor's business only.
        if !matches!(item.live, Live::Queue { .. }) {
            send(&self.agents, &account, item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yingke_app::store::conversations::Conversation;

    fn conversation(contact_id: i64) -> Arc<Conversation> {
        Arc::new(Conversation {
            id: 1,
            account_id: AccountId(1),
            number: 1,
            channel_id: 1,
            entry_point_id: None,
            contact_id,
            status: "open".into(),
            priority: 1,
            assignee_id: None,
            team_id: None,
            last_seq: 0,
            contact_read_seq: 0,
            agent_read_seq: 0,
            source: serde_json::Value::Null,
            first_response_at: None,
            resolved_at: None,
            csat_score: None,
            csat_comment: None,
            created_at: 0,
            updated_at: 0,
        })
    }

    #[test]
    fn a_contacts_items_reach_its_visitors_and_the_agents_only() {
        let hub = Hub::default();
        let mut agents = hub.subscribe_agents(AccountId(1));
        let mut seven = hub.subscribe_contact(AccountId(1), 7);
        let mut eight = hub.subscribe_contact(AccountId(1), 8);
        let mut other_account = hub.subscribe_agents(AccountId(2));
        hub.publish(
            AccountId(1),
            Live::Conversation {
                conversation: conversation(7),
                event: "created".into(),
            },
        );
        assert!(agents.try_recv().is_ok());
        assert!(seven.try_recv().is_ok());
        assert!(eight.try_recv().is_err(), "another visitor is not woken");
        assert!(
            other_account.try_recv().is_err(),
            "another account is not woken"
        );
    }
}
