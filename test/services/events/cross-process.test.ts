import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { withDefaultUser } from '../../../src/db/postgres.js';
import { freshPostgresSchemaUrl } from '../../helpers/db.js';
import { adminHeaders, startTestPlatform } from '../../helpers/platform.js';
import { describeWithService } from '../../helpers/services.js';
import { dataOf, openSse } from '../../helpers/sse.js';

describeWithService('TEST_DATABASE_URL', 'events across processes on PostgreSQL', (baseUrl) => {
  let platform: Platform;
  let drop: () => Promise<void>;
  let url: string;
  let base: string;
  beforeAll(async () => {
    ({ url, drop } = await freshPostgresSchemaUrl(baseUrl));
    // An API-only process: its worker is off, so every change below comes from elsewhere.
    platform = await startTestPlatform({}, { role: 'api', inMemoryDb: false }, (config) => {
      config.database.url = url;
    });
    base = await platform.listen();
  });
  afterAll(async () => {
    await platform?.close();
    await drop?.();
  });

  it("an API process streams the state changes a worker process's connection makes", async () => {
    const admin = await adminHeaders(base);
    const stream = await openSse(`${base}/api/v1/events`, admin);
    const created = await fetch(`${base}/api/v1/tasks`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'http.check', payload: { url: 'http://127.0.0.1:9/' } }),
    });
    const { id } = (await created.json()) as { id: string };
    // The "worker": its own connection, as a worker process has.
    const worker = new pg.Client({ connectionString: withDefaultUser(url) });
    await worker.connect();
    try {
      await worker.query(
        `UPDATE tasks SET status = 'running', attempts = 1, lease_expires_at = now() + interval '1 minute' WHERE id = $1`,
        [id],
      );
      await worker.query(
        `UPDATE tasks SET status = 'dead', error = 'x', lease_expires_at = NULL WHERE id = $1`,
        [id],
      );
    } finally {
      await worker.end();
    }
    await stream.waitFor((f) => f.event === 'task' && dataOf(f).id === id && dataOf(f).state === 'dead');
    const states = stream.frames
      .filter((f) => f.event === 'task' && dataOf(f).id === id)
      .map((f) => dataOf(f).state);
    expect(states).toEqual(['pending', 'running', 'dead']);
    stream.close();
  });

  it('a Last-Event-ID from another API process answers reset there (refetch), not a silent gap', async () => {
    const admin = await adminHeaders(base);
    const first = await openSse(`${base}/api/v1/events`, admin);
    await fetch(`${base}/api/v1/tasks`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'http.check', payload: { url: 'http://127.0.0.1:9/' } }),
    });
    const seen = await first.waitFor((f) => f.event === 'task');
    first.close();
    const other = await startTestPlatform({}, { role: 'api', inMemoryDb: false }, (config) => {
      config.database.url = url;
    });
    try {
      const otherBase = await other.listen();
      const resumed = await openSse(`${otherBase}/api/v1/events`, {
        ...(await adminHeaders(otherBase)),
        'last-event-id': seen.id!,
      });
      expect((await resumed.waitFor((f) => f.event !== undefined)).event).toBe('reset');
      resumed.close();
    } finally {
      await other.close();
    }
  });
});
