import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AgentFileError, parseAgentFile } from './parse-file.js';
import type { AgentDefinition } from './types.js';

export interface ScanLimits {
  /** Files past this count are skipped (reported), so a wrong directory cannot flood the start. */
  maxFiles: number;
  maxFileBytes: number;
  /** Files read and parsed at once. */
  concurrency: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxFiles: 5000, maxFileBytes: 256 * 1024, concurrency: 16 };

export interface ScannedFile {
  /** Relative to the agents directory, with `/` separators: what `source` records. */
  relPath: string;
  definition?: AgentDefinition;
  reason?: string;
}

/**
 * Lists `*.md` files under `dir` (recursively; dot-entries and README.md skipped), sorted by path.
 * Returns undefined when the directory does not exist.
 */
export async function listAgentFiles(dir: string): Promise<string[] | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.md')) continue;
    if (entry.name.toLowerCase() === 'readme.md') continue;
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    files.push(rel);
  }
  return files.sort();
}

/** Reads and parses every file with bounded concurrency; a bad file becomes a reason, not a throw. */
export async function scanAgentFiles(
  dir: string,
  files: string[],
  limits: ScanLimits,
): Promise<ScannedFile[]> {
  const results: ScannedFile[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      results[index] = await scanOne(dir, files[index]!, index, limits);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limits.concurrency, files.length) }, worker));
  return results;
}

async function scanOne(
  dir: string,
  relPath: string,
  index: number,
  limits: ScanLimits,
): Promise<ScannedFile> {
  if (index >= limits.maxFiles) {
    return { relPath, reason: `more than ${limits.maxFiles} agent files; this one was not read` };
  }
  const full = path.join(dir, relPath);
  try {
    const info = await stat(full);
    if (info.size > limits.maxFileBytes) {
      return { relPath, reason: `file is ${info.size} bytes; the limit is ${limits.maxFileBytes}` };
    }
    return { relPath, definition: parseAgentFile(await readFile(full, 'utf8'), full) };
  } catch (err) {
    if (err instanceof AgentFileError) return { relPath, reason: err.reason };
    return { relPath, reason: `cannot read: ${(err as Error).message}` };
  }
}
