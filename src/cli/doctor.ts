import { Command, Option } from 'commander';
import { readLocalCredential } from '../auth/index.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import {
  assertKnownRules,
  doctorDeps,
  applyFix,
  auditOptions,
  exitCodeFor,
  explainRule,
  listBackups,
  partialReasons,
  planFix,
  previewComposeDiffs,
  renderFixPlan,
  renderTable,
  rollbackBackup,
  runAudit,
  startDoctorWatch,
  toSarif,
  useColor,
  type AuditDeps,
  type AuditRequest,
  type Severity,
} from '../ops/index.js';

/**
 * `sutazai doctor` — thin: parse flags, call src/ops, print, set process.exitCode
 * (0 clean, 1 a finding at or above --fail-on, 2 could not run or saw only part).
 */
const collect = (value: string, prev: string[] = []) => [...prev, ...value.split(',').filter(Boolean)];

function out(text: string): void {
  process.stdout.write(text);
}

function fail(message: string): void {
  process.stderr.write(`sutazai doctor: ${message}\n`);
  process.exitCode = 2;
}

/** Anything thrown means the doctor could not run: exit 2 with the reason. */
function guard<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
  };
}

interface CommonFlags {
  file?: string[];
  projectName?: string;
  profile?: string[];
  envFile?: string;
  registry?: string;
  nameFilter?: string;
  only?: string[];
  skip?: string[];
  without?: string[];
  config?: string;
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('-f, --file <file>', 'compose file (repeat to merge in order)', collect)
    .option('-p, --project-name <name>', 'compose project name')
    .option('--profile <name>', 'active compose profile (repeatable)', collect)
    .option('--env-file <file>', 'variables for interpolation (default: .env beside the first compose file)')
    .option('--registry <file>', 'port registry file (see docs/doctor.md)')
    .option('--name-filter <regexp>', 'only containers whose name matches')
    .option('--only <rules>', 'only these rule ids (comma-separated)', collect)
    .option('--skip <rules>', 'skip these rule ids (comma-separated)', collect)
    .option(
      '--without <sources>',
      'leave out sources: docker,compose,registry,listeners,processes,platform',
      collect,
    )
    .option('-c, --config <file>', 'sutazai.yaml to read');
}

/** Without SUTAZAI_API_KEY, the platform source reads the data dir's local credential. */
function withLocalCredential(deps: AuditDeps, dataDir: string): AuditDeps {
  const platform = deps.platform;
  if (!platform || platform.kind === 'in-process' || platform.apiKey) return deps;
  return { ...deps, platform: { ...platform, localCredential: () => readLocalCredential(dataDir) } };
}

const COMMON_KEYS = [
  'file',
  'projectName',
  'profile',
  'envFile',
  'registry',
  'nameFilter',
  'only',
  'skip',
  'without',
  'config',
] as const;

/**
 * The flags a subcommand acts on. `doctor` parses options positionally, so `doctor fix -f X`
 * gives `-f` to `fix`; shared flags written before the subcommand (`doctor -f X fix`) and the
 * root's `-c` (commander gives it to `sutazai` wherever it appears) still count, the nearest
 * command winning. Without this, a subcommand silently ran on defaults.
 */
function flagsOf<T extends object>(cmd: Command): T {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  for (const c of chain.slice(0, -1)) {
    const o = c.opts<Record<string, unknown>>();
    for (const k of COMMON_KEYS) if (o[k] !== undefined) merged[k] = o[k];
  }
  const own = cmd.opts<Record<string, unknown>>();
  for (const [k, v] of Object.entries(own)) if (v !== undefined) merged[k] = v;
  return merged as T;
}

function setup(flags: CommonFlags): { config: Config; deps: AuditDeps; req: AuditRequest } {
  const { config } = loadConfig(flags.config ? { file: flags.config } : {});
  const deps = withLocalCredential(doctorDeps(config), config.dataDir);
  const req: AuditRequest = {
    ...(flags.file ? { files: flags.file } : {}),
    ...(flags.projectName ? { projectName: flags.projectName } : {}),
    ...(flags.profile ? { profiles: flags.profile } : {}),
    ...(flags.envFile ? { envFile: flags.envFile } : {}),
    ...(flags.registry ? { registryFile: flags.registry } : {}),
    ...(flags.nameFilter ? { nameFilter: flags.nameFilter } : {}),
    ...(flags.only ? { only: flags.only } : {}),
    ...(flags.skip ? { skip: flags.skip } : {}),
    ...(flags.without ? { without: flags.without } : {}),
  };
  // Validates the request (unknown rule ids exit 2) before anything runs, the watch included.
  auditOptions(deps, req);
  return { config, deps, req };
}

async function auditAction(
  flags: CommonFlags & { format: string; failOn?: Severity; explain?: string },
): Promise<void> {
  if (flags.explain) {
    assertKnownRules([flags.explain], '--explain');
    out(explainRule(flags.explain)!);
    return;
  }
  const { config, deps, req } = setup(flags);
  const { report } = await runAudit(auditOptions(deps, req));
  if (flags.format === 'json') out(`${JSON.stringify(report, null, 2)}\n`);
  else if (flags.format === 'sarif') out(`${JSON.stringify(toSarif(report), null, 2)}\n`);
  else out(renderTable(report, { color: useColor(process.env, process.stdout.isTTY === true) }));
  for (const reason of partialReasons(report)) process.stderr.write(`partial view: ${reason}\n`);
  process.exitCode = exitCodeFor(report, flags.failOn ?? config.doctor.failOn);
}

