//! Domain events: the facts appended to the outbox in the same transaction as the change that
//! caused them. Consumers (real-time fan-out, automation, notifications, reports) read them at least
//! once. Payloads carry ids, never personal data such as e-mail addresses.

use serde::{Deserialize, Serialize};

use crate::{Role, TeamId, UserId};

/// Version of the on-disk payload format; bump when a variant changes incompatibly.
pub const EVENT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DomainEvent {
    AccountCreated,
    UserCreated {
        user_id: UserId,
        role: Role,
    },
    UserUpdated {
        user_id: UserId,
        fields: Vec<String>,
    },
    UserDeactivated {
        user_id: UserId,
    },
    UserReactivated {
        user_id: UserId,
    },
    TeamCreated {
        team_id: TeamId,
    },
    TeamUpdated {
        team_id: TeamId,
        fields: Vec<String>,
    },
    TeamDeleted {
        team_id: TeamId,
    },
    TeamMemberAdded {
        team_id: TeamId,
        user_id: UserId,
    },
    TeamMemberRemoved {
        team_id: TeamId,
        user_id: UserId,
    },
    ChannelCreated {
        channel_id: i64,
    },
    ChannelUpdated {
        channel_id: i64,
    },
    ContactCreated {
        contact_id: i64,
    },
    ContactUpdated {
        contact_id: i64,
        fields: Vec<String>,
    },
    ContactMerged {
        from: i64,
        into: i64,
    },
    ConversationCreated {
        conversation_id: i64,
        contact_id: i64,
    },
    MessageCreated {
        conversation_id: i64,
        message_id: i64,
        seq: i64,
        sender_kind: String,
        message_kind: String,
    },
    ConversationAssigned {
        conversation_id: i64,
        assignee_id: Option<UserId>,
        team_id: Option<TeamId>,
    },
    ConversationStatusChanged {
        conversation_id: i64,
        from: String,
        to: String,
    },
    ConversationTagged {
        conversation_id: i64,
        tag: String,
        added: bool,
    },
    /// A routing decision was made (its trace is stored under `decision_id`).
    ConversationRouted {
        conversation_id: i64,
        decision_id: i64,
        reason: String,
        outcome: String,
        agent_id: Option<i64>,
        team_id: Option<i64>,
    },
    /// An agent's availability or capacity changed.
    AgentStateChanged {
        user_id: i64,
        status: String,
    },
    RoutingRuleChanged {
        rule_id: i64,
        change: String,
    },
    TicketCreated {
        ticket_id: i64,
        number: String,
        conversation_id: Option<i64>,
    },
    /// Any move between states, with the state kinds (notifications key on kinds).
    TicketStatusChanged {
        ticket_id: i64,
        from: String,
        to: String,
        to_kind: String,
        reason: Option<String>,
    },
    TicketResolved {
        ticket_id: i64,
        contact_id: Option<i64>,
    },
    TicketAssigned {
        ticket_id: i64,
        assignee_id: Option<i64>,
    },
    TicketTransferred {
        ticket_id: i64,
        from_team_id: Option<i64>,
        to_team_id: i64,
        reason: String,
    },
    TicketPriorityChanged {
        ticket_id: i64,
        from: String,
        to: String,
    },
    TicketReplied {
        ticket_id: i64,
        /// `agent`, `customer` or `note` (internal).
        author: String,
    },
    /// A progress marker ("已联系供应商"): customers may be told.
    TicketMarkerAdded {
        ticket_id: i64,
        marker_id: i64,
        marker: String,
    },
    TicketSlaWarning {
        ticket_id: i64,
        metric: String,
        due_at: Option<i64>,
    },
    TicketSlaBreached {
        ticket_id: i64,
        metric: String,
        due_at: Option<i64>,
    },
    TicketEscalated {
        ticket_id: i64,
        metric: String,
        stage: String,
        action: String,
    },
    /// A side to-do was created (by hand, from a template, by rule `rule_id`, or by a chain).
    TodoCreated {
        todo_id: i64,
        owner_id: i64,
        rule_id: Option<i64>,
    },
    TodoStatusChanged {
        todo_id: i64,
        from: String,
        to: String,
    },
    /// An automation rule acted (or was stopped by its frequency limit) for a subject.
    AutomationRuleFired {
        rule_id: i64,
        subject: String,
        outcome: String,
    },
    /// An administrator changed a setting (the audit trail of configuration): which kind of
    /// setting, which one (`None` for account-wide settings), what was done, and its name then.
    SettingChanged {
        area: SettingArea,
        id: Option<i64>,
        action: SettingAction,
        name: Option<String>,
    },
}

