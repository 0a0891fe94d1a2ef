import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { groupGone, killGroup, spawnCli, waitForLine } from './cli.js';

export const CLUSTER_PASSWORD = 'cluster-test-admin-password';

export type ClusterRole = 'api' | 'worker' | 'gateway';

export interface ClusterProcess {
  role: ClusterRole;
  child: ChildProcess;
  /** Base URL (api and gateway processes; a worker's health and metrics listener when it has one). */
  url?: string;
}

/** What each role prints once it is ready; group 1 is its URL when it listens. */
const READY_LINE: Record<ClusterRole, RegExp> = {
  api: /API ready on (http:\/\/\S+)/,
  gateway: /gateway ready on (http:\/\/\S+)/,
  worker: /worker running(?:; health and metrics on (http:\/\/\S+))?/,
};

/**
 * Real `sutazai up --role api|worker|gateway` processes on one PostgreSQL (and Redis), each in its own
 * process group and data dir, sharing one config file.
 */
export class Cluster {
  readonly processes: ClusterProcess[] = [];
  readonly cwd = mkdtempSync(path.join(tmpdir(), 'sutazai-cluster-'));
  private readonly env: NodeJS.ProcessEnv;

  constructor(databaseUrl: string, config: Record<string, unknown>, redisUrl?: string) {
    writeFileSync(path.join(this.cwd, 'sutazai.yaml'), stringify({ logLevel: 'warn', ...config }));
    this.env = {
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      SUTAZAI_PORT: '0',
      SUTAZAI_ADMIN_PASSWORD: CLUSTER_PASSWORD,
      SUTAZAI_MCP_CONFIG: path.join(this.cwd, 'no-mcp.json'),
      SUTAZAI_AGENTS_DIR: path.join(this.cwd, 'agents'),
    };
  }

  /** Starts one process; `env` adds to (or overrides) the cluster's environment for it. */
  async start(role: ClusterRole, env: NodeJS.ProcessEnv = {}): Promise<ClusterProcess> {
    const dataDir = mkdtempSync(path.join(this.cwd, `${role}-`));
    const child = spawnCli(
      ['up', '--role', role],
      { ...this.env, ...env, SUTAZAI_DATA_DIR: dataDir },
      this.cwd,
    );
    const proc: ClusterProcess = { role, child };
    this.processes.push(proc);
    const line = await waitForLine(child, READY_LINE[role], 120_000);
    if (line[1]) proc.url = line[1];
    return proc;
  }

  /** SIGTERM to every process group, then SIGKILL whatever is left after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    for (const p of this.processes) {
      try {
        process.kill(-p.child.pid!, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    for (const p of this.processes) if (!(await groupGone(p.child.pid!, graceMs))) killGroup(p.child.pid!);
    rmSync(this.cwd, { recursive: true, force: true });
  }
}

/** A loopback port nothing listens on right now (for listeners that must be given a port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function adminToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: CLUSTER_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An HTTP target for http.check tasks that counts requests per `?n=` and answers after `delayMs`. */
export async function countingTarget(
  delayMs: number,
): Promise<{ url: string; hits: Map<string, number>; server: Server }> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const n = new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '';
    hits.set(n, (hits.get(n) ?? 0) + 1);
    setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, hits, server };
}
