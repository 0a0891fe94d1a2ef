import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { SutazaiError } from '../errors.js';
import { ConfigSchema, SECRET_PATHS, type Config } from './schema.js';

/** Environment variables and the config key each one overrides. */
export const ENV_KEYS: Record<string, string> = {
  SUTAZAI_HOST: 'http.host',
  SUTAZAI_PORT: 'http.port',
  SUTAZAI_OUTBOUND_ALLOW: 'outbound.allow',
  SUTAZAI_ALLOWED_HOSTS: 'http.allowedHosts',
  SUTAZAI_METRICS_ACCESS: 'http.metricsAccess',
  SUTAZAI_DATA_DIR: 'dataDir',
  SUTAZAI_AGENTS_DIR: 'agentsDir',
  SUTAZAI_AGENTS_SYNC: 'agents.syncOnStart',
  SUTAZAI_AGENT_STALE_MS: 'agents.staleAfterMs',
  SUTAZAI_LOG_LEVEL: 'logLevel',
  SUTAZAI_AUTH: 'auth.enabled',
  SUTAZAI_ADMIN_PASSWORD: 'auth.adminPassword',
  SUTAZAI_ADMIN_USERNAME: 'auth.adminUsername',
  SUTAZAI_WORKER_CONCURRENCY: 'worker.concurrency',
  SUTAZAI_WORKER: 'worker.enabled',
  SUTAZAI_MCP_CONFIG: 'mcp.configPath',
  SUTAZAI_MCP_MAX_PROCESSES: 'mcp.maxProcesses',
  SUTAZAI_MCP_CALL_TIMEOUT_MS: 'mcp.callTimeoutMs',
  SUTAZAI_MCP_GATEWAY_URL: 'mcp.gatewayUrl',
  SUTAZAI_MCP_GATEWAY_TOKEN: 'mcp.gatewayToken',
  SUTAZAI_WORKER_METRICS_PORT: 'worker.metricsPort',
  DATABASE_URL: 'database.url',
  REDIS_URL: 'redisUrl',
  OLLAMA_HOST: 'llm.ollamaHost',
  SUTAZAI_LLM_DEFAULT_MODEL: 'llm.defaultModel',
  SUTAZAI_LLM_MODEL_PARALLEL: 'llm.modelParallel',
  DOCKER_HOST: 'doctor.dockerHost',
  SUTAZAI_DOCTOR_REGISTRY: 'doctor.registryFile',
  SUTAZAI_DOCTOR_WATCH: 'doctor.enabled',
  SUTAZAI_DOCTOR_NAME_FILTER: 'doctor.nameFilter',
  SUTAZAI_BACKUP_DIR: 'backup.dir',
  SUTAZAI_BACKUP_INTERVAL_MINUTES: 'backup.intervalMinutes',
  SUTAZAI_BACKUP_RETAIN: 'backup.retain',
  SUTAZAI_OPTIMIZER: 'optimizer.enabled',
  SUTAZAI_OPTIMIZER_INTERVAL_MS: 'optimizer.intervalMs',
  SUTAZAI_OPTIMIZER_AUTO: 'optimizer.auto.enabled',
};

export interface LoadOptions {
  /** Explicit config file; otherwise SUTAZAI_CONFIG, otherwise ./sutazai.yaml when it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig {
  config: Config;
  /** The file that was read, if any. */
  file?: string;
}

type Json = Record<string, unknown>;

function setPath(target: Json, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]!] = value;
}

function readConfigFile(file: string, required: boolean): Json | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SutazaiError('SUTAZAI_ERR_CONFIG_UNREADABLE', { source: file, reason: (err as Error).message });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `${file}:${err.linePos[0].line}` : file;
    throw new SutazaiError('SUTAZAI_ERR_CONFIG_UNREADABLE', {
      source: where,
      reason: (err as Error).message.split('\n')[0],
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SutazaiError('SUTAZAI_ERR_CONFIG_INVALID', {
      source: file,
      issues: 'the top level must be a mapping',
    });
  }
  return parsed as Json;
}

/** Turns zod issues into one line per key, naming the env var when one set that key. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  envByPath: Map<string, string>,
  file?: string,
): { text: string; details: Array<{ path: string; source: string; message: string }> } {
  const details = issues.map((issue) => {
    const keyPath = issue.path.map(String).join('.');
    const source = envByPath.get(keyPath) ?? file ?? 'defaults';
    return { path: keyPath || '(root)', source, message: issue.message };
  });
  const text = details.map((d) => `${d.path} (${d.source}): ${d.message}`).join('; ');
  return { text, details };
}

/** Reads the optional file and the environment, validates once, and fails with a catalogue error. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.SUTAZAI_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'sutazai.yaml');
  const raw = readConfigFile(file, explicit !== undefined);
  const merged: Json = structuredClone(raw ?? {});
  const envByPath = new Map<string, string>();
  for (const [name, keyPath] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(merged, keyPath, value);
    envByPath.set(keyPath, `env ${name}`);
  }
  const result = ConfigSchema.safeParse(merged);
  const source = raw ? file : 'environment';
  if (!result.success) {
    const { text, details } = describeIssues(result.error.issues, envByPath, raw ? file : undefined);
    throw new SutazaiError('SUTAZAI_ERR_CONFIG_INVALID', { source, issues: text }, { details });
  }
  return { config: result.data, ...(raw ? { file } : {}) };
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '***';
  }
}

/** The effective config with secrets hidden, for `config print` and start-up logs. */
export function redactConfig(config: Config): Json {
  const copy = structuredClone(config) as Json;
  for (const dotted of SECRET_PATHS) {
    const keys = dotted.split('.');
    let node: Json | undefined = copy;
    for (const key of keys.slice(0, -1)) node = node?.[key] as Json | undefined;
    const last = keys[keys.length - 1]!;
    const value = node?.[last];
    if (node && typeof value === 'string')
      node[last] = dotted.endsWith('url') || dotted.endsWith('Url') ? redactUrl(value) : '***';
  }
  return copy;
}
