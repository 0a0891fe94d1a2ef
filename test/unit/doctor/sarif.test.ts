import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeContainer, runAudit, toSarif, type Report } from '../../../src/ops/index.js';
import { SARIF_SCHEMA_SHA256, sarifErrors, sarifSchemaSha256, sarifSchemaText } from '../../helpers/sarif.js';
import { composeLabels, memoryEnv, rules } from './helpers.js';

/**
 * Results are validated against the official SARIF 2.1.0 schema (vendored from oasis-tcs/sarif-spec,
 * see test/fixtures/sarif/README.md); the structure code scanning relies on is asserted by hand.
 */

// Line numbers are part of the expectation: each comment says which line a key is on.
const composeText = `name: p
services:
  web: # line 3
    image: busybox
    restart: always # line 5
    ports: ["10010:80"] # line 6
  worker: # line 7
    image: busybox
    ports: # line 9
      - "10010:81"
    healthcheck: # line 11
      test: ["CMD", "true"]
  idle: # line 13
    image: busybox
`;

interface Sarif {
  runs: Array<{
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{
      ruleId: string;
      properties: { service: string };
      locations?: Array<{
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId?: string };
          region: { startLine: number };
        };
      }>;
    }>;
  }>;
}

/** The audit of a compose file with one bare service and no containers (so it has findings). */
async function auditOneService(prefix: string): Promise<{ dir: string; report: Report }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(dir, 'compose.yaml'), 'services:\n  a:\n    image: busybox\n');
  const env = memoryEnv();
  const { report } = await runAudit({
    docker: env.docker,
    compose: { cwd: dir, env: {} },
    rules,
    stateStore: env.stateStore,
  });
  return { dir, report };
}

describe('the vendored SARIF 2.1.0 schema', () => {
  it('is the unmodified official schema', () => {
    expect(sarifSchemaSha256()).toBe(SARIF_SCHEMA_SHA256);
    const schema = JSON.parse(sarifSchemaText()) as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
    // Official, not a subset: it defines the whole object model, 52 definitions; the doctor uses a few.
    expect(Object.keys(schema.definitions as object).length).toBe(52);
  });

  it('rejects what the specification forbids (so a pass means something)', async () => {
    const { dir, report } = await auditOneService('doc-sarif-neg-');
    const good = toSarif(report, dir);
    expect(sarifErrors(good)).toBeUndefined();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form mutation of a JSON copy
    type Doc = any;
    const bad = (mutate: (d: Doc) => void): string | undefined => {
      const d = JSON.parse(JSON.stringify(good)) as Doc;
      mutate(d);
      return sarifErrors(d);
    };
    expect(bad((d) => (d.version = '2.0.0'))).toMatch(/version/);
    expect(bad((d) => (d.runs[0].results[0].level = 'fatal'))).toMatch(/level/);
    expect(bad((d) => delete d.runs[0].results[0].message)).toMatch(/message/);
    expect(bad((d) => (d.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0))).toMatch(
      /startLine/,
    );
    expect(bad((d) => (d.runs[0].originalUriBaseIds['%SRCROOT%'].uri = 'not a uri'))).toMatch(/uri/);
    expect(bad((d) => (d.runs[0].tool.driver.unknownField = 1))).toMatch(/additional/);
  });
});

describe('SARIF for code scanning', () => {
  it('locates every finding about a compose service at the key it is about, relative to %SRCROOT%', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doc-sarif-'));
    await mkdtemp(path.join(dir, 'x')); // a sibling entry: URIs must still be relative to dir
    await writeFile(path.join(dir, 'compose.yaml'), composeText);
    const env = memoryEnv();
    const now = Date.now();
    const web = fakeContainer({
      id: 'w1'.padEnd(64, '0'),
      name: 'p-web-1',
      labels: composeLabels('p', 'web'),
    });
    const worker = fakeContainer({
      id: 'k1'.padEnd(64, '0'),
      name: 'p-worker-1',
      labels: composeLabels('p', 'worker'),
      health: 'unhealthy',
      healthcheck: true,
    });
    env.docker.containers.push(web, worker);
    const t = Math.floor(now / 1000) - 100;
    for (let i = 0; i < 3; i++)
      env.docker.pastEvents.push(
        { Type: 'container', Action: 'start', Actor: { ID: web.Id, Attributes: {} }, time: t + i * 10 },
        {
          Type: 'container',
          Action: 'die',
          Actor: { ID: web.Id, Attributes: { exitCode: '1' } },
          time: t + i * 10 + 2,
        },
      );
    const { report } = await runAudit({
      docker: env.docker,
      compose: { cwd: dir, env: {} },
      rules,
      stateStore: env.stateStore,
      now: () => now,
    });
    const sarif = toSarif(report, dir) as unknown as Sarif;
    expect(sarifErrors(sarif)).toBeUndefined();

    const run = sarif.runs[0]!;
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe(`file://${dir}/`);
    const where = new Map<string, number>();
    for (const r of run.results) {
      const loc = r.locations?.[0]?.physicalLocation;
      expect(loc, `${r.ruleId} ${r.properties.service} has a location`).toBeDefined();
      expect(loc!.artifactLocation).toEqual({ uri: 'compose.yaml', uriBaseId: '%SRCROOT%' });
      where.set(`${r.ruleId} ${r.properties.service}`, loc!.region.startLine);
    }
    expect(Object.fromEntries(where)).toMatchObject({
      'no-memory-limit web': 3,
      'no-cpu-limit web': 3,
      'restart-loop web': 5,
      'port-conflict worker': 9,
      'unhealthy worker': 11,
      'phantom-service idle': 13,
    });
  });

  it('gives files outside %SRCROOT% an absolute file: URI', async () => {
    const { dir, report } = await auditOneService('doc-sarif-out-');
    const run = (toSarif(report, path.join(dir, 'elsewhere')) as unknown as Sarif).runs[0]!;
    const loc = run.results[0]!.locations![0]!.physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: `file://${dir}/compose.yaml` });
  });
});
