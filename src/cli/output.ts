import { isSutazaiError } from '../errors.js';

/** Exit codes shared by every command (docs/cli.md). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Prints an error for a person: the catalogue code and message, field details; never a stack.
 * Exit 2 when the person must change how the command is run (config, a data dir held by another
 * process); 1 for failures.
 */
export function printError(err: unknown): number {
  if (isSutazaiError(err)) {
    console.error(`error ${err.code}: ${err.message}`);
    if (Array.isArray(err.details)) {
      for (const d of err.details as Array<Record<string, unknown>>) {
        const where = [d.path, d.source].filter(Boolean).join(' from ');
        console.error(`  - ${where}: ${String(d.message ?? '')}`);
      }
    }
    return err.code.startsWith('SUTAZAI_ERR_CONFIG_') || err.code === 'SUTAZAI_ERR_DB_DATA_DIR_LOCKED'
      ? EXIT.usage
      : EXIT.failure;
  }
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  return EXIT.failure;
}
