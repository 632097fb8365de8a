import { describe, expect, it } from 'vitest';
import { channelBody, channelFormPath } from './ChannelFormModal';
import { formToPolicy, policyFormPath, policyToForm } from './PolicyTab';
import { ruleFormPath } from './RuleDrawer';
import { noticeTarget, readAssignment, readMention, readPolicy, readRule, readSkipReason, templateErrorPosition, ticketConditionFields, todoPath } from './model';
import { FIELDS } from '../../test/routingFields';

describe('notification model', () => {
  it('reads the line and column of a template error', () => {
    expect(templateErrorPosition('line 2, column 14: unknown variable ticket.nope')).toEqual({
      line: 2,
      column: 14,
      text: 'unknown variable ticket.nope',
    });
    expect(templateErrorPosition('must not be empty')).toBeNull();
  });

  it('leads a notice to its ticket, its conversation, or its to-do', () => {
    expect(noticeTarget({ todo_id: 3 }, 12)).toEqual({ path: '/tickets/12' });
    expect(noticeTarget({ conversation_id: 7, tag: 'vip' }, null)).toEqual({ path: '/inbox/7' });
    expect(noticeTarget({ todo_id: 3, strength: 'strong' }, null)).toEqual({ todoId: 3 });
    expect(noticeTarget({ todos: [] }, null)).toBeNull();
    expect(todoPath({ conversation_id: 5, ticket_id: 6 })).toBe('/inbox/5');
    expect(todoPath({ conversation_id: null, ticket_id: 6 })).toBe('/tickets/6');
    expect(todoPath({ conversation_id: null, ticket_id: null })).toBeNull();
  });

  it('reads a mention: who, where and the start of the note', () => {
    const params = { conversation_id: 12, conversation_number: 3, message_id: 40, by: 1, by_name: '李雷', excerpt: '@韩梅梅 请看' };
    expect(readMention(params)).toEqual({ conversationId: 12, conversationNumber: 3, messageId: 40, by: '李雷', excerpt: '@韩梅梅 请看' });
    expect(readMention({ by_name: '李雷' })).toBeNull();
    expect(noticeTarget(params, null)).toEqual({ path: '/inbox/12' });
  });

  it('reads a handover: who, which conversation and the transfer note', () => {
    const params = { conversation_id: 12, conversation_number: 3, by: 1, by_name: '李雷', note: '客户要退款' };
    expect(readAssignment(params)).toEqual({ conversationId: 12, conversationNumber: 3, by: '李雷', note: '客户要退款' });
    expect(readAssignment({ ...params, note: null })?.note).toBeNull();
    expect(readAssignment({ ...params, note: '  ' })?.note).toBeNull();
    expect(readAssignment({ by_name: '李雷', note: 'x' })).toBeNull();
    expect(noticeTarget(params, null)).toEqual({ path: '/inbox/12' });
  });

  it('reads skip reasons as the server tags them', () => {
    expect(readSkipReason({ reason: 'quiet_period', last_at: 1, until: 2 })).toEqual({ code: 'quiet_period', details: '{"last_at":1,"until":2}' });
    expect(readSkipReason({ reason: 'opted_out' })).toEqual({ code: 'opted_out', details: '' });
    expect(readSkipReason(null)).toBeNull();
  });

  it('turns do-not-disturb hours into minutes and back, and keeps them off when off', () => {
    const policy = readPolicy({
      max_per_ticket: 3,
      max_per_kind: 1,
      quiet_period_minutes: 30,
      dnd: { start_minute: 1320, end_minute: 480 },
      consent_required: ['email'],
      learn_preference: true,
      preference_min_tries: 3,
      confirm_timeout_minutes: 30,
      max_unconfirmed_retries: 1,
      max_attempts: 3,
      mask_phones: true,
      mask_emails: false,
      mask_addresses: true,
    });
    const form = policyToForm(policy);
    expect(form).toMatchObject({ dnd_on: true, dnd_start: '22:00', dnd_end: '08:00' });
    expect(formToPolicy(form)).toEqual(policy);
    expect(formToPolicy({ ...form, dnd_on: false }).dnd).toBeNull();
    expect(policyFormPath('dnd.start_minute')).toEqual(['dnd_start']);
    expect(policyFormPath('quiet_period_minutes')).toEqual(['quiet_period_minutes']);
    expect(policyFormPath('nonsense')).toBeNull();
  });

  it('sends only the secrets typed in, and the SMTP port as a number', () => {
    const values = {
      kind: 'smtp',
      name: '客服邮箱',
      enabled: true,
      position: 2,
      config: { host: 'smtp.example.com', port: '465', security: 'tls', from_address: 'kf@example.com' },
      secrets: { username: '', password: undefined },
    };
    expect(channelBody(values, false)).toEqual({
      name: '客服邮箱',
      enabled: true,
      config: { host: 'smtp.example.com', port: 465, security: 'tls', from_address: 'kf@example.com' },
      secrets: {},
      position: 2,
    });
    expect(channelBody({ ...values, secrets: { password: 'pw' } }, true)).toMatchObject({ kind: 'smtp', secrets: { password: 'pw' } });
    // A stored optional secret can be removed; one typed in wins over removing it.
    expect(channelBody({ ...values, clear: { username: true, password: true }, secrets: { password: 'pw' } }, false).secrets).toEqual({
      username: null,
      password: 'pw',
    });
    expect(channelFormPath('secrets.password')).toEqual(['secrets', 'password']);
    expect(channelFormPath('config.host')).toEqual(['config', 'host']);
  });

  it('reads whether a rule attaches files, off when the server leaves it out', () => {
    const raw = { id: 4, name: '工单已解决', trigger: 'ticket_resolved', media: ['email'], important: false };
    expect(readRule({ ...raw, attach_files: true }).attach_files).toBe(true);
    expect(readRule({ ...raw, attach_files: false }).attach_files).toBe(false);
    expect(readRule(raw).attach_files).toBe(false);
    expect(readRule({ ...raw, attach_files: 'yes' }).attach_files).toBe(false);
  });

  it('places rule errors on their inputs', () => {
    expect(ruleFormPath('recipients[1]')).toBe('recipients');
    expect(ruleFormPath('spec.attach_files')).toBe('attach_files');
    expect(ruleFormPath('spec.template')).toBe('template');
    expect(ruleFormPath('conditions.all[0].value')).toBeNull();
  });

  it('builds the ticket condition catalogue with the operators of each type', () => {
    const fields = ticketConditionFields(FIELDS, (name) => `#${name}`);
    const tags = fields.find((f) => f.name === 'ticket.tags');
    expect(tags?.ops).toEqual(FIELDS.find((f) => f.kind === 'tags')?.ops);
    expect(tags?.label).toBe('#ticket.tags');
    expect(fields.map((f) => f.name)).toContain('contact.custom.*');
  });
});
