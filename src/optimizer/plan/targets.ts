import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { DockerApiError, type ContainerInspect, type DockerClient } from '../../ops/sources/docker-types.js';

/** What the engine says about a container the history names: labels, limits, environment. */
export interface LiveContainer {
  name: string;
  inspect: ContainerInspect;
  service?: string;
  project?: string;
  /** The compose file that declares the service, when one does. */
  composeFile?: string;
}

const SERVICE = 'com.docker.compose.service';
const PROJECT = 'com.docker.compose.project';
const CONFIG_FILES = 'com.docker.compose.project.config_files';
const WORKING_DIR = 'com.docker.compose.project.working_dir';

async function declares(file: string, service: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const doc = parseDocument(text);
  return doc.errors.length === 0 && doc.hasIn(['services', service]);
}

/**
 * The compose file declaring `service`: first the files compose recorded in the container's
 * labels, then the doctor's configured compose files; the first that has the service wins.
 */
export async function composeFileOf(
  labels: Record<string, string>,
  service: string,
  configured: readonly string[],
): Promise<string | undefined> {
  const dir = labels[WORKING_DIR] ?? process.cwd();
  const fromLabels = (labels[CONFIG_FILES] ?? '')
    .split(',')
    .filter(Boolean)
    .map((f) => path.resolve(dir, f));
  for (const file of [...fromLabels, ...configured]) if (await declares(file, service)) return file;
  return undefined;
}

/**
 * The running container of that name; `gone` when the engine says it no longer exists or is
 * stopped; undefined when there is no engine to ask (the plan then works from the history alone).
 */
export async function liveContainer(
  docker: DockerClient | undefined,
  name: string,
  composeFiles: readonly string[],
): Promise<LiveContainer | 'gone' | undefined> {
  let inspect: ContainerInspect | undefined;
  try {
    inspect = await docker?.inspectContainer(name);
  } catch (err) {
    return err instanceof DockerApiError && err.status === 404 ? 'gone' : undefined;
  }
  if (!inspect) return undefined;
  if (!inspect.State.Running) return 'gone';
  const labels = inspect.Config.Labels ?? {};
  const service = labels[SERVICE];
  const composeFile = service ? await composeFileOf(labels, service, composeFiles) : undefined;
  return {
    name,
    inspect,
    ...(service ? { service } : {}),
    ...(labels[PROJECT] ? { project: labels[PROJECT] } : {}),
    ...(composeFile ? { composeFile } : {}),
  };
}

/** `NAME=value` → value, from a container's environment. */
export function envOf(inspect: ContainerInspect | undefined, name: string): string | null {
  const entry = (inspect?.Config.Env ?? []).find((e) => e.startsWith(`${name}=`));
  return entry === undefined ? null : entry.slice(name.length + 1);
}
