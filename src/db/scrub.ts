/**
 * Database errors carry what was sent: PGlite sets `query`, `params` and `queryOptions` on every
 * error, and PostgreSQL's `detail` repeats the offending values ("Key (username)=(bob) already
 * exists"). A logger that serialises `err` would then write API-key hashes, password hashes and
 * chat text into the log. This hides those fields from serialisation (they stay readable, so
 * code that inspects `err.detail` still works) before the error leaves the db layer.
 */
const SENSITIVE = ['params', 'parameters', 'queryOptions', 'query', 'detail', 'where', 'internalQuery'];

export function scrubDbError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return err;
  for (const key of SENSITIVE) {
    const descriptor = Object.getOwnPropertyDescriptor(err, key);
    if (!descriptor?.enumerable || !descriptor.configurable) continue;
    Object.defineProperty(err, key, { ...descriptor, enumerable: false });
  }
  return err;
}

/** Runs a database call; its error, if any, leaves with the sensitive fields hidden. */
export async function scrubbed<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw scrubDbError(err);
  }
}
