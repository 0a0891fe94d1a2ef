import { Command, CommanderError, Option } from 'commander';
import { stringify } from 'yaml';
import { loadConfig, redactConfig } from '../config/index.js';
import { migrate, openDb } from '../db/index.js';
import { VERSION } from '../version.js';
import { EXIT, printError } from './output.js';
import { runStatus } from './status.js';
import { runUp } from './up.js';

/** Builds the command tree; each action resolves to an exit code stored in `result.code`. */
export function buildProgram(result: { code: number }): Command {
  const program = new Command('sutazai')
    .description('Self-hosted AI agent platform: agents and local LLMs, an MCP gateway, a deployment doctor')
    .version(VERSION)
    .option('-c, --config <file>', 'config file (default: ./sutazai.yaml when present, or SUTAZAI_CONFIG)')
    .showHelpAfterError()
    .exitOverride();
  const configFile = (): { config?: string } => {
    const file = program.opts<{ config?: string }>().config;
    return file ? { config: file } : {};
  };

  program
    .command('up')
    .description('run the platform: API, worker and gateways in one process (Ctrl-C drains and stops)')
    .addOption(
      new Option('--role <role>', 'which parts to run').choices(['all', 'api', 'worker']).default('all'),
    )
    .action(async (opts: { role: 'all' | 'api' | 'worker' }) => {
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

  return program;
}

/** The CLI entry point: returns the process exit code instead of exiting, so it can be tested. */
export async function main(argv: readonly string[]): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv as string[]);
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are "errors" to commander; they have already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return printError(err);
  }
}
