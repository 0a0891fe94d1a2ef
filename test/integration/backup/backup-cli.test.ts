import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, groupGone, killGroup, runCli, spawnCli, waitForLine } from '../../helpers/cli.js';

const spawned: number[] = [];
afterEach(() => {
  for (const pid of spawned.splice(0)) killGroup(pid);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies checked field by field
type Json = any;

const PASSWORD = 'a-long-backup-test-password';

async function api(
  base: string,
  method: string,
  url: string,
  token?: string,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: await res.json() };
}

describe('sutazai backup (real processes)', () => {
  it('backs up through the API while `up` runs, refuses restore until it stops, then restores, lists and prunes', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sutazai-backup-cli-'));
    writeFileSync(path.join(cwd, 'sutazai.yaml'), 'logLevel: warn\n');
    const env = {
      SUTAZAI_PORT: '0',
      SUTAZAI_DATA_DIR: path.join(cwd, 'data'),
      SUTAZAI_ADMIN_PASSWORD: PASSWORD,
    };
    const up = spawnCli(['up'], env, cwd);
    spawned.push(up.pid!);
    const upDone = collect(up);
    const base = (await waitForLine(up, /ready on (http:\/\/\S+)/, 120_000))[1]!;

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    expect((await api(base, 'POST', '/api/v1/backups')).status).toBe(401);
    const created = await api(base, 'POST', '/api/v1/backups', token);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.tables.find((t: { name: string }) => t.name === 'users').rows).toBe(1);
    expect(created.body.files).toBe(1); // sutazai.yaml
    expect((await api(base, 'GET', '/api/v1/backups', token)).body.backups[0].id).toBe(id);
    expect((await api(base, 'POST', `/api/v1/backups/${id}/verify`, token)).body.ok).toBe(true);
    expect(
      (await api(base, 'GET', '/api/v1/backups/20990101T000000000Z-abcdef', token)).body.error.code,
    ).toBe('SUTAZAI_ERR_BACKUP_NOT_FOUND');

    const refused = await runCli(['backup', 'restore', id], env, cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SUTAZAI_ERR_DB_DATA_DIR_LOCKED');
    expect(refused.stderr).toContain(`process ${up.pid}`);

    process.kill(-up.pid!, 'SIGTERM');
    expect((await upDone).code).toBe(0);
    expect(await groupGone(up.pid!, 10_000)).toBe(true);

    const restored = await runCli(['backup', 'restore', id], env, cwd);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/restored .* into the embedded database/);
    expect(restored.stdout).toMatch(/kept as .*pgdata\.previous-/);

    const second = await runCli(['backup', 'create', '--json'], env, cwd);
    expect(second.code).toBe(0);
    const list = JSON.parse((await runCli(['backup', 'list', '--json'], env, cwd)).stdout) as {
      backups: Array<{ id: string }>;
    };
    expect(list.backups.map((b) => b.id)).toEqual([JSON.parse(second.stdout).id, id]);
    const pruned = JSON.parse(
      (await runCli(['backup', 'prune', '--retain', '1', '--json'], env, cwd)).stdout,
    );
    expect(pruned.removed).toEqual([id]);
    const bad = await runCli(['backup', 'verify', id], env, cwd);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('SUTAZAI_ERR_BACKUP_NOT_FOUND');
    rmSync(cwd, { recursive: true, force: true });
  }, 400_000);
});
