import pg from 'pg';
import type { Logger } from 'pino';
import { withDefaultUser } from './postgres.js';

/**
 * "A SutazAI process is running on this database": every platform process on PostgreSQL holds a
 * shared advisory lock on this key for its lifetime; `sutazai backup restore` takes it exclusively
 * and so refuses while any process runs (the PostgreSQL counterpart of the data-dir lock). A
 * session lock on a dedicated connection: it vanishes with the process, however it dies.
 * The key is shared with no other lock (migrate 724_010_010, ensure-admin 724_010_011, agents sync
 * 724_010_020): sharing ensure-admin's made every second process wait for the first to exit.
 */
export const PRESENCE_LOCK_KEY = 724_013_001;

export interface Presence {
  release(): Promise<void>;
}

export async function holdPresence(url: string, log: Logger): Promise<Presence> {
  const client = new pg.Client({
    connectionString: withDefaultUser(url),
    application_name: 'sutazai-presence',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', (err) => log.warn({ err }, 'db:presence:lost'));
  await client.connect();
  await client.query('SELECT pg_advisory_lock_shared($1)', [PRESENCE_LOCK_KEY]);
  let released: Promise<void> | undefined;
  return { release: () => (released ??= client.end().catch(() => undefined)) };
}
