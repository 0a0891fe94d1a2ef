/**
 * The runtime of one declared MCP server: its instances, its state, its back-off.
 *
 * State machine (what `state` reports):
 *
 *   disabled  — `enabled: false` in .mcp.json. No instances. Calls: 409. Leaves only by reload.
 *   stopped   — no instance and nothing starting (never used, or idle-stopped).
 *               → starting: first call (lazy start), or reconcile when `wanted` after a back-off.
 *   starting  — a process is spawning / doing the MCP handshake; calls wait (up to their timeout).
 *               → ready: handshake done.   → crashloop: spawn, handshake or process failed.
 *   ready     — at least one instance answered the handshake; calls are routed to the least
 *               loaded instance with a free slot, or queue (bounded) for one.
 *               → stopped: every instance idle past `idleTimeoutMs` (wanted := false).
 *               → crashloop: an instance exited on its own or exceeded its memory budget.
 *               (a hung instance — call timeout, then no answer to a ping — is replaced, no back-off)
 *   crashloop — back-off after the n-th consecutive failure: base * 2^(n-1) capped at max
 *               (CrashLoopBackOff); calls get 503 with Retry-After. A run of `backoffResetMs`
 *               up clears the count. → starting when the back-off expires and the server is wanted.
 *
 * Removed or changed servers are drained: no new calls, in-flight calls finish, then instances stop.
 * The supervisor calls `reconcile()` in a loop; it converges instances to the declared state and
 * says when it wants to run again.
 */
import type { Logger } from 'pino';
import type { McpConfig } from '../../config/schema.js';
import { mcpCrashLoops, mcpQueued, mcpRestarts } from '../../metrics/index.js';
import type { ServerSpec } from '../config/server-spec.js';
import { McpGatewayError } from '../errors.js';
import { backoffDelay, nextFailureCount, type BackoffPolicy } from '../process/backoff.js';
import type { Ledger } from '../process/ledger.js';
import { treeRssBytes } from '../process/proc.js';
import { LineRing } from '../process/ring-buffer.js';
import type { ClientCapabilities, ServerCapabilities } from '@modelcontextprotocol/client';
import type { UpstreamRequest } from '../upstream/connect.js';
import type { Instance, Origin } from '../upstream/instance.js';
import type { ProcessBudget } from './process-budget.js';

export type ServerState = 'disabled' | 'stopped' | 'starting' | 'ready' | 'crashloop';

export interface RuntimeDeps {
  config: McpConfig;
  marker: string;
  logger: Logger;
  ledger: Ledger;
  budget: ProcessBudget;
  now: () => number;
  /** Asks the supervisor to reconcile this runtime soon. */
  requeue: (rt: ServerRuntime) => void;
  onListChanged: (server: string, kind: string) => void;
  /** Told at once when an instance comes up, goes away or fails (health must not wait a poll). */
  onStateChange?: (server: string) => void;
  /** A log message from an instance (`key`: its session for per-session sharing). */
  onLog?: (server: string, key: string | null, params: Record<string, unknown>) => void;
  /** A resource an instance was subscribed to changed. */
  onResourceUpdated?: (server: string, key: string | null, uri: string) => void;
  /** The client capabilities an instance for `key` announces upstream (null key: shared). */
  clientCapabilities?: (key: string | null) => ClientCapabilities;
  /** A server-to-client request from an instance, with the client requests in flight on it. */
  onServerRequest?: (
    server: string,
    key: string | null,
    request: UpstreamRequest,
    origins: Origin[],
  ) => Promise<unknown>;
  /** A URL-mode elicitation an instance sent has finished (`notifications/elicitation/complete`). */
  onElicitationComplete?: (server: string, key: string | null, params: Record<string, unknown>) => void;
  /** An instance came up (first start or restart): per-instance state is re-applied to it. */
  onInstanceReady?: (server: string, key: string | null, instance: Instance) => void;
}

type Waiter = () => void;

/** While a call waits for a process slot it looks again this often (slots free across servers). */
const SLOT_RECHECK_MS = 200;

export class ServerRuntime {
  readonly instances = new Set<Instance>();
  private readonly starting = new Set<{ key: string | null }>();
  private readonly pending = new Set<Promise<void>>();
  readonly stderr: LineRing;
  failures = 0;
  backoffUntil = 0;
  readonly backoffHistory: number[] = [];
  restarts = 0;
  lastError: string | null = null;
  lastStartedAt: number | null = null;
  wanted = false;
  draining = false;
  queued = 0;
  private waiters = new Set<Waiter>();
  /** Sessions that ended while an instance for them was starting: it stops once started. */
  private readonly endedWhileStarting = new Set<string>();
  private readonly log: Logger;
  /**
   * What the server announced in its most recent `initialize` result; kept while it is idle-stopped
   * or restarting (a changed server gets a new runtime). Undefined until it has connected once.
   */
  serverCapabilities: ServerCapabilities | undefined;
  /** Cached list results; dropped on list_changed. */
  readonly cache = new Map<string, unknown[]>();
  cacheVersion = 0;

