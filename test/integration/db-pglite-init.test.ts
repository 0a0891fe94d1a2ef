import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { initdbInChild } from '../../src/db/pglite-init.js';
import { groupGone, killGroup, REPO, TSX } from '../helpers/cli.js';

/** A child body that never finishes and keeps its event loop busy, as initdb does: only the lifeline or the timeout can end it. */
const HANG = 'setInterval(() => {}, 1000); await new Promise(() => {});';

/** The initdb child among a process's children (tsx's esbuild helper is a child too). */
function initdbChildOf(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const children = text === '' ? [] : text.split(/\s+/).map(Number);
    return children.find((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('process.stdin'));
  } catch {
    return undefined;
  }
}

async function until<T>(read: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the first-start initdb child', () => {
  const groups: number[] = [];
  afterEach(() => groups.splice(0).forEach(killGroup));

  it('is killed with its process group when it outlives its timeout, and the start fails', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-initdb-'));
    await expect(initdbInChild(path.join(dir, 'pgdata'), [], { body: HANG, timeoutMs: 300 })).rejects.toThrow(
      /initdb of .* failed/,
    );
  });

  it('exits when its parent is SIGKILLed (the stdin lifeline), instead of working on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-initdb-'));
    const module = pathToFileURL(path.join(REPO, 'src/db/pglite-init.ts')).href;
    const script = `const { initdbInChild } = await import(${JSON.stringify(module)});
      await initdbInChild(${JSON.stringify(path.join(dir, 'pgdata'))}, [], { body: ${JSON.stringify(HANG)} });`;
    const parent = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], {
      detached: true,
      stdio: 'ignore',
    });
    groups.push(parent.pid!);
    const child = await until(() => initdbChildOf(parent.pid!), 20_000);
    expect(child, 'the parent started its initdb child').toBeDefined();
    groups.push(child!); // the child leads its own process group
    process.kill(parent.pid!, 'SIGKILL');
    expect(await groupGone(child!, 10_000)).toBe(true);
    expect(alive(child!)).toBe(false);
  }, 60_000);
});
