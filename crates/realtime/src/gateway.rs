//! The WebSocket sessions of visitors and agents. The API crate authenticates the upgrade request
//! and hands the socket here; each session runs one loop over the client's frames and the
//! account's live items.

use std::{collections::HashMap, sync::Arc, time::Instant};

use axum::extract::ws::{Message as WsMessage, WebSocket};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use yingke_app::{
    App, AppError, Live, Party, Principal,
    conversations::{AgentMessage, MessageView},
    widget::VisitorClaims,
};
use yingke_core::Role;

use crate::{
    Hub,
    wire::{ConversationDto, MessageDto, VisitorConversationDto},
};

/// Largest frame a client may send (larger closes the socket).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// The socket's read buffer. Small on purpose: tungstenite zero-fills the whole buffer on every
/// read (tungstenite-rs#547), which at the 128 KiB default cost more CPU than everything else a
/// message does. Frames larger than this are assembled across reads.
pub const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Unsent bytes a slow client may have queued before its socket is failed.
pub const MAX_WRITE_BUFFER_BYTES: usize = 1024 * 1024;
/// A visitor may send this many messages per second on average, with bursts of `BURST`.
const VISITOR_RATE: f64 = 10.0;
const BURST: f64 = 20.0;

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Hello {
        #[serde(default)]
        last_seq: HashMap<String, i64>,
    },
    Send {
        client_id: Option<String>,
        conversation_id: Option<i64>,
        text: Option<String>,
        attachment_id: Option<i64>,
        #[serde(default)]
        note: bool,
    },
    Typing {
        conversation_id: Option<i64>,
        on: bool,
    },
    Read {
        conversation_id: Option<i64>,
        seq: i64,
    },
    Ping,
}

fn error_frame(code: &str, message: &str, client_id: Option<&str>) -> Value {
    json!({"type": "error", "code": code, "message": message, "client_id": client_id})
}

