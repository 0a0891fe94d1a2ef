import path from 'node:path';
import type { Logger } from 'pino';
import {
  agentsRoutes,
  createAgentStore,
  findAgent,
  startStaleAgentSweep,
  syncAgentFiles,
} from './agents/index.js';
import { startAuth, writeLocalCredential } from './auth/index.js';
import { assertSafeBind, type Config } from './config/index.js';
import { migrate, openDb, type Db } from './db/index.js';
import { SutazaiError } from './errors.js';
import { databaseProbe, HealthRegistry } from './health/index.js';
import { buildHttpApp, type RouteModule } from './http/app.js';
import { createRateLimiter } from './http/rate-limit.js';
import { authRoutes } from './http/routes/auth.js';
import { healthRoutes } from './http/routes/health.js';
import { mcpRoutes } from './http/routes/mcp.js';
import { metricsAccess, metricsRoutes } from './http/routes/metrics.js';
import type { App } from './http/types.js';
import { mcpInternalRoutes } from './http/routes/mcp-internal.js';
import { startMcpForRole, type McpForRole } from './app-mcp.js';
import { DbOutboxStore, doctorDeps, inProcessPlatform, startDoctorWatch } from './ops/index.js';
import { doctorRoutes } from './http/routes/doctor.js';
import { placementRoutes } from './http/routes/placement.js';
import { resourcesRoutes } from './http/routes/resources.js';
import { optimizerRoutes } from './http/routes/optimizer.js';
import {
  memoryRecommendations,
  optimizerCollector,
  optimizerPlanDeps,
  startOptimizerAuto,
  startResourceSampler,
} from './optimizer/index.js';
import { CloseStack } from './close-stack.js';
import { BackupService, backupsDirOf, configSourcesOf, startBackupSchedule } from './backup/index.js';
import { holdPresence } from './db/presence.js';
import { backupsRoutes } from './http/routes/backups.js';
import { AgentRunPayloadSchema, createAgentRunner, listStepViews } from './agents/runner/index.js';
import { startEvents } from './events/index.js';
import { eventsRoutes } from './http/routes/events.js';
import { overviewRoutes } from './http/routes/overview.js';
import { taskStepsRoutes } from './http/routes/task-steps.js';
import type { DockerClient, Report } from './ops/index.js';
import { createLlmService } from './llm/index.js';
import { chatRoutes } from './http/routes/chat.js';
import { conversationsRoutes } from './http/routes/conversations.js';
import { modelsRoutes } from './http/routes/models.js';
import { createBuiltinTools } from './tools/builtin/index.js';
import { createToolRegistry } from './tools/registry.js';
import { createOutboundGuard } from './net/index.js';
import { openRedis } from './redis.js';
import { createTaskSystem, queueOverview, sampleQueueMetrics } from './tasks/index.js';
import { tasksRoutes } from './http/routes/tasks.js';
import { staticRoutes } from './http/static.js';
import { VERSION } from './version.js';

/**
 * The composition root: builds every part from config, passes dependencies explicitly, and owns
 * the order of start and shutdown. Parts close in reverse order of construction (the HTTP server
 * first, the database last).
 */
export type Role = 'all' | 'api' | 'worker' | 'gateway';

export interface PlatformOptions {
  config: Config;
  logger: Logger;
  role?: Role;
  /** For tests: embedded PostgreSQL in memory instead of the data dir. */
  inMemoryDb?: boolean;
  /** Route modules registered before all others (tests use this to record the route table). */
  firstRoutes?: RouteModule[];
  /** The config file that was loaded, if any: backups copy it. */
  configFile?: string;
  /** The built dashboard served from `/`; default: web/dist of this checkout. */
  webDir?: string;
  /** For tests: the Docker engine the doctor and optimizer use instead of doctor.dockerHost's. */
  docker?: DockerClient;
}

const DEFAULT_WEB_DIR = path.resolve(import.meta.dirname, '../web/dist');

export interface Platform {
  readonly config: Config;
  readonly db: Db;
  readonly app: App;
  /** Lines to show the person running the CLI once (e.g. a generated first-run admin password). */
  readonly notices: readonly string[];
  /**
   * Listens on config.http host/port (port 0 picks a free one); returns the base URL. A worker
   * listens on worker.metricsPort instead and serves health and metrics only.
   */
  listen(): Promise<string>;
  /** Drains and closes everything, in order; idempotent. */
  close(): Promise<void>;
}