  constructor(
    readonly spec: ServerSpec,
    private readonly deps: RuntimeDeps,
  ) {
    this.stderr = new LineRing(deps.config.stderrLines);
    this.log = deps.logger.child({ mcpServer: spec.name });
  }

  private get policy(): BackoffPolicy {
    const c = this.deps.config;
    return { baseMs: c.backoffBaseMs, maxMs: c.backoffMaxMs, resetAfterMs: c.backoffResetMs };
  }

  get state(): ServerState {
    if (!this.spec.enabled) return 'disabled';
    if (this.readyInstances().length > 0) return 'ready';
    if (this.backoffUntil > this.deps.now()) return 'crashloop';
    if (this.starting.size > 0) return 'starting';
    return 'stopped';
  }

  readyInstances(): Instance[] {
    return [...this.instances].filter((i) => !i.stopping);
  }

  get inFlight(): number {
    return [...this.instances].reduce((n, i) => n + i.inFlight, 0);
  }

  private keyFor(sessionKey: string | null): string | null {
    return this.spec.sharing.mode === 'per-session' ? (sessionKey ?? 'default') : null;
  }

  private target(): number {
    return this.spec.sharing.mode === 'pool' ? this.spec.sharing.size : 1;
  }

  private countFor(key: string | null): number {
    const running = this.readyInstances().filter((i) => i.sessionKey === key).length;
    return running + [...this.starting].filter((s) => s.key === key).length;
  }

  private totalCount(): number {
    return this.readyInstances().length + this.starting.size;
  }

  // --- calls --------------------------------------------------------------------------------

  /**
   * A slot on an instance for one call; lazily starts one. Always pair with `release`. A call that
   * finds no process slot (maxInstances or the global cap) waits for one up to `slotWaitMs`, then
   * fails with an overload error saying when a slot is expected to free.
   */
  async acquire(sessionKey: string | null, deadline: number, signal?: AbortSignal): Promise<Instance> {
    const key = this.keyFor(sessionKey);
    this.wanted = true;
    const slotDeadline = Math.min(deadline, this.deps.now() + this.deps.config.slotWaitMs);
    let counted = false;
    try {
      for (;;) {
        this.assertUsable();
        const picked = this.pick(key);
        if (picked) {
          picked.inFlight++;
          picked.lastUsedAt = this.deps.now();
          return picked;
        }
        const needMore = this.countFor(key) < this.target();
        const blocked = needMore && !this.tryStart(key) && this.countFor(key) === 0;
        if ((blocked || !needMore) && !counted) {
          if (this.queued >= this.deps.config.maxQueuedPerServer)
            throw new McpGatewayError('overloaded', `${this.spec.name} call queue is full`, {
              what: `MCP server ${this.spec.name}`,
              retryAfter: 1,
            });
          counted = true;
          this.queued++;
          mcpQueued.inc({ server: this.spec.name });
        }
        if (blocked) await this.waitChange(slotDeadline, signal, () => this.noSlot(), SLOT_RECHECK_MS);
        else await this.waitChange(deadline, signal, () => this.noInstanceInTime());
      }
    } finally {
      if (counted) {
        this.queued--;
        mcpQueued.dec({ server: this.spec.name });
      }
    }
  }

  /** The most verbose level a client asked for (`logging/setLevel`); new instances get it too. */
  logLevel: string | undefined;

  /** The client's roots changed: tell the instances serving `sessionKey` (shared ones included). */
  async rootsChanged(sessionKey: string): Promise<void> {
    const key = this.keyFor(sessionKey);
    const mine = this.readyInstances().filter((i) => i.sessionKey === key);
    await Promise.allSettled(mine.map((i) => i.rootsChanged(sessionKey)));
  }

  /** Forwards a log level to every running instance that announces logging. */
  async setLogLevel(level: string): Promise<void> {
    this.logLevel = level;
    await Promise.allSettled(this.readyInstances().map((i) => this.applyLogLevel(i)));
  }

  private async applyLogLevel(i: Instance): Promise<void> {
    if (!this.logLevel || !i.client.getServerCapabilities()?.logging) return;
    await i.request('logging/setLevel', { level: this.logLevel }, { timeout: 5000 });
  }

