import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { HealthReport } from '../health/index.js';
import type { ServerStatus } from '../mcp/index.js';
import { DoctorSummaries, healthChangeTracker, mcpChangeTracker } from './change-sources.js';
import { listenForTaskEvents } from './db-source.js';
import { EventHub, type EventHubOptions } from './hub.js';

export interface EventsOptions extends EventHubOptions {
  heartbeatMs: number;
  healthIntervalMs: number;
}

export interface EventsDeps {
  db: Db;
  logger: Logger;
  options: EventsOptions;
  /** The gateway's state-change hook and its current view of one server. */
  mcp?: {
    onStateChange(listener: (server: string) => void): void;
    status(server: string): ServerStatus | undefined;
  };
  /** A health report (cached per probe interval by the registry). */
  health?: () => Promise<HealthReport>;
}

export interface EventsService {
  hub: EventHub;
  doctor: DoctorSummaries;
  heartbeatMs: number;
  /** Ends every stream and stops the sources; idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the hub and connects its sources: task and step changes from the database (any
 * process), MCP state changes from the gateway, health by polling while anyone listens, doctor
 * reports as they are produced. One heartbeat timer serves every stream.
 */
export async function startEvents(deps: EventsDeps): Promise<EventsService> {
  const { options, logger } = deps;
  const hub = new EventHub(options);
  const publish = hub.publish.bind(hub);
  const stopListening = await listenForTaskEvents(deps.db, publish, logger, () => hub.resetAll());

  if (deps.mcp) {
    const mcp = deps.mcp;
    const track = mcpChangeTracker(publish);
    mcp.onStateChange((server) => track(mcp.status(server), server));
  }

  const heartbeat = setInterval(() => hub.heartbeat(), options.heartbeatMs);
  heartbeat.unref();

  const trackHealth = healthChangeTracker(publish);
  let checking = false;
  const pollHealth = async () => {
    if (!deps.health || checking || hub.streams === 0) return;
    checking = true;
    try {
      trackHealth(await deps.health());
    } catch (err) {
      logger.warn({ err, event: 'events:health:failed' }, 'health poll for events failed');
    } finally {
      checking = false;
    }
  };
  const healthTimer = setInterval(() => void pollHealth(), options.healthIntervalMs);
  healthTimer.unref();

  let closing: Promise<void> | undefined;
  return {
    hub,
    doctor: new DoctorSummaries(publish),
    heartbeatMs: options.heartbeatMs,
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        clearInterval(healthTimer);
        hub.close();
        await stopListening();
      })()),
  };
}
