import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { editDistance, nearestRuleIds } from '../../../src/ops/index.js';
import { runMain } from '../../helpers/capture.js';

const compose = path.resolve(import.meta.dirname, '../../fixtures/doctor-flags/compose.yaml');
const offline = ['--without', 'docker,listeners,processes,platform'];

const run = runMain;

function tmp(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sutazai-rule-ids-')), name);
  writeFileSync(file, text);
  return file;
}

describe('unknown rule ids exit 2 with the nearest known ids', () => {
  it('ranks by edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearestRuleIds('phantomservice')[0]).toBe('phantom-service');
    expect(nearestRuleIds('restart-lop')[0]).toBe('restart-loop');
    expect(nearestRuleIds('no-mem-limit')).toContain('no-memory-limit');
    expect(nearestRuleIds('dangling')).toHaveLength(3);
  });

  it.each([
    [['doctor', '-f', compose, ...offline, '--only', 'phantomservice'], '--only', 'phantom-service'],
    [['doctor', '-f', compose, ...offline, '--skip', 'port-conflct'], '--skip', 'port-conflict'],
    [['doctor', '--explain', 'restart-lop'], '--explain', 'restart-loop'],
    [['doctor', 'fix', '-f', compose, ...offline, '--only', 'orphan'], '--only', 'orphan-container'],
    [['doctor', 'watch', '-f', compose, ...offline, '--skip', 'unhealty'], '--skip', 'unhealthy'],
  ])('%j', async (args, where, nearest) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(where);
    expect(r.err).toMatch(new RegExp(`nearest known: ${nearest}\\b`));
  });

  it('in config suppressions (a `*` suppression is allowed)', async () => {
    const bad = tmp(
      'sutazai.yaml',
      JSON.stringify({ doctor: { suppressions: [{ rule: 'registry-drfit', reason: 'migrating' }] } }),
    );
    const r = await run(['doctor', '-c', bad, '-f', compose, ...offline]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/doctor\.suppressions; nearest known: registry-drift\b/);
    const star = tmp(
      'sutazai.yaml',
      JSON.stringify({ doctor: { suppressions: [{ rule: '*', reason: 'lab' }] } }),
    );
    expect((await run(['doctor', '-c', star, '-f', compose, ...offline])).code).toBe(0);
  });

  it('in a compose file x-sutazai.suppress, with file:line', async () => {
    const file = tmp(
      'compose.yaml',
      'services:\n  api:\n    image: busybox\n    x-sutazai:\n      suppress:\n        - { rule: no-healthchek, reason: later }\n',
    );
    const r = await run(['doctor', '-f', file, ...offline]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:`);
    expect(r.err).toMatch(/unknown rule no-healthchek; nearest known: no-healthcheck\b/);
  });
});