fn app_error_frame(e: &AppError, client_id: Option<&str>) -> Value {
    match e {
        AppError::NotFound => error_frame("not_found", "No such conversation.", client_id),
        AppError::Validation(errors) => {
            let msg = errors
                .clone()
                .into_vec()
                .into_iter()
                .map(|f| format!("{} {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ");
            error_frame("validation_failed", &msg, client_id)
        }
        AppError::Forbidden(_) => error_frame("forbidden", "Not allowed.", client_id),
        AppError::Internal(cause) => {
            tracing::error!(%cause, "socket frame failed");
            error_frame("internal", "Something went wrong on our side.", client_id)
        }
        other => error_frame("refused", &other.to_string(), client_id),
    }
}

fn message_frame(v: &MessageView) -> Value {
    json!({"type": "message", "message": MessageDto::from(v)})
}

fn ack_frame(client_id: Option<&str>, v: &MessageView) -> Value {
    json!({"type": "ack", "client_id": client_id, "message_id": v.message.id,
           "conversation_id": v.message.conversation_id, "seq": v.message.seq})
}

fn party(p: Party) -> Value {
    match p {
        Party::Contact(id) => json!({"kind": "contact", "id": id}),
        Party::Agent(id) => json!({"kind": "agent", "id": id}),
    }
}

/// Sends a frame; `false` when the socket is gone.
async fn send(socket: &mut WebSocket, frame: &Value) -> bool {
    socket
        .send(WsMessage::Text(frame.to_string().into()))
        .await
        .is_ok()
}

/// Sends an already serialised frame (shared between sockets).
async fn send_text(socket: &mut WebSocket, text: axum::extract::ws::Utf8Bytes) -> bool {
    socket.send(WsMessage::Text(text)).await.is_ok()
}

/// What one client frame turned into.
enum Incoming {
    Frame(ClientFrame),
    Reply(Value),
    Close,
}

fn parse(msg: Option<Result<WsMessage, axum::Error>>) -> Incoming {
    match msg {
        None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => Incoming::Close,
        Some(Ok(WsMessage::Text(t))) => match serde_json::from_str::<ClientFrame>(t.as_str()) {
            Ok(f) => Incoming::Frame(f),
            Err(e) => Incoming::Reply(error_frame("invalid_frame", &e.to_string(), None)),
        },
        Some(Ok(WsMessage::Binary(_))) => {
            Incoming::Reply(error_frame("invalid_frame", "Frames are JSON text.", None))
        }
        Some(Ok(_)) => Incoming::Reply(Value::Null),
    }
}

fn seq_map(raw: HashMap<String, i64>) -> HashMap<i64, i64> {
    raw.into_iter()
        .filter_map(|(k, v)| k.parse().ok().map(|k| (k, v)))
        .collect()
}

/// A token bucket.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new() -> Self {
        Self {
            tokens: BURST,
            at: Instant::now(),
        }
    }
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * VISITOR_RATE).min(BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A visitor's session: its own conversations' messages (never notes), agents' typing and read
/// marks, and its conversation's status changes.
pub async fn run_visitor(mut socket: WebSocket, app: App, hub: Arc<Hub>, claims: VisitorClaims) {
    let mut live = hub.subscribe_contact(claims.account(), claims.c);
    let mut bucket = Bucket::new();
    if !send(
        &mut socket,
        &json!({"type": "welcome", "who": {"kind": "visitor", "id": claims.c}}),
    )
    .await
    {
        return;
    }
    // Still waiting for an agent: say where, so a reconnecting visitor need not wait for the
    // queue to move.
    if let Ok(Some((id, position, eta))) = app.visitor_queue_position(&claims).await
        && !send(
            &mut socket,
            &json!({"type": "queue", "conversation_id": id, "position": position, "estimated_wait_secs": eta}),
        )
        .await
    {
        return;
    }
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let frame = match parse(msg) {
                    Incoming::Close => return,
                    Incoming::Reply(v) => { if !v.is_null() && !send(&mut socket, &v).await { return } continue }
                    Incoming::Frame(f) => f,
                };
                let replies = visitor_frame(&app, &claims, &mut bucket, frame).await;
                for r in replies {
                    if !send(&mut socket, &r).await { return }
                }
            }
            item = live.recv() => {
                let text = match item {
                    Ok(item) if concerns(&claims, &item.live) => item.visitor_frame(visitor_view),
                    Ok(_) => None,
                    Err(RecvError::Lagged(_)) => Some(json!({"type": "resync"}).to_string().into()),
                    Err(RecvError::Closed) => return,
                };
                if let Some(t) = text && !send_text(&mut socket, t).await { return }
            }
        }
    }
}

async fn visitor_frame(
    app: &App,
    v: &VisitorClaims,
    bucket: &mut Bucket,
    frame: ClientFrame,
) -> Vec<Value> {
    match frame {
        ClientFrame::Ping => vec![json!({"type": "pong"})],
        ClientFrame::Hello { last_seq } => match app.visitor_resync(v, &seq_map(last_seq)).await {
            Ok(msgs) => msgs.iter().map(message_frame).collect(),
            Err(e) => vec![app_error_frame(&e, None)],
        },
        ClientFrame::Send {
            client_id,
            text,
            note,
            attachment_id,
            ..
        } => {
            let cid = client_id.as_deref();
            if note {
                return vec![error_frame(
                    "forbidden",
                    "Visitors cannot write notes.",
                    cid,
                )];
            }
            if !bucket.take() {
                return vec![error_frame(
                    "rate_limited",
                    "Too many messages; wait a moment.",
                    cid,
                )];
            }
            match app
                .visitor_send(v, cid, text.as_deref().unwrap_or(""), attachment_id)
                .await
            {
                Ok(view) => vec![ack_frame(cid, &view)],
                Err(e) => vec![app_error_frame(&e, cid)],
            }
        }
        ClientFrame::Typing { on, .. } => app
            .visitor_typing(v, on)
            .await
            .err()
            .map(|e| app_error_frame(&e, None))
            .into_iter()
            .collect(),
        ClientFrame::Read { seq, .. } => app
            .visitor_read(v, seq)
            .await
            .err()
            .map(|e| app_error_frame(&e, None))
            .into_iter()
            .collect(),
    }
}

