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
  compose?: {
    project: string;
    service: string;
    /** The compose file and its folder (the labels the optimizer edits a service's file by). */
    file?: { path: string; workingDir: string };
  };
  network?: 'none' | 'host';
  /** `false`: none; default 64 MiB and half a core. */
  limits?: false | { memory: string; memorySwap?: string; cpus?: string };
  /** The health command (default `true`); `false`: no health check. */
  health?: string[] | false;
  healthInterval?: string;
  restart?: string;
  /** A tmpfs mount, e.g. `/grow:size=100m` (its pages are charged to the container's memory). */
  tmpfs?: string;
  cmd: string[];
}

/**
 * The `docker run -d` arguments for a busybox container acting as compose would (the same labels
 * compose puts on its containers). Plain data, no test runner: bench/doctor-audit.ts uses it too.
 */
export function runArgs(spec: RunSpec): string[] {
  const args = ['run', '-d', '--name', spec.name, '--network', spec.network ?? 'none'];
  if (spec.compose) {
    const { project, service, file } = spec.compose;
    const labels = [
      `com.docker.compose.project=${project}`,
      `com.docker.compose.service=${service}`,
      'com.docker.compose.config-hash=test',
      'com.docker.compose.container-number=1',
      ...(file
        ? [
            `com.docker.compose.project.config_files=${file.path}`,
            `com.docker.compose.project.working_dir=${file.workingDir}`,
          ]
        : []),
    ];
    args.push(...labels.flatMap((l) => ['--label', l]));
  }
  const limits = spec.limits ?? { memory: '64m', cpus: '0.5' };
  if (limits) {
    args.push('--memory', limits.memory);
    if (limits.memorySwap) args.push('--memory-swap', limits.memorySwap);
    if (limits.cpus) args.push('--cpus', limits.cpus);
  }
  if (spec.health !== false)
    args.push(
      '--health-cmd',
      (spec.health ?? ['true']).join(' '),
      '--health-interval',
      spec.healthInterval ?? '30s',
      '--health-retries',
      '1',
    );
  if (spec.restart) args.push('--restart', spec.restart);
  if (spec.tmpfs) args.push('--tmpfs', spec.tmpfs);
  args.push(IMAGE, ...spec.cmd);
  return args;
}

/** `docker run -d` of `runArgs(spec)`; returns the container id. */
export async function runContainer(spec: RunSpec): Promise<string> {
  return docker(...runArgs(spec));
}

/**
 * The command of a leaking container: 1 MiB more in /grow (a tmpfs, so charged to its memory)
 * every second, forever or up to `upToMiB` and then idle.
 */
export function leakCommand(upToMiB?: number): string[] {
  const write = 'dd if=/dev/zero of=/grow/f$i bs=1048576 count=1 2>/dev/null; i=$((i+1)); sleep 1';
  return [
    'sh',
    '-c',
    upToMiB === undefined
      ? `i=0; while true; do ${write}; done`
      : `i=0; while [ $i -lt ${upToMiB} ]; do ${write}; done; sleep 3600`,
  ];
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
