import { userInfo } from 'node:os';
import pg from 'pg';
import { scrubbed } from './scrub.js';
import type { Db, Queryable, QueryResult } from './types.js';

export interface PostgresOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  connectTimeoutMs?: number;
}

function wrap(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      const result = await scrubbed(() => target.query(sql, params as unknown[]));
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    },
  };
}

/** A bounded node-postgres pool; every statement has a server-side timeout. */
export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: withDefaultUser(options.url),
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    application_name: 'sutazai',
  });
  // An idle client that loses its connection emits here; without a listener it would crash us.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    listen: (channel, onPayload, onReconnect) =>
      listenWithReconnect(options.url, channel, onPayload, onReconnect),
    close: () => (closing ??= pool.end()),
  };
}

const RECONNECT_MS = 1000;

/**
 * One dedicated connection LISTENs on `channel`; when it is lost, a new one is made after
 * RECONNECT_MS until stopped. The first connection must succeed (the caller learns the database
 * is unreachable); later losses are retried quietly, and `onReconnect` runs once listening again.
 */
async function listenWithReconnect(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  onReconnect: () => void = () => undefined,
): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: withDefaultUser(url), application_name: 'sutazai-events' });
    c.on('notification', (msg) => onPayload(msg.payload ?? ''));
    c.on('error', () => undefined);
    c.on('end', () => {
      if (client === c) retry();
    });
    client = c;
    await c.connect();
    await c.query(`LISTEN ${channel}`);
  };
  const retry = (): void => {
    client = undefined;
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(
      () =>
        void connect().then(() => {
          if (!stopped) onReconnect();
        }, retry),
      RECONNECT_MS,
    );
    timer.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => undefined);
  };
}

/**
 * libpq falls back to the OS user when the URL names none; node-postgres does not (and a user
 * given beside the connection string is overridden by it), so the URL itself gets the name.
 */
export function withDefaultUser(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username) return url;
  parsed.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return parsed.toString();
}
