import { sql as core } from './0001-core.js';
import { sql as queueClaim } from './0002-queue-claim.js';
import { sql as llm } from './0003-llm.js';
import { sql as ownership } from './0004-ownership.js';
import { sql as taskRequester } from './0005-task-requester.js';
import { sql as events } from './0007-events.js';
import { sql as resourceSamples } from './0008-resource-samples.js';
import { sql as doctorAlertOutbox } from './0009-doctor-alert-outbox.js';
import { sql as optimizerSteps } from './0010-optimizer-steps.js';
import { sql as tasksLeanWrites } from './0011-tasks-lean-writes.js';
import { sql as taskEventsHashJoin } from './0012-task-events-hash-join.js';
import { sql as tasksLeaseIndexByLease } from './0013-tasks-lease-index-by-lease.js';

export interface Migration {
  /** Stable, ordered name; recorded in schema_migrations once applied. */
  name: string;
  sql: string;
}

/** Append only: never edit or reorder an applied migration; add a new one. */
export const migrations: readonly Migration[] = [
  { name: '0001-core', sql: core },
  { name: '0002-queue-claim', sql: queueClaim },
  { name: '0003-llm', sql: llm },
  { name: '0004-ownership', sql: ownership },
  { name: '0005-task-requester', sql: taskRequester },
  { name: '0007-events', sql: events },
  { name: '0008-resource-samples', sql: resourceSamples },
  { name: '0009-doctor-alert-outbox', sql: doctorAlertOutbox },
  { name: '0010-optimizer-steps', sql: optimizerSteps },
  { name: '0011-tasks-lean-writes', sql: tasksLeanWrites },
  { name: '0012-task-events-hash-join', sql: taskEventsHashJoin },
  { name: '0013-tasks-lease-index-by-lease', sql: tasksLeaseIndexByLease },
];
