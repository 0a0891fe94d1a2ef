/** Local (non-wire) errors of the queue and worker; the HTTP layer maps them to catalogue codes. */

/** The task's lease was taken over (expired and re-claimed, or released): its result is discarded. */
export class LeaseLostError extends Error {
  constructor(taskId: string) {
    super(`lease on task ${taskId} was lost`);
    this.name = 'LeaseLostError';
  }
}

/** The worker is draining and gave up waiting for this task; its lease goes back to the queue. */
export class WorkerStoppingError extends Error {
  constructor() {
    super('worker is stopping');
    this.name = 'WorkerStoppingError';
  }
}

/** enqueue() named an agent that does not exist (foreign-key violation on tasks.agent_id). */
export class UnknownAgentError extends Error {
  constructor(readonly agentId: string) {
    super(`agent ${agentId} does not exist`);
    this.name = 'UnknownAgentError';
  }
}
