import type { Queryable } from '../../db/types.js';

/**
 * When the optimizer last changed each target (table optimizer_steps, migration 0010). The
 * stepwise policy reads it for "at most one step per target per day"; it lives in the database
 * so a restart, or a second process on the same database, cannot step a target twice in a day.
 */
export interface StepRecord {
  target: string;
  changeId: string;
  from: string | null;
  to: string;
  backupId: string | null;
}

/** `container:redis`: the part of a change id before its resource. */
export function stepTargetOf(changeId: string): string {
  return changeId.slice(0, changeId.lastIndexOf(':'));
}

export async function lastSteps(db: Queryable): Promise<Map<string, number>> {
  const res = await db.query<{ target: string; stepped_at: Date }>(
    'SELECT target, stepped_at FROM optimizer_steps',
  );
  return new Map(res.rows.map((r) => [r.target, new Date(r.stepped_at).getTime()]));
}

export async function recordStep(db: Queryable, s: StepRecord, at: number): Promise<void> {
  await db.query(
    `INSERT INTO optimizer_steps (target, stepped_at, change_id, from_value, to_value, backup_id)
     VALUES ($1, $2::timestamptz, $3, $4, $5, $6)
     ON CONFLICT (target) DO UPDATE SET stepped_at = EXCLUDED.stepped_at, change_id = EXCLUDED.change_id,
       from_value = EXCLUDED.from_value, to_value = EXCLUDED.to_value, backup_id = EXCLUDED.backup_id`,
    [s.target, new Date(at).toISOString(), s.changeId, s.from, s.to, s.backupId],
  );
}
