import { createHash } from 'node:crypto';

/** What MCP clients accept for tool names (and we use for prompts too). */
export const EXPOSED_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const SEP = '__';

/**
 * Collision-free, reversible names `server__item`. A name that is too long or uses characters
 * clients reject is shortened to a sanitized prefix plus an 8-hex hash of the full name, and the
 * table remembers the mapping (filled whenever a list is served, so a client can only call names
 * it was shown).
 */
export class NameTable {
  private readonly byExposed = new Map<string, { server: string; item: string }>();

  expose(server: string, item: string): string {
    const plain = `${server}${SEP}${item}`;
    if (EXPOSED_NAME.test(plain)) return plain;
    const hash = createHash('sha256').update(plain).digest('hex').slice(0, 8);
    const safe = plain.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64 - hash.length - 1);
    const short = `${safe}_${hash}`;
    this.byExposed.set(short, { server, item });
    return short;
  }

  resolve(exposed: string): { server: string; item: string } {
    const known = this.byExposed.get(exposed);
    if (known) return known;
    const at = exposed.indexOf(SEP);
    if (at <= 0) return { server: '', item: exposed };
    return { server: exposed.slice(0, at), item: exposed.slice(at + SEP.length) };
  }
}

/** Opaque composite cursor: which server's list and where in it. */
export function encodeCursor(pos: { s: string; i: number }): string {
  return Buffer.from(JSON.stringify(pos)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { s: string; i: number } | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { s?: unknown; i?: unknown };
    if (typeof v.s === 'string' && typeof v.i === 'number') return { s: v.s, i: v.i };
  } catch {
    // fall through
  }
  return undefined;
}
