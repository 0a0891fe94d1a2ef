import { readFile, readdir } from 'node:fs/promises';

export interface HostProcess {
  pid: number;
  ppid: number;
  command: string;
  rssBytes: number;
}

/** Reads every visible process: pid, parent, command line and resident memory. */
export async function readProcesses(procRoot = '/proc'): Promise<HostProcess[]> {
  const pids = (await readdir(procRoot)).filter((d) => /^\d+$/.test(d));
  const out: HostProcess[] = [];
  for (const pid of pids) {
    try {
      const stat = await readFile(`${procRoot}/${pid}/stat`, 'utf8');
      // comm may contain spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const cmdline = (await readFile(`${procRoot}/${pid}/cmdline`, 'utf8'))
        .split('\0')
        .filter(Boolean)
        .join(' ');
      out.push({
        pid: Number(pid),
        ppid: Number(fields[1]),
        command: cmdline || `[${comm}]`,
        rssBytes: Number(fields[21]) * 4096,
      });
    } catch {
      /* exited while we looked */
    }
  }
  return out;
}

/**
 * Groups command lines that differ only in paths, numbers, ids and temp names: `node
 * /home/a/.npm/_npx/1f2e/node_modules/.bin/mcp-server-memory --port 4031` →
 * `node mcp-server-memory --port N`.
 */
export function fingerprint(command: string): string {
  return command
    .split(/\s+/)
    .slice(0, 6)
    .map((arg) => (arg.includes('/') ? (arg.split('/').filter(Boolean).pop() ?? arg) : arg))
    .map((arg) => arg.replace(/\b[0-9a-f]{12,}\b/gi, 'H').replace(/\d+/g, 'N'))
    .join(' ');
}

/** Every descendant pid of `root` (inclusive), from the ppid links. */
export function descendants(processes: HostProcess[], root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>([root]);
  const stack = [root];
  while (stack.length)
    for (const c of children.get(stack.pop()!) ?? []) {
      if (out.has(c)) continue;
      out.add(c);
      stack.push(c);
    }
  return out;
}
