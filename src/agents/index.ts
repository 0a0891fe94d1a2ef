/** The agent registry: definitions (API and files), runtime bookkeeping, statistics, HTTP routes. */
export {
  AGENT_NAME_PATTERN,
  AGENT_STATUSES,
  TOOL_NAME_PATTERN,
  isFileSource,
  type Agent,
  type AgentDefinition,
  type AgentListQuery,
  type AgentPage,
  type AgentPatch,
  type AgentStats,
  type AgentStatus,
  type RecentTask,
} from './types.js';
export { createAgentStore, agentRepository, findAgent, type AgentStore } from './store.js';
export { getAgentStats, RECENT_TASKS, SUCCESS_WINDOW } from './stats.js';
export { parseAgentFile, AgentFileError } from './parse-file.js';
export {
  syncAgentFiles,
  type SyncAgentFilesOptions,
  type SyncAgentFilesResult,
  type SyncSkip,
} from './sync.js';
export { setAgentStatus, recordHeartbeat, markStaleAgentsOffline } from './bookkeeping.js';
export { startStaleAgentSweep, type StaleSweep, type StaleSweepOptions } from './stale-sweep.js';
export { agentsRoutes, type AgentsRouteDeps } from '../http/routes/agents.js';
