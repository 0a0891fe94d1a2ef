import type { Queryable } from '../../db/types.js';
import { STEP_EVERY_MS } from '../recommend.js';

/**
 * Auto mode's coordination, all in optimizer_steps (migration 0010; decision 0076), so it holds
 * for every process sharing the database and survives restarts:
 * - `auto:switch` — the kill switch: to_value `off` pauses auto mode at its next tick;
 * - `auto:lease` — one tick at a time across processes: stepped_at is when the lease expires,
 *   to_value who holds it;
 * - each target's own row (`container:redis`) — claimed with a conditional upsert before the
 *   step is applied, so two processes never step one target within a day.
 * None of these names is `container:`, `mcp:` or `ollama:`, so the plan never reads them as steps.
 */
export const SWITCH_ROW = 'auto:switch';
export const LEASE_ROW = 'auto:lease';

/** A crashed holder's lease lapses after this; a ticking holder renews it before every step. */
export const LEASE_MS = 30 * 60_000;

export async function autoPaused(db: Queryable): Promise<boolean> {
  const res = await db.query<{ to_value: string }>('SELECT to_value FROM optimizer_steps WHERE target = $1', [
    SWITCH_ROW,
  ]);
  return res.rows[0]?.to_value === 'off';
}

/** Sets the kill switch (`sutazai optimize auto off|on`, POST /api/v1/optimizer/auto). */
export async function setAutoSwitch(db: Queryable, on: boolean, at: number): Promise<void> {
  await db.query(
    `INSERT INTO optimizer_steps (target, stepped_at, change_id, to_value) VALUES ($1, $2::timestamptz, 'switch', $3)
     ON CONFLICT (target) DO UPDATE SET stepped_at = EXCLUDED.stepped_at, to_value = EXCLUDED.to_value`,
    [SWITCH_ROW, new Date(at).toISOString(), on ? 'on' : 'off'],
  );
}

/** True when this holder now has the lease (it was free, lapsed, or already its own). */
export async function takeLease(db: Queryable, holder: string, at: number): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO optimizer_steps (target, stepped_at, change_id, to_value) VALUES ($1, $2::timestamptz, 'lease', $3)
     ON CONFLICT (target) DO UPDATE SET stepped_at = EXCLUDED.stepped_at, to_value = EXCLUDED.to_value
     WHERE optimizer_steps.stepped_at <= $4::timestamptz OR optimizer_steps.to_value = $3
     RETURNING target`,
    [LEASE_ROW, new Date(at + LEASE_MS).toISOString(), holder, new Date(at).toISOString()],
  );
  return res.rows.length === 1;
}

export async function releaseLease(db: Queryable, holder: string, at: number): Promise<void> {
  await db.query(
    'UPDATE optimizer_steps SET stepped_at = $3::timestamptz WHERE target = $1 AND to_value = $2',
    [LEASE_ROW, holder, new Date(at).toISOString()],
  );
}

export interface Claim {
  target: string;
  changeId: string;
  from: string | null;
  to: string;
}

/**
 * Records the step before it is applied, only when the target was not stepped in the last day:
 * false means another tick (here or in another process) has stepped it. The row counts as the
 * day's step whatever the outcome, so a rolled-back or failed step is not retried until tomorrow.
 */
export async function claimStep(db: Queryable, c: Claim, at: number): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO optimizer_steps (target, stepped_at, change_id, from_value, to_value, backup_id)
     VALUES ($1, $2::timestamptz, $3, $4, $5, NULL)
     ON CONFLICT (target) DO UPDATE SET stepped_at = EXCLUDED.stepped_at, change_id = EXCLUDED.change_id,
       from_value = EXCLUDED.from_value, to_value = EXCLUDED.to_value, backup_id = NULL
     WHERE optimizer_steps.stepped_at <= $6::timestamptz
     RETURNING target`,
    [
      c.target,
      new Date(at).toISOString(),
      c.changeId,
      c.from,
      c.to,
      new Date(at - STEP_EVERY_MS).toISOString(),
    ],
  );
  return res.rows.length === 1;
}

/** A step that did not stay: the row keeps its time (the day's step) but names the value in force. */
export async function settleUndone(db: Queryable, c: Claim, backupId: string | null): Promise<void> {
  await db.query('UPDATE optimizer_steps SET to_value = $2, backup_id = $3 WHERE target = $1', [
    c.target,
    c.from ?? c.to,
    backupId,
  ]);
}

/** The latest step per target, newest first; the coordination rows are left out. */
export async function recentSteps(db: Queryable, limit = 20) {
  const res = await db.query<{
    target: string;
    stepped_at: Date;
    change_id: string;
    from_value: string | null;
    to_value: string;
    backup_id: string | null;
  }>(
    `SELECT target, stepped_at, change_id, from_value, to_value, backup_id FROM optimizer_steps
      WHERE target NOT LIKE 'auto:%' ORDER BY stepped_at DESC LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => ({
    target: r.target,
    at: new Date(r.stepped_at).toISOString(),
    change: r.change_id,
    from: r.from_value,
    to: r.to_value,
    backupId: r.backup_id,
  }));
}