/// The settings an administrator changes whose changes are audited (besides people, teams,
/// channels and routing rules, which have their own events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingArea {
    AttributeDefinition,
    AutomationRule,
    CannedResponse,
    EntryPoint,
    ContactImport,
    ContactNoticePreferences,
    NoticePolicy,
    NoticeRule,
    NoticeTemplate,
    NoticeChannel,
    RoutingSettings,
    TeamRouting,
    AgentRouting,
    Calendar,
    SlaPolicy,
    SlaThresholds,
    TicketWorkflow,
    TicketCategory,
    TicketMarker,
    TodoTemplate,
    TodoSettings,
    Timer,
}

impl SettingArea {
    pub const ALL: [SettingArea; 22] = [
        SettingArea::AttributeDefinition,
        SettingArea::AutomationRule,
        SettingArea::CannedResponse,
        SettingArea::EntryPoint,
        SettingArea::ContactImport,
        SettingArea::ContactNoticePreferences,
        SettingArea::NoticePolicy,
        SettingArea::NoticeRule,
        SettingArea::NoticeTemplate,
        SettingArea::NoticeChannel,
        SettingArea::RoutingSettings,
        SettingArea::TeamRouting,
        SettingArea::AgentRouting,
        SettingArea::Calendar,
        SettingArea::SlaPolicy,
        SettingArea::SlaThresholds,
        SettingArea::TicketWorkflow,
        SettingArea::TicketCategory,
        SettingArea::TicketMarker,
        SettingArea::TodoTemplate,
        SettingArea::TodoSettings,
        SettingArea::Timer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SettingArea::AttributeDefinition => "attribute_definition",
            SettingArea::AutomationRule => "automation_rule",
            SettingArea::CannedResponse => "canned_response",
            SettingArea::EntryPoint => "entry_point",
            SettingArea::ContactImport => "contact_import",
            SettingArea::ContactNoticePreferences => "contact_notice_preferences",
            SettingArea::NoticePolicy => "notice_policy",
            SettingArea::NoticeRule => "notice_rule",
            SettingArea::NoticeTemplate => "notice_template",
            SettingArea::NoticeChannel => "notice_channel",
            SettingArea::RoutingSettings => "routing_settings",
            SettingArea::TeamRouting => "team_routing",
            SettingArea::AgentRouting => "agent_routing",
            SettingArea::Calendar => "calendar",
            SettingArea::SlaPolicy => "sla_policy",
            SettingArea::SlaThresholds => "sla_thresholds",
            SettingArea::TicketWorkflow => "ticket_workflow",
            SettingArea::TicketCategory => "ticket_category",
            SettingArea::TicketMarker => "ticket_marker",
            SettingArea::TodoTemplate => "todo_template",
            SettingArea::TodoSettings => "todo_settings",
            SettingArea::Timer => "timer",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        SettingArea::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// What was done to a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingAction {
    Created,
    Updated,
    Deleted,
    /// Run by hand: a dead timer again, a contact import, a recomputation.
    Run,
}

impl DomainEvent {
    /// The `kind` column: the serde tag, so SQL can filter without parsing the payload.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AccountCreated => "account_created",
            Self::UserCreated { .. } => "user_created",
            Self::UserUpdated { .. } => "user_updated",
            Self::UserDeactivated { .. } => "user_deactivated",
            Self::UserReactivated { .. } => "user_reactivated",
            Self::TeamCreated { .. } => "team_created",
            Self::TeamUpdated { .. } => "team_updated",
            Self::TeamDeleted { .. } => "team_deleted",
            Self::TeamMemberAdded { .. } => "team_member_added",
            Self::TeamMemberRemoved { .. } => "team_member_removed",
            Self::ChannelCreated { .. } => "channel_created",
            Self::ChannelUpdated { .. } => "channel_updated",
            Self::ContactCreated { .. } => "contact_created",
            Self::ContactUpdated { .. } => "contact_updated",
            Self::ContactMerged { .. } => "contact_merged",
            Self::ConversationCreated { .. } => "conversation_created",
            Self::MessageCreated { .. } => "message_created",
            Self::ConversationAssigned { .. } => "conversation_assigned",
            Self::ConversationStatusChanged { .. } => "conversation_status_changed",
            Self::ConversationTagged { .. } => "conversation_tagged",
            Self::ConversationRouted { .. } => "conversation_routed",
            Self::AgentStateChanged { .. } => "agent_state_changed",
            Self::RoutingRuleChanged { .. } => "routing_rule_changed",
            Self::TicketCreated { .. } => "ticket_created",
            Self::TicketStatusChanged { .. } => "ticket_status_changed",
            Self::TicketResolved { .. } => "ticket_resolved",
            Self::TicketAssigned { .. } => "ticket_assigned",
            Self::TicketTransferred { .. } => "ticket_transferred",
            Self::TicketPriorityChanged { .. } => "ticket_priority_changed",
            Self::TicketReplied { .. } => "ticket_replied",
            Self::TicketMarkerAdded { .. } => "ticket_marker_added",
            Self::TicketSlaWarning { .. } => "ticket_sla_warning",
            Self::TicketSlaBreached { .. } => "ticket_sla_breached",
            Self::TicketEscalated { .. } => "ticket_escalated",
            Self::TodoCreated { .. } => "todo_created",
            Self::TodoStatusChanged { .. } => "todo_status_changed",
            Self::AutomationRuleFired { .. } => "automation_rule_fired",
            Self::SettingChanged { .. } => "setting_changed",
        }
    }

    /// The `subject` column: which object the event is about (`user:12`).
    pub fn subject(&self) -> String {
        match self {
            Self::AccountCreated => "account".into(),
            Self::UserCreated { user_id, .. }
            | Self::UserUpdated { user_id, .. }
            | Self::UserDeactivated { user_id }
            | Self::UserReactivated { user_id } => format!("user:{user_id}"),
            Self::TeamCreated { team_id }
            | Self::TeamUpdated { team_id, .. }
            | Self::TeamDeleted { team_id }
            | Self::TeamMemberAdded { team_id, .. }
            | Self::TeamMemberRemoved { team_id, .. } => format!("team:{team_id}"),
            Self::ChannelCreated { channel_id } | Self::ChannelUpdated { channel_id } => {
                format!("channel:{channel_id}")
            }
            Self::ContactCreated { contact_id } | Self::ContactUpdated { contact_id, .. } => {
                format!("contact:{contact_id}")
            }
            Self::ContactMerged { into, .. } => format!("contact:{into}"),
            Self::ConversationCreated {
                conversation_id, ..
            }
            | Self::MessageCreated {
                conversation_id, ..
            }
            | Self::ConversationAssigned {
                conversation_id, ..
            }
            | Self::ConversationStatusChanged {
                conversation_id, ..
            }
            | Self::ConversationTagged {
                conversation_id, ..
            }
            | Self::ConversationRouted {
                conversation_id, ..
            } => {
                format!("conversation:{conversation_id}")
            }
            Self::AgentStateChanged { user_id, .. } => format!("user:{user_id}"),
            Self::RoutingRuleChanged { rule_id, .. } => format!("routing_rule:{rule_id}"),
            Self::TicketCreated { ticket_id, .. }
            | Self::TicketStatusChanged { ticket_id, .. }
            | Self::TicketResolved { ticket_id, .. }
            | Self::TicketAssigned { ticket_id, .. }
            | Self::TicketTransferred { ticket_id, .. }
            | Self::TicketPriorityChanged { ticket_id, .. }
            | Self::TicketReplied { ticket_id, .. }
            | Self::TicketMarkerAdded { ticket_id, .. }
            | Self::TicketSlaWarning { ticket_id, .. }
            | Self::TicketSlaBreached { ticket_id, .. }
            | Self::TicketEscalated { ticket_id, .. } => format!("ticket:{ticket_id}"),
            Self::TodoCreated { todo_id, .. } | Self::TodoStatusChanged { todo_id, .. } => {
                format!("todo:{todo_id}")
            }
            Self::AutomationRuleFired { rule_id, .. } => format!("automation_rule:{rule_id}"),
            Self::SettingChanged { area, id, .. } => match id {
                Some(id) => format!("{}:{id}", area.as_str()),
                None => area.as_str().to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_matches_the_serde_tag() {
        let samples = [
            DomainEvent::AccountCreated,
            DomainEvent::UserCreated {
                user_id: UserId(1),
                role: Role::Agent,
            },
            DomainEvent::UserUpdated {
                user_id: UserId(1),
                fields: vec![],
            },
            DomainEvent::UserDeactivated { user_id: UserId(1) },
            DomainEvent::UserReactivated { user_id: UserId(1) },
            DomainEvent::TeamCreated { team_id: TeamId(1) },
            DomainEvent::TeamUpdated {
                team_id: TeamId(1),
                fields: vec![],
            },
            DomainEvent::TeamDeleted { team_id: TeamId(1) },
            DomainEvent::TeamMemberAdded {
                team_id: TeamId(1),
                user_id: UserId(2),
            },
            DomainEvent::TeamMemberRemoved {
                team_id: TeamId(1),
                user_id: UserId(2),
            },
            DomainEvent::SettingChanged {
                area: SettingArea::SlaPolicy,
                id: Some(3),
                action: SettingAction::Deleted,
                name: Some("VIP".into()),
            },
        ];
        for e in samples {
            let json = serde_json::to_value(&e).expect("serialisable");
            assert_eq!(json["kind"], e.kind());
        }
    }

    #[test]
    fn setting_areas_round_trip_through_their_names_as_serde_writes_them() {
        for area in SettingArea::ALL {
            assert_eq!(SettingArea::parse(area.as_str()), Some(area));
            assert_eq!(
                serde_json::to_value(area).expect("serialisable"),
                area.as_str()
            );
        }
        assert_eq!(SettingArea::parse("nope"), None);
    }
}
