-- The audit trail reads administrators' changes out of the outbox, newest first. Only those
-- rows are indexed (a partial index), so appending messages and routing events costs nothing
-- more. The list is repo::events::AUDIT_KINDS; queries repeat it literally so the planner can
-- match the index.
CREATE INDEX events_audit_idx ON events (account_id, seq)
    WHERE kind IN ('user_created', 'user_updated', 'user_deactivated', 'user_reactivated',
                   'team_created', 'team_updated', 'team_deleted', 'team_member_added',
                   'team_member_removed', 'channel_created', 'channel_updated',
                   'routing_rule_changed', 'setting_changed');
