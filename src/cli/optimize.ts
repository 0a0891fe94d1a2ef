import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { migrate, openDb, type Db } from '../db/index.js';
import { createLogger } from '../log.js';
import { logDestination } from '../log-pretty.js';
import { doctorDeps } from '../ops/index.js';
import {
  applyChanges,
  autoStatus,
  buildPlan,
  listSeries,
  optimizerCollector,
  optimizerPlanDeps,
  PLAN_MODES,
  publicPlan,
  renderPlan,
  rollbackChanges,
  type PlanMode,
  parseStep,
  parseTime,
  placementReport,
  renderBacktest,
  renderPlacement,
  renderForecast,
  renderHistory,
  renderSeriesList,
  seriesBacktest,
  seriesForecast,
  seriesHistory,
  setAutoSwitch,
  startResourceSampler,
  type AutoStatus,
} from '../optimizer/index.js';
import { EXIT, printError } from './output.js';

/**
 * `sutazai optimize` — thin: parse flags, open the platform database, call src/optimizer, print.
 * With the embedded database these commands need the data dir, so they run while `sutazai up`
 * is stopped (or against database.url, which any number of processes share).
 */
interface Common {
  config?: string;
  json?: boolean;
}

function configOf(cmd: Command): Config {
  const file = cmd.optsWithGlobals<Common>().config;
  return loadConfig(file ? { file } : {}).config;
}

async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: config.dataDir,
  });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

function action<A extends unknown[]>(result: { code: number }, fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      result.code = printError(err);
    }
  };
}

function usage(result: { code: number }, message: string): void {
  process.stderr.write(`sutazai optimize: ${message}\n`);
  result.code = EXIT.usage;
}

const print = (json: boolean | undefined, value: unknown, text: string) =>
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text);

