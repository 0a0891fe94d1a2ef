import { isIP } from 'node:net';
import { SutazaiError } from '../errors.js';
import type { Config } from './schema.js';

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Refuses a non-loopback bind with auth off: the platform must never be open to a network. */
export function assertSafeBind(config: Config): void {
  if (!config.auth.enabled && !isLoopback(config.http.host)) {
    throw new SutazaiError('SUTAZAI_ERR_CONFIG_INSECURE_BIND', { host: config.http.host });
  }
}
