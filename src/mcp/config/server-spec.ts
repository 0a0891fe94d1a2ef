import { z } from 'zod';

/**
 * One entry of `.mcp.json` under `mcpServers`: the format MCP clients already use (`command`,
 * `args`, `env`, `cwd` for stdio; `url`, `headers` for Streamable HTTP) plus optional SutazAI
 * settings. Unknown keys are kept out (strict) so a typo is reported instead of ignored.
 */
const sharing = z.union([
  z.literal('shared'),
  z.literal('per-session'),
  z.strictObject({ pool: z.number().int().positive().max(64) }),
]);

const common = {
  /** shared: one instance for everyone; per-session: one per /mcp client session; pool: n instances. */
  sharing: sharing.optional(),
  maxInstances: z.number().int().positive().max(256).optional(),
  idleTimeoutMs: z.number().int().min(0).optional(),
  callTimeoutMs: z.number().int().positive().optional(),
  maxInFlight: z.number().int().positive().max(10_000).optional(),
  memoryBudgetMb: z.number().positive().optional(),
  enabled: z.boolean().optional(),
  allowTools: z.array(z.string().min(1)).optional(),
  denyTools: z.array(z.string().min(1)).optional(),
  /** Ignored keys some clients write (e.g. `type`, `description`). */
  type: z.string().optional(),
  description: z.string().optional(),
};

export const StdioServerSpecSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  ...common,
});

export const HttpServerSpecSchema = z.strictObject({
  url: z.string().url(),
  headers: z.record(z.string(), z.string()).default({}),
  ...common,
});

export const ServerSpecSchema = z.union([StdioServerSpecSchema, HttpServerSpecSchema]);

export type StdioServerSpec = z.infer<typeof StdioServerSpecSchema>;
export type HttpServerSpec = z.infer<typeof HttpServerSpecSchema>;
export type RawServerSpec = z.infer<typeof ServerSpecSchema>;

export type Sharing = { mode: 'shared' } | { mode: 'per-session' } | { mode: 'pool'; size: number };

/** A validated server with every default resolved; what the supervisor works from. */
export interface ServerSpec {
  name: string;
  transport:
    | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
    | { kind: 'http'; url: string; headers: Record<string, string> };
  sharing: Sharing;
  maxInstances: number;
  idleTimeoutMs: number;
  callTimeoutMs: number;
  maxInFlight: number;
  memoryBudgetBytes: number | null;
  enabled: boolean;
  allowTools: string[] | null;
  denyTools: string[];
  /** Stable hash of the whole entry: a change means the running instances must be replaced. */
  fingerprint: string;
}

/** Server names become tool-name prefixes (`server__tool`), so they use the tool-name alphabet. */
export const SERVER_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
