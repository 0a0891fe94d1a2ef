import { Command, InvalidArgumentError } from 'commander';
import {
  BackupService,
  backupsDirOf,
  configSourcesOf,
  restoreEmbedded,
  restorePostgres,
  summarize,
  type RestoreReport,
} from '../backup/index.js';
import { loadConfig, type Config } from '../config/index.js';
import { openDb } from '../db/index.js';

/**
 * `sutazai backup create|list|verify|restore|prune` — thin: load config, call src/backup, print.
 * Commands that open the database (create) take the embedded data dir's lock like `up` does: while
 * the platform runs, back up through POST /api/v1/backups or the schedule (docs/backup.md).
 */
export function backupCommand(configFile: () => { config?: string }): Command {
  const load = () => loadConfig(configFile().config ? { file: configFile().config } : {});
  const print = (json: boolean, value: unknown, text: () => string) =>
    console.log(json ? JSON.stringify(value, null, 2) : text());
  const cmd = new Command('backup').description('back up, verify and restore the database and config files');

  cmd
    .command('create')
    .description(
      'write a backup (database snapshot + sutazai.yaml, .mcp.json, agents/) with a manifest of checksums',
    )
    .option('--json', 'print the manifest summary as JSON', false)
    .action(async (opts: { json: boolean }) => {
      const { config, file } = load();
      await withService(config, file, async (service) => {
        const m = summarize(await service.create());
        print(
          opts.json,
          m,
          () =>
            `created ${m.id} (${m.bytes} bytes, ${m.tables.reduce((n, t) => n + t.rows, 0)} rows, ${m.files} files) in ${service.backupsDir}`,
        );
      });
    });

  cmd
    .command('list')
    .description('list complete backups, newest first')
    .option('--json', 'print JSON', false)
    .action((opts: { json: boolean }) => {
      const { config, file } = load();
      const list = offline(config, file).list().map(summarize);
      print(opts.json, { backups: list }, () =>
        list.length
          ? list.map((b) => `${b.id}  ${b.engine.padEnd(8)}  ${b.bytes} bytes  v${b.version}`).join('\n')
          : 'no backups',
      );
    });

  cmd
    .command('verify')
    .description('check checksums and restore into a scratch embedded database, comparing every table')
    .argument('<id>', 'backup id (see backup list)')
    .option('--json', 'print JSON', false)
    .action(async (id: string, opts: { json: boolean }) => {
      const { config, file } = load();
      const r = await offline(config, file).verify(id);
      print(
        opts.json,
        r,
        () =>
          `ok ${r.id}: ${r.tables.length} tables, ${r.tables.reduce((n, t) => n + t.rows, 0)} rows and ${r.files} files match the manifest`,
      );
    });

  cmd
    .command('restore')
    .description('restore a backup while the platform is stopped; the replaced data is kept beside it')
    .argument('<id>', 'backup id (see backup list)')
    .option('--into <url>', 'restore into this PostgreSQL instead (moves an embedded install to PostgreSQL)')
    .option(
      '--config-files',
      'also write sutazai.yaml, .mcp.json and agents/ back (current files kept aside)',
      false,
    )
    .option('--json', 'print JSON', false)
    .action(async (id: string, opts: { into?: string; configFiles: boolean; json: boolean }) => {
      const { config } = load();
      const base = { backupsDir: backupsDirOf(config), id, configFiles: opts.configFiles };
      const url = opts.into ?? config.database.url;
      const r = url
        ? await restorePostgres({ ...base, url })
        : await restoreEmbedded({ ...base, dataDir: config.dataDir });
      print(opts.json, r, () => describeRestore(r));
    });

  cmd
    .command('prune')
    .description('delete all but the newest backups')
    .option('--retain <n>', 'how many to keep (default: backup.retain)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
      return n;
    })
    .option('--json', 'print JSON', false)
    .action((opts: { retain?: number; json: boolean }) => {
      const { config, file } = load();
      const removed = offline(config, file).prune(opts.retain ?? config.backup.retain);
      print(opts.json, { removed }, () =>
        removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove',
      );
    });
  return cmd;
}

function describeRestore(r: RestoreReport): string {
  const rows = r.tables.reduce((n, t) => n + t.rows, 0);
  const lines = [
    `restored ${r.id} into ${r.target === 'embedded' ? 'the embedded database' : 'PostgreSQL'}: ${r.tables.length} tables, ${rows} rows`,
  ];
  if (r.previous) lines.push(`the replaced data is kept as ${r.previous}`);
  for (const f of r.configFiles) lines.push(`wrote ${f}`);
  return lines.join('\n');
}

/** Commands that never open the platform's database (list, verify, prune). */
function offline(config: Config, file: string | undefined): BackupService {
  return new BackupService({ backupsDir: backupsDirOf(config), config: configSourcesOf(config, file) });
}

async function withService(
  config: Config,
  file: string | undefined,
  fn: (s: BackupService) => Promise<void>,
): Promise<void> {
  const db = await openDb({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: config.dataDir,
    command: 'sutazai backup create',
  });
  try {
    await fn(
      new BackupService({
        db,
        backupsDir: backupsDirOf(config),
        config: configSourcesOf(config, file),
        ...(config.database.url ? { pgDumpUrl: config.database.url } : {}),
      }),
    );
  } finally {
    await db.close();
  }
}
