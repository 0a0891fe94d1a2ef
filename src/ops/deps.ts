import type { Config } from '../config/schema.js';
import type { AuditDeps } from './options.js';
import { HttpDockerClient } from './sources/docker-http.js';

/** The doctor's dependencies from the platform config; shared by the CLI and `sutazai up`. */
export function doctorDeps(config: Config, env: NodeJS.ProcessEnv = process.env): AuditDeps {
  const d = config.doctor;
  const apiKey = env.SUTAZAI_API_KEY;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  return {
    config: d,
    dataDir: config.dataDir,
    docker: new HttpDockerClient({
      ...(d.dockerHost ? { host: d.dockerHost } : {}),
      timeoutMs: d.dockerTimeoutMs,
    }),
    platform: { baseUrl: `http://${host}:${config.http.port}`, ...(apiKey ? { apiKey } : {}) },
  };
}
