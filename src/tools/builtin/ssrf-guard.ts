import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Refuses addresses a fetch tool must never reach by default: loopback, private, link-local,
 * carrier-grade NAT, unique-local, multicast and unspecified ranges (IPv4 and IPv6, including
 * IPv4-mapped IPv6). Checked on the resolved addresses, and the connection is made to the checked
 * address, so a DNS answer cannot change between the check and the connect.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class SsrfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsrfError';
  }
}

/** Resolves `host` and returns one address that is allowed, or throws SsrfError. */
export async function resolveAllowed(
  host: string,
  allowPrivate: readonly string[],
): Promise<{ address: string; family: 4 | 6 }> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses =
    isIP(bare) !== 0
      ? [{ address: bare, family: isIP(bare) }]
      : await lookup(bare, { all: true, verbatim: true });
  if (addresses.length === 0) throw new SsrfError(`${host} did not resolve`);
  const hostAllowed = allowPrivate.includes(bare);
  for (const a of addresses) {
    if (isBlockedAddress(a.address) && !hostAllowed && !allowPrivate.includes(a.address)) {
      throw new SsrfError(`${host} resolves to ${a.address}, a loopback/private/link-local address`);
    }
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
