import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { asyncCommitsAllowed } from '../../../src/tasks/index.js';

function configWith(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'sutazai-commits-'));
  writeFileSync(path.join(cwd, 'sutazai.yaml'), yaml);
  return loadConfig({ env, cwd });
}

describe('asynchronous worker commits', () => {
  it('are never used on the embedded engine, whatever the setting', () => {
    for (const setting of ['auto', true, false] as const)
      expect(asyncCommitsAllowed(setting, 'pglite')).toBe(false);
  });

  it('are used on PostgreSQL unless turned off', () => {
    expect(asyncCommitsAllowed('auto', 'postgres')).toBe(true);
    expect(asyncCommitsAllowed(true, 'postgres')).toBe(true);
    expect(asyncCommitsAllowed(false, 'postgres')).toBe(false);
  });

  it('default to auto, and `true` without database.url is refused with the key named', () => {
    expect(configWith('{}\n').config.queue.asyncWorkerCommits).toBe('auto');
    expect(() => configWith('queue:\n  asyncWorkerCommits: true\n')).toThrow(
      expect.objectContaining({
        code: 'SUTAZAI_ERR_CONFIG_INVALID',
        message: expect.stringContaining('queue.asyncWorkerCommits'),
      }),
    );
    const onPostgres = configWith('queue:\n  asyncWorkerCommits: true\n', {
      DATABASE_URL: 'postgres://127.0.0.1:5432/x',
    });
    expect(onPostgres.config.queue.asyncWorkerCommits).toBe(true);
  });
});
