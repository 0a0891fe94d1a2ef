import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface Captured {
  /** The exit code: what `run` returned, else `process.exitCode`, else 0. */
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `run` in process with stdout and stderr captured (and `process.exitCode` reset before and
 * after), so CLI tests read what a person would see without spawning a process.
 */
export async function captureOutput(run: () => Promise<number | void>): Promise<Captured> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.exitCode = undefined;
  let returned: number | void;
  try {
    returned = await run();
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = typeof returned === 'number' ? returned : Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out, err };
}

/** `sutazai <args>` through the whole CLI, in process. */
export const runMain = (args: string[]): Promise<Captured> =>
  captureOutput(() => main(['node', 'sutazai', ...args]));

/**
 * `sutazai <args> -c configFile` in process, with console.error (which printError uses and vitest
 * intercepts) routed to the captured stderr.
 */
export async function runMainWithConfig(configFile: string, args: string[]): Promise<Captured> {
  const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    process.stderr.write(`${a.join(' ')}\n`);
  });
  try {
    return await runMain([...args, '-c', configFile]);
  } finally {
    spy.mockRestore();
  }
}
