import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  DIFF_MAX_BYTES,
  TRUNCATION_MARKER,
  composeEditOf,
  editLimitsInFile,
  previewComposeDiffs,
  unifiedDiff,
  type FixPlan,
} from '../../../src/ops/index.js';

const execFileAsync = promisify(execFile);

/** GNU `diff -u`'s hunks (its header lines carry timestamps, so they are left out). */
async function gnuHunks(before: string, after: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'unified-diff-'));
  await writeFile(path.join(dir, 'a'), before);
  await writeFile(path.join(dir, 'b'), after);
  const out = await execFileAsync('diff', ['-u', path.join(dir, 'a'), path.join(dir, 'b')]).then(
    () => '',
    (err: { stdout: string }) => err.stdout,
  );
  return out.split('\n').slice(2).join('\n');
}

const ours = (before: string, after: string) =>
  unifiedDiff(before, after, { from: 'a', to: 'b' }).split('\n').slice(2).join('\n');

const lines = (n: number, tag = 'line') => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}\n`).join('');

describe('unifiedDiff', () => {
  const cases: Array<[string, string, string]> = [
    ['insert in the middle', lines(10), lines(10).replace('line 5\n', 'line 5\nnew a\nnew b\n')],
    ['replace one line', lines(10), lines(10).replace('line 7\n', 'changed 7\n')],
    ['two hunks far apart', lines(30), lines(30).replace('line 2\n', 'x\n').replace('line 28\n', 'y\n')],
    [
      'two changes close together merge',
      lines(12),
      lines(12).replace('line 3\n', '').replace('line 8\n', 'z\n'),
    ],
    ['append at the end', lines(4), `${lines(4)}tail\n`],
    ['insert at the start', lines(4), `head\n${lines(4)}`],
    ['from empty', '', 'only\n'],
  ];
  it.each(cases)('matches GNU diff -u: %s', async (_name, before, after) => {
    expect(ours(before, after)).toBe(await gnuHunks(before, after));
  });

  it('is empty when nothing changes', () => {
    expect(unifiedDiff('a\n', 'a\n', { from: 'a', to: 'b' })).toBe('');
  });
});

describe('previewComposeDiffs', () => {
  const plan = (composeFile: string, service: string): FixPlan => ({
    createdAt: new Date(0).toISOString(),
    project: 'p',
    actions: [
      {
        kind: 'set-limits',
        containerId: 'c',
        container: 'p-web-1',
        service,
        memory: 256 * 1024 * 1024,
        cpus: 0.5,
        sources: {},
        basis: '',
        composeFile,
      },
      {
        kind: 'restart-policy',
        containerId: 'c',
        container: 'p-web-1',
        service,
        policy: { Name: 'on-failure', MaximumRetryCount: 3 },
        composeFile,
      },
    ],
    kept: [],
    manual: [],
  });

  it('shows what apply writes, relative to the project, and reads only', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'compose-preview-'));
    const file = path.join(dir, 'compose.yaml');
    const text = 'services:\n  web:\n    image: x\n    restart: always # was\n';
    await writeFile(file, text);
    const p = plan(file, 'web');
    const [d, ...rest] = await previewComposeDiffs(p, { compose: { workingDir: dir } as never });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ path: 'compose.yaml', truncated: false });
    expect(d!.diff).toContain('-    restart: always # was\n+    restart: on-failure:3 # was\n');
    expect(await readFile(file, 'utf8')).toBe(text);
    // Apply's edits, action by action, leave the file as the preview's new side.
    for (const a of p.actions)
      if (a.kind === 'set-limits' || a.kind === 'restart-policy') {
        await editLimitsInFile(file, composeEditOf(a)!);
      }
    expect(
      unifiedDiff(text, await readFile(file, 'utf8'), { from: 'a/compose.yaml', to: 'b/compose.yaml' }),
    ).toBe(d!.diff);
  });

  it('cuts a long diff at a line boundary and says so', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'compose-preview-'));
    const file = path.join(dir, 'compose.yaml');
    await writeFile(file, 'services:\n  web:\n    image: x\n');
    const [d] = await previewComposeDiffs(plan(file, 'web'), { compose: { workingDir: dir } as never }, 120);
    expect(d!.truncated).toBe(true);
    expect(Buffer.byteLength(d!.diff)).toBeLessThanOrEqual(120);
    expect(d!.diff.endsWith(`\n${TRUNCATION_MARKER}\n`)).toBe(true);
    expect(DIFF_MAX_BYTES).toBe(64 * 1024); // the default docs/doctor.md states
  });

  it('leaves out files it would not change and files outside the plan', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'compose-preview-'));
    const file = path.join(dir, 'compose.yaml');
    await writeFile(file, 'services:\n  web:\n    image: x\n');
    expect(await previewComposeDiffs(plan(file, 'nosuch'), { compose: undefined })).toEqual([]);
  });
});