/** What a role adds to the common core: its routes, its /metrics samplers, and what starts last. */
interface RoleParts {
  routes: RouteModule[];
  samplers: Array<() => Promise<void>>;
  start(): Promise<void>;
}

/** The parts every role builds before its own: database, auth, rate limits, MCP, health. */
interface Core {
  config: Config;
  logger: Logger;
  role: Role;
  db: Db;
  stack: CloseStack;
  auth: Awaited<ReturnType<typeof startAuth>>['service'];
  mcp: McpForRole;
  health: HealthRegistry;
  options: PlatformOptions;
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, logger } = options;
  const role = options.role ?? 'all';
  assertSafeBind(config);
  assertRoleConfig(config, role);
  const startedAt = Date.now();
  const stack = new CloseStack(logger);
  let shuttingDown = false;
  try {
    const db = await openDatabase(options);
    stack.push('database', () => db.close());
    // On PostgreSQL, `backup restore` refuses while any process holds this (db/presence.ts).
    if (config.database.url) {
      const presence = await holdPresence(config.database.url, logger);
      stack.push('presence', () => presence.release());
    }
    const migrated = await migrate(db);
    if (migrated.applied.length) logger.info({ applied: migrated.applied }, 'db:migrate:applied');

    if (role !== 'gateway') await startAgents(config, db, logger, stack);
    // The doctor on this machine reads the MCP children with this, no API key (docs/doctor.md).
    // Only a process that serves the API writes it: a worker's token would replace the API's.
    const localCredential =
      config.auth.enabled && role !== 'worker' ? await writeLocalCredential(config.dataDir) : undefined;
    if (localCredential) stack.push('local-credential', () => localCredential.remove());

    const {
      service: auth,
      authenticator,
      adminNotice,
    } = await startAuth({
      db,
      logger,
      config: config.auth,
      ...(localCredential ? { localCredential } : {}),
    });
    const rateLimiter = await createRateLimiter({
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      logger,
    });
    stack.push('rate-limiter', () => rateLimiter.close());

    const mcp = await startMcpForRole(config, role, logger, stack);
    const health = new HealthRegistry({ intervalMs: 5000, timeoutMs: 2000 });
    health.add(databaseProbe(db));
    mcp.addProbes(health);

    const core: Core = { config, logger, role, db, stack, auth, mcp, health, options };
    const parts = role === 'gateway' ? gatewayParts(core) : await taskParts(core);
    const routes: RouteModule[] = [
      ...(options.firstRoutes ?? []),
      healthRoutes({ health, version: VERSION, startedAt }),
      metricsRoutes({
        samplers: parts.samplers,
        access: metricsAccess(config.http.metricsAccess, config.http.host),
      }),
      ...parts.routes,
    ];
    const app = await buildHttpApp(
      {
        logger,
        bodyLimitBytes: config.http.bodyLimitBytes,
        requestTimeoutMs: config.http.requestTimeoutMs,
        authEnabled: config.auth.enabled,
        browserOrigin: {
          bindHost: config.http.host,
          allowedHosts: config.http.allowedHosts,
          allowedOrigins: config.http.corsOrigin ? [config.http.corsOrigin] : [],
        },
        authenticator,
        rateLimiter,
        rateRules: config.rateLimit,
        isShuttingDown: () => shuttingDown,
      },
      routes,
    );
    stack.push('http', () => app.close());
    await parts.start();

    const port = role === 'worker' ? config.worker.metricsPort : config.http.port;
    return {
      config,
      notices: adminNotice ? [adminNotice] : [],
      db,
      app,
      async listen() {
        try {
          return await app.listen({ host: config.http.host, port });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          throw new SutazaiError('SUTAZAI_ERR_HTTP_PORT_IN_USE', { host: config.http.host, port });
        }
      },
      close() {
        shuttingDown = true;
        return stack.close();
      },
    };
  } catch (err) {
    await stack.close().catch(() => undefined);
    throw err;
  }
}

