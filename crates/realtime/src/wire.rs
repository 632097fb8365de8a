//! The shapes clients see, over the socket and over REST.

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use yingke_app::{
    conversations::{MessageView, priority_name},
    store::conversations::Conversation,
};

pub fn time_of(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sender {
    /// `contact`, `agent`, `bot` or `system`.
    pub kind: String,
    pub id: Option<i64>,
    pub name: String,
}

/// A message of a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Message)]
pub struct MessageDto {
    pub id: i64,
    pub conversation_id: i64,
    /// 1, 2, 3… within the conversation, without gaps.
    pub seq: i64,
    pub sender: Sender,
    /// `text`, `note` (internal, never shown to the contact), `attachment` or `event`.
    pub kind: String,
    pub text: String,
    #[schema(value_type = Option<Object>)]
    pub attachment: Option<Value>,
    pub client_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<&MessageView> for MessageDto {
    fn from(v: &MessageView) -> Self {
        let m = &v.message;
        Self {
            id: m.id,
            conversation_id: m.conversation_id,
            seq: m.seq,
            sender: Sender {
                kind: m.sender_kind.clone(),
                id: m.sender_id,
                name: v.sender_name.clone(),
            },
            kind: m.kind.clone(),
            text: m.body.clone(),
            attachment: m.attachment.clone(),
            client_id: m.client_id.clone(),
            created_at: time_of(m.created_at),
        }
    }
}

/// A conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Conversation)]
pub struct ConversationDto {
    pub id: i64,
    /// Per-account number shown to people (#12).
    pub number: i64,
    pub channel_id: i64,
    pub entry_point_id: Option<i64>,
    pub contact_id: i64,
    /// `open`, `pending`, `resolved` or `closed`.
    pub status: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Sequence number of the newest message.
    pub last_seq: i64,
    pub contact_read_seq: i64,
    pub agent_read_seq: i64,
    /// Entry fields: channel, entry point (campaign, ad plan, business module, landing page),
    /// UTM, landing page, referrer, device, language, pre-chat form.
    #[schema(value_type = Object)]
    pub source: Value,
    pub csat_score: Option<i64>,
    pub csat_comment: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_response_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<&Conversation> for ConversationDto {
    fn from(c: &Conversation) -> Self {
        Self {
            id: c.id,
            number: c.number,
            channel_id: c.channel_id,
            entry_point_id: c.entry_point_id,
            contact_id: c.contact_id,
            status: c.status.clone(),
            priority: priority_name(c.priority).into(),
            assignee_id: c.assignee_id,
            team_id: c.team_id,
            last_seq: c.last_seq,
            contact_read_seq: c.contact_read_seq,
            agent_read_seq: c.agent_read_seq,
            source: c.source.clone(),
            csat_score: c.csat_score,
            csat_comment: c.csat_comment.clone(),
            first_response_at: c.first_response_at.map(time_of),
            resolved_at: c.resolved_at.map(time_of),
            created_at: time_of(c.created_at),
            updated_at: time_of(c.updated_at),
        }
    }
}

/// What a visitor may see of its conversation (no assignment or internal fields).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VisitorConversation)]
pub struct VisitorConversationDto {
    pub id: i64,
    pub number: i64,
    pub status: String,
    pub last_seq: i64,
    pub agent_read_seq: i64,
    pub csat_score: Option<i64>,
}

impl From<&Conversation> for VisitorConversationDto {
    fn from(c: &Conversation) -> Self {
        Self {
            id: c.id,
            number: c.number,
            status: c.status.clone(),
            last_seq: c.last_seq,
            agent_read_seq: c.agent_read_seq,
            csat_score: c.csat_score,
        }
    }
}
