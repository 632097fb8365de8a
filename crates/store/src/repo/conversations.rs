//! Conversations and their messages. Messages are numbered per conversation (`seq`) without gaps.

use serde_json::Value;
use sqlx::{FromRow, Row, types::Json};
use yingke_core::AccountId;

use crate::{
    Db, Page, Result, Scope, Tx,
    db::{on_pool, on_tx},
};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Conversation {
    pub id: i64,
    pub account_id: AccountId,
    pub number: i64,
    pub channel_id: i64,
    pub entry_point_id: Option<i64>,
    pub contact_id: i64,
    pub status: String,
    pub priority: i64,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub last_seq: i64,
    pub contact_read_seq: i64,
    pub agent_read_seq: i64,
    pub source: Value,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub csat_score: Option<i64>,
    pub csat_comment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A conversation's columns, in `ConversationRow`'s order (for `RETURNING` elsewhere).
pub(crate) const CONVERSATION_COLUMNS: &str = "id, account_id, number, channel_id, entry_point_id, contact_id, status, priority, assignee_id, team_id,
    last_seq, contact_read_seq, agent_read_seq, source, first_response_at, resolved_at, csat_score, csat_comment, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ConversationRow {
    id: i64,
    account_id: i64,
    number: i64,
    channel_id: i64,
    entry_point_id: Option<i64>,
    contact_id: i64,
    status: String,
    priority: i64,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    last_seq: i64,
    contact_read_seq: i64,
    agent_read_seq: i64,
    source: Json<Value>,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    csat_score: Option<i64>,
    csat_comment: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl From<ConversationRow> for Conversation {
    fn from(r: ConversationRow) -> Self {
        Conversation {
            id: r.id,
            account_id: AccountId(r.account_id),
            number: r.number,
            channel_id: r.channel_id,
            entry_point_id: r.entry_point_id,
            contact_id: r.contact_id,
            status: r.status,
            priority: r.priority,
            assignee_id: r.assignee_id,
            team_id: r.team_id,
            last_seq: r.last_seq,
            contact_read_seq: r.contact_read_seq,
            agent_read_seq: r.agent_read_seq,
            source: r.source.0,
            first_response_at: r.first_response_at,
            resolved_at: r.resolved_at,
            csat_score: r.csat_score,
            csat_comment: r.csat_comment,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A conversation to insert; its number comes from the account's `conversation` counter.
pub struct NewConversation<'a> {
    pub channel_id: i64,
    pub entry_point_id: Option<i64>,
    pub contact_id: i64,
    pub status: &'a str,
    pub priority: i64,
    pub source: &'a Value,
    /// Sequence numbers already taken: 1 when the first message is inserted right after with
    /// `insert_message(…, 1, …)`, saving the sequence update.
    pub last_seq: i64,
}

/// Inserts a conversation numbered from the account's `conversation` counter (on PostgreSQL,
/// `accounts::prepare_counter` first): `nextval` inside the insert there, saving a round trip;
/// the counter row in the same transaction on SQLite.
pub async fn insert(
    tx: &mut Tx,
    scope: Scope,
    n: NewConversation<'_>,
    now: i64,
) -> Result<Conversation> {
    let sql = |number: &str| {
        format!(
            "INSERT INTO conversations (account_id, channel_id, entry_point_id, contact_id, status, priority, source, created_at, updated_at, last_seq, number)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, {number})
             RETURNING {CONVERSATION_COLUMNS}"
        )
    };
    // Binds $1…$9, the same on both backends.
    macro_rules! fields {
        ($q:expr) => {
            $q.bind(scope.id())
                .bind(n.channel_id)
                .bind(n.entry_point_id)
                .bind(n.contact_id)
                .bind(n.status)
                .bind(n.priority)
                .bind(Json(n.source))
                .bind(now)
                .bind(n.last_seq)
        };
    }
    let row: ConversationRow = match tx {
        Tx::Postgres(t) => {
            let seq = crate::accounts::sequence_name(scope.account(), "conversation")?;
            fields!(sqlx::query_as(sqlx::AssertSqlSafe(sql(
                "nextval($10::regclass)"
            ))))
            .bind(seq)
            .fetch_one(&mut **t)
            .await?
        }
        tx => {
            let number = crate::accounts::next_number(tx, scope.account(), "conversation").await?;
            on_tx!(tx, |c| fields!(sqlx::query_as(sqlx::AssertSqlSafe(sql(
                "$10"
            ))))
            .bind(number)
            .fetch_one(c)
            .await)?
        }
    };
    Ok(row.into())
}

pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<Conversation> {
    let row: ConversationRow = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, number, channel_id, entry_point_id, contact_id, status, priority, assignee_id, team_id,
                    last_seq, contact_read_seq, agent_read_seq, source, first_response_at, resolved_at, csat_score, csat_comment, created_at, updated_at
             FROM conversations WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(p)
        .await
    })?;
    Ok(row.into())
}

pub async fn get_in(tx: &mut Tx, scope: Scope, id: i64) -> Result<Conversation> {
    let row: ConversationRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, account_id, number, channel_id, entry_point_id, contact_id, status, priority, assignee_id, team_id,
                    last_seq, contact_read_seq, agent_read_seq, source, first_response_at, resolved_at, csat_score, csat_comment, created_at, updated_at
             FROM conversations WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

/// The contact's newest conversation in a channel that is not closed, if any.
pub async fn latest_for_contact(
    tx: &mut Tx,
    scope: Scope,
    channel_id: i64,
    contact_id: i64,
) -> Result<Option<Conversation>> {
    let row: Option<ConversationRow> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, account_id, number, channel_id, entry_point_id, contact_id, status, priority, assignee_id, team_id,
                    last_seq, contact_read_seq, agent_read_seq, source, first_response_at, resolved_at, csat_score, csat_comment, created_at, updated_at
             FROM conversations
             WHERE account_id = $1 AND channel_id = $2 AND contact_id = $3 AND status <> 'closed'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(scope.id())
        .bind(channel_id)
        .bind(contact_id)
        .fetch_optional(c)
        .await
    })?;
    Ok(row.map(Conversation::from))
}

/// Every conversation id of a contact (for a visitor's resync).
pub async fn ids_for_contact(db: &Db, scope: Scope, contact_id: i64) -> Result<Vec<i64>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar(
            "SELECT id FROM conversations WHERE account_id = $1 AND contact_id = $2 ORDER BY id",
        )
        .bind(scope.id())
        .bind(contact_id)
        .fetch_all(p)
        .await
    })?)
}

