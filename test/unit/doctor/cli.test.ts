import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { doctorCommand } from '../../../src/cli/doctor.js';
import { captureOutput } from '../../helpers/capture.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/compose');
const offline = ['--without', 'docker,listeners,processes,platform'];

const run = (args: string[]) =>
  captureOutput(async () => {
    await doctorCommand().exitOverride().parseAsync(args, { from: 'user' });
  });

describe('sutazai doctor CLI', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('exits 2 naming file:line when a compose file is malformed', async () => {
    const file = path.join(fixtures, 'bad/compose.yaml');
    const r = await run(['-f', file, ...offline]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(`partial view: compose: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `),
    );
  });

  it('exits 0 when the sources it read show nothing at or above --fail-on', async () => {
    vi.stubEnv('NO_COLOR', '1');
    const r = await run(['-f', path.join(fixtures, 'basic/compose.yaml'), ...offline, '--fail-on', 'info']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('No findings.');
    expect(r.out).not.toContain('\x1b[');
  });

  it('prints versioned JSON and explains rules', async () => {
    const r = await run([
      '-f',
      path.join(fixtures, 'multi/base.yaml'),
      '-f',
      path.join(fixtures, 'multi/override.yaml'),
      ...offline,
      '--format',
      'json',
    ]);
    expect(JSON.parse(r.out)).toMatchObject({ schemaVersion: 1, project: 'multi', partial: false });
    const ex = await run(['--explain', 'restart-loop']);
    expect(ex.out).toMatch(/restart-loop: Container is in a restart loop/);
    expect(ex.out).toMatch(/fix: behaviour-changing/);
    expect((await run(['--explain', 'nope'])).code).toBe(2);
  });
});
