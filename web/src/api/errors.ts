import type { components } from './schema';

type ErrorEnvelope = components['schemas']['ErrorEnvelope'];
/** One entry of `error.details`: the field path and what is wrong with it. */
export type FieldError = NonNullable<ErrorEnvelope['error']['details']>[number];

/** Codes the client produces itself when no server envelope is available. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  unexpected: 'unexpected_response',
} as const;

/** An error answered by the API (or a failure to reach it), parsed from the error envelope. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[];
  /** Seconds to wait before retrying, from `Retry-After` (429). */
  readonly retryAfter: number | null;
  readonly requestId: string | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: FieldError[];
    retryAfter?: number | null;
    requestId?: string | null;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.retryAfter = init.retryAfter ?? null;
    this.requestId = init.requestId ?? null;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

function isFieldError(value: unknown): value is FieldError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { field?: unknown }).field === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** Builds an ApiError from a non-2xx answer; `body` is the parsed JSON (or raw text) of the response. */
export function parseErrorResponse(status: number, body: unknown, headers?: Headers): ApiError {
  const retryAfter = parseRetryAfter(headers?.get('Retry-After') ?? null);
  const requestId = headers?.get('x-request-id') ?? null;
  if (isEnvelope(body)) {
    const details = Array.isArray(body.error.details) ? body.error.details.filter(isFieldError) : [];
    return new ApiError({ status, code: body.error.code, message: body.error.message, details, retryAfter, requestId });
  }
  const text = typeof body === 'string' && body.length > 0 ? body : `HTTP ${status}`;
  return new ApiError({ status, code: CLIENT_ERROR_CODES.unexpected, message: text, retryAfter, requestId });
}

export function networkError(cause: unknown): ApiError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({ status: 0, code: CLIENT_ERROR_CODES.network, message });
}
