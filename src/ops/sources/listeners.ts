import { readFile, readdir, readlink } from 'node:fs/promises';

export interface Listener {
  ip: string;
  port: number;
  family: 4 | 6;
  inode: number;
  pid?: number;
  command?: string;
}

function ipv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function ipv6(hex: string): string {
  // /proc prints four little-endian 32-bit words.
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const chunk = hex.slice(w * 8, w * 8 + 8);
    const bytes = chunk.match(/../g)!.reverse().join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const full = words
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')
    .toLowerCase();
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(full);
  if (mapped) {
    const n = (Number.parseInt(mapped[1]!, 16) << 16) | Number.parseInt(mapped[2]!, 16);
    return `::ffff:${[(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}`;
  }
  return full;
}

/** Parses /proc/net/tcp or tcp6 text, keeping sockets in LISTEN state (0A). */
export function parseProcNetTcp(text: string, family: 4 | 6): Listener[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[3] === '0A')
    .map((f) => {
      const [ipHex = '', portHex = '0'] = f[1]!.split(':');
      return {
        ip: family === 4 ? ipv4(ipHex) : ipv6(ipHex),
        port: Number.parseInt(portHex, 16),
        family,
        inode: Number(f[9]),
      };
    });
}

/** socket inode → pid, scanning /proc/<pid>/fd until every wanted inode is found. */
async function ownersOf(inodes: Set<number>, procRoot: string): Promise<Map<number, number>> {
  const owners = new Map<number, number>();
  const pids = (await readdir(procRoot)).filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    if (owners.size === inodes.size) break;
    let fds: string[];
    try {
      fds = await readdir(`${procRoot}/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to see
    }
    for (const fd of fds) {
      const link = await readlink(`${procRoot}/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(Number(m[1])) && !owners.has(Number(m[1]))) owners.set(Number(m[1]), Number(pid));
    }
  }
  return owners;
}

/** Host TCP listeners with their owning process where /proc lets us see it. */
export async function readListeners(procRoot = '/proc', ownersForPorts?: Set<number>): Promise<Listener[]> {
  const v4 = await readFile(`${procRoot}/net/tcp`, 'utf8');
  const v6 = await readFile(`${procRoot}/net/tcp6`, 'utf8').catch(() => '');
  const listeners = [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)];
  // Finding owners walks every /proc/<pid>/fd: do it only for the ports someone declared.
  const wanted = listeners.filter((l) => l.inode > 0 && (!ownersForPorts || ownersForPorts.has(l.port)));
  const owners = wanted.length
    ? await ownersOf(new Set(wanted.map((l) => l.inode)), procRoot)
    : new Map<number, number>();
  for (const l of listeners) {
    const pid = owners.get(l.inode);
    if (pid === undefined) continue;
    l.pid = pid;
    l.command = (await readFile(`${procRoot}/${pid}/cmdline`, 'utf8').catch(() => ''))
      .split('\0')
      .filter(Boolean)
      .join(' ');
  }
  return listeners;
}
