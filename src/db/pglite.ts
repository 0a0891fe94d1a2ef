import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { scrubbed } from './scrub.js';
import { initdbInChild, needsInitdb } from './pglite-init.js';
import type { Db, Queryable, QueryResult } from './types.js';

/**
 * Small-footprint settings measured on this kind of machine: a warm start drops from ~310 MB to
 * ~180 MB RSS with these (see docs/decisions/0002-embedded-postgres.md). shared_buffers=1MB saves
 * another ~20 MB idle RSS with queue throughput within noise (bench/idle-memory.ts, queue-throughput.ts).
 */
const LEAN_SETTINGS = ['shared_buffers=1MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'wal_buffers=1MB'];

function wrap(target: Pick<PGlite, 'query'>): Queryable {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      const result = await scrubbed(() => target.query<T>(sql, params as unknown[]));
      return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
    },
  };
}

/** Opens embedded PostgreSQL in `dir` (created when missing), or in memory when `dir` is undefined. */
export async function openPglite(dir: string | undefined): Promise<Db> {
  if (dir) mkdirSync(dir, { recursive: true });
  // A first start runs initdb in a child that exits, so its memory is not kept (pglite-init.ts).
  if (dir && needsInitdb(dir)) await initdbInChild(dir, LEAN_SETTINGS);
  const pg = await PGlite.create({ ...(dir ? { dataDir: dir } : {}), postgresqlconf: LEAN_SETTINGS });
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    exec: async (sql) => {
      await scrubbed(() => pg.exec(sql));
    },
    ping: async () => {
      await pg.query('SELECT 1');
    },
    listen: async (channel, onPayload) => {
      const stop = await pg.listen(channel, onPayload);
      return async () => {
        if (!pg.closed) await stop().catch(() => undefined);
      };
    },
    close: () => (closing ??= pg.close()),
  };
}
