import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, groupGone, killGroup, runCli, spawnCli, waitForLine } from '../../helpers/cli.js';

// `sutazai doctor` beside a real `sutazai up` (auth on) reads the platform's MCP children
// without SUTAZAI_API_KEY, through the data dir's local credential.
const cwd = mkdtempSync(path.join(tmpdir(), 'sutazai-doctor-platform-'));
const dataDir = path.join(cwd, 'data');
const credential = path.join(dataDir, 'local-credential');
let env: NodeJS.ProcessEnv;
let pid: number | undefined;
let done: ReturnType<typeof collect> | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  writeFileSync(path.join(cwd, '.mcp.json'), JSON.stringify({ mcpServers: {} }));
  env = {
    SUTAZAI_PORT: String(await freePort()),
    SUTAZAI_DATA_DIR: dataDir,
    SUTAZAI_ADMIN_PASSWORD: 'doctor-platform-password',
    SUTAZAI_API_KEY: '',
    SUTAZAI_WORKER: 'false',
  };
  const child = spawnCli(['up'], env, cwd);
  pid = child.pid;
  done = collect(child);
  await waitForLine(child, /ready on (http:\/\/\S+)/, 60_000);
}, 90_000);

afterAll(async () => {
  if (pid === undefined) return;
  process.kill(-pid, 'SIGTERM');
  const gone = await groupGone(pid, 10_000);
  if (!gone) killGroup(pid);
  await done;
  expect(gone).toBe(true);
});

const doctor = () =>
  runCli(
    ['doctor', '--format', 'json', '--without', 'docker,compose,registry,listeners,processes'],
    env,
    cwd,
  );

function platformSource(stdout: string): { status: string; reason?: string } {
  const report = JSON.parse(stdout) as { sources: Array<{ name: string; status: string; reason?: string }> };
  return report.sources.find((s) => s.name === 'platform')!;
}

describe('sutazai doctor beside sutazai up', () => {
  it('the server wrote its local credential readable only by its user', () => {
    expect(statSync(credential).mode & 0o777).toBe(0o600);
  });

  it('reads the platform source with no API key', async () => {
    const res = await doctor();
    expect(platformSource(res.stdout)).toMatchObject({ status: 'ok' });
    expect(res.code).not.toBe(2);
  }, 60_000);

  it('names the fix when the local credential is wrong', async () => {
    writeFileSync(credential, 'lc_sutazai_wrong\n', { mode: 0o600 });
    const res = await doctor();
    const source = platformSource(res.stdout);
    expect(source.status).toBe('failed');
    expect(source.reason).toMatch(/answered 401/);
    expect(source.reason).toMatch(/run sutazai doctor as the user that owns the data dir/);
    expect(source.reason).toMatch(/SUTAZAI_API_KEY/);
  }, 60_000);

  it('says the credential file is missing, and the fix, when there is none', async () => {
    rmSync(credential, { force: true });
    const res = await doctor();
    const source = platformSource(res.stdout);
    expect(source.reason).toContain(`${credential} does not exist`);
    expect(source.reason).toMatch(/SUTAZAI_API_KEY/);
  }, 60_000);
});
