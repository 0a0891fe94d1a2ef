/**
 * A dependency the platform reports on. Nothing is "up" unless `check` succeeded within the
 * probe's interval; a check that throws or times out is "down" with its error; a probe that has
 * not run yet is "unknown".
 */
export type HealthState = 'up' | 'down' | 'unknown';

export interface Probe {
  /** e.g. `database`, `ollama`, `mcp:filesystem`. */
  name: string;
  /** A required dependency that is down makes readiness answer 503. */
  required: boolean;
  /** Resolves when healthy (optionally with detail to show); throws with a reason when not. */
  check(signal: AbortSignal): Promise<Record<string, unknown> | void>;
}

export interface ProbeResult {
  name: string;
  required: boolean;
  status: HealthState;
  latencyMs: number | null;
  checkedAt: string | null;
  error: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Areas that own several dependencies (the MCP gateway: one per server) expose probes dynamically.
 * A source that knows the moment a dependency changes (a child process exited) calls the
 * `changed` callback it was given, so the next report checks again instead of serving a cached
 * result for the rest of the interval.
 */
export interface ProbeSource {
  probes(): Probe[];
  subscribe?(changed: (probeName: string) => void): void;
}

/** A failed check that still has something to show (state, restarts, last error) beside its reason. */
export class ProbeFailure extends Error {
  constructor(
    message: string,
    readonly detail: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}