export function optimizeCommand(result: { code: number }): Command {
  const cmd = new Command('optimize').description(
    'resource history, forecasts and backtests of containers, MCP servers, models and the host',
  );
  const sub = (name: string) =>
    cmd.command(name).option('-c, --config <file>', 'config file (same as sutazai -c)');

  sub('sample')
    .description('run the resource sampler alone (Ctrl-C stops); `sutazai up` runs it too')
    .option('--passes <n>', 'stop after this many stored passes')
    .action(
      action(result, async (opts: { passes?: string }, self: Command) => {
        const passes = opts.passes === undefined ? Infinity : Number(opts.passes);
        if (!(passes >= 1)) return usage(result, '--passes must be a positive integer');
        await runSample(configOf(self), passes);
      }),
    );

  sub('list')
    .description('the recorded series and their latest values')
    .option('--json', 'print JSON')
    .action(
      action(result, async (opts: Common, self: Command) => {
        const series = await withDb(configOf(self), (db) => listSeries(db));
        print(opts.json, { series }, renderSeriesList(series));
      }),
    );

  sub('history')
    .description('min, mean, p95 and max per step of one series (default: the last hour at 60 s)')
    .argument('<series>', 'series name, e.g. container:memory_bytes:redis (see `optimize list`)')
    .option('--from <time>', 'ISO 8601 or unix seconds')
    .option('--to <time>', 'ISO 8601 or unix seconds')
    .option('--step <step>', 'seconds, or 30s, 5m, 1h, 1d')
    .option('--json', 'print JSON')
    .action(
      action(
        result,
        async (name: string, opts: Common & { from?: string; to?: string; step?: string }, self: Command) => {
          const from = opts.from === undefined ? undefined : parseTime(opts.from);
          const to = opts.to === undefined ? undefined : parseTime(opts.to);
          const step = opts.step === undefined ? undefined : parseStep(opts.step);
          if (opts.from && from === undefined) return usage(result, '--from: ISO 8601 time or unix seconds');
          if (opts.to && to === undefined) return usage(result, '--to: ISO 8601 time or unix seconds');
          if (opts.step && step === undefined) return usage(result, '--step: seconds, or 30s, 5m, 1h, 1d');
          const h = await withDb(configOf(self), (db) =>
            seriesHistory(db, name, {
              ...(from !== undefined ? { from } : {}),
              ...(to !== undefined ? { to } : {}),
              ...(step !== undefined ? { step } : {}),
            }),
          );
          print(opts.json, h, renderHistory(h));
        },
      ),
    );

  sub('placement')
    .description('per-core load, CPU placement findings and suggested cpusets (default window: 24 h)')
    .option('--window <step>', 'history to judge: seconds, or 30m, 6h, 7d (at most 30d)')
    .option('--json', 'print JSON')
    .action(
      action(result, async (opts: Common & { window?: string }, self: Command) => {
        const seconds = opts.window === undefined ? undefined : parseStep(opts.window);
        if (opts.window && (seconds === undefined || seconds > 30 * 86_400))
          return usage(result, '--window: seconds, or 30m, 6h, 7d (at most 30d)');
        const config = configOf(self);
        const { docker } = doctorDeps(config);
        const report = await withDb(config, (db) =>
          placementReport(
            { db, config: config.optimizer, ...(docker ? { docker } : {}) },
            seconds ? { windowMs: seconds * 1000 } : {},
          ),
        );
        print(opts.json, report, renderPlacement(report));
      }),
    );

  sub('forecast')
    .description('trend, prediction interval and time to exhaustion (memory series when none is named)')
    .argument('[series...]', 'series names')
    .option('--json', 'print JSON')
    .action(
      action(result, async (names: string[], opts: Common, self: Command) => {
        const config = configOf(self);
        const out = await withDb(config, async (db) => {
          const targets = names.length ? names : await usageSeries(db);
          const list = [];
          for (const n of targets) list.push(await seriesForecast(db, n, config.optimizer.forecast));
          return list;
        });
        print(
          opts.json,
          { forecasts: out },
          out.map(renderForecast).join('') || 'no memory or disk series recorded yet\n',
        );
      }),
    );

  sub('backtest')
    .description('replay recorded history: forecast error (MAPE) and prediction-interval coverage')
    .argument('[series...]', 'series names (default: every memory and disk series)')
    .option('--horizon <step>', 'forecast horizon (default: optimizer.forecast.horizonMs)')
    .option('--window <step>', 'fit window (default: optimizer.forecast.windowMs)')
    .option('--min-history <step>', 'least history per forecast (default: optimizer.forecast.minHistoryMs)')
    .option('--every <step>', 'time between forecast origins', '15m')
    .option('--json', 'print JSON')
    .action(
      action(
        result,
        async (
          names: string[],
          opts: Common & { horizon?: string; window?: string; minHistory?: string; every: string },
          self: Command,
        ) => {
          const config = configOf(self);
          const ms = (flag: string, v: string | undefined, dflt: number) => {
            if (v === undefined) return dflt;
            const s = parseStep(v);
            if (s === undefined) throw new Error(`${flag}: seconds, or 30s, 5m, 1h, 1d`);
            return s * 1000;
          };
          const fc = config.optimizer.forecast;
          const forecast = {
            ...fc,
            horizonMs: ms('--horizon', opts.horizon, fc.horizonMs),
            windowMs: ms('--window', opts.window, fc.windowMs),
            minHistoryMs: ms('--min-history', opts.minHistory, fc.minHistoryMs),
          };
          const stepMs = ms('--every', opts.every, 900_000);
          const out = await withDb(config, async (db) => {
            const targets = names.length ? names : await usageSeries(db);
            const list = [];
            for (const n of targets) list.push(await seriesBacktest(db, n, forecast, { stepMs }));
            return list;
          });
          print(opts.json, { backtests: out }, renderBacktest(out));
        },
      ),
    );
  planCommands(sub, result);
  return cmd;
}