/// List filters; `None` means "any".
#[derive(Debug, Default, Clone)]
pub struct ConversationFilter {
    pub status: Option<String>,
    pub assignee_id: Option<i64>,
    /// Only conversations nobody is assigned to.
    pub unassigned: bool,
    pub team_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub tag: Option<String>,
    /// Started at this entry point.
    pub entry_point_id: Option<i64>,
    /// Started at an entry point of this campaign.
    pub campaign: Option<String>,
    /// UTM parameters of the visit (`source.utm.*`).
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    /// Restricts to what an agent may see: assigned to them, or unassigned and either in no team
    /// or in one of the agent's teams.
    pub visible_to: Option<i64>,
    /// Text search: see [`ConversationFilter::search`].
    pub text: Option<TextSearch>,
}

/// What a search box finds: the conversation's number, or the text in the contact's name,
/// e-mail or phone, or in any of its messages (notes included), case-insensitively.
#[derive(Debug, Clone)]
pub struct TextSearch {
    /// `LIKE` pattern (`%…%`, lowercased, `\` escapes `%`, `_` and itself).
    pattern: String,
    number: Option<i64>,
}

impl TextSearch {
    pub fn new(q: &str) -> Self {
        let q = q.trim();
        let mut pattern = String::with_capacity(q.len() + 2);
        pattern.push('%');
        for ch in q.to_lowercase().chars() {
            if matches!(ch, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(ch);
        }
        pattern.push('%');
        let number = q.strip_prefix('#').unwrap_or(q).parse().ok();
        Self { pattern, number }
    }
}

impl ConversationFilter {
    /// Adds a text search (`q`) to the filter.
    pub fn search(mut self, q: &str) -> Self {
        self.text = Some(TextSearch::new(q));
        self
    }
}

pub async fn list(
    db: &Db,
    scope: Scope,
    f: &ConversationFilter,
    after: i64,
    limit: u32,
) -> Result<Page<Conversation>> {
    let rows: Vec<ConversationRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT c.id, c.account_id, c.number, c.channel_id, c.entry_point_id, c.contact_id, c.status, c.priority,
                    c.assignee_id, c.team_id, c.last_seq, c.contact_read_seq, c.agent_read_seq, c.source,
                    c.first_response_at, c.resolved_at, c.csat_score, c.csat_comment, c.created_at, c.updated_at
             FROM conversations c
             WHERE c.account_id = $1 AND c.id > $2
               AND (CAST($3 AS TEXT) IS NULL OR c.status = $3)
               AND (CAST($4 AS BIGINT) IS NULL OR c.assignee_id = $4)
               AND ($5 = FALSE OR c.assignee_id IS NULL)
               AND (CAST($6 AS BIGINT) IS NULL OR c.team_id = $6)
               AND (CAST($7 AS BIGINT) IS NULL OR c.channel_id = $7)
               AND (CAST($8 AS BIGINT) IS NULL OR c.contact_id = $8)
               AND (CAST($9 AS TEXT) IS NULL OR EXISTS (
                    SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag = $9))
               AND (CAST($10 AS BIGINT) IS NULL OR c.assignee_id = $10 OR (c.assignee_id IS NULL AND (
                    c.team_id IS NULL OR EXISTS (
                        SELECT 1 FROM team_members m WHERE m.team_id = c.team_id AND m.user_id = $10))))
               AND (CAST($12 AS BIGINT) IS NULL OR c.entry_point_id = $12)
               AND (CAST($13 AS TEXT) IS NULL OR EXISTS (
                    SELECT 1 FROM entry_points e WHERE e.id = c.entry_point_id AND e.campaign = $13))
               AND (CAST($14 AS TEXT) IS NULL OR c.source -> 'utm' ->> 'source' = $14)
               AND (CAST($15 AS TEXT) IS NULL OR c.source -> 'utm' ->> 'medium' = $15)
               AND (CAST($16 AS TEXT) IS NULL OR c.source -> 'utm' ->> 'campaign' = $16)
               AND (CAST($17 AS TEXT) IS NULL OR c.number = CAST($18 AS BIGINT)
                    OR EXISTS (SELECT 1 FROM contacts k WHERE k.id = c.contact_id
                        AND k.account_id = c.account_id
                        AND (LOWER(k.name) LIKE $17 ESCAPE '\\' OR LOWER(k.email) LIKE $17 ESCAPE '\\'
                             OR k.phone LIKE $17 ESCAPE '\\'))
                    OR EXISTS (SELECT 1 FROM messages m WHERE m.account_id = c.account_id
                        AND m.conversation_id = c.id AND LOWER(m.body) LIKE $17 ESCAPE '\\'))
             ORDER BY c.id LIMIT $11",
        )
        .bind(scope.id())
        .bind(after)
        .bind(f.status.as_deref())
        .bind(f.assignee_id)
        .bind(f.unassigned)
        .bind(f.team_id)
        .bind(f.channel_id)
        .bind(f.contact_id)
        .bind(f.tag.as_deref())
        .bind(f.visible_to)
        .bind(i64::from(limit) + 1)
        .bind(f.entry_point_id)
        .bind(f.campaign.as_deref())
        .bind(f.utm_source.as_deref())
        .bind(f.utm_medium.as_deref())
        .bind(f.utm_campaign.as_deref())
        .bind(f.text.as_ref().map(|t| t.pattern.as_str()))
        .bind(f.text.as_ref().and_then(|t| t.number))
        .fetch_all(p)
        .await
    })?;
    Ok(Page::from_rows(
        rows.into_iter().map(Conversation::from).collect(),
        limit,
        |c| c.id,
    ))
}

