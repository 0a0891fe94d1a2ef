import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from '../../../src/http/cookies.js';

describe('session cookies', () => {
  it('marks a cookie Secure only when asked (requests over TLS), always SameSite=Strict', () => {
    const opts = { httpOnly: true, path: '/api/v1/auth', maxAge: 60 };
    expect(serializeCookie('a', 'b', { ...opts, secure: true })).toBe(
      'a=b; Path=/api/v1/auth; Max-Age=60; SameSite=Strict; HttpOnly; Secure',
    );
    expect(serializeCookie('a', 'b', { ...opts, secure: false })).not.toContain('Secure');
  });

  it('refuses to write a value outside the token alphabet (no header injection)', () => {
    expect(() =>
      serializeCookie('a', 'x;Domain=evil', { httpOnly: true, secure: false, path: '/', maxAge: 1 }),
    ).toThrow();
  });

  it('parses the first value of each name and skips malformed pairs', () => {
    const c = parseCookies('x=1; bad; sutazai_csrf=abc_-.; x=2; y="q"');
    expect(c.get('x')).toBe('1');
    expect(c.get('sutazai_csrf')).toBe('abc_-.');
    expect(c.has('y')).toBe(false);
  });
});