function planCommands(sub: (name: string) => Command, result: { code: number }): void {
  const planDeps = (config: Config, db: Db) => {
    const docker = doctorDeps(config).docker;
    return optimizerPlanDeps(config, { db, ...(docker ? { docker } : {}) });
  };
  const modeOf = (m: string | undefined): PlanMode | undefined =>
    (PLAN_MODES as readonly string[]).includes(m ?? 'rightsize')
      ? ((m ?? 'rightsize') as PlanMode)
      : undefined;

  sub('plan')
    .description('right-sizing changes with their evidence (window, samples, peak, p95, trend)')
    .option('--mode <mode>', 'rightsize, or step (the 30/85 policy: 25 % steps, once a day)', 'rightsize')
    .option('--json', 'print JSON (the shape of GET /api/v1/optimizer/plan)')
    .action(
      action(result, async (opts: Common & { mode: string }, self: Command) => {
        const mode = modeOf(opts.mode);
        if (!mode) return usage(result, '--mode: rightsize or step');
        const config = configOf(self);
        const plan = await withDb(config, async (db) =>
          publicPlan(await buildPlan(planDeps(config, db), mode)),
        );
        print(opts.json, plan, renderPlan(plan));
      }),
    );

  sub('apply')
    .description(
      'apply changes of the current plan: backup, live update + file edits, verification, rollback on failure',
    )
    .argument('<ids...>', 'change ids from `optimize plan`')
    .option('--mode <mode>', 'the plan the ids come from: rightsize or step', 'rightsize')
    .option('--verify-ms <ms>', 'verification window (default doctor.verify.windowMs)')
    .option('--yes', 'confirm: this changes running services')
    .option('--json', 'print JSON')
    .action(
      action(
        result,
        async (
          ids: string[],
          opts: Common & { mode: string; verifyMs?: string; yes?: boolean },
          self: Command,
        ) => {
          const mode = modeOf(opts.mode);
          if (!mode) return usage(result, '--mode: rightsize or step');
          if (!opts.yes) return usage(result, 'apply changes running services: add --yes to confirm');
          const verifyMs = opts.verifyMs === undefined ? undefined : Number(opts.verifyMs);
          if (verifyMs !== undefined && !(Number.isInteger(verifyMs) && verifyMs > 0))
            return usage(result, '--verify-ms must be a positive integer');
          const config = configOf(self);
          const out = await withDb(config, (db) =>
            applyChanges(planDeps(config, db), {
              ids,
              mode,
              ...(verifyMs ? { verifyWindowMs: verifyMs } : {}),
            }),
          );
          const text = [
            `applied: ${out.applied.join(', ') || 'nothing'}`,
            `backup: ${out.backupId ?? 'none'}${out.rolledBack ? ' (rolled back)' : ''}`,
            ...out.verification.details.map((d) => `  ${d}`),
          ];
          print(opts.json, out, `${text.join('\n')}\n`);
          if (!out.verification.ok) result.code = EXIT.failure;
        },
      ),
    );

  sub('auto')
    .description('auto mode: `off` pauses it at its next tick in every process (no restart), `on` resumes')
    .argument('<state>', 'on, off or status')
    .option('--json', 'print JSON')
    .action(
      action(result, async (state: string, opts: Common, self: Command) => {
        if (!['on', 'off', 'status'].includes(state)) return usage(result, 'auto: on, off or status');
        const config = configOf(self);
        const status = await withDb(config, async (db) => {
          if (state !== 'status') await setAutoSwitch(db, state === 'on', Date.now());
          return autoStatus(db, config.optimizer);
        });
        print(opts.json, status, renderAutoStatus(status));
      }),
    );

  sub('rollback')
    .description('restore the files and containers an apply changed, from its backup')
    .argument('<backupId>', 'the backup id apply printed')
    .option('--json', 'print JSON')
    .action(
      action(result, async (backupId: string, opts: Common, self: Command) => {
        const config = configOf(self);
        const docker = doctorDeps(config).docker;
        const out = await rollbackChanges(
          { dataDir: config.dataDir, ...(docker ? { docker } : {}) },
          backupId,
        );
        const text = [
          `restored: ${out.restored.join(', ') || 'nothing'}`,
          ...out.failed.map((f) => `failed: ${f}`),
        ];
        print(opts.json, out, `${text.join('\n')}\n`);
        if (out.failed.length) result.code = EXIT.failure;
      }),
    );
}

function renderAutoStatus(s: AutoStatus): string {
  const state = !s.enabled
    ? 'off (optimizer.auto.enabled is false)'
    : s.paused
      ? 'paused (kill switch)'
      : 'on';
  const steps = s.steps.map((x) => `  ${x.at}  ${x.target}  ${x.from ?? 'none'} → ${x.to}`);
  return `auto mode: ${state}; every ${s.intervalMs / 60_000} min; kinds ${s.kinds.join(', ')}\n${
    steps.length ? `latest steps:\n${steps.join('\n')}\n` : 'no steps recorded\n'
  }`;
}

async function usageSeries(db: Db): Promise<string[]> {
  return (await listSeries(db))
    .filter((s) => s.metric === 'memory_bytes' || s.metric === 'disk_bytes')
    .map((s) => s.name);
}

async function runSample(config: Config, passes: number): Promise<void> {
  const logger = createLogger(config.logLevel, logDestination(process.stderr, process.env));
  const deps = doctorDeps(config);
  await withDb(config, async (db) => {
    let stored = 0;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const sampler = startResourceSampler({
      db,
      logger,
      intervalMs: config.optimizer.intervalMs,
      maxSeries: config.optimizer.maxSeries,
      collector: optimizerCollector(config, deps.docker ? { docker: deps.docker } : {}),
      onPass: (p) => {
        const failed = Object.keys(p.failed);
        process.stdout.write(
          `${new Date(p.at).toISOString()} stored ${p.written} samples${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`,
        );
        if (++stored >= passes) finish();
      },
    });
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    // The sampler's timer is unref'd (inside `up` it must not hold the process open); alone it is
    // the whole job, so hold the event loop until a signal or --passes ends it.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    try {
      await done;
    } finally {
      clearInterval(keepAlive);
      process.removeListener('SIGINT', finish);
      process.removeListener('SIGTERM', finish);
      await sampler.stop();
    }
  });
}
