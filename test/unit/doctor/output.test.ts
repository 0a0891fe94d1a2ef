import { describe, expect, it } from 'vitest';
import {
  buildReport,
  editLimits,
  renderTable,
  sortFindings,
  toSarif,
  useColor,
  type Finding,
} from '../../../src/ops/index.js';

const f = (over: Partial<Finding>): Finding => ({
  ruleId: 'no-cpu-limit',
  severity: 'low',
  service: 'svc',
  message: 'm',
  evidence: {},
  fingerprint: `${over.ruleId ?? 'no-cpu-limit'}|${over.service ?? 'svc'}`,
  ...over,
});

describe('report output', () => {
  const findings = sortFindings([
    f({ service: 'b', severity: 'low' }),
    f({
      ruleId: 'phantom-service',
      service: 'a',
      severity: 'high',
      location: { file: '/p/compose.yaml', line: 7 },
    }),
    f({
      ruleId: 'no-healthcheck',
      service: 'b',
      severity: 'low',
      suppressed: { reason: 'ok', source: 'config' },
    }),
  ]);
  const report = buildReport({ now: 0 }, [{ name: 'docker', status: 'ok' }], findings);

  it('groups by service, most severe first, and honours NO_COLOR', () => {
    const text = renderTable(report, { color: false });
    expect(text.indexOf('\na\n')).toBeLessThan(text.indexOf('\nb\n'));
    expect(text).toContain('(/p/compose.yaml:7)');
    expect(text).toContain('[suppressed: ok]');
    expect(text).not.toContain('\x1b[');
    expect(renderTable(report, { color: true })).toContain('\x1b[');
    expect(useColor({ NO_COLOR: '1' }, true)).toBe(false);
    expect(useColor({}, true)).toBe(true);
    expect(useColor({}, false)).toBe(false);
  });

  it('writes SARIF with compose locations and suppressions', () => {
    const sarif = toSarif(report, '/p') as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    const results = sarif.runs[0]!.results;
    expect(results[0]).toMatchObject({
      ruleId: 'phantom-service',
      level: 'error',
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'compose.yaml' }, region: { startLine: 7 } } },
      ],
    });
    expect(results[2]).toMatchObject({ suppressions: [{ kind: 'external', justification: 'ok' }] });
  });
});

describe('comment-preserving compose edits', () => {
  it('adds deploy limits without touching comments', () => {
    const src =
      '# top\nservices:\n  a: # the a\n    image: x # pinned\n  b:\n    image: y\n    mem_limit: 1g # old\n';
    const a = editLimits(src, { service: 'a', memory: 256 * 1024 * 1024, cpus: 0.5 });
    expect(a.text).toContain('# top');
    expect(a.text).toContain('# the a');
    expect(a.text).toContain('image: x # pinned');
    expect(a.text).toMatch(/deploy:\n\s+resources:\n\s+limits:\n\s+memory: 256M\n\s+cpus: "0.5"/);
    const b = editLimits(src, { service: 'b', memory: 2 * 1024 ** 3 });
    expect(b.text).toContain('mem_limit: 2G # old');
    expect(editLimits(src, { service: 'zzz', memory: 1 }).changed).toBe(false);
  });
});
