//! The real-time port: after a change commits, use cases hand what connected clients should see to
//! a [`Publisher`]. Delivery is best effort (clients resync by sequence); the outbox is the record.

use std::{borrow::Cow, sync::Arc};

use serde::{Deserialize, Serialize};
use yingke_core::AccountId;
use yingke_store::conversations::{Conversation, Message};

/// Who did something, as clients see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    Contact(i64),
    Agent(i64),
}

/// Something connected clients of one account may need to see.
/// Serialisable, so instances can relay it to each other (NATS).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Live {
    /// A committed message (notes included; the gateway keeps them from visitors).
    Message {
        conversation: Arc<Conversation>,
        message: Arc<Message>,
        sender_name: String,
    },
    /// A conversation changed: `created`, `updated`, `assigned`, `resolved`, `reopened`.
    Conversation {
        conversation: Arc<Conversation>,
        event: Cow<'static, str>,
    },
    Typing {
        conversation: Arc<Conversation>,
        from: Party,
        on: bool,
    },
    Read {
        conversation: Arc<Conversation>,
        by: Party,
        seq: i64,
    },
    /// A waiting conversation's place in the queue (for its visitor only).
    Queue {
        conversation_id: i64,
        contact_id: i64,
        /// 1 = next to be served.
        position: usize,
        estimated_wait_secs: Option<i64>,
    },
    /// An agent's status changed.
    Presence {
        user_id: i64,
        status: Cow<'static, str>,
    },
    /// Something for one agent only: a to-do reminder (`strength` light or strong), the daily
    /// list, a prompt to create a to-do after a tag.
    Notice {
        user_id: i64,
        kind: Cow<'static, str>,
        payload: Arc<serde_json::Value>,
    },
}

pub trait Publisher: Send + Sync + 'static {
    fn publish(&self, account: AccountId, live: Live);
}

/// Publishes nowhere (operator commands, tests of use cases alone).
pub struct NoPublisher;

impl Publisher for NoPublisher {
    fn publish(&self, _: AccountId, _: Live) {}
}
