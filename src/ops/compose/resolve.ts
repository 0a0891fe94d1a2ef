import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDotEnv } from './interpolate.js';
import { mergeValues } from './merge.js';
import { ComposeError, parseComposeFile, type ParsedFile } from './parse-file.js';
import { rebaseService, rebaseServicePaths } from './relative-paths.js';

/**
 * `include` and `extends`, resolved per file before files are merged (as compose-go does):
 * - include: each entry is loaded as its own model (paths relative to the including file;
 *   `project_directory` defaults to the included file's directory, `env_file` to its `.env`),
 *   and its services, volumes, networks, configs and secrets join the including model; a
 *   resource defined on both sides is an error, and so is an include cycle.
 * - extends: `extends: name` or `{service, file?}`; the base (itself resolved) is merged under the
 *   local definition with the usual merge rules; `depends_on` and `volumes_from` are never
 *   inherited (compose documentation); a cycle or a missing base is an error.
 */
type Obj = Record<string, unknown>;

const RESOURCES = ['services', 'volumes', 'networks', 'configs', 'secrets'] as const;
const NOT_INHERITED = ['depends_on', 'volumes_from'];

export interface ResolveContext {
  /** Process environment (wins over every .env). */
  baseEnv: Record<string, string | undefined>;
  /** Every file parsed so far, for key lines and backups. */
  parsed: ParsedFile[];
  /** Files being loaded, for cycle detection. */
  stack: string[];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lineIn(p: ParsedFile, key: string): number | undefined {
  return p.lines.get(key)?.line;
}

/** `track`: the file is part of the model (its key lines locate findings, it is backed up). */
export function readParsed(
  file: string,
  env: Record<string, string | undefined>,
  ctx: ResolveContext,
  track = true,
): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ComposeError(file, undefined, (err as Error).message);
  }
  const p = parseComposeFile(file, text, env);
  if (track) ctx.parsed.push(p);
  return p;
}

/** Parses `file` and resolves its includes and extends into one model. */
export function loadResolved(
  file: string,
  env: Record<string, string | undefined>,
  ctx: ResolveContext,
): Obj {
  if (ctx.stack.includes(file))
    throw new ComposeError(file, undefined, `include cycle: ${[...ctx.stack, file].join(' → ')}`);
  ctx.stack.push(file);
  try {
    const p = readParsed(file, env, ctx);
    const data = { ...p.data };
    if (isObj(data.services)) data.services = resolveExtends(p, data.services, env, ctx);
    return applyIncludes(p, data, ctx);
  } finally {
    ctx.stack.pop();
  }
}

interface IncludeEntry {
  paths: string[];
  projectDirectory?: string;
  envFiles: string[];
}

function includeEntries(p: ParsedFile, raw: unknown): IncludeEntry[] {
  const line = lineIn(p, 'include');
  if (!Array.isArray(raw)) throw new ComposeError(p.file, line, 'include must be a list');
  return raw.map((e): IncludeEntry => {
    if (typeof e === 'string') return { paths: [e], envFiles: [] };
    if (!isObj(e) || (typeof e.path !== 'string' && !Array.isArray(e.path)))
      throw new ComposeError(p.file, line, 'an include entry needs a path');
    const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    return {
      paths: list(e.path),
      ...(typeof e.project_directory === 'string' ? { projectDirectory: e.project_directory } : {}),
      envFiles: list(e.env_file),
    };
  });
}

function includedEnv(entry: IncludeEntry, dir: string, projectDir: string, ctx: ResolveContext) {
  const files = entry.envFiles.length
    ? entry.envFiles.map((f) => path.resolve(dir, f))
    : [path.join(projectDir, '.env')].filter((f) => existsSync(f));
  let dotenv: Record<string, string> = {};
  for (const f of files) {
    if (!existsSync(f)) throw new ComposeError(f, undefined, 'env file of an include not found');
    dotenv = { ...dotenv, ...parseDotEnv(readFileSync(f, 'utf8')) };
  }
  return { ...dotenv, ...ctx.baseEnv };
}

