import type { Logger } from 'pino';
import type { DoctorConfig } from '../../config/schema.js';
import { runAudit } from '../audit.js';
import { auditOptions, type AuditDeps, type AuditRequest } from '../options.js';
import type { Finding, Report } from '../types.js';
import { errorMessage } from '../util.js';
import { RestartBudget } from './restart-budget.js';
import { AlertDeduper, postWebhook, wants, webhookBody, type AlertKind } from './webhooks.js';

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
  | { type: 'alert:failed'; at: string; url: string; error: string };

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
}

export interface DoctorWatch {
  stop(): Promise<void>;
  /** Runs one pass now (tests, API); resolves when it is done. */
  runNow(): Promise<void>;
}

export function startDoctorWatch(opts: DoctorWatchOptions): DoctorWatch {
  const cfg = opts.config;
  const interval = opts.intervalMs ?? cfg.watch.intervalMs;
  const dedupe = new AlertDeduper(cfg.watch.dedupeMs);
  const budget = new RestartBudget(cfg.restartBudget);
  const abort = new AbortController();
  let active = new Map<string, Finding>();
  let current: Promise<void> | undefined;
  let again = false;
  let stopped: Promise<void> | undefined;
  let debounce: NodeJS.Timeout | undefined;
  const emit = (e: WatchEvent) => {
    opts.onEvent?.(e);
    opts.logger?.info({ event: e.type }, `doctor ${e.type}`);
  };
  const at = () => new Date().toISOString();

  async function alert(kind: AlertKind, f: Finding): Promise<void> {
    emit({ type: kind, at: at(), finding: f });
    if (kind === 'finding:new' && !dedupe.shouldSend(f.fingerprint, Date.now())) return;
    await Promise.all(
      cfg.webhooks
        .filter((w) => wants(w, f))
        .map(async (w) => {
          const error = await postWebhook(w, webhookBody(w, kind, f));
          if (error) emit({ type: 'alert:failed', at: at(), url: new URL(w.url).origin, error });
        }),
    );
  }

  async function restartUnhealthy(findings: Finding[]): Promise<void> {
    if (!cfg.watch.restartUnhealthy || !opts.deps.docker) return;
    for (const f of findings.filter((x) => x.ruleId === 'unhealthy' && x.containerId && !x.suppressed)) {
      if (budget.waitMs(f.containerId!, Date.now()) > 0) continue;
      budget.record(f.containerId!, Date.now());
      try {
        await opts.deps.docker.restartContainer(f.containerId!);
        emit({ type: 'container:restart', at: at(), container: f.container ?? f.containerId!, ok: true });
      } catch (err) {
        emit({
          type: 'container:restart',
          at: at(),
          container: f.container ?? f.containerId!,
          ok: false,
          error: errorMessage(err),
        });
      }
    }
  }

  async function pass(): Promise<void> {
    try {
      const { report } = await runAudit(auditOptions(opts.deps, opts.request));
      opts.onReport?.(report);
      const next = new Map(report.findings.filter((f) => !f.suppressed).map((f) => [f.fingerprint, f]));
      for (const [k, f] of next) if (!active.has(k)) await alert('finding:new', f);
      for (const [k, f] of active) if (!next.has(k)) await alert('finding:resolved', f);
      active = next;
      emit({
        type: 'audit:done',
        at: at(),
        findings: next.size,
        partial: report.partial,
        sources: report.sources.filter((s) => s.status === 'failed').map((s) => s.name),
      });
      await restartUnhealthy([...next.values()]);
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
    stop() {
      stopped ??= (async () => {
        abort.abort();
        clearInterval(timer);
        clearTimeout(debounce);
        await following.catch(() => undefined);
        await current?.catch(() => undefined);
      })();
      return stopped;
    },
  };
}
