// What a conversation's `source` and a message's `attachment` hold (the server's shapes; the
// schema leaves both open).

import { asNumber, asObject, asString, displayValue } from '../../api/open';

export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

export interface EntrySource {
  key: string;
  name: string;
  campaign: string;
  adPlan: string;
  businessModule: string;
  landingPage: string;
}

export interface ConversationSource {
  channelId: number | null;
  entry: EntrySource | null;
  utm: Array<{ key: string; value: string }>;
  landingPage: string;
  referrer: string;
  device: string;
  language: string;
  /** Pre-chat form answers by field name. */
  form: Array<{ name: string; value: string }>;
}

export function readSource(raw: unknown): ConversationSource {
  const source = asObject(raw);
  const entryRaw = source.entry;
  const entry =
    typeof entryRaw === 'object' && entryRaw !== null
      ? {
          key: asString(asObject(entryRaw).key),
          name: asString(asObject(entryRaw).name),
          campaign: asString(asObject(entryRaw).campaign),
          adPlan: asString(asObject(entryRaw).ad_plan),
          businessModule: asString(asObject(entryRaw).business_module),
          landingPage: asString(asObject(entryRaw).landing_page),
        }
      : null;
  const utm = asObject(source.utm);
  const form = asObject(source.form);
  return {
    channelId: asNumber(source.channel_id),
    entry,
    utm: UTM_KEYS.flatMap((key) => (asString(utm[key]) ? [{ key, value: asString(utm[key]) }] : [])),
    landingPage: asString(source.landing_page),
    referrer: asString(source.referrer),
    device: asString(source.device),
    language: asString(source.language),
    form: Object.entries(form).flatMap(([name, value]) => (displayValue(value) ? [{ name, value: displayValue(value) }] : [])),
  };
}

export interface MessageAttachment {
  id: number | null;
  url: string;
  mime: string;
  size: number | null;
  name: string;
}

export function readAttachment(raw: unknown): MessageAttachment | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const a = asObject(raw);
  const url = asString(a.url);
  if (!url) return null;
  return { id: asNumber(a.id), url, mime: asString(a.mime), size: asNumber(a.size), name: asString(a.name) };
}

/** Bytes as KB or MB, one decimal. */
export function formatSize(size: number | null): string {
  if (size === null) return '';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
