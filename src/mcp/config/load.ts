import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { McpConfig } from '../../config/schema.js';
import {
  HttpServerSpecSchema,
  SERVER_NAME,
  StdioServerSpecSchema,
  type RawServerSpec,
  type ServerSpec,
  type Sharing,
} from './server-spec.js';

export interface ConfigProblem {
  /** JSON path of the bad entry, e.g. `mcpServers.memory.args`. */
  path: string;
  message: string;
}

export interface LoadedServers {
  file: string;
  /** False when the file does not exist: no servers, not an error. */
  exists: boolean;
  servers: ServerSpec[];
  problems: ConfigProblem[];
}

/** Reads `.mcp.json`; a bad entry is reported with its path and skipped, never fatal. */
export async function loadServers(file: string, defaults: McpConfig): Promise<LoadedServers> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { file: abs, exists: false, servers: [], problems: [] };
    return {
      file: abs,
      exists: false,
      servers: [],
      problems: [{ path: '(file)', message: (err as Error).message }],
    };
  }
  return { file: abs, exists: true, ...parseServers(text, defaults, path.dirname(abs)) };
}

export function parseServers(
  text: string,
  defaults: McpConfig,
  baseDir: string,
): { servers: ServerSpec[]; problems: ConfigProblem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return {
      servers: [],
      problems: [{ path: '(file)', message: `not valid JSON: ${(err as Error).message}` }],
    };
  }
  const entries = (doc as { mcpServers?: unknown } | null)?.mcpServers;
  if (entries === undefined) return { servers: [], problems: [] };
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
    return { servers: [], problems: [{ path: 'mcpServers', message: 'must be an object' }] };
  const servers: ServerSpec[] = [];
  const problems: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(entries as Record<string, unknown>)) {
    const where = `mcpServers.${name}`;
    if (!SERVER_NAME.test(name) || name.includes('__')) {
      problems.push({
        path: where,
        message: 'server names use [a-zA-Z0-9_-], at most 64 characters, no "__"',
      });
      continue;
    }
    // Pick the schema by shape so issues name the exact key (a union would only say "invalid").
    const isHttp = typeof raw === 'object' && raw !== null && 'url' in raw && !('command' in raw);
    const parsed = (isHttp ? HttpServerSpecSchema : StdioServerSpecSchema).safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message });
      continue;
    }
    servers.push(resolveSpec(name, parsed.data, defaults, baseDir));
  }
  return { servers, problems };
}

function resolveSharing(raw: RawServerSpec['sharing']): Sharing {
  if (raw === undefined || raw === 'shared') return { mode: 'shared' };
  if (raw === 'per-session') return { mode: 'per-session' };
  return { mode: 'pool', size: raw.pool };
}

function resolveSpec(name: string, raw: RawServerSpec, d: McpConfig, baseDir: string): ServerSpec {
  const sharing = resolveSharing(raw.sharing);
  const minInstances = sharing.mode === 'pool' ? sharing.size : 1;
  const transport: ServerSpec['transport'] =
    'command' in raw
      ? {
          kind: 'stdio',
          command: raw.command,
          args: raw.args,
          env: raw.env,
          ...(raw.cwd ? { cwd: path.resolve(baseDir, raw.cwd) } : {}),
        }
      : { kind: 'http', url: raw.url, headers: raw.headers };
  return {
    name,
    transport,
    sharing,
    maxInstances: Math.max(
      raw.maxInstances ?? (sharing.mode === 'per-session' ? 8 : minInstances),
      minInstances,
    ),
    idleTimeoutMs: raw.idleTimeoutMs ?? d.idleTimeoutMs,
    callTimeoutMs: raw.callTimeoutMs ?? d.callTimeoutMs,
    maxInFlight: raw.maxInFlight ?? d.maxInFlightPerInstance,
    memoryBudgetBytes: raw.memoryBudgetMb ? Math.round(raw.memoryBudgetMb * 1024 * 1024) : null,
    enabled: raw.enabled ?? true,
    allowTools: raw.allowTools ?? null,
    denyTools: raw.denyTools ?? [],
    fingerprint: createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 16),
  };
}

/** Whether a tool is exposed under the server's allow and deny lists. */
export function toolAllowed(spec: ServerSpec, tool: string): boolean {
  if (spec.denyTools.includes(tool)) return false;
  return spec.allowTools === null || spec.allowTools.includes(tool);
}
