/**
 * Minimal cookie reading and writing for the browser session (decision 0030). Only the two
 * cookies the platform sets are ever read, so a small parser is enough: no cookie plugin.
 */
export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const VALUE = /^[A-Za-z0-9_.-]*$/;

/** Cookie header → name/value pairs; malformed pairs are skipped, the first of a name wins. */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (NAME.test(name) && VALUE.test(value) && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** One Set-Cookie value; always SameSite=Strict. Names and values are our own token alphabet. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!NAME.test(name) || !VALUE.test(value)) throw new Error(`cookie ${name}: unsafe name or value`);
  const parts = [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAge}`, 'SameSite=Strict'];
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
