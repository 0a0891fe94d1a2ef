import type { Db } from '../db/index.js';
import type { Probe } from './types.js';

/** The database answers a round trip; required: nothing works without it. */
export function databaseProbe(db: Db): Probe {
  return {
    name: 'database',
    required: true,
    async check() {
      await db.ping();
      return { driver: db.kind };
    },
  };
}
