import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { McpConfig } from '../../config/schema.js';
import { mcpErrors, mcpProcesses, mcpServerState } from '../../metrics/index.js';
import type { ServerSpec } from '../config/server-spec.js';
import type { Ledger } from '../process/ledger.js';
import { ProcessBudget } from './process-budget.js';
import { ServerRuntime, type RuntimeDeps, type ServerState } from './server-runtime.js';

const STATES: ServerState[] = ['disabled', 'stopped', 'starting', 'ready', 'crashloop'];

/**
 * The reconcile loop over every server runtime (STYLE item 7): `reconcile(rt)` converges one
 * server to its declared state and says when to look again; a pass that throws is logged with its
 * id, counted and retried later; a pass is bounded by a timeout. Config changes arrive through
 * `apply(specs)`: unchanged servers keep running, changed or removed ones drain.
 */
export class Supervisor {
  readonly runtimes = new Map<string, ServerRuntime>();
  private readonly draining = new Set<ServerRuntime>();
  private readonly timers = new Map<ServerRuntime, NodeJS.Timeout>();
  private readonly running = new Set<ServerRuntime>();
  readonly budget: ProcessBudget;
  private closed = false;

  constructor(
    private readonly config: McpConfig,
    private readonly marker: string,
    private readonly ledger: Ledger,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly onListChanged: (server: string, kind: string) => void = () => {},
    private readonly onStateChange: (server: string) => void = () => {},
    private readonly onLog: RuntimeDeps['onLog'] = () => {},
    private readonly onResourceUpdated: RuntimeDeps['onResourceUpdated'] = () => {},
    private readonly relay: Pick<
      RuntimeDeps,
      'clientCapabilities' | 'onServerRequest' | 'onInstanceReady' | 'onElicitationComplete'
    > = {},
  ) {
    this.budget = new ProcessBudget(config.maxProcesses);
  }

  apply(specs: ServerSpec[]): { added: string[]; removed: string[]; changed: string[] } {
    const result = { added: [] as string[], removed: [] as string[], changed: [] as string[] };
    const next = new Map(specs.map((s) => [s.name, s]));
    for (const [name, rt] of this.runtimes) {
      const spec = next.get(name);
      if (spec && spec.fingerprint === rt.spec.fingerprint) continue;
      (spec ? result.changed : result.removed).push(name);
      this.drain(rt);
      this.runtimes.delete(name);
    }
    for (const spec of specs) {
      if (this.runtimes.has(spec.name)) continue;
      if (!result.changed.includes(spec.name)) result.added.push(spec.name);
      const rt = new ServerRuntime(spec, {
        config: this.config,
        marker: this.marker,
        logger: this.logger,
        ledger: this.ledger,
        budget: this.budget,
        now: this.now,
        requeue: (r) => this.schedule(r, 0),
        onListChanged: this.onListChanged,
        onStateChange: (server) => {
          this.updateGauges();
          this.onStateChange(server);
        },
        onLog: this.onLog,
        onResourceUpdated: this.onResourceUpdated,
        ...this.relay,
      });
      this.runtimes.set(spec.name, rt);
      this.schedule(rt, 0);
    }
    return result;
  }

  private drain(rt: ServerRuntime): void {
    rt.draining = true;
    rt.notify();
    this.draining.add(rt);
    this.schedule(rt, 0);
  }

  schedule(rt: ServerRuntime, delayMs: number): void {
    if (this.closed) return;
    const existing = this.timers.get(rt);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => void this.pass(rt), Math.max(0, delayMs));
    timer.unref();
    this.timers.set(rt, timer);
  }

  private async pass(rt: ServerRuntime): Promise<void> {
    this.timers.delete(rt);
    if (this.closed) return;
    if (this.running.has(rt)) return this.schedule(rt, 20);
    this.running.add(rt);
    const id = randomUUID().slice(0, 8);
    try {
      const result = await withTimeout(rt.reconcile(), 10_000);
      if (result.done) {
        this.draining.delete(rt);
        return;
      }
      if (result.requeueAfter !== undefined) this.schedule(rt, result.requeueAfter);
    } catch (err) {
      mcpErrors.inc({ server: rt.spec.name, kind: 'reconcile' });
      this.logger.error(
        { err, event: 'mcp:reconcile:failed', pass: id, mcpServer: rt.spec.name },
        'reconcile failed',
      );
      this.schedule(rt, 1000);
    } finally {
      this.running.delete(rt);
      this.updateGauges();
    }
  }

  updateGauges(): void {
    mcpProcesses.reset();
    mcpServerState.reset();
    for (const rt of [...this.runtimes.values(), ...this.draining]) {
      const state = rt.state;
      for (const s of STATES) mcpServerState.set({ server: rt.spec.name, state: s }, s === state ? 1 : 0);
      const procs = rt.readyInstances().filter((i) => i.pid !== null).length;
      mcpProcesses.inc({ server: rt.spec.name, state: rt.draining ? 'draining' : state }, procs);
    }
  }

  get(name: string): ServerRuntime | undefined {
    return this.runtimes.get(name);
  }

  /** Stops everything: every server's instances, drained or not. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    const all = [...this.runtimes.values(), ...this.draining];
    for (const rt of all) rt.draining = true;
    await Promise.allSettled(all.map((rt) => rt.stopAll()));
    this.updateGauges();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reconcile pass exceeded ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