/// Routing and state fields; `None` leaves a field alone. `assignee`/`team` use
/// `Some(None)` to clear.
#[derive(Default)]
pub struct ConversationPatch<'a> {
    pub status: Option<&'a str>,
    pub priority: Option<i64>,
    pub assignee_id: Option<Option<i64>>,
    pub team_id: Option<Option<i64>>,
    pub resolved_at: Option<Option<i64>>,
    pub first_response_at: Option<i64>,
}

pub async fn update(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    p: ConversationPatch<'_>,
    now: i64,
) -> Result<Conversation> {
    let row: ConversationRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE conversations SET
                 status = COALESCE($3, status),
                 priority = COALESCE($4, priority),
                 assignee_id = CASE WHEN $5 THEN $6 ELSE assignee_id END,
                 team_id = CASE WHEN $7 THEN $8 ELSE team_id END,
                 resolved_at = CASE WHEN $9 THEN $10 ELSE resolved_at END,
                 first_response_at = COALESCE(first_response_at, $11),
                 updated_at = $12
             WHERE account_id = $1 AND id = $2
             RETURNING id, account_id, number, channel_id, entry_point_id, contact_id, status, priority, assignee_id, team_id,
                       last_seq, contact_read_seq, agent_read_seq, source, first_response_at, resolved_at, csat_score, csat_comment, created_at, updated_at",
        )
        .bind(scope.id())
        .bind(id)
        .bind(p.status)
        .bind(p.priority)
        .bind(p.assignee_id.is_some())
        .bind(p.assignee_id.flatten())
        .bind(p.team_id.is_some())
        .bind(p.team_id.flatten())
        .bind(p.resolved_at.is_some())
        .bind(p.resolved_at.flatten())
        .bind(p.first_response_at)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

