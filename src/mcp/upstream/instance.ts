import { randomUUID } from 'node:crypto';
import {
  SdkHttpError,
  specTypeSchemas,
  type Client,
  type RequestOptions,
  type StandardSchemaV1,
} from '@modelcontextprotocol/client';
import type { ServerSpec } from '../config/server-spec.js';
import type { ServerChild } from '../process/child.js';
import { isNetworkError } from '../errors.js';
import { connectInstance, type ConnectOptions, type Connection, type UpstreamRequest } from './connect.js';

/** The /mcp client request a call on an instance is made for: where its server requests go. */
export interface Origin {
  session: string;
  /** Absent for a request the client caused by a notification (roots/list_changed). */
  requestId?: string | number;
}

/** How long a roots/list_changed from a session stands for the server's next roots/list. */
const ROOTS_ASK_MS = 10_000;

export interface InstanceOptions extends Omit<ConnectOptions, 'onServerRequest'> {
  /** A server-to-client request, with the origins of the calls in flight on this instance. */
  onServerRequest?: (request: UpstreamRequest, origins: Origin[]) => Promise<unknown>;
}

/**
 * The result schema of each method the gateway forwards, handed to the SDK explicitly: without
 * one, the SDK first probes its schema table by validating `undefined` and formatting the
 * resulting error, on every request (a twentieth of the gateway's CPU per tool call).
 */
const RESULT_SCHEMAS: Readonly<Record<string, StandardSchemaV1>> = {
  'tools/call': specTypeSchemas.CallToolResult,
  'tools/list': specTypeSchemas.ListToolsResult,
  'resources/list': specTypeSchemas.ListResourcesResult,
  'resources/templates/list': specTypeSchemas.ListResourceTemplatesResult,
  'resources/read': specTypeSchemas.ReadResourceResult,
  'prompts/list': specTypeSchemas.ListPromptsResult,
  'prompts/get': specTypeSchemas.GetPromptResult,
  'completion/complete': specTypeSchemas.CompleteResult,
  'logging/setLevel': specTypeSchemas.EmptyResult,
  'resources/subscribe': specTypeSchemas.EmptyResult,
  'resources/unsubscribe': specTypeSchemas.EmptyResult,
  ping: specTypeSchemas.EmptyResult,
};

/**
 * One running copy of a server: a child process (stdio) or a remote session (HTTP), and the SDK
 * client connected to it. Counts its in-flight calls; reports when it goes away unexpectedly.
 */
export class Instance {
  readonly id = randomUUID().slice(0, 8);
  readonly startedAt = Date.now();
  inFlight = 0;
  lastUsedAt = Date.now();
  lastPingOkAt: number | null = null;
  stopping = false;
  /** Its /mcp session ended: stop it as soon as it has no call (per-session sharing). */
  sessionEnded = false;
  private conn!: Connection;
  private onGone?: (instance: Instance) => void;
  private reconnecting?: Promise<void>;
  /** The client requests behind the calls in flight here (bounded by maxInFlight). */
  private readonly origins = new Map<symbol, Origin>();
  private readonly options: ConnectOptions;

  private constructor(
    readonly spec: ServerSpec,
    readonly sessionKey: string | null,
    options: InstanceOptions,
    private readonly graceMs: number,
  ) {
    const relay = options.onServerRequest;
    this.options = {
      ...options,
      onServerRequest: (request) =>
        relay
          ? relay(request, this.originsFor(request.method))
          : Promise.reject(new Error(`no client to relay ${request.method} to`)),
    };
  }

  /** The session whose roots/list_changed this server may be answering with a roots/list. */
  private rootsAsked?: { session: string; until: number };

  private originsFor(method: string): Origin[] {
    const origins = [...this.origins.values()];
    const asked = this.rootsAsked;
    if (method !== 'roots/list' || origins.length > 0 || !asked || asked.until < Date.now()) return origins;
    this.rootsAsked = undefined;
    return [{ session: asked.session }];
  }

  /** Records the client request a call is made for, until the returned function is called. */
  track(origin: Origin | undefined): () => void {
    if (!origin) return () => {};
    const token = Symbol();
    this.origins.set(token, origin);
    return () => this.origins.delete(token);
  }

