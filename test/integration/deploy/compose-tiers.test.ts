import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runMain } from '../../helpers/capture.js';
import { REPO } from './monitoring-helpers.js';

const COMPOSE = path.join(REPO, 'deploy/compose');
const TIERS = {
  minimal: { files: ['compose.yaml'], services: ['ollama', 'sutazai'] },
  standard: {
    files: ['compose.yaml', 'compose.standard.yaml'],
    services: ['ollama', 'postgres', 'redis', 'sutazai', 'sutazai-gateway', 'sutazai-worker'],
  },
  monitoring: {
    files: ['compose.yaml', 'compose.standard.yaml', 'compose.monitoring.yaml'],
    services: [
      'alertmanager',
      'grafana',
      'ollama',
      'postgres',
      'prometheus',
      'redis',
      'sutazai',
      'sutazai-gateway',
      'sutazai-worker',
    ],
  },
} as const;

const envFile = path.join(mkdtempSync(path.join(tmpdir(), 'sutazai-tiers-')), '.env');
writeFileSync(
  envFile,
  'SUTAZAI_ADMIN_PASSWORD=tier-test-admin-password\nPOSTGRES_PASSWORD=tier-test-postgres\nGRAFANA_ADMIN_PASSWORD=tier-test-grafana\nSUTAZAI_MCP_GATEWAY_TOKEN=tier-test-internal-gateway-credential-0123\n',
);

interface Report {
  partial: boolean;
  findings: Array<{ ruleId: string; severity: string; service?: string; message: string }>;
}

describe('compose tiers, merged in order, audited by `sutazai doctor` on their declared model', () => {
  it.each(Object.entries(TIERS))('%s: no finding at or above medium', async (_tier, tier) => {
    const files = tier.files.flatMap((f) => ['-f', path.join(COMPOSE, f)]);
    const res = await runMain([
      'doctor',
      ...files,
      '--env-file',
      envFile,
      '--registry',
      path.join(REPO, 'deploy/port-registry.yaml'),
      '--without',
      'docker,listeners,processes,platform',
      '--format',
      'json',
      '--fail-on',
      'medium',
    ]);
    const report = JSON.parse(res.out) as Report;
    expect(report.partial).toBe(false);
    expect(report.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity))).toEqual([]);
    expect(res.code).toBe(0);
  });

  it.each(Object.entries(TIERS))(
    '%s: every service has a restart policy, a healthcheck, limits, and loopback host ports from the registry',
    (_tier, tier) => {
      const merged: Record<string, Record<string, unknown>> = {};
      for (const f of tier.files) {
        const doc = parse(readFileSync(path.join(COMPOSE, f), 'utf8')) as {
          services: Record<string, Record<string, unknown>>;
        };
        for (const [name, svc] of Object.entries(doc.services)) merged[name] = { ...merged[name], ...svc };
      }
      expect(Object.keys(merged).sort()).toEqual([...tier.services]);
      const registry = parse(readFileSync(path.join(REPO, 'deploy/port-registry.yaml'), 'utf8')) as {
        ports: Array<{ service: string; port: number; containerPort: number }>;
      };
      for (const [name, svc] of Object.entries(merged)) {
        expect(svc.restart, name).toBe('unless-stopped');
        expect(svc.healthcheck, name).toBeDefined();
        expect((svc.deploy as { resources: { limits: object } }).resources.limits, name).toMatchObject({
          memory: expect.any(String),
          cpus: expect.any(String),
        });
        for (const p of (svc.ports as string[] | undefined) ?? []) {
          const entry = registry.ports.find((e) => e.service === name)!;
          expect(p, name).toBe(`127.0.0.1:${entry.port}:${entry.containerPort}`);
        }
      }
    },
  );
});
