// A web-widget channel's settings (the server's WidgetSettings; the schema leaves them open).

import { asObject, asString } from '../../api/open';

export const FIELD_KINDS = ['text', 'email', 'phone', 'textarea', 'select'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];
export const WIDGET_LOCALES = ['zh-CN', 'en'] as const;
export const MAX_FORM_FIELDS = 20;
export const DEFAULT_COLOUR = '#1677ff';

export interface PreChatField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  options?: string[];
}

export interface WidgetSettings {
  greeting: string;
  colour: string;
  locale: string;
  pre_chat_form: PreChatField[];
}

function isKind(value: string): value is FieldKind {
  return (FIELD_KINDS as readonly string[]).includes(value);
}

export function readSettings(raw: unknown): WidgetSettings {
  const s = asObject(raw);
  const form = Array.isArray(s.pre_chat_form) ? s.pre_chat_form : [];
  return {
    greeting: asString(s.greeting),
    colour: asString(s.colour) || DEFAULT_COLOUR,
    locale: asString(s.locale) || 'zh-CN',
    pre_chat_form: form.map((item) => {
      const f = asObject(item);
      const kind = asString(f.kind);
      const options = Array.isArray(f.options) ? f.options.filter((o): o is string => typeof o === 'string') : [];
      return {
        name: asString(f.name),
        label: asString(f.label),
        kind: isKind(kind) ? kind : 'text',
        required: f.required === true,
        ...(options.length > 0 ? { options } : {}),
      };
    }),
  };
}

/** A field name: 1–40 of a-z, 0-9, _ and - (the server's rule, checked early for a quick answer). */
export const KEY_PATTERN = /^[a-z0-9_-]{1,40}$/;

/**
 * The form path of an API error field: `settings.pre_chat_form[1].kind` → `['pre_chat_form', 1, 'kind']`,
 * `name` → `['name']`. `null` for a path that is not made of names and indexes.
 */
export function formPathOf(field: string, stripPrefix = 'settings.'): Array<string | number> | null {
  const path = field.startsWith(stripPrefix) ? field.slice(stripPrefix.length) : field;
  const parts: Array<string | number> = [];
  const re = /([a-z_][a-z0-9_]*)|\[(\d+)\]|\./gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(path)) !== null) {
    if (match[1] !== undefined) parts.push(match[1]);
    else if (match[2] !== undefined) parts.push(Number(match[2]));
    consumed = re.lastIndex;
    if (consumed === path.length) break;
  }
  return consumed === path.length && parts.length > 0 ? parts : null;
}
