import type { HealthReport } from '../health/index.js';
import type { ServerStatus } from '../mcp/index.js';
import type { Report } from '../ops/index.js';
import type { PlatformEvent } from './types.js';

/**
 * MCP server changes: the gateway says a server *may* have changed; an event goes out only when
 * its state, pids or restart count did (`since` is when this process first saw that state).
 */
export function mcpChangeTracker(publish: (e: PlatformEvent) => void) {
  const last = new Map<string, { key: string; since: string }>();
  return (status: ServerStatus | undefined, name: string): void => {
    if (!status) {
      last.delete(name);
      return;
    }
    const key = `${status.state}|${status.pids.join(',')}|${status.restarts}`;
    const prev = last.get(name);
    if (prev?.key === key) return;
    const since = prev && prev.key.split('|')[0] === status.state ? prev.since : new Date().toISOString();
    last.set(name, { key, since });
    publish({
      type: 'mcp',
      data: {
        server: name,
        state: status.state,
        pid: status.pids[0] ?? null,
        restarts: status.restarts,
        since,
      },
      audience: { kind: 'all' },
    });
  };
}

/** Health changes: one `health` event per check whose status differs from the last one seen. */
export function healthChangeTracker(publish: (e: PlatformEvent) => void) {
  const last = new Map<string, string>();
  return (report: HealthReport): void => {
    for (const check of report.checks) {
      if (last.get(check.name) === check.status) continue;
      last.set(check.name, check.status);
      publish({
        type: 'health',
        data: {
          name: check.name,
          status: check.status,
          latency_ms: check.latencyMs,
          checked_at: check.checkedAt,
        },
        audience: { kind: 'all' },
      });
    }
  };
}

export interface DoctorSummary {
  at: string;
  findings: { critical: number; high: number; medium: number; low: number; info: number };
}

/** The last doctor report's counts (for the overview) and a `doctor` event per report (admins). */
export class DoctorSummaries {
  latest: DoctorSummary | undefined;
  constructor(private readonly publish: (e: PlatformEvent) => void) {}

  record(report: Report): void {
    const b = report.summary.bySeverity;
    this.latest = {
      at: report.generatedAt,
      findings: { critical: b.critical, high: b.high, medium: b.medium, low: b.low, info: b.info },
    };
    this.publish({ type: 'doctor', data: { ...this.latest }, audience: { kind: 'admin' } });
  }
}
