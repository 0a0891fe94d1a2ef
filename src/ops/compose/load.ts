import { guessKind } from '../limits/floors.js';
import { ruleById } from '../rules/catalogue.js';
import { nearestRuleIds } from '../rules/rule-ids.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceLocation } from '../types.js';
import { parseDotEnv } from './interpolate.js';
import { mergeValues } from './merge.js';
import type { ComposeProject, ServiceDecl, ServiceSuppression } from './model.js';
import { ComposeError, type ParsedFile } from './parse-file.js';
import { loadResolved, type ResolveContext } from './resolve.js';
import { stripMarkers } from './tags.js';
import { validateProject } from './validate.js';
import { parseBytes, parseCpus, parsePorts } from './units.js';

export { ComposeError };

export interface ComposeLoadOptions {
  /** `-f` files in order; when empty, compose.yaml / docker-compose.yml in cwd. */
  files?: string[];
  /** `-p`. */
  projectName?: string;
  /** `--profile`; COMPOSE_PROFILES is used when none are given. */
  profiles?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** `--env-file`; default `.env` in the project directory. */
  envFile?: string;
}

const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const VALID_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Compose's rule for a name derived from a directory: lowercase, only [a-z0-9_-], leading alnum. */
export function normalizeProjectName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** The compose files to read, or [] when none were given and none exist in cwd. */
export function resolveComposeFiles(files: string[] | undefined, cwd: string): string[] {
  if (files?.length) return files.map((f) => path.resolve(cwd, f));
  const found = DEFAULT_FILES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  return found ? [found] : [];
}

function readEnv(opts: ComposeLoadOptions, workingDir: string): Record<string, string | undefined> {
  const envFile = opts.envFile
    ? path.resolve(opts.cwd ?? process.cwd(), opts.envFile)
    : path.join(workingDir, '.env');
  let dotenv: Record<string, string> = {};
  if (existsSync(envFile)) dotenv = parseDotEnv(readFileSync(envFile, 'utf8'));
  else if (opts.envFile) throw new ComposeError(envFile, undefined, 'env file not found');
  // The process environment wins over .env, as in compose.
  return { ...dotenv, ...(opts.env ?? process.env) };
}

function projectNameOf(
  opts: ComposeLoadOptions,
  env: Record<string, string | undefined>,
  top: unknown,
  dir: string,
): string {
  const explicit =
    opts.projectName ?? env.COMPOSE_PROJECT_NAME ?? (typeof top === 'string' ? top : undefined);
  if (explicit !== undefined && explicit !== '') {
    if (!VALID_NAME.test(explicit))
      throw new ComposeError(
        dir,
        undefined,
        `invalid project name "${explicit}": use lowercase letters, digits, - and _`,
      );
    return explicit;
  }
  const derived = normalizeProjectName(path.basename(dir));
  if (!derived)
    throw new ComposeError(dir, undefined, 'cannot derive a project name from the directory; pass -p');
  return derived;
}

