import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../../../src/auth/index.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
  });

  it('stores algorithm, parameters and a random salt in the hash string, never the password', async () => {
    const a = await hashPassword('same password', FAST);
    const b = await hashPassword('same password', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
  });

  it('verifies with the parameters stored in the hash, not the current default', async () => {
    const hash = await hashPassword('old parameters', FAST);
    expect(await verifyPassword('old parameters', hash)).toBe(true);
    expect(needsRehash(hash)).toBe(true);
    expect(needsRehash(await hashPassword('x'))).toBe(false);
  });

  it('never matches a malformed or tampered stored hash', async () => {
    const hash = await hashPassword('pw', FAST);
    expect(await verifyPassword('pw', '')).toBe(false);
    expect(await verifyPassword('pw', 'plain-text')).toBe(false);
    expect(await verifyPassword('pw', hash.replace('$1024$', '$2048$'))).toBe(false);
    expect(await verifyPassword('pw', hash.replace(/\$1024\$/, `$${2 ** 30}$`))).toBe(false);
    expect(await verifyPassword('pw', hash.slice(0, -4))).toBe(false);
  });
});
