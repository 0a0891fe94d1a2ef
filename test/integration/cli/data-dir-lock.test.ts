import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../../src/db/index.js';
import { collect, groupGone, killGroup, runCli, spawnCli, waitForLine } from '../../helpers/cli.js';

const spawned: number[] = [];
afterEach(() => {
  for (const pid of spawned.splice(0)) killGroup(pid);
});

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sutazai-lock-'));
}

describe('data dir lock (in process)', () => {
  it('refuses a second owner by any path to the dir, names the holder, and frees on release', async () => {
    const dir = tempDir();
    const link = path.join(tempDir(), 'link');
    symlinkSync(dir, link);
    const lock = await lockDataDir(dir, 'test holder');
    expect(JSON.parse(readFileSync(path.join(dir, 'owner.json'), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'test holder',
    });
    await expect(lockDataDir(link, 'second')).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_DB_DATA_DIR_LOCKED',
      message: expect.stringContaining(`process ${process.pid} (test holder)`),
    });
    await Promise.all([lock.release(), lock.release()]);
    expect(existsSync(path.join(dir, 'owner.json'))).toBe(false);
    const again = await lockDataDir(link, 'third');
    await again.release();
  });
});

describe('data dir lock (real processes)', () => {
  it('lets exactly one of two `up` run, refuses `migrate` beside it, and frees the dir when the holder is SIGKILLed', async () => {
    const cwd = tempDir();
    const dataDir = path.join(cwd, 'data');
    const env = {
      SUTAZAI_PORT: '0',
      SUTAZAI_DATA_DIR: dataDir,
      SUTAZAI_ADMIN_PASSWORD: 'a-long-test-password',
    };
    const a = spawnCli(['up'], env, cwd);
    const b = spawnCli(['up'], env, cwd);
    spawned.push(a.pid!, b.pid!);
    const results = [collect(a), collect(b)];
    const ready = [a, b].map((child) => waitForLine(child, /ready on http/, 60_000).catch(() => undefined));
    const first = await Promise.race(results.map((r, i) => r.then((res) => ({ res, i }))));
    const [loser, winner] = first.i === 0 ? [a, b] : [b, a];
    expect(first.res.code).toBe(2);
    expect(first.res.stderr).toContain('SUTAZAI_ERR_DB_DATA_DIR_LOCKED');
    expect(first.res.stderr).toContain(`process ${winner.pid}`);
    expect(first.res.stderr).toContain(path.resolve(dataDir));
    expect(loser.exitCode).toBe(2);
    expect(await ready[first.i === 0 ? 1 : 0]).toBeTruthy();

    const migrating = await runCli(['migrate'], env, cwd);
    expect(migrating.code).toBe(2);
    expect(migrating.stderr).toContain(`SUTAZAI_ERR_DB_DATA_DIR_LOCKED`);
    expect(migrating.stderr).toContain(`process ${winner.pid}`);

    process.kill(-winner.pid!, 'SIGKILL');
    await results[first.i === 0 ? 1 : 0];
    expect(await groupGone(winner.pid!, 5000)).toBe(true);
    // No stale lock: the next opener gets the dir at once (owner.json of the dead holder is stale text only).
    const next = await runCli(['migrate'], env, cwd);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/up to date/);
  }, 90_000);
});