  /**
   * Tells the server the roots of client session `session` changed (it announced
   * `roots.listChanged`); the roots/list it sends in reply, outside any call, goes to that session.
   */
  async rootsChanged(session: string): Promise<void> {
    if (!this.options.capabilities?.roots) return;
    this.rootsAsked = { session, until: Date.now() + ROOTS_ASK_MS };
    await this.conn.client.sendRootsListChanged();
  }

  static async start(
    spec: ServerSpec,
    sessionKey: string | null,
    options: InstanceOptions,
    graceMs: number,
    onGone: (instance: Instance) => void,
  ): Promise<Instance> {
    const instance = new Instance(spec, sessionKey, options, graceMs);
    await instance.connect(onGone);
    return instance;
  }

  private async connect(onGone: (instance: Instance) => void): Promise<void> {
    this.conn = await connectInstance(this.spec, this.options, this.graceMs);
    this.lastPingOkAt = Date.now();
    this.onGone = onGone;
    const conn = this.conn;
    conn.client.onclose = () => {
      if (!this.stopping && this.conn === conn) onGone(this);
    };
  }

  get child(): ServerChild | undefined {
    return this.conn.child;
  }

  get client(): Client {
    return this.conn.client;
  }

  get pid(): number | null {
    return this.conn.child?.pid ?? null;
  }

  /**
   * Sends one request. For an HTTP upstream: a 404 means the remote forgot our session (it
   * restarted), so the session is re-initialized and the request sent once more; a network failure
   * also re-initializes, but is retried only for methods that are safe to repeat (not tools/call,
   * which may already have run) — a tools/call fails with the network error (mapped to 503).
   */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: RequestOptions,
  ): Promise<unknown> {
    const failed = this.conn;
    const schema = RESULT_SCHEMAS[method];
    const request = { method, params } as never;
    const send = () =>
      schema
        ? this.conn.client.request(request, schema, options)
        : this.conn.client.request(request, options);
    try {
      return await send();
    } catch (err) {
      if (this.spec.transport.kind !== 'http' || options.signal?.aborted) throw err;
      const lost = lostBecause(err) ?? failed.lost; // failed.lost: we closed it under this request
      if (!lost) throw err;
      await this.reconnectHttp(failed, lost);
      if (lost === 'network' && method === 'tools/call') throw err;
      return send();
    }
  }

  /** One re-initialize at a time: concurrent failures on the same session share it. */
  private reconnectHttp(failed: Connection, lost: 'forgotten' | 'network'): Promise<void> {
    failed.lost ??= lost;
    if (this.conn !== failed) return this.reconnecting ?? Promise.resolve();
    this.reconnecting ??= this.replaceConnection().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private async replaceConnection(): Promise<void> {
    const old = this.conn;
    old.client.onclose = undefined;
    await old.client.close().catch(() => {});
    let conn: Connection;
    try {
      conn = await connectInstance(this.spec, this.options, this.graceMs);
    } catch (err) {
      // The remote is unreachable: this instance is gone (the runtime's back-off takes over).
      if (!this.stopping) this.onGone?.(this);
      throw err;
    }
    if (this.stopping) {
      await conn.client.close().catch(() => {});
      throw new Error('instance stopped while re-initializing');
    }
    conn.client.onclose = () => {
      if (!this.stopping && this.conn === conn) this.onGone?.(this);
    };
    this.conn = conn;
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.request('ping', undefined, { timeout: timeoutMs });
    this.lastPingOkAt = Date.now();
  }

  /** Detaches the client and kills the process tree. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    const conn = this.conn;
    if (!conn) return;
    await Promise.allSettled([conn.client.close(), conn.child?.kill(this.graceMs)]);
  }
}

/** Why an HTTP session is unusable: the remote forgot it (404) or the network failed. */
function lostBecause(err: unknown): 'forgotten' | 'network' | undefined {
  if (err instanceof SdkHttpError && err.status === 404) return 'forgotten';
  return isNetworkError(err) ? 'network' : undefined;
}
