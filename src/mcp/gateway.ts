import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type {
  CallToolResult,
  ClientCapabilities,
  ProgressCallback,
  Tool,
} from '@modelcontextprotocol/client';
import type { Logger } from 'pino';
import type { McpConfig } from '../config/schema.js';
import {
  OTHER_LABEL,
  boundedLabel,
  fixedLabel,
  mcpCallDuration,
  mcpErrors,
  mcpInFlight,
  type BoundedLabel,
} from '../metrics/index.js';
import { loadServers, toolAllowed, type ConfigProblem } from './config/load.js';
import { watchConfig, type ConfigWatcher } from './config/watch.js';
import { McpGatewayError, fromUpstream } from './errors.js';
import { Ledger, ledgerDir, reapLedger } from './process/ledger.js';
import { OrphanGuard } from './process/watchdog.js';
import { serverStatus, type ServerStatus } from './status.js';
import type { ServerRuntime } from './supervisor/server-runtime.js';
import { Supervisor } from './supervisor/supervisor.js';
import type { UpstreamRequest } from './upstream/connect.js';
import type { Instance, Origin } from './upstream/instance.js';

export interface GatewayOptions {
  /** `.mcp.json`; resolved against the working directory. */
  configPath: string;
  dataDir: string;
  logger: Logger;
  config: McpConfig;
  clock?: { now(): number };
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  onprogress?: ProgressCallback;
  /** The /mcp session (per-session servers get one instance per key). */
  sessionKey?: string | null;
  /** The /mcp client request this call serves: server-to-client requests it causes go there. */
  origin?: Origin;
}

/**
 * What shared and pooled instances announce upstream: one process serves many clients, so it
 * announces every relayable capability and each request is checked against the client it is
 * relayed to (decision 0040). Per-session instances announce exactly their client's.
 */
export const SHARED_CLIENT_CAPABILITIES: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

/** The /mcp side of server-to-client requests (the session manager). */
export interface ClientBridge {
  /** The capabilities the client of session `key` declared; undefined for no such session. */
  capabilities(key: string): ClientCapabilities | undefined;
  /** Relays a server-to-client request to the client session behind it; resolves to its answer. */
  serverRequest(
    server: string,
    key: string | null,
    request: UpstreamRequest,
    origins: Origin[],
  ): Promise<unknown>;
  /** A URL-mode elicitation finished upstream: tell the client session it was relayed to. */
  elicitationComplete(server: string, params: Record<string, unknown>): void;
  /** An instance (re)started: re-apply what sessions asked of it (resource subscriptions). */
  instanceReady(server: string, key: string | null, instance: Instance): void;
}

/** Methods the generic passthrough (`POST /api/v1/mcp/execute`) forwards. */
export const PASSTHROUGH_METHODS = [
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
  'ping',
] as const;

const LIST_KEYS: Record<string, string> = {
  'tools/list': 'tools',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
  'prompts/list': 'prompts',
};

/**
 * The MCP gateway: loads `.mcp.json`, supervises every server, and routes calls to instances
 * under the caps, timeouts and metrics. The REST routes, the /mcp endpoint, the tool provider and
 * the health probes are all views over this object.
 */
export class McpGateway {
  readonly supervisor: Supervisor;
  problems: ConfigProblem[] = [];
  configExists = false;
  private readonly ledger: Ledger;
  private readonly marker = randomBytes(8).toString('hex');
  private readonly guard: OrphanGuard;
  private watcher?: ConfigWatcher;
  private closing?: Promise<void>;
  private readonly now: () => number;
  /** Set by the /mcp session manager; without it server-to-client requests are refused. */
  bridge?: ClientBridge;
  readonly listeners = new Set<(kind: string, server: string) => void>();
  /** Told the moment a server's state may have changed (instance up, exit, failure, stop). */
  readonly stateListeners = new Set<(server: string) => void>();
  /** Log messages (`notifications/message`) from upstream instances; `key`: per-session owner. */
  /** `notifications/resources/updated` from upstream instances. */
  readonly updateListeners = new Set<(server: string, key: string | null, uri: string) => void>();
  readonly logListeners = new Set<
    (server: string, key: string | null, params: Record<string, unknown>) => void
  >();

