import { createPlatform, type Platform, type Role } from '../app.js';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { logDestination } from '../log-pretty.js';

const FORCE_EXIT_MS = 10_000;

/**
 * What `up` prints once it is ready. A worker serves no API (several of them run beside one API
 * process): only health and metrics, and only when worker.metricsPort is set.
 */
async function readyLine(role: Role, workerMetricsPort: number, platform: Platform): Promise<string> {
  if (role === 'worker')
    return workerMetricsPort > 0
      ? `SutazAI worker running; health and metrics on ${await platform.listen()}`
      : 'SutazAI worker running';
  if (role === 'gateway') return `SutazAI gateway ready on ${await platform.listen()}`;
  return `SutazAI API ready on ${await platform.listen()}`;
}

/**
 * Runs the platform until SIGINT/SIGTERM. The first signal drains (stop accepting, let in-flight
 * tasks finish or release their leases, close the database); a second signal, or the drain
 * outliving FORCE_EXIT_MS, exits at once.
 */
export async function runUp(options: { config?: string; role: Role }): Promise<number> {
  const { config, file } = loadConfig(options.config ? { file: options.config } : {});
  const logger = createLogger(config.logLevel, logDestination(process.stdout, process.env));
  const platform = await createPlatform({
    config,
    logger,
    role: options.role,
    ...(file ? { configFile: file } : {}),
  });
  try {
    console.error(await readyLine(options.role, config.worker.metricsPort, platform));
  } catch (err) {
    await platform.close();
    throw err;
  }
  for (const line of platform.notices) console.error(line);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info({ signal }, 'platform:shutdown:start');
  const force = () => {
    logger.error('platform:shutdown:forced');
    process.exit(1);
  };
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  const timer = setTimeout(force, FORCE_EXIT_MS);
  timer.unref();
  try {
    await platform.close();
    logger.info('platform:shutdown:done');
    return 0;
  } finally {
    clearTimeout(timer);
  }
}
