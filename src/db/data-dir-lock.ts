/**
 * One owner per data dir. Embedded PostgreSQL (PGlite) is single-process: two processes on one
 * `pgdata` split the brain and lose acknowledged work. The lock must vanish when its holder dies
 * (a SIGKILL or a crash must never block the next start), and Node has no flock(2), so the lock
 * is a listening unix socket: on Linux in the abstract namespace (a name starting with NUL, freed
 * by the kernel with the last descriptor, no file to go stale); elsewhere a socket file in the
 * data dir that a second opener removes when nothing answers on it.
 *
 * The holder answers every connection with its owner record as JSON, so a refused opener can name
 * the pid that holds the dir. `<dataDir>/owner.json` carries the same record for people.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SutazaiError } from '../errors.js';

export interface DataDirOwner {
  pid: number;
  startedAt: string;
  command: string;
}

export interface DataDirLock {
  /** The data dir's real path (symlinks resolved): what the lock is keyed on. */
  readonly dataDir: string;
  /** Idempotent: closes the socket and removes owner.json. */
  release(): Promise<void>;
}

const ASK_TIMEOUT_MS = 1000;
const BIND_ATTEMPTS = 5;

/** The socket address for a data dir: one per real path, whatever path or symlink names it. */
export function lockAddress(realDir: string, platform: NodeJS.Platform = process.platform): string {
  const digest = createHash('sha256').update(realDir).digest('hex').slice(0, 32);
  return platform === 'linux' ? `\0sutazai-datadir-${digest}` : path.join(realDir, '.owner.sock');
}

/**
 * Takes the data dir (created when missing) for this process, or throws
 * SUTAZAI_ERR_DB_DATA_DIR_LOCKED naming the holder. `command` is recorded for people.
 */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const real = realpathSync(dataDir);
  const address = lockAddress(real);
  const owner: DataDirOwner = { pid: process.pid, startedAt: new Date().toISOString(), command };
  for (let attempt = 1; ; attempt++) {
    const server = net.createServer((socket) => {
      // An asker that gave up (a timeout) must not crash the holder with EPIPE.
      socket.on('error', () => undefined);
      socket.end(JSON.stringify(owner));
    });
    server.on('error', () => undefined);
    const bound = await listen(server, address);
    if (bound === 'ok') return hold(server, real, owner);
    const holder = (await askHolder(address)) ?? liveOwner(real);
    if (holder || attempt >= BIND_ATTEMPTS) throw lockedError(real, holder);
    // Nobody answered: the holder is exiting (Linux), or a dead holder left its socket file.
    if (!address.startsWith('\0')) rmSync(address, { force: true });
    await new Promise((r) => setTimeout(r, 20 * attempt));
  }
}

function listen(server: net.Server, address: string): Promise<'ok' | 'in-use'> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve('in-use');
      else reject(err);
    };
    server.once('error', onError);
    server.listen(address, () => {
      server.off('error', onError);
      resolve('ok');
    });
  });
}

function hold(server: net.Server, dataDir: string, owner: DataDirOwner): DataDirLock {
  // The lock must not keep the process alive, and a child process must not inherit it (libuv
  // opens sockets close-on-exec), so an orphaned MCP child never holds a dead platform's dir.
  server.unref();
  const ownerFile = path.join(dataDir, 'owner.json');
  writeFileSync(ownerFile, `${JSON.stringify(owner, null, 2)}\n`);
  let released: Promise<void> | undefined;
  return {
    dataDir,
    release: () =>
      (released ??= new Promise<void>((resolve) => {
        if (readOwnerFile(dataDir)?.pid === owner.pid) tryUnlink(ownerFile);
        server.close(() => resolve());
      })),
  };
}

/** Connects to the holder and reads its owner record; undefined when nobody answers in time. */
function askHolder(address: string): Promise<DataDirOwner | undefined> {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect(address);
    const done = (value: DataDirOwner | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    // A holder busy in a long synchronous step (initdb) answers late; owner.json covers that.
    const timer = setTimeout(() => done(undefined), ASK_TIMEOUT_MS);
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('end', () => done(parseOwner(data)));
    socket.on('error', () => done(undefined));
  });
}

function readOwnerFile(dataDir: string): DataDirOwner | undefined {
  try {
    return parseOwner(readFileSync(path.join(dataDir, 'owner.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** owner.json when its pid is alive: covers a holder too busy to answer (initdb runs for seconds). */
function liveOwner(dataDir: string): DataDirOwner | undefined {
  const owner = readOwnerFile(dataDir);
  if (!owner || owner.pid === process.pid) return undefined;
  try {
    process.kill(owner.pid, 0);
    return owner;
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): DataDirOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<DataDirOwner>;
    return typeof value.pid === 'number' ? (value as DataDirOwner) : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(dataDir: string, holder: DataDirOwner | undefined): SutazaiError {
  return new SutazaiError('SUTAZAI_ERR_DB_DATA_DIR_LOCKED', {
    dataDir,
    pid: holder ? String(holder.pid) : 'unknown',
    command: holder?.command ?? 'command unknown',
  });
}

function tryUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to undo.
  }
}
