import type { TFunction } from 'i18next';
import { isApiError } from './errors';

/** Error codes with their own translation under `errors.*`. */
const KNOWN_CODES = new Set([
  'malformed_json',
  'bad_request',
  'unauthenticated',
  'invalid_credentials',
  'forbidden',
  'csrf_failed',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'validation_failed',
  'too_many_attempts',
  'internal',
  'network_error',
  'unexpected_response',
]);

/** A sentence for the user describing any error thrown by the API layer. */
export function describeError(t: TFunction, error: unknown): string {
  if (!isApiError(error)) return t('errors.unknown');
  if (error.code === 'too_many_attempts') {
    return error.retryAfter !== null
      ? t('errors.too_many_attempts_wait', { seconds: error.retryAfter })
      : t('errors.too_many_attempts');
  }
  if (error.code === 'validation_failed' && error.details.length > 0) {
    const fields = error.details.map((d) => `${d.field}: ${d.message}`).join('; ');
    return `${t('errors.validation_failed')} ${fields}`;
  }
  if (KNOWN_CODES.has(error.code)) return t(`errors.${error.code}`);
  return error.message || t('errors.unknown');
}
