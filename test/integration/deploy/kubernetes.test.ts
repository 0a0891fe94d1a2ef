import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/cli/main.js';
import { ENV_KEYS, loadConfig } from '../../../src/config/load.js';
import { HttpConfigSchema } from '../../../src/config/schema.js';
import { registry } from '../../../src/metrics/index.js';
import { startTestPlatform } from '../../helpers/platform.js';
import { collectRoutes } from '../../helpers/routes.js';
import type { PlatformOptions } from '../../../src/app.js';
import { schemaErrors } from './kubernetes-schemas.js';
import { renderKustomization, type Manifest } from './kustomize-subset.js';
import { exec, missingBinaries, REPO } from './monitoring-helpers.js';

const BASE = path.join(REPO, 'deploy/kubernetes');
const ADAPTER = path.join(BASE, 'prometheus-adapter/config.yaml');
const DEPLOY_DOC = readFileSync(path.join(REPO, 'docs/deploy.md'), 'utf8');

interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface Deployment extends Manifest {
  spec: {
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        containers: Container[];
        automountServiceAccountToken?: boolean;
        terminationGracePeriodSeconds?: number;
        securityContext?: Record<string, unknown>;
      };
    };
  };
}

interface Hpa extends Manifest {
  spec: {
    scaleTargetRef: { name: string };
    metrics: Array<{
      type: string;
      external?: { metric: { name: string }; target: { averageValue: unknown } };
    }>;
  };
}
interface Pdb extends Manifest {
  spec: { selector: { matchLabels: unknown } };
}
interface Service extends Manifest {
  spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string | number }> };
}

const manifests = renderKustomization(BASE);
const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const deployments = byKind('Deployment') as Deployment[];
const configMaps = new Map(
  byKind('ConfigMap').map((m) => [m.metadata.name, m.data as Record<string, string>]),
);
const containers = deployments.flatMap((d) => d.spec.template.spec.containers.map((c) => ({ d, c })));

/** The role a container runs: `sutazai up --role <role>`. */
function roleOf(c: Container): string {
  const args = c.args ?? [];
  return args[0] === 'up' && args[1] === '--role' ? (args[2] ?? '') : '';
}

/** Which config key each role's listener port comes from (docs/operations.md). */
const PORT_KEY: Record<string, string> = {
  api: 'http.port',
  gateway: 'http.port',
  worker: 'worker.metricsPort',
};
const SECRET_PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: 'postgres://sutazai:secret@postgres:5432/sutazai',
  REDIS_URL: 'redis://redis:6379',
  SUTAZAI_ADMIN_PASSWORD: 'kubernetes-test-admin-password',
  SUTAZAI_MCP_GATEWAY_TOKEN: 'k'.repeat(40),
};

/** The environment a container starts with; problems (unknown names, unresolvable refs) listed. */
function containerEnv(c: Container): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const from of c.envFrom ?? []) {
    const data = from.configMapRef && configMaps.get(from.configMapRef.name);
    if (!data)
      problems.push(`envFrom ${JSON.stringify(from)}: only rendered ConfigMaps (keys must be known)`);
    else Object.assign(env, data);
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref && (ref.name !== 'sutazai' || !(ref.key in SECRET_PLACEHOLDERS)))
      problems.push(`${e.name}: secret ${ref.name}/${ref.key} is not one of the documented keys`);
    env[e.name] = ref ? (SECRET_PLACEHOLDERS[ref.key] ?? '') : (e.value ?? '');
  }
  for (const name of Object.keys(env))
    if (!(name in ENV_KEYS)) problems.push(`${name}: not an environment variable the config loader reads`);
  return { env, problems };
}

function configValue(config: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], config);
}

function portNumber(c: Container, port: string | number): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