  constructor(readonly options: GatewayOptions) {
    this.now = options.clock ? () => options.clock!.now() : Date.now;
    mkdirSync(options.dataDir, { recursive: true });
    // Created before the ledger, which reports to it from its first write.
    this.guard = new OrphanGuard(
      path.join(ledgerDir(options.dataDir), `${process.pid}-${this.marker}.json`),
      this.marker,
      options.config.killGraceMs,
    );
    this.ledger = new Ledger(options.dataDir, this.marker, (groups) => this.guard.update(groups));
    this.supervisor = new Supervisor(
      options.config,
      this.marker,
      this.ledger,
      options.logger,
      this.now,
      (server, kind) => this.emit(kind, server),
      (server) => {
        for (const l of this.stateListeners) l(server);
      },
      (server, key, params) => {
        for (const l of this.logListeners) l(server, key, params);
      },
      (server, key, uri) => {
        for (const l of this.updateListeners) l(server, key, uri);
      },
      {
        clientCapabilities: (key) =>
          key === null ? SHARED_CLIENT_CAPABILITIES : (this.bridge?.capabilities(key) ?? {}),
        onServerRequest: (server, key, request, origins) => {
          if (!this.bridge) return Promise.reject(new Error(`no client to relay ${request.method} to`));
          return this.bridge.serverRequest(server, key, request, origins);
        },
        onInstanceReady: (server, key, instance) => this.bridge?.instanceReady(server, key, instance),
        onElicitationComplete: (server, _key, params) => this.bridge?.elicitationComplete(server, params),
      },
    );
  }

  /** The orphan watchdog's pid while one runs (only while there are children). */
  get watchdogPid(): number | undefined {
    return this.guard.pid;
  }

  get config(): McpConfig {
    return this.options.config;
  }

  /**
   * Reads the config and starts the file watcher. Servers start lazily; the orphan watchdog runs
   * only while a child process exists.
   */
  async start(): Promise<void> {
    await this.reload();
    if (this.config.reloadDebounceMs > 0)
      this.watcher = watchConfig(
        this.options.configPath,
        this.config.reloadDebounceMs,
        () => void this.reload(),
      );
  }

  /** Re-reads `.mcp.json` and applies it: unchanged servers keep running, others drain. */
  async reload(): Promise<{
    added: string[];
    removed: string[];
    changed: string[];
    problems: ConfigProblem[];
  }> {
    const loaded = await loadServers(this.options.configPath, this.config);
    this.problems = loaded.problems;
    this.configExists = loaded.exists;
    for (const p of loaded.problems)
      this.options.logger.warn(
        { event: 'mcp:config:invalid', path: p.path, reason: p.message },
        'skipping bad .mcp.json entry',
      );
    const diff = this.supervisor.apply(loaded.servers);
    for (const name of [...diff.added, ...diff.removed, ...diff.changed]) this.emit('servers', name);
    if (diff.added.length + diff.removed.length + diff.changed.length > 0)
      this.options.logger.info({ event: 'mcp:config:applied', ...diff }, 'MCP servers reconfigured');
    return { ...diff, problems: loaded.problems };
  }

  emit(kind: string, server: string): void {
    for (const l of this.listeners) l(kind, server);
  }

  runtime(name: string): ServerRuntime {
    const rt = this.supervisor.get(name);
    if (!rt) throw new McpGatewayError('not_found', `MCP server ${name} is not declared`, { name });
    return rt;
  }

  serverNames(): string[] {
    return [...this.supervisor.runtimes.keys()].sort();
  }

  servers(): ServerStatus[] {
    return this.serverNames().map((n) => serverStatus(this.runtime(n), this.now(), this.config));
  }

  status() {
    const servers = this.servers();
    const count = (s: string) => servers.filter((x) => x.state === s).length;
    return {
      configPath: this.options.configPath,
      configFound: this.configExists,
      problems: this.problems,
      servers: servers.length,
      states: {
        ready: count('ready'),
        starting: count('starting'),
        stopped: count('stopped'),
        crashloop: count('crashloop'),
        disabled: count('disabled'),
      },
      processes: this.supervisor.budget.inUse,
      processCap: this.config.maxProcesses,
      inFlight: servers.reduce((n, s) => n + s.inFlight, 0),
      queued: servers.reduce((n, s) => n + s.queued, 0),
    };
  }

