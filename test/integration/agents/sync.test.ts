import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgentStore, syncAgentFiles } from '../../../src/agents/index.js';
import type { Db } from '../../../src/db/index.js';
import { freshPglite } from '../../helpers/db.js';
import { agentFile, resetAgentTables, seedTasks, silentLogger, tempAgentsDir } from './helpers.js';

describe('syncAgentFiles on PGlite', () => {
  let db: Db;
  let files: Awaited<ReturnType<typeof tempAgentsDir>>;
  const sync = () => syncAgentFiles({ db, dir: files.dir, logger: silentLogger });

  // One database per file (a PGlite start is seconds on this machine); tables reset per test.
  beforeAll(async () => {
    db = await freshPglite();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await resetAgentTables(db);
    files = await tempAgentsDir();
  });
  afterEach(async () => files.cleanup());

  it('adds one agent per valid file, recording the relative path as its source', async () => {
    await files.write(
      'alpha.md',
      agentFile({ name: 'alpha', description: 'A', tools: 'http.fetch, time.now' }),
    );
    await files.write(
      'team/beta.md',
      agentFile({ name: 'beta', capabilities: '[search, web]', model: 'tinyllama' }),
    );
    await files.write('README.md', '# not an agent\n');
    const result = await sync();
    expect(result).toEqual({ synced: 2, changed: ['alpha', 'beta'], skipped: [], removed: [] });
    const store = createAgentStore(db);
    const beta = await store.get('beta');
    expect(beta).toMatchObject({
      source: 'file:team/beta.md',
      capabilities: ['search', 'web'],
      model: 'tinyllama',
      systemPrompt: 'You are a test agent.',
      status: 'idle',
    });
    expect((await store.get('alpha')).tools).toEqual(['http.fetch', 'time.now']);
  });

  it('is idempotent: a second run changes nothing and keeps updated_at', async () => {
    await files.write('alpha.md', agentFile({ name: 'alpha' }));
    await sync();
    const before = await createAgentStore(db).get('alpha');
    const again = await sync();
    expect(again).toEqual({ synced: 1, changed: [], skipped: [], removed: [] });
    const after = await createAgentStore(db).get('alpha');
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(after.id).toBe(before.id);
  });

  it('updates the agent in place when its file changes, keeping id and runtime status', async () => {
    await files.write('alpha.md', agentFile({ name: 'alpha', description: 'old' }));
    await sync();
    const store = createAgentStore(db);
    const before = await store.get('alpha');
    await db.query(`UPDATE agents SET status = 'busy' WHERE id = $1`, [before.id]);
    await files.write(
      'alpha.md',
      agentFile({ name: 'alpha', description: 'new', tools: 'http.fetch' }, 'New prompt'),
    );
    const result = await sync();
    expect(result.changed).toEqual(['alpha']);
    const after = await store.get('alpha');
    expect(after).toMatchObject({
      id: before.id,
      description: 'new',
      tools: ['http.fetch'],
      systemPrompt: 'New prompt',
      status: 'busy',
    });
  });

  it('skips a bad file with its path and reason and still syncs the others', async () => {
    await files.write('good.md', agentFile({ name: 'good' }));
    await files.write('bad.md', '---\nname: bad\ntools: [oops\n---\nprompt\n');
    await files.write('nameless.md', agentFile({ description: 'no name' }));
    const result = await sync();
    expect(result.synced).toBe(1);
    expect(result.skipped).toEqual([
      { path: path.join(files.dir, 'bad.md'), reason: expect.stringMatching(/^invalid YAML at line \d+/) },
      { path: path.join(files.dir, 'nameless.md'), reason: 'name: is required' },
    ]);
    expect((await createAgentStore(db).list()).items.map((a) => a.name)).toEqual(['good']);
  });

  it('keeps the last good definition while a file is broken', async () => {
    await files.write('alpha.md', agentFile({ name: 'alpha', description: 'good' }));
    await sync();
    await files.write('alpha.md', '---\nname: alpha\n---\n');
    const result = await sync();
    expect(result.skipped).toHaveLength(1);
    expect(result.removed).toEqual([]);
    expect((await createAgentStore(db).get('alpha')).description).toBe('good');
  });

  it('deletes the agent of a removed file; its tasks keep their rows with agent_id null', async () => {
    await files.write('alpha.md', agentFile({ name: 'alpha' }));
    await files.write('beta.md', agentFile({ name: 'beta' }));
    await sync();
    const alpha = await createAgentStore(db).get('alpha');
    const [taskId] = await seedTasks(db, alpha.id, [{ status: 'completed' }]);
    await files.remove('alpha.md');
    const result = await sync();
    expect(result).toMatchObject({ synced: 1, removed: ['alpha'] });
    expect(await createAgentStore(db).find('alpha')).toBeUndefined();
    const task = await db.query<{ agent_id: string | null }>('SELECT agent_id FROM tasks WHERE id = $1', [
      taskId,
    ]);
    expect(task.rows).toEqual([{ agent_id: null }]);
  });

  it('follows a file that was renamed without deleting and re-creating the agent', async () => {
    await files.write('old.md', agentFile({ name: 'alpha' }));
    await sync();
    const before = await createAgentStore(db).get('alpha');
    await files.remove('old.md');
    await files.write('new.md', agentFile({ name: 'alpha' }));
    const result = await sync();
    expect(result.removed).toEqual([]);
    const after = await createAgentStore(db).get('alpha');
    expect(after).toMatchObject({ id: before.id, source: 'file:new.md' });
  });

  it('never takes over an agent created through the API, and reports the file', async () => {
    const store = createAgentStore(db);
    await store.create({
      name: 'alpha',
      description: 'api',
      capabilities: [],
      systemPrompt: 'p',
      tools: [],
      configuration: {},
    });
    await files.write('alpha.md', agentFile({ name: 'alpha', description: 'file' }));
    const result = await sync();
    expect(result.synced).toBe(0);
    expect(result.skipped).toEqual([
      { path: path.join(files.dir, 'alpha.md'), reason: expect.stringMatching(/created through the API/) },
    ]);
    expect(await store.get('alpha')).toMatchObject({ source: 'api', description: 'api' });
  });

  it('skips the second of two files that declare the same name', async () => {
    await files.write('a.md', agentFile({ name: 'dup', description: 'first' }));
    await files.write('b.md', agentFile({ name: 'dup', description: 'second' }));
    const result = await sync();
    expect(result.synced).toBe(1);
    expect(result.skipped).toEqual([
      { path: path.join(files.dir, 'b.md'), reason: expect.stringMatching(/already declared by .*a\.md/) },
    ]);
    expect((await createAgentStore(db).get('dup')).description).toBe('first');
  });

  it('treats a missing directory as nothing to sync and removes nothing', async () => {
    await files.write('alpha.md', agentFile({ name: 'alpha' }));
    await sync();
    const result = await syncAgentFiles({ db, dir: path.join(files.dir, 'nope'), logger: silentLogger });
    expect(result).toEqual({ synced: 0, changed: [], skipped: [], removed: [] });
    expect(await createAgentStore(db).find('alpha')).toBeDefined();
  });

  it('skips files over the size limit by path', async () => {
    await files.write('big.md', agentFile({ name: 'big' }, 'x'.repeat(2000)));
    const result = await syncAgentFiles({
      db,
      dir: files.dir,
      logger: silentLogger,
      limits: { maxFileBytes: 1000 },
    });
    expect(result.skipped).toEqual([
      { path: path.join(files.dir, 'big.md'), reason: expect.stringMatching(/limit is 1000/) },
    ]);
  });

  it('loads the example agents shipped in agents/', async () => {
    const result = await syncAgentFiles({ db, dir: path.resolve('agents'), logger: silentLogger });
    expect(result.skipped).toEqual([]);
    expect(result.changed).toEqual(expect.arrayContaining(['researcher', 'site-checker', 'summarizer']));
    const store = createAgentStore(db);
    expect((await store.get('site-checker')).tools).toContain('http.fetch');
    expect((await store.get('summarizer')).tools).toEqual([]);
    expect((await store.get('researcher')).model).toBe('tinyllama');
  });
});
