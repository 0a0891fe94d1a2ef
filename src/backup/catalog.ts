import type { Queryable } from '../db/index.js';

/** The bookkeeping table travels in the manifest (`migrations`), not as data. */
const NOT_DATA = new Set(['schema_migrations']);

/** Quotes an identifier for SQL text (table names come from the catalogue, never from a request). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * SutazAI's tables in the current schema, parents before children (foreign keys), so a load in
 * this order never references a row that is not there yet. A table added by a later migration is
 * included without a change here.
 */
export async function dataTables(db: Queryable): Promise<string[]> {
  const tables = (
    await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
       ORDER BY c.relname`,
    )
  ).rows
    .map((r) => r.name)
    .filter((name) => !NOT_DATA.has(name));
  const edges = (
    await db.query<{ child: string; parent: string }>(
      `SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint co
       JOIN pg_class ch ON ch.oid = co.conrelid JOIN pg_class pa ON pa.oid = co.confrelid
       WHERE co.contype = 'f' AND ch.relnamespace = current_schema()::regnamespace`,
    )
  ).rows;
  return parentsFirst(tables, edges);
}

export function parentsFirst(tables: string[], edges: Array<{ child: string; parent: string }>): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table) || visiting.has(table)) return; // a cycle loads in name order
    visiting.add(table);
    for (const e of edges) if (e.child === table && e.parent !== table) visit(e.parent);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered.filter((t) => tables.includes(t));
}

export async function appliedMigrations(db: Queryable): Promise<string[]> {
  const exists = await db.query<{ present: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS present`,
  );
  if (!exists.rows[0]?.present) return [];
  return (await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map(
    (r) => r.name,
  );
}

export async function sequenceValues(
  db: Queryable,
): Promise<Array<{ name: string; lastValue: string | null }>> {
  return (
    await db.query<{ name: string; lastValue: string | null }>(
      `SELECT sequencename AS name, last_value::text AS "lastValue" FROM pg_sequences
       WHERE schemaname = current_schema() ORDER BY sequencename`,
    )
  ).rows;
}

/** Reads a table's rows as canonical JSON text through a cursor, `batch` rows at a time. */
export async function* tableRows(tx: Queryable, table: string, batch = 2000): AsyncGenerator<string[]> {
  const cursor = `sutazai_backup_${Math.random().toString(36).slice(2, 10)}`;
  await tx.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT to_jsonb(t)::text AS r FROM ${ident(table)} t`,
  );
  try {
    for (;;) {
      const { rows } = await tx.query<{ r: string }>(`FETCH ${batch} FROM ${cursor}`);
      if (rows.length === 0) return;
      yield rows.map((row) => row.r);
    }
  } finally {
    await tx.query(`CLOSE ${cursor}`);
  }
}