/// Whether a live item concerns this visitor (its contact channel carries only those; checked
/// again so a routing mistake can never leak another customer's messages).
fn concerns(v: &VisitorClaims, item: &Live) -> bool {
    match item {
        Live::Message { conversation, .. }
        | Live::Conversation { conversation, .. }
        | Live::Typing { conversation, .. }
        | Live::Read { conversation, .. } => conversation.contact_id == v.c,
        Live::Queue { contact_id, .. } => *contact_id == v.c,
        Live::Presence { .. } | Live::Notice { .. } => false,
    }
}

/// What of a live item its visitor sees: never notes, never its own typing or reads.
fn visitor_view(item: &Live) -> Option<Value> {
    match item {
        Live::Message {
            message,
            sender_name,
            ..
        } if message.kind != "note" => {
            let view = MessageView {
                message: (**message).clone(),
                sender_name: sender_name.clone(),
            };
            Some(message_frame(&view))
        }
        Live::Conversation {
            conversation,
            event,
        } => Some(json!({
            "type": "conversation", "event": event, "conversation": VisitorConversationDto::from(&**conversation),
        })),
        Live::Typing {
            conversation,
            from: from @ Party::Agent(_),
            on,
        } => Some(json!({
            "type": "typing", "conversation_id": conversation.id, "from": party(*from), "on": on,
        })),
        Live::Read {
            conversation,
            by: by @ Party::Agent(_),
            seq,
        } => Some(json!({
            "type": "read", "conversation_id": conversation.id, "by": party(*by), "seq": seq,
        })),
        Live::Queue {
            conversation_id,
            position,
            estimated_wait_secs,
            ..
        } => Some(json!({
            "type": "queue", "conversation_id": conversation_id, "position": position,
            "estimated_wait_secs": estimated_wait_secs,
        })),
        _ => None,
    }
}

/// An agent's session: messages and changes of every conversation the agent may see.
pub async fn run_agent(
    mut socket: WebSocket,
    app: App,
    hub: Arc<Hub>,
    principal: Principal,
    team_ids: Vec<i64>,
) {
    let mut live = hub.subscribe_agents(principal.account_id());
    if !send(
        &mut socket,
        &json!({"type": "welcome", "who": {"kind": "agent", "id": principal.user_id().0}}),
    )
    .await
    {
        return;
    }
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let frame = match parse(msg) {
                    Incoming::Close => return,
                    Incoming::Reply(v) => { if !v.is_null() && !send(&mut socket, &v).await { return } continue }
                    Incoming::Frame(f) => f,
                };
                for r in agent_frame(&app, &principal, frame).await {
                    if !send(&mut socket, &r).await { return }
                }
            }
            item = live.recv() => {
                let text = match item {
                    Ok(item) if agent_wants(&principal, &team_ids, &item.live) => item.agent_frame(agent_view),
                    // A conversation this agent may no longer see (assigned or transferred
                    // away): only its id, so the agent's list drops it.
                    Ok(item) => match &item.live {
                        Live::Conversation { conversation, .. } => Some(
                            json!({"type": "conversation_hidden", "conversation_id": conversation.id})
                                .to_string()
                                .into(),
                        ),
                        _ => None,
                    },
                    Err(RecvError::Lagged(_)) => Some(json!({"type": "resync"}).to_string().into()),
                    Err(RecvError::Closed) => return,
                };
                if let Some(t) = text && !send_text(&mut socket, t).await { return }
            }
        }
    }
}

