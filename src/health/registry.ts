import { ProbeFailure, type Probe, type ProbeResult, type ProbeSource } from './types.js';

export interface HealthOptions {
  /** A result older than this is stale: the probe runs again before anything is reported. */
  intervalMs: number;
  /** A check that takes longer than this is down. */
  timeoutMs: number;
  now?: () => number;
}

export interface HealthReport {
  /** up: every probe up; degraded: an optional one is not; down: a required one is not. */
  status: 'up' | 'degraded' | 'down';
  ready: boolean;
  checks: ProbeResult[];
}

interface Cached {
  result: ProbeResult;
  at: number;
}

/**
 * Honest health: a probe is reported "up" only when its check succeeded within the interval.
 * Results are cached for the interval so a busy /ready does not hammer dependencies, and callers
 * arriving while a check runs share it.
 */
export class HealthRegistry {
  private readonly probes = new Map<string, Probe>();
  private readonly sources: ProbeSource[] = [];
  private readonly cache = new Map<string, Cached>();
  private readonly running = new Map<string, Promise<ProbeResult>>();
  private readonly generation = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: HealthOptions) {
    this.now = options.now ?? Date.now;
  }

  add(probe: Probe): void {
    this.probes.set(probe.name, probe);
  }

  addSource(source: ProbeSource): void {
    this.sources.push(source);
    source.subscribe?.((name) => this.invalidate(name));
  }

  /** Forgets a probe's cached result: the next report checks it again. */
  invalidate(name: string): void {
    this.cache.delete(name);
    this.running.delete(name); // a check started before the change must not answer for after it
    this.generation.set(name, (this.generation.get(name) ?? 0) + 1);
  }

  private allProbes(): Probe[] {
    const all = [...this.probes.values()];
    for (const source of this.sources) all.push(...source.probes());
    return all.sort((a, b) => a.name.localeCompare(b.name));
  }

  async report(): Promise<HealthReport> {
    const checks = await Promise.all(this.allProbes().map((probe) => this.result(probe)));
    const requiredDown = checks.some((c) => c.required && c.status !== 'up');
    const anyDown = checks.some((c) => c.status !== 'up');
    return { status: requiredDown ? 'down' : anyDown ? 'degraded' : 'up', ready: !requiredDown, checks };
  }

  private result(probe: Probe): Promise<ProbeResult> {
    const cached = this.cache.get(probe.name);
    if (cached && this.now() - cached.at < this.options.intervalMs) return Promise.resolve(cached.result);
    let pending = this.running.get(probe.name);
    if (!pending) {
      const run = this.run(probe).finally(() => {
        if (this.running.get(probe.name) === run) this.running.delete(probe.name);
      });
      pending = run;
      this.running.set(probe.name, pending);
    }
    return pending;
  }

  private async run(probe: Probe): Promise<ProbeResult> {
    const started = this.now();
    const generation = this.generation.get(probe.name);
    const base = { name: probe.name, required: probe.required };
    let result: ProbeResult;
    try {
      const detail = await withTimeout((signal) => probe.check(signal), this.options.timeoutMs);
      result = {
        ...base,
        status: 'up',
        latencyMs: this.now() - started,
        checkedAt: iso(started),
        error: null,
      };
      if (detail) result.detail = detail;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      result = {
        ...base,
        status: 'down',
        latencyMs: this.now() - started,
        checkedAt: iso(started),
        error: message,
      };
      if (err instanceof ProbeFailure) result.detail = err.detail;
    }
    if (this.generation.get(probe.name) === generation) this.cache.set(probe.name, { result, at: started });
    return result;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`check timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