  private changed(): void {
    this.deps.onStateChange?.(this.spec.name);
  }

  release(instance: Instance): void {
    instance.inFlight--;
    instance.lastUsedAt = this.deps.now();
    // The session this instance belonged to ended while the call ran: give the slot back now.
    if (instance.sessionEnded && instance.inFlight === 0 && this.instances.has(instance))
      this.stopIdle(instance, 'session ended');
    this.notify();
  }

  /**
   * A /mcp session ended (DELETE, expiry, eviction): its per-session instances stop at once (or
   * when their last call returns), so the slot is free for the next session.
   */
  endSession(sessionKey: string): void {
    if (this.spec.sharing.mode !== 'per-session') return;
    for (const i of this.readyInstances()) {
      if (i.sessionKey !== sessionKey) continue;
      i.sessionEnded = true;
      if (i.inFlight === 0) this.stopIdle(i, 'session ended');
    }
    if ([...this.starting].some((s) => s.key === sessionKey)) this.endedWhileStarting.add(sessionKey);
  }

  private noInstanceInTime(): McpGatewayError {
    return new McpGatewayError('timeout', `no instance of ${this.spec.name} became free in time`, {
      name: this.spec.name,
      method: 'acquire',
      timeoutMs: this.spec.callTimeoutMs,
    });
  }

  private noSlot(): McpGatewayError {
    const retryAfter = this.secondsUntilSlotFrees();
    return new McpGatewayError(
      'overloaded',
      `no process slot for ${this.spec.name}: ${this.totalCount()} of ${this.spec.maxInstances} instances in use; retry in ${retryAfter} s`,
      { what: `MCP processes for ${this.spec.name}`, retryAfter },
    );
  }

  /**
   * When an instance of this server is next expected to stop on its own: the soonest idle stop of
   * one without calls, or (per-session) the expiry of its idle session. At least 1 s.
   */
  private secondsUntilSlotFrees(): number {
    const now = this.deps.now();
    const idle = this.spec.idleTimeoutMs > 0 ? this.spec.idleTimeoutMs : Infinity;
    const sessionIdle = this.spec.sharing.mode === 'per-session' ? this.deps.config.sessionIdleMs : Infinity;
    let soonest = Infinity;
    for (const i of this.readyInstances())
      if (i.inFlight === 0) soonest = Math.min(soonest, i.lastUsedAt + Math.min(idle, sessionIdle) - now);
    if (!Number.isFinite(soonest)) soonest = this.spec.callTimeoutMs; // busy: a call ends by its timeout
    return Math.max(1, Math.ceil(soonest / 1000));
  }

  private assertUsable(): void {
    const name = this.spec.name;
    if (this.draining) throw new McpGatewayError('not_found', `${name} was removed`, { name });
    if (!this.spec.enabled) throw new McpGatewayError('disabled', `${name} is disabled`, { name });
    const now = this.deps.now();
    if (this.backoffUntil > now && this.readyInstances().length === 0 && this.starting.size === 0) {
      const retryAfter = Math.max(1, Math.ceil((this.backoffUntil - now) / 1000));
      throw new McpGatewayError('crashloop', `${name} is in crash-loop back-off`, {
        name,
        retryAfter,
        lastError: this.lastError,
      });
    }
  }

  private pick(key: string | null): Instance | undefined {
    let best: Instance | undefined;
    for (const i of this.readyInstances()) {
      if (i.sessionKey !== key || i.inFlight >= this.spec.maxInFlight) continue;
      if (!best || i.inFlight < best.inFlight) best = i;
    }
    return best;
  }

  /** Starts one more instance for `key` unless a cap is reached; false when no slot is free. */
  private tryStart(key: string | null): boolean {
    if (this.backoffUntil > this.deps.now()) return true; // waiting for the back-off, not for a slot
    if (this.totalCount() >= this.spec.maxInstances || !this.reserveProcess()) return false;
    this.launch(key);
    return true;
  }

