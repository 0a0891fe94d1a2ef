import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAgentStore, syncAgentFiles } from '../../../src/agents/index.js';
import { openDb, type Db } from '../../../src/db/index.js';
import { freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';
import { agentFile, silentLogger, tempAgentsDir } from '../../integration/agents/helpers.js';

describeWithService('TEST_DATABASE_URL', 'agent file sync on PostgreSQL', (baseUrl) => {
  let main: { db: Db; url: string; close: () => Promise<void> };
  let files: Awaited<ReturnType<typeof tempAgentsDir>>;
  beforeAll(async () => {
    main = await freshPostgres(baseUrl, 2);
    files = await tempAgentsDir();
  });
  afterAll(async () => {
    await main.close();
    await files.cleanup();
  });

  it('converges without errors when several processes sync the same directory at once', async () => {
    for (let i = 0; i < 60; i++) {
      await files.write(
        `a${String(i).padStart(3, '0')}.md`,
        agentFile({ name: `agent-${i}`, tools: 'http.fetch' }),
      );
    }
    await files.write('broken.md', '---\nname: [\n---\nx\n');
    // Separate pools stand in for separate processes: each has its own connections.
    const others = await Promise.all([1, 2, 3].map(() => openDb({ url: main.url, dataDir: '', poolMax: 2 })));
    try {
      const dbs = [main.db, ...others];
      const results = await Promise.all(
        dbs.map((db) => syncAgentFiles({ db, dir: files.dir, logger: silentLogger })),
      );
      for (const r of results) {
        expect(r.synced).toBe(60);
        expect(r.skipped).toHaveLength(1);
      }
      // Exactly one run inserted the agents; the others found them already as written.
      expect(results.map((r) => r.changed.length).sort((a, b) => a - b)).toEqual([0, 0, 0, 60]);
      const count = await main.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM agents WHERE source LIKE 'file:%'",
      );
      expect(count.rows[0]!.n).toBe(60);

      // A change seen by all of them at once: each converges on the same rows, nothing fails.
      await files.remove('a000.md');
      await files.write('a001.md', agentFile({ name: 'agent-1', description: 'changed' }));
      const second = await Promise.all(
        dbs.map((db) => syncAgentFiles({ db, dir: files.dir, logger: silentLogger })),
      );
      expect(second.flatMap((r) => r.removed)).toEqual(['agent-0']);
      expect(second.flatMap((r) => r.changed)).toEqual(['agent-1']);
      const store = createAgentStore(main.db);
      expect((await store.get('agent-1')).description).toBe('changed');
      expect(await store.find('agent-0')).toBeUndefined();
    } finally {
      await Promise.all(others.map((db) => db.close()));
    }
  });
});
