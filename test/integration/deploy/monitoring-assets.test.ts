import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registry } from '../../../src/metrics/index.js';
import {
  DASHBOARDS_DIR,
  PROMETHEUS_DIR,
  REPO,
  alertRules,
  exec,
  metricNames,
  missingBinaries,
  panelQueries,
} from './monitoring-helpers.js';

// Importing the areas registers their metrics on the shared registry (src/metrics/index.ts
// defines them all in one place, so importing it is enough).
async function exposedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(m.name + s);
  }
  return names;
}

describe('monitoring assets', () => {
  it('every alert expression and dashboard query reads only metrics SutazAI exposes', async () => {
    const names = await exposedNames();
    const used = [...alertRules().map((r) => r.expr), ...panelQueries().map((q) => q.expr)].flatMap(
      metricNames,
    );
    expect(used.length).toBeGreaterThan(20);
    expect([...new Set(used)].filter((n) => !names.has(n))).toEqual([]);
  });

  it('every alert has a promtool unit test', () => {
    const tests = readdirSync(path.join(PROMETHEUS_DIR, 'tests'))
      .filter((f) => f.endsWith('.test.yml'))
      .flatMap((f) => {
        const doc = parse(readFileSync(path.join(PROMETHEUS_DIR, 'tests', f), 'utf8')) as {
          tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
        };
        return doc.tests.flatMap((t) => t.alert_rule_test ?? []);
      });
    const firing = new Set(tests.filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname));
    expect(
      alertRules()
        .map((r) => r.alert)
        .filter((a) => !firing.has(a)),
    ).toEqual([]);
  });

  it('dashboards use the provisioned datasource and have a query in every panel', () => {
    const ds = parse(
      readFileSync(path.join(REPO, 'deploy/grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
    ) as { datasources: Array<{ uid: string }> };
    const uid = ds.datasources[0]!.uid;
    const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['doctor.json', 'llm.json', 'mcp.json', 'overview.json', 'queue.json']);
    for (const f of files) {
      const d = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')) as {
        uid: string;
        panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
      };
      expect(d.uid, f).toMatch(/^sutazai-/);
      for (const p of d.panels) {
        expect(p.datasource.uid, `${f}: ${p.title}`).toBe(uid);
        expect(p.targets.length, `${f}: ${p.title}`).toBeGreaterThan(0);
      }
    }
  });

  const missing = missingBinaries(['promtool', 'amtool']);
  describe.skipIf(missing.length > 0)("with Debian's promtool and amtool", () => {
    it('promtool accepts the Prometheus config and its rule files', async () => {
      const { stdout } = await exec('promtool', [
        'check',
        'config',
        path.join(PROMETHEUS_DIR, 'prometheus.yml'),
      ]);
      expect(stdout).toContain('is valid prometheus config file syntax');
      const rules = readdirSync(path.join(PROMETHEUS_DIR, 'rules')).map((f) =>
        path.join(PROMETHEUS_DIR, 'rules', f),
      );
      await exec('promtool', ['check', 'rules', ...rules]);
    });

    it('promtool test rules passes for every alert', async () => {
      const tests = readdirSync(path.join(PROMETHEUS_DIR, 'tests')).map((f) =>
        path.join(PROMETHEUS_DIR, 'tests', f),
      );
      const { stdout } = await exec('promtool', ['test', 'rules', ...tests]);
      expect(stdout).toContain('SUCCESS');
    });

    it('a failing alert test makes promtool fail (the unit tests can fail)', async () => {
      const tmp = path.join(PROMETHEUS_DIR, 'tests');
      const text = readFileSync(path.join(tmp, 'sutazai-alerts.test.yml'), 'utf8').replace(
        "summary: 'LLM backend ollama circuit breaker is open'",
        "summary: 'LLM backend ollama circuit breaker is closed'",
      );
      const broken = path.join((await import('node:os')).tmpdir(), `alerts-broken-${process.pid}.test.yml`);
      (await import('node:fs')).writeFileSync(
        broken,
        text.replaceAll('../rules/', `${PROMETHEUS_DIR}/rules/`),
      );
      try {
        await expect(exec('promtool', ['test', 'rules', broken])).rejects.toThrow(/FAILED/);
      } finally {
        (await import('node:fs')).rmSync(broken, { force: true });
      }
    });

    it('amtool accepts the Alertmanager config with its webhook receiver', async () => {
      const file = path.join(REPO, 'deploy/alertmanager/alertmanager.yml');
      const { stdout } = await exec('amtool', ['check-config', file]);
      expect(stdout).toContain('SUCCESS');
      expect(stdout).toContain('1 receivers');
    });
  });
});