  private launch(key: string | null): void {
    const p = this.startInstance(key);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private reserveProcess(): boolean {
    return this.spec.transport.kind === 'http' || this.deps.budget.tryReserve();
  }

  /**
   * Waits until something changes (`notify`), the deadline passes (then fails with `onDeadline`)
   * or `recheckMs` passes: a process slot freed by another server's exit notifies nobody here.
   */
  private waitChange(
    deadline: number,
    signal: AbortSignal | undefined,
    onDeadline: () => McpGatewayError,
    recheckMs = Infinity,
  ): Promise<void> {
    const remaining = deadline - this.deps.now();
    if (remaining <= 0) return Promise.reject(onDeadline());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(remaining, recheckMs));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  // --- lifecycle ----------------------------------------------------------------------------

  private async startInstance(key: string | null): Promise<void> {
    const record = { key };
    this.starting.add(record);
    const isStdio = this.spec.transport.kind === 'stdio';
    let spawned = false;
    try {
      // Loaded at the first start, with the SDK client it needs: no declared server, no SDK in memory.
      const { Instance } = await import('../upstream/instance.js');
      const instance = await Instance.start(
        this.spec,
        key,
        {
          marker: this.deps.marker,
          stderr: this.stderr,
          startTimeoutMs: this.deps.config.startTimeoutMs,
          onListChanged: (kind) => this.dropCache(kind),
          onLog: (params) => this.deps.onLog?.(this.spec.name, key, params),
          onResourceUpdated: (uri) => this.deps.onResourceUpdated?.(this.spec.name, key, uri),
          onElicitationComplete: (params) => this.deps.onElicitationComplete?.(this.spec.name, key, params),
          capabilities: this.deps.clientCapabilities?.(key) ?? {},
          onServerRequest: (request, origins) =>
            this.deps.onServerRequest
              ? this.deps.onServerRequest(this.spec.name, key, request, origins)
              : Promise.reject(new Error(`no client to relay ${request.method} to`)),
          onSpawn: (child) => {
            spawned = true;
            this.deps.ledger.add({
              pgid: child.pid,
              server: this.spec.name,
              startedAt: new Date().toISOString(),
            });
            void child.exited.then(() => {
              this.deps.ledger.remove(child.pid);
              this.deps.budget.release();
              this.notify();
            });
          },
        },
        this.deps.config.killGraceMs,
        (gone) => this.onInstanceGone(gone),
      );
      if (this.draining || !this.spec.enabled || (key !== null && this.endedWhileStarting.has(key))) {
        await instance.stop();
        return;
      }
      this.instances.add(instance);
      this.serverCapabilities = instance.client.getServerCapabilities() ?? {};
      void this.applyLogLevel(instance).catch(() => {});
      this.deps.onInstanceReady?.(this.spec.name, key, instance);
      this.lastStartedAt = this.deps.now();
      this.changed();
      this.log.info(
        { event: 'mcp:instance:ready', instance: instance.id, pid: instance.pid },
        'MCP instance ready',
      );
    } catch (err) {
      if (isStdio && !spawned) this.deps.budget.release();
      this.recordFailure(`start failed: ${(err as Error).message}`, 0);
    } finally {
      this.starting.delete(record);
      if (key !== null && ![...this.starting].some((r) => r.key === key)) this.endedWhileStarting.delete(key);
      this.notify();
      this.deps.requeue(this);
    }
  }

  private onInstanceGone(instance: Instance): void {
    if (!this.instances.delete(instance)) return;
    const child = instance.child;
    const how = child ? `exit code ${child.exitCode}, signal ${child.exitSignal}` : 'connection closed';
    void instance.stop();
    this.recordFailure(`process exited unexpectedly (${how})`, this.deps.now() - instance.startedAt);
    this.notify();
    this.deps.requeue(this);
  }

  /** A failure (crash, failed start, memory): counts a restart and arms the back-off. */
  recordFailure(reason: string, uptimeMs: number, kind = 'crash'): void {
    const wasLooping = this.backoffUntil > this.deps.now();
    this.failures = nextFailureCount(this.policy, this.failures, uptimeMs);
    const delay = backoffDelay(this.policy, this.failures);
    this.backoffUntil = this.deps.now() + delay;
    this.backoffHistory.push(delay);
    if (this.backoffHistory.length > 20) this.backoffHistory.shift();
    this.lastError = reason;
    this.restarts++;
    mcpRestarts.inc({ server: this.spec.name, reason: kind });
    if (!wasLooping) mcpCrashLoops.inc({ server: this.spec.name });
    this.log.warn(
      { event: 'mcp:server:crashloop', reason, failures: this.failures, backoffMs: delay },
      'MCP server failed',
    );
    this.changed();
  }

  /** Replaces a (hung, unresponsive) instance without back-off. */
  replace(instance: Instance, reason: string): void {
    if (!this.instances.delete(instance)) return;
    this.restarts++;
    this.lastError = reason;
    mcpRestarts.inc({ server: this.spec.name, reason: reason.split(':')[0] ?? 'replaced' });
    this.log.warn({ event: 'mcp:instance:replaced', instance: instance.id, reason }, 'MCP instance replaced');
    this.changed();
    void instance.stop().then(() => this.notify());
    this.notify();
    this.deps.requeue(this);
  }

  /** Manual restart: stop every instance, clear the back-off; the next call starts afresh. */
  async restart(): Promise<void> {
    const all = [...this.instances];
    this.instances.clear();
    this.failures = 0;
    this.backoffUntil = 0;
    this.restarts++;
    mcpRestarts.inc({ server: this.spec.name, reason: 'manual' });
    this.changed();
    await Promise.all(all.map((i) => i.stop()));
    this.notify();
    this.deps.requeue(this);
  }

  dropCache(kind: string): void {
    // resources/list_changed also invalidates the resource templates (cached as resourceTemplates).
    for (const key of [...this.cache.keys()])
      if (key.startsWith(kind) || (kind === 'resources' && key === 'resourceTemplates'))
        this.cache.delete(key);
    this.cacheVersion++;
    this.deps.onListChanged(this.spec.name, kind);
  }

  /** Stops everything now (shutdown or removal after drain). */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    const all = [...this.instances];
    this.instances.clear();
    await Promise.all(all.map((i) => i.stop()));
    this.notify();
  }

