import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The one guard for connections made on a user's behalf (http.check, http.fetch, anything
 * later). It resolves the name once, refuses loopback, private, link-local, carrier-grade NAT,
 * unique-local, multicast, unspecified and cloud-metadata addresses (IPv4, IPv6 and IPv4-mapped
 * IPv6) unless the requester is an admin or the configured allowlist (`outbound.allow`: host
 * names, IP literals or CIDRs) permits them, and returns the checked address: the caller connects
 * to that address (see pinnedRequest), so a second DNS answer cannot slip in between the check
 * and the connect. Callers that follow redirects call check() again for every hop.
 */
export type Requester = 'admin' | 'user';

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

export type LookupAll = (host: string) => Promise<Array<{ address: string; family: number }>>;

export interface OutboundGuardOptions {
  /** Host names, IP literals or CIDRs users may reach even when they are private. */
  allow: readonly string[];
  /** DNS seam for tests; default node:dns lookup of every address, in resolver order. */
  lookup?: LookupAll;
}

export class OutboundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT; holds Alibaba's metadata 100.100.100.200
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local; holds the AWS/GCP/Azure metadata 169.254.169.254
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
  ['fc00::', 7], // unique-local; holds AWS's IPv6 metadata fd00:ec2::254
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96], // NAT64 of an IPv4 address: judged as blocked rather than decoded
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Names that are metadata endpoints whatever they resolve to on this host. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'metadata.azure.internal']);

const defaultLookup: LookupAll = (host) => dnsLookup(host, { all: true, verbatim: true });

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) judged as the IPv4 address it maps. */
function unmapped(address: string): { address: string; type: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  const family = isIP(address);
  if (family === 0) return undefined;
  return { address, type: family === 4 ? 'ipv4' : 'ipv6' };
}

export function isBlockedAddress(address: string): boolean {
  const ip = unmapped(address);
  return ip ? blocked.check(ip.address, ip.type) : true;
}

/** Allowlist entries: exact host names (case-insensitive), IP literals and CIDRs. */
class Allowlist {
  private readonly hosts = new Set<string>();
  private readonly nets = new BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      const [net, prefix] = entry.split('/');
      const family = isIP(net ?? '');
      if (family === 0) this.hosts.add(entry);
      else if (prefix === undefined) this.nets.addAddress(net!, family === 4 ? 'ipv4' : 'ipv6');
      else this.nets.addSubnet(net!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  host(name: string): boolean {
    return this.hosts.has(name.toLowerCase());
  }

  address(address: string): boolean {
    const ip = unmapped(address);
    return !!ip && this.nets.check(ip.address, ip.type);
  }
}

export interface OutboundGuard {
  /** Resolves `host` (a URL's hostname) and returns the address to connect to, or throws OutboundRefusedError. */
  check(host: string, requester: Requester): Promise<ResolvedTarget>;
}

export function createOutboundGuard(options: OutboundGuardOptions): OutboundGuard {
  const allow = new Allowlist(options.allow);
  const lookup = options.lookup ?? defaultLookup;
  return {
    async check(host, requester) {
      const bare = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
      const trusted = requester === 'admin' || allow.host(bare);
      if (!trusted && METADATA_NAMES.has(bare.toLowerCase()))
        throw new OutboundRefusedError(`${host} is a cloud metadata endpoint`);
      const literal = isIP(bare) !== 0;
      const addresses = literal ? [{ address: bare, family: isIP(bare) }] : await resolve(lookup, bare);
      if (addresses.length === 0) throw new OutboundRefusedError(`${host} did not resolve`);
      if (!trusted) {
        for (const a of addresses) {
          if (isBlockedAddress(a.address) && !allow.address(a.address))
            throw new OutboundRefusedError(
              `${host} resolves to ${a.address}, a loopback/private/link-local/metadata address; ` +
                'only admins, or outbound.allow, may target it',
            );
        }
      }
      const first = addresses[0]!;
      return { address: first.address, family: first.family === 6 ? 6 : 4 };
    },
  };
}

/** A failed lookup (ENOTFOUND, EAI_AGAIN) propagates as is: it may pass, so callers may retry. */
function resolve(lookup: LookupAll, host: string): Promise<Array<{ address: string; family: number }>> {
  return lookup(host);
}
