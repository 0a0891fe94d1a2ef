import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAgentStore,
  markStaleAgentsOffline,
  recordHeartbeat,
  setAgentStatus,
  startStaleAgentSweep,
  type AgentStore,
} from '../../../src/agents/index.js';
import type { Db } from '../../../src/db/index.js';
import { freshPglite } from '../../helpers/db.js';
import type { Queryable } from '../../../src/db/index.js';
import { resetAgentTables, silentLogger } from './helpers.js';

describe('agent status and heartbeat bookkeeping', () => {
  let db: Db;
  let store: AgentStore;
  const make = async (name: string) =>
    (
      await store.create({
        name,
        description: '',
        capabilities: [],
        systemPrompt: 'p',
        tools: [],
        configuration: {},
      })
    ).id;
  const heartbeatAgo = (id: string, ms: number) =>
    db.query(
      `UPDATE agents SET last_heartbeat = now() - make_interval(secs => $2::float8 / 1000) WHERE id = $1`,
      [id, ms],
    );

  beforeAll(async () => {
    db = await freshPglite();
    store = createAgentStore(db);
  });
  afterAll(async () => db.close());
  beforeEach(() => resetAgentTables(db));

  it('sets the status and counts it as a heartbeat', async () => {
    const id = await make('a');
    expect(await setAgentStatus(db, id, 'busy')).toBe(true);
    const agent = await store.get(id);
    expect(agent.status).toBe('busy');
    expect(agent.lastHeartbeat).toBeInstanceOf(Date);
  });

  it('returns false for unknown or malformed ids instead of throwing', async () => {
    expect(await setAgentStatus(db, '00000000-0000-0000-0000-000000000000', 'idle')).toBe(false);
    expect(await setAgentStatus(db, 'nope', 'idle')).toBe(false);
    expect(await recordHeartbeat(db, 'nope')).toBe(false);
  });

  it('rejects a status outside the state machine', async () => {
    const id = await make('a');
    await expect(setAgentStatus(db, id, 'sleeping' as never)).rejects.toThrow(/unknown agent status/);
  });

  it('records a heartbeat and brings an offline agent back as idle, leaving busy alone', async () => {
    const off = await make('off');
    const busy = await make('busy');
    await setAgentStatus(db, off, 'offline');
    await setAgentStatus(db, busy, 'busy');
    expect(await recordHeartbeat(db, off)).toBe(true);
    expect(await recordHeartbeat(db, busy)).toBe(true);
    expect((await store.get(off)).status).toBe('idle');
    expect((await store.get(busy)).status).toBe('busy');
  });

  it('marks agents offline whose heartbeat is older than the limit, and only those', async () => {
    const stale = await make('stale');
    const fresh = await make('fresh');
    const never = await make('never');
    await setAgentStatus(db, stale, 'busy');
    await heartbeatAgo(stale, 120_000);
    await heartbeatAgo(fresh, 1_000);
    expect(await markStaleAgentsOffline(db, 60_000)).toEqual(['stale']);
    expect((await store.get(stale)).status).toBe('offline');
    expect((await store.get(fresh)).status).toBe('idle');
    expect((await store.get(never)).status).toBe('idle');
    expect(await markStaleAgentsOffline(db, 60_000)).toEqual([]);
  });

  it('runs the stale sweep on its interval, survives a failing pass, and stops once', async () => {
    const stale = await make('stale');
    await heartbeatAgo(stale, 120_000);
    let calls = 0;
    // The first pass hits a database error; the loop must log it and keep going.
    const flaky: Queryable = {
      query: (sql, params) =>
        ++calls === 1 ? Promise.reject(new Error('connection reset')) : db.query(sql, params),
    };
    const sweep = startStaleAgentSweep({
      db: flaky,
      logger: silentLogger,
      staleAfterMs: 60_000,
      intervalMs: 20,
    });
    try {
      await vi.waitFor(async () => expect((await store.get(stale)).status).toBe('offline'), {
        timeout: 10_000,
      });
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      await sweep.stop();
      await sweep.stop();
    }
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(after);
  });
});
