import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { HttpDockerClient } from '../../../src/ops/index.js';
import { type ContainerInspect } from '../../../src/ops/index.js';

const exec = promisify(execFile);
export const IMAGE = 'sutazai-test/busybox:1';

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await exec('/usr/bin/docker', args, { timeout: 60_000 });
  return stdout.trim();
}

export interface RunSpec {
  name: string;
  /** Compose labels, as compose would set them; omit for a stray. */
  compose?: { project: string; service: string };
  network?: 'none' | 'host';
  limits?: boolean;
  /** The memory limit when limits are on (default 64m). */
  memory?: string;
  health?: string[];
  healthInterval?: string;
  restart?: string;
  cmd: string[];
}

/** `docker run -d` acting as compose would: the same labels compose puts on its containers. */
export async function runContainer(spec: RunSpec): Promise<string> {
  const args = ['run', '-d', '--name', spec.name, '--network', spec.network ?? 'none'];
  if (spec.compose)
    args.push(
      '--label',
      `com.docker.compose.project=${spec.compose.project}`,
      '--label',
      `com.docker.compose.service=${spec.compose.service}`,
      '--label',
      'com.docker.compose.config-hash=test',
      '--label',
      'com.docker.compose.container-number=1',
    );
  if (spec.limits !== false) args.push('--memory', spec.memory ?? '64m', '--cpus', '0.5');
  args.push(
    '--health-cmd',
    (spec.health ?? ['true']).join(' '),
    '--health-interval',
    spec.healthInterval ?? '30s',
    '--health-retries',
    '1',
  );
  if (spec.restart) args.push('--restart', spec.restart);
  args.push(IMAGE, ...spec.cmd);
  return docker(...args);
}

/** Runs a shell `script` in a throw-away container with `volume` mounted at /v; returns its output. */
export function inVolume(volume: string, script: string): Promise<string> {
  return docker('run', '--rm', '--network', 'none', '-v', `${volume}:/v`, IMAGE, 'sh', '-c', script);
}

export async function removeByPrefix(prefix: string): Promise<void> {
  const ids = (await docker('ps', '-aq', '--filter', `name=${prefix}`)).split('\n').filter(Boolean);
  if (ids.length) await docker('rm', '-f', '-v', ...ids);
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function inspect(client: HttpDockerClient, name: string): Promise<ContainerInspect> {
  return client.inspectContainer(name);
}
