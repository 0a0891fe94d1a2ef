import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService, ensureAdmin, startAuth, staticSecretProvider } from '../../../src/auth/index.js';
import { AuthConfigSchema } from '../../../src/config/schema.js';
import type { Db } from '../../../src/db/index.js';
import { freshPglite } from '../../helpers/db.js';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), text: () => lines.join('') };
}

const admins = async (db: Db) =>
  (await db.query<{ username: string }>("SELECT username FROM users WHERE role = 'admin'")).rows;

describe('ensureAdmin (first-run admin, no default password)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshPglite();
  });
  afterAll(() => db.close());

  it('runs concurrently, creates exactly one admin and hands the password to exactly one caller', async () => {
    const { logger, text } = capturingLogger();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => ensureAdmin({ db, username: 'admin', logger })),
    );
    const creators = results.filter((r) => r.created);
    expect(creators).toHaveLength(1);
    expect(results.filter((r) => r.generatedPassword)).toHaveLength(1);
    expect(await admins(db)).toEqual([{ username: 'admin' }]);
    const password = creators[0]!.generatedPassword!;
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(text()).not.toContain(password);

    // The generated password is the real one: it logs in.
    const auth = new AuthService({ db, secretProvider: staticSecretProvider(Buffer.alloc(32, 1)) });
    await expect(auth.login('admin', password)).resolves.toMatchObject({ user: { role: 'admin' } });
  });

  it('is idempotent: a later start finds the admin and creates nothing', async () => {
    const { logger } = capturingLogger();
    const again = await ensureAdmin({ db, username: 'admin', logger });
    expect(again).toEqual({ created: false, username: 'admin' });
    const other = await ensureAdmin({ db, username: 'someone-else', password: 'configured-pass-1', logger });
    expect(other.created).toBe(false);
    expect(await admins(db)).toHaveLength(1);
  });

  it('uses the configured password and does not return it', async () => {
    await db.query('DELETE FROM users'); // back to a first start
    const { logger, text } = capturingLogger();
    const result = await ensureAdmin({ db, username: 'boss', password: 'configured-pass-123', logger });
    expect(result).toEqual({ created: true, username: 'boss' });
    expect(text()).not.toContain('configured-pass-123');
    const auth = new AuthService({ db, secretProvider: staticSecretProvider(Buffer.alloc(32, 2)) });
    await expect(auth.login('boss', 'configured-pass-123')).resolves.toBeDefined();
  });

  it('startAuth creates the admin once, returns a notice with the generated password once, and the password logs in', async () => {
    await db.query('DELETE FROM users'); // back to a first start
    const { logger, text } = capturingLogger();
    const config = AuthConfigSchema.parse({});
    const first = await startAuth({ db, logger, config });
    expect(first.adminNotice).toMatch(/admin user "admin" with password \S{32}\n/);
    const password = /password (\S+)/.exec(first.adminNotice!)![1]!;
    expect(text()).not.toContain(password);
    const second = await startAuth({ db, logger, config });
    expect(second.adminNotice).toBeUndefined();
    await expect(second.service.login('admin', password)).resolves.toMatchObject({
      user: { role: 'admin' },
    });
  });
});