  /** One upstream request through an instance slot, with timeout, metrics and error mapping. */
  async request(
    server: string,
    method: string,
    params: Record<string, unknown> | undefined,
    options: CallOptions = {},
  ): Promise<unknown> {
    if (this.closing) throw new McpGatewayError('shutting_down', 'the MCP gateway is shutting down');
    const rt = this.runtime(server);
    const timeoutMs = options.timeoutMs ?? rt.spec.callTimeoutMs;
    const tool = method === 'tools/call' ? String(params?.name ?? '') : '';
    const started = performance.now();
    let outcome = 'error';
    const instance = await rt
      // A cold start is bounded by startTimeoutMs, not by a possibly short call timeout.
      .acquire(
        options.sessionKey ?? null,
        this.now() + Math.max(timeoutMs, this.config.startTimeoutMs),
        options.signal,
      )
      .catch((err) => {
        mcpErrors.inc({ server, kind: err instanceof McpGatewayError ? err.kind : 'acquire' });
        throw err;
      });
    mcpInFlight.inc({ server });
    const untrack = instance.track(options.origin);
    try {
      const result = await instance.request(method, params, {
        timeout: timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: Math.max(timeoutMs, this.config.callMaxTotalMs),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onprogress ? { onprogress: options.onprogress } : {}),
      });
      outcome = (result as CallToolResult | undefined)?.isError ? 'tool_error' : 'ok';
      return result;
    } catch (err) {
      const mapped = fromUpstream(err, server, method, timeoutMs);
      if (mapped instanceof McpGatewayError) {
        outcome = mapped.kind === 'timeout' ? 'timeout' : 'error';
        mcpErrors.inc({ server, kind: mapped.kind });
        if (mapped.kind === 'timeout') void rt.checkAfterTimeout(instance);
      }
      throw mapped;
    } finally {
      untrack();
      rt.release(instance);
      mcpInFlight.dec({ server });
      const labels = { server, method: methodLabel(method), tool: toolLabel(rt, tool), outcome };
      mcpCallDuration.observe(labels, (performance.now() - started) / 1000);
    }
  }

  /**
   * The whole list (all upstream pages), cached until the server says list_changed. Not cached for
   * a per-session server: each session's instance announces its own client's capabilities, and
   * servers such as server-everything list tools by them.
   */
  async list(server: string, method: keyof typeof LIST_KEYS, options: CallOptions = {}): Promise<unknown[]> {
    const rt = this.runtime(server);
    const kind = LIST_KEYS[method]!;
    const shared = rt.spec.sharing.mode !== 'per-session';
    const cached = shared ? rt.cache.get(kind) : undefined;
    if (cached) return cached;
    const version = rt.cacheVersion;
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 64; page++) {
      const res = (await this.request(server, method, cursor ? { cursor } : undefined, options)) as Record<
        string,
        unknown
      >;
      items.push(...((res[kind] as unknown[] | undefined) ?? []));
      cursor = res.nextCursor as string | undefined;
      if (!cursor) break;
    }
    const visible = kind === 'tools' ? (items as Tool[]).filter((t) => toolAllowed(rt.spec, t.name)) : items;
    if (shared && rt.cacheVersion === version) rt.cache.set(kind, visible);
    return visible;
  }

  async listTools(server: string, options: CallOptions = {}): Promise<Tool[]> {
    return (await this.list(server, 'tools/list', options)) as Tool[];
  }

  async callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<CallToolResult> {
    const rt = this.runtime(server);
    if (!toolAllowed(rt.spec, tool))
      throw new McpGatewayError('tool_not_found', `tool ${tool} is denied`, { name: server, tool });
    return (await this.request(
      server,
      'tools/call',
      { name: tool, arguments: args },
      options,
    )) as CallToolResult;
  }

  /** The generic passthrough: only the allowed methods; tool allow/deny lists apply. */
  async execute(
    server: string,
    method: string,
    params: Record<string, unknown> | undefined,
    options: CallOptions = {},
  ): Promise<unknown> {
    if (!(PASSTHROUGH_METHODS as readonly string[]).includes(method))
      throw new McpGatewayError('method_not_allowed', `method ${method} is not allowed`, {
        method,
        allowed: PASSTHROUGH_METHODS.join(', '),
      });
    if (method === 'tools/call') {
      const p = params ?? {};
      return this.callTool(
        server,
        String(p.name ?? ''),
        (p.arguments as Record<string, unknown>) ?? {},
        options,
      );
    }
    if (method === 'tools/list') return { tools: await this.listTools(server, options) };
    return this.request(server, method, params, options);
  }

  /**
   * Makes sure each of `servers` has announced its capabilities (issue 15: the aggregate announces
   * their union): one that never connected is started now, for `sessionKey` (a per-session server's
   * instance is then that session's own), bounded by the start timeout. One that cannot start in
   * time is left out; what is known is kept in each runtime.
   */
  async learnCapabilities(servers: string[], sessionKey: string | null): Promise<void> {
    await Promise.allSettled(
      servers.map(async (name) => {
        const rt = this.runtime(name);
        if (rt.serverCapabilities || !rt.spec.enabled || this.closing) return;
        const instance = await rt.acquire(sessionKey, this.now() + this.config.startTimeoutMs);
        rt.release(instance);
      }),
    );
  }

  /** Forwards `logging/setLevel` to the server's running instances (and to those started later). */
  async setLogLevel(server: string, level: string): Promise<void> {
    await this.runtime(server).setLogLevel(level);
  }

  /** A client session's roots changed: the instances serving it are told (if they asked). */
  async rootsChanged(server: string, sessionKey: string): Promise<void> {
    await this.runtime(server).rootsChanged(sessionKey);
  }

  /** A /mcp session ended: per-session instances bound to it are released at once. */
  endSession(sessionKey: string): void {
    for (const rt of this.supervisor.runtimes.values()) rt.endSession(sessionKey);
    this.supervisor.updateGauges();
  }

  async restart(server: string): Promise<void> {
    await this.runtime(server).restart();
    this.supervisor.updateGauges();
  }

  /**
   * Healthy only if the server is ready and one of its instances answered a ping within the
   * interval. The state is live (an exit shows at once); a server that is not healthy says why.
   */
  health(server: string): {
    healthy: boolean;
    state: string;
    lastPingOkAt: string | null;
    restarts: number;
    lastError: string | null;
    retryAt: string | null;
  } {
    const rt = this.runtime(server);
    const last = Math.max(0, ...rt.readyInstances().map((i) => i.lastPingOkAt ?? 0));
    const now = this.now();
    const healthy = rt.state === 'ready' && now - last <= this.config.probeIntervalMs + 5000;
    return {
      healthy,
      state: rt.state,
      lastPingOkAt: last ? new Date(last).toISOString() : null,
      restarts: rt.restarts,
      lastError: rt.lastError,
      retryAt: rt.backoffUntil > now ? new Date(rt.backoffUntil).toISOString() : null,
    };
  }

  /** Idempotent: stops the watcher, every instance and process tree, and the watchdog. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    try {
      this.watcher?.close();
      await this.supervisor.close();
    } finally {
      // Anything the clean stop could not kill is left to the watchdog's reap.
      this.guard.close(this.ledger.groups().length > 0);
      this.ledger.discard();
    }
  }
}

export function createMcpGateway(options: GatewayOptions): McpGateway {
  return new McpGateway(options);
}

export { reapLedger };

/** MCP methods a client may send upstream; others (made up in /api/v1/mcp/execute) are `other`. */
const methodLabel = fixedLabel([
  'ping',
  'initialize',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
]);

const toolLabels = new WeakMap<unknown[], BoundedLabel>();

/**
 * A declared tool keeps its name: one in the server's cached tools/list, or named by the config's
 * allowTools. Any other name is `other` (also before the first tools/list, which every MCP client
 * and the agent runner send before calling).
 */
function toolLabel(rt: ServerRuntime, tool: string): string {
  if (tool === '') return '';
  if (rt.spec.allowTools?.includes(tool)) return boundedLabel([tool])(tool);
  const declared = rt.cache.get('tools');
  if (!declared) return OTHER_LABEL;
  let label = toolLabels.get(declared);
  if (!label) {
    label = boundedLabel((declared as Tool[]).map((t) => t.name));
    toolLabels.set(declared, label);
  }
  return label(tool);
}
