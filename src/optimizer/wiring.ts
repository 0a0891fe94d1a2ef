import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { DockerClient } from '../ops/sources/docker-types.js';
import type { Queryable } from '../db/types.js';
import { resolveComposeFiles } from '../ops/compose/load.js';
import { Collector } from './collector.js';
import type { ApplyDeps } from './plan/apply.js';

/** The collector `sutazai up` and `sutazai optimize sample` use, from the platform config. */
export function optimizerCollector(
  config: Config,
  deps: { docker?: DockerClient; mcpServers?: () => Array<{ name: string; pids: readonly number[] }> },
): Collector {
  const o = config.optimizer;
  return new Collector({
    roots: { proc: o.procRoot, sys: o.sysRoot, cgroup: o.cgroupRoot },
    dataDir: path.resolve(config.dataDir),
    platformPid: process.pid,
    sourceTimeoutMs: o.sourceTimeoutMs,
    ...(o.containers && deps.docker ? { docker: deps.docker } : {}),
    ...(o.models ? { ollamaUrl: config.llm.ollamaHost } : {}),
    ...(deps.mcpServers ? { mcpServers: deps.mcpServers } : {}),
  });
}

/** What the plan, apply and rollback need, from the platform config (routes, CLI, auto mode). */
export function optimizerPlanDeps(
  config: Config,
  deps: { db: Queryable; docker?: DockerClient; cwd?: string },
): ApplyDeps {
  const cwd = deps.cwd ?? process.cwd();
  return {
    db: deps.db,
    config: config.optimizer.recommend,
    ...(deps.docker ? { docker: deps.docker } : {}),
    composeFiles: resolveComposeFiles(config.doctor.composeFiles, cwd),
    mcp: { configPath: path.resolve(cwd, config.mcp.configPath), defaults: config.mcp },
    dataDir: path.resolve(config.dataDir),
    verify: config.doctor.verify,
  };
}
