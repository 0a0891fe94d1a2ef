import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { markFirstRun } from './first-run.js';
import { hashPassword } from './password.js';

/** Any fixed number; serialises first-start admin creation across processes. */
const ADMIN_LOCK_KEY = 724_010_011;

export interface EnsureAdminOptions {
  db: Db;
  username: string;
  /** config.auth.adminPassword (SUTAZAI_ADMIN_PASSWORD); generated when absent. */
  password?: string;
  logger: Logger;
}

export interface EnsureAdminResult {
  created: boolean;
  username: string;
  /** Present only when this call created the admin with a generated password: show it once. */
  generatedPassword?: string;
}

/** 24 random bytes as base64url: 32 characters, ~192 bits. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * On a first start without any admin, creates one. There is no default password: the configured
 * one is used, or a random one is generated and returned for the CLI to print once (it is never
 * logged). Several processes starting at once: an advisory lock serialises the check-and-insert,
 * and ON CONFLICT covers a username that appears anyway, so exactly one admin is created and only
 * the process that created it gets a password back.
 */
export async function ensureAdmin(options: EnsureAdminOptions): Promise<EnsureAdminResult> {
  const { db, username, logger } = options;
  const hasAdmin = async () =>
    (await db.query("SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled LIMIT 1")).rows.length > 0;
  if (await hasAdmin()) return { created: false, username };
  const password = options.password ?? generatePassword();
  const passwordHash = await hashPassword(password); // slow: outside the lock
  const created = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_LOCK_KEY]);
    const admins = await tx.query("SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled LIMIT 1");
    if (admins.rows.length > 0) return false;
    const inserted = await tx.query(
      `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'admin')
       ON CONFLICT (username) DO NOTHING RETURNING id`,
      [username, passwordHash],
    );
    if (inserted.rows.length === 0) return false;
    // Only a generated password needs a hint; a configured one is known to whoever set it.
    if (options.password === undefined) await markFirstRun(tx, username, new Date());
    return true;
  });
  if (!created) {
    if (!(await hasAdmin())) {
      logger.error(
        { event: 'auth:admin:blocked', username },
        'no admin exists and the admin username is taken by a non-admin user; pick another auth.adminUsername',
      );
    }
    return { created: false, username };
  }
  const generated = options.password === undefined;
  logger.info({ event: 'auth:admin:created', username, generated }, 'first-run admin created');
  return generated ? { created: true, username, generatedPassword: password } : { created: true, username };
}
