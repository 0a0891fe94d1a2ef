import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';
import { collect, groupGone, killGroup, runCli, spawnCli, waitForLine } from '../../helpers/cli.js';

const spawned: number[] = [];
afterEach(() => {
  for (const pid of spawned.splice(0)) killGroup(pid);
});

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sutazai-cli-'));
}

describe('sutazai CLI', () => {
  it('has --help on the binary', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Usage: sutazai/);
  });

  it('has --help on every command (walked from the command tree)', async () => {
    const commands: string[][] = [];
    const walk = (cmd: Command, prefix: string[]) => {
      for (const sub of cmd.commands) {
        commands.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(buildProgram({ code: 0 }), []);
    expect(commands.length).toBeGreaterThan(8);
    for (const args of commands) {
      let printed = '';
      const program = buildProgram({ code: 0 });
      const capture = (c: Command) => {
        c.exitOverride().configureOutput({
          writeOut: (text) => (printed += text),
          writeErr: (text) => (printed += text),
        });
        c.commands.forEach(capture);
      };
      capture(program);
      await expect(program.parseAsync(['node', 'sutazai', ...args, '--help'])).rejects.toMatchObject({
        exitCode: 0,
      });
      expect(printed, args.join(' ')).toMatch(/Usage: sutazai/);
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
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(free.address() as { port: number }).port}`;
    await new Promise((resolve) => free.close(resolve));
    const res = await runCli(['status', '--url', url]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('not reachable');
    expect(res.stderr).toContain(`nothing is listening on ${url} — is \`sutazai up\` running?`);
    expect(res.stderr).not.toContain('\u001b['); // not a terminal: no colour
  });

  it('runs `up` on embedded Postgres, answers, and drains on SIGTERM (an open events stream included) leaving no process behind', async () => {
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
    // A bound, not a timing: a first start (initdb in a child, then the warm open) under tsx on a
    // loaded 2-core machine has taken 30 s and more.
    const [, url] = await waitForLine(child, /ready on (http:\/\/\S+)/, 110_000);
    const health = await fetch(`${url}/api/v1/health/detailed`);
    expect(health.status).toBe(200);
    // Optional dependencies (a model server) may be down here; the database must be up.
    expect(await health.json()).toMatchObject({
      ready: true,
      checks: expect.arrayContaining([expect.objectContaining({ name: 'database', status: 'up' })]),
    });

    const status = await runCli(['status', '--url', url!]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('database');

    // An open events stream (a browser left on the dashboard) must not hold up the drain: a
    // drain that waited would be forced after 10 s and exit 1.
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'a-long-test-password' }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const events = await fetch(`${url}/api/v1/events`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(events.status).toBe(200);
    const streamEnded = events.text();

    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    await streamEnded; // the server ended it
    // tsx's esbuild helper (a test-only child) leaves when its pipe closes; allow it a moment.
    expect(await groupGone(child.pid!, 5000)).toBe(true);
  }, 150_000);
});
