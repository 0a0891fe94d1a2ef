import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The local credential: how `sutazai doctor` on the machine where `sutazai up` runs reads the
 * platform's MCP children without an API key. Each start writes a fresh random token to
 * `<dataDir>/local-credential`, mode 0600, so only the user who owns the data dir (and root) can
 * read it. The server accepts it only from a loopback address and only on the read-only routes
 * in LOCAL_CREDENTIAL_SCOPE; anything else presenting it is refused as an invalid token.
 */
export const LOCAL_CREDENTIAL_PREFIX = 'lc_sutazai_';
export const LOCAL_CREDENTIAL_FILE = 'local-credential';

/** Routes (method and route template) the local credential opens: what the doctor reads. */
export const LOCAL_CREDENTIAL_SCOPE: ReadonlyArray<{ method: string; url: string }> = [
  { method: 'GET', url: '/api/v1/mcp/servers' },
];

export function localCredentialPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), LOCAL_CREDENTIAL_FILE);
}

export function looksLikeLocalCredential(value: string): boolean {
  return value.startsWith(LOCAL_CREDENTIAL_PREFIX);
}

export interface LocalCredential {
  /** True when `presented` is this process's token (constant-time comparison). */
  matches(presented: string): boolean;
  /** Removes the file if it still holds this process's token; idempotent. */
  remove(): Promise<void>;
}

/** Writes a new token (rotated at every start) atomically with mode 0600. */
export async function writeLocalCredential(dataDir: string): Promise<LocalCredential> {
  const token = LOCAL_CREDENTIAL_PREFIX + randomBytes(32).toString('base64url');
  const file = localCredentialPath(dataDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${token}\n`, { mode: 0o600 });
  await rename(tmp, file);
  const expected = Buffer.from(token);
  return {
    matches(presented) {
      const given = Buffer.from(presented);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    async remove() {
      const current = await readFile(file, 'utf8').catch(() => '');
      if (current.trim() === token) await rm(file, { force: true });
    },
  };
}

export type LocalCredentialRead = { ok: true; token: string } | { ok: false; reason: string };

/** What the CLI reads; the reason says why not (missing file, permission denied). */
export async function readLocalCredential(dataDir: string): Promise<LocalCredentialRead> {
  const file = localCredentialPath(dataDir);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (!looksLikeLocalCredential(token)) return { ok: false, reason: `${file} does not hold a credential` };
    return { ok: true, token };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: `${file} does not exist` };
    if (code === 'EACCES') return { ok: false, reason: `${file} is not readable by this user` };
    return { ok: false, reason: `${file}: ${(err as Error).message}` };
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}
