import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const REPO = path.resolve(import.meta.dirname, '../../..');

/** Every container and volume these suites create starts with this (shared engines: see docs/testing.md). */
export const PREFIX = process.env.SUTAZAI_TEST_PREFIX ?? 'sutazai-test';
export const uniqueName = (what: string) => `${PREFIX}-${what}-${randomBytes(4).toString('hex')}`;

export async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/**
 * The image, built by the same script CI uses (scripts/build-image.sh: local base from this
 * machine's Node, npm cache staged on the host, `docker build`); an unchanged tree reuses it.
 */
export async function buildImage(): Promise<string> {
  // A tag built beforehand by the same script (bench/image-start.ts, a CI step) can be named here.
  if (process.env.SUTAZAI_TEST_IMAGE) return process.env.SUTAZAI_TEST_IMAGE;
  const { stdout } = await exec(path.join(REPO, 'scripts/build-image.sh'), [], {
    cwd: REPO,
    timeout: 40 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, SUTAZAI_IMAGE_REPO: process.env.SUTAZAI_IMAGE_REPO ?? 'sutazai-local/sutazai' },
  });
  return stdout.trim().split('\n').at(-1)!;
}

export interface ContainerRun {
  name: string;
  image: string;
  /** Named volume mounted at /data (never anonymous: the image's VOLUME would leave one behind). */
  volume: string;
  /** The port SutazAI listens on, on the host's loopback (host networking). */
  port: number;
  /** More environment; SUTAZAI_HOST and SUTAZAI_PORT are set from `port`. */
  env?: Record<string, string>;
  /** More `docker run` flags (labels, limits, restart policy). */
  flags?: string[];
  /** The tmpfs for /tmp, e.g. `/tmp:size=64m`. */
  tmpfs?: string;
}

/**
 * `docker run -d` for the image as the tests and bench/image-start.ts run it: host networking
 * (the CI engine has no bridge: docs/deploy.md), read-only with a tmpfs on /tmp, `--init`, the
 * data in a named volume, bound to 127.0.0.1:`port`.
 */
export function containerRunArgs(run: ContainerRun): string[] {
  const env = { ...run.env, SUTAZAI_HOST: '127.0.0.1', SUTAZAI_PORT: String(run.port) };
  return [
    'run',
    '-d',
    '--name',
    run.name,
    '--network',
    'host',
    '--read-only',
    '--tmpfs',
    run.tmpfs ?? '/tmp',
    '--init',
    '-v',
    `${run.volume}:/data`,
    ...(run.flags ?? []),
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    run.image,
  ];
}

/** A free TCP port on 127.0.0.1 (the container shares the host network, so it must be free here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the engine reports the container's health as `want`; rejects if it exits first. */
export async function waitForHealth(name: string, want: 'healthy', timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = JSON.parse(await docker(['inspect', '-f', '{{json .State}}', name])) as {
      Status: string;
      Health?: { Status: string };
    };
    if (state.Health?.Status === want) return;
    if (state.Status === 'exited' || state.Status === 'dead')
      throw new Error(`${name} ${state.Status} before it was ${want}:\n${await logs(name)}`);
    if (Date.now() > until)
      throw new Error(`${name} not ${want} after ${timeoutMs} ms:\n${await logs(name)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function logs(name: string): Promise<string> {
  const { stdout, stderr } = await exec('docker', ['logs', name], { maxBuffer: 16 * 1024 * 1024 }).catch(
    (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
  return stdout + stderr;
}

export async function removeQuietly(kind: 'container' | 'volume', name: string): Promise<void> {
  await exec('docker', kind === 'container' ? ['rm', '-f', '-v', name] : ['volume', 'rm', '-f', name]).catch(
    () => undefined,
  );
}
