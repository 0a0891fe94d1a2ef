import type { Db } from '../../src/db/index.js';
import { dataTables } from '../../src/backup/catalog.js';

/**
 * Puts rows in every SutazAI table, with awkward values on purpose: arrays, nested JSON, unicode,
 * quotes and newlines, NULLs, a bigserial, fractional timestamps and doubles. A table added by a
 * later migration gets one row of its defaults; if that is not possible the test says which table
 * needs rows here (so "every table" stays true).
 */
export async function populateEveryTable(db: Db, tasks = 25): Promise<void> {
  const agent = (
    await db.query<{ id: string }>(
      `INSERT INTO agents (name, capabilities, tools, configuration, model, last_heartbeat)
       VALUES ('backup-agent', '{code,"two words"}', '{http.fetch}', '{"nested":{"a":[1,2.5,null]},"q":"it''s \\"x\\""}', 'tinyllama', '2026-11-30T12:34:56.789012Z')
       RETURNING id`,
    )
  ).rows[0]!.id;
  const user = (
    await db.query<{ id: string }>(
      `INSERT INTO users (username, password_hash, role) VALUES ('bob', 'scrypt$abc$def', 'user') RETURNING id`,
    )
  ).rows[0]!.id;
  await db.query(
    `INSERT INTO api_keys (name, prefix, key_hash, role, user_id, expires_at) VALUES ('k', 'sk_ab', 'hash-1', 'user', $1, now() + interval '1 day')`,
    [user],
  );
  await db.query(
    `INSERT INTO refresh_tokens (user_id, token_hash, expires_at) VALUES ($1, 'rt-hash', now() + interval '7 days')`,
    [user],
  );
  await db.query(`INSERT INTO settings (key, value) VALUES ('ui', '{"theme":"dark","émoji":"✓"}')`);
  for (let i = 0; i < tasks; i++)
    await db.query(
      `INSERT INTO tasks (agent_id, type, payload, status, priority, routing_score, owner_id, requested_by_role, error)
       VALUES ($1, 'agent.run', $2::jsonb, $3, $4, $5, $6, 'user', $7)`,
      [
        agent,
        JSON.stringify({ prompt: `line ${i}\nwith "quotes" and \\ backslash` }),
        i % 3 ? 'pending' : 'completed',
        i % 5,
        i / 7,
        user,
        i % 4 ? null : 'boom\tтаб',
      ],
    );
  const task = (await db.query<{ id: string }>('SELECT id FROM tasks LIMIT 1')).rows[0]!.id;
  await db.query(
    `INSERT INTO task_steps (task_id, seq, attempt, kind, tool_name, arguments, duration_ms) VALUES ($1, 1, 1, 'tool', 'http.fetch', '{"url":"http://x"}', 12.345678)`,
    [task],
  );
  const conv = (
    await db.query<{ id: string }>(
      `INSERT INTO conversations (title, model, owner) VALUES ('c', 'tinyllama', $1) RETURNING id`,
      [user],
    )
  ).rows[0]!.id;
  for (const content of ['hello', 'wörld\n', ''])
    await db.query(
      `INSERT INTO messages (conversation_id, role, content, usage) VALUES ($1, 'user', $2, '{"tokens":3}')`,
      [conv, content],
    );
  const series = (
    await db.query<{ id: number }>(
      `INSERT INTO resource_series (name, kind, metric, subject, last_at, last_value)
       VALUES ('container:memory_bytes:redis', 'container', 'memory_bytes', 'redis', '2026-11-30T12:00:15.5Z', 1048576.25)
       RETURNING id`,
    )
  ).rows[0]!.id;
  await db.query(
    `INSERT INTO resource_samples (series_id, at, value) VALUES ($1, '2026-11-30T12:00:00Z', 1024), ($1, '2026-11-30T12:00:15.5Z', 1048576.25)`,
    [series],
  );
  await db.query(
    `INSERT INTO resource_rollups (series_id, resolution, bucket, count, min, max, mean, p95)
     VALUES ($1, 300, '2026-11-30T12:00:00Z', 2, 1024, 1048576.25, 524800.125, 1048576.25)`,
    [series],
  );
  await db.query(
    `INSERT INTO doctor_alert_outbox (name, data) VALUES ('watch', '{"episodes":{"fp-1":{"since":"2026-11-30T12:00:00Z"}},"pending":[]}')`,
  );
  await db.query(
    `INSERT INTO optimizer_steps (target, stepped_at, change_id, from_value, to_value, backup_id)
     VALUES ('container:redis', '2026-11-30T12:00:00Z', 'container:redis:memory', '268435456', '335544320', NULL)`,
  );
  for (const table of await dataTables(db)) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
    if (rows[0]!.n > 0) continue;
    try {
      await db.query(`INSERT INTO "${table}" DEFAULT VALUES`);
    } catch (err) {
      throw new Error(
        `table ${table} has no rows: add some in test/helpers/backup-fixture.ts (${(err as Error).message})`,
      );
    }
  }
}

/** Every table's rows as canonical text, sorted: equal maps mean identical data. */
export async function snapshotRows(db: Db): Promise<Record<string, string[]>> {
  return db.transaction(async (tx) => {
    await tx.query("SET LOCAL TimeZone = 'UTC'");
    const out: Record<string, string[]> = {};
    for (const table of await dataTables(tx)) {
      const { rows } = await tx.query<{ r: string }>(`SELECT to_jsonb(t)::text AS r FROM "${table}" t`);
      out[table] = rows.map((row) => row.r).sort();
    }
    const seq = await tx.query<{ name: string; v: string | null }>(
      `SELECT sequencename AS name, last_value::text AS v FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1`,
    );
    out['(sequences)'] = seq.rows.map((r) => `${r.name}=${r.v}`);
    return out;
  });
}
