import path from 'node:path';
import type { Config } from '../config/index.js';
import type { ConfigSources } from './files.js';

/** Where backups live for this config (absolute). */
export function backupsDirOf(config: Config): string {
  return path.resolve(config.backup.dir ?? path.join(config.dataDir, 'backups'));
}

/** The config files a backup copies, resolved the way the platform resolves them. */
export function configSourcesOf(config: Config, configFile: string | undefined): ConfigSources {
  return {
    ...(configFile ? { configFile: path.resolve(configFile) } : {}),
    mcpConfig: path.resolve(config.mcp.configPath),
    agentsDir: path.resolve(config.agentsDir),
  };
}
