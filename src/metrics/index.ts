import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one module-level singleton the house style allows: the Prometheus registry and the metric
 * definitions. Areas add their metrics here so names stay unique and documented in one place.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'sutazai_' });

export const httpRequestDuration = new Histogram({
  name: 'sutazai_http_request_duration_seconds',
  help: 'HTTP request duration by route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

// --- tasks ---------------------------------------------------------------------------------
export const tasksByStatus = new Gauge({
  name: 'sutazai_tasks',
  help: 'Tasks in the queue by status (sampled at scrape time)',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const taskOutcomes = new Counter({
  name: 'sutazai_task_outcomes_total',
  help: 'Task attempts finished by this process, by type and outcome (completed, retried, dead, cancelled)',
  labelNames: ['type', 'outcome'] as const,
  registers: [registry],
});

export const taskDuration = new Histogram({
  name: 'sutazai_task_duration_seconds',
  help: 'Handler run time per attempt, by type and outcome',
  labelNames: ['type', 'outcome'] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const queueLag = new Gauge({
  name: 'sutazai_queue_lag_seconds',
  help: 'Age of the oldest runnable pending task (sampled at scrape time)',
  registers: [registry],
});

const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export const taskClaimBatchSize = new Histogram({
  name: 'sutazai_task_claim_batch_size',
  help: 'Tasks taken per claim statement by this process (into the local buffer and free slots)',
  buckets: BATCH_BUCKETS,
  registers: [registry],
});

export const taskOutcomeBatchSize = new Histogram({
  name: 'sutazai_task_outcome_batch_size',
  help: 'Task outcomes (completions and failures) written per statement by this process',
  buckets: BATCH_BUCKETS,
  registers: [registry],
});

export const taskOutcomeWindow = new Histogram({
  name: 'sutazai_task_outcome_window_seconds',
  help: 'How long the oldest outcome of a batch waited from its handler settling to its commit',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
});

export const workerBufferedTasks = new Gauge({
  name: 'sutazai_worker_buffered_tasks',
  help: 'Tasks this process has claimed into its local buffer and not started yet',
  registers: [registry],
});

// --- agents --------------------------------------------------------------------------------
export const agentsMarkedOffline = new Counter({
  name: 'sutazai_agents_marked_offline_total',
  help: 'Agents this process marked offline because their heartbeat went stale',
  registers: [registry],
});

export const agentFilesSkipped = new Gauge({
  name: 'sutazai_agent_files_skipped',
  help: 'Agent files the last sync in this process skipped as invalid (see the logs for paths)',
  registers: [registry],
});

// --- auth ----------------------------------------------------------------------------------
export const authLogins = new Counter({
  name: 'sutazai_auth_logins_total',
  help: 'Password logins by outcome (success, failure)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const rateLimitBackendErrors = new Counter({
  name: 'sutazai_rate_limit_backend_errors_total',
  help: 'Rate-limit hits that Redis could not answer and the in-memory fallback decided',
  registers: [registry],
});

// --- llm -----------------------------------------------------------------------------------
export const llmRequests = new Counter({
  name: 'sutazai_llm_requests_total',
  help: 'Model calls by backend, model and outcome (ok, error, busy, circuit_open, cancelled)',
  labelNames: ['backend', 'model', 'outcome'] as const,
  registers: [registry],
});

export const llmTokens = new Counter({
  name: 'sutazai_llm_tokens_total',
  help: 'Tokens reported by the backend, by model and direction (prompt, completion)',
  labelNames: ['model', 'direction'] as const,
  registers: [registry],
});

export const llmDuration = new Histogram({
  name: 'sutazai_llm_request_duration_seconds',
  help: 'Model call duration including waiting for a slot, by backend and model',
  labelNames: ['backend', 'model'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});

export const llmInFlight = new Gauge({
  name: 'sutazai_llm_in_flight',
  help: 'Model calls holding a slot, by model key (backend/model)',
  labelNames: ['model'] as const,
  registers: [registry],
});

export const llmWaiting = new Gauge({
  name: 'sutazai_llm_waiting',
  help: 'Model calls waiting for a slot, by model key (backend/model)',
  labelNames: ['model'] as const,
  registers: [registry],
});

export const llmBreakerState = new Gauge({
  name: 'sutazai_llm_breaker_state',
  help: 'Circuit breaker per backend: 0 closed, 1 half-open, 2 open',
  labelNames: ['backend'] as const,
  registers: [registry],
});

export const llmCache = new Counter({
  name: 'sutazai_llm_cache_total',
  help: 'Chat response cache lookups by result (hit, miss)',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const agentSteps = new Counter({
  name: 'sutazai_agent_steps_total',
  help: 'Agent runner steps by kind (model, tool) and outcome (ok, error, replayed)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

// --- mcp -----------------------------------------------------------------------------------
export const mcpProcesses = new Gauge({
  name: 'sutazai_mcp_processes',
  help: 'MCP child processes (instances) by server and state',
  labelNames: ['server', 'state'] as const,
  registers: [registry],
});

export const mcpProcessCap = new Gauge({
  name: 'sutazai_mcp_process_cap',
  help: 'Configured cap on MCP child processes across all servers (mcp.maxProcesses)',
  registers: [registry],
});

export const mcpServerState = new Gauge({
  name: 'sutazai_mcp_server_state',
  help: '1 for the state each declared MCP server is in (stopped, starting, ready, crashloop, disabled)',
  labelNames: ['server', 'state'] as const,
  registers: [registry],
});

export const mcpRestarts = new Counter({
  name: 'sutazai_mcp_restarts_total',
  help: 'MCP instance restarts by server and reason (crash, memory, timeout, manual)',
  labelNames: ['server', 'reason'] as const,
  registers: [registry],
});

export const mcpCrashLoops = new Counter({
  name: 'sutazai_mcp_crashloops_total',
  help: 'Times an MCP server entered crash-loop back-off',
  labelNames: ['server'] as const,
  registers: [registry],
});

export const mcpCallDuration = new Histogram({
  name: 'sutazai_mcp_call_duration_seconds',
  help: 'MCP upstream call latency by server, method, tool and outcome (ok, tool_error, error, timeout)',
  labelNames: ['server', 'method', 'tool', 'outcome'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

export const mcpInFlight = new Gauge({
  name: 'sutazai_mcp_calls_in_flight',
  help: 'MCP calls being served by an instance, by server',
  labelNames: ['server'] as const,
  registers: [registry],
});

export const mcpQueued = new Gauge({
  name: 'sutazai_mcp_calls_queued',
  help: 'MCP calls waiting for a free instance slot, by server',
  labelNames: ['server'] as const,
  registers: [registry],
});

export const mcpErrors = new Counter({
  name: 'sutazai_mcp_errors_total',
  help: 'MCP gateway errors by server and kind',
  labelNames: ['server', 'kind'] as const,
  registers: [registry],
});

export const mcpSessions = new Gauge({
  name: 'sutazai_mcp_client_sessions',
  help: 'Open /mcp client sessions',
  registers: [registry],
});

// --- doctor --------------------------------------------------------------------------------
export const doctorAuditDuration = new Histogram({
  name: 'sutazai_doctor_audit_duration_seconds',
  help: 'Doctor audit time (all sources and rules), by whether the view was partial',
  labelNames: ['partial'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const doctorFindings = new Gauge({
  name: 'sutazai_doctor_findings',
  help: 'Unsuppressed findings of the last doctor audit, by rule and severity',
  labelNames: ['rule', 'severity'] as const,
  registers: [registry],
});

export const doctorSourceFailures = new Counter({
  name: 'sutazai_doctor_source_failures_total',
  help: 'Doctor sources that could not be read, by source',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const doctorFixOutcomes = new Counter({
  name: 'sutazai_doctor_fix_outcomes_total',
  help: 'Applied doctor fixes by outcome (applied, rolled-back)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
// --- optimizer -----------------------------------------------------------------------------
export const resourceValue = new Gauge({
  name: 'sutazai_resource_value',
  help: 'Latest sample of each resource series (kind, metric, subject; subjects capped, the rest `other`)',
  labelNames: ['kind', 'metric', 'subject'] as const,
  registers: [registry],
});

export const resourceSourceFailures = new Counter({
  name: 'sutazai_resource_source_failures_total',
  help: 'Resource sampler sources that could not be read, by source',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const optimizerAutoSteps = new Counter({
  name: 'sutazai_optimizer_auto_steps_total',
  help: 'Steps the optimizer applied unattended (auto mode), by outcome (kept, rolled-back, failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const resourceSamplesDropped = new Counter({
  name: 'sutazai_resource_samples_dropped_total',
  help: 'Samples of new series refused because optimizer.maxSeries series exist',
  registers: [registry],
});
export {
  OTHER_LABEL,
  boundedLabel,
  fixedLabel,
  type BoundedLabel,
  type BoundedLabelOptions,
} from './labels.js';

export const eventsPublished = new Counter({
  name: 'sutazai_events_published_total',
  help: 'Events published to the live events stream, by type',
  labelNames: ['type'] as const,
  registers: [registry],
});

export const eventsDropped = new Counter({
  name: 'sutazai_events_streams_dropped_total',
  help: 'Event streams closed with a reconnect hint because the client read too slowly',
  registers: [registry],
});

export const eventStreamsOpen = new Gauge({
  name: 'sutazai_events_streams_open',
  help: 'Open GET /api/v1/events streams',
  registers: [registry],
});
