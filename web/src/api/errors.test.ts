import { describe, expect, it } from 'vitest';
import { parseErrorResponse, parseRetryAfter } from './errors';

describe('error envelope parsing', () => {
  it('reads code, message and details', () => {
    const error = parseErrorResponse(
      422,
      {
        error: {
          code: 'validation_failed',
          message: 'The request is invalid.',
          details: [
            { field: 'email', message: 'must be a valid e-mail address' },
            { field: 'members[2].user_id', message: 'no such user' },
          ],
        },
      },
      new Headers({ 'x-request-id': 'req-1' }),
    );
    expect(error.status).toBe(422);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('The request is invalid.');
    expect(error.details).toEqual([
      { field: 'email', message: 'must be a valid e-mail address' },
      { field: 'members[2].user_id', message: 'no such user' },
    ]);
    expect(error.requestId).toBe('req-1');
    expect(error.retryAfter).toBeNull();
  });

  it('treats missing details as none and drops malformed ones', () => {
    expect(parseErrorResponse(409, { error: { code: 'conflict', message: 'taken' } }).details).toEqual([]);
    const error = parseErrorResponse(422, {
      error: { code: 'validation_failed', message: 'bad', details: [{ field: 'name' }, { field: 'name', message: 'too long' }] },
    });
    expect(error.details).toEqual([{ field: 'name', message: 'too long' }]);
  });

  it('reads Retry-After seconds on 429', () => {
    const error = parseErrorResponse(
      429,
      { error: { code: 'too_many_attempts', message: 'slow down' } },
      new Headers({ 'Retry-After': '42' }),
    );
    expect(error.code).toBe('too_many_attempts');
    expect(error.retryAfter).toBe(42);
  });

  it('accepts Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-11-21T05:00:00Z');
    expect(parseRetryAfter('Sat, 21 Nov 2026 05:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('keeps a body that is not an envelope as the message', () => {
    const error = parseErrorResponse(502, 'Bad Gateway');
    expect(error.code).toBe('unexpected_response');
    expect(error.message).toBe('Bad Gateway');
    expect(parseErrorResponse(500, undefined).message).toBe('HTTP 500');
  });
});
