import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, groupAlive, killGroup, runCli, spawnCli, waitForLine } from '../../helpers/cli.js';

const spawned: number[] = [];
afterEach(() => {
  for (const pid of spawned.splice(0)) killGroup(pid);
});

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sutazai-cli-'));
}

describe('sutazai CLI', () => {
  it('has --help on every command', async () => {
    for (const args of [
      ['--help'],
      ['up', '--help'],
      ['migrate', '--help'],
      ['status', '--help'],
      ['config', 'print', '--help'],
    ]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/Usage: sutazai/);
    }
  });

  it('prints the effective config with secrets redacted', async () => {
    const res = await runCli(
      ['config', 'print', '--format', 'json'],
      {
        SUTAZAI_ADMIN_PASSWORD: 'hunter2-hunter2-hunter2',
        SUTAZAI_PORT: '10555',
      },
      tempDir(),
    );
    expect(res.code).toBe(0);
    const printed = JSON.parse(res.stdout);
    expect(printed.http.port).toBe(10555);
    expect(printed.auth.adminPassword).toBe('***');
    expect(res.stdout).not.toContain('hunter2');
  });

  it('stops on an invalid config with the file, key path and reason, and no stack trace', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'sutazai.yaml'), 'http:\n  port: 99999\n');
    const res = await runCli(['up'], {}, cwd);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('SUTAZAI_ERR_CONFIG_INVALID');
    expect(res.stderr).toContain('http.port');
    expect(res.stderr).toContain('sutazai.yaml');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('status exits non-zero when nothing answers', async () => {
    const res = await runCli(['status', '--url', 'http://127.0.0.1:9']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('not reachable');
  });

  it('runs `up` on embedded Postgres, answers, and drains on SIGTERM leaving no process behind', async () => {
    const cwd = tempDir();
    const child = spawnCli(
      ['up'],
      {
        SUTAZAI_PORT: '0',
        SUTAZAI_DATA_DIR: path.join(cwd, 'data'),
        SUTAZAI_ADMIN_PASSWORD: 'a-long-test-password',
      },
      cwd,
    );
    spawned.push(child.pid!);
    const done = collect(child);
    const [, url] = await waitForLine(child, /ready on (http:\/\/\S+)/, 30_000);
    const health = await fetch(`${url}/api/v1/health/detailed`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      ready: true,
      checks: [expect.objectContaining({ name: 'database', status: 'up' })],
    });

    const status = await runCli(['status', '--url', url!]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('database');

    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(groupAlive(child.pid!)).toBe(false);
  });
});
