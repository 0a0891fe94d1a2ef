import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { DockerClient } from '../ops/sources/docker-types.js';
import { Collector } from './collector.js';

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
