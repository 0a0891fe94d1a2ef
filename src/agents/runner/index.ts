export { createAgentRunner, taskPrompt, type AgentRunnerDeps, type AgentRunResult } from './runner.js';
export { AgentRunPayloadSchema } from './payload.js';
export { setAgentStatus, type AgentRunStatus } from './agent-status.js';
export { loadSteps, listStepViews, deleteStepsOfMissingTasks, type Step, type StepView } from './steps.js';
export { routeTask, type RouteDecision } from '../routing/index.js';
