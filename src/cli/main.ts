import { Command, CommanderError, Option } from 'commander';
import { stringify } from 'yaml';
import { loadConfig, redactConfig } from '../config/index.js';
import { migrate, openDb } from '../db/index.js';
import { VERSION } from '../version.js';
import { backupCommand } from './backup.js';
import { doctorCommand } from './doctor.js';
import { optimizeCommand } from './optimize.js';
import { EXIT, printError } from './output.js';
import { runStatus } from './status.js';
import { runUp } from './up.js';
import type { Role } from '../app.js';

/** Builds the command tree; each action resolves to an exit code stored in `result.code`. */
export function buildProgram(result: { code: number }): Command {
  const program = new Command('sutazai')
    .description('Self-hosted AI agent platform: agents and local LLMs, an MCP gateway, a deployment doctor')
    .version(VERSION)
    .option('-c, --config <file>', 'config file (default: ./sutazai.yaml when present, or SUTAZAI_CONFIG)')
    .showHelpAfterError()
    // Positional: options after a subcommand belong to it, so `doctor fix -f X` reaches `fix`
    // (doctor and its subcommands share flag names). `-c` is added to every subcommand below.
    .enablePositionalOptions()
    .exitOverride();
  let actionConfig: string | undefined;
  program.hook('preAction', (_root, action) => {
    actionConfig = action.opts<{ config?: string }>().config;
  });
  const configFile = (): { config?: string } => {
    const file = actionConfig ?? program.opts<{ config?: string }>().config;
    return file ? { config: file } : {};
  };

  program
    .command('up')
    .description('run the platform: API, worker and gateways in one process (Ctrl-C drains and stops)')
    .addOption(
      new Option('--role <role>', 'which parts to run (docs/operations.md)')
        .choices(['all', 'api', 'worker', 'gateway'])
        .default('all'),
    )
    .action(async (opts: { role: Role }) => {
      result.code = await runUp({ ...configFile(), role: opts.role });
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit (safe to run from several processes)')
    .action(async () => {
      const { config } = loadConfig(configFile().config ? { file: configFile().config } : {});
      const db = await openDb({
        ...(config.database.url ? { url: config.database.url } : {}),
        dataDir: config.dataDir,
      });
      try {
        const { applied, alreadyApplied } = await migrate(db);
        console.log(
          applied.length ? `applied: ${applied.join(', ')}` : `up to date (${alreadyApplied} migrations)`,
        );
      } finally {
        await db.close();
      }
    });

  program
    .command('status')
    .description('show what runs and whether it is healthy (exit 1 when not ready or unreachable)')
    .option('--url <url>', 'base URL of the instance (default: from config)')
    .option('--json', 'print the health report as JSON', false)
    .action(async (opts: { url?: string; json: boolean }) => {
      result.code = await runStatus({ ...configFile(), ...opts });
    });

  const configCmd = program.command('config').description('inspect configuration');
  configCmd
    .command('print')
    .description('print the effective configuration (file + environment + defaults), secrets redacted')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((opts: { format: 'yaml' | 'json' }) => {
      const { config } = loadConfig(configFile().config ? { file: configFile().config } : {});
      const redacted = redactConfig(config);
      console.log(opts.format === 'json' ? JSON.stringify(redacted, null, 2) : stringify(redacted).trimEnd());
    });

  program.addCommand(backupCommand(configFile));

  // `sutazai up -c x` as well as `sutazai -c x up` (doctor defines its own -c and reads the root's).
  for (const cmd of program.commands.flatMap((c) => (c.commands.length ? c.commands : [c])))
    cmd.option('-c, --config <file>', 'config file (same as sutazai -c)');
  program.addCommand(doctorCommand());
  program.addCommand(optimizeCommand(result));

  return program;
}

/** The CLI entry point: returns the process exit code instead of exiting, so it can be tested. */
export async function main(argv: readonly string[]): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv as string[]);
    // Commands that set process.exitCode themselves (doctor) keep their code.
    return result.code !== EXIT.ok ? result.code : Number(process.exitCode ?? EXIT.ok);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are "errors" to commander; they have already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return printError(err);
  }
}