/// Stores how far the contact (`by_contact`) or the agents have read.
pub async fn mark_read(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    by_contact: bool,
    seq: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE conversations SET
                 contact_read_seq = CASE WHEN $3 AND $4 > contact_read_seq THEN $4 ELSE contact_read_seq END,
                 agent_read_seq = CASE WHEN NOT $3 AND $4 > agent_read_seq THEN $4 ELSE agent_read_seq END
             WHERE account_id = $1 AND id = $2 AND $4 <= last_seq",
        )
        .bind(scope.id())
        .bind(id)
        .bind(by_contact)
        .bind(seq)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn tags(db: &Db, scope: Scope, conversation: i64) -> Result<Vec<String>> {
    Ok(on_pool!(&db.read, |p| {
        sqlx::query_scalar("SELECT tag FROM conversation_tags WHERE account_id = $1 AND conversation_id = $2 ORDER BY tag")
            .bind(scope.id())
            .bind(conversation)
            .fetch_all(p)
            .await
    })?)
}

pub async fn set_tag(
    tx: &mut Tx,
    scope: Scope,
    conversation: i64,
    tag: &str,
    on: bool,
) -> Result<bool> {
    let n = if on {
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO conversation_tags (account_id, conversation_id, tag) VALUES ($1, $2, $3)
                 ON CONFLICT (conversation_id, tag) DO NOTHING",
            )
            .bind(scope.id())
            .bind(conversation)
            .bind(tag)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?
    } else {
        on_tx!(tx, |c| {
            sqlx::query("DELETE FROM conversation_tags WHERE account_id = $1 AND conversation_id = $2 AND tag = $3")
                .bind(scope.id())
                .bind(conversation)
                .bind(tag)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?
    };
    Ok(n > 0)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub id: i64,
    pub account_id: AccountId,
    pub conversation_id: i64,
    pub seq: i64,
    pub sender_kind: String,
    pub sender_id: Option<i64>,
    pub kind: String,
    pub body: String,
    pub attachment: Option<Value>,
    pub client_id: Option<String>,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    account_id: i64,
    conversation_id: i64,
    seq: i64,
    sender_kind: String,
    sender_id: Option<i64>,
    kind: String,
    body: String,
    attachment: Option<Json<Value>>,
    client_id: Option<String>,
    created_at: i64,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: r.id,
            account_id: AccountId(r.account_id),
            conversation_id: r.conversation_id,
            seq: r.seq,
            sender_kind: r.sender_kind,
            sender_id: r.sender_id,
            kind: r.kind,
            body: r.body,
            attachment: r.attachment.map(|j| j.0),
            client_id: r.client_id,
            created_at: r.created_at,
        }
    }
}

pub struct NewMessage<'a> {
    pub sender_kind: &'a str,
    pub sender_id: Option<i64>,
    pub kind: &'a str,
    pub body: &'a str,
    pub attachment: Option<&'a Value>,
    pub client_id: Option<&'a str>,
}

/// The message a client already sent with this client id, if any.
pub async fn message_by_client_id(
    tx: &mut Tx,
    scope: Scope,
    conversation: i64,
    client_id: &str,
) -> Result<Option<Message>> {
    let row: Option<MessageRow> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, account_id, conversation_id, seq, sender_kind, sender_id, kind, body, attachment, client_id, created_at
             FROM messages WHERE account_id = $1 AND conversation_id = $2 AND client_id = $3",
        )
        .bind(scope.id())
        .bind(conversation)
        .bind(client_id)
        .fetch_optional(c)
        .await
    })?;
    Ok(row.map(Message::from))
}

/// Appends a message with the conversation's next sequence number. The conversation row is
/// updated first, which also serialises concurrent appends to one conversation on PostgreSQL.
pub async fn append_message(
    tx: &mut Tx,
    scope: Scope,
    conversation: i64,
    m: NewMessage<'_>,
    now: i64,
) -> Result<Message> {
    Ok(append_message_to(tx, scope, conversation, m, now).await?.1)
}