function applyIncludes(p: ParsedFile, data: Obj, ctx: ResolveContext): Obj {
  if (data.include === undefined) return data;
  const dir = path.dirname(p.file);
  const { include, ...own } = data;
  let imported: Obj = {};
  for (const entry of includeEntries(p, include)) {
    const files = entry.paths.map((f) => path.resolve(dir, f));
    const projectDir = entry.projectDirectory
      ? path.resolve(dir, entry.projectDirectory)
      : path.dirname(files[0]!);
    const env = includedEnv(entry, dir, projectDir, ctx);
    let model: Obj = {};
    for (const f of files) model = mergeValues(model, loadResolved(f, env, ctx)) as Obj;
    // Relative paths in an included model are relative to its project directory, not ours.
    if (isObj(model.services)) model = { ...model, services: rebaseServicePaths(model.services, projectDir) };
    for (const kind of RESOURCES) {
      for (const name of Object.keys(isObj(model[kind]) ? model[kind] : {})) {
        const mine = isObj(own[kind]) && name in own[kind];
        const earlier = isObj(imported[kind]) && name in imported[kind];
        if (mine || earlier)
          throw new ComposeError(
            p.file,
            lineIn(p, `${kind}.${name}`) ?? lineIn(p, 'include'),
            `${kind}.${name} conflicts with the one imported from ${files.join(', ')}`,
          );
      }
      if (isObj(model[kind]))
        imported = { ...imported, [kind]: { ...(imported[kind] as Obj), ...model[kind] } };
    }
  }
  const out: Obj = { ...own };
  for (const kind of RESOURCES)
    if (imported[kind]) out[kind] = { ...(imported[kind] as Obj), ...((own[kind] as Obj) ?? {}) };
  return out;
}

function resolveExtends(
  p: ParsedFile,
  services: Obj,
  env: Record<string, string | undefined>,
  ctx: ResolveContext,
): Obj {
  const out: Obj = {};
  const others = new Map<string, { p: ParsedFile; services: Obj }>();
  const resolveOne = (name: string, chain: string[]): Obj => {
    const cfg = services[name];
    if (!isObj(cfg)) return {};
    if (cfg.extends === undefined) return cfg;
    const line = lineIn(p, `services.${name}.extends`);
    if (chain.includes(name))
      throw new ComposeError(p.file, line, `circular extends: ${[...chain, name].join(' → ')}`);
    const ext = cfg.extends;
    const ref = typeof ext === 'string' ? { service: ext } : isObj(ext) ? ext : {};
    if (typeof ref.service !== 'string')
      throw new ComposeError(p.file, line, `services.${name}.extends needs a service`);
    let base: Obj;
    if (typeof ref.file === 'string') {
      const file = path.resolve(path.dirname(p.file), ref.file);
      if (ctx.stack.includes(file) && file !== p.file)
        throw new ComposeError(p.file, line, `circular extends through ${file}`);
      let other = others.get(file);
      if (!other) {
        const op = file === p.file ? p : readParsed(file, env, ctx, false);
        other = { p: op, services: isObj(op.data.services) ? op.data.services : {} };
        others.set(file, other);
      }
      if (!isObj(other.services[ref.service]))
        throw new ComposeError(p.file, line, `extends: service ${ref.service} not found in ${file}`);
      const resolved =
        other.p === p
          ? resolveOne(ref.service, [...chain, name])
          : resolveExtends(other.p, other.services, env, { ...ctx, stack: [...ctx.stack, p.file] })[
              ref.service
            ];
      // A base from another file keeps its paths relative to that file's directory.
      base = other.p === p ? (resolved as Obj) : rebaseService(resolved as Obj, path.dirname(file));
    } else {
      if (!isObj(services[ref.service]))
        throw new ComposeError(p.file, line, `extends: service ${ref.service} not found`);
      base = resolveOne(ref.service, [...chain, name]);
    }
    const inherited: Obj = { ...base };
    for (const k of [...NOT_INHERITED, 'extends']) delete inherited[k];
    const { extends: _drop, ...local } = cfg;
    return mergeValues(inherited, local) as Obj;
  };
  for (const name of Object.keys(services)) out[name] = resolveOne(name, []);
  return out;
}
