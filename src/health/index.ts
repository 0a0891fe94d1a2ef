export type { HealthState, Probe, ProbeResult, ProbeSource } from './types.js';
export { ProbeFailure } from './types.js';
export { HealthRegistry, type HealthOptions, type HealthReport } from './registry.js';
export { databaseProbe } from './probes.js';
