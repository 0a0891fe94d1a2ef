import type { McpConfig } from '../config/schema.js';
import type { ServerRuntime, ServerState } from './supervisor/server-runtime.js';

export interface ServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  state: ServerState;
  sharing: string;
  pids: number[];
  instances: Array<{
    id: string;
    pid: number | null;
    inFlight: number;
    session: string | null;
    uptimeMs: number;
  }>;
  restarts: number;
  consecutiveFailures: number;
  backoffMs: number[];
  retryAt: string | null;
  uptimeMs: number | null;
  lastError: string | null;
  inFlight: number;
  queued: number;
  stderr: string[];
}

export function serverStatus(rt: ServerRuntime, now: number, _config: McpConfig): ServerStatus {
  const ready = rt.readyInstances();
  const sharing = rt.spec.sharing.mode === 'pool' ? `pool:${rt.spec.sharing.size}` : rt.spec.sharing.mode;
  const oldest = Math.min(...ready.map((i) => i.startedAt));
  return {
    name: rt.spec.name,
    transport: rt.spec.transport.kind,
    state: rt.state,
    sharing,
    pids: ready.map((i) => i.pid).filter((p): p is number => p !== null),
    instances: ready.map((i) => ({
      id: i.id,
      pid: i.pid,
      inFlight: i.inFlight,
      session: i.sessionKey,
      uptimeMs: now - i.startedAt,
    })),
    restarts: rt.restarts,
    consecutiveFailures: rt.failures,
    backoffMs: [...rt.backoffHistory],
    retryAt: rt.backoffUntil > now ? new Date(rt.backoffUntil).toISOString() : null,
    uptimeMs: ready.length > 0 ? now - oldest : null,
    lastError: rt.lastError,
    inFlight: rt.inFlight,
    queued: rt.queued,
    stderr: rt.stderr.tail(20),
  };
}
