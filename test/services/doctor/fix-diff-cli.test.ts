import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runMain } from '../../helpers/capture.js';
import { describeWithService } from '../../helpers/services.js';
import { IMAGE, docker, removeByPrefix, runContainer } from './docker-helpers.js';

/** `sutazai doctor fix` (dry run) shows the compose edit it would write, as text and as JSON. */
describeWithService('DOCKER_HOST', 'doctor fix dry run prints the compose diff', (dockerHost) => {
  const prefix = `w2d-${randomBytes(4).toString('hex')}`;
  let dir: string;
  let composeFile: string;
  let compose: string;
  let flags: string[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'w2d-fix-diff-'));
    composeFile = path.join(dir, 'compose.yaml');
    compose = `name: ${prefix}\nservices:\n  api: # no limits yet\n    image: ${IMAGE}\n    network_mode: none\n`;
    await writeFile(composeFile, compose);
    const cfg = path.join(dir, 'sutazai.yaml');
    await writeFile(
      cfg,
      JSON.stringify({ dataDir: path.join(dir, 'data'), doctor: { dockerHost, dockerTimeoutMs: 60_000 } }),
    );
    await runContainer({
      name: `${prefix}-api`,
      compose: { project: prefix, service: 'api' },
      limits: false,
      cmd: ['sleep', '600'],
    });
    flags = [
      '-f',
      composeFile,
      '-c',
      cfg,
      '--name-filter',
      prefix,
      '--only',
      'no-memory-limit',
      '--without',
      'listeners,processes,platform',
    ];
  }, 180_000);

  afterAll(async () => {
    await removeByPrefix(prefix);
    await rm(dir, { recursive: true, force: true });
    expect(await docker('ps', '-aq', '--filter', `name=${prefix}`)).toBe('');
  }, 120_000);

  it('table: the diff under the plan; json: composeDiffs; the file is unchanged', async () => {
    const added = ['+    deploy:', '+      resources:', '+        limits:', '+          memory: 512M'];
    const text = await runMain(['doctor', 'fix', ...flags]);
    expect(text.err).toBe('');
    expect(text.code ?? 0).toBe(0);
    expect(text.out).toContain('Compose edits it would write:');
    expect(text.out).toContain(['--- a/compose.yaml', '+++ b/compose.yaml'].join('\n'));
    expect(text.out).toContain(added.join('\n'));

    const json = await runMain(['doctor', 'fix', ...flags, '--format', 'json']);
    const plan = JSON.parse(json.out) as {
      composeDiffs: Array<{ path: string; diff: string; truncated: boolean }>;
    };
    expect(plan.composeDiffs).toHaveLength(1);
    expect(plan.composeDiffs[0]).toMatchObject({ path: 'compose.yaml', truncated: false });
    expect(plan.composeDiffs[0]!.diff.split('\n').filter((l) => /^\+(?!\+\+)/.test(l))).toEqual(added);
    expect(text.out).toContain(plan.composeDiffs[0]!.diff.trimEnd());
    expect(await readFile(composeFile, 'utf8')).toBe(compose);
  });
});
