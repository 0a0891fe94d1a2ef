import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Role } from './types.js';

/**
 * Access tokens: compact JWTs signed with HS256 (HMAC-SHA256), built on node:crypto. Only HS256
 * is accepted: a header naming any other algorithm (including `none`) is refused before the
 * signature is even looked at.
 */
export interface AccessClaims {
  sub: string;
  name: string;
  role: Role;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  jti: string;
  typ: 'access';
}

const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function sign(input: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(input).digest();
}

export function signAccessToken(
  subject: { id: string; username: string; role: Role },
  key: Buffer,
  options: { nowMs: number; ttlSeconds: number },
): { token: string; claims: AccessClaims } {
  const iat = Math.floor(options.nowMs / 1000);
  const claims: AccessClaims = {
    sub: subject.id,
    name: subject.username,
    role: subject.role,
    iat,
    exp: iat + options.ttlSeconds,
    jti: randomUUID(),
    typ: 'access',
  };
  const input = `${HEADER}.${b64(JSON.stringify(claims))}`;
  return { token: `${input}.${sign(input, key).toString('base64url')}`, claims };
}

export type VerifyFailure = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'claims';

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function validClaims(payload: Record<string, unknown>): payload is Record<string, unknown> & AccessClaims {
  return (
    typeof payload.sub === 'string' &&
    typeof payload.name === 'string' &&
    (payload.role === 'admin' || payload.role === 'user') &&
    Number.isInteger(payload.exp) &&
    payload.typ === 'access'
  );
}

/** Verifies signature, algorithm and expiry; returns the claims or why it failed. */
export function verifyAccessToken(
  token: string,
  key: Buffer,
  nowMs: number,
): { ok: true; claims: AccessClaims } | { ok: false; reason: VerifyFailure } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  if (!header) return { ok: false, reason: 'malformed' };
  if (header.alg !== 'HS256') return { ok: false, reason: 'algorithm' };
  const expected = sign(`${headerPart}.${payloadPart}`, key);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature' };
  }
  const payload = decodeJson(payloadPart);
  if (!payload || !validClaims(payload)) return { ok: false, reason: 'claims' };
  if (payload.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims: payload };
}
