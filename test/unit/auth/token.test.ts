import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from '../../../src/auth/index.js';

const key = randomBytes(32);
const subject = { id: 'u-1', username: 'ada', role: 'user' as const };
const T0 = Date.UTC(2030, 0, 1);

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('access tokens (HS256)', () => {
  it('verifies a token it signed and returns the claims', () => {
    const { token } = signAccessToken(subject, key, { nowMs: T0, ttlSeconds: 60 });
    const result = verifyAccessToken(token, key, T0 + 1000);
    expect(result).toMatchObject({
      ok: true,
      claims: { sub: 'u-1', name: 'ada', role: 'user', typ: 'access' },
    });
  });

  it('is a standard compact JWT with an HS256 header', () => {
    const { token } = signAccessToken(subject, key, { nowMs: T0, ttlSeconds: 60 });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    expect(signature).toBe(expected);
  });

  it('refuses a token past its exp', () => {
    const { token } = signAccessToken(subject, key, { nowMs: T0, ttlSeconds: 60 });
    expect(verifyAccessToken(token, key, T0 + 59_999).ok).toBe(true);
    expect(verifyAccessToken(token, key, T0 + 60_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a tampered payload and a tampered signature', () => {
    const { token } = signAccessToken(subject, key, { nowMs: T0, ttlSeconds: 60 });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const elevated = `${h}.${b64({ ...claims, role: 'admin' })}.${s}`;
    expect(verifyAccessToken(elevated, key, T0)).toEqual({ ok: false, reason: 'signature' });
    const flipped = s.slice(0, -2) + (s.endsWith('AA') ? 'BB' : 'AA');
    expect(verifyAccessToken(`${h}.${p}.${flipped}`, key, T0)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses a token signed with another key', () => {
    const { token } = signAccessToken(subject, randomBytes(32), { nowMs: T0, ttlSeconds: 60 });
    expect(verifyAccessToken(token, key, T0)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses alg none and any algorithm other than HS256', () => {
    const { token } = signAccessToken(subject, key, { nowMs: T0, ttlSeconds: 60 });
    const [, p, s] = token.split('.') as [string, string, string];
    expect(verifyAccessToken(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.`, key, T0)).toEqual({
      ok: false,
      reason: 'algorithm',
    });
    const hs512 = b64({ alg: 'HS512', typ: 'JWT' });
    expect(verifyAccessToken(`${hs512}.${p}.${s}`, key, T0)).toEqual({ ok: false, reason: 'algorithm' });
  });

  it('refuses malformed tokens and correctly signed tokens without access claims', () => {
    expect(verifyAccessToken('not-a-token', key, T0).ok).toBe(false);
    expect(verifyAccessToken('a.b', key, T0).ok).toBe(false);
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ sub: 'x', exp: T0 / 1000 + 60 }); // no role, no typ
    const sig = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    expect(verifyAccessToken(`${header}.${payload}.${sig}`, key, T0)).toEqual({
      ok: false,
      reason: 'claims',
    });
  });
});
