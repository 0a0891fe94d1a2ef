import { createPlatform, type Role } from '../app.js';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { logDestination } from '../log-pretty.js';

const FORCE_EXIT_MS = 10_000;

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
    // A worker-only process serves no HTTP: several of them run beside one API process.
    if (options.role === 'worker') console.error('SutazAI worker running');
    else console.error(`SutazAI API ready on ${await platform.listen()}`);
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