async fn agent_frame(app: &App, p: &Principal, frame: ClientFrame) -> Vec<Value> {
    let need = |id: Option<i64>| {
        id.ok_or_else(|| error_frame("invalid_frame", "conversation_id is required.", None))
    };
    match frame {
        ClientFrame::Ping => vec![json!({"type": "pong"})],
        ClientFrame::Hello { last_seq } => {
            let mut out = Vec::new();
            for (id, seq) in seq_map(last_seq) {
                match app.conversation_messages(p, id, seq, 1000).await {
                    Ok(msgs) => out.extend(msgs.iter().map(message_frame)),
                    Err(e) => out.push(app_error_frame(&e, None)),
                }
            }
            out
        }
        ClientFrame::Send {
            client_id,
            conversation_id,
            text,
            note,
            attachment_id,
        } => {
            let cid = client_id.clone();
            let id = match need(conversation_id) {
                Ok(id) => id,
                Err(f) => return vec![f],
            };
            let input = AgentMessage {
                client_id,
                text: text.unwrap_or_default(),
                note,
                attachment_id,
            };
            match app.agent_send(p, id, input).await {
                Ok(view) => vec![ack_frame(cid.as_deref(), &view)],
                Err(e) => vec![app_error_frame(&e, cid.as_deref())],
            }
        }
        ClientFrame::Typing {
            conversation_id,
            on,
        } => {
            let id = match need(conversation_id) {
                Ok(id) => id,
                Err(f) => return vec![f],
            };
            app.agent_typing(p, id, on)
                .await
                .err()
                .map(|e| app_error_frame(&e, None))
                .into_iter()
                .collect()
        }
        ClientFrame::Read {
            conversation_id,
            seq,
        } => {
            let id = match need(conversation_id) {
                Ok(id) => id,
                Err(f) => return vec![f],
            };
            app.agent_read(p, id, seq)
                .await
                .err()
                .map(|e| app_error_frame(&e, None))
                .into_iter()
                .collect()
        }
    }
}

/// Whether an agent may see a conversation, from what the session knows (its teams as of connect).
fn agent_sees(
    p: &Principal,
    teams: &[i64],
    c: &yingke_app::store::conversations::Conversation,
) -> bool {
    if p.role().at_least(Role::Supervisor) || c.assignee_id == Some(p.user_id().0) {
        return true;
    }
    c.assignee_id.is_none() && c.team_id.is_none_or(|t| teams.contains(&t))
}

/// Whether this agent gets a live item: conversations it may see, not its own typing.
fn agent_wants(p: &Principal, teams: &[i64], item: &Live) -> bool {
    match item {
        Live::Message { conversation, .. }
        | Live::Conversation { conversation, .. }
        | Live::Read { conversation, .. } => agent_sees(p, teams, conversation),
        Live::Typing {
            conversation, from, ..
        } => agent_sees(p, teams, conversation) && *from != Party::Agent(p.user_id().0),
        Live::Presence { .. } => true,
        Live::Notice { user_id, .. } => *user_id == p.user_id().0,
        Live::Queue { .. } => false,
    }
}

/// The frame agents get for a live item (the same for every agent who wants it).
fn agent_view(item: &Live) -> Option<Value> {
    match item {
        Live::Message {
            message,
            sender_name,
            ..
        } => {
            let view = MessageView {
                message: (**message).clone(),
                sender_name: sender_name.clone(),
            };
            Some(message_frame(&view))
        }
        Live::Conversation {
            conversation,
            event,
        } => Some(json!({
            "type": "conversation", "event": event, "conversation": ConversationDto::from(&**conversation),
        })),
        Live::Typing {
            conversation,
            from,
            on,
        } => Some(json!({
            "type": "typing", "conversation_id": conversation.id, "from": party(*from), "on": on,
        })),
        Live::Read {
            conversation,
            by,
            seq,
        } => Some(json!({
            "type": "read", "conversation_id": conversation.id, "by": party(*by), "seq": seq,
        })),
        Live::Presence { user_id, status } => {
            Some(json!({"type": "presence", "user_id": user_id, "status": status}))
        }
        Live::Notice { kind, payload, .. } => {
            Some(json!({"type": "notice", "kind": kind, "notice": &**payload}))
        }
        Live::Queue { .. } => None,
    }
}