/** The gateway role refuses to start without the credential its clients will present. */
function assertRoleConfig(config: Config, role: Role): void {
  if (role === 'gateway' && !config.mcp.gatewayToken)
    throw new SutazaiError('SUTAZAI_ERR_CONFIG_INVALID', {
      source: '--role gateway',
      issues:
        'mcp.gatewayToken: the gateway role needs the internal credential its api and worker processes present (SUTAZAI_MCP_GATEWAY_TOKEN, at least 32 characters)',
    });
}

/** The gateway role: the MCP servers over REST and /mcp for users, and tools for its peers. */
function gatewayParts(core: Core): RoleParts {
  const local = core.mcp.local!;
  return {
    routes: [
      authRoutes({ auth: core.auth }),
      mcpRoutes({ mcp: local, callsNeedAdmin: core.config.mcp.callsNeedAdmin }),
      mcpInternalRoutes({ tools: local.toolProvider, token: core.config.mcp.gatewayToken! }),
    ],
    samplers: [],
    start: async () => undefined,
  };
}

/**
 * Roles all, api and worker: the model backend, agents, the task queue and its worker, and, where
 * the API is served, everything users reach. A worker serves health and metrics only.
 */
async function taskParts(core: Core): Promise<RoleParts> {
  const { config, logger, role, db, stack, mcp, health } = core;
  const servesApi = role !== 'worker';
  // The server's own report reads the MCP children in process: no HTTP, no credential.
  const doctor = {
    ...doctorDeps(config),
    ...(core.options.docker ? { docker: core.options.docker } : {}),
    platform: inProcessPlatform(() => mcp.servers()),
  };

  // One sampler per deployment, beside the API: worker processes would sample the same host again.
  if (config.optimizer.enabled && servesApi) {
    const sampler = startResourceSampler({
      db,
      logger,
      intervalMs: config.optimizer.intervalMs,
      maxSeries: config.optimizer.maxSeries,
      collector: optimizerCollector(config, {
        ...(doctor.docker ? { docker: doctor.docker } : {}),
        mcpServers: () => mcp.servers(),
      }),
    });
    stack.push('optimizer-sampler', () => sampler.stop());
    // Auto mode acts beside the sampler only; processes sharing a database take turns (decision 0076).
    const auto = startOptimizerAuto({
      db,
      config,
      logger,
      planDeps: () => optimizerPlanDeps(config, { db, ...(doctor.docker ? { docker: doctor.docker } : {}) }),
    });
    if (auto) stack.push('optimizer-auto', () => auto.stop());
  }

  const redis = config.redisUrl ? await openRedis(config.redisUrl, logger) : undefined;
  if (redis) stack.push('redis', async () => void redis.disconnect());
  const llm = createLlmService({ config, logger, ...(redis ? { redis } : {}) });
  stack.push('llm', () => llm.close());
  health.addSource(llm.probeSource);
  // Agents call built-in tools and every MCP server's tools through one provider.
  // One guard for every connection made on a user's behalf (decision 0017).
  const outbound = createOutboundGuard({
    allow: [...config.outbound.allow, ...config.llm.httpFetch.allowPrivateHosts],
  });
  const tools = createToolRegistry([
    createBuiltinTools(config.llm.httpFetch, { guard: outbound }),
    mcp.toolProvider,
  ]);
  const agentRunner = createAgentRunner({ llm, tools, logger, budgets: config.llm.agent, db });

  const tasks = createTaskSystem({
    agentHandler: agentRunner,
    agentPayload: AgentRunPayloadSchema,
    outboundGuard: outbound,
    db,
    log: logger,
    queue: config.queue,
    worker: { ...config.worker, enabled: config.worker.enabled && role !== 'api' },
    ...(config.database.url ? { databaseUrl: config.database.url } : {}),
  });
  stack.push('tasks', () => tasks.stop());

  const backups = new BackupService({
    db,
    backupsDir: backupsDirOf(config),
    config: configSourcesOf(config, core.options.configFile),
    ...(config.database.url ? { pgDumpUrl: config.database.url } : {}),
  });
  // One process takes scheduled backups: the API side (decision 0060; off by default).
  if (config.backup.intervalMinutes > 0 && servesApi) {
    const schedule = startBackupSchedule({
      service: backups,
      intervalMs: config.backup.intervalMinutes * 60_000,
      retain: config.backup.retain,
      logger,
    });
    stack.push('backup-schedule', () => schedule.stop());
  } else stack.push('backups', () => backups.idle());

  // The live events stream; a worker-only process serves no API and needs none.
  const local = mcp.local;
  const events = servesApi
    ? await startEvents({
        db,
        logger,
        options: config.events,
        ...(local
          ? {
              mcp: {
                onStateChange: (listener) => local.gateway.stateListeners.add(listener),
                status: (name) => local.servers().find((s) => s.name === name),
              },
            }
          : {}),
        health: () => health.report(),
      })
    : undefined;
  if (events) stack.push('events', () => events.close());
  const onReport = (report: Report) => events?.doctor.record(report);
  if (config.doctor.enabled) {
    // Inside the platform the alert outbox lives in its database (the CLI alone: the data dir).
    const watch = startDoctorWatch({
      deps: doctor,
      config: config.doctor,
      logger,
      onReport,
      outboxStore: new DbOutboxStore(db),
    });
    stack.push('doctor-watch', () => watch.stop());
  }
  if (!servesApi) return { routes: [], samplers: [], start: () => tasks.start() };

  const routes: RouteModule[] = [
    authRoutes({ auth: core.auth }),
    agentsRoutes({ store: createAgentStore(db) }),
    tasksRoutes({
      queue: tasks.queue,
      taskTypes: tasks.taskTypes,
      findAgent: (idOrName) => findAgent(db, idOrName),
    }),
    taskStepsRoutes({ queue: tasks.queue, steps: (id) => listStepViews(db, id) }),
    overviewRoutes({
      queue: () => queueOverview(db),
      mcpStates: () => mcp.states(),
      llm: () => llm.overview(),
      doctor: () => events?.doctor.latest,
    }),
    ...(events
      ? [
          eventsRoutes({
            hub: events.hub,
            heartbeatMs: config.events.heartbeatMs,
            reconnectRetryMs: config.events.reconnectRetryMs,
          }),
        ]
      : []),
    // With a gateway process, users reach MCP servers there (docs/operations.md).
    ...(local ? [mcpRoutes({ mcp: local, callsNeedAdmin: config.mcp.callsNeedAdmin })] : []),
    doctorRoutes({
      audit: doctor,
      onReport,
      memoryRecommendations: () =>
        memoryRecommendations(optimizerPlanDeps(config, { db, docker: doctor.docker! })),
    }),
    resourcesRoutes({ db, forecast: config.optimizer.forecast }),
    optimizerRoutes(
      () => optimizerPlanDeps(config, { db, ...(doctor.docker ? { docker: doctor.docker } : {}) }),
      config.optimizer,
    ),
    placementRoutes({ db, config: config.optimizer, ...(doctor.docker ? { docker: doctor.docker } : {}) }),
    chatRoutes({ llm, db }),
    modelsRoutes({ llm }),
    conversationsRoutes({ db }),
    backupsRoutes({ backups, retain: config.backup.retain }),
    staticRoutes({ dir: core.options.webDir ?? DEFAULT_WEB_DIR }),
  ];
  return { routes, samplers: [() => sampleQueueMetrics(db)], start: () => tasks.start() };
}

function openDatabase(options: PlatformOptions): Promise<Db> {
  const { config } = options;
  return openDb({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: path.resolve(config.dataDir),
    poolMax: config.database.poolMax,
    statementTimeoutMs: config.database.statementTimeoutMs,
    inMemory: options.inMemoryDb ?? false,
  });
}

async function startAgents(config: Config, db: Db, logger: Logger, stack: CloseStack): Promise<void> {
  if (config.agents.syncOnStart) {
    const sync = await syncAgentFiles({ db, dir: path.resolve(config.agentsDir), logger });
    logger.info(
      { synced: sync.synced, skipped: sync.skipped.length, removed: sync.removed.length },
      'agents:sync:done',
    );
  }
  const sweep = startStaleAgentSweep({
    db,
    logger,
    staleAfterMs: config.agents.staleAfterMs,
    intervalMs: config.agents.staleSweepIntervalMs,
  });
  stack.push('agent-sweep', () => sweep.stop());
}
