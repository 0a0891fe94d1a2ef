import type { Logger } from 'pino';
import type { DoctorConfig } from '../../config/schema.js';
import { runAudit } from '../audit.js';
import { auditOptions, type AuditDeps, type AuditRequest } from '../options.js';
import type { Snapshot } from '../rules/context.js';
import type { Finding, Report } from '../types.js';
import { errorMessage } from '../util.js';
import type { OwnRestart } from '../state.js';
import { RestartBudget } from './restart-budget.js';
import path from 'node:path';
import { doctorDir } from '../options.js';
import { AlertOutbox } from './outbox.js';
import { FileOutboxStore, type OutboxStore } from './outbox-store.js';
import type { AlertKind } from './webhooks.js';

/**
 * Watch loop (a reconcile loop): a pass audits, diffs findings by fingerprint against the last
 * pass, emits `finding:new` / `finding:resolved`, posts alerts (de-duplicated), and may restart
 * unhealthy containers within the restart budget. Passes run on the interval and, debounced,
 * after relevant Docker events; they never overlap. States: running → stopping → stopped.
 */
export type WatchEvent =
  | { type: AlertKind; at: string; finding: Finding }
  | { type: 'audit:done'; at: string; findings: number; partial: boolean; sources: string[] }
  | { type: 'audit:failed'; at: string; error: string }
  | { type: 'container:restart'; at: string; container: string; ok: boolean; error?: string }
  | {
      type: 'alert:failed';
      at: string;
      /** The webhook (no credentials, no query) and why delivery failed; it will be retried. */
      url: string;
      error: string;
      alert: AlertKind;
      attempts: number;
    };

const EXHAUSTED = '|restart-budget-exhausted';

export interface DoctorWatchOptions {
  deps: AuditDeps;
  request?: AuditRequest;
  config: DoctorConfig;
  intervalMs?: number;
  /** Debounce after a Docker event before re-auditing. */
  eventDebounceMs?: number;
  onEvent?: (e: WatchEvent) => void;
  /** Told about every report a pass produces. */
  onReport?: (report: Report) => void;
  logger?: Logger;
  /**
   * Where the alert outbox lives: the platform passes its database (DbOutboxStore); default, for
   * the CLI alone, `<dataDir>/doctor/alerts.json`.
   */
  outboxStore?: OutboxStore;
  /** The outbox's clock for retry backoff (tests). */
  now?: () => number;
}

export interface DoctorWatch {
  stop(): Promise<void>;
  /** Runs one pass now (tests, API); resolves when it is done. */
  runNow(): Promise<void>;
  /** Delivers the alerts that are due now, without an audit. */
  deliverNow(): Promise<void>;
}

