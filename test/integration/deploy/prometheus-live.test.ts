import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { MEMORY } from '../../fixtures/mcp/servers.js';
import { groupGone, killGroup, spawnCli, waitForLine } from '../../helpers/cli.js';
import { RULES_DIR, alertRules, missingBinaries, panelQueries } from './monitoring-helpers.js';

const ADMIN_PASSWORD = 'prometheus-live-admin-password';
const missing = missingBinaries(['prometheus']);

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe.skipIf(missing.length > 0)('the real Prometheus scraping a running SutazAI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-prom-live-'));
  let ollama: OllamaDouble;
  let platform: ChildProcess;
  let prometheus: ChildProcess;
  let base = '';
  let prom = '';
  let auth: Record<string, string> = {};

  beforeAll(async () => {
    ollama = await startOllamaDouble();
    const port = await freePort();
    writeFileSync(
      path.join(dir, 'mcp.json'),
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: [MEMORY] } } }),
    );
    // A port registry documenting a service no compose file defines: the doctor has a finding
    // (registry-drift) to export whether or not a Docker engine is there.
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  app:\n    image: busybox\n');
    writeFileSync(
      path.join(dir, 'registry.yaml'),
      'version: 1\nports:\n  - { service: ghost, port: 10999 }\n',
    );
    writeFileSync(
      path.join(dir, 'sutazai.yaml'),
      `doctor:\n  composeFiles: ['${path.join(dir, 'compose.yaml')}']\n  registryFile: '${path.join(dir, 'registry.yaml')}'\n`,
    );
    platform = spawnCli(
      ['up'],
      {
        SUTAZAI_CONFIG: path.join(dir, 'sutazai.yaml'),
        SUTAZAI_DATA_DIR: path.join(dir, 'data'),
        SUTAZAI_PORT: String(port),
        SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD,
        SUTAZAI_MCP_CONFIG: path.join(dir, 'mcp.json'),
        SUTAZAI_AGENTS_DIR: path.join(dir, 'agents'),
        SUTAZAI_OUTBOUND_ALLOW: '127.0.0.1',
        OLLAMA_HOST: ollama.url,
      },
      dir,
    );
    await waitForLine(platform, /SutazAI API ready on/, 120_000);
    base = `http://127.0.0.1:${port}`;
    auth = await login(base);

    const promPort = await freePort();
    prom = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ['${RULES_DIR}/*.yml']`,
        'scrape_configs:',
        '  - job_name: sutazai',
        `    static_configs: [{ targets: ['127.0.0.1:${port}'], labels: { role: all } }]`,
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // Two rounds of traffic, each followed by a scrape, so every counter moved between samples.
    await waitForScrapes(1);
    await traffic();
    await waitForScrapes(3);
    await traffic();
    await waitForScrapes(3);
  }, 240_000);

  afterAll(async () => {
    for (const child of [prometheus, platform]) {
      if (!child?.pid) continue;
      process.kill(-child.pid, 'SIGTERM');
      if (!(await groupGone(child.pid, 15_000))) killGroup(child.pid);
    }
    await ollama?.close();
  });

  /** Tasks, a chat through the Ollama double, an MCP tool call and a doctor audit. */
  async function traffic(): Promise<void> {
    const post = (url: string, body: unknown) =>
      fetch(`${base}${url}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const tasks = await Promise.all(
      [0, 1, 2].map(() =>
        post('/api/v1/tasks', { type: 'http.check', payload: { url: `${base}/health`, timeoutMs: 2000 } }),
      ),
    );
    for (const t of tasks) expect(t.status).toBe(202);
    expect((await post('/api/v1/chat', { message: 'hello prometheus' })).status).toBe(200);
    const call = await post('/api/v1/mcp/servers/memory/tools/read_graph/call', { arguments: {} });
    expect(call.status).toBe(200);
    expect((await fetch(`${base}/api/v1/doctor/report`, { headers: auth })).status).toBe(200);
    for (const t of tasks) await waitForTask((await t.json()) as { id: string });
  }

  async function waitForTask({ id }: { id: string }): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const task = (await (await fetch(`${base}/api/v1/tasks/${id}`, { headers: auth })).json()) as {
        status: string;
      };
      if (task.status === 'completed') return;
      if (['dead', 'cancelled'].includes(task.status)) throw new Error(`task ${id} ${task.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`task ${id} did not finish`);
  }

  async function query(expr: string): Promise<QueryAnswer> {
    const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as QueryAnswer;
  }

  /** Resolves once Prometheus holds `n` more successful scrapes of SutazAI than now. */
  async function waitForScrapes(n: number): Promise<void> {
    const count = async () => {
      const a = await fetch(
        `${prom}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="sutazai"}[10m]) * on() group_left() (up{job="sutazai"} == 1)')}`,
      )
        .then((r) => r.json() as Promise<QueryAnswer>)
        .catch(() => undefined);
      return Number(a?.data?.result[0]?.value[1] ?? 0);
    };
    const start = await count();
    const until = Date.now() + 120_000;
    while ((await count()) < start + n) {
      if (Date.now() > until) throw new Error(`Prometheus did not scrape SutazAI ${n} times in 120 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('scrapes SutazAI successfully', async () => {
    const up = await query('up{job="sutazai"}');
    expect(up.data?.result.map((r) => r.value[1])).toEqual(['1']);
  });

  it('answers every dashboard panel query with data', async () => {
    const empty: string[] = [];
    for (const q of panelQueries()) {
      const answer = await query(q.expr);
      expect(answer.status, `${q.dashboard} / ${q.panel}: ${answer.error}`).toBe('success');
      const finite = (answer.data?.result ?? []).some((r) => Number.isFinite(Number(r.value[1])));
      if (!finite) empty.push(`${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('evaluates every alert expression without error, and the doctor alert sees the audit', async () => {
    for (const rule of alertRules()) {
      const answer = await query(rule.expr);
      expect(answer.status, `${rule.alert}: ${answer.error}`).toBe('success');
    }
    const findings = await query('sum by (rule) (sutazai_doctor_findings)');
    expect(findings.data?.result.map((r) => r.metric.rule)).toContain('registry-drift');
  });

  it('loaded the alert rules (Prometheus reports them healthy)', async () => {
    const res = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
    };
    const rules = res.data.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name).sort()).toEqual(
      alertRules()
        .map((r) => r.alert)
        .sort(),
    );
    expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
  });
});

async function login(base: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  const { access_token } = (await res.json()) as { access_token: string };
  return { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
