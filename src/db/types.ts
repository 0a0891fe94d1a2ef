/** What every query site needs: one interface over PGlite and node-postgres. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export type DbKind = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /** Round-trip check used by the health probe. */
  ping(): Promise<void>;
  /**
   * LISTENs on `channel` and calls `onPayload` for every NOTIFY, from this process or any other
   * on the same database; returns the function that stops. On PostgreSQL a dedicated connection
   * listens and reconnects after a loss; notifications sent meanwhile are missed, so
   * `onReconnect` is called once it listens again (the caller tells its readers to refetch).
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>>;
  /** Idempotent. */
  close(): Promise<void>;
}
