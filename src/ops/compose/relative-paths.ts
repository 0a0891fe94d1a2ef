import path from 'node:path';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A local relative path (not absolute, not `~`, not a URL or git remote, not a named volume). */
function isRelativePath(p: string): boolean {
  return p.startsWith('./') || p.startsWith('../') || p === '.' || p === '..';
}

function rebase(p: unknown, base: string): unknown {
  return typeof p === 'string' && isRelativePath(p) ? path.resolve(base, p) : p;
}

/** A build context is a path unless it is a URL or a git remote. */
function rebaseContext(c: unknown, base: string): unknown {
  if (typeof c !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(c) || c.startsWith('git@')) return c;
  return path.isAbsolute(c) ? c : path.resolve(base, c);
}

function rebaseVolume(v: unknown, base: string): unknown {
  if (typeof v === 'string') {
    const [src, ...rest] = v.split(':');
    return rest.length && isRelativePath(src!) ? [path.resolve(base, src!), ...rest].join(':') : v;
  }
  if (isObj(v) && v.type === 'bind' && typeof v.source === 'string')
    return { ...v, source: path.isAbsolute(v.source) ? v.source : path.resolve(base, v.source) };
  return v;
}

function rebaseEnvFile(e: unknown, base: string): unknown {
  const one = (x: unknown): unknown =>
    typeof x === 'string'
      ? path.resolve(base, x)
      : isObj(x) && typeof x.path === 'string'
        ? { ...x, path: path.resolve(base, x.path) }
        : x;
  return Array.isArray(e) ? e.map(one) : one(e);
}

/**
 * Makes the relative paths of services that come from another file (an included file, or the
 * file an `extends` names) absolute against that file's base directory, as the compose
 * specification requires: build contexts, `env_file`, bind-mount sources and `extends.file`.
 * Paths of the main files stay as written.
 */
export function rebaseServicePaths(services: Obj, base: string): Obj {
  const out: Obj = {};
  for (const [name, cfg] of Object.entries(services)) out[name] = isObj(cfg) ? rebaseService(cfg, base) : cfg;
  return out;
}

export function rebaseService(cfg: Obj, base: string): Obj {
  const s: Obj = { ...cfg };
  if (typeof s.build === 'string') s.build = rebaseContext(s.build, base);
  else if (isObj(s.build) && s.build.context !== undefined)
    s.build = { ...s.build, context: rebaseContext(s.build.context, base) };
  else if (isObj(s.build)) s.build = { ...s.build, context: base };
  if (s.env_file !== undefined) s.env_file = rebaseEnvFile(s.env_file, base);
  if (Array.isArray(s.volumes)) s.volumes = s.volumes.map((v) => rebaseVolume(v, base));
  if (isObj(s.extends) && typeof s.extends.file === 'string')
    s.extends = { ...s.extends, file: rebase(s.extends.file, base) ?? s.extends.file };
  return s;
}