describe('deploy/kubernetes: the kustomize base', () => {
  it('has the three roles, a PodDisruptionBudget each, and autoscaling for api (CPU) and worker (external)', () => {
    expect(containers.map(({ c }) => roleOf(c)).sort()).toEqual(['api', 'gateway', 'worker']);
    for (const { d, c } of containers)
      expect(d.spec.template.metadata.labels['app.kubernetes.io/component'], d.metadata.name).toBe(roleOf(c));
    expect(
      byKind('PodDisruptionBudget')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(deployments.map((d) => d.metadata.name).sort());
    const hpas = byKind('HorizontalPodAutoscaler') as Hpa[];
    const hpa = (name: string) => hpas.find((h) => h.spec.scaleTargetRef.name === name)!.spec;
    expect(hpa('sutazai-api').metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ]);
    expect(hpa('sutazai-worker').metrics[0]!.type).toBe('External');
  });

  it('every rendered manifest validates against the schema of its apiVersion and kind', async () => {
    expect(manifests.length).toBeGreaterThanOrEqual(11);
    for (const m of manifests) expect(await schemaErrors(m), `${m.kind} ${m.metadata.name}`).toEqual([]);
  });

  it('the schemas reject invalid manifests', async () => {
    const api = structuredClone(deployments.find((d) => d.metadata.name === 'sutazai-api')!);
    api.spec.template.spec.containers[0]!.ports![0]!.containerPort = 'ten' as unknown as number;
    expect((await schemaErrors(api)).join()).toMatch(/containerPort must be integer/);
    const noSelector = structuredClone(api) as unknown as { spec: Record<string, unknown> };
    delete noSelector.spec.selector;
    expect((await schemaErrors(noSelector as unknown as Manifest)).join()).toMatch(/selector/);
    const hpa = structuredClone(byKind('HorizontalPodAutoscaler')[1]!) as Hpa;
    hpa.spec.metrics[0]!.external!.target.averageValue = 'a hundred';
    expect((await schemaErrors(hpa)).join()).toMatch(/quantity/);
    const pdb = structuredClone(byKind('PodDisruptionBudget')[0]!) as Pdb;
    pdb.spec.selector.matchLabels = ['not', 'a', 'map'];
    expect(await schemaErrors(pdb)).not.toEqual([]);
    expect(await schemaErrors({ ...pdb, kind: 'PodDisruptionBudgett' })).toEqual([
      'no schema for policy/v1 PodDisruptionBudgett',
    ]);
    expect(await schemaErrors({ ...pdb, apiVersion: 'policy/v7' })).toEqual([
      'no schema for apiVersion policy/v7',
    ]);
  });

  it('every pod is hardened: read-only root, uid 1000, no escalation, no capabilities, no token, 15 s grace', () => {
    for (const { d, c } of containers) {
      const pod = d.spec.template.spec;
      expect(pod.automountServiceAccountToken, d.metadata.name).toBe(false);
      expect(pod.terminationGracePeriodSeconds, d.metadata.name).toBe(15);
      expect(pod.securityContext, d.metadata.name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.securityContext, d.metadata.name).toEqual({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath);
      expect(mounts, d.metadata.name).toEqual(expect.arrayContaining(['/data', '/tmp']));
      const startup = c.startupProbe as unknown as { periodSeconds: number; failureThreshold: number };
      expect(startup.periodSeconds * startup.failureThreshold, d.metadata.name).toBeGreaterThanOrEqual(120);
    }
  });

  it('every container resource has CPU and memory requests and limits', () => {
    for (const { d, c } of containers)
      for (const kind of ['requests', 'limits'] as const)
        expect(Object.keys(c.resources?.[kind] ?? {}).sort(), `${d.metadata.name} ${kind}`).toEqual([
          'cpu',
          'memory',
        ]);
  });
});

describe('the kustomize subset renders what `kubectl apply -k` would get, and nothing it cannot', () => {
  const base = (kustomization: string, files: Record<string, string> = {}) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-kustomize-'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), kustomization);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  };
  const header = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\n`;

  it('renders every document of the listed files in order', () => {
    const dir = base(`${header}resources: [b.yaml, a.yaml]\n`, {
      'a.yaml': cm('a'),
      'b.yaml': `${cm('b1')}---\n${cm('b2')}`,
    });
    expect(renderKustomization(dir).map((m) => m.metadata.name)).toEqual(['b1', 'b2', 'a']);
  });

  it('refuses keys it does not implement, duplicate ids, aliases and missing files', () => {
    expect(() =>
      renderKustomization(base(`${header}namespace: x\nresources: [a.yaml]\n`, { 'a.yaml': cm('a') })),
    ).toThrow(/namespace not rendered/);
    expect(() =>
      renderKustomization(
        base(`${header}resources: [a.yaml, b.yaml]\n`, { 'a.yaml': cm('a'), 'b.yaml': cm('a') }),
      ),
    ).toThrow(/already registered id/);
    const aliased = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, labels: &l { x: y } }\ndata: *l\n';
    expect(() =>
      renderKustomization(base(`${header}resources: [a.yaml]\n`, { 'a.yaml': aliased })),
    ).toThrow();
    expect(() => renderKustomization(base(`${header}resources: [gone.yaml]\n`))).toThrow(/no such file/);
  });
});

describe("the manifests' env and ports agree with the config schema", () => {
  it('every environment variable is one the config loader reads, and the config loads', () => {
    for (const { d, c } of containers) {
      const { env, problems } = containerEnv(c);
      expect(problems, d.metadata.name).toEqual([]);
      expect(
        () => loadConfig({ env, cwd: mkdtempSync(path.join(tmpdir(), 'sutazai-k8s-')) }),
        d.metadata.name,
      ).not.toThrow();
    }
  });

  it('the env check catches an unknown name and an undocumented secret key', () => {
    const c: Container = {
      name: 'sutazai',
      envFrom: [{ configMapRef: { name: 'sutazai-env' } }, { secretRef: { name: 'sutazai' } }],
      env: [
        { name: 'SUTAZAI_PORT', value: '10010' },
        { name: 'SUTAZAI_PROT', value: '10010' },
        { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'sutazai', key: 'redis' } } },
      ],
    };
    expect(containerEnv(c).problems).toEqual([
      'envFrom {"secretRef":{"name":"sutazai"}}: only rendered ConfigMaps (keys must be known)',
      'REDIS_URL: secret sutazai/redis is not one of the documented keys',
      'SUTAZAI_PROT: not an environment variable the config loader reads',
    ]);
  });

  it('the Secret keys the manifests use are the ones docs/deploy.md tells you to create', () => {
    const used = new Set(
      containers.flatMap(({ c }) => (c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef?.key ?? [])),
    );
    expect([...used].sort()).toEqual(Object.keys(SECRET_PLACEHOLDERS).sort());
    for (const key of used) expect(DEPLOY_DOC).toContain(`--from-literal=${key}=`);
  });

  it('each role runs an existing --role and listens where its config says, api on the default port', () => {
    const up = buildProgram({ code: 0 }).commands.find((cmd) => cmd.name() === 'up')!;
    const roleOption = (up.options as Option[]).find((o) => o.long === '--role')!;
    for (const { d, c } of containers) {
      const role = roleOf(c);
      expect(roleOption.argChoices, d.metadata.name).toContain(role);
      const { config } = loadConfig({
        env: containerEnv(c).env,
        cwd: mkdtempSync(path.join(tmpdir(), 'sutazai-k8s-')),
      });
      expect(
        c.ports?.map((p) => p.containerPort),
        d.metadata.name,
      ).toEqual([configValue(config, PORT_KEY[role]!)]);
      const annotated = d.spec.template.metadata.annotations?.['prometheus.io/port'];
      expect(Number(annotated), `${d.metadata.name} prometheus.io/port`).toBe(c.ports![0]!.containerPort);
    }
    const api = containers.find(({ c }) => roleOf(c) === 'api')!.c;
    expect(api.ports![0]!.containerPort).toBe(HttpConfigSchema.parse({}).port);
  });

  it("every Service selects one role's pods and targets a port they declare", () => {
    for (const svc of byKind('Service') as Service[]) {
      const selected = deployments.filter((d) =>
        Object.entries(svc.spec.selector as Record<string, string>).every(
          ([k, v]) => d.spec.template.metadata.labels[k] === v,
        ),
      );
      expect(
        selected.map((d) => d.metadata.name),
        svc.metadata.name,
      ).toEqual([svc.metadata.name]);
      const c = selected[0]!.spec.template.spec.containers[0]!;
      for (const p of svc.spec.ports) expect(portNumber(c, p.targetPort), svc.metadata.name).toBe(p.port);
    }
  });
});

describe('probes ask /health (liveness) and /ready (readiness), routes the app serves', () => {
  it.each(containers.map(({ d, c }) => [d.metadata.name, c] as const))(
    '%s: on a port it declares, public routes of the app its role builds, answered',
    async (name, c) => {
      const probes = { startup: c.startupProbe, liveness: c.livenessProbe, readiness: c.readinessProbe };
      expect(probes.liveness?.httpGet.path).toBe('/health');
      expect(probes.startup?.httpGet.path).toBe('/health');
      expect(probes.readiness?.httpGet.path).toBe('/ready');
      const collector = collectRoutes();
      const platform = await startTestPlatform(
        { SUTAZAI_MCP_GATEWAY_TOKEN: SECRET_PLACEHOLDERS.SUTAZAI_MCP_GATEWAY_TOKEN! },
        { role: roleOf(c) as PlatformOptions['role'], firstRoutes: [collector.hook] },
      );
      try {
        for (const probe of Object.values(probes)) {
          expect(portNumber(c, probe!.httpGet.port), name).toBe(c.ports![0]!.containerPort);
          const route = collector.routes.find((r) => r.method === 'GET' && r.url === probe!.httpGet.path);
          expect(route?.access, probe!.httpGet.path).toBe('public');
        }
        expect((await platform.app.inject({ url: '/health' })).statusCode).toBe(200);
        const ready = await platform.app.inject({ url: '/ready' });
        expect([200, 503]).toContain(ready.statusCode);
        expect(typeof ready.json().ready).toBe('boolean');
      } finally {
        await platform.close();
      }
    },
    // A whole platform start per role; slow on a loaded machine.
    120_000,
  );
});

describe('worker autoscaling on queue depth: the Prometheus Adapter rule', () => {
  const adapter = parse(readFileSync(ADAPTER, 'utf8')) as Manifest & { data: Record<string, string> };
  const config = parse(adapter.data['config.yaml']!) as {
    externalRules: Array<{
      seriesQuery: string;
      resources: { overrides: Record<string, { resource: string }> };
      name: { matches: string; as: string };
      metricsQuery: string;
    }>;
  };
  const rule = config.externalRules[0]!;

  it('is a valid ConfigMap whose config.yaml has the fields the adapter needs', async () => {
    expect(await schemaErrors(adapter)).toEqual([]);
    expect(config.externalRules).toHaveLength(1);
    expect(rule.resources.overrides.namespace).toEqual({ resource: 'namespace' });
    expect(rule.metricsQuery).toContain('<<.Series>>');
    expect(rule.metricsQuery).toContain('<<.LabelMatchers>>');
  });

  it('serves the metric the worker HPA asks for, from a metric SutazAI exports', async () => {
    const hpas = byKind('HorizontalPodAutoscaler') as Hpa[];
    const worker = hpas.find((h) => h.metadata.name === 'sutazai-worker')!;
    expect(worker.spec.metrics[0]!.external!.metric.name).toBe(rule.name.as);
    const series = /^\^(\w+)\$$/.exec(rule.name.matches)![1]!;
    expect(rule.seriesQuery.startsWith(`${series}{`)).toBe(true);
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === series);
    expect(metric?.type).toBe('gauge');
    expect(rule.seriesQuery).toContain('status="pending"');
    expect(rule.metricsQuery).toContain('status="pending"');
  });

  const missing = missingBinaries(['promtool']);
  it.skipIf(missing.length > 0)(
    'its query, as the adapter expands it, is PromQL that promtool accepts',
    async () => {
      const expanded = rule.metricsQuery
        .replace('<<.Series>>', /^\^(\w+)\$$/.exec(rule.name.matches)![1]!)
        .replace('<<.LabelMatchers>>', 'namespace="sutazai"');
      const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-adapter-'));
      const file = path.join(dir, 'rules.yml');
      const rules = (expr: string) =>
        JSON.stringify({ groups: [{ name: 'a', rules: [{ record: 'adapter:query', expr }] }] });
      writeFileSync(file, rules(expanded));
      await exec('promtool', ['check', 'rules', file]);
      writeFileSync(file, rules(expanded.replace('max(', 'max((')));
      await expect(exec('promtool', ['check', 'rules', file])).rejects.toThrow();
    },
  );
});
