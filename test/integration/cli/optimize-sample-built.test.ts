import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  collect,
  ensureBuiltCli,
  groupGone,
  killGroup,
  spawnBuiltCli,
  writeCliConfig,
} from '../../helpers/cli.js';
import { tempRoot } from '../../helpers/system-tree.js';

/*
 * `sutazai optimize sample` started without a terminal (stdin /dev/null, detached, its own process
 * group) from the compiled CLI: the sampler's timer is unref'd, so once the command held nothing
 * else the process ended with code 0 before its first pass. The tests in optimize.test.ts run
 * through tsx, whose loader keeps the event loop alive and hid that; only `node bin/sutazai.js`
 * shows it.
 */
let configFile: string;

beforeAll(async () => {
  await ensureBuiltCli();
  const dir = tempRoot('sutazai-optimize-built-');
  configFile = writeCliConfig(dir, {
    // Longer than the 10 s timer PGlite's Postgres leaves ref'd after a query: at a 1 s interval
    // that timer alone held the loop and hid the bug; 15 s is the default users run.
    optimizer: { intervalMs: 15_000, containers: false, models: false },
  });
}, 300_000);

// The embedded database's first start (initdb) takes tens of seconds on a loaded machine.
describe('the compiled `sutazai optimize sample` without a terminal', { timeout: 300_000 }, () => {
  it('stays up until its first pass is stored, then exits 0', async () => {
    const child = spawnBuiltCli(['optimize', 'sample', '--passes', '1', '-c', configFile]);
    onTestFinished(() => killGroup(child.pid));
    const r = await collect(child);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/stored \d+ samples/g), `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toHaveLength(1);
    expect(await groupGone(child.pid!, 10_000)).toBe(true);
  });
});
