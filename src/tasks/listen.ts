import pg from 'pg';
import type { Logger } from 'pino';
import { withDefaultUser } from '../db/postgres.js';

/** The channel enqueue() notifies on PostgreSQL (queue option `notify`). */
export const TASKS_CHANNEL = 'sutazai_tasks';

/**
 * A `WorkerOptions.subscribe` for PostgreSQL: one dedicated connection LISTENs for new tasks so
 * workers in other processes wake at once instead of at their next poll. Polling stays on: a
 * lost connection only costs latency, and this logs and carries on without it.
 */
export function listenForTasks(url: string, log: Logger): (wake: () => void) => Promise<() => Promise<void>> {
  return async (wake) => {
    const client = new pg.Client({
      connectionString: withDefaultUser(url),
      application_name: 'sutazai-listen',
    });
    client.on('error', (err) => log.warn({ err }, 'task:listen:failed'));
    client.on('notification', () => wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${TASKS_CHANNEL}`);
    } catch (err) {
      log.warn({ err }, 'task:listen:failed');
      await client.end().catch(() => undefined);
      return async () => undefined;
    }
    return async () => {
      await client.end().catch(() => undefined);
    };
  };
}
