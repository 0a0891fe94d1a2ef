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

// --- mcp -----------------------------------------------------------------------------------

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