async function fixAction(
  flags: CommonFlags & { apply?: boolean; format: string; verifyMs?: string; removeVolume?: string[] },
): Promise<void> {
  const { config, deps, req } = setup(flags);
  const { report, snapshot, state } = await runAudit({ ...auditOptions(deps, req), stats: 'all' });
  if (report.partial) {
    for (const reason of partialReasons(report)) process.stderr.write(`partial view: ${reason}\n`);
    return fail('refusing to plan fixes from a partial view');
  }
  const plan = planFix(report, snapshot, state, config.doctor, {
    ...(flags.removeVolume ? { removeVolumes: flags.removeVolume } : {}),
    ...(req.nameFilter ? { nameFilter: req.nameFilter } : {}),
  });
  if (!flags.apply) {
    const composeDiffs = await previewComposeDiffs(plan, snapshot);
    out(
      flags.format === 'json'
        ? `${JSON.stringify({ ...plan, composeDiffs }, null, 2)}\n`
        : renderFixPlan(plan, composeDiffs),
    );
    process.exitCode = 0;
    return;
  }
  const verify = flags.verifyMs
    ? { ...config.doctor.verify, windowMs: Number(flags.verifyMs) }
    : config.doctor.verify;
  const result = await applyFix(plan, snapshot, {
    docker: deps.docker!,
    dataDir: config.dataDir,
    verify,
    volumeBackupMaxBytes: config.doctor.volumeBackupMaxBytes,
  });
  out(
    flags.format === 'json'
      ? `${JSON.stringify(result, null, 2)}\n`
      : `${result.summary}\nbackup: ${result.backupDir}\n`,
  );
  process.exitCode = result.outcome === 'rolled-back' || result.outcome === 'incomplete' ? 1 : 0;
}

export function doctorCommand(): Command {
  const doctor = withCommon(new Command('doctor'))
    .enablePositionalOptions()
    .description('audit a Docker/Compose deployment against what it declares')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json', 'sarif']).default('table'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 at or above this severity').choices([
        'critical',
        'high',
        'medium',
        'low',
        'info',
      ]),
    )
    .option('--explain <rule>', 'describe a rule and exit')
    .action(guard((_flags, cmd: Command) => auditAction(flagsOf(cmd))));

  doctor.addCommand(
    withCommon(new Command('fix'))
      .description(
        'plan fixes for the findings; --apply backs up, applies, verifies and rolls back on failure',
      )
      .option('--apply', 'act on the plan')
      .option('--verify-ms <ms>', 'verification window')
      .option(
        '--remove-volume <name>',
        'also delete this dangling named volume (repeatable; named volumes are kept otherwise)',
        collect,
      )
      .addOption(new Option('--format <format>').choices(['table', 'json']).default('table'))
      .action(guard((_flags, cmd: Command) => fixAction(flagsOf(cmd)))),
  );

  doctor.addCommand(
    new Command('rollback')
      .description('restore a backup (default: the newest)')
      .argument('[backup]', 'backup id (directory name) or path')
      .option('-c, --config <file>', 'sutazai.yaml to read')
      .action(
        guard(async (backup: string | undefined, _flags: unknown, cmd: Command) => {
          const { config, deps } = setup(flagsOf(cmd));
          const result = await rollbackBackup({
            docker: deps.docker!,
            dataDir: config.dataDir,
            ...(backup ? { backup } : {}),
          });
          out(`${result.summary}\n`);
          for (const line of result.notRestored) out(`not restored: ${line}\n`);
          process.exitCode = result.ok ? 0 : 1;
        }),
      ),
  );

  doctor.addCommand(
    new Command('backups')
      .description('list fix backups')
      .option('-c, --config <file>', 'sutazai.yaml to read')
      .action(
        guard(async (_flags: unknown, cmd: Command) => {
          const flags = flagsOf<{ config?: string }>(cmd);
          const { config } = loadConfig(flags.config ? { file: flags.config } : {});
          for (const b of await listBackups(config.dataDir))
            out(`${b.id}  ${b.outcome ?? '?'}  ${b.actions} action(s)  ${b.dir}\n`);
        }),
      ),
  );

  doctor.addCommand(
    withCommon(new Command('watch'))
      .description('follow Docker events, re-audit on an interval, post alerts to webhooks')
      .option('--interval-ms <ms>', 're-evaluation interval')
      .action(
        guard(async (_flags: unknown, cmd: Command) => {
          const flags = flagsOf<CommonFlags & { intervalMs?: string }>(cmd);
          const { config, deps, req } = setup(flags);
          const watch = startDoctorWatch({
            deps,
            request: req,
            config: config.doctor,
            ...(flags.intervalMs ? { intervalMs: Number(flags.intervalMs) } : {}),
            onEvent: (e) => out(`${JSON.stringify(e)}\n`),
          });
          await new Promise<void>((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
          await watch.stop();
        }),
      ),
  );
  return doctor;
}
