export { routeTask, rankAgents, taskText, type RoutableTask, type RouteDecision } from './route-task.js';
export { bm25, tokenize } from './bm25.js';
