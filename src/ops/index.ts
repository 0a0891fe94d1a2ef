/** The doctor: audit a Docker/Compose deployment, fix with backup/verify/rollback, watch. */
export * from './types.js';
export { runAudit, buildReport, type AuditOptions, type AuditResult } from './audit.js';
export { auditOptions, ruleOptionsFrom, doctorDir, type AuditDeps, type AuditRequest } from './options.js';
export { doctorDeps } from './deps.js';
export { RULES, ruleById } from './rules/catalogue.js';
export { evaluate, sortFindings, type ConfigSuppression } from './rules/evaluate.js';
export type { Snapshot, ContainerView, RuleOptions, ProcessBudget } from './rules/context.js';
export {
  loadComposeProject,
  normalizeProjectName,
  resolveComposeFiles,
  ComposeError,
  type ComposeLoadOptions,
} from './compose/load.js';
export type { ComposeProject, ServiceDecl, PublishedPort } from './compose/model.js';
export { interpolate, parseDotEnv, InterpolationError } from './compose/interpolate.js';
export {
  HttpDockerClient,
  negotiateApiVersion,
  MIN_API_VERSION,
  MAX_API_VERSION,
  type HttpDockerOptions,
} from './sources/docker-http.js';
export { MemoryDocker, fakeContainer } from './sources/docker-memory.js';
export {
  DockerApiError,
  type DockerClient,
  type ContainerInspect,
  type DockerEvent,
} from './sources/docker-types.js';
export { loadPortRegistry, type PortRegistry, type RegistryEntry } from './sources/port-registry.js';
export { readListeners, parseProcNetTcp, type Listener } from './sources/listeners.js';
export { readProcesses, fingerprint, type HostProcess } from './sources/processes.js';
export {
  inProcessPlatform,
  readPlatformServers,
  parsePlatformServers,
  type HttpPlatformSource,
  type PlatformServer,
  type PlatformSourceOptions,
} from './sources/platform.js';
export { FileStateStore, MemoryStateStore, emptyState, type DoctorState, type StateStore } from './state.js';
export { renderTable, explainRule, useColor, type TableOptions } from './report/table.js';
export { toSarif } from './report/sarif.js';
export { exitCodeFor, partialReasons } from './report/exit-code.js';
export {
  planFix,
  renderFixPlan,
  isIrreversible,
  type FixPlan,
  type FixAction,
  type PlanOptions,
} from './fix/plan.js';
export { isAnonymousVolume } from './fix/plan-removals.js';
export * as limits from './limits/floors.js';
export { applyFix, verifyContainers, type ApplyOptions, type ApplyResult } from './fix/apply.js';
export { rollback, rollbackBackup, type RollbackResult } from './fix/rollback.js';
export { listBackups, loadBackup, backupsRoot, type BackupInfo, type BackupManifest } from './fix/backup.js';
export { composeEditOf, editLimits, editLimitsInFile } from './fix/compose-edit.js';
export {
  DIFF_MAX_BYTES,
  TRUNCATION_MARKER,
  previewComposeDiffs,
  type ComposeDiff,
} from './fix/compose-preview.js';
export { unifiedDiff } from './fix/unified-diff.js';
export {
  startDoctorWatch,
  type DoctorWatch,
  type DoctorWatchOptions,
  type WatchEvent,
} from './watch/watch.js';
export { RestartBudget } from './watch/restart-budget.js';
export { webhookBody, actionBody, type ActionKind, type ActionReport } from './watch/webhooks.js';
export { AlertOutbox, webhookName, type OutboxEntry } from './watch/outbox.js';
export { DbOutboxStore, FileOutboxStore, type OutboxStore } from './watch/outbox-store.js';
export { assertKnownRules, nearestRuleIds, editDistance } from './rules/rule-ids.js';