/// `append_message`, answering the conversation as well, as it is after the append (read under
/// the row lock the append takes, so no other writer changed it meanwhile).
pub async fn append_message_to(
    tx: &mut Tx,
    scope: Scope,
    conversation: i64,
    m: NewMessage<'_>,
    now: i64,
) -> Result<(Conversation, Message)> {
    if let Tx::Postgres(t) = tx {
        // One round trip on PostgreSQL: the sequence bump and the insert in one statement.
        let row = sqlx::query(
            "WITH c AS (
                UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3
                WHERE account_id = $1 AND id = $2
                RETURNING id, account_id, number, channel_id, entry_point_id, contact_id, status, priority, assignee_id, team_id,
                          last_seq, contact_read_seq, agent_read_seq, source, first_response_at, resolved_at, csat_score, csat_comment, created_at, updated_at
             ), m AS (
                INSERT INTO messages (account_id, conversation_id, seq, sender_kind, sender_id, kind, body, attachment, client_id, created_at)
                SELECT $1, $2, c.last_seq, $4, $5, $6, $7, $8, $9, $3 FROM c
                RETURNING id AS message_id
             )
             SELECT c.*, m.message_id FROM c, m",
        )
        .bind(scope.id())
        .bind(conversation)
        .bind(now)
        .bind(m.sender_kind)
        .bind(m.sender_id)
        .bind(m.kind)
        .bind(m.body)
        .bind(m.attachment.map(Json))
        .bind(m.client_id)
        .fetch_one(&mut **t)
        .await?;
        let conv = Conversation::from(ConversationRow::from_row(&row)?);
        let message = MessageRow {
            id: row.try_get("message_id")?,
            account_id: scope.id(),
            conversation_id: conversation,
            seq: conv.last_seq,
            sender_kind: m.sender_kind.to_owned(),
            sender_id: m.sender_id,
            kind: m.kind.to_owned(),
            body: m.body.to_owned(),
            attachment: m.attachment.cloned().map(Json),
            client_id: m.client_id.map(str::to_owned),
            created_at: now,
        };
        return Ok((conv, message.into()));
    }
    let row: ConversationRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3
             WHERE account_id = $1 AND id = $2
             RETURNING id, account_id, number, channel_id, entry_point_id, contact_id, status, priority, assignee_id, team_id,
                       last_seq, contact_read_seq, agent_read_seq, source, first_response_at, resolved_at, csat_score, csat_comment, created_at, updated_at",
        )
        .bind(scope.id())
        .bind(conversation)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    let conv = Conversation::from(row);
    let message = insert_message(tx, scope, conversation, conv.last_seq, m, now).await?;
    Ok((conv, message))
}

/// Inserts a message with a sequence number already taken (see `NewConversation::last_seq`).
pub async fn insert_message(
    tx: &mut Tx,
    scope: Scope,
    conversation: i64,
    seq: i64,
    m: NewMessage<'_>,
    now: i64,
) -> Result<Message> {
    let row: MessageRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO messages (account_id, conversation_id, seq, sender_kind, sender_id, kind, body, attachment, client_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             RETURNING id, account_id, conversation_id, seq, sender_kind, sender_id, kind, body, attachment, client_id, created_at",
        )
        .bind(scope.id())
        .bind(conversation)
        .bind(seq)
        .bind(m.sender_kind)
        .bind(m.sender_id)
        .bind(m.kind)
        .bind(m.body)
        .bind(m.attachment.map(Json))
        .bind(m.client_id)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(row.into())
}

/// Messages after `after_seq`, in order; notes only when `include_notes`.
pub async fn messages(
    db: &Db,
    scope: Scope,
    conversation: i64,
    after_seq: i64,
    limit: u32,
    include_notes: bool,
) -> Result<Vec<Message>> {
    let rows: Vec<MessageRow> = on_pool!(&db.read, |p| {
        sqlx::query_as(
            "SELECT id, account_id, conversation_id, seq, sender_kind, sender_id, kind, body, attachment, client_id, created_at
             FROM messages WHERE account_id = $1 AND conversation_id = $2 AND seq > $3 AND ($4 OR kind <> 'note')
             ORDER BY seq LIMIT $5",
        )
        .bind(scope.id())
        .bind(conversation)
        .bind(after_seq)
        .bind(include_notes)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(Message::from).collect())
}

/// Records the contact's satisfaction rating (1–5) of a conversation.
pub async fn set_csat(
    tx: &mut Tx,
    scope: Scope,
    id: i64,
    score: i64,
    comment: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE conversations SET csat_score = $3, csat_comment = $4, updated_at = $5
             WHERE account_id = $1 AND id = $2",
        )
        .bind(scope.id())
        .bind(id)
        .bind(score)
        .bind(comment)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
