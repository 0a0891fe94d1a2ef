import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

export const exec = promisify(execFile);
export const REPO = path.resolve(import.meta.dirname, '../../..');
export const PROMETHEUS_DIR = path.join(REPO, 'deploy/prometheus');
export const RULES_DIR = path.join(PROMETHEUS_DIR, 'rules');
export const DASHBOARDS_DIR = path.join(REPO, 'deploy/grafana/dashboards');

/**
 * Debian's prometheus and prometheus-alertmanager ship these. CI installs them (.ci/run), so
 * there a missing binary fails the suite; elsewhere it is skipped with the reason.
 */
export function missingBinaries(names: string[]): string[] {
  const missing = names.filter((n) => spawnSync('sh', ['-c', `command -v ${n}`]).status !== 0);
  if (missing.length && process.env.CI === 'true')
    throw new Error(
      `${missing.join(', ')} not installed: .ci/run installs prometheus and prometheus-alertmanager`,
    );
  if (missing.length) console.warn(`[monitoring] skipping: ${missing.join(', ')} not installed`);
  return missing;
}

export interface AlertRule {
  alert: string;
  expr: string;
  file: string;
}

export function alertRules(): AlertRule[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((f) => {
      const doc = parse(readFileSync(path.join(RULES_DIR, f), 'utf8')) as {
        groups: Array<{ rules: Array<{ alert?: string; expr: string }> }>;
      };
      return doc.groups.flatMap((g) =>
        g.rules.filter((r) => r.alert).map((r) => ({ alert: r.alert!, expr: r.expr, file: f })),
      );
    });
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

export function panelQueries(): PanelQuery[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      const d = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')) as {
        title: string;
        panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      };
      return d.panels.flatMap((p) =>
        p.targets.map((t) => ({ dashboard: d.title, panel: p.title, expr: t.expr })),
      );
    });
}

/** Metric names an expression reads (every SutazAI metric starts with `sutazai_`). */
export function metricNames(expr: string): string[] {
  return [...new Set(expr.match(/\bsutazai_[a-z0-9_]+/g) ?? [])];
}
