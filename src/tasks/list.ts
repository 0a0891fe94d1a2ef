/**
 * Reading the tasks table newest first, and counting it by status, with the indexes of migration
 * 0011. No index covers every row any more (so that a claim, pending -> running, adds only two
 * index entries): rows that are not running are in tasks_status_created_idx (status, created_at
 * DESC, id DESC) and, per owner, tasks_owner_status_created_idx; running rows, at most the
 * workers' slots and buffers, are found through tasks_lease_idx, which covers the rows holding a
 * lease (every running row does: constraint tasks_running_has_lease, migration 0013, hence the
 * `lease_expires_at IS NOT NULL` that lets the planner use it). A list over several statuses is
 * therefore one ordered, limited scan per status, merged: each branch reads at most a page.
 */
import type { Queryable } from '../db/index.js';
import type { ListCursor } from './cursor.js';
import { TASK_COLUMNS } from './rows.js';
import type { TaskStatus } from './types.js';

export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'running', 'completed', 'cancelled', 'dead'];

export interface ListQuery {
  status?: TaskStatus;
  agentId?: string;
  type?: string;
  /** An owner id (already mapped to a UUID); undefined: every owner. */
  ownerId?: string;
  /** Rows to read: the page size plus one, to know whether more follow. */
  limit: number;
  cursor?: ListCursor;
}

/** The list statement: newest first, (created_at, id) after the cursor, at most `limit` rows. */
export function listTasksSql(query: ListQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const $ = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (query.agentId) where.push(`agent_id = ${$(query.agentId)}::uuid`);
  if (query.type) where.push(`type = ${$(query.type)}`);
  if (query.ownerId !== undefined) where.push(`owner_id = ${$(query.ownerId)}::uuid`);
  if (query.cursor)
    where.push(`(created_at, id) < (${$(query.cursor.createdAt)}::timestamptz, ${$(query.cursor.id)}::uuid)`);
  const limit = $(query.limit);
  // Statuses are literals from TASK_STATUSES, never request text: each branch's predicate must be
  // a constant for the planner to match it to the partial indexes.
  const branch = (status: TaskStatus): string =>
    `(SELECT ${TASK_COLUMNS} FROM tasks WHERE ${[STATUS_IS[status], ...where].join(' AND ')}
      ORDER BY created_at DESC, id DESC LIMIT ${limit})`;
  const statuses = query.status ? [query.status] : TASK_STATUSES;
  const sql =
    statuses.length === 1
      ? branch(statuses[0]!)
      : `SELECT * FROM (${statuses.map(branch).join(' UNION ALL ')}) page
         ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
  return { sql, params };
}

/** Each status as a condition the planner can match to the partial index that covers it. */
const STATUS_IS: Record<TaskStatus, string> = {
  pending: "status = 'pending'",
  running: "status = 'running' AND lease_expires_at IS NOT NULL",
  completed: "status = 'completed'",
  cancelled: "status = 'cancelled'",
  dead: "status = 'dead'",
};

/** Tasks per status, every status present (0 when none); index-only where the index allows. */
export async function countTasksByStatus(db: Queryable): Promise<Record<TaskStatus, number>> {
  const { rows } = await db.query<{ status: TaskStatus; n: number }>(COUNT_BY_STATUS_SQL);
  const counts: Record<TaskStatus, number> = { pending: 0, running: 0, completed: 0, cancelled: 0, dead: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/** (status, n) rows; statuses without tasks are absent. */
export const COUNT_BY_STATUS_SQL = `
  SELECT status, count(*)::int AS n FROM tasks WHERE status <> 'running' GROUP BY status
  UNION ALL
  SELECT 'running', count(*)::int FROM tasks WHERE ${STATUS_IS.running}`;
