/**
 * The dashboard's one way to the API. The access token lives only in this object (page memory);
 * the refresh token is an HttpOnly cookie the page never sees; cookie-authenticated calls
 * (refresh, logout) carry the CSRF token from the `sutazai_csrf` cookie. A 401 on a call
 * refreshes once and retries; a failed refresh signs out.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ path?: string; message?: string }> = [],
    /** Seconds, from Retry-After, when the server gave one. */
    readonly retryAfter: number | undefined = undefined,
  ) {
    super(message);
  }
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  csrf_token?: string;
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export function readCookie(cookie: string, name: string): string | undefined {
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** The catalogue error in a response body, or a generic one naming the status. */
export async function errorOf(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: Array<{ path?: string; message?: string }> };
    };
    if (body.error?.code)
      return new ApiError(
        res.status,
        body.error.code,
        body.error.message ?? res.statusText,
        body.error.details ?? [],
        retryAfter,
      );
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, 'HTTP_' + res.status, `The server answered ${res.status}`, [], retryAfter);
}

export class ApiClient {
  private accessToken: string | null = null;
  private csrf: string | undefined;
  private refreshing: Promise<boolean> | undefined;
  onSignedOut: () => void = () => undefined;

  constructor(
    private readonly fetchFn: FetchFn = (input, init) => fetch(input, init),
    private readonly cookies: () => string = () => document.cookie,
  ) {}

  get token(): string | null {
    return this.accessToken;
  }

  private csrfToken(): string {
    return readCookie(this.cookies(), 'sutazai_csrf') ?? this.csrf ?? '';
  }

  private accept(answer: TokenAnswer): void {
    this.accessToken = answer.access_token;
    if (answer.csrf_token) this.csrf = answer.csrf_token;
  }

  async login(username: string, password: string): Promise<void> {
    const res = await this.fetchFn('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ username, password, session: 'cookie' }),
    });
    if (!res.ok) throw await errorOf(res);
    this.accept((await res.json()) as TokenAnswer);
  }

  /** Trades the refresh cookie for a new access token; false when there is no valid session. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const res = await this.fetchFn('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrfToken() },
      credentials: 'same-origin',
      body: '{}',
    }).catch(() => undefined);
    if (!res?.ok) {
      this.accessToken = null;
      return false;
    }
    this.accept((await res.json()) as TokenAnswer);
    return true;
  }

  async logout(): Promise<void> {
    await this.fetchFn('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrfToken() },
      credentials: 'same-origin',
      body: '{}',
    }).catch(() => undefined);
    this.accessToken = null;
    this.onSignedOut();
  }

  /** A raw authenticated call (streams use this); refreshes once on 401. */
  async send(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
    const attempt = () =>
      this.fetchFn(path, {
        ...init,
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {}),
          ...(init.headers as Record<string, string> | undefined),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    let res = await attempt();
    if (res.status === 401) {
      if (!(await this.refresh())) {
        this.onSignedOut();
        throw await errorOf(res);
      }
      res = await attempt();
    }
    return res;
  }

  /** A JSON call: the parsed body, or an ApiError with the catalogue code. */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    init: RequestInit = {},
    /** Non-2xx statuses whose body is still the answer (e.g. 503 from a health report). */
    accept: readonly number[] = [],
  ): Promise<T> {
    const res = await this.send(method, path, body, init);
    if (!res.ok && !accept.includes(res.status)) throw await errorOf(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  get<T>(path: string, signal?: AbortSignal, accept: readonly number[] = []): Promise<T> {
    return this.call<T>('GET', path, undefined, signal ? { signal } : {}, accept);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }
}

/** `?a=1&b=x` from the defined, non-empty entries. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
