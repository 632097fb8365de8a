// Readers for the JSON objects the OpenAPI document leaves open (`{"type": "object"}`): channel
// settings, a conversation's source, a message's attachment, contact attributes. Their content
// partly comes from visitors, so every field is checked before use.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A value of a custom attribute or form answer as one line of text. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(displayValue).filter(Boolean).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The generated schema types an open object as `Record<string, never>`; this passes a typed
 * value where the API accepts any object.
 */
export function toOpenObject(value: object): Record<string, never> {
  return value as Record<string, never>;
}

/** A URL only when it is http(s); anything else (javascript:, data:…) is shown as text. */
export function safeHttpUrl(value: string, base: string = globalThis.location?.origin ?? 'http://localhost'): string | null {
  try {
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