export function startDoctorWatch(opts: DoctorWatchOptions): DoctorWatch {
  const cfg = opts.config;
  const interval = opts.intervalMs ?? cfg.watch.intervalMs;
  const outbox = new AlertOutbox({
    store: opts.outboxStore ?? new FileOutboxStore(path.join(doctorDir(opts.deps.dataDir), 'alerts.json')),
    targets: cfg.webhooks,
    retry: { minMs: cfg.watch.alertRetryMinMs, maxMs: cfg.watch.alertRetryMaxMs },
    ...(opts.now ? { now: opts.now } : {}),
  });
  const budget = new RestartBudget(cfg.restartBudget);
  const abort = new AbortController();
  let current: Promise<void> | undefined;
  let again = false;
  let stopped: Promise<void> | undefined;
  let debounce: NodeJS.Timeout | undefined;
  const emit = (e: WatchEvent) => {
    opts.onEvent?.(e);
    opts.logger?.info({ event: e.type }, `doctor ${e.type}`);
  };
  const at = () => new Date().toISOString();

  /**
   * Whether an open episode still holds although its finding is absent from this pass: health
   * `starting` right after a restart is not "resolved", and a budget-exhausted alert lasts as long
   * as the finding it is about.
   */
  function stillOpen(fp: string, next: Map<string, Finding>, snap: Snapshot): boolean {
    if (fp.endsWith(EXHAUSTED)) return next.has(fp.slice(0, -EXHAUSTED.length));
    const f = outbox.findingOf(fp);
    if (f?.ruleId !== 'unhealthy' || !f.containerId) return false;
    const c = snap.containers?.find((x) => x.inspect.Id.startsWith(f.containerId!));
    return c?.inspect.State.Health?.Status === 'starting' || restarting.has(c?.inspect.Id ?? '');
  }

  /** Opens and closes episodes in the outbox (persisted), then delivers what is due. */
  async function alerts(next: Map<string, Finding>, partial: boolean, snap: Snapshot): Promise<void> {
    await outbox.load();
    for (const f of next.values()) if (outbox.open(f)) emit({ type: 'finding:new', at: at(), finding: f });
    for (const f of exhausted.splice(0))
      if (outbox.open(f)) emit({ type: 'finding:new', at: at(), finding: f });
    // A partial view cannot prove a finding resolved: its source may be the one that failed.
    if (!partial)
      for (const fp of outbox.openFingerprints())
        if (!next.has(fp) && !stillOpen(fp, next, snap)) {
          const resolved = outbox.resolve(fp);
          if (resolved) emit({ type: 'finding:resolved', at: at(), finding: resolved });
        }
    await outbox.save();
    await deliver();
  }

  let delivering: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  /** One delivery round at a time; while alerts wait, a timer retries at the earliest due time. */
  function deliver(): Promise<void> {
    delivering ??= (async () => {
      for (const failure of await outbox.deliver())
        emit({
          type: 'alert:failed',
          at: at(),
          url: failure.webhook,
          error: failure.error,
          alert: failure.kind,
          attempts: failure.attempts,
        });
      clearTimeout(retryTimer);
      const waiting = outbox.pending();
      if (waiting.length && !abort.signal.aborted) {
        const due = Math.min(...waiting.map((e) => e.nextAt));
        retryTimer = setTimeout(() => void deliver(), Math.max(0, due - (opts.now ?? Date.now)()) + 10);
        retryTimer.unref();
      }
    })().finally(() => (delivering = undefined));
    return delivering;
  }

  const restarting = new Map<string, Promise<void>>();
  /**
   * The restarts this watch made, per container; every pass hands them to the audit, which keeps
   * them in the doctor state (so they outlive this watch) for the restart-loop evaluation window.
   */
  const ownRestarts: Record<string, OwnRestart[]> = {};
  /** Findings announcing an exhausted restart budget, alerted with the next pass. */
  const exhausted: Finding[] = [];

  /** Starts restarts in the background: a restart (≈10 s) never blocks the audit loop. */
  function restartUnhealthy(findings: Finding[], snap: Snapshot): void {
    const docker = opts.deps.docker;
    if (!cfg.watch.restartUnhealthy || !docker) return;
    for (const f of findings.filter((x) => x.ruleId === 'unhealthy' && x.containerId && !x.suppressed)) {
      const id =
        snap.containers?.find((c) => c.inspect.Id.startsWith(f.containerId!))?.inspect.Id ?? f.containerId!;
      if (restarting.has(id)) continue;
      const wait = budget.waitMs(id, Date.now());
      if (wait === Infinity) {
        exhausted.push({
          ...f,
          severity: 'high',
          message: `restart budget exhausted for ${f.container ?? id}: it stays unhealthy and needs a person`,
          fingerprint: `${f.fingerprint}${EXHAUSTED}`,
        });
        continue;
      }
      if (wait > 0) continue;
      budget.record(id, Date.now());
      const container = f.container ?? id;
      // Recorded before the call: the container's `die` arrives while it runs, and the next pass
      // must already know that exit is ours (not a restart loop).
      const made: OwnRestart = { from: Date.now() };
      ownRestarts[id] = [...(ownRestarts[id] ?? []), made];
      const job = docker
        .restartContainer(id)
        .finally(() => (made.to = Date.now()))
        .then(
          () => emit({ type: 'container:restart', at: at(), container, ok: true }),
          (err: unknown) =>
            emit({ type: 'container:restart', at: at(), container, ok: false, error: errorMessage(err) }),
        )
        .finally(() => restarting.delete(id));
      restarting.set(id, job);
    }
  }

  async function pass(): Promise<void> {
    try {
      const handed = structuredClone(ownRestarts);
      const { report, snapshot } = await runAudit({
        ...auditOptions(opts.deps, opts.request),
        ownRestarts: handed,
      });
      // The state now holds every restart that had finished when the pass began; keep the rest.
      for (const id of Object.keys(ownRestarts)) {
        const running = ownRestarts[id]!.filter(
          (r) => !handed[id]?.some((h) => h.from === r.from && h.to !== undefined),
        );
        if (running.length) ownRestarts[id] = running;
        else delete ownRestarts[id];
      }
      opts.onReport?.(report);
      const next = new Map(report.findings.filter((f) => !f.suppressed).map((f) => [f.fingerprint, f]));
      await alerts(next, report.partial, snapshot);
      emit({
        type: 'audit:done',
        at: at(),
        findings: next.size,
        partial: report.partial,
        sources: report.sources.filter((s) => s.status === 'failed').map((s) => s.name),
      });
      restartUnhealthy([...next.values()], snapshot);
    } catch (err) {
      emit({ type: 'audit:failed', at: at(), error: errorMessage(err) });
    }
  }

  function schedule(): Promise<void> {
    if (abort.signal.aborted) return Promise.resolve();
    if (current) {
      again = true;
      return current;
    }
    current = pass().finally(() => {
      current = undefined;
      if (again && !abort.signal.aborted) {
        again = false;
        void schedule();
      }
    });
    return current;
  }

  async function follow(): Promise<void> {
    const docker = opts.deps.docker;
    while (docker && !abort.signal.aborted) {
      try {
        await docker.streamEvents(
          { type: ['container'], event: ['die', 'oom', 'health_status', 'start', 'destroy'] },
          () => {
            clearTimeout(debounce);
            debounce = setTimeout(() => void schedule(), opts.eventDebounceMs ?? 1000);
          },
          abort.signal,
        );
      } catch (err) {
        opts.logger?.warn({ err: errorMessage(err) }, 'doctor:events:disconnected');
      }
      if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 5000).unref());
    }
  }

  const timer = setInterval(() => void schedule(), interval);
  void schedule();
  const following = follow();

  return {
    async runNow() {
      while (current) await current;
      await schedule();
    },
    async deliverNow() {
      await outbox.load();
      await deliver();
    },
    stop() {
      stopped ??= (async () => {
        abort.abort();
        clearInterval(timer);
        clearTimeout(debounce);
        clearTimeout(retryTimer);
        await following.catch(() => undefined);
        await current?.catch(() => undefined);
        await delivering?.catch(() => undefined);
        await Promise.all(restarting.values());
      })();
      return stopped;
    },
  };
}
