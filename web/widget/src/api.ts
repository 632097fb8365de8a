// Visitor REST calls. Errors follow docs/api-design.md:
// {"error": {"code", "message", "details": [{"field", "message"}]}}.

import type {
  Attachment,
  MessagesResponse,
  NoticesResponse,
  PageInfo,
  SessionRequest,
  SessionResponse,
  WidgetConfig,
} from './types';

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Network failure or a server fault: worth retrying later. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

async function toApiError(res: Response): Promise<ApiError> {
  let code = 'http_' + res.status;
  let message = res.statusText || 'Request failed';
  let details: FieldError[] = [];
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: FieldError[] } };
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      details = Array.isArray(body.error.details) ? body.error.details : [];
    }
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, code, message, details);
}

export class WidgetApi {
  token: string | null = null;

  constructor(
    private readonly base: string,
    private readonly channelKey: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  url(path: string): string {
    return new URL(path, this.base).href;
  }

  private async request<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (auth && this.token) headers.Authorization = `Visitor ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path), {
        method,
        headers,
        body: payload,
        credentials: 'omit',
        mode: 'cors',
      });
    } catch (err) {
      throw new ApiError(0, 'network', err instanceof Error ? err.message : 'network error');
    }
    if (!res.ok) throw await toApiError(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private channelPath(suffix: string): string {
    return `api/v1/widget/${encodeURIComponent(this.channelKey)}/${suffix}`;
  }

  config(): Promise<WidgetConfig> {
    return this.request('GET', this.channelPath('config'), undefined, false);
  }

  session(body: SessionRequest): Promise<SessionResponse> {
    return this.request('POST', this.channelPath('sessions'), body, false);
  }

  pageView(page: PageInfo): Promise<void> {
    return this.request('POST', 'api/v1/widget/page-views', page);
  }

  messages(afterSeq: number): Promise<MessagesResponse> {
    return this.request('GET', `api/v1/widget/messages?after_seq=${Math.max(0, Math.floor(afterSeq))}`);
  }

  upload(file: File): Promise<Attachment> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.request('POST', 'api/v1/widget/attachments', form);
  }

  /** The visitor's message centre: ticket progress notices, newest first. */
  notices(): Promise<NoticesResponse> {
    return this.request('GET', 'api/v1/widget/notices');
  }

  readNotice(id: number): Promise<void> {
    return this.request('POST', `api/v1/widget/notices/${encodeURIComponent(String(id))}/read`);
  }

  csat(score: number, comment?: string): Promise<void> {
    const body: { score: number; comment?: string } = { score };
    if (comment && comment.trim()) body.comment = comment.trim();
    return this.request('POST', 'api/v1/widget/csat', body);
  }
}
