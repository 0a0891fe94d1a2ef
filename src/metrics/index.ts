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

// --- doctor --------------------------------------------------------------------------------
