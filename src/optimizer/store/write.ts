import type { Db, Queryable } from '../../db/types.js';
import { parseSeries, type Point } from '../types.js';

export interface WriteResult {
  written: number;
  /** Points of new series refused because the store already holds `maxSeries` series. */
  droppedOverCap: number;
}

/**
 * Writes one pass of points at one timestamp: new series are registered (up to `maxSeries`),
 * samples go in with one statement, and each series remembers its latest value (the list API
 * and the gauges read that instead of scanning samples). Ids are cached per writer.
 */
export class SampleWriter {
  private ids = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly maxSeries: number,
  ) {}

  async write(at: number, points: readonly Point[]): Promise<WriteResult> {
    const ids: number[] = [];
    const values: number[] = [];
    let dropped = 0;
    for (const p of points) {
      if (!Number.isFinite(p.value)) continue;
      const id = this.ids.get(p.series) ?? (await this.register(p.series));
      if (id === undefined) {
        dropped++;
        continue;
      }
      ids.push(id);
      values.push(p.value);
    }
    if (ids.length === 0) return { written: 0, droppedOverCap: dropped };
    const when = new Date(at).toISOString();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO resource_samples (series_id, at, value)
         SELECT id, $2::timestamptz, v FROM unnest($1::int[], $3::float8[]) AS u(id, v)
         ON CONFLICT DO NOTHING`,
        [ids, when, values],
      );
      await tx.query(
        `UPDATE resource_series s SET last_at = $2::timestamptz, last_value = u.v
         FROM unnest($1::int[], $3::float8[]) AS u(id, v) WHERE s.id = u.id`,
        [ids, when, values],
      );
    });
    return { written: ids.length, droppedOverCap: dropped };
  }

  private async register(name: string): Promise<number | undefined> {
    const parsed = parseSeries(name);
    if (!parsed) return undefined;
    const id = await this.db.transaction(async (tx) => insertSeries(tx, name, parsed, this.maxSeries));
    if (id !== undefined) this.ids.set(name, id);
    return id;
  }
}

async function insertSeries(
  tx: Queryable,
  name: string,
  p: NonNullable<ReturnType<typeof parseSeries>>,
  maxSeries: number,
): Promise<number | undefined> {
  const existing = await tx.query<{ id: number }>('SELECT id FROM resource_series WHERE name = $1', [name]);
  if (existing.rows[0]) return existing.rows[0].id;
  const count = await tx.query<{ n: string }>('SELECT count(*) AS n FROM resource_series');
  if (Number(count.rows[0]?.n ?? 0) >= maxSeries) return undefined;
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO resource_series (name, kind, metric, subject) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [name, p.kind, p.metric, p.subject],
  );
  return inserted.rows[0]?.id;
}
