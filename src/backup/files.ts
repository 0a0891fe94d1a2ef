import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { SutazaiError } from '../errors.js';
import { sha256File } from './digest.js';
import type { FileEntry } from './manifest.js';

export interface ConfigSources {
  /** The config file that was loaded, if any (sutazai.yaml). */
  configFile?: string;
  mcpConfig: string;
  agentsDir: string;
}

const MAX_AGENT_FILES = 1000;
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Copies the config files into `<dir>/config/` (mode 0600) and describes them for the manifest. */
export async function copyConfigFiles(sources: ConfigSources, dir: string): Promise<FileEntry[]> {
  const wanted: Array<{ kind: FileEntry['kind']; source: string; file: string }> = [];
  if (sources.configFile && isFile(sources.configFile))
    wanted.push({ kind: 'config', source: sources.configFile, file: 'config/sutazai.yaml' });
  if (isFile(sources.mcpConfig))
    wanted.push({ kind: 'mcp', source: sources.mcpConfig, file: 'config/mcp.json' });
  for (const name of agentFiles(sources.agentsDir))
    wanted.push({
      kind: 'agents',
      source: path.join(sources.agentsDir, name),
      file: `config/agents/${name}`,
    });
  const entries: FileEntry[] = [];
  for (const w of wanted) {
    const target = path.join(dir, w.file);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    copyFileSync(w.source, target);
    entries.push({ ...w, bytes: lstatSync(target).size, sha256: await sha256File(target) });
  }
  return entries;
}

/** Regular files directly in the agents dir (agent definitions); symlinks and oversized files are left out. */
function agentFiles(dir: string): string[] {
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) return [];
  const names = readdirSync(dir)
    .filter((name) => isFile(path.join(dir, name)))
    .sort();
  if (names.length > MAX_AGENT_FILES)
    throw new SutazaiError('SUTAZAI_ERR_BACKUP_FAILED', {
      reason: `${dir} holds more than ${MAX_AGENT_FILES} files`,
    });
  return names;
}

function isFile(file: string): boolean {
  try {
    const st = lstatSync(file);
    return st.isFile() && st.size <= MAX_FILE_BYTES;
  } catch {
    return false;
  }
}

/**
 * Writes the backup's config files back where they were read from. A file that is there now is
 * kept beside it as `<file>.before-restore-<id>`. Returns the paths written.
 */
export function restoreConfigFiles(dir: string, files: readonly FileEntry[], id: string): string[] {
  const written: string[] = [];
  for (const entry of files) {
    mkdirSync(path.dirname(entry.source), { recursive: true });
    if (existsSync(entry.source)) renameSync(entry.source, `${entry.source}.before-restore-${id}`);
    copyFileSync(path.join(dir, entry.file), entry.source);
    written.push(entry.source);
  }
  return written;
}