/** Reads, interpolates and merges the compose files in order into one project. */
export function loadComposeProject(opts: ComposeLoadOptions = {}): ComposeProject {
  const cwd = opts.cwd ?? process.cwd();
  const files = resolveComposeFiles(opts.files, cwd);
  if (files.length === 0) throw new ComposeError(cwd, undefined, 'no compose file given and none found');
  const workingDir = path.dirname(files[0]!);
  const env = readEnv(opts, workingDir);
  const ctx: ResolveContext = { baseEnv: opts.env ?? process.env, parsed: [], stack: [] };
  let merged: Record<string, unknown> = {};
  for (const file of files)
    merged = mergeValues(merged, loadResolved(file, env, ctx)) as Record<string, unknown>;
  merged = stripMarkers(merged) as Record<string, unknown>;
  const parsed = ctx.parsed;
  const name = projectNameOf(opts, env, merged.name, workingDir);
  const profiles = opts.profiles?.length
    ? opts.profiles
    : (env.COMPOSE_PROFILES ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  const services = Object.entries((merged.services as Record<string, unknown>) ?? {}).map(([svc, cfg]) =>
    buildService(svc, (cfg ?? {}) as Record<string, unknown>, parsed, profiles),
  );
  validateProject(services);
  // Included files are part of the project: findings point into them and backups copy them.
  const all = [...new Set(parsed.map((p) => p.file))];
  return { name, workingDir, files: all, activeProfiles: profiles, services };
}

function locate(parsed: ParsedFile[], dotted: string): SourceLocation | undefined {
  for (let i = parsed.length - 1; i >= 0; i--) {
    const loc = parsed[i]!.lines.get(dotted);
    if (loc) return loc;
  }
  return undefined;
}

function kindOf(svc: string, cfg: Record<string, unknown>, x: Record<string, unknown>): string {
  if (typeof x.kind === 'string') return x.kind;
  return guessKind(svc, typeof cfg.image === 'string' ? cfg.image : '');
}

function suppressionsOf(x: Record<string, unknown>, loc: SourceLocation | undefined): ServiceSuppression[] {
  const list = Array.isArray(x.suppress) ? x.suppress : [];
  return list.flatMap((s): ServiceSuppression[] => {
    const o = (s ?? {}) as Record<string, unknown>;
    if (typeof o.rule !== 'string') return [];
    if (typeof o.reason !== 'string' || !o.reason.trim())
      throw new ComposeError(loc?.file ?? '?', loc?.line, `x-sutazai.suppress for ${o.rule} needs a reason`);
    if (o.rule !== '*' && !ruleById(o.rule))
      throw new ComposeError(
        loc?.file ?? '?',
        loc?.line,
        `x-sutazai.suppress names unknown rule ${o.rule}; nearest known: ${nearestRuleIds(o.rule).join(', ')}`,
      );
    return [{ rule: o.rule, reason: o.reason, ...(loc ? { location: loc } : {}) }];
  });
}

function buildService(
  svc: string,
  cfg: Record<string, unknown>,
  parsed: ParsedFile[],
  activeProfiles: string[],
): ServiceDecl {
  const prefix = `services.${svc}`;
  const keyLocations: Record<string, SourceLocation> = {};
  for (const p of parsed)
    for (const [k, loc] of p.lines)
      if (k.startsWith(`${prefix}.`)) keyLocations[k.slice(prefix.length + 1)] = loc;
  const deploy = (cfg.deploy ?? {}) as Record<string, unknown>;
  const limits = (((deploy.resources ?? {}) as Record<string, unknown>).limits ?? {}) as Record<
    string,
    unknown
  >;
  const replicas = Number(deploy.replicas ?? cfg.scale ?? 1);
  const profiles = Array.isArray(cfg.profiles) ? cfg.profiles.map(String) : [];
  // `--profile '*'` (or COMPOSE_PROFILES=*) enables every profile, as docker compose does.
  const inProfile =
    profiles.length === 0 || activeProfiles.includes('*') || profiles.some((p) => activeProfiles.includes(p));
  const x = (cfg['x-sutazai'] ?? {}) as Record<string, unknown>;
  const location = locate(parsed, prefix);
  const memoryLimit = parseBytes(limits.memory ?? cfg.mem_limit);
  const cpuLimit = parseCpus(limits.cpus ?? cfg.cpus);
  return {
    name: svc,
    config: cfg,
    active: inProfile && replicas > 0,
    replicas,
    profiles,
    ...(location ? { location } : {}),
    keyLocations,
    ports: parsePorts(cfg.ports),
    ...(memoryLimit !== undefined ? { memoryLimit } : {}),
    ...(cpuLimit !== undefined ? { cpuLimit } : {}),
    ...(typeof cfg.network_mode === 'string' ? { networkMode: cfg.network_mode } : {}),
    kind: kindOf(svc, cfg, x),
    suppressions: suppressionsOf(x, locate(parsed, `${prefix}.x-sutazai`) ?? location),
  };
}