  // --- reconcile ----------------------------------------------------------------------------

  async reconcile(): Promise<{ requeueAfter?: number; done?: boolean }> {
    const now = this.deps.now();
    const cfg = this.deps.config;
    if (this.draining || !this.spec.enabled) {
      for (const i of this.readyInstances()) if (i.inFlight === 0) this.stopIdle(i);
      if (this.instances.size > 0 || this.starting.size > 0) return { requeueAfter: 50 };
      return this.draining ? { done: true } : {};
    }
    let next = cfg.probeIntervalMs;
    for (const i of this.readyInstances()) next = Math.min(next, this.checkInstance(i, now));
    if (this.backoffUntil > now) return { requeueAfter: Math.min(next, this.backoffUntil - now) };
    if (this.wanted && this.spec.sharing.mode !== 'per-session') {
      while (this.countFor(null) < this.target() && this.reserveProcess()) this.launch(null);
    }
    return { requeueAfter: next };
  }

  /** Idle, memory and liveness checks for one instance; returns ms until it wants a look again. */
  private checkInstance(i: Instance, now: number): number {
    const cfg = this.deps.config;
    const idle = this.spec.idleTimeoutMs;
    if (idle > 0 && i.inFlight === 0 && now - i.lastUsedAt >= idle) {
      this.stopIdle(i);
      if (this.instances.size === 0) this.wanted = false;
      return cfg.probeIntervalMs;
    }
    const budget = this.spec.memoryBudgetBytes;
    if (budget !== null && i.pid !== null) {
      const rss = treeRssBytes(i.pid);
      if (rss > budget) {
        this.instances.delete(i);
        void i.stop();
        this.recordFailure(
          `memory ${Math.round(rss / 1048576)} MB over budget ${Math.round(budget / 1048576)} MB`,
          now - i.startedAt,
          'memory',
        );
        return cfg.probeIntervalMs;
      }
    }
    const sincePing = now - (i.lastPingOkAt ?? 0);
    if (sincePing >= cfg.probeIntervalMs && i.inFlight < this.spec.maxInFlight) void this.probe(i);
    const untilIdle = idle > 0 && i.inFlight === 0 ? idle - (now - i.lastUsedAt) : cfg.probeIntervalMs;
    return Math.max(10, Math.min(untilIdle, cfg.probeIntervalMs - (sincePing % cfg.probeIntervalMs)));
  }

  private async probe(i: Instance): Promise<void> {
    try {
      await i.ping(Math.min(this.deps.config.probeIntervalMs, 5000));
    } catch (err) {
      if (!i.stopping) this.replace(i, `unresponsive: ping failed (${(err as Error).message})`);
    }
  }

  private stopIdle(i: Instance, why = 'idle'): void {
    this.instances.delete(i);
    this.log.info({ event: 'mcp:instance:idle-stop', instance: i.id, why }, 'MCP instance stopped');
    this.changed();
    void i.stop().then(() => this.notify());
  }

  /** After a call timed out: an instance that does not answer a ping either is hung; replace it. */
  async checkAfterTimeout(i: Instance): Promise<void> {
    if (i.stopping || !this.instances.has(i)) return;
    try {
      await i.ping(Math.min(2000, this.deps.config.probeIntervalMs));
    } catch {
      this.replace(i, 'timeout: call timed out and the instance did not answer a ping');
    }
  }
}
