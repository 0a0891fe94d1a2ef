import { describe, expect, it } from 'vitest';
import {
  assertBrowserOrigin,
  hostAllowed,
  hostnameOf,
  originAllowed,
  type BrowserOriginPolicy,
} from '../../../src/http/browser-origin.js';

const loopback: BrowserOriginPolicy = { bindHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [] };

describe('browser-origin policy', () => {
  it('reads the host name of a Host header', () => {
    expect(hostnameOf('LocalHost:10010')).toBe('localhost');
    expect(hostnameOf('[::1]:80')).toBe('::1');
    expect(hostnameOf('example.com.')).toBe('example.com');
    expect(hostnameOf('a:b:c')).toBeUndefined();
    expect(hostnameOf('[::1')).toBeUndefined();
    expect(hostnameOf('')).toBeUndefined();
  });

  it('accepts the localhost names on any port and the bind address', () => {
    for (const h of ['localhost', 'localhost:80', '127.0.0.1:10010', '[::1]:10010', '127.0.0.2'])
      expect(hostAllowed(loopback, h), h).toBe(true);
    expect(hostAllowed({ ...loopback, bindHost: '10.1.2.3' }, '10.1.2.3:10010')).toBe(true);
  });

  it('refuses foreign names, including ones that end like ours', () => {
    for (const h of ['evil.example', 'localhost.evil.example', 'evil.localhost.example:10010', '10.0.0.1'])
      expect(hostAllowed(loopback, h), h).toBe(false);
  });

  it('accepts an Origin of the same origin as the Host, or configured', () => {
    expect(originAllowed(loopback, 'http://localhost:10010', 'localhost:10010')).toBe(true);
    expect(originAllowed(loopback, 'http://localhost:3000', 'localhost:10010')).toBe(false);
    expect(originAllowed(loopback, 'null', 'localhost:10010')).toBe(false);
    const withPublic = { ...loopback, allowedHosts: ['app.example'], allowedOrigins: ['https://ui.example'] };
    expect(originAllowed(withPublic, 'https://app.example', '127.0.0.1:10010')).toBe(true);
    expect(originAllowed(withPublic, 'https://ui.example', '127.0.0.1:10010')).toBe(true);
  });

  it('throws 421 for a foreign Host and 403 for a foreign Origin', () => {
    expect(() => assertBrowserOrigin(loopback, { host: 'evil.example' })).toThrow(
      expect.objectContaining({ status: 421 }),
    );
    expect(() => assertBrowserOrigin(loopback, { host: 'localhost', origin: 'http://evil.example' })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => assertBrowserOrigin(loopback, { host: 'localhost' })).not.toThrow();
  });
});
